/**
 * The tenant-id rule, stated once. Everything that accepts or checks a tenant id (the template's
 * TenantId parameter, the create workflow's validation, tests, local tools) derives from here.
 *
 * 1-32 characters; lowercase letters, digits and inner hyphens (no leading or trailing hyphen).
 * The id becomes part of a stack name (`<prefix><tenantId>`), of a DynamoDB table name and of an
 * IAM role name, so it must be valid in all three and short enough for the longest of them.
 */
export const TENANT_ID_MAX_LENGTH = 32;
export const TENANT_ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$';
/** The characters a tenant id may contain (used by the workflow's character check). */
export const TENANT_ID_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789-';
export const TENANT_ID_RULE_DESCRIPTION =
  '1-32 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit';

const tenantIdRegExp = new RegExp(TENANT_ID_PATTERN);

/** Returns undefined for a valid id, or the reason it breaks the rule. */
export function tenantIdViolation(value: unknown): string | undefined {
  if (value === undefined || value === null) return 'tenantId is missing';
  if (typeof value !== 'string') return `tenantId must be a string, got ${Array.isArray(value) ? 'array' : typeof value}`;
  if (value.length > TENANT_ID_MAX_LENGTH) return `tenantId is ${value.length} characters long; at most ${TENANT_ID_MAX_LENGTH} allowed`;
  if (!tenantIdRegExp.test(value)) return `tenantId '${value}' breaks the rule: ${TENANT_ID_RULE_DESCRIPTION}`;
  return undefined;
}
