// The API server over the real Engine, driven by @aws-sdk/client-sfn: definitions, mocked test cases
// selected with `stateMachineArn#TestCase`, and the history as clients read it.
// Mock config: https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html
import { join } from 'path';
import {
  SFNClient,
  CreateStateMachineCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { Engine } from '../../emulator/runtime/engine';
import { MockConfig } from '../../emulator/runtime/mock-config';
import { startServer, type RunningServer } from '../../emulator/api/server';
import { loadDefinition, loadSubstitutions } from '../../emulator/cli';

const fixtures = join(__dirname, 'order-example');
const ROLE = 'arn:aws:iam::123456789012:role/sfn';

let server: RunningServer;
let sfn: SFNClient;
let orderArn: string;

beforeAll(async () => {
  const engine = new Engine({ mockConfig: MockConfig.fromFile(join(fixtures, 'order-mocks.json')) });
  server = await startServer({ engine, port: 0 });
  sfn = new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    disableHostPrefix: true,
  });
  const definition = loadDefinition(
    join(fixtures, 'statemachines', 'order.asl.yaml'),
    loadSubstitutions(join(fixtures, 'substitutions.json')),
  );
  orderArn = (await sfn.send(new CreateStateMachineCommand({ name: 'order', definition, roleArn: ROLE }))).stateMachineArn!;
});
afterAll(async () => {
  sfn.destroy();
  await server.close();
});

async function runToEnd(testCase: string, input = '{"orderId":"o-1"}') {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${orderArn}#${testCase}`, input }));
  for (let i = 0; i < 200; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('execution did not finish');
}

async function statesTaken(executionArn: string): Promise<string[]> {
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events!.filter((e) => e.type!.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name!);
}

test('a mocked test case runs to SUCCEEDED; the execution ARN has no #TestCase suffix', async () => {
  const d = await runToEnd('Paid');
  expect(d.status).toBe('SUCCEEDED');
  expect(d.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:order:[^#]+$/);
  expect(JSON.parse(d.output!)).toEqual({ orderId: 'o-1', order: { Item: { id: { S: 'o-1' }, paid: { BOOL: true } } } });
  expect(await statesTaken(d.executionArn!)).toEqual(['Load Order', 'Is Paid', 'Ship', 'Done']);
});

test('a mocked Throw retried until the next invocation returns (invocations 0-1 throw, 2 returns)', async () => {
  const d = await runToEnd('ThrottledThenPaid');
  expect(d.status).toBe('SUCCEEDED');
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: d.executionArn }));
  expect(events!.filter((e) => e.type === 'TaskFailed')).toHaveLength(2);
});

test('a Fail state ends FAILED with its error and cause', async () => {
  const d = await runToEnd('Unpaid');
  expect(d).toMatchObject({ status: 'FAILED', error: 'NotPaid', cause: 'The order is not paid' });
});

test('TaskScheduled parameters carry the substituted values as sent to AWS', async () => {
  const d = await runToEnd('Paid');
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: d.executionArn }));
  const scheduled = events!.find((e) => e.type === 'TaskScheduled')!;
  expect(JSON.parse(scheduled.taskScheduledEventDetails!.parameters!)).toEqual({ TableName: 'orders', Key: { id: { S: 'o-1' } } });
});

test('an unknown test case is refused at StartExecution', async () => {
  await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${orderArn}#Nope` }))).rejects.toMatchObject({
    name: 'ValidationException',
  });
});

test('an invalid definition is InvalidDefinition naming the problem', async () => {
  const bad = JSON.stringify({ StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } });
  const error = await sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: bad, roleArn: ROLE })).catch((e) => e);
  expect(error.name).toBe('InvalidDefinition');
  expect(error.message).toMatch(/^Invalid State Machine Definition: '.*Missing/);
});

test('StartSyncExecution on a STANDARD state machine is StateMachineTypeNotSupported; on EXPRESS it answers the result', async () => {
  await expect(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: orderArn }))).rejects.toMatchObject({
    name: 'StateMachineTypeNotSupported',
  });
  const express = await sfn.send(
    new CreateStateMachineCommand({
      name: 'express-pass',
      type: 'EXPRESS',
      roleArn: ROLE,
      definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } }),
    }),
  );
  const r = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express.stateMachineArn, input: '{}' }));
  expect(r).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
  expect(r.executionArn).toMatch(/:express:express-pass:/);
});

test('ListExecutions filters the real executions by status', async () => {
  const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: orderArn, statusFilter: 'FAILED' }));
  expect(failed.executions!.length).toBeGreaterThanOrEqual(1);
  expect(failed.executions!.every((e) => e.status === 'FAILED')).toBe(true);
});
