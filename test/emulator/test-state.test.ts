// TestState on the real Engine (in process): one state, run once, with inspection data, mocks and
// stateConfiguration. API: https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
// Guide: https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
import { Engine } from '../../emulator/runtime/engine';
import { TestStateRequestError, type TestStateRequest } from '../../emulator/runtime/test-state';
import { StatesError } from '../../emulator/errors';

const engine = new Engine({ region: 'us-east-1', accountId: '123456789012' });
const ROLE = 'arn:aws:iam::123456789012:role/tester';

function test_(request: TestStateRequest) {
  return engine.testState(request);
}
const parse = (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text));

async function rejection(request: TestStateRequest): Promise<{ code: string; message: string }> {
  try {
    await engine.testState(request);
  } catch (e) {
    expect(e).toBeInstanceOf(TestStateRequestError);
    return { code: (e as TestStateRequestError).code, message: (e as Error).message };
  }
  throw new Error('expected TestState to refuse the request');
}

describe('data flow and inspection levels', () => {
  const IO_PASS = JSON.stringify({
    Type: 'Pass',
    InputPath: '$.data',
    Parameters: { 'copied.$': '$.value', fixed: 1 },
    ResultPath: '$.out',
    OutputPath: '$.out',
    End: true,
  });
  const INPUT = JSON.stringify({ data: { value: 'v' }, other: 2 });

  test('INFO returns status and output only', async () => {
    const r = await test_({ definition: IO_PASS, input: INPUT, inspectionLevel: 'INFO' });
    expect(r.status).toBe('SUCCEEDED');
    expect(parse(r.output)).toEqual({ copied: 'v', fixed: 1 });
    expect(r.inspectionData).toBeUndefined();
    expect(r.nextState).toBeUndefined();
  });

  test('DEBUG shows every JSONPath step as JSON text', async () => {
    const r = await test_({ definition: IO_PASS, input: INPUT, inspectionLevel: 'DEBUG' });
    const d = r.inspectionData!;
    expect(parse(d.input)).toEqual({ data: { value: 'v' }, other: 2 });
    expect(parse(d.afterInputPath)).toEqual({ value: 'v' });
    expect(parse(d.afterParameters)).toEqual({ copied: 'v', fixed: 1 });
    expect(parse(d.afterResultSelector)).toEqual({ copied: 'v', fixed: 1 });
    expect(parse(d.afterResultPath)).toEqual({ data: { value: 'v' }, other: 2, out: { copied: 'v', fixed: 1 } });
  });

  test('a Pass with a fixed Result reports the result but no InputPath/Parameters step', async () => {
    const r = await test_({
      definition: JSON.stringify({ Type: 'Pass', Result: { k: 1 }, End: true }),
      input: '{"a":1}',
      inspectionLevel: 'TRACE',
    });
    expect(parse(r.inspectionData!.result)).toEqual({ k: 1 });
    expect(r.inspectionData!.afterInputPath).toBeUndefined();
    expect(r.inspectionData!.afterParameters).toBeUndefined();
  });

  test('a Choice reports the chosen next state and passes its input on', async () => {
    const choice = JSON.stringify({ Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 5, Next: 'Big' }], Default: 'Small' });
    const big = await test_({ definition: choice, input: '{"n":9}' });
    const small = await test_({ definition: choice, input: '{"n":1}' });
    expect([big.nextState, small.nextState]).toEqual(['Big', 'Small']);
    expect(parse(big.output)).toEqual({ n: 9 });
  });

  test('a Fail state gives FAILED with its Error and Cause', async () => {
    const r = await test_({ definition: JSON.stringify({ Type: 'Fail', Error: 'Boom', Cause: 'why' }), input: '{}' });
    expect(r).toEqual({ status: 'FAILED', error: 'Boom', cause: 'why' });
  });

  test('stateName picks one state of a whole state machine and reports its Next', async () => {
    const machine = JSON.stringify({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Pass', Output: '{% $states.input.x + 1 %}', Next: 'B' }, B: { Type: 'Succeed' } },
    });
    const r = await test_({ definition: machine, stateName: 'A', input: '{"x":1}', inspectionLevel: 'DEBUG' });
    expect(r.status).toBe('SUCCEEDED');
    expect(parse(r.output)).toBe(2);
    expect(r.nextState).toBe('B');
    expect(r.inspectionData).toEqual({ input: '{"x":1}' });
  });

  test('an unknown stateName is a ValidationException', async () => {
    const machine = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } });
    expect((await rejection({ definition: machine, stateName: 'Nope' })).code).toBe('ValidationException');
  });

  test('variables from the request are readable and assigned ones are reported', async () => {
    const def = JSON.stringify({
      Type: 'Pass',
      QueryLanguage: 'JSONata',
      Assign: { total: '{% $base + 1 %}' },
      Output: '{% $base %}',
      End: true,
    });
    const r = await test_({ definition: def, variables: '{"base":41}', inspectionLevel: 'DEBUG' });
    expect(parse(r.output)).toBe(41);
    expect(parse(r.inspectionData!.variables)).toEqual({ base: 41, total: 42 });
  });

  test('a given context replaces the Context object ($$)', async () => {
    const def = JSON.stringify({ Type: 'Pass', Parameters: { 'name.$': '$$.Execution.Name' }, End: true });
    const r = await test_({ definition: def, context: '{"Execution":{"Name":"given"}}' });
    expect(parse(r.output)).toEqual({ name: 'given' });
  });

  test('without a context, $$ describes a one-off Express execution and the state named StateName', async () => {
    const def = JSON.stringify({ Type: 'Pass', Parameters: { 'ctx.$': '$$' }, End: true });
    const r = await test_({ definition: def, roleArn: ROLE, input: '{"i":1}' });
    const ctx = parse(r.output).ctx;
    expect(ctx.Execution.Id).toMatch(/^arn:aws:states:us-east-1:123456789012:express:[^:]+:[^:]+$/);
    expect(ctx.Execution.Input).toEqual({ i: 1 });
    expect(ctx.Execution.RoleArn).toBe(ROLE);
    expect(ctx.State.Name).toBe('StateName');
  });
});

