/**
 * The catalogue of mocked executions: for each workflow, one test case per branch, with its input,
 * the mocked Task responses (in invocation order), the expected outcome and the exact path of states
 * (built from the named segments of mocks/paths.ts). mocks/build.ts turns the mocks into
 * MockConfigFile.json (Step Functions Local format); the suites and `npm start` use the inputs and
 * expectations.
 *
 * Numbers below follow statemachines/local-substitutions.ts: MaxStackPolls 5, MaxBusyWaits 3,
 * ApiRetryMaxAttempts 2 (so 3 invocations exhaust a retrier, and 3 throttled answers exhaust a
 * throttling back-off loop within one round), TenantPageSize 3, MaxPagesPerExecution 3.
 *
 * CloudFormation throttling arrives as the generic CloudFormation.CloudFormationException (see
 * `throttled` in responses.ts). Calls without an expected ValidationError retry that name, so a
 * ValidationError there is retried too (3 invocations before it is caught); calls whose
 * ValidationErrors are answers (UpdateStack, DeleteStack, DescribeStacks by name in delete-tenant
 * and update-tenant) recognise throttling by its Cause and loop through "Retry after throttling?".
 */

import {
  alreadyExists,
  cannotDelete,
  childExecution,
  ChildResult,
  cloudFormationError,
  continuationExecution,
  createStackOk,
  deleteStackOk,
  describeStack,
  dynamoTableMissing,
  dynamoThrottled,
  executionLimitExceeded,
  lifecycleEvent,
  MockedOutcome,
  NEXT_TEMPLATE_VERSION,
  noUpdates,
  notUpdatable,
  objectCreatedEvent,
  PINNED_VERSION_ID,
  putEventsOk,
  scanPage,
  scanThrottled,
  stackDoesNotExist,
  stackId,
  TEMPLATE_VERSION,
  throttled,
  throttledUnderModelledName,
  updateItemOk,
  updateStackOk,
  validationError,
} from './responses';
import { localSubstitutions } from '../statemachines/local-substitutions';
import {
  API_RETRY_MAX_ATTEMPTS,
  createTenant,
  deleteTenant,
  MAX_BUSY_WAITS,
  MAX_STACK_POLLS,
  path,
  times,
  updateTenant,
  updateTenants,
} from './paths';
import { WorkflowFileName } from '../statemachines/workflows';

/** One step of a mocked sequence: an outcome once, or [times, outcome]. */
export type Step = MockedOutcome | [number, MockedOutcome];

export interface Expectation {
  status: 'SUCCEEDED' | 'FAILED';
  /** Error of a FAILED execution. */
  error?: string;
  /** Output of a SUCCEEDED execution (compared exactly). */
  output?: unknown;
}

export interface MockTestCase {
  workflow: WorkflowFileName;
  name: string;
  description: string;
  input: unknown;
  /** Task state name -> the responses it gets, in invocation order (retries included). */
  mocks: Record<string, Step[]>;
  /**
   * The states entered, in history order (Map iterations included), spelled with the segments of
   * mocks/paths.ts. Not part of MockConfigFile.json: Step Functions Local has no such field.
   */
  path: string[];
  expect: Expectation;
}

const local = localSubstitutions();
const TENANT = 'acme';
const pinnedUrl = `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`;
const created = (tenantId: string) => lifecycleEvent('TenantCreated', { tenantId });
const deleted = (tenantId: string) => lifecycleEvent('TenantDeleted', { tenantId });

const CREATE_FAILURE = 'The following resource(s) failed to create: [TenantDataTable]. ';
const ROLLBACK_REASON = 'The following resource(s) failed to create: [AppRole]. Rollback requested by user.';
const UPDATE_FAILURE = 'The following resource(s) failed to update: [TenantDataTable]. ';
const DELETE_FAILURE = 'The following resource(s) failed to delete: [TenantDataTable]. ';
const NO_REASON = 'CloudFormation reported no status reason';

const complete = (tenantId: string, status: string, version = TEMPLATE_VERSION) =>
  describeStack(tenantId, status, { templateVersion: version });
const causeOf = (outcome: MockedOutcome) => ('Throw' in outcome ? outcome.Throw.Cause : '');

/** Mocks of the create workflow's happy tail once the stack is complete. */
const provisioned = {
  'Record tenant active': [updateItemOk],
  'Announce tenant provisioned': [putEventsOk],
};
const provisioningFailed = {
  'Record tenant failed': [updateItemOk],
  'Announce provisioning failure': [putEventsOk],
};
const provisionedOutput = { stackId: stackId(TENANT), templateVersions: [TEMPLATE_VERSION] };

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
  expect: { status: 'FAILED', error: 'InvalidTenantId' },
});

