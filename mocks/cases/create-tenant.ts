/** The mocked test cases of create-tenant: one per branch (see mocks/test-cases.ts). */
import {
  alreadyExists,
  cloudFormationError,
  createStackOk,
  describeStack,
  dynamoThrottled,
  lifecycleEvent,
  putEventsOk,
  stackDoesNotExist,
  stackId,
  TEMPLATE_VERSION,
  throttled,
  updateItemOk,
  validationError,
  conditionFailed,
  deleteStackOk,
  noTenantRecord,
  putEventsFailedEntry,
  putEventsThrottled,
  tenantRecord,
  keyTooLarge,
  keySchemaMismatch,
  throttledUnderModelledName,
  childExecution,
  cloudFormationError as modelledError,
  type MockedOutcome,
  type TenantRecordFields,
} from '../responses';
import { createTenant, MAX_STACK_POLLS, path } from '../paths';
import { TENANT, created, ROLLBACK_REASON, complete, local, pinnedUrl, type Expectation, type MockTestCase, type Step } from './common';

const CREATE_FAILURE = 'The following resource(s) failed to create: [TenantDataTable]. ';

/** The time of the catalogue's events (mocks/responses.ts lifecycleEvent) and times around it. */
const EVENT_TIME = '2026-01-05T10:00:00Z';
const LATER = '2026-01-05T10:00:01Z';
const EARLIER = '2026-01-05T09:59:59Z';
/** A TenantCreated that happened at `time`, or one without a time (a StartExecution by hand). */
const createdAt = (time: string) => ({ ...created(TENANT), time });
const createdWithoutTime = () => {
  const { time: _time, ...event } = created(TENANT);
  return event;
};
/** A tenant record whose desired state was set by an event at `desiredAt`. */
function recordDesiredAt(fields: TenantRecordFields, desiredAt: string): MockedOutcome {
  const { Return } = tenantRecord(TENANT, fields) as { Return: { Item: Record<string, unknown> } };
  return { Return: { ...Return, Item: { ...Return.Item, desiredAt: { S: desiredAt } } } };
}
/** LATEST in the release table (docs/rollouts.md): release N, seq S, the pinned template. */
const latestRelease = (release: number, seq: number, templateUrl = pinnedUrl): MockedOutcome => ({
  Return: {
    ...(noTenantRecord as { Return: object }).Return,
    Item: {
      id: { S: 'LATEST' },
      release: { N: String(release) },
      templateRelease: { N: String(release) },
      seq: { N: String(seq) },
      templateUrl: { S: templateUrl },
    },
  },
});
const createdWithTier = (tier: unknown) => ({ ...created(TENANT), detail: { tenantId: TENANT, tier } });
/** LATEST read again, the same release (or an older one) as the create used: nothing to catch up. */
const sameLateRelease = ['Read latest release again', 'Is a release recorded now?', 'Note latest release', 'Did a newer release land?'];
const tokenAlreadyExists = modelledError('TokenAlreadyExistsException', 'Request token create-acme-1 already exists.');

/** The marker a TenantDeleted leaves for a tenant without a record (delete-tenant, Record absent marker). */
const absentMarker = (desiredAt: string) => {
  const { Return } = recordDesiredAt({ status: 'DELETED', desired: 'ABSENT', version: 1, generation: 0 }, desiredAt) as {
    Return: { Item: Record<string, unknown> };
  };
  return { Return: { ...Return, Item: { ...Return.Item, expiresAt: { N: '1770249600' } } } } as MockedOutcome;
};

/** Mocks of the create workflow's happy tail once the stack is complete. */
/** No record yet, and the claim that creates it. */
const claimed = {
  'Read tenant record': [noTenantRecord],
  'Claim tenant': [updateItemOk],
};
const activeRecord = tenantRecord(TENANT, { status: 'ACTIVE', desired: 'PRESENT', version: 2, stackId: stackId(TENANT) });

const provisioned = {
  'Record tenant active': [updateItemOk],
  'Announce tenant provisioned': [putEventsOk],
};
const provisioningFailed = {
  'Record tenant failed': [updateItemOk],
  'Announce provisioning failure': [putEventsOk],
};
const tenantOutput = (polls: number) => ({
  tenantId: TENANT,
  stackName: `${local.StackNamePrefix}${TENANT}`,
  foreignCharacterRuns: 0,
  polls,
});
const provisionedOutput = { stackId: stackId(TENANT), templateVersions: [TEMPLATE_VERSION] };

/** What a create ends in: TenantProvisioned, TenantProvisioningFailed, or no tenant of its own (stale, withdrawn, superseded) after `polls` polls. */
const provisionedResult: Expectation = { status: 'SUCCEEDED', output: provisionedOutput };
const provisioningFailure: Expectation = { status: 'FAILED', error: 'TenantProvisioningFailed' };
const endedWithoutTenant = (polls: number): Expectation => ({ status: 'SUCCEEDED', output: tenantOutput(polls) });
const invalidTenantId: Expectation = { status: 'FAILED', error: 'InvalidTenantId' };

const invalidIdCase = (
  name: string,
  description: string,
  detail: Record<string, unknown>,
  rejectedBy: readonly string[] = createTenant.rejectedByFirstCheck,
): MockTestCase => ({
  workflow: 'create-tenant',
  name,
  description,
  input: lifecycleEvent('TenantCreated', detail),
  mocks: {},
  path: path(rejectedBy),
  expect: invalidTenantId,
});

/**
 * Unless a case mocks them, LATEST is read as absent (no release recorded yet): once per entry of
 * 'Read latest release' / 'Read latest release again' in its path.
 */
function withoutRelease(testCase: MockTestCase): MockTestCase {
  const mocks = { ...testCase.mocks };
  for (const state of ['Read latest release', 'Read latest release again']) {
    const reads = testCase.path.filter((entered) => entered === state).length;
    if (reads > 0 && mocks[state] === undefined) mocks[state] = [[reads, noTenantRecord]];
  }
  return { ...testCase, mocks };
}

