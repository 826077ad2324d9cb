/**
 * Fault and timing injection for the local CloudFormation: how long stack operations take, which
 * resources fail, which API calls are throttled, and the account's limits. Configured at construction
 * (`behaviour` option) and changed at runtime through `LocalCloudFormation.behaviour`.
 *
 * Stack rules match a stack name (glob with `*`, or a RegExp) and optionally a set of operations; the
 * first matching rule that sets a field decides it. Durations drawn from a range use a seeded random
 * source, so a run is reproducible.
 */
import type { Timeline } from '../../emulator/runtime/timeline';
import { throttled } from './errors';

export type StackOperationKind = 'create' | 'update' | 'delete' | 'continue-update-rollback';

export type Duration = number | { readonly min: number; readonly max: number };

export interface StackBehaviourRule {
  /** Stack name glob (`tenant-*`) or RegExp; omitted: every stack. */
  readonly stackName?: string | RegExp;
  /** Operations the rule applies to; omitted: all. */
  readonly operations?: readonly StackOperationKind[];
  /** Total time of the operation's resource work, in milliseconds on the time line (fixed or a range). */
  readonly duration?: Duration;
  /** Time of the rollback, when one runs; defaults to the operation's duration. */
  readonly rollbackDuration?: Duration;
  /** A resource (logical id, or `*` for the first one processed) that fails: CREATE_FAILED / UPDATE_FAILED / DELETE_FAILED. */
  readonly failResource?: string;
  /** The failure's status reason. */
  readonly failureReason?: string;
  /** The rollback fails too (on its first resource): ROLLBACK_FAILED / UPDATE_ROLLBACK_FAILED. */
  readonly failRollback?: boolean;
  /** How many operations the rule applies to before it is used up; omitted: unlimited. */
  times?: number;
  /**
   * The share (0-1) of matching stacks the rule applies to, chosen by a hash of the stack name: the same
   * stacks every time (a failing tenant keeps failing), about `share` of a large fleet. Omitted: all.
   */
  readonly share?: number;
}

export interface ThrottleRule {
  /** API actions (`DescribeStacks`, ...); omitted: every action. */
  readonly actions?: readonly string[];
  /** How many matching calls answer `Throttling: Rate exceeded`. */
  calls: number;
}

/** A token bucket for the actions (or for all of them): sustained calls per second and the burst on top. */
export interface RateLimit {
  readonly actions?: readonly string[];
  readonly perSecond: number;
  readonly burst: number;
  /** Each action gets a bucket of its own (default: the actions share one). */
  readonly perAction?: boolean;
}

/**
 * A throttling model for large simulated fleets. AWS does not publish CloudFormation's API rates: it
 * advises exponential backoff and a quota increase request when calls are throttled
 * (https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error). The figures are
 * assumptions: DescribeStacks at 5 calls/s is what users report after talking to AWS support
 * (https://github.com/aws/aws-sam-cli/issues/2671: "Cloud Formation rate caps describe-stacks to 5
 * calls per second and this cannot be increased"); the mutating actions and the other reads are
 * assumed to get 10 calls/s each with a burst of twice that. One bucket per action, account-wide.
 */
export const ASSUMED_API_RATE_LIMITS: readonly RateLimit[] = [
  { actions: ['DescribeStacks'], perSecond: 5, burst: 10, perAction: true },
  {
    actions: ['CreateStack', 'UpdateStack', 'DeleteStack', 'ContinueUpdateRollback', 'CancelUpdateStack'],
    perSecond: 10,
    burst: 20,
    perAction: true,
  },
  {
    actions: [
      'DescribeStackEvents',
      'DescribeStackResources',
      'ListStackResources',
      'ListStacks',
      'GetTemplate',
      'GetTemplateSummary',
      'ValidateTemplate',
      'DescribeAccountLimits',
    ],
    perSecond: 10,
    burst: 20,
    perAction: true,
  },
];

export interface AccountLimits {
  /** Resources the account may have in progress at once; further resource operations wait (DescribeAccountLimits ConcurrentResourcesLimit). */
  readonly concurrentResources: number;
  /** Stacks per account and region (StackLimit). */
  readonly stacks: number;
  /** StackOutputsLimit as DescribeAccountLimits reports it. */
  readonly stackOutputs: number;
}

