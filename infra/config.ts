/** The number-kind substitutions: polling, waiting, paging, concurrency and retry limits. */
export interface WorkflowTuning {
  readonly StackPollSeconds: number;
  readonly MaxStackPolls: number;
  readonly StackEventWaitSeconds: number;
  readonly BusyWaitSeconds: number;
  readonly MaxBusyWaits: number;
  readonly TenantPageSize: number;
  readonly MaxPagesPerExecution: number;
  readonly UpdateConcurrency: number;
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
  TenantPageSize: 50,
  // Measured: 10 history events per updated tenant, 11 when its child cannot start, 17 per page, 3 per
  // throttled Scan retry: 25 pages of 50 are at most 22 + 25 x (17 + 3 x 6 + 11 x 50) = 14,647 events
  // (59 % of the 25,000-event quota; 40 pages would be 23,422), then a continuation execution.
  // statemachines/history-budget.ts computes it; a test keeps this tuning under the quota.
  MaxPagesPerExecution: 25,
  UpdateConcurrency: 10, // concurrent UpdateStack calls; CloudFormation throttles far above this
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
    'TenantPageSize',
    'MaxPagesPerExecution',
    'UpdateConcurrency',
    'ApiRetryMaxDelaySeconds',
  ];
  for (const [field, value] of Object.entries(tuning) as [keyof WorkflowTuning, number][]) {
    if (!Number.isInteger(value)) throw new Error(`workflow tuning ${field} must be an integer, got ${value}`);
    if (value < 0 || (value === 0 && positive.includes(field))) {
      throw new Error(`workflow tuning ${field} must be ${positive.includes(field) ? 'at least 1' : 'at least 0'}, got ${value}`);
    }
  }
  if (tuning.UpdateConcurrency > 40) {
    // Inline Map runs at most 40 iterations at once (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)
    throw new Error(`workflow tuning UpdateConcurrency must be at most 40 (inline Map limit), got ${tuning.UpdateConcurrency}`);
  }
  if (tuning.ApiRetryMaxDelaySeconds > 500) {
    // The throttle back-off caps its delay with States.ArrayRange(1, 2 x cap), and ArrayRange returns
    // at most 1,000 items (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
    throw new Error(
      `workflow tuning ApiRetryMaxDelaySeconds must be at most 500 (States.ArrayRange limit in the throttle back-off), got ${tuning.ApiRetryMaxDelaySeconds}`,
    );
  }
}
