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

// A TenantDeleted for a tenant that never existed is a documented no-op (docs/workflows.md): no
// tombstone, no TenantDeprovisioned for a deprovisioning that never happened.
test('a TenantDeleted for an unknown tenant changes nothing and announces nothing', async () => {
  const [execution] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 'never-was' } }]);
  expect(execution.status).toBe('SUCCEEDED');
  expect(await cloud.record('never-was')).toBeUndefined();
  expect(cloud.announced('TenantDeprovisioned', 'never-was')).toHaveLength(0);
});

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

// Known failure, by design (docs/workflows.md, "What is not ordered"): a TenantDeleted processed before
// its TenantCreated's execution read the record finds no record, which is exactly a TenantDeleted for
// a tenant that never existed: a documented no-op (previous test), so nothing remains to stop the late
// create. Converging here needs an order producers supply (a sequence in the events) or a marker the
// no-op rule excludes. A delete processed after the create's claim does converge (the test above).
test.failing(
  'a TenantDeleted delivered before its TenantCreated leaves no stack (known failure: an unknown tenant is a no-op, so the late create provisions)',
  async () => {
    await cloud.run([{ kind: 'deleted', detail: { tenantId: 'reordered' } }]);
    await cloud.run([{ kind: 'created', detail: { tenantId: 'reordered' } }]);
    expect(await cloud.tenantStack('reordered')).toBeUndefined();
    expect(S(await cloud.record('reordered'), 'status')).toBe('DELETED');
  },
);

// delete-tenant applies the tenant-id rule before it writes anything.
test('a TenantDeleted with an invalid id fails with InvalidTenantId and writes no record', async () => {
  const [execution] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 'Bad_Id' } }]);
  expect(await cloud.record('Bad_Id')).toBeUndefined();
  expect([execution.status, execution.error]).toEqual(['FAILED', 'InvalidTenantId']);
});

// An id longer than a DynamoDB partition key (2,048 bytes,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html): GetItem's
// ValidationException becomes InvalidTenantId instead of a raw DynamoDB error, and nothing is written.
test('a TenantDeleted with an id longer than a DynamoDB key fails with InvalidTenantId, not a DynamoDB error', async () => {
  const [execution] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 'a'.repeat(2100) } }]);
  expect([execution.status, execution.error]).toEqual(['FAILED', 'InvalidTenantId']);
  expect(cloud.announced('TenantDeprovisioningFailed', 'a'.repeat(2100))).toHaveLength(0);
});
