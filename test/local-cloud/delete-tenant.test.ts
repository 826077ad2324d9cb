/**
 * delete-tenant, unmocked, on the local tenant cloud: end state in the services.
 */
import { tenantDataTableName } from '../../template/naming';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

test('a TenantDeleted deletes the stack, keeps the data table (DeletionPolicy Retain), leaves a DELETED tombstone and announces TenantDeprovisioned', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 'leaving' } }]);
  const created = await cloud.tenantStack('leaving');
  const [execution] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 'leaving' } }]);

  expect(execution.status).toBe('SUCCEEDED');
  expect(await cloud.tenantStack('leaving')).toBeUndefined(); // a deleted stack is no longer found by name
  expect((await cloud.stack(created!.StackId!))?.StackStatus).toBe('DELETE_COMPLETE');
  expect(await cloud.tableExists(tenantDataTableName('leaving'))).toBe(true);
  expect(S(await cloud.record('leaving'), 'status')).toBe('DELETED');
  expect(cloud.announced('TenantDeprovisioned', 'leaving')).toHaveLength(1);
});

// Defect (issue "Tenant lifecycle correctness"): a TenantDeleted for a tenant that never existed
// writes a DELETED tombstone and announces TenantDeprovisioned, a deprovisioning that never happened.
// The design asks for a documented no-op.
test.failing(
  'a TenantDeleted for an unknown tenant changes nothing and announces nothing (known failure: tombstone and announcement)',
  async () => {
    const [execution] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 'never-was' } }]);
    expect(execution.status).toBe('SUCCEEDED');
    expect(await cloud.record('never-was')).toBeUndefined();
    expect(cloud.announced('TenantDeprovisioned', 'never-was')).toHaveLength(0);
  },
);

test('a TenantDeleted while the create is still running waits for the stack, deletes it and ends DELETED', async () => {
  const release = cloud.timeline.hold(); // keep the simulated clock still until the stack is being created
  const before = await cloud.executions();
  await cloud.send('created', { tenantId: 'racing' });
  for (let i = 0; i < 200 && (await cloud.tenantStack('racing'))?.StackStatus !== 'CREATE_IN_PROGRESS'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect((await cloud.tenantStack('racing'))?.StackStatus).toBe('CREATE_IN_PROGRESS');
  await cloud.send('deleted', { tenantId: 'racing' });
  release();
  const executions = await cloud.settle('delete-tenant', 1, before);
  expect(executions.filter((e) => e.workflow === 'create-tenant')).toHaveLength(1);

  const record = await cloud.record('racing');
  expect(await cloud.tenantStack('racing')).toBeUndefined();
  expect(S(record, 'status')).toBe('DELETED');
  expect(cloud.announced('TenantDeprovisioned', 'racing')).toHaveLength(1);
});

// Defect (issue "Tenant lifecycle correctness"): each workflow acts on its own event, unaware of the
// others. A TenantDeleted that arrives before the TenantCreated (EventBridge does not order events)
// finds no stack and writes a tombstone; the late create then provisions a stack for a deleted
// tenant, which survives.
test.failing('a TenantDeleted delivered before its TenantCreated leaves no stack (known failure: the stack survives)', async () => {
  await cloud.run([{ kind: 'deleted', detail: { tenantId: 'reordered' } }]);
  await cloud.run([{ kind: 'created', detail: { tenantId: 'reordered' } }]);
  expect(await cloud.tenantStack('reordered')).toBeUndefined();
  expect(S(await cloud.record('reordered'), 'status')).toBe('DELETED');
});

// Defect (issue "Tenant lifecycle correctness"): delete-tenant checks only presence and type of the
// id, so a TenantDeleted whose id breaks the tenant-id rule finds no stack and writes a DELETED
// tombstone under the junk id (for very long ids the issue reports a raw DynamoDB error instead).
test.failing(
  'a TenantDeleted with an invalid id fails with InvalidTenantId and writes no record (known failure: a tombstone under the junk id)',
  async () => {
    const [execution] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 'Bad_Id' } }]);
    expect(await cloud.record('Bad_Id')).toBeUndefined();
    expect([execution.status, execution.error]).toEqual(['FAILED', 'InvalidTenantId']);
  },
);
