/** The mocked test cases of delete-tenant: one per branch (see mocks/test-cases.ts). */
import {
  cannotDelete,
  deleteStackOk,
  describeStack,
  dynamoThrottled,
  lifecycleEvent,
  putEventsOk,
  stackDoesNotExist,
  stackId,
  throttled,
  throttledUnderModelledName,
  conditionFailed,
  noTenantRecord,
  putEventsFailedEntry,
  putEventsThrottled,
  tenantRecord,
  unversionedTenantRecord,
  keyTooLarge,
  keySchemaMismatch,
  updateItemOk,
  validationError,
  type MockedOutcome,
  type TenantRecordFields,
} from '../responses';
import { API_RETRY_MAX_ATTEMPTS, deleteTenant, MAX_BUSY_WAITS, MAX_STACK_POLLS, path, times } from '../paths';
import { LOCAL_CELL_ROLE_ARN } from '../../statemachines/local-substitutions';
import { local, TENANT, deleted, complete, type Expectation, type MockTestCase, type Step } from './common';

const DELETE_FAILURE = 'The following resource(s) failed to delete: [TenantDataTable]. ';

/** The time of the catalogue's events (mocks/responses.ts lifecycleEvent) and a later one. */
const EVENT_TIME = '2026-01-05T10:00:00Z';
const LATER = '2026-01-05T10:00:01Z';
const deletedWithoutTime = () => {
  const { time: _time, ...event } = deleted(TENANT);
  return event;
};
/** A tenant record whose desired state was set by an event at `desiredAt` (and, for a marker, its expiry). */
function recordDesiredAt(fields: TenantRecordFields, desiredAt: string, expiresAt?: string): MockedOutcome {
  const { Return } = tenantRecord(TENANT, fields) as { Return: { Item: Record<string, unknown> } };
  const item = { ...Return.Item, desiredAt: { S: desiredAt }, ...(expiresAt ? { expiresAt: { N: expiresAt } } : {}) };
  return { Return: { ...Return, Item: item } };
}

/** The record of an ACTIVE tenant (version 3 after create, ACTIVE and a fleet update). */
const activeRecord = tenantRecord(TENANT, { status: 'ACTIVE', desired: 'PRESENT', version: 3, stackId: stackId(TENANT) });
/** What "Read record again" finds after a conditional write failed. */
const absentRecord = (version: number, status = 'DELETED') => tenantRecord(TENANT, { status, desired: 'ABSENT', version });
const reclaimedRecord = tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 6, generation: 2 });
const marked = {
  'Read tenant record': [activeRecord],
  'Mark tenant absent': [updateItemOk],
};

const deprovisioned = {
  'Record tenant deleted': [updateItemOk],
  'Announce tenant deprovisioned': [putEventsOk],
};
const deprovisioningFailed = {
  'Record tenant failed': [updateItemOk],
  'Announce deprovisioning failure': [putEventsOk],
};
const deletedOutput = (busyWaits: number, polls: number) => ({
  tenantId: TENANT,
  stackName: `${local.StackNamePrefix}${TENANT}`,
  busyWaits,
  polls,
});

/** What a deletion ends in: DELETED after that many busy waits and deletion polls in progress, or TenantDeprovisioningFailed. */
const deletionSucceeded = (busyWaits: number, polls: number): Expectation => ({
  status: 'SUCCEEDED',
  output: deletedOutput(busyWaits, polls),
});
const deprovisioningFailedResult: Expectation = { status: 'FAILED', error: 'TenantDeprovisioningFailed' };

/** The two usual endings of a deletion: the mocks they take, the states they enter, what the execution ends in. */
interface DeleteEnding {
  mocks: MockTestCase['mocks'];
  path: string[];
  expect: Expectation;
}
const deletedAfter = (busyWaits: number, polls: number): DeleteEnding => ({
  mocks: deprovisioned,
  path: deleteTenant.deleted,
  expect: deletionSucceeded(busyWaits, polls),
});
const deprovisioningFailure: DeleteEnding = { mocks: deprovisioningFailed, path: deleteTenant.failed, expect: deprovisioningFailedResult };

