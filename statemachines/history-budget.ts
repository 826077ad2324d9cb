/**
 * Worst-case history events of the workflows, from the per-state counts in docs/workflows.md
 * (pinned by test/statemachines/mocked-executions.test.ts against measured runs on the engine).
 * Standard executions stop at 25,000 events: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const HISTORY_EVENT_QUOTA = 25_000;

/** Each answer retried by a Retry: TaskFailed, TaskScheduled, TaskStarted. */
export const EVENTS_PER_RETRY = 3;
/**
 * Each throttled answer handled by the back-off loop of delete-tenant / update-tenant: TaskScheduled,
 * TaskStarted, TaskFailed, TaskStateExited, six states x 2 (the Choice that reads the Cause, Note
 * throttled …, Retry after throttling?, Draw back-off delay, Back off after throttling, Return to
 * throttled call) and the call's TaskStateEntered again.
 */
export const EVENTS_PER_THROTTLED_ANSWER = 17;

// --- update-tenants ---------------------------------------------------------------------------------

/** Start (ExecutionStarted + 4 states) and end (continuation task, Report summary, Succeed, ExecutionSucceeded). */
const RUN_OVERHEAD = 9 + 13;
/** Scan 5, Map frame 4, Tally/Add/Flatten/More pages? 8. */
const PAGE_OVERHEAD = 17;
/** A tenant whose child could not start (the costliest iteration; an updated tenant costs 10). */
const WORST_EVENTS_PER_TENANT = 11;

export interface FleetTuning {
  TenantPageSize: number;
  MaxPagesPerExecution: number;
  ApiRetryMaxAttempts: number;
}

/** One update-tenants execution: every Scan retried ApiRetryMaxAttempts times, every child failing to start. */
export function updateTenantsWorstCaseEvents(tuning: FleetTuning): number {
  const page = PAGE_OVERHEAD + EVENTS_PER_RETRY * tuning.ApiRetryMaxAttempts + WORST_EVENTS_PER_TENANT * tuning.TenantPageSize;
  return RUN_OVERHEAD + tuning.MaxPagesPerExecution * page;
}

// --- one stack: create-tenant, delete-tenant, update-tenant --------------------------------------------

export interface StackTuning {
  MaxStackPolls: number;
  MaxBusyWaits: number;
  ApiRetryMaxAttempts: number;
}

/** Wait 2 + DescribeStacks 5 + status Choice 2 + Count poll 2, plus its Retry of up to R answers. */
const pollEvents = (r: number) => 11 + EVENTS_PER_RETRY * r;
/** Polls made: the first plus MaxStackPolls re-polls. */
const polling = (t: StackTuning) => (t.MaxStackPolls + 1) * pollEvents(t.ApiRetryMaxAttempts);

/**
 * The busy-wait rounds before the stack-changing call is accepted. A round costs at most 18 (lookup 5,
 * Choice 2, change call 5 refused as busy, refusal Choice 2, Wait 2, Count busy wait 2) plus R throttled
 * answers through the back-off loop (the budget is per round); the last round 12 (lookup, Choice,
 * accepted change call) plus its R throttled answers.
 */
function rounds(t: StackTuning): number {
  const throttled = EVENTS_PER_THROTTLED_ANSWER * t.ApiRetryMaxAttempts;
  return t.MaxBusyWaits * (18 + throttled) + 12 + throttled;
}

/**
 * update-tenant: start 3 (ExecutionStarted, Prepare tenant), rounds, polling, end 10 + 3R (Read template
 * version, Record template version with its Retry, Report updated, ExecutionSucceeded).
 */
export function updateTenantWorstCaseEvents(t: StackTuning): number {
  const r = t.ApiRetryMaxAttempts;
  return 3 + rounds(t) + polling(t) + 10 + EVENTS_PER_RETRY * r;
}

/**
 * Conflict rounds the bounds below budget for: a conditional write that fails because another
 * execution wrote the tenant record meanwhile, read again and decided again. Each needs a concurrent
 * writer, so a handful is already an unusual race; the workflows do not count them.
 */
export const CONFLICT_ROUNDS_BUDGETED = 3;

/**
 * delete-tenant: start 25 + 6R (ExecutionStarted, Check tenant id, Does the event carry its time?,
 * Use execution start time, Prepare tenant, Check tenant id characters, Read tenant record with its Retry, Is the tenant known?, Note record version, Mark tenant
 * absent with its Retry), rounds, polling, end 21 + 9R (Note …, Add missing status reason, Record tenant
 * failed, Announce and Record notification pending with their Retries, Fail, ExecutionFailed), and per
 * conflict round 16 + 6R (the refused write, Read record again, Has desired state moved?, Adopt record
 * version, Which outcome to write?).
 */
export function deleteTenantWorstCaseEvents(t: StackTuning, conflicts = CONFLICT_ROUNDS_BUDGETED): number {
  const r = t.ApiRetryMaxAttempts;
  return 25 + 6 * r + rounds(t) + polling(t) + 21 + 9 * r + conflicts * (16 + 6 * r);
}

/**
 * create-tenant (no busy rounds, every CloudFormation call has a plain Retry): start 51 + 12R (ExecutionStarted,
 * three Choices, Use execution start time, Prepare tenant, the tier check (two Choices and Look up tier),
 * Read latest release with its Retry, Is a release recorded?, Note release used, Read tenant record, What does the record say?, Note …, Create tenant stack,
 * Was the tenant id refused?, Claim tenant, What did CloudFormation answer?, Note create failure, three of
 * them with Retries); a rolled-back stack's recovery 10 + 6R (Delete failed stack, Create tenant stack
 * again); polling: the poll counter is shared by the four polling loops (the stack, the failed stack's
 * deletion, the re-created stack, a withdrawn stack's deletion), so at most MaxStackPolls re-polls plus
 * one last poll per loop; per conflict round 23 + 9R (the refused write, Read record again, four
 * decisions, Delete withdrawn stack); the catch-up after ACTIVE 19 + 3R (Was a release used?, Read latest
 * release again with its Retry, two Choices, Note latest release, Update to latest release); end 28 + 9R
 * (Read template version, Did the stack vanish?, Note lookup failure, Add missing status reason, Note stack failure, Record tenant failed, Announce, Record notification pending, Fail, ExecutionFailed).
 */
export function createTenantWorstCaseEvents(
  t: Pick<StackTuning, 'MaxStackPolls' | 'ApiRetryMaxAttempts'>,
  conflicts = CONFLICT_ROUNDS_BUDGETED,
): number {
  const r = t.ApiRetryMaxAttempts;
  const polls = (t.MaxStackPolls + 4) * pollEvents(r);
  return 51 + 12 * r + 10 + 6 * r + polls + conflicts * (23 + 9 * r) + 19 + 3 * r + 28 + 9 * r;
}
