/** The mocked test cases of update-tenant (the rollout's per-tenant child): one per branch (see mocks/test-cases.ts). */
import {
  conditionFailed,
  describeStack,
  dynamoTableMissing,
  NEXT_TEMPLATE_VERSION,
  noTenantRecord,
  noUpdates,
  notUpdatable,
  stackId,
  TEMPLATE_VERSION,
  throttled,
  throttledUnderModelledName,
  updateItemOk,
  updateStackOk,
  validationError,
  HOME_CELL_ITEM,
  type MockedOutcome,
} from '../responses';
import { API_RETRY_MAX_ATTEMPTS, MAX_BUSY_WAITS, path, times, updateTenant as u } from '../paths';
import { TENANT, pinnedUrl, UPDATE_FAILURE, complete, causeOf, local, type MockTestCase, type Step } from './common';

const RELEASE = 1_001_000;
const SEQ = 3;
const ROLLOUT = { id: `release-${RELEASE}`, wave: 1, errorBudget: 1 };
const input = { tenantId: TENANT, release: RELEASE, seq: SEQ, templateUrl: pinnedUrl };
const inRollout = { ...input, rollout: ROLLOUT };
const NEWER_URL = `${local.TemplateUrl}?versionId=newer-version`;
const NO_REASON = 'CloudFormation reported no status reason';

type Outcome = 'updated' | 'unchanged' | 'failed' | 'skipped' | 'superseded' | 'deferred';
const out = (outcome: Outcome, reason: string, release: number | null = null) => ({ tenantId: TENANT, outcome, reason, release });
const onRelease = (release = RELEASE, version = NEXT_TEMPLATE_VERSION) => `Stack on release ${release} (template version ${version})`;

const METADATA = { SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: 'U2T4E6N8A0N1T3R5E7C9O1R3D5' } };
/** GetItem of the tenant record with the rollout attributes (DynamoDB JSON; numbers as strings). */
function record(
  fields: {
    status?: string | null;
    targetSeq?: number;
    targetRelease?: number;
    targetTemplateUrl?: string;
    releaseSeq?: number;
    failedSeq?: number;
    tier?: string;
    /** A record written before cells existed. */
    withoutCell?: boolean;
  } = {},
): MockedOutcome {
  const item: Record<string, unknown> = {
    tenantId: { S: TENANT },
    version: { N: '2' },
    ...(fields.withoutCell ? {} : { cell: HOME_CELL_ITEM }),
  };
  if (fields.status !== null) item.status = { S: fields.status ?? 'ACTIVE' };
  if (fields.targetSeq !== undefined) item.targetSeq = { N: String(fields.targetSeq) };
  if (fields.targetRelease !== undefined) item.targetRelease = { N: String(fields.targetRelease) };
  if (fields.targetTemplateUrl !== undefined) item.targetTemplateUrl = { S: fields.targetTemplateUrl };
  if (fields.releaseSeq !== undefined) item.releaseSeq = { N: String(fields.releaseSeq) };
  if (fields.failedSeq !== undefined) item.failedSeq = { N: String(fields.failedSeq) };
  if (fields.tier !== undefined) item.tier = { S: fields.tier };
  return { Return: { Item: item, ...METADATA } };
}
const rolloutState = (state: string): MockedOutcome => ({ Return: { Item: { state: { S: state } }, ...METADATA } });
const rolloutMissing: MockedOutcome = { Return: { ...METADATA } };
/** What the relay sends (SendTaskSuccess with the event's detail): the waiter's result. */
const woken: MockedOutcome = {
  Return: {
    'stack-id': stackId(TENANT),
    'status-details': { status: 'UPDATE_COMPLETE', 'status-reason': '' },
    'client-request-token': `update-${TENANT}-${SEQ}`,
  },
};
/** The relay woke the waiter with a terminal status other than UPDATE_COMPLETE (reason undefined: none in the detail). */
const wokenWith = (status: string, reason?: string): MockedOutcome => ({
  Return: {
    'stack-id': stackId(TENANT),
    'status-details': reason === undefined ? { status } : { status, 'status-reason': reason },
    'client-request-token': `update-${TENANT}-${SEQ}`,
  },
});
/** The waiter item as the relay recorded the arrival (GetItem after a refused registration). */
const arrival = (status: string, reason = ''): MockedOutcome => ({
  Return: {
    Item: {
      stackId: { S: stackId(TENANT) },
      clientRequestToken: { S: `update-${TENANT}-${SEQ}` },
      arrivedStatus: { S: status },
      arrivedReason: { S: reason },
    },
    ...METADATA,
  },
});
const noArrival: MockedOutcome = { Return: { ...METADATA } };
type StackEventOf = { status: string; resource?: string; reason?: string };
/**
 * DescribeStackEvents, newest first: this operation's events (ClientRequestToken update-<tenant>-<seq>),
 * then an older operation's (another token), which must not be taken for this one's.
 */
