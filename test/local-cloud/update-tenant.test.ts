/**
 * update-tenant (the per-tenant child of the rollout, docs/rollouts.md), unmocked, on the local tenant
 * cloud: started with the contract input, it claims the tenant's desired template, updates the stack
 * and learns the end of the update from the stack's status event (through the stack-events relay),
 * with one DescribeStacks as the fallback. End state asserted in the services: stacks, tenant records,
 * rollout items, waiter items, execution histories.
 */
import { DisableRuleCommand, EnableRuleCommand, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { currentTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { startTestCloud, type TestCloud } from './support/test-cloud';
import { enteredStates, until } from './support/execution-progress';

let cloud: TestCloud;
const entered = (executionArn: string) => enteredStates(cloud.clients.sfn, executionArn);
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, AttributeValue> | undefined, key: string) => item?.[key]?.S;
const N = (item: Record<string, AttributeValue> | undefined, key: string) =>
  item?.[key]?.N === undefined ? undefined : Number(item[key].N);
const outputs = () => cloud.info.outputs;
/** The deployed StackEventWaitSeconds (infra/config.ts). */
const EVENT_WAIT_SECONDS = 300;
/**
 * Measured: one tenant updated by event, without a rollout (docs/workflows.md): no DescribeStacks, the
 * parameters from the record, the status from the relayed event, the TemplateVersion from the template.
 */
const UPDATED_BY_EVENT_EVENTS = 63;

/** CloudFormation actions called while `run` runs (the local service's call listener). */
const callsDuring = async <T>(run: () => Promise<T>): Promise<{ result: T; calls: string[] }> => {
  const calls: string[] = [];
  let listening = true;
  cloud.services.cloudformation.addCallListener((action) => {
    if (listening) calls.push(action);
  });
  try {
    return { result: await run(), calls };
  } finally {
    listening = false;
  }
};
const count = (calls: string[], action: string) => calls.filter((c) => c === action).length;

interface ChildInput {
  tenantId: string;
  release: number;
  seq: number;
  templateUrl: string;
  rollout?: { id: string; wave: number; errorBudget: number };
  reason?: 'tier';
}

/** A release of the tenant template under a key of its own (the rollout's template object is not touched, so no fleet run starts). */
async function publish(
  version: string,
  change: (template: Record<string, Record<string, unknown>>) => void = () => undefined,
): Promise<string> {
  const bucket = outputs().TemplateBucketName;
  const key = `test-releases/${version}.json`;
  const template = JSON.parse(withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), version));
  change(template);
  const body = JSON.stringify(template);
  const put = await cloud.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return `https://${bucket}.s3.${cloud.region}.amazonaws.com/${key}?versionId=${put.VersionId}`;
}

async function createTenants(...ids: string[]): Promise<void> {
  await cloud.run(ids.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  for (const id of ids) expect([id, S(await cloud.record(id), 'status')]).toEqual([id, 'ACTIVE']);
}

const startChild = async (input: ChildInput): Promise<string> =>
  (
    await cloud.clients.sfn.send(
      new StartExecutionCommand({ stateMachineArn: outputs().UpdateTenantStateMachineArn, input: JSON.stringify(input) }),
    )
  ).executionArn!;

async function finished(executionArn: string) {
  const described = await cloud.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  expect(described.status).toBe('SUCCEEDED');
  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloud.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    history.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const entered = history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!);
  return {
    output: JSON.parse(described.output ?? 'null') as { tenantId: string; outcome: string; reason: string; release: number | null },
    seconds: (described.stopDate!.getTime() - described.startDate!.getTime()) / 1000,
    history,
    entered,
  };
}

/** Runs children to their end (simulated time) and returns what each ended with. */
async function runChildren(...inputs: ChildInput[]) {
  const release = cloud.timeline.hold();
  const arns: string[] = [];
  try {
    for (const input of inputs) arns.push(await startChild(input));
  } finally {
    release();
  }
  await cloud.idle();
  await cloud.services.eventbridge.settled();
  await cloud.idle();
  return Promise.all(arns.map(finished));
}