describe('mocked Task answers and error handling', () => {
  const TASK = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { 'FunctionName.$': '$.fn' },
    ResultSelector: { 'code.$': '$.StatusCode' },
    ResultPath: '$.r',
    End: true,
  };

  test('a mocked result flows through ResultSelector and ResultPath', async () => {
    const r = await test_({
      definition: JSON.stringify(TASK),
      input: '{"fn":"f"}',
      inspectionLevel: 'DEBUG',
      mock: { result: '{"StatusCode":200}' },
    });
    expect(parse(r.output)).toEqual({ fn: 'f', r: { code: 200 } });
    expect(parse(r.inspectionData!.afterParameters)).toEqual({ FunctionName: 'f' });
    expect(parse(r.inspectionData!.result)).toEqual({ StatusCode: 200 });
  });

  test('a mocked error that a Retrier matches is RETRIABLE with the back-off for the given retry count', async () => {
    const def = JSON.stringify({
      ...TASK,
      Retry: [{ ErrorEquals: ['Other'] }, { ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 4 }],
    });
    const r = await test_({
      definition: def,
      input: '{"fn":"f"}',
      inspectionLevel: 'DEBUG',
      mock: { errorOutput: { error: 'Flaky', cause: 'c' } },
      stateConfiguration: { retrierRetryCount: 2 },
    });
    expect(r.status).toBe('RETRIABLE');
    expect(r.inspectionData!.errorDetails).toEqual({ retryIndex: 1, retryBackoffIntervalSeconds: 18 });
    expect(r.output).toBeUndefined();
  });

  test('when the retries are used up, a Catcher catches the error (CAUGHT_ERROR, its Next and output)', async () => {
    const def = JSON.stringify({
      ...TASK,
      Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Handler' }],
    });
    const r = await test_({
      definition: def,
      input: '{"fn":"f"}',
      inspectionLevel: 'DEBUG',
      mock: { errorOutput: { error: 'Flaky', cause: 'c' } },
      stateConfiguration: { retrierRetryCount: 1 },
    });
    expect(r.status).toBe('CAUGHT_ERROR');
    expect(r.nextState).toBe('Handler');
    expect(parse(r.output)).toEqual({ fn: 'f', err: { Error: 'Flaky', Cause: 'c' } });
    expect(r.inspectionData!.errorDetails).toEqual({ retryIndex: 0, catchIndex: 0 });
    expect([r.error, r.cause]).toEqual(['Flaky', 'c']);
  });

  test('an unhandled mocked error is FAILED', async () => {
    const r = await test_({ definition: JSON.stringify(TASK), input: '{"fn":"f"}', mock: { errorOutput: { error: 'E', cause: 'C' } } });
    expect(r).toEqual({ status: 'FAILED', error: 'E', cause: 'C' });
  });

  test('without a mock, a Task is answered by a registered handler', async () => {
    const local = new Engine();
    local.registerHandler('arn:aws:states:::lambda:invoke', (req) => ({ StatusCode: 201, echoed: req.parameters }));
    const r = await local.testState({ definition: JSON.stringify(TASK), input: '{"fn":"g"}', roleArn: ROLE });
    expect(parse(r.output)).toEqual({ fn: 'g', r: { code: 201 } });
    local.registerHandler('arn:aws:states:::lambda:invoke', () => {
      throw new StatesError('Handler.Failed', 'nope');
    });
    expect(await local.testState({ definition: JSON.stringify(TASK), input: '{"fn":"g"}', roleArn: ROLE })).toEqual({
      status: 'FAILED',
      error: 'Handler.Failed',
      cause: 'nope',
    });
  });

  test('STRICT field validation rejects a mocked result that does not fit the API response model', async () => {
    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html
    const e = await rejection({ definition: JSON.stringify(TASK), input: '{"fn":"f"}', mock: { result: '{"StatusCode":"200"}' } });
    expect(e).toEqual({ code: 'ValidationException', message: "Mock result schema validation error: Field 'StatusCode' must be a number" });
    const none = await test_({
      definition: JSON.stringify(TASK),
      input: '{"fn":"f"}',
      mock: { result: '{"StatusCode":"200"}', fieldValidationMode: 'NONE' },
    });
    expect(none.status).toBe('SUCCEEDED');
  });

  test('a real (unmocked) Task call needs a roleArn', async () => {
    expect(await rejection({ definition: JSON.stringify(TASK), input: '{"fn":"g"}' })).toEqual({
      code: 'ValidationException',
      message: 'RoleArn must be specified when testing a Task state',
    });
  });

  test('STRICT needs required response fields, PRESENT does not', async () => {
    const def = JSON.stringify({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: { StateMachineArn: 'x' },
      End: true,
    });
    expect(await rejection({ definition: def, mock: { result: '{}' } })).toEqual({
      code: 'ValidationException',
      message: "Mock result schema validation error: Required field 'ExecutionArn' is missing",
    });
    expect((await test_({ definition: def, mock: { result: '{}', fieldValidationMode: 'PRESENT' } })).status).toBe('SUCCEEDED');
  });
});