function stackEvents(
  ours: StackEventOf[],
  older: StackEventOf[] = [{ status: 'UPDATE_ROLLBACK_IN_PROGRESS', reason: 'an older operation’s rollback' }],
): MockedOutcome {
  const event = (e: StackEventOf, token: string, i: number) => ({
    StackId: stackId(TENANT),
    EventId: `event-${token}-${i}`,
    StackName: `tenant-${TENANT}`,
    LogicalResourceId: e.resource ?? `tenant-${TENANT}`,
    ResourceType: e.resource ? 'AWS::DynamoDB::Table' : 'AWS::CloudFormation::Stack',
    Timestamp: `2026-01-01T00:00:${String(59 - i).padStart(2, '0')}Z`,
    ResourceStatus: e.status,
    ...(e.reason !== undefined ? { ResourceStatusReason: e.reason } : {}),
    ClientRequestToken: token,
  });
  const events = [...ours.map((e) => [e, `update-${TENANT}-${SEQ}`] as const), ...older.map((e) => [e, 'update-older-1'] as const)];
  return { Return: { StackEvents: events.map(([e, token], i) => event(e, token, i)), ...METADATA } };
}
/** A rolled-back update as CloudFormation records it: the resource's failure, the stack's rollback, the rollback's end. */
const rolledBackEvents = stackEvents([
  { status: 'UPDATE_ROLLBACK_COMPLETE' },
  { status: 'UPDATE_COMPLETE', resource: 'TenantDataTable' },
  { status: 'UPDATE_IN_PROGRESS', resource: 'TenantDataTable' },
  { status: 'UPDATE_ROLLBACK_IN_PROGRESS', reason: UPDATE_FAILURE },
  {
    status: 'UPDATE_FAILED',
    resource: 'TenantDataTable',
    reason: 'Resource handler returned message: "Invalid request" (HandlerErrorCode: InvalidRequest)',
  },
  { status: 'UPDATE_IN_PROGRESS', resource: 'TenantDataTable' },
  { status: 'UPDATE_IN_PROGRESS', reason: 'User Initiated' },
]);
/** GetObject of the pinned template version: its body (only Outputs.TemplateVersion is read). */
const templateBody = (version = NEXT_TEMPLATE_VERSION): MockedOutcome => ({
  Return: { Body: JSON.stringify({ Outputs: { TemplateVersion: { Value: version } } }), ContentType: 'application/json', ...METADATA },
});
const templateMissing: MockedOutcome = {
  Throw: { Error: 'S3.NoSuchVersionException', Cause: 'The specified version does not exist. (Service: S3, Status Code: 404)' },
};
const stackMissingOnUpdate = validationError(`Stack [tenant-${TENANT}] does not exist`);
const timedOut: MockedOutcome = { Throw: { Error: 'States.Timeout', Cause: '' } };
const failuresCounted = (waveFailed: number): MockedOutcome => ({
  Return: { Attributes: { waveFailed: { N: String(waveFailed) }, counts: { M: { failed: { N: String(waveFailed) } } } }, ...METADATA },
});

