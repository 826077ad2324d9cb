/**
 * create-tenant, unmocked, on the local tenant cloud: what it leaves in the services (the stack, its
 * parameters and template version, the tenant record, the tenant's data table, the announced
 * events, execution statuses), never what it reports about itself.
 */
import { TEMPLATE_VERSION } from '../../template/version';
import { tenantDataTableName } from '../../template/naming';
import { startTestCloud, type TestCloud } from './support/test-cloud';
import { currentTemplate, releaseTemplate, stackOutput, stackParameter, withTemplateVersion } from '../../local/cli/operations';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

test('a TenantCreated provisions the stack, the data table and an ACTIVE record, and announces TenantProvisioned', async () => {
  const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId: 'acme' } }]);
  expect(execution.status).toBe('SUCCEEDED');

  const stack = await cloud.tenantStack('acme');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  expect(stackParameter(stack, 'TenantId')).toBe('acme');
  expect(stackOutput(stack, 'TemplateVersion')).toBe(TEMPLATE_VERSION);
  expect(await cloud.tableExists(tenantDataTableName('acme'))).toBe(true);

  const record = await cloud.record('acme');
  expect(S(record, 'status')).toBe('ACTIVE');
  expect(S(record, 'stackId')).toBe(stack?.StackId);
  expect(S(record, 'templateVersion')).toBe(TEMPLATE_VERSION);

  const announced = cloud.announced('TenantProvisioned', 'acme');
  expect(announced).toHaveLength(1);
  expect(announced[0].detail).toEqual({ tenantId: 'acme', stackId: stack?.StackId, templateVersion: TEMPLATE_VERSION });
});

test('a second TenantCreated for an ACTIVE tenant converges on the same stack', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 'dup-seq' } }]);
  const first = await cloud.tenantStack('dup-seq');
  const [again] = await cloud.run([{ kind: 'created', detail: { tenantId: 'dup-seq' } }]);

  expect(again.status).toBe('SUCCEEDED');
  const stack = await cloud.tenantStack('dup-seq');
  expect(stack?.StackId).toBe(first?.StackId);
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  expect(S(await cloud.record('dup-seq'), 'status')).toBe('ACTIVE');
  expect(S(await cloud.record('dup-seq'), 'stackId')).toBe(first?.StackId);
});

test('two TenantCreated at once create one stack and both executions end with the tenant ACTIVE', async () => {
  const executions = await cloud.run([
    { kind: 'created', detail: { tenantId: 'dup-conc' } },
    { kind: 'created', detail: { tenantId: 'dup-conc' } },
  ]);
  expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  const stack = await cloud.tenantStack('dup-conc');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  const record = await cloud.record('dup-conc');
  expect(S(record, 'status')).toBe('ACTIVE');
  expect(S(record, 'stackId')).toBe(stack?.StackId);
});

describe.each([
  ['upper case and underscore', 'Bad_Id'],
  ['leading hyphen', '-lead'],
  ['trailing hyphen', 'trail-'],
  ['empty', ''],
  ['33 characters (only CloudFormation measures the length)', 'a'.repeat(33)],
  ['a number', 42],
  ['missing', undefined],
])('an invalid tenant id (%s)', (_label, tenantId) => {
  test('fails the execution with InvalidTenantId and leaves no stack and no record', async () => {
    const detail = tenantId === undefined ? {} : { tenantId };
    const [execution] = await cloud.run([{ kind: 'created', detail }]);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('InvalidTenantId');
    if (typeof tenantId === 'string' && tenantId !== '') {
      expect(await cloud.tenantStack(tenantId)).toBeUndefined();
      expect(await cloud.record(tenantId)).toBeUndefined();
    }
  });
});

test('a stack that fails to create rolls back; the tenant is FAILED with the reason and TenantProvisioningFailed is announced', async () => {
  cloud.failStackCreation('tenant-broken', 'DataTable', 'Injected: table limit exceeded');
  const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId: 'broken' } }]);
  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('TenantProvisioningFailed');

  const stack = await cloud.tenantStack('broken');
  expect(stack?.StackStatus).toBe('ROLLBACK_COMPLETE');
  const record = await cloud.record('broken');
  expect(S(record, 'status')).toBe('FAILED');
  expect(S(record, 'statusReason')).toContain('ROLLBACK_COMPLETE');
  expect(cloud.announced('TenantProvisioningFailed', 'broken')).toHaveLength(1);
  expect(cloud.announced('TenantProvisioned', 'broken')).toHaveLength(0);
});

// A new TenantCreated after a failed create starts a new generation: the ROLLBACK_COMPLETE stack is
// deleted and created again (docs/workflows.md, "Recovery of a failed create").
test('a TenantCreated after a failed create recovers the tenant: the rolled-back stack is replaced', async () => {
  cloud.failStackCreation('tenant-retry', 'DataTable', 'Injected: first attempt fails');
  await cloud.run([{ kind: 'created', detail: { tenantId: 'retry' } }]);
  const [again] = await cloud.run([{ kind: 'created', detail: { tenantId: 'retry' } }]);
  expect(again.status).toBe('SUCCEEDED');
  expect((await cloud.tenantStack('retry'))?.StackStatus).toBe('CREATE_COMPLETE');
  expect(S(await cloud.record('retry'), 'status')).toBe('ACTIVE');
});

// A fleet update also updates PROVISIONING tenants: the child waits while the stack is being created,
// then updates it to the pinned release, and the create records the version the stack ends on.
test('a release landing while a tenant is being created reaches that tenant too', async () => {
  const release = cloud.timeline.hold();
  const before = await cloud.executions();
  await cloud.send('created', { tenantId: 'late-joiner' });
  for (let i = 0; i < 200 && (await cloud.tenantStack('late-joiner'))?.StackStatus !== 'CREATE_IN_PROGRESS'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The stack is created from the unversioned template URL, so the release must land after CreateStack read it.
  const body = withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '4.0.0');
  await releaseTemplate(cloud.clients, cloud.info, body);
  release();
  await cloud.settle('update-tenants', 1, before);
  await cloud.settle('create-tenant', 1, before);
  expect(stackOutput(await cloud.tenantStack('late-joiner'), 'TemplateVersion')).toBe('4.0.0');
});