const createCases: MockTestCase[] = [
  {
    workflow: 'create-tenant',
    name: 'HappyPath',
    description: 'CreateStack, one poll in progress, CREATE_COMPLETE: tenant ACTIVE with stack id and template version, TenantProvisioned',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [
        describeStack(TENANT, 'CREATE_IN_PROGRESS', { reason: 'User Initiated' }),
        complete(TENANT, 'CREATE_COMPLETE'),
      ],
      ...provisioned,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.pollsInProgress(1),
      createTenant.poll,
      createTenant.provisioned,
    ),
    expect: { status: 'SUCCEEDED', output: provisionedOutput },
  },
  {
    workflow: 'create-tenant',
    name: 'StackBusyForSeveralPolls',
    description: 'The stack stays CREATE_IN_PROGRESS for three polls, then CREATE_COMPLETE',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [
        [3, describeStack(TENANT, 'CREATE_IN_PROGRESS', { reason: 'User Initiated' })],
        complete(TENANT, 'CREATE_COMPLETE'),
      ],
      ...provisioned,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.pollsInProgress(3),
      createTenant.poll,
      createTenant.provisioned,
    ),
    expect: { status: 'SUCCEEDED', output: provisionedOutput },
  },
  {
    workflow: 'create-tenant',
    name: 'CreateFailed',
    description: 'CREATE_FAILED (rollback disabled): tenant FAILED with the status reason, TenantProvisioningFailed, execution fails',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [
        describeStack(TENANT, 'CREATE_IN_PROGRESS'),
        describeStack(TENANT, 'CREATE_FAILED', { reason: CREATE_FAILURE }),
      ],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.pollsInProgress(1),
      createTenant.poll,
      createTenant.stackFailed,
      createTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'RolledBack',
    description: 'ROLLBACK_IN_PROGRESS (still polled) then ROLLBACK_COMPLETE: tenant FAILED, execution fails',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [
        describeStack(TENANT, 'CREATE_IN_PROGRESS'),
        describeStack(TENANT, 'ROLLBACK_IN_PROGRESS', { reason: ROLLBACK_REASON }),
        describeStack(TENANT, 'ROLLBACK_COMPLETE', { reason: ROLLBACK_REASON }),
      ],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.pollsInProgress(2),
      createTenant.poll,
      createTenant.stackFailed,
      createTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'RollbackFailedWithoutReason',
    description: 'ROLLBACK_FAILED with no StackStatusReason: a placeholder reason is recorded',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [describeStack(TENANT, 'ROLLBACK_FAILED')],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.poll,
      createTenant.stackFailedWithoutReason,
      createTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'PollingGivesUp',
    description: 'Still CREATE_IN_PROGRESS after MaxStackPolls re-polls: tenant FAILED (StackOperationTimedOut)',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [[6, describeStack(TENANT, 'CREATE_IN_PROGRESS')]],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.pollsInProgress(MAX_STACK_POLLS),
      createTenant.poll,
      createTenant.pollingGaveUp,
      createTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'DuplicateEvent',
    description: 'The stack already exists (AlreadyExistsException): converge on it instead of failing',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [alreadyExists(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [complete(TENANT, 'UPDATE_COMPLETE')],
      ...provisioned,
    },
    path: path(createTenant.createStack, createTenant.recordProvisioning, createTenant.poll, createTenant.provisioned),
    expect: { status: 'SUCCEEDED', output: provisionedOutput },
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
      'A 33-character id passes the character checks; CloudFormation refuses the TenantId parameter (MaxLength 32) before creating anything',
    input: created('a'.repeat(33)),
    mocks: {
      // A ValidationError is retried like throttling (same error name) before it is caught.
      'Create tenant stack': [[3, validationError("Parameter 'TenantId' must contain at most 32 characters")]],
    },
    path: path(createTenant.createStack, createTenant.createRefused, createTenant.rejectInvalidTenantId),
    expect: { status: 'FAILED', error: 'InvalidTenantId' },
  },
  {
    workflow: 'create-tenant',
    name: 'CreateRejected',
    description: 'CreateStack fails with another ValidationError: tenant FAILED, execution fails',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [
        [
          3,
          validationError('Template format error: Unresolved resource dependencies [TenantTable] in the Resources block of the template'),
        ],
      ],
      ...provisioningFailed,
    },
    path: path(createTenant.createStack, createTenant.createRefused, createTenant.failed),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'CapabilitiesMissing',
    description: 'A modelled CloudFormation error (InsufficientCapabilitiesException) is caught by States.ALL: tenant FAILED',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [cloudFormationError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]')],
      ...provisioningFailed,
    },
    path: path(createTenant.createStack, createTenant.failed),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'ThrottledThenSucceeds',
    description: 'CreateStack, the DynamoDB write and DescribeStacks are each throttled once and succeed on retry',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [throttled, createStackOk(TENANT)],
      'Record tenant provisioning': [dynamoThrottled, updateItemOk],
      'Describe tenant stack': [throttled, complete(TENANT, 'CREATE_COMPLETE')],
      ...provisioned,
    },
    path: path(createTenant.createStack, createTenant.recordProvisioning, createTenant.poll, createTenant.provisioned),
    expect: { status: 'SUCCEEDED', output: provisionedOutput },
  },
  {
    workflow: 'create-tenant',
    name: 'ThrottlingOutlastsRetries',
    description:
      'CreateStack is throttled on the first call and both retries: caught, not taken for a refused tenant id; tenant FAILED, execution fails',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [[3, throttled]],
      ...provisioningFailed,
    },
    path: path(createTenant.createStack, createTenant.createRefused, createTenant.failed),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'StackVanished',
    description: 'The stack disappears while being polled (deleted by someone): tenant FAILED',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      // "does not exist" shares the generic error name with throttling, so it is retried before it is caught.
      'Describe tenant stack': [describeStack(TENANT, 'CREATE_IN_PROGRESS'), [3, stackDoesNotExist(TENANT)]],
      ...provisioningFailed,
    },
    path: path(
      createTenant.createStack,
      createTenant.recordProvisioning,
      createTenant.pollsInProgress(1),
      createTenant.pollFailed,
      createTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
  {
    workflow: 'create-tenant',
    name: 'PollingThrottledOut',
    description: 'DescribeStacks while polling is throttled on the first call and both retries: tenant FAILED',
    input: created(TENANT),
    mocks: {
      'Create tenant stack': [createStackOk(TENANT)],
      'Record tenant provisioning': [updateItemOk],
      'Describe tenant stack': [[3, throttled]],
      ...provisioningFailed,
    },
    path: path(createTenant.createStack, createTenant.recordProvisioning, createTenant.pollFailed, createTenant.failed),
    expect: { status: 'FAILED', error: 'TenantProvisioningFailed' },
  },
];

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

