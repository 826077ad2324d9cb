/** The mocked test cases of update-tenant (the rollout's per-tenant child): one per branch (see mocks/test-cases.ts). */
import {
  conditionFailed,
  describeStack,
  dynamoTableMissing,
  NEXT_TEMPLATE_VERSION,
  noTenantRecord,
  noUpdates,
  notUpdatable,
  stackDoesNotExist,
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
import { TENANT, pinnedUrl, UPDATE_FAILURE, complete, causeOf, local, type MockTestCase } from './common';

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
  } = {},
): MockedOutcome {
  const item: Record<string, unknown> = { tenantId: { S: TENANT }, version: { N: '2' }, cell: HOME_CELL_ITEM };
  if (fields.status !== null) item.status = { S: fields.status ?? 'ACTIVE' };
  if (fields.targetSeq !== undefined) item.targetSeq = { N: String(fields.targetSeq) };
  if (fields.targetRelease !== undefined) item.targetRelease = { N: String(fields.targetRelease) };
  if (fields.targetTemplateUrl !== undefined) item.targetTemplateUrl = { S: fields.targetTemplateUrl };
  if (fields.releaseSeq !== undefined) item.releaseSeq = { N: String(fields.releaseSeq) };
  if (fields.failedSeq !== undefined) item.failedSeq = { N: String(fields.failedSeq) };
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
const timedOut: MockedOutcome = { Throw: { Error: 'States.Timeout', Cause: '' } };
const failuresCounted = (waveFailed: number): MockedOutcome => ({
  Return: { Attributes: { waveFailed: { N: String(waveFailed) }, counts: { M: { failed: { N: String(waveFailed) } } } }, ...METADATA },
});

/** The usual middle: claim, check, UpdateStack, woken by the relay, DescribeStacks UPDATE_COMPLETE. */
const updatedMocks = {
  'Read tenant record': [record()],
  'Claim desired template': [updateItemOk],
  'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
  'Update tenant stack': [updateStackOk(TENANT)],
  'Wait for stack event': [woken],
  'Describe updated stack': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
  'Record observed release': [updateItemOk],
};
const updatedPath = [...u.claim, ...u.check, ...u.updateStack, ...u.woken, ...u.updated, ...u.observed];
/** Up to a rolled-back update. */
const rolledBackMocks = {
  ...updatedMocks,
  'Describe updated stack': [
    describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE', { reason: UPDATE_FAILURE, templateVersion: TEMPLATE_VERSION }),
  ],
};
const rolledBackPath = [...u.claim, ...u.check, ...u.updateStack, ...u.woken, 'Note update failure', ...u.failed];
const rolledBack = out('failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`);

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

export const updateTenantCases: MockTestCase[] = [
  c(
    'Updated',
    'Claims the release, UpdateStack (token update-<id>-<seq>, UsePreviousValue), woken by the relay, records what the stack runs',
    input,
    updatedMocks,
    path(u.start, updatedPath, u.report),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'InvalidInput',
    "The contract input without release and seq (today's fleet update): failed, nothing read or written",
    { tenantId: TENANT, templateUrl: pinnedUrl },
    {},
    ['Check input', 'Report invalid input'],
    {
      tenantId: null,
      outcome: 'failed',
      reason:
        'update-tenant input must be {tenantId: string, release: number, seq: number, templateUrl: string, rollout?: {id: string, wave: number, errorBudget: number}}',
      release: null,
    },
  ),
  c(
    'UpdatedInRollout',
    'In a RUNNING rollout: updated, then counted (ADD counts.updated)',
    inRollout,
    { 'Read rollout state': [rolloutState('RUNNING')], ...updatedMocks, 'Count outcome': [updateItemOk] },
    path(u.startInRollout, updatedPath, u.counted),
    out('updated', onRelease(), RELEASE),
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
    path(['Check input', 'Prepare tenant', 'Is it part of a rollout?', 'Read rollout state'], u.failed, u.counted),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'RecordUnreadable',
    'The tenant table cannot be read: failed with the cause',
    input,
    { 'Read tenant record': [dynamoTableMissing] },
    path(['Check input', 'Prepare tenant', 'Is it part of a rollout?', 'Read tenant record'], u.failed, u.report),
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
    path(
      u.start,
      ['Is this release observed?', 'Did this seq fail before?'],
      u.check,
      u.updateStack,
      u.woken,
      u.updated,
      u.observed,
      u.report,
    ),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'ClaimedNeverObserved',
    'This seq is claimed and no release was ever observed (a first update that failed): updates again without claiming',
    input,
    { ...updatedMocks, 'Read tenant record': [record({ targetSeq: SEQ })] },
    path(
      u.start,
      ['Is this release observed?', 'Did this seq fail before?'],
      u.check,
      u.updateStack,
      u.woken,
      u.updated,
      u.observed,
      u.report,
    ),
    out('updated', onRelease(), RELEASE),
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
    {
      tenantId: null,
      outcome: 'failed',
      reason:
        'update-tenant input must be {tenantId: string, release: number, seq: number, templateUrl: string, rollout?: {id: string, wave: number, errorBudget: number}}',
      release: null,
    },
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
    out('updated', onRelease(), RELEASE),
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
    '"No updates are to be performed.": recorded as observed, unchanged',
    input,
    {
      'Read tenant record': [record()],
      'Claim desired template': [updateItemOk],
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [noUpdates],
      'Record observed release': [updateItemOk],
    },
    path(u.start, u.claim, u.check, u.updateRefused, u.noUpdates, u.observed, u.report),
    out('unchanged', onRelease(RELEASE, TEMPLATE_VERSION), RELEASE),
  ),
  c(
    'BusyThenReady',
    'UPDATE_IN_PROGRESS from another operation: waits, then updates',
    input,
    {
      ...updatedMocks,
      'Check stack before update': [describeStack(TENANT, 'UPDATE_IN_PROGRESS'), complete(TENANT, 'UPDATE_COMPLETE')],
    },
    path(u.start, u.claim, u.check, u.busyWait, u.check, u.updateStack, u.woken, u.updated, u.observed, u.report),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'StaysBusy',
    'Still UPDATE_IN_PROGRESS after MaxBusyWaits waits: failed',
    input,
    { ...updatedMocks, 'Check stack before update': [[MAX_BUSY_WAITS + 1, describeStack(TENANT, 'UPDATE_IN_PROGRESS')]] },
    path(u.start, u.claim, times(MAX_BUSY_WAITS, [...u.check, ...u.busyWait]), u.check, ['Note stack stayed busy'], u.failed, u.report),
    out('failed', `Stack tenant-${TENANT} still UPDATE_IN_PROGRESS after ${MAX_BUSY_WAITS} waits`),
  ),
  c(
    'RollbackComplete',
    'ROLLBACK_COMPLETE (a failed create) can only be deleted: failed, UpdateStack never called',
    input,
    { ...updatedMocks, 'Check stack before update': [describeStack(TENANT, 'ROLLBACK_COMPLETE')] },
    path(u.start, u.claim, u.check, ['Note stack not updatable'], u.failed, u.report),
    out('failed', `Stack tenant-${TENANT} is in ROLLBACK_COMPLETE and can not be updated`),
  ),
  c(
    'StackMissing',
    'The stack does not exist: failed with the cause',
    input,
    { ...updatedMocks, 'Check stack before update': [stackDoesNotExist(TENANT)] },
    path(u.start, u.claim, u.checkFailed, u.failed, u.report),
    out('failed', causeOf(stackDoesNotExist(TENANT))),
  ),
  c(
    'CheckCatchAll',
    'The check outlasts its Retry under the modelled-looking throttling name: the States.ALL catch',
    input,
    { ...updatedMocks, 'Check stack before update': [[API_RETRY_MAX_ATTEMPTS + 1, throttledUnderModelledName]] },
    path(u.start, u.claim, ['Check stack before update'], u.failed, u.report),
    out('failed', causeOf(throttledUnderModelledName)),
  ),
  c(
    'ThrottledThenSucceeds',
    'The check and UpdateStack throttled once each: back-off loop, then updated',
    input,
    {
      ...updatedMocks,
      'Check stack before update': [throttled, complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [throttled, updateStackOk(TENANT)],
    },
    path(
      u.start,
      u.claim,
      u.checkThrottled,
      u.check,
      u.keepParameters,
      u.updateThrottled,
      ['Update tenant stack'],
      u.woken,
      u.updated,
      u.observed,
      u.report,
    ),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'UpdateThrottledOut',
    'UpdateStack throttled beyond the budget: failed naming the call',
    input,
    { ...updatedMocks, 'Update tenant stack': [[API_RETRY_MAX_ATTEMPTS + 1, throttled]] },
    path(
      u.start,
      u.claim,
      u.check,
      u.keepParameters,
      times(API_RETRY_MAX_ATTEMPTS, u.updateThrottled),
      u.updateThrottledOut,
      u.failed,
      u.report,
    ),
    out('failed', `Update tenant stack was still throttled after ${API_RETRY_MAX_ATTEMPTS} retries: ${causeOf(throttled)}`),
  ),
  c(
    'CheckThrottledOut',
    'The check throttled beyond the budget: failed naming the call',
    input,
    { ...updatedMocks, 'Check stack before update': [[API_RETRY_MAX_ATTEMPTS + 1, throttled]] },
    path(u.start, u.claim, times(API_RETRY_MAX_ATTEMPTS, u.checkThrottled), u.checkThrottledOut, u.failed, u.report),
    out('failed', `Check stack before update was still throttled after ${API_RETRY_MAX_ATTEMPTS} retries: ${causeOf(throttled)}`),
  ),
  c(
    'TurnedBusy',
    'UpdateStack refused because another update started since the check: wait, check, update',
    input,
    {
      ...updatedMocks,
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE'), complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [notUpdatable(TENANT, 'UPDATE_IN_PROGRESS'), updateStackOk(TENANT)],
    },
    path(u.start, u.claim, u.check, u.updateRefused, u.busyWait, u.check, u.updateStack, u.woken, u.updated, u.observed, u.report),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'UpdateRejected',
    'UpdateStack fails with another ValidationError: failed with the cause',
    input,
    { ...updatedMocks, 'Update tenant stack': [validationError('TemplateURL must be a supported URL.')] },
    path(u.start, u.claim, u.check, u.updateRefused, u.failed, u.report),
    out('failed', causeOf(validationError('TemplateURL must be a supported URL.'))),
  ),
  c(
    'UpdateCatchAll',
    'UpdateStack outlasts its Retry under the modelled-looking throttling name: the States.ALL catch',
    input,
    { ...updatedMocks, 'Update tenant stack': [[API_RETRY_MAX_ATTEMPTS + 1, throttledUnderModelledName]] },
    path(u.start, u.claim, u.check, u.updateStack, u.failed, u.report),
    out('failed', causeOf(throttledUnderModelledName)),
  ),
  c(
    'EventCameFirst',
    'The registration is refused (the relay recorded the event first): one DescribeStacks, updated',
    input,
    { ...updatedMocks, 'Wait for stack event': [conditionFailed] },
    path(u.start, u.claim, u.check, u.updateStack, u.eventFirst, u.updated, u.observed, u.report),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'EventLost',
    'No event within StackEventWaitSeconds (States.Timeout): one DescribeStacks, updated',
    input,
    { ...updatedMocks, 'Wait for stack event': [timedOut] },
    path(u.start, u.claim, u.check, u.updateStack, u.noEvent, u.updated, u.observed, u.report),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'StillInProgressAfterTimeout',
    'Timed out while the update still runs: registers again, then woken',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [timedOut, woken],
      'Describe updated stack': [describeStack(TENANT, 'UPDATE_IN_PROGRESS'), complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
    },
    path(u.start, u.claim, u.check, u.updateStack, u.noEvent, u.registerAgain, u.woken, u.updated, u.observed, u.report),
    out('updated', onRelease(), RELEASE),
  ),
  c(
    'OtherOperationAfterEvent',
    'Registration refused but the stack runs another operation: polls until it ends',
    input,
    {
      ...updatedMocks,
      'Wait for stack event': [conditionFailed],
      'Describe updated stack': [describeStack(TENANT, 'UPDATE_IN_PROGRESS'), complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
    },
    path(u.start, u.claim, u.check, u.updateStack, u.eventFirst, u.poll, u.updated, u.observed, u.report),
    out('updated', onRelease(), RELEASE),
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
    path(u.start, u.claim, u.check, u.updateStack, u.noEvent, u.registerAgain, u.noEvent, ['Note waiting gave up'], u.failed, u.report),
    out(
      'failed',
      `Stack tenant-${TENANT} still UPDATE_IN_PROGRESS after ${local.StackEventWaitSeconds} s of waiting for its operation to end`,
    ),
  ),
  c(
    'DescribeFails',
    'DescribeStacks after the wake-up fails beyond its Retry: failed with the cause',
    input,
    { ...updatedMocks, 'Describe updated stack': [[API_RETRY_MAX_ATTEMPTS + 1, throttled]] },
    path(u.start, u.claim, u.check, u.updateStack, ['Wait for stack event', 'Describe updated stack'], u.failed, u.report),
    out('failed', causeOf(throttled)),
  ),
  c(
    'RolledBack',
    'The update rolls back: failed with the status reason',
    input,
    rolledBackMocks,
    path(u.start, rolledBackPath, u.report),
    rolledBack,
  ),
  c(
    'RolledBackWithoutReason',
    'UPDATE_ROLLBACK_COMPLETE with no StackStatusReason: failed with a placeholder reason',
    input,
    {
      ...updatedMocks,
      'Describe updated stack': [describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE', { templateVersion: TEMPLATE_VERSION })],
    },
    path(u.start, u.claim, u.check, u.updateStack, u.woken, ['Add missing status reason', 'Note update failure'], u.failed, u.report),
    out('failed', `UPDATE_ROLLBACK_COMPLETE: ${NO_REASON}`),
  ),
  c(
    'RecordFails',
    'The observed write fails otherwise: failed with the cause',
    input,
    { ...updatedMocks, 'Record observed release': [dynamoTableMissing] },
    path(u.start, u.claim, u.check, u.updateStack, u.woken, u.updated, u.failed, u.report),
    out('failed', causeOf(dynamoTableMissing)),
  ),
  c(
    'Converge',
    'A newer release was claimed while this update ran: converge on it (token converge-<id>-<seq>-<execution>), then recorded',
    input,
    {
      ...updatedMocks,
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE'), complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      'Update tenant stack': [updateStackOk(TENANT), updateStackOk(TENANT)],
      'Wait for stack event': [woken, woken],
      'Describe updated stack': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION), complete(TENANT, 'UPDATE_COMPLETE', '1.2.0')],
      'Record observed release': [conditionFailed, updateItemOk],
      'Read newer target': [record({ targetSeq: SEQ + 1, targetRelease: RELEASE + 1, targetTemplateUrl: NEWER_URL })],
    },
    path(
      u.start,
      updatedPath.slice(0, -1),
      u.converge,
      ['Converge on the newer target'],
      u.check,
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
      'Read rollout state': [rolloutState('RUNNING')],
      'Read tenant record': [record({ targetSeq: SEQ, targetRelease: RELEASE, targetTemplateUrl: pinnedUrl, failedSeq: SEQ })],
    },
    path(u.startInRollout, ['Is this release observed?', 'Did this seq fail before?', 'Note failed earlier', 'Report result']),
    out('failed', `The update to release ${RELEASE} (seq ${SEQ}) failed earlier in this rollout; a new release tries it again`),
  ),
  c(
    'FailureHaltsRollout',
    'A rolled-back update in a rollout: counted (counts.failed, waveFailed), the budget of 1 is spent: the rollout is set HALTED',
    inRollout,
    {
      'Read rollout state': [rolloutState('RUNNING')],
      ...rolledBackMocks,
      'Record failed seq': [updateItemOk],
      'Count failure': [failuresCounted(1)],
      'Halt rollout': [updateItemOk],
    },
    path(u.startInRollout, rolledBackPath, u.countedFailure, ['Halt rollout', 'Report result']),
    rolledBack,
  ),
  c(
    'FailureWithinBudget',
    'A failure in a rollout with budget left: counted, the rollout keeps running',
    { ...inRollout, rollout: { ...ROLLOUT, errorBudget: 2 } },
    {
      'Read rollout state': [rolloutState('RUNNING')],
      ...rolledBackMocks,
      'Record failed seq': [updateItemOk],
      'Count failure': [failuresCounted(1)],
    },
    path(u.startInRollout, rolledBackPath, u.countedFailure, ['Report result']),
    rolledBack,
  ),
  c(
    'AlreadyHalted',
    'The budget is spent but the rollout is no longer RUNNING (halted or paused meanwhile): the halt is refused, the result stands (and the failed seq could not be noted: counting goes on)',
    inRollout,
    {
      'Read rollout state': [rolloutState('RUNNING')],
      ...rolledBackMocks,
      'Record failed seq': [dynamoTableMissing],
      'Count failure': [failuresCounted(2)],
      'Halt rollout': [conditionFailed],
    },
    path(u.startInRollout, rolledBackPath, u.countedFailure, ['Halt rollout', 'Report result']),
    rolledBack,
  ),
  c(
    'FailureNotCounted',
    'The failure count cannot be written: the result stands',
    inRollout,
    {
      'Read rollout state': [rolloutState('RUNNING')],
      ...rolledBackMocks,
      'Record failed seq': [updateItemOk],
      'Count failure': [dynamoTableMissing],
    },
    path(u.startInRollout, rolledBackPath, ['Count outcome in rollout?', 'Record failed seq', 'Count failure', 'Report result']),
    rolledBack,
  ),
  c(
    'LongestRun',
    'Everything at once (the history bound is checked against it): a raced claim, busy rounds with throttled checks, a throttled UpdateStack, a lost event, a converge',
    inRollout,
    {
      'Read rollout state': [rolloutState('RUNNING')],
      'Read tenant record': [record(), record({ targetSeq: SEQ - 1 })],
      'Claim desired template': [conditionFailed, updateItemOk],
      'Check stack before update': [
        ...times(MAX_BUSY_WAITS, ['t', 't', 'b']).map((k) => (k === 't' ? throttled : describeStack(TENANT, 'UPDATE_IN_PROGRESS'))),
        throttled,
        complete(TENANT, 'UPDATE_COMPLETE'),
        throttled,
        complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION),
      ],
      'Update tenant stack': [throttled, updateStackOk(TENANT), throttled, updateStackOk(TENANT)],
      'Wait for stack event': [timedOut, woken, woken],
      'Describe updated stack': [
        describeStack(TENANT, 'UPDATE_IN_PROGRESS'),
        complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION),
        complete(TENANT, 'UPDATE_COMPLETE', '1.2.0'),
      ],
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
      times(MAX_BUSY_WAITS, [...u.checkThrottled, ...u.checkThrottled, ...u.check, ...u.busyWait]),
      u.checkThrottled,
      u.check,
      u.keepParameters,
      u.updateThrottled,
      ['Update tenant stack'],
      u.noEvent,
      u.registerAgain,
      u.woken,
      u.updated,
      u.converge,
      ['Converge on the newer target'],
      u.checkThrottled,
      u.check,
      u.keepParameters,
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
    { 'Read rollout state': [rolloutState('RUNNING')], ...updatedMocks, 'Count outcome': [conditionFailed] },
    path(u.startInRollout, updatedPath, u.counted),
    out('updated', onRelease(), RELEASE),
  ),
];