export interface CloudFormationBehaviour {
  /** Seed of the random source for duration ranges (default 1). */
  readonly seed?: number;
  /** Default operation durations (ms) when no rule sets one. */
  readonly defaultDurations?: Partial<Record<StackOperationKind, Duration>>;
  readonly stackRules?: readonly StackBehaviourRule[];
  readonly throttles?: readonly ThrottleRule[];
  readonly rateLimits?: readonly RateLimit[];
  readonly limits?: Partial<AccountLimits>;
}

/**
 * CloudFormation quotas: 2,000 stacks per account and region
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). The concurrent-resources and
 * outputs figures are local defaults (AWS reports per-account values through DescribeAccountLimits).
 */
export const DEFAULT_LIMITS: AccountLimits = { concurrentResources: 2500, stacks: 2000, stackOutputs: 200 };

const DEFAULT_DURATIONS: Record<StackOperationKind, Duration> = {
  create: 30_000,
  update: 30_000,
  delete: 20_000,
  'continue-update-rollback': 20_000,
};

export interface ResolvedStackBehaviour {
  readonly durationMs: number;
  readonly rollbackDurationMs: number;
  readonly failResource?: string;
  readonly failureReason?: string;
  readonly failRollback: boolean;
}

export class BehaviourController {
  private stackRules: StackBehaviourRule[];
  private throttles: ThrottleRule[];
  private rateLimits: { rule: RateLimit; buckets: Map<string, { tokens: number; at: number }> }[] = [];
  private limits: AccountLimits;
  private defaultDurations: Record<StackOperationKind, Duration>;
  private random: () => number;

  constructor(
    private readonly timeline: Timeline,
    config: CloudFormationBehaviour = {},
  ) {
    for (const [i, rule] of (config.stackRules ?? []).entries()) checkRule(rule, `behaviour.stackRules[${i}]`);
    for (const [i, t] of (config.throttles ?? []).entries()) checkCount(t.calls, `behaviour.throttles[${i}].calls`);
    for (const [operation, d] of Object.entries(config.defaultDurations ?? {})) checkDuration(d, `behaviour.defaultDurations.${operation}`);
    if (config.limits) checkLimits(config.limits, 'behaviour.limits');
    this.stackRules = (config.stackRules ?? []).map((r) => ({ ...r }));
    this.throttles = (config.throttles ?? []).map((t) => ({ ...t }));
    for (const rule of config.rateLimits ?? []) this.addRateLimit(rule);
    this.limits = { ...DEFAULT_LIMITS, ...config.limits };
    this.defaultDurations = { ...DEFAULT_DURATIONS, ...config.defaultDurations };
    this.random = mulberry32(config.seed ?? 1);
  }

  /** Adds a stack rule ahead of the existing ones; returns a function that removes it. */
  addStackRule(rule: StackBehaviourRule): () => void {
    checkRule(rule, 'stack rule');
    const copy = { ...rule };
    this.stackRules.unshift(copy);
    return () => {
      this.stackRules = this.stackRules.filter((r) => r !== copy);
    };
  }

  /** The next `calls` calls of `actions` (all actions when omitted) answer Throttling "Rate exceeded". */
  throttle(calls: number, actions?: readonly string[]): void {
    checkCount(calls, 'throttle calls');
    this.throttles.push({ calls, actions });
  }

  addRateLimit(rule: RateLimit): () => void {
    if (!(rule.perSecond > 0)) throw new RangeError(`rate limit perSecond must be a number above 0, got ${rule.perSecond}`);
    if (!(rule.burst >= 1)) throw new RangeError(`rate limit burst must be at least 1, got ${rule.burst}`);
    const entry = { rule, buckets: new Map<string, { tokens: number; at: number }>() };
    this.rateLimits.push(entry);
    return () => {
      this.rateLimits = this.rateLimits.filter((e) => e !== entry);
    };
  }

  setLimits(limits: Partial<AccountLimits>): void {
    checkLimits(limits, 'limits');
    this.limits = { ...this.limits, ...limits };
  }

  setDefaultDuration(operation: StackOperationKind, duration: Duration): void {
    checkDuration(duration, `default duration of ${operation}`);
    this.defaultDurations[operation] = duration;
  }

  getLimits(): AccountLimits {
    return this.limits;
  }

  /** Forgets every rule, throttle and rate limit; limits and durations return to their defaults. */
  reset(): void {
    this.stackRules = [];
    this.throttles = [];
    this.rateLimits = [];
    this.limits = { ...DEFAULT_LIMITS };
    this.defaultDurations = { ...DEFAULT_DURATIONS };
  }

