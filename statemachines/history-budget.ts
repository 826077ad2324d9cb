/**
 * Worst-case history events of one update-tenants execution, from the per-state counts in
 * docs/workflows.md (pinned by test/statemachines/mocked-executions.test.ts against the engine).
 * Standard executions stop at 25,000 events: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const HISTORY_EVENT_QUOTA = 25_000;

/** Start (ExecutionStarted + 4 states) and end (continuation task, Report summary, Succeed, ExecutionSucceeded). */
const RUN_OVERHEAD = 9 + 13;
/** Scan 5, Map frame 4, Tally/Add/Flatten/More pages? 8. */
const PAGE_OVERHEAD = 17;
/** Each throttled Scan retry: TaskFailed, TaskScheduled, TaskStarted. */
const EVENTS_PER_RETRY = 3;
/** A tenant whose child could not start (the costliest iteration; an updated tenant costs 10). */
const WORST_EVENTS_PER_TENANT = 11;

export interface FleetTuning {
  TenantPageSize: number;
  MaxPagesPerExecution: number;
  ApiRetryMaxAttempts: number;
}

export function updateTenantsWorstCaseEvents(tuning: FleetTuning): number {
  const page = PAGE_OVERHEAD + EVENTS_PER_RETRY * tuning.ApiRetryMaxAttempts + WORST_EVENTS_PER_TENANT * tuning.TenantPageSize;
  return RUN_OVERHEAD + tuning.MaxPagesPerExecution * page;
}
