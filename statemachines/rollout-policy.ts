/**
 * The rollout policy: how a release reaches the fleet (docs/rollouts.md). Data, not code: infra
 * passes the defaults to update-tenants as the `${RolloutPolicy}` substitution, and a release may
 * override fields in its `rollout-policy` object metadata (validated by the CLI before upload and
 * checked again by the workflow, which merges field by field).
 */

export interface RolloutPolicy {
  /** Wave 0: these tenants by id, plus `count` more in the table's scan order (0 = none); both at most 100, and the percent waves skip them. */
  readonly canary: { readonly tenants: readonly string[]; readonly count: number };
  /** Cumulative percents of the fleet, by bucket, one wave each after the canaries; rising, the last is 100. */
  readonly waves: readonly number[];
  /** Seconds to wait after each wave before the next starts (not after the last). */
  readonly bakeSeconds: number;
  /**
   * Failures in one wave that halt the rollout: max(count, ceil(percent % of the wave's tenants)).
   * The canary wave runs at most that many tenants at once, so a release that fails everywhere
   * touches no more tenants than the budget.
   */
  readonly errorBudget: { readonly count: number; readonly percent: number };
  /** Stack updates in flight at once; 0 = from the account: ConcurrentResourcesLimit / resources per tenant stack. */
  readonly maxConcurrency: number;
  /**
   * Optional: tier by tier. The percent waves run for the first tier's tenants, then for the next
   * tier's, and so on (a record without a tier is `standard`); tenants of tiers not listed are not
   * updated by the percent waves. Empty or absent: one pass over every tier.
   */
  readonly tierOrder?: readonly string[];
}

/** The metadata key (`x-amz-meta-rollout-policy`) a release may carry its override in. */
export const ROLLOUT_POLICY_METADATA = 'rollout-policy';
/** The metadata key (`x-amz-meta-release`) carrying the release number. */
export const RELEASE_METADATA = 'release';
/** S3 user metadata is at most 2 KB in total (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). */
export const MAX_METADATA_BYTES = 2048;
/** A release number: a positive integer without leading zeros, at most 15 digits (exact in a JSON number). */
export const RELEASE_NUMBER_PATTERN = /^[1-9][0-9]{0,14}$/;

/**
 * The release number of a `major.minor.patch` template version: major x 1,000,000 + minor x 1,000 +
 * patch (1.2.0 -> 1002000), so releases made from rising template versions rise too. Minor and
 * patch must stay below 1,000.
 */
export function releaseNumberOf(version: string): number {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match || Number(match[2]) >= 1000 || Number(match[3]) >= 1000) {
    throw new Error(`template version '${version}' must be major.minor.patch with minor and patch below 1000 to give a release number`);
  }
  const release = Number(match[1]) * 1_000_000 + Number(match[2]) * 1_000 + Number(match[3]);
  if (!RELEASE_NUMBER_PATTERN.test(String(release)))
    throw new Error(`template version '${version}' gives release ${release}, not a positive integer of at most 15 digits`);
  return release;
}

const POLICY_FIELDS = ['canary', 'waves', 'bakeSeconds', 'errorBudget', 'maxConcurrency', 'tierOrder'] as const;

/**
 * Problems with a (partial) policy, each naming the field and the rule; empty when valid. With
 * `partial`, missing fields are allowed (an override); without, every field must be there.
 */
export function rolloutPolicyProblems(value: unknown, partial = false): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['rollout policy must be a JSON object'];
  const policy = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(policy)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(key))
      problems.push(`rollout policy field '${key}' is unknown (fields: ${POLICY_FIELDS.join(', ')})`);
  }
  const present = (field: string) => {
    if (policy[field] !== undefined) return true;
    if (!partial) problems.push(`rollout policy field '${field}' is required`);
    return false;
  };
  const count = (v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`rollout policy ${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
  };
  if (present('canary')) {
    const canary = policy.canary as Record<string, unknown>;
    if (typeof canary !== 'object' || canary === null || Array.isArray(canary))
      problems.push('rollout policy canary must be an object {tenants, count}');
    else {
      const tenants = canary.tenants;
      if (!Array.isArray(tenants) || tenants.some((t) => typeof t !== 'string') || tenants.length > 100) {
        problems.push('rollout policy canary.tenants must be a list of at most 100 tenant ids');
      }
      count(canary.count, 'canary.count', 0, 100);
    }
  }
  if (present('waves')) {
    const waves = policy.waves;
    if (!Array.isArray(waves) || waves.length === 0 || waves.length > 20)
      problems.push('rollout policy waves must be a list of 1 to 20 percents');
    else {
      waves.forEach((w, i) => count(w, `waves[${i}]`, 1, 100));
      if (waves.some((w, i) => i > 0 && typeof w === 'number' && w <= (waves[i - 1] as number)))
        problems.push('rollout policy waves must rise strictly');
      if (waves[waves.length - 1] !== 100) problems.push('rollout policy waves must end at 100 (every tenant)');
    }
  }
  // A Standard execution runs at most a year; a day of bake per wave is already a slow rollout.
  if (present('bakeSeconds')) count(policy.bakeSeconds, 'bakeSeconds', 0, 7 * 24 * 3600);
  if (present('errorBudget')) {
    const budget = policy.errorBudget as Record<string, unknown>;
    if (typeof budget !== 'object' || budget === null || Array.isArray(budget))
      problems.push('rollout policy errorBudget must be an object {count, percent}');
    else {
      count(budget.count, 'errorBudget.count', 1, 1_000_000);
      count(budget.percent, 'errorBudget.percent', 0, 100);
    }
  }
  // Distributed Map runs at most 10,000 child executions at once (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html).
  if (present('maxConcurrency')) count(policy.maxConcurrency, 'maxConcurrency', 0, 10_000);
  if (policy.tierOrder !== undefined) {
    const tiers = policy.tierOrder;
    if (!Array.isArray(tiers) || tiers.length > 10 || tiers.some((t) => typeof t !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(t))) {
      problems.push('rollout policy tierOrder must be a list of at most 10 tier names (lowercase letters, digits, hyphens)');
    } else if (new Set(tiers).size !== tiers.length) problems.push('rollout policy tierOrder must not repeat a tier');
  }
  return problems;
}

/** Throws naming every problem; returns the policy typed. */
export function validateRolloutPolicy(value: unknown): RolloutPolicy {
  const problems = rolloutPolicyProblems(value);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return value as RolloutPolicy;
}

/** A release's override merged over the defaults, field by field (as the workflow merges it). */
export function mergeRolloutPolicy(defaults: RolloutPolicy, override: Partial<RolloutPolicy>): RolloutPolicy {
  return validateRolloutPolicy({ ...defaults, ...override });
}