describe('Map and Parallel (mocked only)', () => {
  const MAP = {
    Type: 'Map',
    QueryLanguage: 'JSONata',
    Items: '{% $states.input.items %}',
    ToleratedFailureCount: 1,
    MaxConcurrency: 2,
    ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } },
    Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'TooMany' }],
    End: true,
  };

  test('the mocked result stands for the iterations; MaxConcurrency and the tolerance are reported', async () => {
    const r = await test_({
      definition: JSON.stringify(MAP),
      input: '{"items":[1,2,3]}',
      inspectionLevel: 'DEBUG',
      mock: { result: '[1,2,3]' },
      stateConfiguration: { mapIterationFailureCount: 1 },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(parse(r.output)).toEqual([1, 2, 3]);
    expect(r.inspectionData).toMatchObject({ maxConcurrency: 2, toleratedFailureCount: 1 });
  });

  test('more failed iterations than tolerated raise States.ExceedToleratedFailureThreshold', async () => {
    const r = await test_({
      definition: JSON.stringify(MAP),
      input: '{"items":[1,2,3]}',
      mock: { result: '[1,2,3]' },
      stateConfiguration: { mapIterationFailureCount: 2 },
    });
    expect(r.status).toBe('CAUGHT_ERROR');
    expect(r.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(r.nextState).toBe('TooMany');
  });

  test('ToleratedFailurePercentage is checked against the share of failed items', async () => {
    const byShare = JSON.stringify({ ...MAP, ToleratedFailureCount: undefined, ToleratedFailurePercentage: 50 });
    const request = (failed: number) =>
      test_({
        definition: byShare,
        input: '{"items":[1,2,3,4]}',
        mock: { result: '[1,2,3,4]' },
        stateConfiguration: { mapIterationFailureCount: failed },
      });
    expect((await request(2)).status).toBe('SUCCEEDED');
    expect((await request(3)).status).toBe('CAUGHT_ERROR');
  });

  test('Map and Parallel without a mock are refused as InvalidDefinition', async () => {
    const e = await rejection({ definition: JSON.stringify(MAP), input: '{"items":[]}' });
    expect(e.code).toBe('InvalidDefinition');
    expect(e.message).toMatch(/does not support Map or Parallel states/);
  });

  test('a mocked Map result that is not an array is refused (an object is expected with a ResultWriter)', async () => {
    expect(await rejection({ definition: JSON.stringify(MAP), mock: { result: '{"a":1}' } })).toEqual({
      code: 'ValidationException',
      message: 'Mocked result must be an array.',
    });
    const writer = { ...MAP, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: 'b', Prefix: 'p' } } };
    expect(await rejection({ definition: JSON.stringify(writer), mock: { result: '[1]' } })).toEqual({
      code: 'ValidationException',
      message: 'Mocked result must be a JSON object.',
    });
  });
});

