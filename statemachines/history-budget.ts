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

// --- update-tenants (the rollout) ----------------------------------------------------------------
//
// A rollout is three kinds of execution, each with its own 25,000-event history: the parent (waves
// and operator rounds), one child per parallel-scan segment and wave (its pages), and one child per
// tenant and page (a single startExecution.sync:2 Task). Counts below are pinned against measured
// runs by test/statemachines/mocked-executions.test.ts; R = ApiRetryMaxAttempts, every Task with a
// Retry costing EVENTS_PER_RETRY more per retried answer.

/** A Task: Entered, Scheduled, Started, Succeeded, Exited (plus Submitted for .sync and .waitForTaskToken). */
const TASK = 5;
/** A Choice, Pass, Wait or Succeed state: Entered, Exited. */
const STEP = 2;
/** A Distributed Map: Entered, Started, MapRunStarted, MapRunSucceeded, Succeeded, Exited. */
const DISTRIBUTED_MAP = 6;

export interface RolloutTuning {
  ApiRetryMaxAttempts: number;
}

/**
 * Up to the first wave (ExecutionStarted, the template and release-number checks, HeadObject, the
 * policy's Parallel with its branch, DescribeAccountLimits, DescribeTable, the LATEST claim, the plan,
 * the rollout item, superseding the older rollout and releasing its wait): 58 + 6 Tasks with Retries.
 */
const rolloutStart = (r: number) =>
  1 + STEP + TASK + 2 * STEP + 6 + 2 * STEP + 3 * TASK + STEP + TASK + STEP + TASK + STEP + TASK + 6 * EVENTS_PER_RETRY * r;
/**
 * The canary search after the claim: Any canaries to find?, then (canary.count > 0) `pages` scan
 * pages, each Find canaries or Find more canaries (with its Retry) and Enough canaries?: 2 + 7 per
 * page + 1 Task with Retries per page. The search stops once canary.count are found or the table
 * ends, so `pages` is at most the table's items / RolloutPageSize, rounded up, plus one (the filter
 * applies after Limit).
 */
const canarySearch = (r: number, pages: number) => STEP + pages * (TASK + STEP + EVENTS_PER_RETRY * r);
/**
 * One wave: Start wave, Any named tenants?, the named canaries' Map, Any bucket range?, Run wave,
 * After the run, Check rollout state, What does the rollout say?, Bake: 32 + 2 Tasks with Retries.
 */
const rolloutWave = (r: number) =>
  TASK + STEP + DISTRIBUTED_MAP + STEP + DISTRIBUTED_MAP + STEP + TASK + STEP + STEP + 2 * EVENTS_PER_RETRY * r;
/**
 * One operator round (a halt or pause and its resume): Halt on wave error, Wait for the operator
 * (with TaskSubmitted), Check rollout state, the Choice, and the wave run again: 50 + 5 Tasks with Retries.
 */
const operatorRound = (r: number) => TASK + (TASK + 1) + TASK + STEP + rolloutWave(r) + 3 * EVENTS_PER_RETRY * r;
/**
 * The costliest end, an abort with a rollback: Is there a release to go back to?, Claim rollback, Run wave,
 * After the run, Record rollout aborted, Rollout aborted, ExecutionSucceeded: 23 + 2 Tasks with Retries.
 * (Completing costs 10 + 3R: Complete rollout, Did any tenant fail?, the end state, the execution's end.)
 */
const rolloutEnd = (r: number) => STEP + TASK + DISTRIBUTED_MAP + STEP + TASK + STEP + 1 + 2 * EVENTS_PER_RETRY * r;

/**
 * The rollout's parent execution: `waves` waves (the canary wave included; a policy has at most 20
 * percent waves), `operatorRounds` halts or pauses that were resumed and `canaryPages` pages read by
 * the canary search (0 for canary.count 0). Each round runs its wave again, so the operator bounds
 * this history, and the fleet only through the canary search: the waves' tenants live in the children.
 */
