/**
 * The words the catalogue (mocks/test-cases.ts) uses to spell out each test case's expected path:
 * the names of the states entered, in history order (the *StateEntered events of
 * GetExecutionHistory, Map iterations and Distributed Map children included; the local window of 1 runs them in item order).
 *
 * Each segment below is a run of states of one workflow, named after what it does, so a case's path
 * can be checked against the YAML and the case's mocked responses. Two rules keep them short:
 * - A Retry invokes its Task again without entering the state again, so a call that a Retry
 *   handles (throttled once, or until its Catch takes over) adds no states.
 * - The Cause-matched throttling loop of delete-tenant and update-tenant is made of states, so
 *   every throttled answer it handles adds a back-off round.
 *
 * Counts follow statemachines/local-substitutions.ts (MaxStackPolls, MaxBusyWaits, ApiRetryMaxAttempts).
 */
import { localSubstitutions } from '../statemachines/local-substitutions';

const local = localSubstitutions();
export const MAX_STACK_POLLS = Number(local.MaxStackPolls);
export const MAX_BUSY_WAITS = Number(local.MaxBusyWaits);
export const API_RETRY_MAX_ATTEMPTS = Number(local.ApiRetryMaxAttempts);

type Segment = readonly string[];

/** The segments one after the other. */
export function path(...segments: Segment[]): string[] {
  return segments.flat();
}

