/**
 * The tenant-tier rule, stated once (next to the tenant-id rule). The template's Tier parameter
 * (AllowedValues, Default), the create workflow's check (the `${TenantTiers}` and `${DefaultTenantTier}`
 * substitutions), tests and local tools derive from here.
 *
 * A tier is one of the names below; a TenantCreated without one gets the default. Waves of a rollout
 * may go tier by tier (docs/rollouts.md).
 */
export const TENANT_TIERS = ['free', 'standard', 'premium'] as const;
export type TenantTier = (typeof TENANT_TIERS)[number];
export const DEFAULT_TENANT_TIER: TenantTier = 'standard';
export const TENANT_TIER_RULE_DESCRIPTION = `one of ${TENANT_TIERS.join(', ')} (default ${DEFAULT_TENANT_TIER})`;
/**
 * The tiers as the workflows read them: one string, split on `,` by States.StringSplit (every
 * character of its second argument is a delimiter, so no tier may contain one).
 */
export const TENANT_TIERS_LIST = TENANT_TIERS.join(',');

/** Returns undefined for a valid tier (or none: the default applies), or the reason it breaks the rule. */
export function tenantTierViolation(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    return `tier must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
  if (!(TENANT_TIERS as readonly string[]).includes(value)) return `tier '${value}' breaks the rule: ${TENANT_TIER_RULE_DESCRIPTION}`;
  return undefined;
}
