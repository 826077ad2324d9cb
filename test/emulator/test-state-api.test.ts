// TestState and DescribeStateMachineForExecution over HTTP, through an unmodified @aws-sdk/client-sfn,
// against the real Engine.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html
import {
  SFNClient,
  TestStateCommand,
  CreateStateMachineCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  DescribeStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { startServer, type RunningServer } from '../../emulator/api/server';
import { Engine } from '../../emulator/runtime/engine';

const ROLE = 'arn:aws:iam::123456789012:role/sfn';
let server: RunningServer;
let sfn: SFNClient;

beforeAll(async () => {
  server = await startServer({ engine: new Engine(), port: 0 });
  // TestState's endpoint has a "sync-" host prefix on AWS; a local endpoint has none.
  sfn = new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    disableHostPrefix: true,
  });
});
afterAll(async () => {
  sfn.destroy();
  await server.close();
});

async function sdkError(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected the call to fail');
}

test('TestState answers with status, output, nextState and inspectionData', async () => {
  const r = await sfn.send(
    new TestStateCommand({
      definition: JSON.stringify({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'f' },
        Next: 'After',
      }),
      input: '{"a":1}',
      inspectionLevel: 'DEBUG',
      mock: { result: '{"StatusCode":200,"Payload":"ok"}' },
    }),
  );
  expect(r.status).toBe('SUCCEEDED');
  expect(JSON.parse(r.output!)).toEqual({ StatusCode: 200, Payload: 'ok' });
  expect(r.nextState).toBe('After');
  expect(JSON.parse(r.inspectionData!.afterParameters!)).toEqual({ FunctionName: 'f' });
});

test('TestState errors carry the AWS error codes', async () => {
  const invalid = await sdkError(sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Nope' }) })));
  expect(invalid.name).toBe('InvalidDefinition');
  const level = await sdkError(
    sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Succeed' }), inspectionLevel: 'LOUD' as never })),
  );
  expect(level.name).toBe('ValidationException');
  const mockOnPass = await sdkError(
    sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', End: true }), mock: { result: '{}' } })),
  );
  expect(mockOnPass).toEqual({ name: 'ValidationException', message: "State type 'Pass' is not supported when a mock is specified" });
});

test('DescribeStateMachineForExecution returns the definition the execution ran, even after UpdateStateMachine', async () => {
  const v1 = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Pass', Result: 1, End: true } } });
  const v2 = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Pass', Result: 2, End: true } } });
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'revisions', definition: v1, roleArn: ROLE }));
  const first = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
  await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: v2 }));
  const second = await sfn.send(new StartExecutionCommand({ stateMachineArn }));

  const ranFirst = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: first.executionArn }));
  const ranSecond = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: second.executionArn }));
  expect(ranFirst.definition).toBe(v1);
  expect(ranFirst.revisionId).toBeUndefined(); // the creation revision has no id
  expect(ranSecond.definition).toBe(v2);
  expect(ranSecond.revisionId).toEqual(expect.any(String));
  expect(ranSecond.updateDate!.getTime()).toBeGreaterThanOrEqual(ranFirst.updateDate!.getTime());
  expect([ranFirst.stateMachineArn, ranFirst.name, ranFirst.roleArn]).toEqual([stateMachineArn, 'revisions', ROLE]);
  expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition).toBe(v2);
});

test('DescribeStateMachineForExecution of an unknown execution is ExecutionDoesNotExist', async () => {
  const e = await sdkError(
    sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:none:none' })),
  );
  expect(e.name).toBe('ExecutionDoesNotExist');
});