/**
 * An ACTIVE tenant marked absent, whose stack DescribeStacks by name answers `lookups`, DeleteStack
 * `deletions` and the progress checks by id `checks` (each where the case gets that far); `states`
 * are those after the mark. It ends in a usual `ending` (whose states follow `states`), or the case
 * mocks its own outcome writes and announcements (`outcomeMocks`) and says what it `expect`s.
 */
function markedCase(
  c: { name: string; description: string; lookups: Step[]; deletions?: Step[]; checks?: Step[]; states: string[][] } & (
    { ending: DeleteEnding } | { outcomeMocks: MockTestCase['mocks']; expect: Expectation }
  ),
): MockTestCase {
  const ending = 'ending' in c ? c.ending : { mocks: c.outcomeMocks, path: [], expect: c.expect };
  return {
    workflow: 'delete-tenant',
    name: c.name,
    description: c.description,
    input: deleted(TENANT),
    mocks: {
      ...marked,
      'Find tenant stack': c.lookups,
      ...(c.deletions && { 'Delete tenant stack': c.deletions }),
      ...(c.checks && { 'Check deletion progress': c.checks }),
      ...ending.mocks,
    },
    path: path(deleteTenant.start, ...c.states, ending.path),
    expect: ending.expect,
  };
}

const invalidTenantId: Expectation = { status: 'FAILED', error: 'InvalidTenantId' };
/** An id the first checks reject (`rejectedBy`): InvalidTenantId, nothing read or written. */
function invalidIdCase(name: string, description: string, input: unknown, rejectedBy: string[] = deleteTenant.rejected): MockTestCase {
  return { workflow: 'delete-tenant', name, description, input, mocks: {}, path: path(rejectedBy), expect: invalidTenantId };
}

/** No record for the id: only the marker that makes an older TenantCreated stale is written. */
function unknownTenantCase(name: string, description: string, input: unknown, states: string[], expect: Expectation): MockTestCase {
  return {
    workflow: 'delete-tenant',
    name,
    description,
    input,
    mocks: { 'Read tenant record': [noTenantRecord], 'Record absent marker': [updateItemOk] },
    path: path(states),
    expect,
  };
}

