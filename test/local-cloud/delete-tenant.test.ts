/**
 * delete-tenant, unmocked, on the local tenant cloud: end state in the services.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { tenantDataTableName } from '../../template/naming';
import { listTenantRecords, output } from '../../local/cli/operations';
import { TENANT_CREATED_DETAIL_TYPE, TENANT_DELETED_DETAIL_TYPE, TENANT_EVENT_SOURCE } from '../../statemachines/contract';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

/**
 * Puts a lifecycle event with the producer's Time (EventBridge keeps it as the event's `time`:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html) and
 * waits for the execution it starts and everything after it.
 */
async function deliver(kind: 'created' | 'deleted', tenantId: string, time: Date) {
  const before = await cloud.executions();
  const release = cloud.timeline.hold();
  try {
    const { FailedEntryCount } = await cloud.clients.eventbridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: output(cloud.info, 'EventBusName'),
            Source: TENANT_EVENT_SOURCE,
            DetailType: kind === 'created' ? TENANT_CREATED_DETAIL_TYPE : TENANT_DELETED_DETAIL_TYPE,
            Detail: JSON.stringify({ tenantId }),
            Time: time,
          },
        ],
      }),
    );
    expect(FailedEntryCount).toBe(0);
  } finally {
    release();
  }
  const [execution] = await cloud.settle(kind === 'created' ? 'create-tenant' : 'delete-tenant', 1, before);
  return execution;
}

/** What the marker's expiresAt must be: the start of the 31st day after the event's day, in epoch seconds. */
const expectedExpiry = (time: Date) => String((Math.floor(time.getTime() / 86_400_000) + 31) * 86_400);
const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

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

// A TenantDeleted for a tenant that never existed is a documented no-op for operators and consumers
// (docs/workflows.md): no stack call, no TenantDeprovisioned for a deprovisioning that never happened,
// nothing in `tenants list`. Only an expiring marker is written, so that a late TenantCreated older
// than the deletion is stale (next tests).
test('a TenantDeleted for an unknown tenant announces nothing and leaves only an expiring marker that tenants list ignores', async () => {
  const time = seconds(cloud.timeline.now());
  const execution = await deliver('deleted', 'never-was', time);
  expect(execution.status).toBe('SUCCEEDED');
  expect(cloud.announced('TenantDeprovisioned', 'never-was')).toHaveLength(0);
  expect(await cloud.tenantStack('never-was')).toBeUndefined();
  const marker = await cloud.record('never-was');
  expect({
    desired: marker?.desired?.S,
    status: marker?.status?.S,
    desiredAt: marker?.desiredAt?.S,
    expiresAt: marker?.expiresAt?.N,
    stackId: marker?.stackId,
  }).toEqual({
    desired: 'ABSENT',
    status: 'DELETED',
    desiredAt: time.toISOString().replace('.000Z', 'Z'),
    expiresAt: expectedExpiry(time),
    stackId: undefined,
  });
  expect((await listTenantRecords(cloud.clients, cloud.info)).map((r) => r.tenantId)).not.toContain('never-was');
});

// expiresAt is counted with intrinsics (JSONPath has no date arithmetic): across month ends, 29
// February, year ends and far years it must be the same number JavaScript's Date gives.
test.each([
  '2024-02-29T23:59:59Z',
  '2024-03-01T00:00:00Z',
  '2025-02-28T12:00:00Z',
  '2025-03-01T00:00:01Z',
  '2026-12-31T23:59:59Z',
  '2027-01-01T00:00:00Z',
  '2028-07-15T08:30:00Z',
  '2099-12-31T23:59:59Z',
  '1999-06-01T00:00:00Z',
])('the marker of a TenantDeleted at %s expires at the start of the 31st day after (DynamoDB TTL, epoch seconds)', async (at) => {
  const tenantId = `ttl-${at.slice(0, 10)}`;
  await deliver('deleted', tenantId, new Date(at));
  expect((await cloud.record(tenantId))?.expiresAt?.N).toBe(expectedExpiry(new Date(at)));
});