const deleteCases: MockTestCase[] = [
  {
    workflow: 'delete-tenant',
    name: 'HappyPath',
    description: 'DeleteStack by stack id, one poll DELETE_IN_PROGRESS, DELETE_COMPLETE: tenant DELETED, TenantDeprovisioned',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [
        describeStack(TENANT, 'DELETE_IN_PROGRESS', { reason: 'User Initiated' }),
        describeStack(TENANT, 'DELETE_COMPLETE'),
      ],
      ...deprovisioned,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollsInProgress(1),
      deleteTenant.deletionPoll,
      deleteTenant.deleted,
    ),
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 1) },
  },
  {
    workflow: 'delete-tenant',
    name: 'StackDoesNotExist',
    description: 'DescribeStacks says the stack does not exist: already deleted, success',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [stackDoesNotExist(TENANT)],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.lookupFailed, deleteTenant.deleted),
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'StackBusyThenDeletable',
    description: 'CREATE_IN_PROGRESS, then UPDATE_IN_PROGRESS, then UPDATE_COMPLETE: waits twice, then deletes',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [
        describeStack(TENANT, 'CREATE_IN_PROGRESS'),
        describeStack(TENANT, 'UPDATE_IN_PROGRESS'),
        complete(TENANT, 'UPDATE_COMPLETE'),
      ],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(
      deleteTenant.start,
      times(2, [...deleteTenant.lookup, ...deleteTenant.busyWait]),
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deleted,
    ),
    expect: { status: 'SUCCEEDED', output: deletedOutput(2, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'StackStaysBusy',
    description: 'Still UPDATE_IN_PROGRESS after MaxBusyWaits waits: tenant FAILED, execution fails',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [[4, describeStack(TENANT, 'UPDATE_IN_PROGRESS')]],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      times(MAX_BUSY_WAITS, [...deleteTenant.lookup, ...deleteTenant.busyWait]),
      deleteTenant.lookup,
      deleteTenant.stayedBusy,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'AlreadyBeingDeleted',
    description: 'DELETE_IN_PROGRESS (another deletion): follows it to DELETE_COMPLETE without calling DeleteStack',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [describeStack(TENANT, 'DELETE_IN_PROGRESS')],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deletionPoll, deleteTenant.deleted),
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeleteRefusedWhileBusy',
    description: 'The stack turns busy between the lookup and DeleteStack: wait, look again, delete',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE'), complete(TENANT, 'UPDATE_COMPLETE')],
      'Delete tenant stack': [cannotDelete(TENANT, 'UPDATE_IN_PROGRESS'), deleteStackOk],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      deleteTenant.deleteRefused,
      deleteTenant.busyWait,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deleted,
    ),
    expect: { status: 'SUCCEEDED', output: deletedOutput(1, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeleteFailed',
    description: 'DELETE_FAILED: tenant FAILED with the status reason, TenantDeprovisioningFailed, execution fails',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [
        describeStack(TENANT, 'DELETE_IN_PROGRESS'),
        describeStack(TENANT, 'DELETE_FAILED', { reason: DELETE_FAILURE }),
      ],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollsInProgress(1),
      deleteTenant.deletionPoll,
      deleteTenant.deletionFailed,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeleteFailedWithoutReason',
    description: 'DELETE_FAILED with no StackStatusReason: a placeholder reason is recorded',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_FAILED')],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deletionFailedWithoutReason,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeletionPollingGivesUp',
    description: 'Still DELETE_IN_PROGRESS after MaxStackPolls re-polls: tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [[6, describeStack(TENANT, 'DELETE_IN_PROGRESS')]],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollsInProgress(MAX_STACK_POLLS),
      deleteTenant.deletionPoll,
      deleteTenant.pollingGaveUp,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeleteRejected',
    description: 'DeleteStack fails with another ValidationError (the service role cannot be assumed): tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [validationError(`Role ${local.CloudFormationRoleArn} is invalid or cannot be assumed`)],
      ...deprovisioningFailed,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleteRefused, deleteTenant.failed),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'LookupDenied',
    description: 'DescribeStacks fails for another reason than a missing stack: tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [
        validationError(
          `User: arn:aws:sts::123456789012:assumed-role/delete-tenant-role/session is not authorized to perform: cloudformation:DescribeStacks on resource: ${stackId(TENANT)}`,
        ),
      ],
      ...deprovisioningFailed,
    },
    path: path(deleteTenant.start, deleteTenant.lookupFailed, deleteTenant.failed),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'LookupThrottledOut',
    description: 'DescribeStacks by name throttled three times: two back-offs, then tenant FAILED (CloudFormationThrottled)',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [[3, throttled]],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      times(API_RETRY_MAX_ATTEMPTS, deleteTenant.lookupThrottled),
      deleteTenant.lookupThrottledOut,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'ThrottledThenSucceeds',
    description: 'Every call is throttled once and succeeds on retry',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [dynamoThrottled, updateItemOk],
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
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeleteThrottledOut',
    description: 'DeleteStack throttled three times: two back-offs, then tenant FAILED (CloudFormationThrottled)',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [[3, throttled]],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      times(API_RETRY_MAX_ATTEMPTS, deleteTenant.deleteThrottled),
      deleteTenant.deleteThrottledOut,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeletedStackNoLongerListed',
    description: 'The progress check by stack id answers "does not exist" (deleted long ago): tenant DELETED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      // Retried like throttling (same error name) before it is caught.
      'Check deletion progress': [[3, validationError(`Stack with id ${stackId(TENANT)} does not exist`)]],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPollFailed, deleteTenant.deleted),
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'ProgressCheckThrottledOut',
    description: 'The progress check is throttled beyond the retries: tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [[3, throttled]],
      ...deprovisioningFailed,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPollFailed, deleteTenant.failed),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'InvalidTenantId',
    description: 'The event detail has no tenantId',
    input: lifecycleEvent('TenantDeleted', {}),
    mocks: {},
    path: path(deleteTenant.rejected),
    expect: { status: 'FAILED', error: 'InvalidTenantId' },
  },
  {
    workflow: 'delete-tenant',
    name: 'TenantIdNotAString',
    description: 'tenantId is a number: rejected before any record is written',
    input: lifecycleEvent('TenantDeleted', { tenantId: 42 }),
    mocks: {},
    path: path(deleteTenant.rejected),
    expect: { status: 'FAILED', error: 'InvalidTenantId' },
  },
  {
    workflow: 'delete-tenant',
    name: 'TenantIdEmpty',
    description: 'tenantId is the empty string: rejected before any record is written',
    input: deleted(''),
    mocks: {},
    path: path(deleteTenant.rejected),
    expect: { status: 'FAILED', error: 'InvalidTenantId' },
  },
  {
    workflow: 'delete-tenant',
    name: 'FoundAlreadyDeleted',
    description: 'The lookup lists the stack as DELETE_COMPLETE: tenant DELETED without calling DeleteStack',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleted),
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'ThrottledAcrossBusyWaits',
    description:
      'Two throttled lookups, a busy stack, two more throttled lookups: a busy wait starts a fresh throttling budget, so the deletion goes ahead',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [
        [2, throttled],
        describeStack(TENANT, 'UPDATE_IN_PROGRESS'),
        [2, throttled],
        complete(TENANT, 'UPDATE_COMPLETE'),
      ],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(
      deleteTenant.start,
      times(2, deleteTenant.lookupThrottled),
      deleteTenant.lookup,
      deleteTenant.busyWait,
      times(2, deleteTenant.lookupThrottled),
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPoll,
      deleteTenant.deleted,
    ),
    expect: { status: 'SUCCEEDED', output: deletedOutput(1, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'ModelledThrottlingNameRetried',
    description: 'Lookup and DeleteStack fail once under the modelled name CloudFormation.ThrottlingException: their Retry handles it',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [throttledUnderModelledName, complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [throttledUnderModelledName, deleteStackOk],
      'Check deletion progress': [describeStack(TENANT, 'DELETE_COMPLETE')],
      ...deprovisioned,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.deletionPoll, deleteTenant.deleted),
    expect: { status: 'SUCCEEDED', output: deletedOutput(0, 0) },
  },
  {
    workflow: 'delete-tenant',
    name: 'LookupCatchAll',
    description:
      'The lookup fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [[3, throttledUnderModelledName]],
      ...deprovisioningFailed,
    },
    path: path(deleteTenant.start, deleteTenant.lookupCaughtByCatchAll, deleteTenant.failed),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'DeleteCatchAll',
    description:
      'DeleteStack fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [[3, throttledUnderModelledName]],
      ...deprovisioningFailed,
    },
    path: path(deleteTenant.start, deleteTenant.lookup, deleteTenant.deleteStack, deleteTenant.failed),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
  {
    workflow: 'delete-tenant',
    name: 'ProgressCheckCatchAll',
    description:
      'The progress check fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, tenant FAILED',
    input: deleted(TENANT),
    mocks: {
      'Record tenant deprovisioning': [updateItemOk],
      'Find tenant stack': [complete(TENANT, 'CREATE_COMPLETE')],
      'Delete tenant stack': [deleteStackOk],
      'Check deletion progress': [[3, throttledUnderModelledName]],
      ...deprovisioningFailed,
    },
    path: path(
      deleteTenant.start,
      deleteTenant.lookup,
      deleteTenant.deleteStack,
      deleteTenant.deletionPollCaughtByCatchAll,
      deleteTenant.failed,
    ),
    expect: { status: 'FAILED', error: 'TenantDeprovisioningFailed' },
  },
];