describe('request validation', () => {
  const TASK = JSON.stringify({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true });

  test('a mock may not carry both result and errorOutput', async () => {
    expect((await rejection({ definition: TASK, mock: { result: '{}', errorOutput: { error: 'E' } } })).message).toBe(
      'A test mock should have only one of the following fields: [result, errorOutput].',
    );
  });

  test('revealSecrets cannot be combined with a mock', async () => {
    expect((await rejection({ definition: TASK, revealSecrets: true, mock: { result: '{}' } })).code).toBe('ValidationException');
  });

  test('mapIterationFailureCount needs a mock', async () => {
    expect((await rejection({ definition: TASK, stateConfiguration: { mapIterationFailureCount: 1 } })).message).toBe(
      'TestState does not support MapIterationFailureCount when a mock is not specified.',
    );
  });

  test('a state type that calls no service cannot be mocked', async () => {
    expect(await rejection({ definition: JSON.stringify({ Type: 'Pass', End: true }), mock: { result: '{}' } })).toEqual({
      code: 'ValidationException',
      message: "State type 'Pass' is not supported when a mock is specified",
    });
  });

  test('an invalid state definition is InvalidDefinition with the path under /States/StateName', async () => {
    const e = await rejection({ definition: JSON.stringify({ Type: 'Parallel', Branches: [], End: true }), mock: { result: '[]' } });
    expect(e).toEqual({
      code: 'InvalidDefinition',
      message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches'",
    });
  });
});