/** A segment repeated n times (n may be 0). */
export function times(n: number, segment: Segment): string[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`times: n must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, () => segment).flat();
}

/** delete-tenant and update-tenant share the throttling loop's states. */
const throttling = {
  /** A budget left: draw a delay, wait it, go back to the throttled call. */
  backOff: ['Retry after throttling?', 'Draw back-off delay', 'Back off after throttling', 'Return to throttled call'],
  /** ApiRetryMaxAttempts back-offs spent: the failure names the call. */
  outlasted: ['Retry after throttling?', 'Note throttling outlasted retries'],
} as const;

/** The event's time is taken as is (every EventBridge event has one); `withoutTime` for an input with none. */
const validId = ['Check tenant id', 'Does the event carry its time?', 'Prepare tenant', 'Check tenant id characters'];
const validIdWithoutTime = [
  'Check tenant id',
  'Does the event carry its time?',
  'Use execution start time',
  'Prepare tenant',
  'Check tenant id characters',
];
/** create-tenant checks the tier next; the catalogue's events carry none, so the default applies. */
const createValid = [...validId, 'Is a tier given?', 'Use default tier'];
/** A valid tier in the event: looked up in the tier list. */
const tierLookedUp = ['Is a tier given?', 'Look up tier', 'Is the tier known?'];
type ClaimNote = 'Note first claim' | 'Note new generation' | 'Note same generation';
/** Read LATEST: none recorded (the catalogue's default), so the stack is made from the template object as it is. */
const noRelease = ['Read latest release', 'Is a release recorded?'];
/** Read, decide the generation, read LATEST, CreateStack (before any write, so CloudFormation can refuse the id). */
const upToCreate = (note: ClaimNote = 'Note first claim', source?: CellSource) => [
  ...createValid,
  'Read tenant record',
  'What does the record say?',
  note,
  ...cellOf(note, source),
  ...noRelease,
  'Create tenant stack',
];
/** The same with LATEST recorded: the release noted, CreateStack from its pinned template. */
const upToCreateAtRelease = (note: ClaimNote = 'Note first claim', tier: 'default' | 'given' = 'default') => [
  ...(tier === 'given' ? [...validId, ...tierLookedUp] : createValid),
  'Read tenant record',
  'What does the record say?',
  note,
  ...cellOf(note),
  'Read latest release',
  'Is a release recorded?',
  'Note release used',
  'Create tenant stack at release',
];
const claimed = ['Claim tenant', 'What did CloudFormation answer?'];
/** After the claim note, the tenant's cell: a first claim places it; a record of it (the catalogue's records name the home cell) keeps it. */
type CellSource = 'Place tenant' | 'Use recorded cell' | 'Use home cell';
const cellOf = (note: ClaimNote, source?: CellSource) => [
  'Load cells',
  'Is a cell recorded?',
  ...((source ?? (note === 'Note first claim' ? 'Place tenant' : 'Use recorded cell')) === 'Place tenant'
    ? ['Place tenant', 'Choose cell', 'Note placed cell']
    : [source ?? 'Use recorded cell']),
];

export const createTenant = {
  /** Missing, not a string, empty, or a hyphen at either end: the first Choice rejects it. */
  rejectedByFirstCheck: ['Check tenant id', 'Reject invalid tenant id'],
  /** An input without a time: the execution's start time stands in, then the first claim. */
  createStackWithoutTime: [
    ...validIdWithoutTime,
    'Is a tier given?',
    'Use default tier',
    'Read tenant record',
    'What does the record say?',
    'Note first claim',
    ...cellOf('Note first claim'),
    ...noRelease,
    'Create tenant stack',
    ...claimed,
  ],
  /** The record's desiredAt is newer (or a TenantDeleted's of the same second): nothing happens. */
  stale: [...createValid, 'Read tenant record', 'What does the record say?', 'Stale event'],
  /** After a claim conflict the record says desired ABSENT, as new as this event: the stack this execution made is followed (and withdrawn). */
  staleAfterCreate: ['Read tenant record', 'What does the record say?'],
  staleAfterClaimConflict: ['Read tenant record', 'What does the record say?', 'Stale event'],
  /** A character outside the allowed set: found by splitting on the allowed ones. */
  rejectedByCharacterCheck: [...validId, 'Reject invalid tenant id'],
  /** Longer than a DynamoDB key: GetItem refuses it. */
  keyRefused: [...createValid, 'Read tenant record', 'Was the key refused?', 'Reject invalid tenant id'],
  readFailed: [...createValid, 'Read tenant record', 'Was the key refused?', 'Tenant record unreadable'],
  /** detail.tier not a string / not one of the tiers: rejected before any read. */
  tierNotAString: [...validId, 'Is a tier given?', 'Reject invalid tier'],
  tierUnknown: [...validId, ...tierLookedUp, 'Reject invalid tier'],
  /** LATEST recorded: CreateStack from its pinned template (after the given or the default tier), then the claim. */
  createStackAtRelease: (note: ClaimNote = 'Note first claim', tier: 'default' | 'given' = 'default') => [
    ...upToCreateAtRelease(note, tier),
    ...claimed,
  ],
  createAtReleaseRefusedInvalidId: [...upToCreateAtRelease(), 'Was the tenant id refused?', 'Reject invalid tenant id'],
  /** No record yet: CreateStack accepted (or AlreadyExists), then the first claim. */
  createStack: [...upToCreate(), ...claimed],
  /** The record exists; a new generation (absent, failed or deleted before). */
  createStackNewGeneration: [...upToCreate('Note new generation'), ...claimed],
  /** The record is being created or ACTIVE: a duplicate joins its generation. */
  createStackSameGeneration: [...upToCreate('Note same generation'), ...claimed],
  /** CreateStack's ValidationError names the TenantId parameter: rejected, nothing written. */
  createRefusedInvalidId: [...upToCreate(), 'Was the tenant id refused?', 'Reject invalid tenant id'],
  /** Another CloudFormationException (after its Retry): claimed, then recorded as the failure. */
  createRefused: [...upToCreate(), 'Was the tenant id refused?', ...claimed, 'Note create failure'],
  /** Any other error: caught by States.ALL, claimed, recorded. */
  createFailed: [...upToCreate(), ...claimed, 'Note create failure'],
  /** The claim lost a race (ConditionalCheckFailed): read again, decide again, CreateStack again (same token). */
  claimConflict: [...upToCreate(), 'Claim tenant'],
  claimConflictAfter: (note: ClaimNote) => [...upToCreate(note), 'Claim tenant'],
  afterClaimConflict: (note: ClaimNote) => [...upToCreate(note).slice(createValid.length), ...claimed],
  /** A record from before cells existed (a stack name, no cell): the home cell. */
  createStackLegacyRecord: (note: ClaimNote) => [...upToCreate(note, 'Use home cell'), ...claimed],
  /** One poll of the stack that ends in the status Choice. */
  poll: ['Wait for stack', 'Describe tenant stack', 'Check stack status'],
  /** A poll whose DescribeStacks failed beyond its Retry with another error than CloudFormationException: the States.ALL catch. */
  pollFailed: ['Wait for stack', 'Describe tenant stack'],
  /** A poll whose DescribeStacks failed with CloudFormationException beyond its Retry, not a vanished earlier stack: a failure. */
  pollFailedChecked: ['Wait for stack', 'Describe tenant stack', 'Did the stack vanish?', 'Note lookup failure'],
  /** The earlier stack this create followed is gone (deleted by a TenantDeleted): created again. */
  pollFoundStackGone: ['Wait for stack', 'Describe tenant stack', 'Did the stack vanish?'],
  /** n polls that found the stack *_IN_PROGRESS with polls left. */
  pollsInProgress: (n: number): string[] => times(n, [...createTenant.poll, 'Count poll']),
  /** A ROLLBACK_COMPLETE stack of an earlier create: deleted, then (after `recreated`) created again. */
  deleteFailedStack: ['Delete failed stack'],
  failedStackDeletionPoll: ['Wait for failed stack deletion', 'Check failed stack deletion', 'Is the failed stack gone?'],
  failedStackDeletionPollsInProgress: (n: number): string[] =>
    times(n, [...createTenant.failedStackDeletionPoll, 'Count failed stack deletion poll']),
  recreated: ['Recreate at a release?', 'Create tenant stack again'],
  recreatedAtRelease: ['Recreate at a release?', 'Create tenant stack again at release'],
  pollingGaveUp: ['Note polling gave up'],
  stackFailed: ['Note stack failure'],
  stackFailedWithoutReason: ['Add missing status reason', 'Note stack failure'],
  readVersion: ['Read template version', 'Was a release used?', 'Record tenant active'],
  readVersionAtRelease: ['Read template version', 'Was a release used?', 'Record tenant active at release'],
  /** After ACTIVE: LATEST read again; none recorded (the catalogue's default), so nothing to catch up. */
  noLateRelease: ['Read latest release again', 'Is a release recorded now?'],
  /** LATEST read again names a newer release than the create used (or one after none): the child runs. */
  lateRelease: [
    'Read latest release again',
    'Is a release recorded now?',
    'Note latest release',
    'Did a newer release land?',
    'Update to latest release',
  ],
  provisioned: [
    'Read template version',
    'Was a release used?',
    'Record tenant active',
    'Read latest release again',
    'Is a release recorded now?',
    'Announce tenant provisioned',
    'Tenant provisioned',
  ],
  announced: ['Announce tenant provisioned', 'Tenant provisioned'],
  /** A conditional write failed: read again, adopt its version, decide. */
  reread: ['Read record again', 'Is the record still there?', 'Adopt record version', 'Has desired state moved?'],
  recordGone: ['Read record again', 'Is the record still there?', 'Creation withdrawn'],
  withdraw: ['Delete withdrawn stack'],
  withdrawnStackPoll: ['Wait for withdrawn stack deletion', 'Check withdrawn stack deletion', 'Is the withdrawn stack gone?'],
  withdrawnStackPollsInProgress: (n: number): string[] =>
    times(n, [...createTenant.withdrawnStackPoll, 'Count withdrawn stack deletion poll']),
  withdrawn: ['Record tenant withdrawn', 'Creation withdrawn'],
  creationWithdrawn: ['Creation withdrawn'],
  superseded: ['Creation superseded'],
  recordFailed: ['Record tenant failed'],
  failed: ['Record tenant failed', 'Announce provisioning failure', 'Provisioning failed'],
  notificationFailed: ['Record notification pending', 'Notification failed'],
};

const deleteValidId = validId;
/** The marker of a TenantDeleted for a tenant without a record: its expiry counted, written. */
const marker = [
  'Read event date',
  'Count days of event date',
  'Count days to marker expiry',
  'Compute marker expiry',
  'Record absent marker',
];

/** delete-tenant finds the tenant's cell before it marks the record: the one recorded, else (a record from before cells) the home cell. */
const deleteCell = (source: 'Use recorded cell' | 'Use home cell') => ['Load cells', 'Is a cell recorded?', source];

export const deleteTenant = {
  /** Missing, not a string, empty, or a hyphen at either end. */
  rejected: ['Check tenant id', 'Reject invalid tenant id'],
  /** Foreign characters: rejected before any read. */
  rejectedByCharacterCheck: [...deleteValidId, 'Reject invalid tenant id'],
  /** Longer than a DynamoDB key: GetItem refuses it. */
  keyRefused: [...deleteValidId, 'Read tenant record', 'Was the key refused?', 'Reject invalid tenant id'],
  readFailed: [...deleteValidId, 'Read tenant record', 'Was the key refused?', 'Tenant record unreadable'],
  /** No record: the marker, otherwise a no-op. */
  unknown: [...deleteValidId, 'Read tenant record', 'Is the tenant known?', 'Note no record', ...marker, 'Tenant unknown'],
  unknownWithoutTime: [...validIdWithoutTime, 'Read tenant record', 'Is the tenant known?', 'Note no record', ...marker, 'Tenant unknown'],
  /** A marker found: refreshed. */
  markerAgain: [...deleteValidId, 'Read tenant record', 'Is the tenant known?', 'Note marker version', ...marker, 'Tenant unknown'],
  /** The marker write lost a race (a create claimed): read again. */
  markerConflict: [...deleteValidId, 'Read tenant record', 'Is the tenant known?', 'Note no record', ...marker],
  /** The record's desiredAt is newer: nothing happens. */
  stale: [...deleteValidId, 'Read tenant record', 'Is the tenant known?', 'Stale event'],
  staleAfterConflict: ['Read tenant record', 'Is the tenant known?', 'Stale event'],
  start: [
    ...deleteValidId,
    'Read tenant record',
    'Is the tenant known?',
    'Note record version',
    ...deleteCell('Use recorded cell'),
    'Mark tenant absent',
  ],
  /** A record from before versions (and cells): the home cell. */
  startUnversioned: [
    ...deleteValidId,
    'Read tenant record',
    'Is the tenant known?',
    'Note unversioned record',
    ...deleteCell('Use home cell'),
    'Mark tenant absent',
  ],
  /** A versioned record from before cells existed: the home cell. */
  startWithoutCell: [
    ...deleteValidId,
    'Read tenant record',
    'Is the tenant known?',
    'Note record version',
    ...deleteCell('Use home cell'),
    'Mark tenant absent',
  ],
  /** After a conflict on the mark: read again (Read tenant record ... Mark tenant absent). */
  markAgain: [
    'Read tenant record',
    'Is the tenant known?',
    'Note record version',
    ...deleteCell('Use recorded cell'),
    'Mark tenant absent',
  ],
  /** A conditional outcome write failed: read again and decide. */
  reread: ['Read record again', 'Has desired state moved?'],
  adopt: ['Adopt record version', 'Which outcome to write?'],
  superseded: ['Deletion superseded'],
  /** DescribeStacks by name answered: the status Choice. */
  lookup: ['Find tenant stack', 'Is the stack busy?'],
  /** DescribeStacks by name failed with the generic CloudFormationException: the Cause decides. */
  lookupFailed: ['Find tenant stack', 'Does the stack exist?'],
  /** States.ALL catch of the lookup (any other error name, after the Retry). */
  lookupCaughtByCatchAll: ['Find tenant stack'],
  /** A throttled lookup ("Rate exceeded") that backs off and looks again. */
  lookupThrottled: ['Find tenant stack', 'Does the stack exist?', 'Note throttled lookup', ...throttling.backOff],
  lookupThrottledOut: ['Find tenant stack', 'Does the stack exist?', 'Note throttled lookup', ...throttling.outlasted],
  /** The stack is busy (or DeleteStack said so) with busy waits left: wait, fresh throttling budget. */
  busyWait: ['Wait while stack busy', 'Count busy wait'],
  stayedBusy: ['Note stack stayed busy'],
  deleteStack: ['Delete tenant stack'],
  /** DeleteStack failed with the generic CloudFormationException: the Cause decides. */
  deleteRefused: ['Delete tenant stack', 'Was the deletion refused?'],
  deleteThrottled: ['Delete tenant stack', 'Was the deletion refused?', 'Note throttled deletion', ...throttling.backOff],
  deleteThrottledOut: ['Delete tenant stack', 'Was the deletion refused?', 'Note throttled deletion', ...throttling.outlasted],
  /** One progress check by stack id that ends in the status Choice. */
  deletionPoll: ['Wait for stack deletion', 'Check deletion progress', 'Check deletion status'],
  /** The progress check failed with CloudFormationException beyond its Retry: the Cause decides. */
  deletionPollFailed: ['Wait for stack deletion', 'Check deletion progress', 'Is the stack gone?'],
  /** The progress check failed with another error beyond its Retry: the States.ALL catch. */
  deletionPollCaughtByCatchAll: ['Wait for stack deletion', 'Check deletion progress'],
  /** n progress checks that found DELETE_IN_PROGRESS with polls left. */
  deletionPollsInProgress: (n: number): string[] => times(n, [...deleteTenant.deletionPoll, 'Count deletion poll']),
  pollingGaveUp: ['Note polling gave up'],
  deletionFailed: ['Note deletion failure'],
  deletionFailedWithoutReason: ['Add missing status reason', 'Note deletion failure'],
  deleted: ['Record tenant deleted', 'Announce tenant deprovisioned', 'Tenant deprovisioned'],
  recordDeleted: ['Record tenant deleted'],
  announced: ['Announce tenant deprovisioned', 'Tenant deprovisioned'],
  recordFailed: ['Record tenant failed'],
  failed: ['Record tenant failed', 'Announce deprovisioning failure', 'Deprovisioning failed'],
  notificationFailed: ['Record notification pending', 'Notification failed'],
};

/** update-tenant's input checked (not a tier change), then the rollout question; the record read and its Choice. */
const updateInputChecked = ['Check input', 'Prepare tenant', 'Is it a tier change?'];
const rolloutItemRead = ['Is it part of a rollout?', 'Read rollout state', 'Is the rollout running?'];
const updateRecordRead = ['Read tenant record', 'What does the record say?'];
/** The stack parameters from the record: the catalogue's records carry no tier (the default) and name the home cell. */
const defaultTierParameters = ['Which tier does the record name?', 'Use default tier', 'Is a cell recorded?', 'Use recorded cell'];

export const updateTenant = {
  /** Valid input, no rollout, no tier change: the record read and its Choice. */
  start: [...updateInputChecked, 'Is it part of a rollout?', ...updateRecordRead],
  /** A tier change (reason: tier): its own converge token first. */
  startTierChange: [...updateInputChecked, 'Use tier change token', 'Is it part of a rollout?', ...updateRecordRead],
  /** Valid input with a RUNNING rollout: the rollout item, then the record. */
  startInRollout: [...updateInputChecked, ...rolloutItemRead, ...updateRecordRead],
  /** The rollout item read: deferred or missing. */
  rolloutRead: [...updateInputChecked, ...rolloutItemRead],
  readRecordAgain: updateRecordRead,
  olderTarget: ['Read claimed target', 'Is a newer target claimed?'],
  claim: ['Claim desired template'],
  tier: defaultTierParameters,
  recordTier: ['Which tier does the record name?', 'Use record tier', 'Is a cell recorded?', 'Use recorded cell'],
  /** A record from before cells: its stack is in the home cell (the first of ${TenantCells}). */
  homeCell: ['Which tier does the record name?', 'Use default tier', 'Is a cell recorded?', 'Load cells', 'Use home cell'],
  updateStack: [...defaultTierParameters, 'Update tenant stack'],
  updateRefused: [...defaultTierParameters, 'Update tenant stack', 'Why was the update refused?'],
  /** UpdateStack refused as busy, then the wait. */
  busyRound: ['Update tenant stack', 'Why was the update refused?', 'Wait while stack busy', 'Count busy wait'],
  busyWait: ['Wait while stack busy', 'Count busy wait'],
  updateThrottled: [
    'Update tenant stack',
    'Why was the update refused?',
    'Note throttled update',
    'Retry after throttling?',
    'Draw back-off delay',
    'Back off after throttling',
  ],
  /** A round's back-off budget spent: waited out like a busy stack while busy waits are left. */
  updateThrottledOut: [
    'Update tenant stack',
    'Why was the update refused?',
    'Note throttled update',
    ...throttling.outlasted,
    'Can the throttling be waited out?',
  ],
  /** The waiter woken by the relay: the event's status decides. */
  woken: ['Wait for stack event', 'How did the update end?'],
  /** The registration refused (the event came first): the recorded arrival decides. */
  eventFirst: ['Wait for stack event', 'Read recorded event', 'What did the recorded event say?'],
  /** No event (timeout): the one DescribeStacks. */
  noEvent: ['Wait for stack event', 'Note no event', 'Describe updated stack', 'Is the update over?'],
  described: ['Describe updated stack', 'Is the update over?'],
  registerAgain: ['Count event wait'],
  updated: ['Note stack updated', 'Read template version', 'Note template version', 'Record observed release'],
  noUpdates: ['Note no updates', 'Read template version', 'Note template version', 'Record observed release'],
  observed: ['Note observed release'],
  converge: ['Read newer target', 'Is there a target to converge on?'],
  /** A failed update whose end said no reason: the operation's rollback event (DescribeStackEvents) says it. */
  failureReason: ['Find failure reason', 'Does a rollback say why?', "Is it this operation's rollback?", 'Note rollback reason'],
  /** No reason found: the newest rollback on the page is another operation's, there is none, or the events cannot be read. */
  failureReasonOfOtherOperation: [
    'Find failure reason',
    'Does a rollback say why?',
    "Is it this operation's rollback?",
    'Note failure without reason',
  ],
  failureReasonNoRollback: ['Find failure reason', 'Does a rollback say why?', 'Note failure without reason'],
  failureReasonUnreadable: ['Find failure reason', 'Note failure without reason'],
  failed: ['Note failure'],
  /** Without a rollout: the count Choice, then the result. */
  report: ['Count outcome in rollout?', 'Report result'],
  counted: ['Count outcome in rollout?', 'Count outcome', 'Report result'],
  countedFailure: ['Count outcome in rollout?', 'Record failed seq', 'Count failure', 'Is the error budget spent?'],
};

export const stackEvents = {
  recorded: ['Record stack event', 'Is a waiter registered?'],
};

/**
 * update-tenants (the rollout). Its waves and pages are Distributed Maps: the harness splices each
 * child execution's states in where its Map Run started, one child after the other in item order.
 */

/** One tenant of a page (or a named canary): its child execution ran, or could not run (StartExecution failed). */
export type TenantItem = 'ran' | 'couldNotRun';
const pageTenant: Record<TenantItem, Segment> = {
  ran: ['Update one tenant'],
  couldNotRun: ['Update one tenant', 'Tenant child could not run'],
};
const namedTenant: Record<TenantItem, Segment> = {
  ran: ['Update named tenant'],
  couldNotRun: ['Update named tenant', 'Child could not run'],
};

/** A scanned page: its tenants through the nested Distributed Map (none: straight to the next-page question). */
const scannedPage = (tenants: readonly TenantItem[]) =>
  path(['Any tenants on the page?'], tenants.length > 0 ? ['Update page of tenants', ...tenants.flatMap((t) => pageTenant[t])] : [], [
    'More pages in the segment?',
  ]);
const stillRunning = ['Is the rollout still running?', 'Go on scanning?'];

export const updateTenants = {
  ignored: ['Is it the tenant template?', 'Not the tenant template'],
  versionMissing: ['Is it the tenant template?', 'Template version missing'],
  /** HeadObject of the event's version: the release number is in its metadata. */
  readRelease: ['Is it the tenant template?', 'Read release metadata'],
  objectUnreadable: ['Release object unreadable'],
  releaseNumberInvalid: ['Check release number', 'Release number invalid'],
  /** The defaults merged with the release's override (in a Parallel, so a $parse failure is caught). */
  mergePolicy: ['Check release number', 'Read rollout policy', 'Parse rollout policy', 'Merge policy'],
  checkPolicy: ['Check rollout policy', 'Is the policy valid?'],
  policyInvalid: ['Rollout policy invalid'],
  /** The account's budget, then the fleet counted over `pages` Select COUNT scan pages. */
  count: (pages = 1) =>
    path(
      ["Read cells' account limits", 'Read account limits'],
      ...Array.from({ length: pages }, () => ['Count tenants', 'More tenants to count?']),
    ),
  /** The claim of LATEST (after the count and the canary search: a failed scan leaves LATEST untouched). */
  claim: ['Claim release'],
  /** The claim was refused: LATEST holds this release or a newer one. */
  alreadyRecorded: ['Read latest release', 'Is it the same release?', 'Release already recorded'],
  superseded: ['Read latest release', 'Is it the same release?', 'Release superseded'],
  /** canary.count 0: no tenants to find, straight to the claim. */
  noCanariesToFind: ['Any canaries to find?'],
  /** canary.count > 0: the canaries found over `pages` scan pages. */
  findCanaries: (pages = 1) =>
    path(['Any canaries to find?'], ...Array.from({ length: pages }, () => ['Find canaries', 'Enough canaries?'])),
  /** The plan and the rollout item, then whether an older rollout must be stopped. */
  plan: ['Plan waves', 'Start rollout record', 'Is an older rollout unfinished?'],
  supersedeOlder: ['Supersede older rollout', 'Is the older rollout waiting?'],
  releaseOlderWait: ["Release older rollout's wait"],
  supersedeOlderRefused: ['Supersede older rollout'],
  /** A wave begins (the rollout item says RUNNING): named canaries first, if any. */
  startWave: ['Start wave', 'Any named tenants?'],
  startWaveRefused: ['Start wave'],
  namedTenants: (...tenants: TenantItem[]) => path(['Update named tenants'], ...tenants.map((t) => namedTenant[t])),
  anyBucketRange: ['Any bucket range?'],
  /** The wave's (or the rollback's) segments, each a child execution, then what the rollout does next. */
  runWave: (...segments: Segment[]) => path(['Run wave'], ...segments, ['After the run']),
  /** A failed segment fails the Map Run: its Catch halts the rollout. */
  runWaveFailed: (...segments: Segment[]) => path(['Run wave'], ...segments),
  /**
   * One segment child: it waits for its turn to open its window (Open the segment's window), then its pages in order (the tenants of each), each page after the first read only
   * after the rollout item still said the run's state; `stopped`: after the last page listed the
   * rollout no longer ran, so the segment stopped with more to read.
   */
  segment: (pages: readonly (readonly TenantItem[])[], stopped = false) =>
    path(
      ["Open the segment's window", 'Scan first page'],
      ...pages.map((tenants, i) => (i === 0 ? scannedPage(tenants) : path(stillRunning, ['Scan next page'], scannedPage(tenants)))),
      stopped ? [...stillRunning, 'Segment stopped'] : ['Segment done'],
    ),
  /** A segment whose first Scan failed beyond its Retry. */
  segmentScanFailed: ["Open the segment's window", 'Scan first page'],
  haltOnWaveError: ['Halt on wave error'],
  checkState: ['Check rollout state', 'What does the rollout say?'],
  bake: ['Bake'],
  waitForOperator: ['Wait for the operator'],
  /** The operator aborted: back to the previous release if there is one. */
  abort: ['Is there a release to go back to?'],
  claimRollback: ['Claim rollback'],
  aborted: ['Record rollout aborted', 'Rollout aborted'],
  rolloutSuperseded: ['Rollout superseded'],
  endedElsewhere: ['Rollout ended elsewhere'],
  completeRefused: ['Complete rollout'],
  fleetUpdated: ['Complete rollout', 'Did any tenant fail?', 'Fleet updated'],
  someTenantsFailed: ['Complete rollout', 'Did any tenant fail?', 'Some tenants failed'],
};
