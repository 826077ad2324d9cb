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
} from '../responses';
import { createTenant, MAX_STACK_POLLS, path } from '../paths';
import { TENANT, created, ROLLBACK_REASON, complete, type MockTestCase } from './common';

const CREATE_FAILURE = 'The following resource(s) failed to create: [TenantDataTable]. ';

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

export const createTenantCases: MockTestCase[] = [
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