  /** Throws Throttling when a throttle rule or a rate limit says this call is over its budget. */
  checkThrottle(action: string): void {
    const applies = (actions: readonly string[] | undefined): boolean => actions === undefined || actions.includes(action);
    const rule = this.throttles.find((t) => t.calls > 0 && applies(t.actions));
    if (rule) {
      rule.calls--;
      this.throttles = this.throttles.filter((t) => t.calls > 0);
      throw throttled();
    }
    const now = this.timeline.now();
    for (const entry of this.rateLimits) {
      if (!applies(entry.rule.actions)) continue;
      // A bucket starts full, at the first call that needs it.
      const key = entry.rule.perAction ? action : '';
      let bucket = entry.buckets.get(key);
      if (!bucket) entry.buckets.set(key, (bucket = { tokens: entry.rule.burst, at: now }));
      bucket.tokens = Math.min(entry.rule.burst, bucket.tokens + ((now - bucket.at) / 1000) * entry.rule.perSecond);
      bucket.at = now;
      if (bucket.tokens < 1) throw throttled();
      bucket.tokens -= 1;
    }
  }

  /** Decides (and uses up counted rules for) one stack operation. */
  forOperation(stackName: string, operation: StackOperationKind): ResolvedStackBehaviour {
    const matching = this.stackRules.filter(
      (r) =>
        (r.times === undefined || r.times > 0) &&
        matchesName(r.stackName, stackName) &&
        (r.share === undefined || shareOf(stackName) < r.share) &&
        (r.operations === undefined || r.operations.includes(operation)),
    );
    const pick = <K extends keyof StackBehaviourRule>(key: K): StackBehaviourRule[K] | undefined =>
      matching.find((r) => r[key] !== undefined)?.[key];
    for (const r of matching) if (r.times !== undefined) r.times--;
    const duration = this.draw(pick('duration') ?? this.defaultDurations[operation]);
    const rollback = pick('rollbackDuration');
    return {
      durationMs: duration,
      rollbackDurationMs: rollback === undefined ? duration : this.draw(rollback),
      failResource: pick('failResource'),
      failureReason: pick('failureReason'),
      failRollback: pick('failRollback') ?? false,
    };
  }

  private draw(duration: Duration): number {
    if (typeof duration === 'number') return Math.max(0, duration);
    return Math.max(0, Math.round(duration.min + (duration.max - duration.min) * this.random()));
  }
}

function checkDuration(duration: Duration, field: string): void {
  if (typeof duration === 'number') {
    if (!(duration >= 0)) throw new RangeError(`${field} must be a number of milliseconds >= 0, got ${duration}`);
    return;
  }
  if (!(duration.min >= 0) || !(duration.max >= duration.min)) {
    throw new RangeError(`${field} must be { min, max } with 0 <= min <= max (milliseconds), got ${JSON.stringify(duration)}`);
  }
}

function checkCount(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${field} must be a whole number >= 0, got ${value}`);
}

function checkRule(rule: StackBehaviourRule, field: string): void {
  if (rule.duration !== undefined) checkDuration(rule.duration, `${field}.duration`);
  if (rule.rollbackDuration !== undefined) checkDuration(rule.rollbackDuration, `${field}.rollbackDuration`);
  if (rule.times !== undefined) checkCount(rule.times, `${field}.times`);
  if (rule.share !== undefined && !(rule.share >= 0 && rule.share <= 1))
    throw new RangeError(`${field}.share must be a number from 0 to 1, got ${rule.share}`);
}

/** Where a stack name falls in [0, 1): FNV-1a of the name, so the same stacks are chosen in every run. */
export function shareOf(stackName: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stackName.length; i++) h = Math.imul(h ^ stackName.charCodeAt(i), 0x01000193);
  // A final avalanche step: names differing in their last character must not land next to each other.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

function checkLimits(limits: Partial<AccountLimits>, field: string): void {
  for (const [name, value] of Object.entries(limits)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new RangeError(`${field}.${name} must be a whole number >= 1, got ${value}`);
  }
}

function matchesName(pattern: string | RegExp | undefined, name: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(name);
  const regex = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('.*') + '$');
  return regex.test(name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A small seeded PRNG (mulberry32): reproducible duration draws. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
