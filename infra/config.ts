import type { RolloutPolicy } from '../statemachines/rollout-policy';

/** The number-kind substitutions: polling, waiting, paging, concurrency and retry limits. */
export interface WorkflowTuning {
  readonly StackPollSeconds: number;
  readonly MaxStackPolls: number;
  readonly StackEventWaitSeconds: number;
  readonly BusyWaitSeconds: number;
  readonly MaxBusyWaits: number;
  readonly ScanSegments: number;
  readonly SegmentConcurrency: number;
  readonly MinTenantsPerSegment: number;
  readonly RolloutPageSize: number;
  readonly DefaultConcurrentResources: number;
  readonly ApiRetryMaxAttempts: number;
  readonly ApiRetryMaxDelaySeconds: number;
}

export const DEFAULT_WORKFLOW_TUNING: WorkflowTuning = {
  StackPollSeconds: 15, // tenant stacks take about a minute; 15 s keeps history short and latency low
  MaxStackPolls: 240, // 240 x 15 s = 1 hour before a stack operation counts as timed out
  // update-tenant waits this long for its stack's status event before one DescribeStacks (a lost or
  // late event costs at most this much); each wait counts against MaxStackPolls.
  StackEventWaitSeconds: 300,
  BusyWaitSeconds: 30,
  MaxBusyWaits: 120, // 1 hour waiting for another operation on the same stack
  // A rollout wave scans the tenant table in parallel segments, each running about SegmentConcurrency
  // updates at once: a page waits for its slowest update before the next is read, and with 10 at a
  // time a page of 100 matching tenants is 10 rounds, so that wait costs about 6 % (a 30-120 s
  // update's tail, 45 s, over 10 x 75 s). An 833-stack window is 84 segments; at most 100.
  ScanSegments: 100,
  SegmentConcurrency: 10,
  MinTenantsPerSegment: 100, // a fleet of 5 is one segment, not 84 near-empty ones
  // Tenants per scan page; each page is one Distributed Map run of update-tenant executions. 1,000
  // ids of outcomes (~10 B each) stay far below the 256 KiB state payload limit.
  RolloutPageSize: 1000,
  // Planning figure when DescribeAccountLimits cannot be read (an assumption, not a documented AWS
  // default: the account's real ConcurrentResourcesLimit comes from DescribeAccountLimits).
  DefaultConcurrentResources: 2500,
  ApiRetryMaxAttempts: 6,
  ApiRetryMaxDelaySeconds: 30,
};

/** Rejects tuning values Step Functions would refuse, naming the field and the rule. */
export function validateWorkflowTuning(tuning: WorkflowTuning): void {
  const positive: (keyof WorkflowTuning)[] = [
    'StackPollSeconds',
    'MaxStackPolls',
    'StackEventWaitSeconds',
    'BusyWaitSeconds',
    'MaxBusyWaits',
    'ScanSegments',
    'SegmentConcurrency',
    'MinTenantsPerSegment',
    'RolloutPageSize',
    'DefaultConcurrentResources',
    'ApiRetryMaxDelaySeconds',
  ];
  for (const [field, value] of Object.entries(tuning) as [keyof WorkflowTuning, number][]) {
    if (!Number.isInteger(value)) throw new Error(`workflow tuning ${field} must be an integer, got ${value}`);
    if (value < 0 || (value === 0 && positive.includes(field))) {
      throw new Error(`workflow tuning ${field} must be ${positive.includes(field) ? 'at least 1' : 'at least 0'}, got ${value}`);
    }
  }
  if (tuning.ScanSegments > 1000) {
    // DynamoDB Scan TotalSegments is 1 to 1,000,000, but each segment is a child execution of the wave's Distributed Map.
    throw new Error(`workflow tuning ScanSegments must be at most 1000, got ${tuning.ScanSegments}`);
  }
  if (tuning.RolloutPageSize > 10_000) {
    throw new Error(
      `workflow tuning RolloutPageSize must be at most 10000 (one page is one Distributed Map run's items), got ${tuning.RolloutPageSize}`,
    );
  }
  if (tuning.ApiRetryMaxDelaySeconds > 500) {
    // The throttle back-off caps its delay with States.ArrayRange(1, 2 x cap), and ArrayRange returns
    // at most 1,000 items (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
    throw new Error(
      `workflow tuning ApiRetryMaxDelaySeconds must be at most 500 (States.ArrayRange limit in the throttle back-off), got ${tuning.ApiRetryMaxDelaySeconds}`,
    );
  }
}

/**
 * How a release reaches the fleet by default (statemachines/rollout-policy.ts, docs/rollouts.md):
 * about 10 canary tenants, then 10 %, 50 % and the rest, baking 10 minutes after each wave; a wave
 * halts at 2 failures or 1 % of its tenants, whichever is more. A release's `rollout-policy`
 * metadata overrides any field.
 */
export const DEFAULT_ROLLOUT_POLICY: RolloutPolicy = {
  canary: { tenants: [], count: 10 },
  waves: [10, 50, 100],
  bakeSeconds: 600,
  errorBudget: { count: 2, percent: 1 },
  maxConcurrency: 0,
};