export function rolloutParentWorstCaseEvents(t: RolloutTuning, waves: number, operatorRounds: number, canaryPages: number): number {
  const r = t.ApiRetryMaxAttempts;
  return rolloutStart(r) + canarySearch(r, canaryPages) + waves * rolloutWave(r) + operatorRounds * operatorRound(r) + rolloutEnd(r);
}

/** The operator rounds one rollout of `waves` waves and `canaryPages` canary pages can take before its parent reaches `budget` events. */
export function rolloutOperatorRoundsWithin(t: RolloutTuning, waves: number, canaryPages: number, budget = HISTORY_EVENT_QUOTA): number {
  const r = t.ApiRetryMaxAttempts;
  return Math.floor((budget - rolloutStart(r) - canarySearch(r, canaryPages) - waves * rolloutWave(r) - rolloutEnd(r)) / operatorRound(r));
}

/**
 * One page of a segment child: Scan (with its Retry), Any tenants on the page?, the page's Distributed
 * Map, More pages in the segment?, then Is the rollout still running? (with its Retry) and Go on
 * scanning?: 22 + 2 Tasks with Retries.
 */
const segmentPage = (r: number) => TASK + STEP + DISTRIBUTED_MAP + STEP + TASK + STEP + 2 * EVENTS_PER_RETRY * r;

/**
 * A segment child that reads `pages` pages: ExecutionStarted, its pages, the Succeed state and the
 * execution's end. Every wave scans the whole segment (the wave's buckets are a FilterExpression,
 * applied after Limit), so `pages` is the segment's items / RolloutPageSize, rounded up, plus one.
 */
export function rolloutSegmentWorstCaseEvents(t: RolloutTuning, pages: number): number {
  return 1 + pages * segmentPage(t.ApiRetryMaxAttempts) + STEP + 1;
}

/** The pages one segment child can read before reaching `budget` events. */
export function rolloutSegmentPagesWithin(t: RolloutTuning, budget = HISTORY_EVENT_QUOTA): number {
  return Math.floor((budget - 4) / segmentPage(t.ApiRetryMaxAttempts));
}

/**
 * A tenant's child of a page (or a named canary): ExecutionStarted, the startExecution.sync:2 Task
 * (with TaskSubmitted) and the end; one that could not start fails its Task and enters the Pass instead.
 */
export const ROLLOUT_TENANT_CHILD_EVENTS = 9;

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

/** Parameters of a tenant stack the bound allows for (TenantId, Tier): `Keep parameter values` costs 4 + 4 per parameter. */
export const TENANT_STACK_PARAMETERS_BUDGETED = 2;
/** MapStateEntered, MapStateStarted, per parameter (MapIterationStarted, Use previous value 2, MapIterationSucceeded), MapStateSucceeded, MapStateExited. */
const KEEP_PARAMETERS = 4 + 4 * TENANT_STACK_PARAMETERS_BUDGETED;

/** update-tenant also needs the two waits' lengths: they decide how many wait rounds fit in MaxStackPolls x StackPollSeconds. */
export interface UpdateTenantTuning extends StackTuning {
  StackPollSeconds: number;
  StackEventWaitSeconds: number;
}

/**
 * update-tenant (the rollout's child):
 * - start 30 + 9R: ExecutionStarted, Check input, Prepare tenant, Is it part of a rollout?, Read rollout
 *   state with its Retry, Is the rollout running?, Read tenant record with its Retry, What does the
 *   record say?, Read claimed target, Is a newer target claimed?, Claim desired template with its Retry;
 * - per refused claim 16 + 6R (Read tenant record, the decision, the claim again);
 * - the busy rounds as delete-tenant's, each with `Keep parameter values` before its UpdateStack;
 * - the waits: the first (Wait for stack event 6 with its Retry, its note, Describe updated stack with
 *   its Retry, Is the update over?) 15 + 6R; then rounds adding StackPollSeconds (a poll: Wait, Count
 *   poll, Describe, Choice: 11 + 3R) or StackEventWaitSeconds (registering again: Count event wait,
 *   Wait for stack event, its note, Describe, Choice: 17 + 6R) until MaxStackPolls x StackPollSeconds
 *   are spent: whichever kind costs more per second decides;
 * - end 19 + 6R: Note …, Record observed release with its Retry, Note observed release, Count outcome
 *   in rollout?, Count outcome / Count failure with its Retry, Is the error budget spent?, Halt rollout
 *   (both paths cost the same), Report result, ExecutionSucceeded;
 * - per converge (a newer release claimed while the update ran) 43 + K + 29R: the refused observed
 *   write, Read newer target, its Choice, Converge on the newer target, one accepted round and a first
 *   wait again.
 * Claim conflicts and converges are budgeted CONFLICT_ROUNDS_BUDGETED times each.
 */