const childInput = { tenantId: TENANT, templateUrl: pinnedUrl };
const result = (outcome: ChildResult['outcome'], reason: string, tenantId = TENANT): ChildResult => ({ tenantId, outcome, reason });
const updatedResult = result('updated', `Stack updated to template version ${NEXT_TEMPLATE_VERSION}`);
const updatedTail = { 'Record template version': [updateItemOk] };

const childCases: MockTestCase[] = [
  {
    workflow: 'update-tenant',
    name: 'Updated',
    description: 'UpdateStack with the pinned template, UPDATE_IN_PROGRESS, cleanup, UPDATE_COMPLETE: records the new template version',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [
        describeStack(TENANT, 'UPDATE_IN_PROGRESS', { reason: 'User Initiated' }),
        describeStack(TENANT, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
        complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION),
      ],
      ...updatedTail,
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.pollsInProgress(2),
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: updatedResult },
  },
  {
    workflow: 'update-tenant',
    name: 'NoUpdatesToPerform',
    description: '"No updates are to be performed.": unchanged (success)',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'CREATE_COMPLETE')],
      'Update tenant stack': [noUpdates],
    },
    path: path(updateTenant.start, updateTenant.check, updateTenant.updateRefused, updateTenant.reportUnchanged),
    expect: { status: 'SUCCEEDED', output: result('unchanged', 'No updates are to be performed') },
  },
  {
    workflow: 'update-tenant',
    name: 'BusyThenReady',
    description: 'UPDATE_IN_PROGRESS and cleanup from another update: waits, then updates',
    input: childInput,
    mocks: {
      'Check stack before update': [
        describeStack(TENANT, 'UPDATE_IN_PROGRESS'),
        describeStack(TENANT, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
        complete(TENANT, 'UPDATE_COMPLETE'),
      ],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      ...updatedTail,
    },
    path: path(
      updateTenant.start,
      times(2, [...updateTenant.check, ...updateTenant.busyWait]),
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: updatedResult },
  },
  {
    workflow: 'update-tenant',
    name: 'StaysBusy',
    description: 'Still UPDATE_IN_PROGRESS after MaxBusyWaits waits: failed',
    input: childInput,
    mocks: { 'Check stack before update': [[4, describeStack(TENANT, 'UPDATE_IN_PROGRESS')]] },
    path: path(
      updateTenant.start,
      times(MAX_BUSY_WAITS, [...updateTenant.check, ...updateTenant.busyWait]),
      updateTenant.check,
      updateTenant.stayedBusy,
      updateTenant.reportFailed,
    ),
    expect: { status: 'SUCCEEDED', output: result('failed', 'Stack tenant-acme still UPDATE_IN_PROGRESS after 3 waits') },
  },
  {
    workflow: 'update-tenant',
    name: 'RolledBack',
    description: 'The update rolls back (UPDATE_ROLLBACK_COMPLETE): failed with the status reason',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [
        describeStack(TENANT, 'UPDATE_IN_PROGRESS'),
        describeStack(TENANT, 'UPDATE_ROLLBACK_IN_PROGRESS', { reason: UPDATE_FAILURE }),
        describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', { reason: UPDATE_FAILURE }),
        describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE', { reason: UPDATE_FAILURE, templateVersion: TEMPLATE_VERSION }),
      ],
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.pollsInProgress(3),
      updateTenant.poll,
      updateTenant.updateFailed,
      updateTenant.reportFailed,
    ),
    expect: { status: 'SUCCEEDED', output: result('failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`) },
  },
  {
    workflow: 'update-tenant',
    name: 'RolledBackWithoutReason',
    description: 'UPDATE_ROLLBACK_COMPLETE with no StackStatusReason: failed with a placeholder reason',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [describeStack(TENANT, 'UPDATE_ROLLBACK_COMPLETE', { templateVersion: TEMPLATE_VERSION })],
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.updateFailedWithoutReason,
      updateTenant.reportFailed,
    ),
    expect: { status: 'SUCCEEDED', output: result('failed', `UPDATE_ROLLBACK_COMPLETE: ${NO_REASON}`) },
  },
  {
    workflow: 'update-tenant',
    name: 'RollbackComplete',
    description: 'ROLLBACK_COMPLETE (a failed create) can only be deleted: reported failed, UpdateStack never called',
    input: childInput,
    mocks: { 'Check stack before update': [describeStack(TENANT, 'ROLLBACK_COMPLETE', { reason: ROLLBACK_REASON })] },
    path: path(updateTenant.start, updateTenant.check, updateTenant.notUpdatable, updateTenant.reportFailed),
    expect: { status: 'SUCCEEDED', output: result('failed', 'Stack tenant-acme is in ROLLBACK_COMPLETE and can not be updated') },
  },
  {
    workflow: 'update-tenant',
    name: 'UpdateRollbackFailed',
    description: 'UPDATE_ROLLBACK_FAILED needs ContinueUpdateRollback: reported failed, not retried',
    input: childInput,
    mocks: { 'Check stack before update': [describeStack(TENANT, 'UPDATE_ROLLBACK_FAILED', { reason: UPDATE_FAILURE })] },
    path: path(updateTenant.start, updateTenant.check, updateTenant.notUpdatable, updateTenant.reportFailed),
    expect: { status: 'SUCCEEDED', output: result('failed', 'Stack tenant-acme is in UPDATE_ROLLBACK_FAILED and can not be updated') },
  },
  {
    workflow: 'update-tenant',
    name: 'TurnedBusy',
    description: 'UpdateStack refused because another update started since the check: wait, check, update',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE'), complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [notUpdatable(TENANT, 'UPDATE_IN_PROGRESS'), updateStackOk(TENANT)],
      'Check update progress': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      ...updatedTail,
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateRefused,
      updateTenant.busyWait,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: updatedResult },
  },
  {
    workflow: 'update-tenant',
    name: 'UpdateRejected',
    description: 'UpdateStack fails with another ValidationError: failed with the cause',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [validationError('TemplateURL must be a supported URL.')],
    },
    path: path(updateTenant.start, updateTenant.check, updateTenant.updateRefused, updateTenant.reportFailed),
    expect: { status: 'SUCCEEDED', output: result('failed', causeOf(validationError('TemplateURL must be a supported URL.'))) },
  },
  {
    workflow: 'update-tenant',
    name: 'CapabilitiesMissing',
    description: 'A modelled CloudFormation error is caught by States.ALL: failed',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [cloudFormationError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]')],
    },
    path: path(updateTenant.start, updateTenant.check, updateTenant.updateStack, updateTenant.reportFailed),
    expect: {
      status: 'SUCCEEDED',
      output: result(
        'failed',
        causeOf(cloudFormationError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]')),
      ),
    },
  },
  {
    workflow: 'update-tenant',
    name: 'PollingGivesUp',
    description: 'Still UPDATE_IN_PROGRESS after MaxStackPolls re-polls: failed',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [[6, describeStack(TENANT, 'UPDATE_IN_PROGRESS')]],
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.pollsInProgress(MAX_STACK_POLLS),
      updateTenant.poll,
      updateTenant.pollingGaveUp,
      updateTenant.reportFailed,
    ),
    expect: { status: 'SUCCEEDED', output: result('failed', 'Stack tenant-acme still UPDATE_IN_PROGRESS after 5 polls') },
  },
  {
    workflow: 'update-tenant',
    name: 'StackMissing',
    description: 'The tenant is ACTIVE but its stack does not exist: failed',
    input: childInput,
    mocks: { 'Check stack before update': [stackDoesNotExist(TENANT)] },
    path: path(updateTenant.start, updateTenant.checkFailed, updateTenant.reportFailed),
    expect: { status: 'SUCCEEDED', output: result('failed', causeOf(stackDoesNotExist(TENANT))) },
  },
  {
    workflow: 'update-tenant',
    name: 'ThrottledThenSucceeds',
    description: 'Every call is throttled once and succeeds on retry',
    input: childInput,
    mocks: {
      'Check stack before update': [throttled, complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [throttled, updateStackOk(TENANT)],
      'Check update progress': [throttled, complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      'Record template version': [dynamoThrottled, updateItemOk],
    },
    path: path(
      updateTenant.start,
      updateTenant.checkThrottled,
      updateTenant.check,
      updateTenant.updateThrottled,
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: updatedResult },
  },
  {
    workflow: 'update-tenant',
    name: 'CheckThrottledOut',
    description: 'DescribeStacks by name throttled three times: two back-offs, then failed with the last cause',
    input: childInput,
    mocks: { 'Check stack before update': [[3, throttled]] },
    path: path(
      updateTenant.start,
      times(API_RETRY_MAX_ATTEMPTS, updateTenant.checkThrottled),
      updateTenant.checkThrottledOut,
      updateTenant.reportFailed,
    ),
    expect: {
      status: 'SUCCEEDED',
      output: result('failed', `Check stack before update was still throttled after 2 retries: ${causeOf(throttled)}`),
    },
  },
  {
    workflow: 'update-tenant',
    name: 'UpdateThrottledOut',
    description: 'UpdateStack throttled three times: two back-offs, then failed with the last cause',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [[3, throttled]],
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      times(API_RETRY_MAX_ATTEMPTS, updateTenant.updateThrottled),
      updateTenant.updateThrottledOut,
      updateTenant.reportFailed,
    ),
    expect: {
      status: 'SUCCEEDED',
      output: result('failed', `Update tenant stack was still throttled after 2 retries: ${causeOf(throttled)}`),
    },
  },
  {
    workflow: 'update-tenant',
    name: 'ThrottledAcrossBusyWaits',
    description: 'Two throttled updates, the stack turned busy, two more throttled updates: a busy wait starts a fresh throttling budget',
    input: childInput,
    mocks: {
      'Check stack before update': [[2, complete(TENANT, 'UPDATE_COMPLETE')]],
      'Update tenant stack': [[2, throttled], notUpdatable(TENANT, 'UPDATE_IN_PROGRESS'), [2, throttled], updateStackOk(TENANT)],
      'Check update progress': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      ...updatedTail,
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      times(2, updateTenant.updateThrottled),
      updateTenant.updateRefused,
      updateTenant.busyWait,
      updateTenant.check,
      times(2, updateTenant.updateThrottled),
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: updatedResult },
  },
  {
    workflow: 'update-tenant',
    name: 'ModelledThrottlingNameRetried',
    description: 'The check and UpdateStack fail once under the modelled name CloudFormation.ThrottlingException: their Retry handles it',
    input: childInput,
    mocks: {
      'Check stack before update': [throttledUnderModelledName, complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [throttledUnderModelledName, updateStackOk(TENANT)],
      'Check update progress': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      ...updatedTail,
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: updatedResult },
  },
  {
    workflow: 'update-tenant',
    name: 'CheckCatchAll',
    description: 'The check fails with an error other than CloudFormationException beyond its retries: caught by States.ALL, failed',
    input: childInput,
    mocks: { 'Check stack before update': [[3, throttledUnderModelledName]] },
    path: path(updateTenant.start, updateTenant.checkCaughtByCatchAll, updateTenant.reportFailed),
    expect: { status: 'SUCCEEDED', output: result('failed', causeOf(throttledUnderModelledName)) },
  },
  {
    workflow: 'update-tenant',
    name: 'ProgressCheckThrottledOut',
    description: 'The progress check is throttled beyond the retries: failed',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [[3, throttled]],
    },
    path: path(updateTenant.start, updateTenant.check, updateTenant.updateStack, updateTenant.pollFailed, updateTenant.reportFailed),
    expect: { status: 'SUCCEEDED', output: result('failed', causeOf(throttled)) },
  },
  {
    workflow: 'update-tenant',
    name: 'RecordFails',
    description: 'The stack is updated but the tenant table cannot be written: failed with the cause',
    input: childInput,
    mocks: {
      'Check stack before update': [complete(TENANT, 'UPDATE_COMPLETE')],
      'Update tenant stack': [updateStackOk(TENANT)],
      'Check update progress': [complete(TENANT, 'UPDATE_COMPLETE', NEXT_TEMPLATE_VERSION)],
      'Record template version': [dynamoTableMissing],
    },
    path: path(
      updateTenant.start,
      updateTenant.check,
      updateTenant.updateStack,
      updateTenant.poll,
      updateTenant.recordVersion,
      updateTenant.reportFailed,
    ),
    expect: { status: 'SUCCEEDED', output: result('failed', causeOf(dynamoTableMissing)) },
  },
];