async function waiterItems(stackId: string) {
  const scan = await cloud.clients.dynamodb.send(new ScanCommand({ TableName: outputs().StackWaiterTableName }));
  return (scan.Items ?? []).filter((item) => S(item, 'stackId') === stackId);
}

async function rolloutItem(id: string) {
  return (
    await cloud.clients.dynamodb.send(
      new GetItemCommand({ TableName: outputs().ReleaseTableName, Key: { id: { S: id } }, ConsistentRead: true }),
    )
  ).Item;
}

async function putRollout(id: string, state: string): Promise<void> {
  await cloud.clients.dynamodb.send(
    new PutItemCommand({
      TableName: outputs().ReleaseTableName,
      Item: { id: { S: id }, state: { S: state }, counts: { M: {} }, waveFailed: { N: '0' } },
    }),
  );
}

test('updated by event: the claim, UpdateStack with update-<id>-<seq>, the relay wakes the waiter, the record follows (version untouched)', async () => {
  await createTenants('u-event');
  const before = await cloud.record('u-event');
  const url = await publish('2.0.0');
  const { result, calls } = await callsDuring(() => runChildren({ tenantId: 'u-event', release: 2_000_000, seq: 16, templateUrl: url }));
  const [run] = result;
  // The normal path: one UpdateStack, no DescribeStacks (the event's status is trusted).
  expect([count(calls, 'UpdateStack'), count(calls, 'DescribeStacks')]).toEqual([1, 0]);

  expect(run.output).toEqual({
    tenantId: 'u-event',
    outcome: 'updated',
    reason: 'Stack on release 2000000 (template version 2.0.0)',
    release: 2_000_000,
  });
  const stack = await cloud.tenantStack('u-event');
  expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion')]).toEqual(['UPDATE_COMPLETE', '2.0.0']);
  const record = await cloud.record('u-event');
  expect([N(record, 'targetSeq'), N(record, 'targetRelease'), S(record, 'targetTemplateUrl')]).toEqual([16, 2_000_000, url]);
  expect([N(record, 'releaseSeq'), N(record, 'release'), S(record, 'templateVersion')]).toEqual([16, 2_000_000, '2.0.0']);
  expect(N(record, 'version')).toBe(N(before, 'version'));
  // Woken by the relay, not by the timeout: the wait succeeded, well before StackEventWaitSeconds.
  expect(run.history.some((e) => e.type === 'TaskTimedOut')).toBe(false);
  expect(run.entered).not.toContain('Read recorded event');
  expect(run.seconds).toBeLessThan(EVENT_WAIT_SECONDS);
  // The relay removed the waiter item it answered.
  expect(await waiterItems(stack!.StackId!)).toEqual([]);
  // History length of one tenant's update by event (docs/workflows.md, statemachines/history-budget.ts).
  expect(run.history.length).toBe(UPDATED_BY_EVENT_EVENTS);
});

