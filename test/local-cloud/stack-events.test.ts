/**
 * The stack-events relay on the local tenant cloud: the local CloudFormation emits "CloudFormation
 * Stack Status Change" events (with `client-request-token`) to the local EventBridge's default bus,
 * the synthesized rule starts the relay for the terminal statuses of update-tenant's operations on
 * tenant stacks, and the relay records the arrival on the waiter item and wakes the waiter there.
 * End state in the services: waiter items, relay executions, the stack.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html
 */
import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { currentTemplate, withTemplateVersion } from '../../local/cli/operations';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, AttributeValue> | undefined, key: string) => item?.[key]?.S;
const outputs = () => cloud.info.outputs;

async function relayRuns() {
  const listed = await cloud.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: outputs().StackEventsStateMachineArn }));
  return listed.executions ?? [];
}

async function entered(executionArn: string): Promise<string[]> {
  const page = await cloud.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (page.events ?? []).filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!);
}

async function waiter(stackId: string, token: string) {
  return (
    await cloud.clients.dynamodb.send(
      new GetItemCommand({
        TableName: outputs().StackWaiterTableName,
        Key: { stackId: { S: stackId }, clientRequestToken: { S: token } },
        ConsistentRead: true,
      }),
    )
  ).Item;
}

let release = 0;
/** An UpdateStack as update-tenant sends it (a new template version each time), with the given token; runs to its end. */
async function updateStack(tenantId: string, token: string): Promise<string> {
  release += 1;
  const bucket = outputs().TemplateBucketName;
  const key = `test-releases/relay-${release}.json`;
  const body = withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), `5.0.${release}`);
  await cloud.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const stack = await cloud.tenantStack(tenantId);
  const answer = await cloud.clients.cloudformation.send(
    new UpdateStackCommand({
      StackName: stack!.StackId,
      TemplateURL: `https://${bucket}.s3.${cloud.region}.amazonaws.com/${key}`,
      Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      RoleARN: stack!.RoleARN,
      ClientRequestToken: token,
    }),
  );
  await cloud.idle();
  await cloud.services.eventbridge.settled();
  await cloud.idle();
  return answer.StackId!;
}

beforeAll(async () => {
  await cloud.run(['se-a', 'se-b', 'se-c'].map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
}, 60_000);

test('the terminal event of an update-tenant operation starts the relay, which records the arrival for that stack and token', async () => {
  // The creates of se-a..se-c (tokens create-<id>-<generation>) started none.
  const before = (await relayRuns()).length;
  expect(before).toBe(0);
  const stackId = await updateStack('se-a', 'update-se-a-1');
  const runs = await relayRuns();
  expect(runs.length - before).toBe(1);
  expect(runs[0].status).toBe('SUCCEEDED');
  // Nobody waited: the arrival stays, so a waiter registering late is refused and describes the stack.
  expect(await entered(runs[0].executionArn!)).toEqual(['Record stack event', 'Is a waiter registered?', 'No waiter yet']);
  const item = await waiter(stackId, 'update-se-a-1');
  expect([S(item, 'arrivedStatus'), S(item, 'taskToken')]).toEqual(['UPDATE_COMPLETE', undefined]);
});

test('an operation with another token (an operator update) starts no relay', async () => {
  const before = (await relayRuns()).length;
  await updateStack('se-b', 'operator-change-1');
  expect((await relayRuns()).length).toBe(before);
});

test('a waiter of another operation of the same stack is not woken, and an item of a waiter that is gone is removed', async () => {
  const stack = await cloud.tenantStack('se-c');
  const stackId = stack!.StackId!;
  const put = (token: string, taskToken: string) =>
    cloud.clients.dynamodb.send(
      new PutItemCommand({
        TableName: outputs().StackWaiterTableName,
        Item: { stackId: { S: stackId }, clientRequestToken: { S: token }, taskToken: { S: taskToken } },
      }),
    );
  // A waiter of an older operation (token -1) and a waiter whose task no longer exists (token -2).
  await put('update-se-c-1', 'waiter-of-an-older-operation');
  await put('update-se-c-2', 'waiter-that-timed-out');
  const before = (await relayRuns()).length;
  await updateStack('se-c', 'update-se-c-2');
  const runs = await relayRuns();
  expect(runs.length - before).toBe(1);
  // SendTaskSuccess answers TaskDoesNotExist / TaskTimedOut / InvalidToken for it: ignored, the relay succeeds.
  expect(runs[0].status).toBe('SUCCEEDED');
  expect(await entered(runs[0].executionArn!)).toEqual([
    'Record stack event',
    'Is a waiter registered?',
    'Wake waiter',
    'Forget waiter',
    'Waiter answered',
  ]);
  expect(await waiter(stackId, 'update-se-c-2')).toBeUndefined();
  const older = await waiter(stackId, 'update-se-c-1');
  expect([S(older, 'taskToken'), S(older, 'arrivedStatus')]).toEqual(['waiter-of-an-older-operation', undefined]);
});

test('a reused ClientRequestToken with the same request is answered as the first request, without a new operation (why converge tokens name their execution)', async () => {
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html: the token lets
  // CloudFormation recognize a retry of the same request.
  const stack = await cloud.tenantStack('se-a');
  const first = stack!.LastUpdatedTime;
  const key = `test-releases/relay-1.json`;
  const bucket = outputs().TemplateBucketName;
  const again = await cloud.clients.cloudformation.send(
    new UpdateStackCommand({
      StackName: stack!.StackId,
      TemplateURL: `https://${bucket}.s3.${cloud.region}.amazonaws.com/${key}`,
      Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      RoleARN: stack!.RoleARN,
      ClientRequestToken: 'update-se-a-1',
    }),
  );
  await cloud.idle();
  expect(again.StackId).toBe(stack!.StackId);
  const after = await cloud.tenantStack('se-a');
  expect([after?.StackStatus, after?.LastUpdatedTime]).toEqual(['UPDATE_COMPLETE', first]);
});
