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
 * Up to the first wave, without the fleet count and the canary search (ExecutionStarted, the template
 * and release-number checks, HeadObject, the policy's Parallel with its branch, DescribeAccountLimits,
 * the LATEST claim, the plan, the rollout item, superseding the older rollout and releasing its
 * wait): 53 + 5 Tasks with Retries.
 */
const rolloutStart = (r: number) =>
  1 + STEP + TASK + 2 * STEP + 6 + 2 * STEP + 2 * TASK + STEP + TASK + STEP + TASK + STEP + TASK + 5 * EVENTS_PER_RETRY * r;
/**
 * Read cells' account limits: an inline Map (Entered, Started, Succeeded, Exited) with one iteration
 * per cell (IterationStarted, IterationSucceeded, DescribeAccountLimits with its Retry). rolloutStart
 * counts one DescribeAccountLimits; this is the rest.
 */
const cellLimits = (r: number, cells: number) => 4 + 2 * cells + (cells - 1) * (TASK + EVENTS_PER_RETRY * r);
/**
 * The fleet count: `pages` Select COUNT scan pages, each Count tenants (with its Retry) and More
 * tenants to count?: 7 per page + 1 Task with Retries. A page ends after 1 MB read, so `pages` is the
 * table's size / 1 MB, rounded up.
 */
const fleetCount = (r: number, pages: number) => pages * (TASK + STEP + EVENTS_PER_RETRY * r);
/**
 * The canary search before the claim: Any canaries to find?, then (canary.count > 0) `pages` scan
 * pages, each Find canaries (with its Retry) and Enough canaries?: 2 + 7 per page + 1 Task with
 * Retries per page. The search stops once canary.count are found or the table ends, so `pages` is at
 * most the table's items / RolloutPageSize, rounded up, plus one (the filter applies after Limit).
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

/** The size of a rollout's parent execution: its policy's waves and what the fleet costs it. */
export interface RolloutShape {
  /** Waves, the canary wave included (a policy has at most 20 percent waves). */
  readonly waves: number;
  /** Halts or pauses that were resumed: each runs its wave again. */
  readonly operatorRounds: number;
  /** Pages read by the canary search (0 for canary.count 0). */
  readonly canaryPages: number;
  /** Select COUNT pages of the fleet count (at least 1). */
  readonly countPages: number;
  /** Tenant cells (TenantCells), each asked for its account limits. */
  readonly cells: number;
}

/**
 * The rollout's parent execution. The operator bounds this history, and the fleet only through the
 * count and the canary search: the waves' tenants live in the children.
 */
export function rolloutParentWorstCaseEvents(t: RolloutTuning, shape: RolloutShape): number {
  const r = t.ApiRetryMaxAttempts;
  return (
    rolloutStart(r) +
    cellLimits(r, shape.cells) +
    fleetCount(r, shape.countPages) +
    canarySearch(r, shape.canaryPages) +
    shape.waves * rolloutWave(r) +
    shape.operatorRounds * operatorRound(r) +
    rolloutEnd(r)
  );
}

/** The operator rounds a rollout of this shape can take before its parent reaches `budget` events. */
export function rolloutOperatorRoundsWithin(
  t: RolloutTuning,
  shape: Omit<RolloutShape, 'operatorRounds'>,
  budget = HISTORY_EVENT_QUOTA,
): number {
  return Math.floor((budget - rolloutParentWorstCaseEvents(t, { ...shape, operatorRounds: 0 })) / operatorRound(t.ApiRetryMaxAttempts));
}

/**
 * One page of a segment child: Scan (with its Retry), Any tenants on the page?, the page's Distributed
 * Map, More pages in the segment?, then Is the rollout still running? (with its Retry) and Go on
 * scanning?: 22 + 2 Tasks with Retries.
 */
const segmentPage = (r: number) => TASK + STEP + DISTRIBUTED_MAP + STEP + TASK + STEP + 2 * EVENTS_PER_RETRY * r;

/**
 * A segment child that reads `pages` pages: ExecutionStarted, the Wait that opens its window, its pages, the Succeed state and the
 * execution's end. Every wave scans the whole segment (the wave's buckets are a FilterExpression,
 * applied after Limit), so `pages` is the segment's items / RolloutPageSize, rounded up, plus one.
 */
export function rolloutSegmentWorstCaseEvents(t: RolloutTuning, pages: number): number {
  return 1 + STEP + pages * segmentPage(t.ApiRetryMaxAttempts) + STEP + 1;
}

