/**
 * Task resolution: mock configuration (Step Functions Local format), in-process handlers, clear
 * failure otherwise. https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
 */
import { StatesError } from '../../emulator/errors';
import { Engine } from '../../emulator/runtime/engine';
import { MockConfig } from '../../emulator/runtime/mock-config';
import { describeResource } from '../../emulator/asl/resource';
import { eventChain, eventsOfType, runDefinition } from './engine-helpers';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

describe('resource ARNs as recorded in history', () => {
  test.each([
    ['arn:aws:states:::lambda:invoke', 'lambda', 'invoke', 'service'],
    ['arn:aws:states:::aws-sdk:dynamodb:query', 'aws-sdk:dynamodb', 'query', 'service'],
    ['arn:aws:states:::states:startExecution.sync:2', 'states', 'startExecution.sync:2', 'service'],
    ['arn:aws:states:::sqs:sendMessage.waitForTaskToken', 'sqs', 'sendMessage.waitForTaskToken', 'service'],
    ['arn:aws:lambda:us-east-1:111111111111:function:f', 'lambda', 'arn:aws:lambda:us-east-1:111111111111:function:f', 'lambdaFunction'],
  ])('%s -> %s / %s', (arn, resourceType, resource, kind) => {
    expect(describeResource(arn)).toMatchObject({ resourceType, resource, kind });
  });
});

describe('task resolution chain', () => {
  const machine = {
    StartAt: 'Call',
    States: {
      Call: {
        Type: 'Task',
        Resource: LAMBDA_INVOKE,
        Parameters: { FunctionName: 'f', 'Payload.$': '$' },
        Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 1, MaxAttempts: 2 }],
        End: true,
      },
    },
  };
  const mockConfig = MockConfig.fromObject({
    StateMachines: { mocked: { TestCases: { Happy: { Call: 'Ok' }, Throttled: { Call: 'ThrottledThenOk' } } } },
    MockedResponses: {
      Ok: { '0': { Return: { StatusCode: 200, Payload: { ok: true } } } },
      ThrottledThenOk: {
        '0-1': { Throw: { Error: 'Lambda.TooManyRequestsException', Cause: 'slow down' } },
        '2': { Return: { StatusCode: 200, Payload: 'third time' } },
      },
    },
  });

  test('a mocked test case answers the Task and records TaskScheduled/Started/Succeeded', async () => {
    const r = await runDefinition(machine, { x: 1 }, { mockConfig, name: 'mocked', testCase: 'Happy' });
    expect(r.outputValue).toEqual({ StatusCode: 200, Payload: { ok: true } });
    expect(eventChain(r.events)).toEqual([
      '1 0 ExecutionStarted',
      '2 0 TaskStateEntered',
      '3 2 TaskScheduled',
      '4 3 TaskStarted',
      '5 4 TaskSucceeded',
      '6 5 TaskStateExited',
      '7 6 ExecutionSucceeded',
    ]);
    const scheduled = eventsOfType(r.events, 'TaskScheduled')[0].taskScheduledEventDetails as Record<string, unknown>;
    expect(scheduled).toMatchObject({ resource: 'invoke', resourceType: 'lambda', region: 'us-east-1' });
    expect(JSON.parse(scheduled.parameters as string)).toEqual({ FunctionName: 'f', Payload: { x: 1 } });
  });

  test('the invocation counter advances on retries (responses 0-1 throw, 2 returns)', async () => {
    const r = await runDefinition(machine, {}, { mockConfig, name: 'mocked', testCase: 'Throttled' });
    expect(r.status).toBe('SUCCEEDED');
    expect(eventsOfType(r.events, 'TaskFailed')).toHaveLength(2);
    expect(r.outputValue).toEqual({ StatusCode: 200, Payload: 'third time' });
  });

  test('an unknown test case is rejected when the execution starts', () => {
    const engine = new Engine({ mockConfig });
    const { stateMachineArn } = engine.createStateMachine({ name: 'mocked', definition: machine });
    expect(() => engine.startExecution({ stateMachineArn: `${stateMachineArn}#Nope` })).toThrow(/Test case 'Nope' is not defined/);
  });

  test('a registered handler answers when no mock applies; StatesError fails the task', async () => {
    const engine = new Engine();
    const seen: unknown[] = [];
    engine.registerHandler(LAMBDA_INVOKE, (req) => {
      seen.push(req.parameters);
      if ((req.parameters as { Payload: { fail?: boolean } }).Payload.fail) throw new StatesError('Custom.Error', 'asked to fail');
      return { Payload: 'handled' };
    });
    const ok = await runDefinition(machine, { a: 1 }, { engine });
    expect(ok.outputValue).toEqual({ Payload: 'handled' });
    const failed = await runDefinition(machine, { fail: true }, { engine });
    expect([failed.error, failed.cause]).toEqual(['Custom.Error', 'asked to fail']);
    expect(seen).toHaveLength(2);
  });

  test('with neither mock nor handler the task fails naming the state, its resource and how to mock it', async () => {
    const r = await runDefinition(machine, {});
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.Runtime');
    expect(r.cause).toContain("Task state 'Call'");
    expect(r.cause).toContain(LAMBDA_INVOKE);
    expect(r.cause).toContain('#<TestCase>');
  });

  test('a Lambda function ARN records LambdaFunction* events and a mocked Payload becomes the result', async () => {
    const arn = 'arn:aws:lambda:us-east-1:111111111111:function:f';
    const config = MockConfig.fromObject({
      StateMachines: { direct: { TestCases: { T: { L: 'R' } } } },
      MockedResponses: { R: { '0': { Return: { StatusCode: 200, Payload: { v: 1 } } } } },
    });
    const r = await runDefinition(
      { StartAt: 'L', States: { L: { Type: 'Task', Resource: arn, End: true } } },
      {},
      { mockConfig: config, name: 'direct', testCase: 'T' },
    );
    expect(r.outputValue).toEqual({ v: 1 });
    expect(r.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  test('.waitForTaskToken waits for SendTaskSuccess with the token from $$.Task.Token', async () => {
    const engine = new Engine();
    let token: string | undefined;
    engine.registerHandler('arn:aws:states:::sqs:sendMessage.waitForTaskToken', (req) => {
      token = (req.parameters as { MessageBody: { token: string } }).MessageBody.token;
      setTimeout(() => engine.sendTaskSuccess(token!, JSON.stringify({ done: true })), 5);
      return { MessageId: 'm-1' };
    });
    const r = await runDefinition(
      {
        StartAt: 'W',
        States: {
          W: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } },
            End: true,
          },
        },
      },
      {},
      { engine },
    );
    expect(r.outputValue).toEqual({ done: true });
    expect(r.events.map((e) => e.type)).toContain('TaskSubmitted');
    expect(() => engine.sendTaskSuccess(token!, '{}')).toThrow(/does not exist/);
  });

  test('a mocked States.Timeout is recorded as TaskTimedOut', async () => {
    const config = MockConfig.fromObject({
      StateMachines: { slow: { TestCases: { T: { Call: 'Timeout' } } } },
      MockedResponses: { Timeout: { '0': { Throw: { Error: 'States.Timeout', Cause: '' } } } },
    });
    const r = await runDefinition(machine, {}, { mockConfig: config, name: 'slow', testCase: 'T' });
    expect(r.error).toBe('States.Timeout');
    expect(eventsOfType(r.events, 'TaskTimedOut')).toHaveLength(1);
  });
});