const child = (tenantId: string, outcome: ChildResult['outcome'], reason?: string, index = 0) =>
  childExecution(
    result(
      outcome,
      reason ?? (outcome === 'updated' ? `Stack updated to template version ${NEXT_TEMPLATE_VERSION}` : 'No updates are to be performed'),
      tenantId,
    ),
    index,
  );
const summary = (updated: number, unchanged: number, failed: string[], skipped: string[]) => ({ updated, unchanged, failed, skipped });
const continuationInput = {
  continuation: {
    templateUrl: pinnedUrl,
    templateVersion: PINNED_VERSION_ID,
    exclusiveStartKey: { tenantId: { S: 'tenant-i' } },
    progress: { updated: 7, unchanged: 1, failed: [], skipped: ['e'], pages: 3 },
  },
  AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:us-east-1:123456789012:execution:update-tenants:first',
};

const fleetCases: MockTestCase[] = [
  {
    workflow: 'update-tenants',
    name: 'OnePage',
    description: 'One page: two ACTIVE tenants (one updated, one unchanged), a PROVISIONING tenant skipped',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
          { tenantId: 'c', status: 'PROVISIONING' },
        ]),
      ],
      'Update one tenant': [child('a', 'updated'), child('b', 'unchanged', undefined, 1)],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'notActive'),
      updateTenants.summarize,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(1, 1, [], ['c']) },
  },
  {
    workflow: 'update-tenants',
    name: 'ThreePages',
    description: 'Three pages chained by LastEvaluatedKey/ExclusiveStartKey; every tenant accounted for',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage(
          [
            { tenantId: 'a', status: 'ACTIVE' },
            { tenantId: 'b', status: 'ACTIVE' },
            { tenantId: 'c', status: 'ACTIVE' },
          ],
          'c',
        ),
      ],
      'Read next tenant page': [
        scanPage([{ tenantId: 'd', status: 'ACTIVE' }, { tenantId: 'e', status: 'FAILED' }, { tenantId: 'f' }], 'f'),
        scanPage([{ tenantId: 'g', status: 'ACTIVE' }]),
      ],
      'Update one tenant': [
        child('a', 'updated'),
        child('b', 'updated', undefined, 1),
        child('c', 'unchanged', undefined, 2),
        child('d', 'updated', undefined, 3),
        child('g', 'unchanged', undefined, 4),
      ],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.nextPage,
      updateTenants.page('active', 'notActive', 'notActive'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.summarize,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(3, 2, [], ['e', 'f']) },
  },
  {
    workflow: 'update-tenants',
    name: 'EmptyTable',
    description: 'No tenants at all: an empty summary, success',
    input: objectCreatedEvent(),
    mocks: { 'Read first tenant page': [scanPage([])] },
    path: path(updateTenants.firstPage, updateTenants.page(), updateTenants.summarize, updateTenants.fleetUpdated),
    expect: { status: 'SUCCEEDED', output: summary(0, 0, [], []) },
  },
  {
    workflow: 'update-tenants',
    name: 'OneTenantRollsBack',
    description: 'One tenant rolls back (UPDATE_ROLLBACK_COMPLETE) while the others update: the run fails after all are done',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
          { tenantId: 'c', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [
        child('a', 'updated'),
        child('b', 'failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`, 1),
        child('c', 'updated', undefined, 2),
      ],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.summarize,
      updateTenants.someTenantsFailed,
    ),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'TenantNotUpdatable',
    description: 'A tenant whose stack is in ROLLBACK_COMPLETE is reported failed; the others still update',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [
        child('a', 'failed', 'Stack tenant-a is in ROLLBACK_COMPLETE and can not be updated'),
        child('b', 'updated', undefined, 1),
      ],
    },
    path: path(updateTenants.firstPage, updateTenants.page('active', 'active'), updateTenants.summarize, updateTenants.someTenantsFailed),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'ThrottlingRetried',
    description: 'Both Scan calls are throttled once and succeed on retry',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [scanThrottled, scanPage([{ tenantId: 'a', status: 'ACTIVE' }], 'a')],
      'Read next tenant page': [scanThrottled, scanPage([{ tenantId: 'b', status: 'ACTIVE' }])],
      'Update one tenant': [child('a', 'updated'), child('b', 'updated', undefined, 1)],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.summarize,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(2, 0, [], []) },
  },
  {
    workflow: 'update-tenants',
    name: 'ChildCouldNotStart',
    description: 'StartExecution of one child fails (execution limit): that tenant is failed, the other still updates',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [child('a', 'updated'), executionLimitExceeded],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'childCouldNotStart'),
      updateTenants.summarize,
      updateTenants.someTenantsFailed,
    ),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'ContinuesInNewExecution',
    description: 'After MaxPagesPerExecution pages with more to read, the run continues in a new execution and reports its summary',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage(
          [
            { tenantId: 'a', status: 'ACTIVE' },
            { tenantId: 'b', status: 'ACTIVE' },
            { tenantId: 'c', status: 'ACTIVE' },
          ],
          'c',
        ),
      ],
      'Read next tenant page': [
        scanPage(
          [
            { tenantId: 'd', status: 'ACTIVE' },
            { tenantId: 'e', status: 'DEPROVISIONING' },
            { tenantId: 'f', status: 'ACTIVE' },
          ],
          'f',
        ),
        scanPage(
          [
            { tenantId: 'g', status: 'ACTIVE' },
            { tenantId: 'h', status: 'ACTIVE' },
            { tenantId: 'i', status: 'ACTIVE' },
          ],
          'i',
        ),
      ],
      'Update one tenant': [
        ...['a', 'b', 'c', 'd', 'f', 'g'].map((id, i) => child(id, 'updated', undefined, i)),
        child('h', 'unchanged', undefined, 6),
        child('i', 'updated', undefined, 7),
      ],
      // The continuation reads the rest (j updated, k unchanged) and returns the whole run's summary.
      'Continue in a new execution': [continuationExecution(summary(8, 2, [], ['e']))],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.nextPage,
      updateTenants.page('active', 'notActive', 'active'),
      updateTenants.nextPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.continueInNewExecution,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(8, 2, [], ['e']) },
  },
  {
    workflow: 'update-tenants',
    name: 'ContinuationReportsFailure',
    description: 'The continuation reports a failed tenant: the first execution fails',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [scanPage([{ tenantId: 'a', status: 'ACTIVE' }], 'a')],
      'Read next tenant page': [scanPage([{ tenantId: 'b', status: 'ACTIVE' }], 'b'), scanPage([{ tenantId: 'c', status: 'ACTIVE' }], 'c')],
      'Update one tenant': [child('a', 'updated'), child('b', 'updated', undefined, 1), child('c', 'updated', undefined, 2)],
      'Continue in a new execution': [continuationExecution(summary(3, 0, ['z'], []))],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.continueInNewExecution,
      updateTenants.someTenantsFailed,
    ),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'ResumedContinuation',
    description: 'A continuation resumes from the cursor with the totals so far and hands the summary back',
    input: continuationInput,
    mocks: {
      'Read next tenant page': [
        scanPage([
          { tenantId: 'j', status: 'ACTIVE' },
          { tenantId: 'k', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [child('j', 'updated'), child('k', 'unchanged', undefined, 1)],
    },
    path: path(updateTenants.resumedPage, updateTenants.page('active', 'active'), updateTenants.summarize, updateTenants.handSummaryBack),
    expect: { status: 'SUCCEEDED', output: summary(8, 2, [], ['e']) },
  },
  {
    workflow: 'update-tenants',
    name: 'ResumedContinuationWithFailure',
    description: 'A continuation succeeds even when a tenant failed: only the first execution decides the outcome',
    input: continuationInput,
    mocks: {
      'Read next tenant page': [scanPage([{ tenantId: 'j', status: 'ACTIVE' }])],
      'Update one tenant': [child('j', 'failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`)],
    },
    path: path(updateTenants.resumedPage, updateTenants.page('active'), updateTenants.summarize, updateTenants.handSummaryBack),
    expect: { status: 'SUCCEEDED', output: summary(7, 1, ['j'], ['e']) },
  },
  {
    workflow: 'update-tenants',
    name: 'NotTheTenantTemplate',
    description: 'Another object in the template bucket: nothing is touched',
    input: objectCreatedEvent({ key: 'README.txt' }),
    mocks: {},
    path: path(updateTenants.ignored),
    expect: { status: 'SUCCEEDED', output: objectCreatedEvent({ key: 'README.txt' }) },
  },
  {
    workflow: 'update-tenants',
    name: 'TemplateVersionMissing',
    description: 'An event without version-id (unversioned bucket): fails before touching any tenant',
    input: objectCreatedEvent({ versionId: null }),
    mocks: {},
    path: path(updateTenants.versionMissing),
    expect: { status: 'FAILED', error: 'TemplateVersionMissing' },
  },
];

export const TEST_CASES: readonly MockTestCase[] = [...createCases, ...deleteCases, ...childCases, ...fleetCases];