test('the event lost (the rule disabled): after StackEventWaitSeconds one DescribeStacks finds UPDATE_COMPLETE', async () => {
  await createTenants('u-lost');
  const url = await publish('2.1.0');
  const rules = await cloud.clients.eventbridge.send(new ListRulesCommand({ NamePrefix: 'TenantManagementStack-StackUpdateEndedRule' }));
  const rule = rules.Rules?.[0]?.Name;
  expect(rule).toBeDefined();
  await cloud.clients.eventbridge.send(new DisableRuleCommand({ Name: rule }));
  try {
    const { result, calls } = await callsDuring(() => runChildren({ tenantId: 'u-lost', release: 2_001_000, seq: 2, templateUrl: url }));
    const [run] = result;
    expect(run.output.outcome).toBe('updated');
    // The one fallback DescribeStacks, after StackEventWaitSeconds.
    expect([count(calls, 'UpdateStack'), count(calls, 'DescribeStacks')]).toEqual([1, 1]);
    expect(run.history.filter((e) => e.type === 'TaskTimedOut')).toHaveLength(1);
    expect(run.seconds).toBeGreaterThanOrEqual(EVENT_WAIT_SECONDS);
  } finally {
    await cloud.clients.eventbridge.send(new EnableRuleCommand({ Name: rule }));
  }
  const stack = await cloud.tenantStack('u-lost');
  expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion')]).toEqual(['UPDATE_COMPLETE', '2.1.0']);
  const record = await cloud.record('u-lost');
  expect([N(record, 'releaseSeq'), N(record, 'release'), S(record, 'templateVersion')]).toEqual([2, 2_001_000, '2.1.0']);
  // The registration is there, no arrival ever recorded: the event really was lost.
  const [waiter] = await waiterItems(stack!.StackId!);
  expect([S(waiter, 'clientRequestToken'), S(waiter, 'arrivedStatus')]).toEqual(['update-u-lost-2', undefined]);
});

test('the event before the registration: the refused registration reads the recorded arrival at once (no DescribeStacks)', async () => {
  await createTenants('u-early');
  const url = await publish('2.2.0');
  // The update ends at once, and the child's first registration is throttled, so the relay records the arrival first.
  cloud.services.cloudformation.behaviour.addStackRule({ stackName: 'tenant-u-early', operations: ['update'], duration: 0, times: 1 });
  cloud.injectDynamoFault({
    operation: 'PutItem',
    resource: outputs().StackWaiterTableName,
    code: 'ProvisionedThroughputExceededException',
    times: 1,
  });
  const { result, calls } = await callsDuring(() => runChildren({ tenantId: 'u-early', release: 2_002_000, seq: 3, templateUrl: url }));
  const [run] = result;
  cloud.clearDynamoFaults();
  expect(run.output.outcome).toBe('updated');
  expect(run.entered).toContain('Read recorded event');
  expect(count(calls, 'DescribeStacks')).toBe(0);
  expect(run.seconds).toBeLessThan(EVENT_WAIT_SECONDS);
  const stack = await cloud.tenantStack('u-early');
  expect(stackOutput(stack, 'TemplateVersion')).toBe('2.2.0');
  expect(N(await cloud.record('u-early'), 'releaseSeq')).toBe(3);
});