export const deleteTenantCases: MockTestCase[] = [
  markedCase({
    name: 'HappyPath',
    description: 'DeleteStack by stack id, one poll DELETE_IN_PROGRESS, DELETE_COMPLETE: tenant DELETED, TenantDeprovisioned',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_IN_PROGRESS', { reason: 'User Initiated' }), describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPollsInProgress(1), deleteTenant.deletionPoll],
    ending: deletedAfter(0, 1),
  }),
  markedCase({
    name: 'StackDoesNotExist',
    description: 'DescribeStacks says the stack does not exist: already deleted, success',
    lookups: [stackDoesNotExist(TENANT)],
    states: [deleteTenant.lookupFailed],
    ending: deletedAfter(0, 0),
  }),
  markedCase({
    name: 'StackBusyThenDeletable',
    description: 'CREATE_IN_PROGRESS, then UPDATE_IN_PROGRESS, then UPDATE_COMPLETE: waits twice, then deletes',
    lookups: [
      describeStack(TENANT, 'CREATE_IN_PROGRESS'),
      describeStack(TENANT, 'UPDATE_IN_PROGRESS'),
      complete(TENANT, 'UPDATE_COMPLETE'),
    ],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [
      times(2, [...deleteTenant.lookup, ...deleteTenant.busyWait]),
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
    ],
    ending: deletedAfter(2, 0),
  }),
  markedCase({
    name: 'StackStaysBusy',
    description: 'Still UPDATE_IN_PROGRESS after MaxBusyWaits waits: tenant FAILED, execution fails',
    lookups: [[4, describeStack(TENANT, 'UPDATE_IN_PROGRESS')]],
    states: [times(MAX_BUSY_WAITS, [...deleteTenant.lookup, ...deleteTenant.busyWait]), deleteTenant.lookup, deleteTenant.stayedBusy],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'AlreadyBeingDeleted',
    description: 'DELETE_IN_PROGRESS (another deletion): follows it to DELETE_COMPLETE without calling DeleteStack',
    lookups: [describeStack(TENANT, 'DELETE_IN_PROGRESS')],
    checks: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [deleteTenant.lookup, deleteTenant.deletionPoll],
    ending: deletedAfter(0, 0),
  }),
  markedCase({
    name: 'DeleteRefusedWhileBusy',
    description: 'The stack turns busy between the lookup and DeleteStack: wait, look again, delete',
    lookups: [complete(TENANT, 'CREATE_COMPLETE'), complete(TENANT, 'UPDATE_COMPLETE')],
    deletions: [cannotDelete(TENANT, 'UPDATE_IN_PROGRESS'), deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [
      deleteTenant.lookup,
      deleteTenant.deleteRefused,
      deleteTenant.busyWait,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
    ],
    ending: deletedAfter(1, 0),
  }),
  markedCase({
    name: 'DeleteFailed',
    description: 'DELETE_FAILED: tenant FAILED with the status reason, TenantDeprovisioningFailed, execution fails',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_IN_PROGRESS'), describeStack(TENANT, 'DELETE_FAILED', { reason: DELETE_FAILURE })],
    states: [
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollsInProgress(1),
      deleteTenant.deletionPoll,
      deleteTenant.deletionFailed,
    ],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'DeleteFailedWithoutReason',
    description: 'DELETE_FAILED with no StackStatusReason: a placeholder reason is recorded',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_FAILED')],
    states: [deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPoll, deleteTenant.deletionFailedWithoutReason],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'DeletionPollingGivesUp',
    description: 'Still DELETE_IN_PROGRESS after MaxStackPolls re-polls: tenant FAILED',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [[6, describeStack(TENANT, 'DELETE_IN_PROGRESS')]],
    states: [
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollsInProgress(MAX_STACK_POLLS),
      deleteTenant.deletionPoll,
      deleteTenant.pollingGaveUp,
    ],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'DeleteRejected',
    description: 'DeleteStack fails with another ValidationError (the service role cannot be assumed): tenant FAILED',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [validationError(`Role ${LOCAL_CELL_ROLE_ARN} is invalid or cannot be assumed`)],
    states: [deleteTenant.lookup, deleteTenant.deleteRefused],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'LookupDenied',
    description: 'DescribeStacks fails for another reason than a missing stack: tenant FAILED',
    lookups: [
      validationError(
        `User: arn:aws:sts::123456789012:assumed-role/delete-tenant-role/session is not authorized to perform: cloudformation:DescribeStacks on resource: ${stackId(TENANT)}`,
      ),
    ],
    states: [deleteTenant.lookupFailed],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'LookupThrottledOut',
    description: 'DescribeStacks by name throttled three times: two back-offs, then tenant FAILED (CloudFormationThrottled)',
    lookups: [[3, throttled]],
    states: [times(API_RETRY_MAX_ATTEMPTS, deleteTenant.lookupThrottled), deleteTenant.lookupThrottledOut],
    ending: deprovisioningFailure,
  }),
  {
    workflow: 'delete-tenant',
    name: 'ThrottledThenSucceeds',
    description: 'Every call is throttled once and succeeds on retry',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [activeRecord],
      'Mark tenant absent': [dynamoThrottled, updateItemOk],
      'Find tenant stack': [throttled, complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [throttled, deleteStackOk],
      'Check deletion progress': [throttled, describeStack(TENANT, 'DELETE_COMPLETE')],
      'Record tenant deleted': [dynamoThrottled, updateItemOk],
      'Announce tenant deprovisioned': [putEventsOk],
    },
    // The DynamoDB writes and the progress check are retried by their Retry (no states); the lookup
    // and DeleteStack go through the back-off loop.
    path: path(
      deleteTenant.start,
      deleteTenant.lookupThrottled,
      deleteTenant.lookup,
      deleteTenant.deleteThrottled,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deleted,
    ),
    expect: deletionSucceeded(0, 0),
  },
  markedCase({
    name: 'DeleteThrottledOut',
    description: 'DeleteStack throttled three times: two back-offs, then tenant FAILED (CloudFormationThrottled)',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [[3, throttled]],
    states: [deleteTenant.lookup, times(API_RETRY_MAX_ATTEMPTS, deleteTenant.deleteThrottled), deleteTenant.deleteThrottledOut],
    ending: deprovisioningFailure,
  }),
  {
    workflow: 'delete-tenant',
    name: 'DeletedStackNoLongerListed',
    description: 'The progress check by stack id answers "does not exist" (deleted long ago): tenant DELETED',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [activeRecord],
      'Mark tenant absent': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      // Retried like throttling (same error name) before it is caught.
      'Check deletion progress': [[3, validationError(`Stack with id ${stackId(TENANT)} does not exist`)]],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPollFailed, deleteTenant.deleted),
    expect: deletionSucceeded(0, 0),
  },
  markedCase({
    name: 'ProgressCheckThrottledOut',
    description: 'The progress check is throttled beyond the retries: tenant FAILED',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [[3, throttled]],
    states: [deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPollFailed],
    ending: deprovisioningFailure,
  }),
  invalidIdCase('InvalidTenantId', 'The event detail has no tenantId', lifecycleEvent('TenantDeleted', {})),
  invalidIdCase(
    'TenantIdNotAString',
    'tenantId is a number: rejected before any record is written',
    lifecycleEvent('TenantDeleted', { tenantId: 42 }),
  ),
  invalidIdCase('TenantIdEmpty', 'tenantId is the empty string: rejected before any record is written', deleted('')),
  markedCase({
    name: 'FoundAlreadyDeleted',
    description: 'The lookup lists the stack as DELETE_COMPLETE: tenant DELETED without calling DeleteStack',
    lookups: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [deleteTenant.lookup],
    ending: deletedAfter(0, 0),
  }),
  markedCase({
    name: 'ThrottledAcrossBusyWaits',
    description:
      'Two throttled lookups, a busy stack, two more throttled lookups: a busy wait starts a fresh throttling budget, so the deletion goes ahead',
    lookups: [[2, throttled], describeStack(TENANT, 'UPDATE_IN_PROGRESS'), [2, throttled], complete(TENANT, 'UPDATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [
      times(2, deleteTenant.lookupThrottled),
      deleteTenant.lookup,
      deleteTenant.busyWait,
      times(2, deleteTenant.lookupThrottled),
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
    ],
    ending: deletedAfter(1, 0),
  }),
  markedCase({
    name: 'ModelledThrottlingNameRetried',
    description: 'Lookup and DeleteStack fail once under the modelled name CloudFormation.ThrottlingException: their Retry handles it',
    lookups: [throttledUnderModelledName, complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [throttledUnderModelledName, deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPoll],
    ending: deletedAfter(0, 0),
  }),
  markedCase({
    name: 'LookupCatchAll',
    description:
      'The lookup fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    lookups: [[3, throttledUnderModelledName]],
    states: [deleteTenant.lookupCaughtByCatchAll],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'DeleteCatchAll',
    description:
      'DeleteStack fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [[3, throttledUnderModelledName]],
    states: [deleteTenant.lookup, deleteTenant.deleteStack],
    ending: deprovisioningFailure,
  }),
  markedCase({
    name: 'ProgressCheckCatchAll',
    description:
      'The progress check fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [[3, throttledUnderModelledName]],
    states: [deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPollCaughtByCatchAll],
    ending: deprovisioningFailure,
  }),
  unknownTenantCase(
    'UnknownTenant',
    'No record for the id: a documented no-op for operators and consumers (nothing announced); only the marker that makes an older TenantCreated stale is written',
    deleted(TENANT),
    deleteTenant.unknown,
    deletionSucceeded(0, 0),
  ),
  invalidIdCase(
    'TenantIdForeignCharacters',
    'Upper case and underscore: InvalidTenantId before any read or write',
    deleted('Acme_Corp'),
    deleteTenant.rejectedByCharacterCheck,
  ),
  unknownTenantCase(
    'TenantIdLongerThanTheRule',
    'A 40-character id of allowed characters: nothing in JSONPath measures it, and no record can exist for it (create-tenant never writes one): an unknown tenant, only its expiring marker written',
    deleted('a'.repeat(40)),
    deleteTenant.unknown,
    {
      status: 'SUCCEEDED',
      output: { tenantId: 'a'.repeat(40), stackName: `${local.StackNamePrefix}${'a'.repeat(40)}`, busyWaits: 0, polls: 0 },
    },
  ),
  {
    workflow: 'delete-tenant',
    name: 'TenantIdTooLongForAKey',
    description:
      'A 2,100-character id: GetItem refuses the key (over 2,048 bytes): InvalidTenantId, no raw DynamoDB error, nothing written',
    input: deleted('a'.repeat(2100)),
    mocks: { 'Read tenant record': [keyTooLarge] },
    path: path(deleteTenant.keyRefused),
    expect: invalidTenantId,
  },
  {
    workflow: 'delete-tenant',
    name: 'RecordUnreadable',
    description: 'GetItem fails with another ValidationException: TenantRecordUnreadable, nothing written',
    input: deleted(TENANT),
    mocks: { 'Read tenant record': [keySchemaMismatch] },
    path: path(deleteTenant.readFailed),
    expect: { status: 'FAILED', error: 'TenantRecordUnreadable' },
  },
  invalidIdCase('TenantIdTrailingHyphen', 'tenantId ends with a hyphen: the same rule as create-tenant', deleted('acme-')),
  {
    workflow: 'delete-tenant',
    name: 'UnversionedRecord',
    description: 'A record written before records had versions: marked absent on the condition attribute_not_exists(version)',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [unversionedTenantRecord(TENANT, 'ACTIVE')],
      'Mark tenant absent': [updateItemOk],
      'Find tenant stack': [stackDoesNotExist(TENANT)],
      ...deprovisioned,
    },
    path: path(deleteTenant.startUnversioned, deleteTenant.lookupFailed, deleteTenant.deleted),
    expect: deletionSucceeded(0, 0),
  },
  {
    workflow: 'delete-tenant',
    name: 'RecordWithoutCell',
    description: 'A versioned record written before cells existed (no cell): its stack is looked for and deleted in the home cell',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [tenantRecord(TENANT, { status: 'ACTIVE', desired: 'PRESENT', version: 2, withoutCell: true })],
      'Mark tenant absent': [updateItemOk],
      'Find tenant stack': [stackDoesNotExist(TENANT)],
      ...deprovisioned,
    },
    path: path(deleteTenant.startWithoutCell, deleteTenant.lookupFailed, deleteTenant.deleted),
    expect: deletionSucceeded(0, 0),
  },
  {
    workflow: 'delete-tenant',
    name: 'MarkConflict',
    description: 'The record moved between read and mark (a create claimed it): ConditionalCheckFailed, read again, mark again',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [activeRecord, tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 4 })],
      'Mark tenant absent': [conditionFailed, updateItemOk],
      'Find tenant stack': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.markAgain, deleteTenant.lookup, deleteTenant.deleted),
    expect: deletionSucceeded(0, 0),
  },
  markedCase({
    name: 'DeletedRecordMoved',
    description:
      'Recording DELETED fails its condition (the create withdrawing its stack wrote DELETED first): read again, still ABSENT, write on the new version, announce',
    lookups: [describeStack(TENANT, 'DELETE_COMPLETE')],
    states: [deleteTenant.lookup, deleteTenant.recordDeleted, deleteTenant.reread, deleteTenant.adopt, deleteTenant.deleted],
    outcomeMocks: {
      'Record tenant deleted': [conditionFailed, updateItemOk],
      'Read record again': [absentRecord(5)],
      'Announce tenant deprovisioned': [putEventsOk],
    },
    expect: deletionSucceeded(0, 0),
  }),
  markedCase({
    name: 'SupersededByCreate',
    description: 'A TenantCreated claimed the tenant again before DELETED was written: the deletion ends, no write, no announcement',
    lookups: [stackDoesNotExist(TENANT)],
    states: [deleteTenant.lookupFailed, deleteTenant.recordDeleted, deleteTenant.reread, deleteTenant.superseded],
    outcomeMocks: { 'Record tenant deleted': [conditionFailed], 'Read record again': [reclaimedRecord] },
    expect: deletionSucceeded(0, 0),
  }),
  markedCase({
    name: 'FailedRecordMoved',
    description: 'Recording FAILED fails its condition: read again, still ABSENT, FAILED written on the new version',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_FAILED', { reason: DELETE_FAILURE })],
    states: [
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deletionFailed,
      deleteTenant.recordFailed,
      deleteTenant.reread,
      deleteTenant.adopt,
      deleteTenant.failed,
    ],
    outcomeMocks: {
      'Record tenant failed': [conditionFailed, updateItemOk],
      'Read record again': [absentRecord(5, 'DEPROVISIONING')],
      'Announce deprovisioning failure': [putEventsOk],
    },
    expect: deprovisioningFailedResult,
  }),
  markedCase({
    name: 'NotificationRetried',
    description: 'PutEvents throttled, then one failed entry, then accepted: TenantDeprovisioned sent, success',
    lookups: [stackDoesNotExist(TENANT)],
    states: [deleteTenant.lookupFailed, deleteTenant.deleted],
    outcomeMocks: {
      'Record tenant deleted': [updateItemOk],
      'Announce tenant deprovisioned': [putEventsThrottled, putEventsFailedEntry, putEventsOk],
    },
    expect: deletionSucceeded(0, 0),
  }),
  markedCase({
    name: 'NotificationFailed',
    description: 'PutEvents keeps failing: the tenant stays DELETED, the record notes the pending notification, NotificationFailed',
    lookups: [stackDoesNotExist(TENANT)],
    states: [deleteTenant.lookupFailed, deleteTenant.recordDeleted, ['Announce tenant deprovisioned'], deleteTenant.notificationFailed],
    outcomeMocks: {
      'Record tenant deleted': [updateItemOk],
      'Announce tenant deprovisioned': [[3, putEventsFailedEntry]],
      'Record notification pending': [updateItemOk],
    },
    expect: { status: 'FAILED', error: 'NotificationFailed' },
  }),
  markedCase({
    name: 'NotificationFailedRecordMoved',
    description:
      'The failure announcement cannot be sent and the record moved on since: nothing noted (a newer execution owns it), NotificationFailed',
    lookups: [complete(TENANT, 'CREATE_COMPLETE')],
    deletions: [deleteStackOk],
    checks: [describeStack(TENANT, 'DELETE_FAILED', { reason: DELETE_FAILURE })],
    states: [
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deletionFailed,
      deleteTenant.recordFailed,
      ['Announce deprovisioning failure'],
      deleteTenant.notificationFailed,
    ],
    outcomeMocks: {
      'Record tenant failed': [updateItemOk],
      'Announce deprovisioning failure': [[3, putEventsThrottled]],
      'Record notification pending': [conditionFailed],
    },
    expect: { status: 'FAILED', error: 'NotificationFailed' },
  }),
  {
    workflow: 'delete-tenant',
    name: 'RacingCreateAndThrottling',
    description:
      'A create claims the record between read and mark, the lookup is throttled around a busy stack, and the create withdrawing its stack writes DELETED first: every conflict re-read, the announcement retried once',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [activeRecord, tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 4 })],
      'Mark tenant absent': [conditionFailed, updateItemOk],
      'Find tenant stack': [
        [2, throttled],
        describeStack(TENANT, 'CREATE_IN_PROGRESS'),
        [2, throttled],
        [2, complete(TENANT, 'CREATE_COMPLETE')],
      ],
      'Delete tenant stack': [cannotDelete(TENANT, 'UPDATE_IN_PROGRESS'), deleteStackOk],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_IN_PROGRESS'), describeStack(TENANT, 'DELETE_COMPLETE')],
      'Record tenant deleted': [dynamoThrottled, conditionFailed, updateItemOk],
      'Read record again': [absentRecord(7)],
      'Announce tenant deprovisioned': [putEventsThrottled, putEventsOk],
    },
    path: path(
      deleteTenant.start,
      deleteTenant.markAgain,
      times(2, deleteTenant.lookupThrottled),
      deleteTenant.lookup,
      deleteTenant.busyWait,
      times(2, deleteTenant.lookupThrottled),
      deleteTenant.lookup,
      deleteTenant.deleteRefused,
      deleteTenant.busyWait,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollsInProgress(1),
      deleteTenant.deletionPoll,
      deleteTenant.recordDeleted,
      deleteTenant.reread,
      deleteTenant.adopt,
      deleteTenant.deleted,
    ),
    expect: deletionSucceeded(2, 1),
  },
  markedCase({
    name: 'RecordVanished',
    description:
      'The record is gone when read again after a refused write (removed by an operator): the deletion ends, no write, no announcement',
    lookups: [stackDoesNotExist(TENANT)],
    states: [deleteTenant.lookupFailed, deleteTenant.recordDeleted, deleteTenant.reread, deleteTenant.superseded],
    outcomeMocks: { 'Record tenant deleted': [conditionFailed], 'Read record again': [noTenantRecord] },
    expect: deletionSucceeded(0, 0),
  }),
  unknownTenantCase(
    'UnknownTenantWithoutTime',
    'An input without a time (a StartExecution by hand): the execution start time is the event time of the marker',
    deletedWithoutTime(),
    deleteTenant.unknownWithoutTime,
    deletionSucceeded(0, 0),
  ),
  {
    workflow: 'delete-tenant',
    name: 'MarkerRefreshed',
    description:
      'A later TenantDeleted for the same unknown tenant finds its marker: refreshed (newer desiredAt and expiry), nothing announced',
    input: { ...deleted(TENANT), time: LATER },
    mocks: {
      'Read tenant record': [
        recordDesiredAt({ status: 'DELETED', desired: 'ABSENT', version: 1, generation: 0 }, EVENT_TIME, '1770249600'),
      ],
      'Record absent marker': [dynamoThrottled, updateItemOk],
    },
    path: path(deleteTenant.markerAgain),
    expect: deletionSucceeded(0, 0),
  },
  {
    workflow: 'delete-tenant',
    name: 'MarkerLostToCreate',
    description:
      'A create claimed the tenant between the read (no record) and the marker write: ConditionalCheckFailed, read again, and the delete marks the claimed tenant absent',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [noTenantRecord, recordDesiredAt({ status: 'PROVISIONING', desired: 'PRESENT', version: 1 }, EVENT_TIME)],
      'Record absent marker': [conditionFailed],
      'Mark tenant absent': [updateItemOk],
      'Find tenant stack': [stackDoesNotExist(TENANT)],
      ...deprovisioned,
    },
    path: path(deleteTenant.markerConflict, deleteTenant.markAgain, deleteTenant.lookupFailed, deleteTenant.deleted),
    expect: deletionSucceeded(0, 0),
  },
  {
    workflow: 'delete-tenant',
    name: 'StaleBehindNewerCreate',
    description:
      'A TenantDeleted older than the TenantCreated that set desired PRESENT (a reordered delivery): stale, nothing written, no stack call',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [recordDesiredAt({ status: 'ACTIVE', desired: 'PRESENT', version: 2, stackId: stackId(TENANT) }, LATER)],
    },
    path: path(deleteTenant.stale),
    expect: deletionSucceeded(0, 0),
  },
  {
    workflow: 'delete-tenant',
    name: 'StaleAfterMarkConflict',
    description: 'The mark lost to a newer TenantCreated that claimed between read and mark: read again, stale, nothing written',
    input: deleted(TENANT),
    mocks: {
      'Read tenant record': [
        recordDesiredAt({ status: 'ACTIVE', desired: 'PRESENT', version: 2, stackId: stackId(TENANT) }, EVENT_TIME),
        recordDesiredAt({ status: 'PROVISIONING', desired: 'PRESENT', version: 3, stackId: stackId(TENANT) }, LATER),
      ],
      'Mark tenant absent': [conditionFailed],
    },
    path: path(deleteTenant.start, deleteTenant.staleAfterConflict),
    expect: deletionSucceeded(0, 0),
  },
];
