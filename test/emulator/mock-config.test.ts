// Step Functions Local mock configuration.
// Format: https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
// (the valid fixture is the docs' LambdaSQSIntegration example, trimmed).
import { join } from 'path';
import { MockConfig, MockConfigError } from '../../emulator/runtime/mock-config';
import { StatesError } from '../../emulator/errors';

const fixtures = join(__dirname, 'order-example');
const config = MockConfig.fromFile(join(fixtures, 'mock-config.json'));

describe('a valid configuration', () => {
  test('test cases are found by state machine name', () => {
    expect(config.hasTestCase('LambdaSQSIntegration', 'HappyPath')).toBe(true);
    expect(config.hasTestCase('LambdaSQSIntegration', 'Nope')).toBe(false);
    expect(config.hasTestCase('Other', 'HappyPath')).toBe(false);
    expect(config.testCases('LambdaSQSIntegration')).toEqual(['HappyPath', 'RetryPath', 'HybridPath']);
  });

  test('Return gives the mocked value', () => {
    expect(config.lookup('LambdaSQSIntegration', 'HappyPath', 'SQSState', 0)).toEqual({
      kind: 'return',
      value: { MD5OfMessageBody: '3bcb6e8e', MessageId: '3bcb6e8e-8b51' },
    });
  });

  test('invocation keys and inclusive ranges pick the response per invocation (docs: 0, 1-2, 3)', () => {
    const at = (i: number) => config.lookup('LambdaSQSIntegration', 'RetryPath', 'LambdaState', i);
    expect(at(0)).toEqual({ kind: 'throw', error: 'Lambda.ResourceNotReadyException', cause: 'Lambda resource is not ready.' });
    expect(at(1)).toEqual({ kind: 'throw', error: 'Lambda.TimeoutException', cause: 'Lambda timed out.' });
    expect(at(2)).toEqual(at(1));
    expect(at(3)?.kind).toBe('return');
  });

  test('a state not listed in the test case is not mocked (undefined: falls through to the service)', () => {
    expect(config.lookup('LambdaSQSIntegration', 'HybridPath', 'SQSState', 0)).toBeUndefined();
  });

  test('an invocation index with no response fails the execution with States.Runtime', () => {
    let error: unknown;
    try {
      config.lookup('LambdaSQSIntegration', 'RetryPath', 'LambdaState', 4);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatesError);
    expect((error as StatesError).error).toBe('States.Runtime');
    expect((error as StatesError).cause).toMatch(/'MockedLambdaRetry' for state 'LambdaState'.*invocation 4.*0, 1-2, 3/);
  });

  test('an unknown test case is a clear error naming the defined ones', () => {
    expect(() => config.lookup('LambdaSQSIntegration', 'Nope', 'LambdaState', 0)).toThrow(
      /test case 'Nope' is not defined for state machine 'LambdaSQSIntegration' \(defined: HappyPath, RetryPath, HybridPath\)/,
    );
  });

  test('each lookup returns a copy, so mutating a result cannot change the mock', () => {
    const first = config.lookup('LambdaSQSIntegration', 'HappyPath', 'SQSState', 0) as { value: Record<string, unknown> };
    first.value.MessageId = 'changed';
    const second = config.lookup('LambdaSQSIntegration', 'HappyPath', 'SQSState', 0) as { value: Record<string, unknown> };
    expect(second.value.MessageId).toBe('3bcb6e8e-8b51');
  });

  test('Throw without Cause is accepted with an empty cause', () => {
    const c = MockConfig.fromObject({
      StateMachines: { SM: { TestCases: { T: { S: 'R' } } } },
      MockedResponses: { R: { '0': { Throw: { Error: 'Boom' } } } },
    });
    expect(c.lookup('SM', 'T', 'S', 0)).toEqual({ kind: 'throw', error: 'Boom', cause: '' });
  });
});