/** The usual middle: claim, UpdateStack (parameters from the record), woken by the relay, the template's version read. */
const updatedMocks = {
  'Read tenant record': [record()],
  'Claim desired template': [updateItemOk],
  'Update tenant stack': [updateStackOk(TENANT)],
  'Wait for stack event': [woken],
  'Read template version': [templateBody()],
  'Record observed release': [updateItemOk],
};
const updatedPath = [...u.claim, ...u.updateStack, ...u.woken, ...u.updated, ...u.observed];
/** Up to a rolled-back update (the relay's event says so). */
const rolledBackMocks = { ...updatedMocks, 'Wait for stack event': [wokenWith('UPDATE_ROLLBACK_COMPLETE', UPDATE_FAILURE)] };
const rolledBackPath = [...u.claim, ...u.updateStack, ...u.woken, 'Note event failure', ...u.failed];
const rolledBack = out('failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`);

/** The result of an update to this release (template version NEXT_TEMPLATE_VERSION). */
const updatedToRelease = out('updated', onRelease(), RELEASE);
/** The rollout item read before the record says RUNNING. */
const runningRollout = { 'Read rollout state': [rolloutState('RUNNING')] };

const invalidInput = {
  tenantId: null,
  outcome: 'failed',
  reason:
    'update-tenant input must be {tenantId: string, release: number, seq: number, templateUrl: pinned S3 URL (https://...?versionId=...), rollout?: {id: string, wave: number, errorBudget: number}, reason?: tier}',
  release: null,
};

const c = (
  name: string,
  description: string,
  caseInput: unknown,
  mocks: MockTestCase['mocks'],
  casePath: string[],
  output: unknown,
): MockTestCase => ({
  workflow: 'update-tenant',
  name,
  description,
  input: caseInput,
  mocks,
  path: casePath,
  expect: { status: 'SUCCEEDED', output },
});

/**
 * The relay woke the waiter with a failed `status` and no reason (`eventReason` '': an empty one):
 * this operation's stack events (DescribeStackEvents answers `events`, the states `lookup`) give
 * the failure its `reason`.
 */
const failureReasonCase = (
  name: string,
  description: string,
  status: string,
  eventReason: '' | undefined,
  events: Step[],
  lookup: string[],
  reason: string,
) =>
  c(
    name,
    description,
    input,
    { ...updatedMocks, 'Wait for stack event': [wokenWith(status, eventReason)], 'Find failure reason': events },
    path(u.start, u.claim, u.updateStack, u.woken, ['Note event status'], lookup, u.failed, u.report),
    out('failed', `${status}: ${reason}`),
  );

/** A rolled-back update in a RUNNING rollout: the counting writes answer `counting`; `after` are the states after the failure note. */
const rolloutFailureCase = (name: string, description: string, caseInput: unknown, counting: MockTestCase['mocks'], after: string[]) =>
  c(
    name,
    description,
    caseInput,
    { ...runningRollout, ...rolledBackMocks, ...counting },
    path(u.startInRollout, rolledBackPath, after),
    rolledBack,
  );

export const updateTenantCases: MockTestCase[] = [
  c(
    'Updated',
    'Claims the release, UpdateStack (token update-<id>-<seq>, TenantId and Tier from the record), woken by the relay, records what the stack runs',
    input,
    updatedMocks,
    path(u.start, updatedPath, u.report),
    updatedToRelease,
  ),
  c(
    'UpdatedInHomeCell',
    'A record from before cells (no cell): the stack is in the home cell, whose deployer role the stack calls use',
    input,
    { ...updatedMocks, 'Read tenant record': [record({ withoutCell: true })] },
    path(u.start, u.claim, u.homeCell, ['Update tenant stack'], u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'InvalidInput',
    "The contract input without release and seq (today's fleet update): failed, nothing read or written",
    { tenantId: TENANT, templateUrl: pinnedUrl },
    {},
    ['Check input', 'Report invalid input'],
    invalidInput,
  ),
  c(
    'UpdatedInRollout',
    'In a RUNNING rollout: updated, then counted (ADD counts.updated)',
    inRollout,
    { ...runningRollout, ...updatedMocks, 'Count outcome': [updateItemOk] },
    path(u.startInRollout, updatedPath, u.counted),
    updatedToRelease,
  ),
  c(
    'Deferred',
    'The rollout is PAUSED: deferred, nothing claimed, the deferral counted',
    inRollout,
    { 'Read rollout state': [rolloutState('PAUSED')], 'Count outcome': [updateItemOk] },
    path(u.rolloutRead, ['Note rollout not running'], u.counted),
    out('deferred', `Rollout ${ROLLOUT.id} is PAUSED`),
  ),
  c(
    'RolloutMissing',
    'No rollout item: deferred, nothing counted',
    inRollout,
    { 'Read rollout state': [rolloutMissing] },
    path(u.rolloutRead, ['Note rollout missing', 'Report result']),
    out('deferred', `Rollout ${ROLLOUT.id} does not exist (or has no state)`),
  ),
  c(
    'RolloutUnreadable',
    'The release table cannot be read: failed with the cause (counted failed, not against the error budget: no stack was touched)',
    { ...inRollout, rollout: { ...ROLLOUT, errorBudget: 2 } },
    { 'Read rollout state': [dynamoTableMissing], 'Count outcome': [updateItemOk] },
    path(['Check input', 'Prepare tenant', 'Is it a tier change?', 'Is it part of a rollout?', 'Read rollout state'], u.failed, u.counted),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'RecordUnreadable',
    'The tenant table cannot be read: failed with the cause',
    input,
    { 'Read tenant record': [dynamoTableMissing] },
    path(['Check input', 'Prepare tenant', 'Is it a tier change?', 'Is it part of a rollout?', 'Read tenant record'], u.failed, u.report),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'NoRecord',
    'No tenant record: skipped',
    input,
    { 'Read tenant record': [noTenantRecord] },
    path(u.start, ['Note no tenant record'], u.report),
    out('skipped', 'No tenant record'),
  ),
  c(
    'NotActive',
    'A FAILED tenant: skipped',
    input,
    { 'Read tenant record': [record({ status: 'FAILED' })] },
    path(u.start, ['Note tenant not active'], u.report),
    out('skipped', 'Tenant is not ACTIVE or PROVISIONING'),
  ),
  c(
    'AlreadyOnRelease',
    'targetSeq and releaseSeq are this seq: unchanged without a stack call',
    input,
    { 'Read tenant record': [record({ targetSeq: SEQ, releaseSeq: SEQ })] },
    path(u.start, ['Is this release observed?', 'Note already on release'], u.report),
    out('unchanged', `Already on release ${RELEASE}`, RELEASE),
  ),
  c(
    'ClaimedBefore',
    'This seq is already claimed (an earlier run of this child): no claim, straight to the update',
    input,
    // It failed at an older seq once (failedSeq): that does not stop this one.
    { ...updatedMocks, 'Read tenant record': [record({ targetSeq: SEQ, releaseSeq: SEQ - 1, failedSeq: SEQ - 2 })] },
    path(u.start, ['Is this release observed?', 'Did this seq fail before?'], u.updateStack, u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'ClaimedNeverObserved',
    'This seq is claimed and no release was ever observed (a first update that failed): updates again without claiming',
    input,
    { ...updatedMocks, 'Read tenant record': [record({ targetSeq: SEQ })] },
    path(u.start, ['Is this release observed?', 'Did this seq fail before?'], u.updateStack, u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'TierChange',
    "A tier change (reason tier) at the release the tenant is on: its own converge token, the record's tier sent, updated",
    { ...input, reason: 'tier' },
    { ...updatedMocks, 'Read tenant record': [record({ targetSeq: SEQ, releaseSeq: SEQ, tier: 'premium' })] },
    path(u.startTierChange, ['Is this release observed?'], u.recordTier, ['Update tenant stack'], u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'RecordWithoutStatus',
    'A record without a status: skipped',
    input,
    { 'Read tenant record': [record({ status: null })] },
    path(u.start, ['Note tenant not active'], u.report),
    out('skipped', 'Tenant is not ACTIVE or PROVISIONING'),
  ),
  c(
    'InputOfWrongType',
    'release given as a string: failed, nothing read or written',
    { ...input, release: String(RELEASE) },
    {},
    ['Check input', 'Report invalid input'],
    invalidInput,
  ),
  c(
    'UnpinnedTemplateUrl',
    'A templateUrl without a versionId: failed, nothing read or written',
    { ...input, templateUrl: local.TemplateUrl },
    {},
    ['Check input', 'Report invalid input'],
    invalidInput,
  ),
  c(
    'ConvergeRecordWithoutStatus',
    'The observed write refused and the record has no status any more: skipped',
    input,
    { ...updatedMocks, 'Record observed release': [conditionFailed], 'Read newer target': [record({ status: null, targetSeq: SEQ + 1 })] },
    path(u.start, updatedPath.slice(0, -1), u.converge, ['Note tenant not active'], u.report),
    out('skipped', 'Tenant is not ACTIVE or PROVISIONING'),
  ),
  c(
    'Superseded',
    'A newer seq is claimed: superseded, nothing written',
    input,
    { 'Read tenant record': [record({ targetSeq: SEQ + 2 })] },
    path(u.start, u.olderTarget, ['Note superseded'], u.report),
    out('superseded', `A newer release (seq ${SEQ + 2}) is already the target of this tenant`),
  ),
  c(
    'OlderTargetClaimed',
    'An older seq is claimed: this one claims over it and updates',
    input,
    { ...updatedMocks, 'Read tenant record': [record({ targetSeq: SEQ - 1, releaseSeq: SEQ - 1 })] },
    path(u.start, u.olderTarget, updatedPath, u.report),
    updatedToRelease,
  ),
  c(
    'ClaimRaced',
    'The claim is refused (a newer child claimed since the read): read again, superseded',
    input,
    { 'Read tenant record': [record(), record({ targetSeq: SEQ + 1 })], 'Claim desired template': [conditionFailed] },
    path(u.start, u.claim, u.readRecordAgain, u.olderTarget, ['Note superseded'], u.report),
    out('superseded', `A newer release (seq ${SEQ + 1}) is already the target of this tenant`),
  ),
  c(
    'ClaimFails',
    'The claim fails otherwise: failed with the cause',
    input,
    { 'Read tenant record': [record()], 'Claim desired template': [dynamoTableMissing] },
    path(u.start, u.claim, u.failed, u.report),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'NoUpdatesToPerform',
    '"No updates are to be performed.": no wait, the template version read, recorded as observed, unchanged',
    input,
    { ...updatedMocks, 'Update tenant stack': [noUpdates], 'Read template version': [templateBody(TEMPLATE_VERSION)] },
    path(u.start, u.claim, u.updateRefused, u.noUpdates, u.observed, u.report),
    out('unchanged', onRelease(RELEASE, TEMPLATE_VERSION), RELEASE),
  ),
  c(
    'BusyThenReady',
    'UpdateStack refused: the stack is UPDATE_IN_PROGRESS with another operation; waits, then updates',
    input,
    { ...updatedMocks, 'Update tenant stack': [notUpdatable(TENANT, 'UPDATE_IN_PROGRESS'), updateStackOk(TENANT)] },
    path(u.start, u.claim, u.updateRefused, u.busyWait, ['Update tenant stack'], u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'StaysBusy',
    'Still UPDATE_IN_PROGRESS after MaxBusyWaits waits: failed',
    input,
    { ...updatedMocks, 'Update tenant stack': [[MAX_BUSY_WAITS + 1, notUpdatable(TENANT, 'UPDATE_IN_PROGRESS')]] },
    path(
      u.start,
      u.claim,
      u.tier,
      times(MAX_BUSY_WAITS, u.busyRound),
      ['Update tenant stack', 'Why was the update refused?', 'Note stack stayed busy'],
      u.failed,
      u.report,
    ),
    out(
      'failed',
      `Stack tenant-${TENANT} still busy after ${MAX_BUSY_WAITS} waits: ${causeOf(notUpdatable(TENANT, 'UPDATE_IN_PROGRESS'))}`,
    ),
  ),
  c(
    'RollbackComplete',
    "ROLLBACK_COMPLETE (a failed create) can only be deleted: UpdateStack says so, failed with CloudFormation's message",
    input,
    { ...updatedMocks, 'Update tenant stack': [notUpdatable(TENANT, 'ROLLBACK_COMPLETE')] },
    path(u.start, u.claim, u.updateRefused, u.failed, u.report),
    out('failed', causeOf(notUpdatable(TENANT, 'ROLLBACK_COMPLETE'))),
  ),
  c(
    'StackMissing',
    'The stack does not exist: failed with the cause',
    input,
    { ...updatedMocks, 'Update tenant stack': [stackMissingOnUpdate] },
    path(u.start, u.claim, u.updateRefused, u.failed, u.report),
    out('failed', causeOf(stackMissingOnUpdate)),
  ),
  c(
    'ThrottledThenSucceeds',
    'UpdateStack throttled once: back-off loop, then updated',
    input,
    { ...updatedMocks, 'Update tenant stack': [throttled, updateStackOk(TENANT)] },
    path(u.start, u.claim, u.tier, u.updateThrottled, ['Update tenant stack'], u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'ThrottledInRollout',
    'In a rollout, throttled UpdateStacks are retried and their number added to the rollout item with the outcome (ADD throttled :n)',
    inRollout,
    {
      ...runningRollout,
      ...updatedMocks,
      'Update tenant stack': [throttled, throttled, updateStackOk(TENANT)],
      'Count outcome': [updateItemOk],
    },
    path(
      u.startInRollout,
      u.claim,
      u.tier,
      u.updateThrottled,
      u.updateThrottled,
      ['Update tenant stack'],
      u.woken,
      u.updated,
      u.observed,
      u.counted,
    ),
    updatedToRelease,
  ),
  c(
    'ThrottlingWaitedOut',
    "UpdateStack throttled beyond a round's budget: a busy wait, a fresh round, then updated",
    input,
    { ...updatedMocks, 'Update tenant stack': [[API_RETRY_MAX_ATTEMPTS + 1, throttled], updateStackOk(TENANT)] },
    path(
      u.start,
      u.claim,
      u.tier,
      times(API_RETRY_MAX_ATTEMPTS, u.updateThrottled),
      u.updateThrottledOut,
      u.busyWait,
      ['Update tenant stack'],
      u.woken,
      u.updated,
      u.observed,
      u.report,
    ),
    updatedToRelease,
  ),
  c(
    'UpdateThrottledOut',
    'UpdateStack throttled beyond the budget of every round (MaxBusyWaits waits included): failed naming the call',
    input,
    { ...updatedMocks, 'Update tenant stack': [[(API_RETRY_MAX_ATTEMPTS + 1) * (MAX_BUSY_WAITS + 1), throttled]] },
    path(
      u.start,
      u.claim,
      u.tier,
      times(MAX_BUSY_WAITS, [...times(API_RETRY_MAX_ATTEMPTS, u.updateThrottled), ...u.updateThrottledOut, ...u.busyWait]),
      times(API_RETRY_MAX_ATTEMPTS, u.updateThrottled),
      u.updateThrottledOut,
      u.failed,
      u.report,
    ),
    out('failed', `Update tenant stack was still throttled after ${API_RETRY_MAX_ATTEMPTS} retries: ${causeOf(throttled)}`),
  ),
  c(
    'UpdateRejected',
    'UpdateStack fails with another ValidationError: failed with the cause',
    input,
    { ...updatedMocks, 'Update tenant stack': [validationError('TemplateURL must be a supported URL.')] },
    path(u.start, u.claim, u.updateRefused, u.failed, u.report),
    out('failed', causeOf(validationError('TemplateURL must be a supported URL.'))),
  ),
  c(
    'UpdateCatchAll',
    'UpdateStack outlasts its Retry under the modelled-looking throttling name: the States.ALL catch',
    input,
    { ...updatedMocks, 'Update tenant stack': [[API_RETRY_MAX_ATTEMPTS + 1, throttledUnderModelledName]] },
    path(u.start, u.claim, u.updateStack, u.failed, u.report),
    out('failed', causeOf(throttledUnderModelledName)),
  ),
  c(
    'EventCameFirst',
    'The registration is refused (the relay recorded the event first): the recorded arrival says UPDATE_COMPLETE, updated',
    input,
    { ...updatedMocks, 'Wait for stack event': [conditionFailed], 'Read recorded event': [arrival('UPDATE_COMPLETE')] },
    path(u.start, u.claim, u.updateStack, u.eventFirst, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'EventCameFirstRolledBack',
    'The recorded arrival says the update rolled back: failed with its reason',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [conditionFailed],
      'Read recorded event': [arrival('UPDATE_ROLLBACK_COMPLETE', UPDATE_FAILURE)],
    },
    path(u.start, u.claim, u.updateStack, u.eventFirst, ['Note recorded failure'], u.failed, u.report),
    rolledBack,
  ),
  c(
    'ArrivalGone',
    'Refused, but the waiter item is gone (the relay removed it after waking an earlier registration): one DescribeStacks',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [conditionFailed],
      'Read recorded event': [noArrival],
      'Describe updated stack': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
    },
    path(u.start, u.claim, u.updateStack, u.eventFirst, u.described, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'ArrivalUnreadable',
    'Refused, and the waiter item cannot be read: one DescribeStacks',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [conditionFailed],
      'Read recorded event': [dynamoTableMissing],
      'Describe updated stack': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
    },
    path(u.start, u.claim, u.updateStack, ['Wait for stack event', 'Read recorded event'], u.described, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'EventLost',
    'No event within StackEventWaitSeconds (States.Timeout): the one DescribeStacks, updated',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [timedOut],
      'Describe updated stack': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
    },
    path(u.start, u.claim, u.updateStack, u.noEvent, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'EventLostRolledBack',
    'No event, and DescribeStacks finds the update rolled back: failed with the status reason',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [timedOut],
      'Describe updated stack': [
        describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE', { reason: UPDATE_FAILURE, templateVersion: TEMPLATE_VERSION }),
      ],
    },
    path(u.start, u.claim, u.updateStack, u.noEvent, ['Note update failure'], u.failed, u.report),
    rolledBack,
  ),
  c(
    'DescribedRollbackWithoutReason',
    'DescribeStacks finds UPDATE_ROLLBACK_COMPLETE with no StackStatusReason: the operation’s UPDATE_ROLLBACK_IN_PROGRESS stack event gives the reason',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [timedOut],
      'Describe updated stack': [describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE', { templateVersion: TEMPLATE_VERSION })],
      'Find failure reason': [rolledBackEvents],
    },
    path(u.start, u.claim, u.updateStack, u.noEvent, ['Note described status'], u.failureReason, u.failed, u.report),
    out('failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`),
  ),
  c(
    'StillInProgressAfterTimeout',
    'Timed out while the update still runs: registers again, then woken',
    input,
    { ...updatedMocks, 'Wait for stack event': [timedOut, woken], 'Describe updated stack': [describeStack(TENANT, 'UPDATE_IN_PROGRESS')] },
    path(u.start, u.claim, u.updateStack, u.noEvent, u.registerAgain, u.woken, u.updated, u.observed, u.report),
    updatedToRelease,
  ),
  c(
    'WaitingGivesUp',
    'Still UPDATE_IN_PROGRESS once MaxStackWaitSeconds are spent: failed',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [timedOut, timedOut],
      'Describe updated stack': [[2, describeStack(TENANT, 'UPDATE_IN_PROGRESS')]],
    },
    path(u.start, u.claim, u.updateStack, u.noEvent, u.registerAgain, u.noEvent, ['Note waiting gave up'], u.failed, u.report),
    out(
      'failed',
      `Stack tenant-${TENANT} still UPDATE_IN_PROGRESS after ${local.StackEventWaitSeconds} s of waiting for its operation to end`,
    ),
  ),
  c(
    'DescribeFails',
    'The fallback DescribeStacks fails beyond its Retry: failed with the cause',
    input,
    { ...updatedMocks, 'Wait for stack event': [timedOut], 'Describe updated stack': [[API_RETRY_MAX_ATTEMPTS + 1, throttled]] },
    path(u.start, u.claim, u.updateStack, ['Wait for stack event', 'Note no event', 'Describe updated stack'], u.failed, u.report),
    out('failed', causeOf(throttled)),
  ),
  c(
    'RolledBack',
    "The relay's event says the update rolled back: failed with the status reason",
    input,
    rolledBackMocks,
    path(u.start, rolledBackPath, u.report),
    rolledBack,
  ),
  failureReasonCase(
    'RolledBackWithoutReason',
    'The event has no status-reason: this operation’s UPDATE_ROLLBACK_IN_PROGRESS stack event (its ClientRequestToken) gives the reason',
    'UPDATE_ROLLBACK_COMPLETE',
    undefined,
    [rolledBackEvents],
    u.failureReason,
    UPDATE_FAILURE,
  ),
  failureReasonCase(
    'RolledBackWithEmptyReason',
    'The event has an empty status-reason (a stack-level UPDATE_ROLLBACK_COMPLETE often has): the same stack-event lookup gives the reason',
    'UPDATE_ROLLBACK_COMPLETE',
    '',
    [rolledBackEvents],
    u.failureReason,
    UPDATE_FAILURE,
  ),
  failureReasonCase(
    'UpdateFailedWithoutRollback',
    'UPDATE_FAILED without a reason and without a rollback of its own: the newest rollback on the page is an older operation’s (another ClientRequestToken), so the reason stays unknown',
    'UPDATE_FAILED',
    undefined,
    [stackEvents([{ status: 'UPDATE_FAILED' }, { status: 'UPDATE_IN_PROGRESS', reason: 'User Initiated' }])],
    u.failureReasonOfOtherOperation,
    NO_REASON,
  ),
  failureReasonCase(
    'NoRollbackOnThePage',
    'No UPDATE_ROLLBACK_IN_PROGRESS event on the page at all: the reason stays unknown',
    'UPDATE_ROLLBACK_COMPLETE',
    undefined,
    [stackEvents([{ status: 'UPDATE_ROLLBACK_COMPLETE' }, { status: 'UPDATE_IN_PROGRESS' }], [])],
    u.failureReasonNoRollback,
    NO_REASON,
  ),
  failureReasonCase(
    'FailureReasonUnreadable',
    'DescribeStackEvents stays throttled beyond its Retry: the failure is noted with a placeholder reason all the same',
    'UPDATE_ROLLBACK_COMPLETE',
    undefined,
    [[API_RETRY_MAX_ATTEMPTS + 1, throttled]],
    u.failureReasonUnreadable,
    NO_REASON,
  ),
  c(
    'TemplateUnreadable',
    'The template version cannot be read from S3: failed with the cause',
    input,
    { ...updatedMocks, 'Read template version': [templateMissing] },
    path(u.start, u.claim, u.updateStack, u.woken, ['Note stack updated', 'Read template version'], u.failed, u.report),
    out('failed', causeOf(templateMissing)),
  ),
  c(
    'RecordFails',
    'The observed write fails otherwise: failed with the cause',
    input,
    { ...updatedMocks, 'Record observed release': [dynamoTableMissing] },
    path(u.start, u.claim, u.updateStack, u.woken, u.updated, u.failed, u.report),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'Converge',
    'A newer release (or another tier) was claimed while this update ran: converge on the record (token converge-<id>-<seq>-<round>-<execution>), then recorded',
    input,
    {
      ...updatedMocks,
      'Update tenant stack': [updateStackOk(TENANT), updateStackOk(TENANT)],
      'Wait for stack event': [woken, woken],
      'Read template version': [templateBody(), templateBody('1.2.0')],
      'Record observed release': [conditionFailed, updateItemOk],
      'Read newer target': [record({ targetSeq: SEQ + 1, targetRelease: RELEASE + 1, targetTemplateUrl: NEWER_URL })],
    },
    path(
      u.start,
      updatedPath.slice(0, -1),
      u.converge,
      ['Converge on the newer target'],
      u.updateStack,
      u.woken,
      u.updated,
      u.observed,
      u.report,
    ),
    out('updated', onRelease(RELEASE + 1, '1.2.0'), RELEASE + 1),
  ),
  c(
    'ConvergeTenantDeleted',
    'The observed write refused and the tenant is being deleted: skipped, left to delete-tenant',
    input,
    {
      ...updatedMocks,
      'Record observed release': [conditionFailed],
      'Read newer target': [record({ status: 'DEPROVISIONING', targetSeq: SEQ })],
    },
    path(u.start, updatedPath.slice(0, -1), u.converge, ['Note tenant not active'], u.report),
    out('skipped', 'Tenant is not ACTIVE or PROVISIONING'),
  ),
  c(
    'ConvergeRecordGone',
    'The observed write refused and the record is gone: skipped',
    input,
    { ...updatedMocks, 'Record observed release': [conditionFailed], 'Read newer target': [noTenantRecord] },
    path(u.start, updatedPath.slice(0, -1), u.converge, ['Note no tenant record'], u.report),
    out('skipped', 'No tenant record'),
  ),
  c(
    'ConvergeReadFails',
    'The re-read after a refused observed write fails: failed with the cause',
    input,
    { ...updatedMocks, 'Record observed release': [conditionFailed], 'Read newer target': [dynamoTableMissing] },
    path(u.start, updatedPath.slice(0, -1), ['Read newer target'], u.failed, u.report),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'FailedEarlier',
    'A wave run again after a resume meets a tenant whose update at this seq rolled back before: failed, not tried again, not counted again',
    inRollout,
    {
      ...runningRollout,
      'Read tenant record': [record({ targetSeq: SEQ, targetRelease: RELEASE, targetTemplateUrl: pinnedUrl, failedSeq: SEQ })],
    },
    path(u.startInRollout, ['Is this release observed?', 'Did this seq fail before?', 'Note failed earlier', 'Report result']),
    out('failed', `The update to release ${RELEASE} (seq ${SEQ}) failed earlier in this rollout; a new release tries it again`),
  ),
  rolloutFailureCase(
    'FailureHaltsRollout',
    'A rolled-back update in a rollout: counted (counts.failed, waveFailed), the budget of 1 is spent: the rollout is set HALTED',
    inRollout,
    { 'Record failed seq': [updateItemOk], 'Count failure': [failuresCounted(1)], 'Halt rollout': [updateItemOk] },
    path(u.countedFailure, ['Halt rollout', 'Report result']),
  ),
  rolloutFailureCase(
    'FailureWithinBudget',
    'A failure in a rollout with budget left: counted, the rollout keeps running',
    { ...inRollout, rollout: { ...ROLLOUT, errorBudget: 2 } },
    { 'Record failed seq': [updateItemOk], 'Count failure': [failuresCounted(1)] },
    path(u.countedFailure, ['Report result']),
  ),
  rolloutFailureCase(
    'AlreadyHalted',
    'The budget is spent but the rollout is no longer RUNNING (halted or paused meanwhile): the halt is refused, the result stands (and the failed seq could not be noted: counting goes on)',
    inRollout,
    { 'Record failed seq': [dynamoTableMissing], 'Count failure': [failuresCounted(2)], 'Halt rollout': [conditionFailed] },
    path(u.countedFailure, ['Halt rollout', 'Report result']),
  ),
  rolloutFailureCase(
    'FailureNotCounted',
    'The failure count cannot be written: the result stands',
    inRollout,
    { 'Record failed seq': [updateItemOk], 'Count failure': [dynamoTableMissing] },
    ['Count outcome in rollout?', 'Record failed seq', 'Count failure', 'Report result'],
  ),
  c(
    'LongestRun',
    'Everything at once (the history bound is checked against it): a raced claim, busy rounds with throttled updates, a lost event, a converge',
    inRollout,
    {
      ...runningRollout,
      'Read tenant record': [record(), record({ targetSeq: SEQ - 1 })],
      'Claim desired template': [conditionFailed, updateItemOk],
      'Update tenant stack': [
        ...times(MAX_BUSY_WAITS, ['t', 't', 'b']).map((k) => (k === 't' ? throttled : notUpdatable(TENANT, 'UPDATE_IN_PROGRESS'))),
        throttled,
        updateStackOk(TENANT),
        throttled,
        updateStackOk(TENANT),
      ],
      'Wait for stack event': [timedOut, woken, woken],
      'Describe updated stack': [describeStack(TENANT, 'UPDATE_IN_PROGRESS')],
      'Read template version': [templateBody(), templateBody('1.2.0')],
      'Record observed release': [conditionFailed, updateItemOk],
      'Read newer target': [record({ targetSeq: SEQ + 1, targetRelease: RELEASE + 1, targetTemplateUrl: NEWER_URL })],
      'Count outcome': [updateItemOk],
    },
    path(
      u.startInRollout,
      u.claim,
      u.readRecordAgain,
      u.olderTarget,
      u.claim,
      u.tier,
      times(MAX_BUSY_WAITS, [...u.updateThrottled, ...u.updateThrottled, ...u.busyRound]),
      u.updateThrottled,
      ['Update tenant stack'],
      u.noEvent,
      u.registerAgain,
      u.woken,
      u.updated,
      u.converge,
      ['Converge on the newer target'],
      u.tier,
      u.updateThrottled,
      ['Update tenant stack'],
      u.woken,
      u.updated,
      u.observed,
      u.counted,
    ),
    out('updated', onRelease(RELEASE + 1, '1.2.0'), RELEASE + 1),
  ),
  c(
    'OutcomeNotCounted',
    'The outcome count cannot be written (the rollout item vanished): the result stands',
    inRollout,
    { ...runningRollout, ...updatedMocks, 'Count outcome': [conditionFailed] },
    path(u.startInRollout, updatedPath, u.counted),
    updatedToRelease,
  ),
];
