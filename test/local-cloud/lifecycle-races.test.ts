/**
 * Races between create-tenant and delete-tenant on the local tenant cloud where one workflow's retried
 * write lands after the other workflow's conditional write: a DynamoDB UpdateItem of one workflow is
 * throttled (ProvisionedThroughputExceededException, retried by its Retry on the simulated clock)
 * while the clock is held, the other workflow writes meanwhile, then the clock runs. End state in the
 * services: stacks, the tenant record, the announced events, execution statuses.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { tenantDataTableName } from '../../template/naming';
import { output } from '../../local/cli/operations';
import { TENANT_CREATED_DETAIL_TYPE, TENANT_DELETED_DETAIL_TYPE, TENANT_EVENT_SOURCE } from '../../statemachines/contract';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

/** Puts one lifecycle event with the producer's Time (EventBridge keeps it as the event's `time`). */
async function put(kind: 'created' | 'deleted', tenantId: string, time: Date): Promise<void> {
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
}

/** Polls (in wall-clock time; the simulated clock may be held) until the condition holds. */
async function until(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const tenantTable = () => output(cloud.info, 'TenantTableName');
const throttledUpdates = () =>
  cloud.services.dynamodb.faults.injected.filter((f) => f.operation === 'UpdateItem' && f.resource === tenantTable()).length;
const now = () => new Date(Math.floor(cloud.timeline.now() / 1000) * 1000);

test("delete-tenant's marker write, throttled, is retried after create-tenant's claim: it reads again and deletes the claimed tenant", async () => {
  const before = await cloud.executions();
  const time = now();
  const release = cloud.timeline.hold();
  const throttledBefore = throttledUpdates();
  cloud.injectDynamoFault({ operation: 'UpdateItem', resource: tenantTable(), code: 'ProvisionedThroughputExceededException', times: 1 });
  let requested: string | undefined;
  try {
    await put('deleted', 'race-mark', time);
    // The delete found no record; its marker write was refused and waits for its retry on the held clock.
    await until('the marker write to be throttled', () => throttledUpdates() > throttledBefore);
    await put('created', 'race-mark', time);
    await until('the create to claim', async () => S(await cloud.record('race-mark'), 'status') === 'PROVISIONING');
    requested = (await cloud.tenantStack('race-mark'))?.StackId;
  } finally {
    release();
  }
  await cloud.settle('delete-tenant', 1, before);
  await cloud.settle('create-tenant', 1, before);
  const all = (await cloud.executions()).filter((e) => !before.some((b) => b.executionArn === e.executionArn));

  expect(all.map((e) => [e.workflow, e.status]).sort()).toEqual([
    ['create-tenant', 'SUCCEEDED'],
    ['delete-tenant', 'SUCCEEDED'],
  ]);
  expect(await cloud.tenantStack('race-mark')).toBeUndefined();
  const record = await cloud.record('race-mark');
  expect([S(record, 'status'), S(record, 'desired'), record?.expiresAt]).toEqual(['DELETED', 'ABSENT', undefined]);
  expect(requested).toBeDefined();
  expect((await cloud.stack(requested!))?.StackStatus).toBe('DELETE_COMPLETE');
  expect(cloud.announced('TenantDeprovisioned', 'race-mark')).toHaveLength(1);
  expect(cloud.announced('TenantProvisioned', 'race-mark')).toHaveLength(0);
});

test("create-tenant's claim, throttled, is retried after delete-tenant's marker: the stale create withdraws the stack it had requested", async () => {
  const before = await cloud.executions();
  const time = now();
  const release = cloud.timeline.hold();
  const throttledBefore = throttledUpdates();
  cloud.injectDynamoFault({ operation: 'UpdateItem', resource: tenantTable(), code: 'ProvisionedThroughputExceededException', times: 1 });
  let requested: string | undefined;
  try {
    await put('created', 'race-claim', time);
    // CreateStack was accepted (the stack is being created), then the claim was refused.
    await until('the claim to be throttled', () => throttledUpdates() > throttledBefore);
    requested = (await cloud.tenantStack('race-claim'))?.StackId;
    await put('deleted', 'race-claim', time);
    await until('the marker', async () => (await cloud.record('race-claim'))?.expiresAt !== undefined);
  } finally {
    release();
  }
  await cloud.settle('create-tenant', 1, before);
  await cloud.settle('delete-tenant', 1, before);
  const all = (await cloud.executions()).filter((e) => !before.some((b) => b.executionArn === e.executionArn));

  expect(all.map((e) => [e.workflow, e.status]).sort()).toEqual([
    ['create-tenant', 'SUCCEEDED'],
    ['delete-tenant', 'SUCCEEDED'],
  ]);
  expect(requested).toBeDefined();
  expect((await cloud.stack(requested!))?.StackStatus).toBe('DELETE_COMPLETE');
  expect(await cloud.tenantStack('race-claim')).toBeUndefined();
  const record = await cloud.record('race-claim');
  // Still the marker (desired ABSENT, expiring): the tenant was never provisioned for anyone.
  expect([S(record, 'status'), S(record, 'desired'), record?.expiresAt === undefined]).toEqual(['DELETED', 'ABSENT', false]);
  expect(cloud.announced('TenantProvisioned', 'race-claim')).toHaveLength(0);
  expect(cloud.announced('TenantDeprovisioned', 'race-claim')).toHaveLength(0);
});

// A re-claim after an ABSENT mark: a newer TenantCreated arrives while delete-tenant deletes the old
// stack. Its CreateStack finds the name taken (AlreadyExists), the stack it follows is being deleted:
// the create follows that deletion by id, then creates the tenant's stack again (before this design it
// failed its poll of a vanished stack and ended FAILED with no stack).
test('a newer TenantCreated while the stack is being deleted ends ACTIVE on a new stack; the deletion is superseded', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 'race-back' } }]);
  const old = await cloud.tenantStack('race-back');
  const before = await cloud.executions();
  const time = now();
  const release = cloud.timeline.hold();
  try {
    await put('deleted', 'race-back', time);
    await until('the old stack to be deleted', async () => (await cloud.stack(old!.StackId!))?.StackStatus === 'DELETE_IN_PROGRESS');
    // The old stack keeps the tenant's data table (RetainExceptOnCreate): re-creating the id needs it
    // gone first, as the runbook says (README, "When a tenant is stuck"); the operator drops it here.
    await cloud.clients.dynamodb.send(new DeleteTableCommand({ TableName: tenantDataTableName('race-back') }));
    await put('created', 'race-back', new Date(time.getTime() + 1000));
    await until('the new claim', async () => S(await cloud.record('race-back'), 'desired') === 'PRESENT');
  } finally {
    release();
  }
  await cloud.settle('create-tenant', 1, before);
  await cloud.settle('delete-tenant', 1, before);
  const all = (await cloud.executions()).filter((e) => !before.some((b) => b.executionArn === e.executionArn));
  expect(all.map((e) => [e.workflow, e.status]).sort()).toEqual([
    ['create-tenant', 'SUCCEEDED'],
    ['delete-tenant', 'SUCCEEDED'],
  ]);
  expect((await cloud.stack(old!.StackId!))?.StackStatus).toBe('DELETE_COMPLETE');
  const stack = await cloud.tenantStack('race-back');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  expect(stack?.StackId).not.toBe(old?.StackId);
  const record = await cloud.record('race-back');
  expect([S(record, 'status'), S(record, 'desired'), S(record, 'stackId')]).toEqual(['ACTIVE', 'PRESENT', stack?.StackId]);
  expect(cloud.announced('TenantProvisioned', 'race-back')).toHaveLength(2);
  expect(cloud.announced('TenantDeprovisioned', 'race-back')).toHaveLength(0);
});