/** The usual endings of a create: the mocks they take, the states they enter, what the execution ends in. */
type CreateEnding = 'provisioned' | 'announced' | 'failed';
const endings: Record<CreateEnding, { mocks: MockTestCase['mocks']; path: string[]; expect: Expectation }> = {
  provisioned: { mocks: provisioned, path: createTenant.provisioned, expect: provisionedResult },
  /** Provisioned, the states after ACTIVE spelled by the case (what LATEST read again said). */
  announced: { mocks: provisioned, path: createTenant.announced, expect: provisionedResult },
  failed: { mocks: provisioningFailed, path: createTenant.failed, expect: provisioningFailure },
};

const rolledBackStack = describeStack(TENANT, 'ROLLBACK_COMPLETE', { reason: ROLLBACK_REASON });

/**
 * A first create (no record; CreateStack accepted, then the claim) whose polls DescribeStacks
 * answers with `describes`; `polls` are the states from the first poll to the ending's.
 * (Mock keys keep the catalogue's order: it is the order of MockConfigFile.json.)
 */
function firstCreateCase(c: {
  name: string;
  description: string;
  describes: Step[];
  polls: string[][];
  ending: CreateEnding;
  /** An input other than the tenant's TenantCreated, and the states it takes up to the claim. */
  input?: unknown;
  upToClaim?: string[];
  /** Mocks after the ending's (LATEST read again and the catch-up). */
  lateMocks?: MockTestCase['mocks'];
}): MockTestCase {
  const ending = endings[c.ending];
  return {
    workflow: 'create-tenant',
    name: c.name,
    description: c.description,
    input: c.input ?? created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      ...claimed,
      'Describe tenant stack': c.describes,
      ...ending.mocks,
      ...c.lateMocks,
    },
    path: path(c.upToClaim ?? createTenant.createStack, ...c.polls, ending.path),
    expect: ending.expect,
  };
}

/** The record's desiredAt is newer than the event's time (or a TenantDeleted's of the same second): stale, nothing written, no stack call. */
function staleCase(name: string, description: string, eventTime: string, record: MockedOutcome): MockTestCase {
  return {
    workflow: 'create-tenant',
    name,
    description,
    input: createdAt(eventTime),
    mocks: { 'Read tenant record': [record] },
    path: path(createTenant.stale),
    expect: endedWithoutTenant(0),
  };
}

/** No record; CreateStack answered `answers` (a refusal, after its Retry where it has one); `states` up to the failure note. */
function refusedCreateCase(name: string, description: string, answers: Step[], states: string[]): MockTestCase {
  return {
    workflow: 'create-tenant',
    name,
    description,
    input: created(TENANT),
    mocks: { ...claimed, 'Create tenant stack': answers, ...provisioningFailed },
    path: path(states, createTenant.failed),
    expect: provisioningFailure,
  };
}

/**
 * A first create (claimed, CreateStack accepted) whose stack DescribeStacks answered with
 * `describes`, then what the case mocks after that; `after` are the states after the claim.
 */
function createdStackCase(c: {
  name: string;
  description: string;
  describes: Step[];
  mocks: MockTestCase['mocks'];
  after: string[][];
  expect: Expectation;
}): MockTestCase {
  return {
    workflow: 'create-tenant',
    name: c.name,
    description: c.description,
    input: created(TENANT),
    mocks: { ...claimed, 'Create tenant stack': [createStackOk(TENANT)], 'Describe tenant stack': c.describes, ...c.mocks },
    path: path(createTenant.createStack, ...c.after),
    expect: c.expect,
  };
}

/**
 * A TenantCreated for a FAILED tenant (or `record`): a new generation whose CreateStack finds the
 * earlier stack (AlreadyExists), polled as `describes` (ROLLBACK_COMPLETE), then deleted by id
 * (`deletion`, its checks `deletionChecks`) and, with `recreate`, created again; `after` are the
 * states after the failed stack's DeleteStack.
 */
function rolledBackStackCase(c: {
  name: string;
  description: string;
  record?: MockedOutcome;
  recreate?: Step[];
  describes?: Step[];
  deletion?: Step[];
  deletionChecks?: Step[];
  after: string[][];
  ending: CreateEnding;
}): MockTestCase {
  const ending = endings[c.ending];
  return {
    workflow: 'create-tenant',
    name: c.name,
    description: c.description,
    input: created(TENANT),
    mocks: {
      'Read tenant record': [c.record ?? tenantRecord(TENANT, { status: 'FAILED', desired: 'PRESENT', version: 3 })],
      'Claim tenant': [updateItemOk],
      'Create tenant stack': [alreadyExists(TENANT)],
      ...(c.recreate && { 'Create tenant stack again': c.recreate }),
      'Describe tenant stack': c.describes ?? [rolledBackStack],
      'Delete failed stack': c.deletion ?? [deleteStackOk],
      ...(c.deletionChecks && { 'Check failed stack deletion': c.deletionChecks }),
      ...ending.mocks,
    },
    path: path(createTenant.createStackNewGeneration, createTenant.poll, createTenant.deleteFailedStack, ...c.after, ending.path),
    expect: ending.expect,
  };
}