test('a failed update is counted in the rollout, which halts when the wave spent its error budget; within budget it keeps running', async () => {
  await createTenants('u-fail-a', 'u-fail-b');
  const url = await publish('2.3.0');
  await putRollout('release-2003000', 'RUNNING');
  await putRollout('release-2003001', 'RUNNING');
  for (const id of ['u-fail-a', 'u-fail-b']) {
    cloud.services.cloudformation.behaviour.addStackRule({
      stackName: `tenant-${id}`,
      operations: ['update'],
      failResource: 'DataTable',
      failureReason: 'Injected update failure',
      times: 1,
    });
  }
  // What the records say the stacks run before (the release they were created with, if one was recorded).
  const observedBefore = await Promise.all(['u-fail-a', 'u-fail-b'].map(async (id) => N(await cloud.record(id), 'releaseSeq')));
  const [halting, within] = await runChildren(
    { tenantId: 'u-fail-a', release: 2_003_000, seq: 4, templateUrl: url, rollout: { id: 'release-2003000', wave: 0, errorBudget: 1 } },
    { tenantId: 'u-fail-b', release: 2_003_001, seq: 4, templateUrl: url, rollout: { id: 'release-2003001', wave: 0, errorBudget: 2 } },
  );
  // The terminal event says no reason; the operation's UPDATE_ROLLBACK_IN_PROGRESS stack event does (DescribeStackEvents).
  const reason = 'UPDATE_ROLLBACK_COMPLETE: The following resource(s) failed to update: [DataTable]. ';
  for (const run of [halting, within]) expect([run.output.outcome, run.output.reason]).toEqual(['failed', reason]);
  for (const [i, id] of ['u-fail-a', 'u-fail-b'].entries()) {
    const stack = await cloud.tenantStack(id);
    expect(stack?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    // Claimed, but not observed: the record still says what the stack runs.
    const record = await cloud.record(id);
    expect([N(record, 'targetSeq'), N(record, 'releaseSeq')]).toEqual([4, observedBefore[i]]);
    expect(observedBefore[i]).not.toBe(4);
  }
  const halted = await rolloutItem('release-2003000');
  expect([S(halted, 'state'), halted?.counts?.M?.failed?.N, N(halted, 'waveFailed')]).toEqual(['HALTED', '1', 1]);
  expect(S(halted, 'haltReason')).toBe(`1 failed updates in wave 0 (error budget 1); last: u-fail-a: ${reason}`);
  const running = await rolloutItem('release-2003001');
  expect([S(running, 'state'), running?.counts?.M?.failed?.N, N(running, 'waveFailed')]).toEqual(['RUNNING', '1', 1]);
});

test('throttled UpdateStacks are retried and reported to the rollout item (throttled), never against the error budget', async () => {
  await createTenants('u-throttled');
  await putRollout('release-2010000', 'RUNNING');
  const url = await publish('2.10.0');
  cloud.services.cloudformation.behaviour.throttle(2, ['UpdateStack']);
  const [run] = await runChildren({
    tenantId: 'u-throttled',
    release: 2_010_000,
    seq: 15,
    templateUrl: url,
    rollout: { id: 'release-2010000', wave: 0, errorBudget: 1 },
  });
  expect(run.output.outcome).toBe('updated');
  const rollout = await rolloutItem('release-2010000');
  expect([S(rollout, 'state'), rollout?.counts?.M?.updated?.N, N(rollout, 'throttled'), N(rollout, 'waveFailed')]).toEqual([
    'RUNNING',
    '1',
    2,
    0,
  ]);
});

test('deferred while the rollout is PAUSED: nothing claimed, the stack untouched, the deferral counted', async () => {
  await createTenants('u-paused');
  const url = await publish('2.4.0');
  await putRollout('release-2004000', 'PAUSED');
  const record = await cloud.record('u-paused');
  const updated = (await cloud.tenantStack('u-paused'))?.LastUpdatedTime;
  const [run] = await runChildren({
    tenantId: 'u-paused',
    release: 2_004_000,
    seq: 5,
    templateUrl: url,
    rollout: { id: 'release-2004000', wave: 1, errorBudget: 1 },
  });
  expect(run.output).toEqual({ tenantId: 'u-paused', outcome: 'deferred', reason: 'Rollout release-2004000 is PAUSED', release: null });
  expect(await cloud.record('u-paused')).toEqual(record);
  expect((await cloud.tenantStack('u-paused'))?.LastUpdatedTime).toEqual(updated);
  const rollout = await rolloutItem('release-2004000');
  expect([S(rollout, 'state'), rollout?.counts?.M?.deferred?.N]).toEqual(['PAUSED', '1']);
});

test('superseded: a newer release already claimed for the tenant; an older child changes nothing', async () => {
  await createTenants('u-super');
  const newer = await publish('2.5.1');
  const older = await publish('2.5.0');
  const [first] = await runChildren({ tenantId: 'u-super', release: 2_005_001, seq: 7, templateUrl: newer });
  expect(first.output.outcome).toBe('updated');
  const record = await cloud.record('u-super');
  const updated = (await cloud.tenantStack('u-super'))?.LastUpdatedTime;
  const [late] = await runChildren({ tenantId: 'u-super', release: 2_005_000, seq: 6, templateUrl: older });
  expect(late.output).toEqual({
    tenantId: 'u-super',
    outcome: 'superseded',
    reason: 'A newer release (seq 7) is already the target of this tenant',
    release: null,
  });
  expect(await cloud.record('u-super')).toEqual(record);
  expect((await cloud.tenantStack('u-super'))?.LastUpdatedTime).toEqual(updated);
  // The same release again: unchanged without any stack call.
  const [again] = await runChildren({ tenantId: 'u-super', release: 2_005_001, seq: 7, templateUrl: newer });
  expect(again.output).toEqual({ tenantId: 'u-super', outcome: 'unchanged', reason: 'Already on release 2005001', release: 2_005_001 });
  expect(again.entered).not.toContain('Update tenant stack');
});

test('converge: the older release claimed first lands after the newer one; it converges the stack back onto the newer release', async () => {
  await createTenants('u-conv');
  const older = await publish('2.6.0');
  const newer = await publish('2.6.1');
  // The older child's first UpdateStack is throttled, so it backs off while the newer child updates.
  cloud.services.cloudformation.behaviour.throttle(1, ['UpdateStack']);
  const hold = cloud.timeline.hold();
  let olderArn: string;
  let newerArn: string;
  try {
    olderArn = await startChild({ tenantId: 'u-conv', release: 2_006_000, seq: 8, templateUrl: older });
    await until(async () => (await entered(olderArn)).includes('Back off after throttling'));
    newerArn = await startChild({ tenantId: 'u-conv', release: 2_006_001, seq: 9, templateUrl: newer });
    await until(async () => (await entered(newerArn)).includes('Wait for stack event'));
  } finally {
    hold();
  }
  await cloud.idle();
  await cloud.services.eventbridge.settled();
  await cloud.idle();
  const [olderRun, newerRun] = await Promise.all([finished(olderArn!), finished(newerArn!)]);
  expect(newerRun.output.outcome).toBe('updated');
  // The older update really landed last (busy, then accepted), then the child converged.
  expect(olderRun.entered).toContain('Wait while stack busy');
  expect(olderRun.entered).toContain('Converge on the newer target');
  expect(olderRun.output).toEqual({
    tenantId: 'u-conv',
    outcome: 'updated',
    reason: 'Stack on release 2006001 (template version 2.6.1)',
    release: 2_006_001,
  });
  const stack = await cloud.tenantStack('u-conv');
  expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion')]).toEqual(['UPDATE_COMPLETE', '2.6.1']);
  const record = await cloud.record('u-conv');
  expect([N(record, 'targetSeq'), N(record, 'releaseSeq'), N(record, 'release'), S(record, 'templateVersion')]).toEqual([
    9,
    9,
    2_006_001,
    '2.6.1',
  ]);
});

test('no updates to perform: the release is recorded as observed, unchanged, and no waiter is registered', async () => {
  await createTenants('u-same');
  // The template the stack already runs, published as a release.
  const bucket = outputs().TemplateBucketName;
  const put = await cloud.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'test-releases/same.json', Body: await currentTemplate(cloud.clients, cloud.info) }),
  );
  const url = `https://${bucket}.s3.${cloud.region}.amazonaws.com/test-releases/same.json?versionId=${put.VersionId}`;
  const updated = (await cloud.tenantStack('u-same'))?.LastUpdatedTime;
  const [run] = await runChildren({ tenantId: 'u-same', release: 1_000_000, seq: 10, templateUrl: url });
  expect(run.output.outcome).toBe('unchanged');
  expect(run.entered).not.toContain('Wait for stack event');
  expect((await cloud.tenantStack('u-same'))?.LastUpdatedTime).toEqual(updated);
  const record = await cloud.record('u-same');
  expect([N(record, 'targetSeq'), N(record, 'releaseSeq'), N(record, 'release')]).toEqual([10, 10, 1_000_000]);
});