export function updateTenantWorstCaseEvents(t: UpdateTenantTuning, conflicts = CONFLICT_ROUNDS_BUDGETED): number {
  const r = t.ApiRetryMaxAttempts;
  const throttled = EVENTS_PER_THROTTLED_ANSWER * r;
  const busy = t.MaxBusyWaits * (18 + KEEP_PARAMETERS + throttled) + 12 + KEEP_PARAMETERS + throttled;
  const budgetSeconds = t.MaxStackPolls * t.StackPollSeconds;
  const pollRounds = t.MaxStackPolls * (11 + EVENTS_PER_RETRY * r);
  const eventRounds = Math.ceil(budgetSeconds / t.StackEventWaitSeconds) * (17 + 2 * EVENTS_PER_RETRY * r);
  const waits = 15 + 2 * EVENTS_PER_RETRY * r + Math.max(pollRounds, eventRounds);
  const converge = 43 + KEEP_PARAMETERS + 29 * r;
  return 30 + 9 * r + conflicts * (16 + 6 * r) + busy + waits + 19 + 6 * r + conflicts * converge;
}

/** The stack-events relay: ExecutionStarted, Record stack event, Is a waiter registered?, Wake waiter, Forget waiter (each Task 5 with its Retry), a Succeed state, ExecutionSucceeded. */
export function stackEventsWorstCaseEvents(t: Pick<StackTuning, 'ApiRetryMaxAttempts'>): number {
  return 1 + 3 * (5 + EVENTS_PER_RETRY * t.ApiRetryMaxAttempts) + 2 + 2 + 1;
}

/**
 * Conflict rounds the bounds below budget for: a conditional write that fails because another
 * execution wrote the tenant record meanwhile, read again and decided again. Each needs a concurrent
 * writer, so a handful is already an unusual race; the workflows do not count them.
 */
export const CONFLICT_ROUNDS_BUDGETED = 3;

/**
 * delete-tenant: start 31 + 6R (ExecutionStarted, Check tenant id, Does the event carry its time?,
 * Use execution start time, Prepare tenant, Check tenant id characters, Read tenant record with its Retry, Is the tenant known?, Note record version, Load cells, Is a cell recorded?,
 * Use recorded cell, Mark tenant absent with its Retry), rounds, polling, end 21 + 9R (Note …, Add missing status reason, Record tenant
 * failed, Announce and Record notification pending with their Retries, Fail, ExecutionFailed), and per
 * conflict round 16 + 6R (the refused write, Read record again, Has desired state moved?, Adopt record
 * version, Which outcome to write?).
 */
export function deleteTenantWorstCaseEvents(t: StackTuning, conflicts = CONFLICT_ROUNDS_BUDGETED): number {
  const r = t.ApiRetryMaxAttempts;
  return 31 + 6 * r + rounds(t) + polling(t) + 21 + 9 * r + conflicts * (16 + 6 * r);
}

/**
 * create-tenant (no busy rounds, every CloudFormation call has a plain Retry): start 61 + 12R (ExecutionStarted,
 * three Choices, Use execution start time, Prepare tenant, the tier check (two Choices and Look up tier),
 * Read latest release with its Retry, Is a release recorded?, Note release used, Read tenant record, What does the record say?, Note …, the placement (Load cells, Is a cell recorded?, Place tenant, Choose cell, Note placed cell), Create tenant stack,
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
  return 61 + 12 * r + 10 + 6 * r + polls + conflicts * (23 + 9 * r) + 19 + 3 * r + 28 + 9 * r;
}