const cases: MockTestCase[] = [
  firstCreateCase({
    name: 'HappyPath',
    description: 'CreateStack, one poll in progress, CREATE_COMPLETE: tenant ACTIVE with stack id and template version, TenantProvisioned',
    describes: [describeStack(TENANT, 'CREATE_IN_PROGRESS', { reason: 'User Initiated' }), complete(TENANT, 'CREATE_COMPLETE')],
    polls: [createTenant.pollsInProgress(1), createTenant.poll],
    ending: 'provisioned',
  }),
  firstCreateCase({
    name: 'StackBusyForSeveralPolls',
    description: 'The stack stays CREATE_IN_PROGRESS for three polls, then CREATE_COMPLETE',
    describes: [[3, describeStack(TENANT, 'CREATE_IN_PROGRESS', { reason: 'User Initiated' })], complete(TENANT, 'CREATE_COMPLETE')],
    polls: [createTenant.pollsInProgress(3), createTenant.poll],
    ending: 'provisioned',
  }),
  firstCreateCase({
    name: 'CreateFailed',
    description: 'CREATE_FAILED (rollback disabled): tenant FAILED with the status reason, TenantProvisioningFailed, execution fails',
    describes: [describeStack(TENANT, 'CREATE_IN_PROGRESS'), describeStack(TENANT, 'CREATE_FAILED', { reason: CREATE_FAILURE })],
    polls: [createTenant.pollsInProgress(1), createTenant.poll, createTenant.stackFailed],
    ending: 'failed',
  }),
  firstCreateCase({
    name: 'RolledBack',
    description: 'ROLLBACK_IN_PROGRESS (still polled) then ROLLBACK_COMPLETE: tenant FAILED, execution fails',
    describes: [
      describeStack(TENANT, 'CREATE_IN_PROGRESS'),
      describeStack(TENANT, 'ROLLBACK_IN_PROGRESS', { reason: ROLLBACK_REASON }),
      rolledBackStack,
    ],
    polls: [createTenant.pollsInProgress(2), createTenant.poll, createTenant.stackFailed],
    ending: 'failed',
  }),
  firstCreateCase({
    name: 'RollbackFailedWithoutReason',
    description: 'ROLLBACK_FAILED with no StackStatusReason: a placeholder reason is recorded',
    describes: [describeStack(TENANT, 'ROLLBACK_FAILED')],
    polls: [createTenant.poll, createTenant.stackFailedWithoutReason],
    ending: 'failed',
  }),
  firstCreateCase({
    name: 'PollingGivesUp',
    description: 'Still CREATE_IN_PROGRESS after MaxStackPolls re-polls: tenant FAILED (StackOperationTimedOut)',
    describes: [[6, describeStack(TENANT, 'CREATE_IN_PROGRESS')]],
    polls: [createTenant.pollsInProgress(MAX_STACK_POLLS), createTenant.poll, createTenant.pollingGaveUp],
    ending: 'failed',
  }),
  {
    workflow: 'create-tenant',
    name: 'DuplicateEvent',
    description:
      'A TenantCreated for an ACTIVE tenant joins its generation; the stack already exists (AlreadyExistsException): converge on it',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [activeRecord],
      'Claim tenant': [updateItemOk],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Describe tenant stack': [complete(TENANT, 'UPDATE_COMPLETE')],
      ...provisioned,
    },
    path: path(createTenant.createStackSameGeneration, createTenant.poll, createTenant.provisioned),
    expect: provisionedResult,
  },
  {
    workflow: 'create-tenant',
    name: 'DuplicateOfRecordWithoutCell',
    description:
      'A TenantCreated for an ACTIVE tenant recorded before cells existed (a stack name, no cell): its stack is in the home cell, which the claim records',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [
        tenantRecord(TENANT, { status: 'ACTIVE', desired: 'PRESENT', version: 2, stackId: stackId(TENANT), withoutCell: true }),
      ],
      'Claim tenant': [updateItemOk],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      ...provisioned,
    },
    path: path(createTenant.createStackLegacyRecord('Note same generation'), createTenant.poll, createTenant.provisioned),
    expect: provisionedResult,
  },
  invalidIdCase(
    'InvalidTenantId',
    'Uppercase and underscore break the character set: no stack, no record',
    { tenantId: 'Acme_Corp' },
    createTenant.rejectedByCharacterCheck,
  ),
  invalidIdCase('MissingTenantId', 'The event detail has no tenantId', { name: 'Acme Corp' }),
  invalidIdCase('TenantIdNotAString', 'tenantId is a number', { tenantId: 42 }),
  invalidIdCase('TenantIdEmpty', 'tenantId is the empty string', { tenantId: '' }),
  invalidIdCase('TenantIdLeadingHyphen', 'tenantId starts with a hyphen', { tenantId: '-acme' }),
  invalidIdCase('TenantIdTrailingHyphen', 'tenantId ends with a hyphen', { tenantId: 'acme-' }),
  {
    workflow: 'create-tenant',
    name: 'TenantIdTooLong',
    description:
      'A 33-character id passes the character checks; CloudFormation refuses the TenantId parameter (MaxLength 32) before the record is written',
    input: created('a'.repeat(33)),
    mocks: {
      'Read tenant record': [noTenantRecord],
      // A ValidationError is retried like throttling (same error name) before it is caught.
      'Create tenant stack': [[3, validationError("Parameter 'TenantId' must contain at most 32 characters")]],
    },
    path: path(createTenant.createRefusedInvalidId),
    expect: invalidTenantId,
  },
  {
    workflow: 'create-tenant',
    name: 'TenantIdTooLongForAKey',
    description: 'A 2,100-character id: GetItem refuses the key (over 2,048 bytes): InvalidTenantId, not a raw DynamoDB error',
    input: created('a'.repeat(2100)),
    mocks: { 'Read tenant record': [keyTooLarge] },
    path: path(createTenant.keyRefused),
    expect: invalidTenantId,
  },
  {
    workflow: 'create-tenant',
    name: 'RecordUnreadable',
    description: 'GetItem fails with another ValidationException: the execution fails TenantRecordUnreadable, nothing written',
    input: created(TENANT),
    mocks: { 'Read tenant record': [keySchemaMismatch] },
    path: path(createTenant.readFailed),
    expect: { status: 'FAILED', error: 'TenantRecordUnreadable' },
  },
  refusedCreateCase(
    'CreateRejected',
    'CreateStack fails with another ValidationError: tenant FAILED, execution fails',
    [[3, validationError('Template format error: Unresolved resource dependencies [TenantTable] in the Resources block of the template')]],
    createTenant.createRefused,
  ),
  refusedCreateCase(
    'CapabilitiesMissing',
    'A modelled CloudFormation error (InsufficientCapabilitiesException) is caught by States.ALL: tenant FAILED',
    [cloudFormationError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]')],
    createTenant.createFailed,
  ),
  {
    workflow: 'create-tenant',
    name: 'ThrottledThenSucceeds',
    description: 'CreateStack, the DynamoDB write and DescribeStacks are each throttled once and succeed on retry',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [throttled, createStackOk(TENANT)],
      'Read tenant record': [noTenantRecord],
      'Claim tenant': [dynamoThrottled, updateItemOk],
      'Describe tenant stack': [throttled, complete(TENANT, 'CREATE_COMPLETE')],
      ...provisioned,
    },
    path: path(createTenant.createStack, createTenant.poll, createTenant.provisioned),
    expect: provisionedResult,
  },
  refusedCreateCase(
    'ThrottlingOutlastsRetries',
    'CreateStack is throttled on the first call and both retries: caught, not taken for a refused tenant id; tenant FAILED, execution fails',
    [[3, throttled]],
    createTenant.createRefused,
  ),
  firstCreateCase({
    name: 'StackVanished',
    description: 'The stack disappears while being polled (deleted by someone): tenant FAILED',
    // "does not exist" shares the generic error name with throttling, so it is retried before it is caught.
    describes: [describeStack(TENANT, 'CREATE_IN_PROGRESS'), [3, stackDoesNotExist(TENANT)]],
    polls: [createTenant.pollsInProgress(1), createTenant.pollFailedChecked],
    ending: 'failed',
  }),
  firstCreateCase({
    name: 'PollingThrottledOut',
    description: 'DescribeStacks while polling is throttled on the first call and both retries: tenant FAILED',
    describes: [[3, throttled]],
    polls: [createTenant.pollFailedChecked],
    ending: 'failed',
  }),
  {
    workflow: 'create-tenant',
    name: 'TenantIdForeignCharacterAndTooLong',
    description: 'Too long and an upper-case letter: one rejection, no read',
    input: created(`A${'b'.repeat(40)}`),
    mocks: {},
    path: path(createTenant.rejectedByCharacterCheck),
    expect: invalidTenantId,
  },
  {
    workflow: 'create-tenant',
    name: 'ClaimConflict',
    description: 'Two creates race for a new tenant: the claim fails its condition, the record is read again and the duplicate joins',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [noTenantRecord, tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 1 })],
      'Claim tenant': [conditionFailed, updateItemOk],
      'Create tenant stack': [createStackOk(TENANT), createStackOk(TENANT)],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      ...provisioned,
    },
    path: path(
      createTenant.claimConflict,
      createTenant.afterClaimConflict('Note same generation'),
      createTenant.poll,
      createTenant.provisioned,
    ),
    expect: provisionedResult,
  },
  rolledBackStackCase({
    name: 'RecreateAfterFailedCreate',
    description:
      'A TenantCreated for a FAILED tenant: new generation; the ROLLBACK_COMPLETE stack is deleted (by id), then created again: ACTIVE',
    recreate: [createStackOk(TENANT)],
    describes: [rolledBackStack, complete(TENANT, 'CREATE_COMPLETE')],
    deletionChecks: [describeStack(TENANT, 'DELETE_IN_PROGRESS'), describeStack(TENANT, 'DELETE_COMPLETE')],
    after: [
      createTenant.failedStackDeletionPollsInProgress(1),
      createTenant.failedStackDeletionPoll,
      createTenant.recreated,
      createTenant.poll,
    ],
    ending: 'provisioned',
  }),
  rolledBackStackCase({
    name: 'RecreateRollsBackAgain',
    description: 'The re-created stack rolls back too: recreated once only, the tenant is FAILED',
    recreate: [createStackOk(TENANT)],
    describes: [[2, rolledBackStack]],
    deletionChecks: [describeStack(TENANT, 'DELETE_COMPLETE')],
    after: [createTenant.failedStackDeletionPoll, createTenant.recreated, createTenant.poll, createTenant.stackFailed],
    ending: 'failed',
  }),
  rolledBackStackCase({
    name: 'FailedStackDeletionFails',
    description: 'Deleting the rolled-back stack ends DELETE_FAILED without a reason: tenant FAILED with a placeholder reason',
    record: tenantRecord(TENANT, { status: 'DELETED', desired: 'ABSENT', version: 4 }),
    deletionChecks: [describeStack(TENANT, 'DELETE_FAILED')],
    after: [createTenant.failedStackDeletionPoll, createTenant.stackFailedWithoutReason],
    ending: 'failed',
  }),
  rolledBackStackCase({
    name: 'FailedStackDeletionGivesUp',
    description: 'The rolled-back stack stays DELETE_IN_PROGRESS beyond MaxStackPolls: tenant FAILED (StackOperationTimedOut)',
    deletionChecks: [[MAX_STACK_POLLS + 1, describeStack(TENANT, 'DELETE_IN_PROGRESS')]],
    after: [
      createTenant.failedStackDeletionPollsInProgress(MAX_STACK_POLLS),
      createTenant.failedStackDeletionPoll,
      createTenant.pollingGaveUp,
    ],
    ending: 'failed',
  }),
  rolledBackStackCase({
    name: 'FailedStackDeletionRefused',
    description: 'DeleteStack of the rolled-back stack fails beyond its retries, then the check: tenant FAILED',
    deletion: [[3, throttled]],
    after: [],
    ending: 'failed',
  }),
  rolledBackStackCase({
    name: 'FailedStackCheckThrottledOut',
    description: 'The deletion check of the rolled-back stack is throttled beyond its retries: tenant FAILED',
    deletionChecks: [[3, throttled]],
    after: [['Wait for failed stack deletion', 'Check failed stack deletion']],
    ending: 'failed',
  }),
  createdStackCase({
    name: 'DeletedWhileCreating',
    description:
      'A TenantDeleted marked the tenant ABSENT while the stack was created: recording ACTIVE fails its condition, the workflow deletes the stack it made and records DELETED (no TenantProvisioned)',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [conditionFailed],
      'Read record again': [tenantRecord(TENANT, { status: 'DEPROVISIONING', desired: 'ABSENT', version: 2 })],
      'Delete withdrawn stack': [deleteStackOk],
      'Check withdrawn stack deletion': [describeStack(TENANT, 'DELETE_IN_PROGRESS'), describeStack(TENANT, 'DELETE_COMPLETE')],
      'Record tenant withdrawn': [updateItemOk],
    },
    after: [
      createTenant.poll,
      createTenant.readVersion,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPollsInProgress(1),
      createTenant.withdrawnStackPoll,
      createTenant.withdrawn,
    ],
    expect: endedWithoutTenant(1),
  }),
  createdStackCase({
    name: 'WithdrawalRecordMoved',
    description:
      'delete-tenant wrote DELETED while the create deleted its stack too: recording DELETED fails its condition, read again, delete again (DeleteStack of a deleted stack succeeds), record',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [conditionFailed],
      'Read record again': [
        tenantRecord(TENANT, { status: 'DEPROVISIONING', desired: 'ABSENT', version: 2 }),
        tenantRecord(TENANT, { status: 'DELETED', desired: 'ABSENT', version: 3 }),
      ],
      'Delete withdrawn stack': [deleteStackOk, deleteStackOk],
      'Check withdrawn stack deletion': [[2, describeStack(TENANT, 'DELETE_COMPLETE')]],
      'Record tenant withdrawn': [conditionFailed, updateItemOk],
    },
    after: [
      createTenant.poll,
      createTenant.readVersion,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPoll,
      ['Record tenant withdrawn'],
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPoll,
      createTenant.withdrawn,
    ],
    expect: endedWithoutTenant(0),
  }),
  createdStackCase({
    name: 'WithdrawalFails',
    description: 'The withdrawn stack ends DELETE_FAILED, then its deletion gives up, or DeleteStack fails: recorded as a failure',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [conditionFailed],
      'Read record again': [[3, tenantRecord(TENANT, { status: 'DEPROVISIONING', desired: 'ABSENT', version: 2 })]],
      'Delete withdrawn stack': [deleteStackOk, deleteStackOk, [3, throttled]],
      'Check withdrawn stack deletion': [
        describeStack(TENANT, 'DELETE_FAILED', { reason: 'The following resource(s) failed to delete: [AppRole]. ' }),
        [MAX_STACK_POLLS + 1, describeStack(TENANT, 'DELETE_IN_PROGRESS')],
      ],
      'Record tenant failed': [conditionFailed, conditionFailed, updateItemOk],
      'Announce provisioning failure': [putEventsOk],
    },
    after: [
      createTenant.poll,
      createTenant.readVersion,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPoll,
      createTenant.stackFailed,
      createTenant.recordFailed,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPollsInProgress(MAX_STACK_POLLS),
      createTenant.withdrawnStackPoll,
      createTenant.pollingGaveUp,
      createTenant.recordFailed,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.failed,
    ],
    expect: provisioningFailure,
  }),
  createdStackCase({
    name: 'WithdrawalCheckFails',
    description: 'The deletion check of the withdrawn stack fails beyond its retries; its status then has no reason: recorded as a failure',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [conditionFailed],
      'Read record again': [[2, tenantRecord(TENANT, { status: 'DEPROVISIONING', desired: 'ABSENT', version: 2 })]],
      'Delete withdrawn stack': [deleteStackOk, deleteStackOk],
      'Check withdrawn stack deletion': [[3, throttled], describeStack(TENANT, 'DELETE_FAILED')],
      'Record tenant failed': [conditionFailed, updateItemOk],
      'Announce provisioning failure': [putEventsOk],
    },
    after: [
      createTenant.poll,
      createTenant.readVersion,
      createTenant.reread,
      createTenant.withdraw,
      ['Wait for withdrawn stack deletion', 'Check withdrawn stack deletion'],
      createTenant.recordFailed,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPoll,
      createTenant.stackFailedWithoutReason,
      createTenant.failed,
    ],
    expect: provisioningFailure,
  }),
  createdStackCase({
    name: 'DeletedBeforeStackFailed',
    description:
      'The stack failed and the tenant was deleted meanwhile: recording FAILED fails its condition; desired ABSENT, nothing to keep: withdrawn',
    describes: [describeStack(TENANT, 'CREATE_FAILED', { reason: CREATE_FAILURE })],
    mocks: {
      'Record tenant failed': [conditionFailed],
      'Read record again': [tenantRecord(TENANT, { status: 'DELETED', desired: 'ABSENT', version: 3 })],
    },
    after: [createTenant.poll, createTenant.stackFailed, createTenant.recordFailed, createTenant.reread, createTenant.creationWithdrawn],
    expect: endedWithoutTenant(0),
  }),
  createdStackCase({
    name: 'FailedWhileDuplicateSucceeded',
    description: 'This create failed, but a concurrent duplicate made the tenant ACTIVE: FAILED is not written over ACTIVE',
    describes: [[3, throttled]],
    mocks: {
      'Record tenant failed': [conditionFailed],
      'Read record again': [tenantRecord(TENANT, { status: 'ACTIVE', desired: 'PRESENT', version: 3 })],
    },
    after: [createTenant.pollFailedChecked, createTenant.recordFailed, createTenant.reread, createTenant.superseded],
    expect: endedWithoutTenant(0),
  }),
  createdStackCase({
    name: 'ActiveRecordMovedByDuplicate',
    description: 'A duplicate create claimed meanwhile (version moved, still PRESENT): ACTIVE is written on the new version',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [conditionFailed, updateItemOk],
      'Read record again': [tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 2 })],
      'Announce tenant provisioned': [putEventsOk],
    },
    after: [createTenant.poll, createTenant.readVersion, createTenant.reread, createTenant.provisioned.slice(1)],
    expect: provisionedResult,
  }),
  createdStackCase({
    name: 'RecordVanished',
    description: 'The record is gone when read again after a conflict (deleted by an operator): the create withdraws without writing',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: { 'Record tenant active': [conditionFailed], 'Read record again': [noTenantRecord] },
    after: [createTenant.poll, createTenant.readVersion, createTenant.recordGone],
    expect: endedWithoutTenant(0),
  }),
  createdStackCase({
    name: 'NotificationRetried',
    description: 'TenantProvisioned is throttled once and has a failed entry once: retried with back-off, sent, success',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [updateItemOk],
      'Announce tenant provisioned': [putEventsThrottled, putEventsFailedEntry, putEventsOk],
    },
    after: [createTenant.poll, createTenant.provisioned],
    expect: provisionedResult,
  }),
  createdStackCase({
    name: 'NotificationFailed',
    description:
      'TenantProvisioned still fails after the retries: the tenant stays ACTIVE, the record notes notificationPending, execution fails NotificationFailed',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    mocks: {
      'Record tenant active': [updateItemOk],
      'Announce tenant provisioned': [[3, putEventsFailedEntry]],
      'Record notification pending': [updateItemOk],
    },
    after: [
      createTenant.poll,
      createTenant.readVersion,
      createTenant.noLateRelease,
      ['Announce tenant provisioned'],
      createTenant.notificationFailed,
    ],
    expect: { status: 'FAILED', error: 'NotificationFailed' },
  }),
  createdStackCase({
    name: 'FailureNotificationFailedRecordMoved',
    description: 'TenantProvisioningFailed cannot be sent and the record moved on since: nothing noted, NotificationFailed',
    describes: [describeStack(TENANT, 'CREATE_FAILED', { reason: CREATE_FAILURE })],
    mocks: {
      'Record tenant failed': [updateItemOk],
      'Announce provisioning failure': [[3, putEventsThrottled]],
      'Record notification pending': [conditionFailed],
    },
    after: [
      createTenant.poll,
      createTenant.stackFailed,
      createTenant.recordFailed,
      ['Announce provisioning failure'],
      createTenant.notificationFailed,
    ],
    expect: { status: 'FAILED', error: 'NotificationFailed' },
  }),
  {
    workflow: 'create-tenant',
    name: 'RecreateRefused',
    description: 'The re-create after deleting the rolled-back stack fails beyond its retries: tenant FAILED',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [tenantRecord(TENANT, { status: 'FAILED', desired: 'PRESENT', version: 3 })],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Claim tenant': [updateItemOk],
      'Describe tenant stack': [rolledBackStack],
      'Delete failed stack': [deleteStackOk],
      'Check failed stack deletion': [describeStack(TENANT, 'DELETE_COMPLETE')],
      'Create tenant stack again': [[3, throttled]],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStackNewGeneration,
      createTenant.poll,
      createTenant.deleteFailedStack,
      createTenant.failedStackDeletionPoll,
      createTenant.recreated,
      createTenant.failed,
    ),
    expect: provisioningFailure,
  },
  {
    workflow: 'create-tenant',
    name: 'FailedStackDeletionFailsWithReason',
    description: 'Deleting the rolled-back stack ends DELETE_FAILED with its reason: tenant FAILED with "<status>: <reason>"',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [tenantRecord(TENANT, { status: 'FAILED', desired: 'PRESENT', version: 3 })],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Claim tenant': [updateItemOk],
      'Describe tenant stack': [rolledBackStack],
      'Delete failed stack': [deleteStackOk],
      'Check failed stack deletion': [
        describeStack(TENANT, 'DELETE_FAILED', { reason: 'The following resource(s) failed to delete: [AppRole]. ' }),
      ],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStackNewGeneration,
      createTenant.poll,
      createTenant.deleteFailedStack,
      createTenant.failedStackDeletionPoll,
      createTenant.stackFailed,
      createTenant.failed,
    ),
    expect: provisioningFailure,
  },
  createdStackCase({
    name: 'FailedRecordMovedByDuplicate',
    description:
      'A duplicate create claimed while this one failed and has not succeeded (still PROVISIONING): FAILED is written on the new version',
    describes: [describeStack(TENANT, 'CREATE_FAILED', { reason: CREATE_FAILURE })],
    mocks: {
      'Record tenant failed': [conditionFailed, updateItemOk],
      'Read record again': [tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 2 })],
      'Announce provisioning failure': [putEventsOk],
    },
    after: [createTenant.poll, createTenant.stackFailed, createTenant.recordFailed, createTenant.reread, createTenant.failed],
    expect: provisioningFailure,
  }),
  firstCreateCase({
    name: 'EventWithoutTime',
    description: 'An input without a time (a StartExecution by hand): the execution start time is the event time; provisioned as usual',
    input: createdWithoutTime(),
    upToClaim: createTenant.createStackWithoutTime,
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    polls: [createTenant.poll],
    ending: 'provisioned',
  }),
  staleCase(
    'StaleAfterLaterDelete',
    'A TenantCreated redelivered after a later TenantDeleted was processed (record DELETED, desiredAt newer): stale, nothing written, no stack call',
    EARLIER,
    recordDesiredAt({ status: 'DELETED', desired: 'ABSENT', version: 4, stackId: stackId(TENANT) }, EVENT_TIME),
  ),
  staleCase(
    'StaleBehindMarker',
    'The TenantDeleted of the same second came first and left its marker: a tie goes to the deletion, so this create is stale',
    EVENT_TIME,
    absentMarker(EVENT_TIME),
  ),
  staleCase(
    'StaleBehindNewerCreate',
    'A newer TenantCreated already set desired PRESENT (desiredAt later): this older one is stale',
    EARLIER,
    recordDesiredAt({ status: 'ACTIVE', desired: 'PRESENT', version: 2, stackId: stackId(TENANT) }, EVENT_TIME),
  ),
  {
    workflow: 'create-tenant',
    name: 'RecreateAfterMarker',
    description: 'A TenantCreated newer than the marker of an earlier TenantDeleted: a genuine create (new generation), ACTIVE',
    input: createdAt(LATER),
    mocks: {
      'Read tenant record': [absentMarker(EVENT_TIME)],
      'Create tenant stack': [createStackOk(TENANT)],
      'Claim tenant': [updateItemOk],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      ...provisioned,
    },
    path: path(createTenant.createStackNewGeneration, createTenant.poll, createTenant.provisioned),
    expect: provisionedResult,
  },
  {
    workflow: 'create-tenant',
    name: 'StaleAfterClaimConflictWithdraws',
    description:
      'The claim lost to the marker of a TenantDeleted of the same second, after CreateStack was accepted: the create follows its stack and withdraws it (no record of its own, no announcement)',
    input: createdAt(EVENT_TIME),
    mocks: {
      'Read tenant record': [noTenantRecord, absentMarker(EVENT_TIME)],
      'Create tenant stack': [createStackOk(TENANT)],
      'Claim tenant': [conditionFailed],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Record tenant active': [conditionFailed],
      'Read record again': [absentMarker(EVENT_TIME)],
      'Delete withdrawn stack': [deleteStackOk],
      'Check withdrawn stack deletion': [describeStack(TENANT, 'DELETE_COMPLETE')],
      'Record tenant withdrawn': [updateItemOk],
    },
    path: path(
      createTenant.claimConflict,
      createTenant.staleAfterCreate,
      createTenant.poll,
      createTenant.readVersion,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPoll,
      createTenant.withdrawn,
    ),
    expect: endedWithoutTenant(0),
  },
  {
    workflow: 'create-tenant',
    name: 'StaleAfterClaimConflictNothingMade',
    description:
      'CreateStack found the stack of an earlier create (AlreadyExists), then the claim lost to a newer TenantDeleted: stale, nothing of this execution to withdraw',
    input: createdAt(EARLIER),
    mocks: {
      'Read tenant record': [
        recordDesiredAt({ status: 'ACTIVE', desired: 'PRESENT', version: 2, stackId: stackId(TENANT) }, EARLIER),
        recordDesiredAt({ status: 'DEPROVISIONING', desired: 'ABSENT', version: 3, stackId: stackId(TENANT) }, EVENT_TIME),
      ],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Claim tenant': [conditionFailed],
    },
    path: path(createTenant.claimConflictAfter('Note same generation'), createTenant.staleAfterClaimConflict),
    expect: endedWithoutTenant(0),
  },
  {
    workflow: 'create-tenant',
    name: 'RecreateWhileOldStackDeleting',
    description:
      'A newer TenantCreated while a TenantDeleted deletes the old stack: AlreadyExists, the stack is DELETE_IN_PROGRESS, followed by id until gone, then created again: ACTIVE',
    input: createdAt(LATER),
    mocks: {
      'Read tenant record': [
        recordDesiredAt({ status: 'DEPROVISIONING', desired: 'ABSENT', version: 3, stackId: stackId(TENANT) }, EVENT_TIME),
      ],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Claim tenant': [updateItemOk],
      'Describe tenant stack': [describeStack(TENANT, 'DELETE_IN_PROGRESS'), complete(TENANT, 'CREATE_COMPLETE')],
      'Check failed stack deletion': [describeStack(TENANT, 'DELETE_COMPLETE')],
      'Create tenant stack again': [createStackOk(TENANT)],
      ...provisioned,
    },
    path: path(
      createTenant.createStackNewGeneration,
      createTenant.poll,
      createTenant.failedStackDeletionPoll,
      createTenant.recreated,
      createTenant.poll,
      createTenant.provisioned,
    ),
    expect: provisionedResult,
  },
  {
    workflow: 'create-tenant',
    name: 'RecreateAfterOldStackGone',
    description:
      'A newer TenantCreated finds the old stack by name (AlreadyExists), but it is deleted before the first poll ("does not exist", retried): created again: ACTIVE',
    input: createdAt(LATER),
    mocks: {
      'Read tenant record': [
        recordDesiredAt({ status: 'DEPROVISIONING', desired: 'ABSENT', version: 3, stackId: stackId(TENANT) }, EVENT_TIME),
      ],
      'Create tenant stack': [alreadyExists(TENANT)],
      'Claim tenant': [updateItemOk],
      'Describe tenant stack': [[3, stackDoesNotExist(TENANT)], complete(TENANT, 'CREATE_COMPLETE')],
      'Create tenant stack again': [createStackOk(TENANT)],
      ...provisioned,
    },
    path: path(
      createTenant.createStackNewGeneration,
      createTenant.pollFoundStackGone,
      createTenant.recreated,
      createTenant.poll,
      createTenant.provisioned,
    ),
    expect: provisionedResult,
  },
  firstCreateCase({
    name: 'PollingCatchAll',
    description:
      'DescribeStacks while polling fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    describes: [[3, throttledUnderModelledName]],
    polls: [createTenant.pollFailed],
    ending: 'failed',
  }),
  {
    workflow: 'create-tenant',
    name: 'ProvisionedAtRelease',
    description:
      'A premium tenant while release 7 (seq 3) is LATEST: CreateStack from its pinned template with Tier premium, ACTIVE records the release; LATEST unchanged afterwards',
    input: createdWithTier('premium'),
    mocks: {
      ...claimed,
      'Read latest release': [dynamoThrottled, latestRelease(7, 3)],
      'Create tenant stack at release': [throttled, createStackOk(TENANT)],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Record tenant active at release': [dynamoThrottled, updateItemOk],
      'Read latest release again': [dynamoThrottled, latestRelease(7, 3)],
      'Announce tenant provisioned': [putEventsOk],
    },
    path: path(
      createTenant.createStackAtRelease('Note first claim', 'given'),
      createTenant.poll,
      createTenant.readVersionAtRelease,
      sameLateRelease,
      createTenant.announced,
    ),
    expect: provisionedResult,
  },
  {
    workflow: 'create-tenant',
    name: 'LateReleaseCaughtUp',
    description:
      'Release 8 (seq 4) landed while the stack was created from seq 3: after ACTIVE the create runs update-tenant with {tenantId, release, seq, templateUrl}, then announces',
    input: created(TENANT),
    mocks: {
      ...claimed,
      'Read latest release': [latestRelease(7, 3)],
      'Create tenant stack at release': [createStackOk(TENANT)],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Record tenant active at release': [updateItemOk],
      'Read latest release again': [latestRelease(8, 4, `${local.TemplateUrl}?versionId=v8`)],
      'Update to latest release': [childExecution({ tenantId: TENANT, outcome: 'updated', reason: '' })],
      'Announce tenant provisioned': [putEventsOk],
    },
    path: path(
      createTenant.createStackAtRelease(),
      createTenant.poll,
      createTenant.readVersionAtRelease,
      createTenant.lateRelease,
      createTenant.announced,
    ),
    expect: provisionedResult,
  },
  firstCreateCase({
    name: 'LateReleaseAfterNone',
    description:
      'No release was recorded when the stack was created, one is by the time it is ACTIVE: update-tenant runs; it fails, which does not fail the create',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    lateMocks: {
      'Read latest release again': [latestRelease(1, 1)],
      'Update to latest release': [{ Throw: { Error: 'States.TaskFailed', Cause: 'The child execution failed.' } }],
    },
    polls: [createTenant.poll, createTenant.readVersion, createTenant.lateRelease],
    ending: 'announced',
  }),
  firstCreateCase({
    name: 'LatestUnreadableAfterActive',
    description: 'LATEST cannot be read after ACTIVE (throttled beyond the retries): no catch-up, the tenant is announced',
    describes: [complete(TENANT, 'CREATE_COMPLETE')],
    lateMocks: { 'Read latest release again': [[3, dynamoThrottled]] },
    polls: [createTenant.poll, createTenant.readVersion, ['Read latest release again']],
    ending: 'announced',
  }),
  {
    workflow: 'create-tenant',
    name: 'InvalidTier',
    description: 'detail.tier is not one of the tiers: InvalidTier before any read or write',
    input: createdWithTier('gold'),
    mocks: {},
    path: path(createTenant.tierUnknown),
    expect: { status: 'FAILED', error: 'InvalidTier' },
  },
  {
    workflow: 'create-tenant',
    name: 'TierNotAString',
    description: 'detail.tier is a number: InvalidTier before any read or write',
    input: createdWithTier(2),
    mocks: {},
    path: path(createTenant.tierNotAString),
    expect: { status: 'FAILED', error: 'InvalidTier' },
  },
  {
    workflow: 'create-tenant',
    name: 'DuplicateWithOtherRequest',
    description:
      'A duplicate whose CreateStack differs from the first one under the same token (LATEST moved meanwhile): TokenAlreadyExistsException, the stack is followed by name',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [tenantRecord(TENANT, { status: 'PROVISIONING', desired: 'PRESENT', version: 1 })],
      'Claim tenant': [updateItemOk],
      'Read latest release': [latestRelease(2, 2)],
      'Create tenant stack at release': [tokenAlreadyExists],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Record tenant active at release': [updateItemOk],
      'Read latest release again': [latestRelease(2, 2)],
      'Announce tenant provisioned': [putEventsOk],
    },
    path: path(
      createTenant.createStackAtRelease('Note same generation'),
      createTenant.poll,
      createTenant.readVersionAtRelease,
      sameLateRelease,
      createTenant.announced,
    ),
    expect: provisionedResult,
  },
  {
    workflow: 'create-tenant',
    name: 'PinnedCreateRefusedInvalidId',
    description: 'The pinned CreateStack refuses a 33-character TenantId: InvalidTenantId, nothing written',
    input: created('a'.repeat(33)),
    mocks: {
      'Read tenant record': [noTenantRecord],
      'Read latest release': [latestRelease(2, 2)],
      'Create tenant stack at release': [[3, validationError("Parameter 'TenantId' must contain at most 32 characters")]],
    },
    path: path(createTenant.createAtReleaseRefusedInvalidId),
    expect: invalidTenantId,
  },
  {
    workflow: 'create-tenant',
    name: 'PinnedCreateCatchAll',
    description: 'The pinned CreateStack fails with a modelled error (InsufficientCapabilitiesException): claimed, recorded FAILED',
    input: created(TENANT),
    mocks: {
      ...claimed,
      'Read latest release': [latestRelease(2, 2)],
      'Create tenant stack at release': [
        modelledError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]'),
      ],
      ...provisioningFailed,
    },
    path: path(createTenant.createStackAtRelease(), ['Note create failure'], createTenant.failed),
    expect: provisioningFailure,
  },
  {
    workflow: 'create-tenant',
    name: 'RecreateAtRelease',
    description:
      'A FAILED tenant created again while a release is LATEST: the rolled-back stack is deleted and created again from the pinned template (throttled once), ACTIVE at that release',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [tenantRecord(TENANT, { status: 'FAILED', desired: 'PRESENT', version: 3 })],
      'Claim tenant': [updateItemOk],
      'Read latest release': [latestRelease(5, 5)],
      'Create tenant stack at release': [alreadyExists(TENANT)],
      'Describe tenant stack': [rolledBackStack, complete(TENANT, 'CREATE_COMPLETE')],
      'Delete failed stack': [deleteStackOk],
      'Check failed stack deletion': [describeStack(TENANT, 'DELETE_COMPLETE')],
      'Create tenant stack again at release': [throttled, createStackOk(TENANT)],
      'Record tenant active at release': [updateItemOk],
      'Read latest release again': [latestRelease(5, 5)],
      'Announce tenant provisioned': [putEventsOk],
    },
    path: path(
      createTenant.createStackAtRelease('Note new generation'),
      createTenant.poll,
      createTenant.deleteFailedStack,
      createTenant.failedStackDeletionPoll,
      createTenant.recreatedAtRelease,
      createTenant.poll,
      createTenant.readVersionAtRelease,
      sameLateRelease,
      createTenant.announced,
    ),
    expect: provisionedResult,
  },
  {
    workflow: 'create-tenant',
    name: 'RecreateAtReleaseRefused',
    description: 'The pinned CreateStack of the re-create fails beyond its retries: tenant FAILED',
    input: created(TENANT),
    mocks: {
      'Read tenant record': [tenantRecord(TENANT, { status: 'FAILED', desired: 'PRESENT', version: 3 })],
      'Claim tenant': [updateItemOk],
      'Read latest release': [latestRelease(5, 5)],
      'Create tenant stack at release': [alreadyExists(TENANT)],
      'Describe tenant stack': [rolledBackStack],
      'Delete failed stack': [deleteStackOk],
      'Check failed stack deletion': [describeStack(TENANT, 'DELETE_COMPLETE')],
      'Create tenant stack again at release': [[3, throttled]],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStackAtRelease('Note new generation'),
      createTenant.poll,
      createTenant.deleteFailedStack,
      createTenant.failedStackDeletionPoll,
      createTenant.recreatedAtRelease,
      createTenant.failed,
    ),
    expect: provisioningFailure,
  },
  {
    workflow: 'create-tenant',
    name: 'ActiveAtReleaseRecordMoved',
    description:
      'Recording ACTIVE at a release fails its condition (a TenantDeleted marked the tenant absent): read again, the stack is withdrawn',
    input: created(TENANT),
    mocks: {
      ...claimed,
      'Read latest release': [latestRelease(2, 2)],
      'Create tenant stack at release': [createStackOk(TENANT)],
      'Describe tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Record tenant active at release': [conditionFailed],
      'Read record again': [tenantRecord(TENANT, { status: 'DEPROVISIONING', desired: 'ABSENT', version: 2 })],
      'Delete withdrawn stack': [deleteStackOk],
      'Check withdrawn stack deletion': [describeStack(TENANT, 'DELETE_COMPLETE')],
      'Record tenant withdrawn': [updateItemOk],
    },
    path: path(
      createTenant.createStackAtRelease(),
      createTenant.poll,
      createTenant.readVersionAtRelease,
      createTenant.reread,
      createTenant.withdraw,
      createTenant.withdrawnStackPoll,
      createTenant.withdrawn,
    ),
    expect: endedWithoutTenant(0),
  },
];

export const createTenantCases: MockTestCase[] = cases.map(withoutRelease);