// The neighbour: a duplicate TenantCreated that EventBridge redelivers after a later TenantDeleted.
test('a TenantCreated redelivered after a later TenantDeleted is stale: the tenant stays deleted', async () => {
  const t0 = seconds(cloud.timeline.now());
  await deliver('created', 'redelivered', t0);
  await deliver('deleted', 'redelivered', new Date(t0.getTime() + 60_000));
  const again = await deliver('created', 'redelivered', t0);

  expect(again.status).toBe('SUCCEEDED');
  expect(await cloud.tenantStack('redelivered')).toBeUndefined();
  const record = await cloud.record('redelivered');
  expect([S(record, 'status'), S(record, 'desired')]).toEqual(['DELETED', 'ABSENT']);
  expect(cloud.announced('TenantProvisioned', 'redelivered')).toHaveLength(1);
  expect(cloud.announced('TenantDeprovisioned', 'redelivered')).toHaveLength(1);
});

test('a TenantCreated newer than the marker of an earlier TenantDeleted is a genuine create: ACTIVE, marker expiry removed', async () => {
  const t0 = seconds(cloud.timeline.now());
  await deliver('deleted', 'comes-back', t0);
  const execution = await deliver('created', 'comes-back', new Date(t0.getTime() + 1000));
  expect(execution.status).toBe('SUCCEEDED');
  expect((await cloud.tenantStack('comes-back'))?.StackStatus).toBe('CREATE_COMPLETE');
  const record = await cloud.record('comes-back');
  expect([S(record, 'status'), S(record, 'desired'), record?.expiresAt]).toEqual(['ACTIVE', 'PRESENT', undefined]);
  expect(cloud.announced('TenantProvisioned', 'comes-back')).toHaveLength(1);
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

// Desired-state changes are ordered by the events' time (docs/workflows.md, "State model"): the
// TenantDeleted leaves a marker, and the TenantCreated that happened before it, delivered after it, is stale.
test('a TenantDeleted delivered before its TenantCreated leaves no stack: the late create is stale', async () => {
  const t0 = seconds(cloud.timeline.now());
  await deliver('deleted', 'reordered', t0);
  const create = await deliver('created', 'reordered', new Date(t0.getTime() - 5000));

  expect(create.status).toBe('SUCCEEDED');
  expect(await cloud.tenantStack('reordered')).toBeUndefined();
  const record = await cloud.record('reordered');
  expect([S(record, 'status'), S(record, 'desired')]).toEqual(['DELETED', 'ABSENT']);
  expect(cloud.announced('TenantProvisioned', 'reordered')).toHaveLength(0);
  expect(cloud.announced('TenantDeprovisioned', 'reordered')).toHaveLength(0);
});

// A tie (time has one-second resolution) goes to the deletion.
test('a TenantCreated of the same second as the TenantDeleted delivered before it is stale too', async () => {
  const t0 = seconds(cloud.timeline.now());
  await deliver('deleted', 'same-second', t0);
  const create = await deliver('created', 'same-second', t0);
  expect(create.status).toBe('SUCCEEDED');
  expect(await cloud.tenantStack('same-second')).toBeUndefined();
  expect(cloud.announced('TenantProvisioned', 'same-second')).toHaveLength(0);
});

test('a TenantDeleted older than the TenantCreated already processed is stale: the tenant stays ACTIVE', async () => {
  const t0 = seconds(cloud.timeline.now());
  await deliver('created', 'stays', t0);
  const stale = await deliver('deleted', 'stays', new Date(t0.getTime() - 5000));
  expect(stale.status).toBe('SUCCEEDED');
  expect((await cloud.tenantStack('stays'))?.StackStatus).toBe('CREATE_COMPLETE');
  expect(S(await cloud.record('stays'), 'status')).toBe('ACTIVE');
  expect(cloud.announced('TenantDeprovisioned', 'stays')).toHaveLength(0);
});

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