test("the parameters come from the record: TenantId and the record's tier (a record without one: the default)", async () => {
  await createTenants('u-params');
  const parametersOf = async () =>
    Object.fromEntries(((await cloud.tenantStack('u-params'))?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  const setTier = (expression: string, values?: Record<string, AttributeValue>) =>
    cloud.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: outputs().TenantTableName,
        Key: { tenantId: { S: 'u-params' } },
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
      }),
    );
  await setTier('SET tier = :tier', { ':tier': { S: 'premium' } });
  const [first] = await runChildren({ tenantId: 'u-params', release: 2_007_000, seq: 11, templateUrl: await publish('2.7.0') });
  expect(first.output.outcome).toBe('updated');
  expect(await parametersOf()).toEqual({ TenantId: 'u-params', Tier: 'premium' });
  await setTier('REMOVE tier');
  const [second] = await runChildren({ tenantId: 'u-params', release: 2_007_001, seq: 12, templateUrl: await publish('2.7.1') });
  expect(second.output.outcome).toBe('updated');
  expect(await parametersOf()).toEqual({ TenantId: 'u-params', Tier: 'standard' });
  expect(stackOutput(await cloud.tenantStack('u-params'), 'TemplateVersion')).toBe('2.7.1');
});

test('a busy stack: UpdateStack itself says so, the child waits and updates after it (no DescribeStacks)', async () => {
  await createTenants('u-busy');
  // An operator's update runs for 100 s (the busy wait is 30 s locally: a few waits).
  cloud.services.cloudformation.behaviour.addStackRule({ stackName: 'tenant-u-busy', operations: ['update'], duration: 100_000, times: 1 });
  const stack = await cloud.tenantStack('u-busy');
  const url = await publish('2.8.0');
  // Held: simulated time stands still until the child has started, so the stack is still busy then.
  const hold = cloud.timeline.hold();
  await cloud.clients.cloudformation.send(
    new UpdateStackCommand({
      StackName: stack!.StackId,
      UsePreviousTemplate: true,
      Parameters: [
        { ParameterKey: 'TenantId', UsePreviousValue: true },
        { ParameterKey: 'Tier', ParameterValue: 'free' },
      ],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      RoleARN: stack!.RoleARN,
    }),
  );
  expect((await cloud.tenantStack('u-busy'))?.StackStatus).toBe('UPDATE_IN_PROGRESS');
  const { result: run, calls } = await callsDuring(async () => {
    let arn: string;
    try {
      arn = await startChild({ tenantId: 'u-busy', release: 2_008_000, seq: 13, templateUrl: url });
    } finally {
      hold();
    }
    await cloud.idle();
    await cloud.services.eventbridge.settled();
    await cloud.idle();
    return finished(arn);
  });
  expect(run.output.outcome).toBe('updated');
  expect(run.entered).toContain('Wait while stack busy');
  expect(count(calls, 'DescribeStacks')).toBe(0);
  expect(count(calls, 'UpdateStack')).toBeGreaterThan(1);
  const after = await cloud.tenantStack('u-busy');
  expect([after?.StackStatus, stackOutput(after, 'TemplateVersion')]).toEqual(['UPDATE_COMPLETE', '2.8.0']);
  // The record's tier (standard) is what the release sends: the operator's direct change is not kept.
  expect(after?.Parameters?.find((p) => p.ParameterKey === 'Tier')?.ParameterValue).toBe('standard');
});

test('a stack that cannot be updated or does not exist: failed with what UpdateStack said, nothing recorded as observed', async () => {
  await createTenants('u-gone');
  await cloud.clients.cloudformation.send(new DeleteStackCommand({ StackName: 'tenant-u-gone' }));
  await cloud.idle();
  const observedBefore = N(await cloud.record('u-gone'), 'releaseSeq');
  const [run] = await runChildren({ tenantId: 'u-gone', release: 2_009_000, seq: 14, templateUrl: await publish('2.9.0') });
  expect(run.output.outcome).toBe('failed');
  expect(run.output.reason).toMatch(/^Stack \[tenant-u-gone\] does not exist/);
  expect(N(await cloud.record('u-gone'), 'releaseSeq')).toBe(observedBefore);
  expect(observedBefore).not.toBe(14);
});
