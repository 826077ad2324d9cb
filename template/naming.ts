/**
 * How tenant resources are named. One prefix covers the tenant's stack, table and role, so the IAM
 * grants of the management stack can be scoped to `<prefix>*` for each resource type.
 *
 * Lengths with the longest tenant id (32): stack `tenant-<id>` 39 of 128, role
 * `tenant-<id>-app` 43 of 64, table `tenant-<id>-data` 44 of 255.
 */
export const TENANT_RESOURCE_PREFIX = 'tenant-';

/** The stack name the workflows give a tenant's stack. */
export function tenantStackName(tenantId: string): string {
  return `${TENANT_RESOURCE_PREFIX}${tenantId}`;
}

/** The DynamoDB table holding one tenant's data. */
export function tenantDataTableName(tenantId: string): string {
  return `${TENANT_RESOURCE_PREFIX}${tenantId}-data`;
}

/** The IAM role the tenant's workloads run as. */
export function tenantAppRoleName(tenantId: string): string {
  return `${TENANT_RESOURCE_PREFIX}${tenantId}-app`;
}

/**
 * Name of the customer managed policy every tenant app role has as its permissions boundary. The
 * management stack creates it; the tenant template names it by convention
 * (`arn:<partition>:iam::<account>:policy/<this>`), so tenant stacks take no extra parameter. IAM
 * names are account-wide: one management stack per account.
 */
export const TENANT_APP_BOUNDARY_POLICY_NAME = `${TENANT_RESOURCE_PREFIX}app-permissions-boundary`;