/** The pages one segment child can read before reaching `budget` events (ExecutionStarted, the window's opening Wait, Succeed, end: 6). */
export function rolloutSegmentPagesWithin(t: RolloutTuning, budget = HISTORY_EVENT_QUOTA): number {
  return Math.floor((budget - 6) / segmentPage(t.ApiRetryMaxAttempts));
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

/** update-tenant also needs the two waits' lengths: they decide how many wait rounds fit in MaxStackPolls x StackPollSeconds. */
export interface UpdateTenantTuning extends StackTuning {
  StackPollSeconds: number;
  StackEventWaitSeconds: number;
}

/**
 * update-tenant (the rollout's child), which makes no DescribeStacks unless no event came:
 * - start 34 + 9R: ExecutionStarted, Check input, Prepare tenant, Is it a tier change?, Use tier change
 *   token, Is it part of a rollout?, Read rollout state with its Retry, Is the rollout running?, Read
 *   tenant record with its Retry, What does the record say?, Read claimed target, Is a newer target
 *   claimed?, Claim desired template with its Retry;
 * - per refused claim 16 + 6R (Read tenant record, the decision, the claim again);
 * - the tier and the cell from the record (a Choice and a Pass: 4; a Choice and one Pass, or two for the
 *   home cell of a record without one: 6) before each first UpdateStack of a target;
 * - a throttled UpdateStack through the back-off loop costs EVENTS_PER_THROTTLED_ANSWER - 2: with one
 *   throttled call there is no `Return to throttled call` (the retries are counted in the state and
 *   added to the rollout item by the outcome count, no extra Task);
 * - each busy round at most 15 (UpdateStack refused, the refusal Choice, Wait, Count busy wait; a round
 *   whose back-off budget ran out adds Note throttled update, Retry after throttling?, Note throttling
 *   outlasted retries, Can the throttling be waited out?, less the refusal's 4) plus R throttled answers
 *   (the budget is per round); the accepted UpdateStack 5 plus R throttled answers;
 * - the waits: the first at most 20 + 9R (Wait for stack event 6 with its Retry, refused: Read
 *   recorded event with its Retry and its Choice, the item gone: Describe updated stack with its
 *   Retry and Is the update over?); then, per StackEventWaitSeconds until MaxStackPolls x
 *   StackPollSeconds are spent, Count event wait and the same again: 22 + 9R;
 * - end 37 + 12R, a failure's without a status reason: Note event status, Find failure reason with its
 *   Retry, Does a rollback say why?, Is it this operation's rollback?, Note rollback reason, Note
 *   failure, Record failed seq, Count failure, Is the error budget spent?, Halt rollout (the Tasks with
 *   their Retries), the end (a success's end, Note stack updated, Read template version and Record
 *   observed release with their Retries, Note template version, Note observed release, Count outcome
 *   in rollout?, Count outcome with its Retry, Report result, ExecutionSucceeded, costs 26 + 9R);
 * - per converge (a newer release or another tier recorded while the update ran) 27 + 12R + the tier
 *   and cell 10 + an accepted UpdateStack + a first wait: Note stack updated, Read template version, Note
 *   template version, the refused observed write, Read newer target, its Choice, Converge on the
 *   newer target.
 * Claim conflicts and converges are budgeted CONFLICT_ROUNDS_BUDGETED times each.
 */
export function updateTenantWorstCaseEvents(t: UpdateTenantTuning, conflicts = CONFLICT_ROUNDS_BUDGETED): number {
  const r = t.ApiRetryMaxAttempts;
  const throttledAnswer = EVENTS_PER_THROTTLED_ANSWER - 2;
  const accepted = 4 + 6 + 5 + r * throttledAnswer;
  const busy = t.MaxBusyWaits * (15 + r * throttledAnswer);
  const firstWait = 20 + 3 * EVENTS_PER_RETRY * r;
  const rounds = Math.ceil((t.MaxStackPolls * t.StackPollSeconds) / t.StackEventWaitSeconds);
  const waits = firstWait + rounds * (22 + 3 * EVENTS_PER_RETRY * r);
  const converge = 27 + 4 * EVENTS_PER_RETRY * r + accepted + firstWait;
  return 34 + 9 * r + conflicts * (16 + 6 * r) + busy + accepted + waits + 37 + 12 * r + conflicts * converge;
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
