/**
 * The Engine's API: registry, ARNs, execution lifecycle and limits, shaped like the Step Functions API.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 * Quotas: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
import { Engine, EngineError } from '../../emulator/runtime/engine';

const passMachine = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as EngineError).code;
  }
  return undefined;
}

describe('Engine registry', () => {
  test("state machine and execution ARNs follow AWS's format", async () => {
    const engine = new Engine({ region: 'eu-west-1', accountId: '111122223333' });
    const { stateMachineArn, creationDate } = engine.createStateMachine({ name: 'Orders', definition: passMachine });
    expect(stateMachineArn).toBe('arn:aws:states:eu-west-1:111122223333:stateMachine:Orders');
    expect(creationDate).toBeInstanceOf(Date);
    const { executionArn } = engine.startExecution({ stateMachineArn, name: 'run-1', input: '{"a":1}' });
    expect(executionArn).toBe('arn:aws:states:eu-west-1:111122223333:execution:Orders:run-1');
    const done = await engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1}', input: '{"a":1}', name: 'run-1' });
  });

  test('YAML definitions with ${Name} substitutions are accepted', async () => {
    const engine = new Engine();
    const yaml = 'StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: "${Greeting}"\n    End: true\n';
    const { stateMachineArn } = engine.createStateMachine({ name: 'Sub', definition: yaml, substitutions: { Greeting: 'hello' } });
    const { executionArn } = engine.startExecution({ stateMachineArn });
    expect((await engine.waitForExecution(executionArn)).output).toBe('"hello"');
    expect(engine.describeStateMachine(stateMachineArn).definition).toContain('hello');
  });

  test('errors carry AWS error codes', () => {
    const engine = new Engine();
    const { stateMachineArn } = engine.createStateMachine({ name: 'M', definition: passMachine });
    expect(code(() => engine.createStateMachine({ name: 'M', definition: { ...passMachine, Comment: 'different' } }))).toBe(
      'StateMachineAlreadyExists',
    );
    expect(code(() => engine.describeStateMachine(`${stateMachineArn}x`))).toBe('StateMachineDoesNotExist');
    expect(code(() => engine.startExecution({ stateMachineArn, input: '{not json' }))).toBe('InvalidExecutionInput');
    expect(code(() => engine.startExecution({ stateMachineArn, name: 'has space' }))).toBe('InvalidName');
    engine.startExecution({ stateMachineArn, name: 'once' });
    // The same name and input while 'once' runs would return it (idempotent); another input may not reuse the name.
    expect(code(() => engine.startExecution({ stateMachineArn, name: 'once', input: '{"other":1}' }))).toBe('ExecutionAlreadyExists');
    expect(code(() => engine.describeExecution('arn:aws:states:us-east-1:123456789012:execution:M:nope'))).toBe('ExecutionDoesNotExist');
  });

  test('an invalid definition is rejected with the AWS-style location', () => {
    const engine = new Engine();
    expect(() =>
      engine.createStateMachine({ name: 'Bad', definition: { StartAt: 'X', States: { A: { Type: 'Pass', End: true } } } }),
    ).toThrow(/MISSING_TRANSITION_TARGET.*at \/StartAt/);
  });

  test('StopExecution aborts a running execution', async () => {
    const engine = new Engine();
    engine.registerHandler('arn:aws:states:::sqs:sendMessage.waitForTaskToken', () => ({}));
    const { stateMachineArn } = engine.createStateMachine({
      name: 'Waits',
      definition: {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', End: true } },
      },
    });
    const { executionArn } = engine.startExecution({ stateMachineArn });
    await new Promise((r) => setTimeout(r, 10));
    expect(engine.describeExecution(executionArn).status).toBe('RUNNING');
    engine.stopExecution(executionArn, 'Stopped', 'by test');
    const d = await engine.waitForExecution(executionArn);
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Stopped', cause: 'by test' });
    expect(engine.getExecutionHistory(executionArn).at(-1)?.type).toBe('ExecutionAborted');
  });

  test('listExecutions and listStateMachines see what was created', async () => {
    const engine = new Engine();
    const { stateMachineArn } = engine.createStateMachine({ name: 'L', definition: passMachine });
    const a = engine.startExecution({ stateMachineArn });
    await engine.waitForExecution(a.executionArn);
    expect(engine.listStateMachines().map((s) => s.name)).toEqual(['L']);
    expect(engine.listExecutions(stateMachineArn).map((e) => e.status)).toEqual(['SUCCEEDED']);
  });

  test('startSyncExecution runs EXPRESS state machines to the end; STANDARD ones are refused', async () => {
    const engine = new Engine();
    const express = engine.createStateMachine({ name: 'E', definition: passMachine, type: 'EXPRESS' });
    const done = await engine.startSyncExecution({ stateMachineArn: express.stateMachineArn, input: '[1]' });
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '[1]' });
    const standard = engine.createStateMachine({ name: 'S', definition: passMachine });
    await expect(engine.startSyncExecution({ stateMachineArn: standard.stateMachineArn })).rejects.toMatchObject({
      code: 'StateMachineTypeNotSupported',
    });
  });

  test('a STANDARD execution fails once its history would exceed 25,000 events', async () => {
    const engine = new Engine();
    const loop = {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 100000, Next: 'Count' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const { stateMachineArn } = engine.createStateMachine({ name: 'Loop', definition: loop });
    const { executionArn } = engine.startExecution({ stateMachineArn, input: '{"n":0}' });
    const d = await engine.waitForExecution(executionArn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('States.Runtime');
    expect(engine.getExecutionHistory(executionArn)).toHaveLength(25000);
  });
});
