/**
 * The contract between the workflows and whoever deploys or runs them: the tenant lifecycle events
 * they react to and emit, the template object they read and how tenant stacks are named. Infra
 * deploys with these values and local runs substitute the same ones, so both exercise one contract.
 *
 * Producers put events on the tenant-lifecycle bus with this source; the rules match source +
 * detail-type, so the workflows' own notifications (same source, other detail-types such as
 * TenantProvisioned) never start a workflow.
 */
import { TENANT_RESOURCE_PREFIX } from '../template/naming';

export const TENANT_EVENT_SOURCE = 'saas.tenants';
export const TENANT_CREATED_DETAIL_TYPE = 'TenantCreated';
export const TENANT_DELETED_DETAIL_TYPE = 'TenantDeleted';
/** detail {tenantId, tier}; the event's time orders it (docs/workflows.md "change-tier"). */
export const TENANT_TIER_CHANGED_DETAIL_TYPE = 'TenantTierChanged';
export const DEFAULT_EVENT_BUS_NAME = 'tenant-lifecycle';

/** The one object the template bucket holds; its "Object Created" event starts the fleet update. */
export const TEMPLATE_OBJECT_KEY = 'tenant-template/tenant.template.json';

/** Every tenant stack is named `<prefix><tenantId>`; IAM grants are scoped to this prefix. */
export const TENANT_STACK_NAME_PREFIX = TENANT_RESOURCE_PREFIX;