describe('malformed configurations are rejected at load with the JSON path of the fault', () => {
  const base = () => ({
    StateMachines: { SM: { TestCases: { T: { S: 'R' } } } } as Record<string, unknown>,
    MockedResponses: { R: { '0': { Return: 1 } } } as Record<string, unknown>,
  });

  function loadError(obj: unknown): MockConfigError {
    try {
      MockConfig.fromObject(obj, 'mocks.json');
    } catch (e) {
      expect(e).toBeInstanceOf(MockConfigError);
      return e as MockConfigError;
    }
    throw new Error('expected the configuration to be rejected');
  }

  test.each<[string, (c: ReturnType<typeof base>) => unknown, string, RegExp]>([
    ['not an object', () => [], '', /must be a JSON object, got an array/],
    ['unknown top-level field', (c) => ({ ...c, Extra: 1 }), 'Extra', /unknown field/],
    ['StateMachines not an object', (c) => ({ ...c, StateMachines: 'x' }), 'StateMachines', /must be an object/],
    ['state machine without TestCases', (c) => ({ ...c, StateMachines: { SM: {} } }), 'StateMachines.SM.TestCases', /must be an object/],
    [
      'test case not an object',
      (c) => ({ ...c, StateMachines: { SM: { TestCases: { T: 'R' } } } }),
      'StateMachines.SM.TestCases.T',
      /must map state names/,
    ],
    [
      'state mapped to a non-string',
      (c) => ({ ...c, StateMachines: { SM: { TestCases: { T: { 'My State': 3 } } } } }),
      'StateMachines.SM.TestCases.T["My State"]',
      /must be the name of a MockedResponse/,
    ],
    [
      'state mapped to an undefined response',
      (c) => ({ ...c, StateMachines: { SM: { TestCases: { T: { S: 'Missing' } } } } }),
      'StateMachines.SM.TestCases.T.S',
      /MockedResponse 'Missing', which is not defined/,
    ],
    ['response without invocations', (c) => ({ ...c, MockedResponses: { R: {} } }), 'MockedResponses.R', /at least one invocation/],
    [
      'invalid invocation key',
      (c) => ({ ...c, MockedResponses: { R: { first: { Return: 1 } } } }),
      'MockedResponses.R.first',
      /invalid invocation key/,
    ],
    [
      'negative invocation key',
      (c) => ({ ...c, MockedResponses: { R: { '-1': { Return: 1 } } } }),
      'MockedResponses.R["-1"]',
      /invalid invocation key/,
    ],
    [
      'descending range',
      (c) => ({ ...c, MockedResponses: { R: { '3-1': { Return: 1 } } } }),
      'MockedResponses.R["3-1"]',
      /lower than its start/,
    ],
    [
      'overlapping ranges',
      (c) => ({ ...c, MockedResponses: { R: { '0-2': { Return: 1 }, '2': { Return: 2 } } } }),
      'MockedResponses.R["2"]',
      /overlaps invocation key "0-2"/,
    ],
    [
      'both Return and Throw',
      (c) => ({ ...c, MockedResponses: { R: { '1-2': { Return: 1, Throw: { Error: 'E' } } } } }),
      'MockedResponses.R["1-2"]',
      /must have exactly one of Return or Throw/,
    ],
    [
      'neither Return nor Throw',
      (c) => ({ ...c, MockedResponses: { R: { '0': {} } } }),
      'MockedResponses.R["0"]',
      /must have exactly one of Return or Throw/,
    ],
    [
      'unknown field beside Return',
      (c) => ({ ...c, MockedResponses: { R: { '0': { Return: 1, Delay: 2 } } } }),
      'MockedResponses.R["0"].Delay',
      /unknown field/,
    ],
    [
      'Throw without Error',
      (c) => ({ ...c, MockedResponses: { R: { '0': { Throw: { Cause: 'c' } } } } }),
      'MockedResponses.R["0"].Throw.Error',
      /non-empty string/,
    ],
    [
      'Throw with a non-string Cause',
      (c) => ({ ...c, MockedResponses: { R: { '0': { Throw: { Error: 'E', Cause: {} } } } } }),
      'MockedResponses.R["0"].Throw.Cause',
      /must be a string/,
    ],
  ])('%s', (_name, mutate, path, rule) => {
    const error = loadError(mutate(base()));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(rule);
    expect(error.message.startsWith(`mocks.json: ${path ? path + ': ' : ''}`)).toBe(true);
  });

  test('a file that is not JSON names the file', () => {
    const file = join(fixtures, 'mock-config-invalid-json.json');
    expect(() => MockConfig.fromFile(file)).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}: not valid JSON`));
  });

  test('a missing file names the file', () => {
    expect(() => MockConfig.fromFile(join(fixtures, 'absent.json'))).toThrow(/absent\.json: cannot read the mock configuration/);
  });

  test('gaps between invocation keys are allowed; the missing index fails at run time', () => {
    const c = MockConfig.fromObject({ ...base(), MockedResponses: { R: { '0': { Return: 'a' }, '2': { Return: 'c' } } } });
    expect(c.lookup('SM', 'T', 'S', 2)).toEqual({ kind: 'return', value: 'c' });
    expect(() => c.lookup('SM', 'T', 'S', 1)).toThrow(StatesError);
  });
});
