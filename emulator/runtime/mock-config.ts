/**
 * Step Functions Local mock configuration: load, validate, look up mocked Task responses.
 * Format: https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
 * Use:    https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html
 *
 * {"StateMachines": {"<name>": {"TestCases": {"<case>": {"<Task state>": "<MockedResponse>"}}}},
 *  "MockedResponses": {"<MockedResponse>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error", "Cause"}}}}}
 */
import { readFileSync } from 'fs';
import { StatesError } from '../errors';

export type MockedOutcome = { kind: 'return'; value: unknown } | { kind: 'throw'; error: string; cause: string };
/** A MockedOutcome whose `text`, when present, is JSON.stringify(value), so it need not be serialized again. */
export type MockedOutcomeWithText = { kind: 'return'; value: unknown; text?: string } | { kind: 'throw'; error: string; cause: string };

/** A malformed mock configuration; `path` is the JSON path of the fault (e.g. `MockedResponses.Foo["1-2"]`). */
export class MockConfigError extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}${path ? `${path}: ` : ''}${rule}`);
    this.name = 'MockConfigError';
  }
}

interface InvocationRange {
  readonly from: number;
  readonly to: number; // inclusive
  readonly key: string;
  readonly outcome: MockedOutcome;
  /** JSON text of an object or array Return value: each lookup parses its own copy from it. */
  readonly returnText?: string;
}

/** One named MockedResponse: its invocation ranges in ascending order. */
interface MockedResponse {
  readonly name: string;
  readonly ranges: readonly InvocationRange[];
}

type TestCase = ReadonlyMap<string, MockedResponse>; // state name -> response

function pathOf(parent: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return parent ? parent + segment : segment.replace(/^\./, '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

export class MockConfig {
  private constructor(
    private readonly stateMachines: ReadonlyMap<string, ReadonlyMap<string, TestCase>>,
    readonly source: string | undefined,
  ) {}

  /** Loads and validates a mock configuration file (for example the one SFN_MOCK_CONFIG names). */
  static fromFile(path: string): MockConfig {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new MockConfigError('', `cannot read the mock configuration: ${(e as Error).message}`, path);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new MockConfigError('', `not valid JSON: ${(e as Error).message}`, path);
    }
    return MockConfig.fromObject(parsed, path);
  }

  /** Validates a parsed configuration; throws MockConfigError naming the first fault's JSON path. */
  static fromObject(obj: unknown, source?: string): MockConfig {
    const fault = (path: string, rule: string): never => {
      throw new MockConfigError(path, rule, source);
    };
    if (!isPlainObject(obj)) fault('', `the mock configuration must be a JSON object, got ${kindOf(obj)}`);
    const root = obj as Record<string, unknown>;
    for (const key of Object.keys(root)) {
      if (key !== 'StateMachines' && key !== 'MockedResponses') {
        fault(pathOf('', key), 'unknown field; expected StateMachines and MockedResponses');
      }
    }

    const responses = new Map<string, MockedResponse>();
    const rawResponses = root.MockedResponses ?? {};
    if (!isPlainObject(rawResponses)) fault('MockedResponses', `must be an object, got ${kindOf(rawResponses)}`);
    for (const [name, raw] of Object.entries(rawResponses as Record<string, unknown>)) {
      responses.set(name, parseMockedResponse(name, raw, pathOf('MockedResponses', name), fault));
    }

    const machines = new Map<string, Map<string, TestCase>>();
    const rawMachines = root.StateMachines ?? {};
    if (!isPlainObject(rawMachines)) fault('StateMachines', `must be an object, got ${kindOf(rawMachines)}`);
    for (const [smName, rawMachine] of Object.entries(rawMachines as Record<string, unknown>)) {
      const smPath = pathOf('StateMachines', smName);
      if (!isPlainObject(rawMachine)) fault(smPath, `must be an object with TestCases, got ${kindOf(rawMachine)}`);
      const machine = rawMachine as Record<string, unknown>;
      for (const key of Object.keys(machine)) {
        if (key !== 'TestCases') fault(pathOf(smPath, key), 'unknown field; a state machine entry has only TestCases');
      }
      const casesPath = pathOf(smPath, 'TestCases');
      if (!isPlainObject(machine.TestCases)) fault(casesPath, `must be an object, got ${kindOf(machine.TestCases)}`);
      const testCases = new Map<string, TestCase>();
      for (const [caseName, rawCase] of Object.entries(machine.TestCases as Record<string, unknown>)) {
        const casePath = pathOf(casesPath, caseName);
        if (!isPlainObject(rawCase)) fault(casePath, `must map state names to MockedResponse names, got ${kindOf(rawCase)}`);
        const states = new Map<string, MockedResponse>();
        for (const [stateName, responseName] of Object.entries(rawCase as Record<string, unknown>)) {
          const statePath = pathOf(casePath, stateName);
          if (typeof responseName !== 'string') fault(statePath, `must be the name of a MockedResponse, got ${kindOf(responseName)}`);
          const response = responses.get(responseName as string);
          if (!response) fault(statePath, `refers to MockedResponse '${responseName}', which is not defined under MockedResponses`);
          states.set(stateName, response!);
        }
        testCases.set(caseName, states);
      }
      machines.set(smName, testCases);
    }
    return new MockConfig(machines, source);
  }

  /** Names of the state machines and test cases, for listings and messages. */
  testCases(stateMachineName: string): string[] {
    return [...(this.stateMachines.get(stateMachineName)?.keys() ?? [])];
  }

  hasTestCase(stateMachineName: string, testCase: string): boolean {
    return this.stateMachines.get(stateMachineName)?.has(testCase) ?? false;
  }

  /**
   * The mocked outcome of the `invocationIndex`-th call (0-based) of a Task state, or undefined when
   * the test case does not mock that state. Throws StatesError('States.Runtime') when the state is
   * mocked but no response covers the index, and MockConfigError for an unknown test case.
   */
  lookup(stateMachineName: string, testCase: string, stateName: string, invocationIndex: number): MockedOutcome | undefined {
    const range = this.rangeFor(stateMachineName, testCase, stateName, invocationIndex);
    return range && outcomeOf(range);
  }

  /** As `lookup`, with the JSON text of an object or array Return value (for the execution's history). */
  lookupWithText(
    stateMachineName: string,
    testCase: string,
    stateName: string,
    invocationIndex: number,
  ): MockedOutcomeWithText | undefined {
    const range = this.rangeFor(stateMachineName, testCase, stateName, invocationIndex);
    if (range === undefined) return undefined;
    return range.returnText === undefined ? range.outcome : { kind: 'return', value: JSON.parse(range.returnText), text: range.returnText };
  }

  private rangeFor(stateMachineName: string, testCase: string, stateName: string, invocationIndex: number): InvocationRange | undefined {
    const testCases = this.stateMachines.get(stateMachineName);
    const states = testCases?.get(testCase);
    if (!states) {
      const known = testCases ? [...testCases.keys()].join(', ') || 'none' : undefined;
      throw new MockConfigError(
        pathOf(pathOf(pathOf('StateMachines', stateMachineName), 'TestCases'), testCase),
        testCases
          ? `test case '${testCase}' is not defined for state machine '${stateMachineName}' (defined: ${known})`
          : `state machine '${stateMachineName}' has no test cases in the mock configuration`,
        this.source,
      );
    }
    const response = states.get(stateName);
    if (!response) return undefined;
    for (const range of response.ranges) {
      if (invocationIndex >= range.from && invocationIndex <= range.to) return range;
    }
    const covered = response.ranges.map((r) => r.key).join(', ');
    throw new StatesError(
      'States.Runtime',
      `The mocked response '${response.name}' for state '${stateName}' (test case '${testCase}') has no entry for invocation ${invocationIndex}; ` +
        `it defines invocations ${covered}.`,
    );
  }
}

/**
 * Each lookup hands out its own copy, so a state that mutates its result cannot change the mock.
 * Parsing the stored JSON text is several times cheaper than structuredClone of the value.
 */
function outcomeOf(range: InvocationRange): MockedOutcome {
  return range.returnText === undefined ? range.outcome : { kind: 'return', value: JSON.parse(range.returnText) };
}

/** The JSON text to copy object and array Return values from; primitives are shared as they are. */
function returnTextOf(outcome: MockedOutcome): string | undefined {
  if (outcome.kind === 'throw' || outcome.value === null || typeof outcome.value !== 'object') return undefined;
  return JSON.stringify(outcome.value);
}

function parseMockedResponse(name: string, raw: unknown, path: string, fault: (path: string, rule: string) => never): MockedResponse {
  if (!isPlainObject(raw)) fault(path, `must map invocation indexes ("0", "1-2") to Return or Throw, got ${kindOf(raw)}`);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) fault(path, 'must define at least one invocation ("0")');
  const ranges: InvocationRange[] = [];
  for (const [key, value] of entries) {
    const entryPath = pathOf(path, key);
    const match = /^(0|[1-9]\d*)(?:-(0|[1-9]\d*))?$/.exec(key);
    if (!match) fault(entryPath, 'invalid invocation key; use a zero-based index like "0" or an inclusive range like "1-3"');
    const from = Number(match![1]);
    const to = match![2] === undefined ? from : Number(match![2]);
    if (to < from) fault(entryPath, `range end ${to} is lower than its start ${from}`);
    const outcome = parseOutcome(value, entryPath, fault);
    ranges.push({ from, to, key, outcome, returnText: returnTextOf(outcome) });
  }
  ranges.sort((a, b) => a.from - b.from);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i].from <= ranges[i - 1].to) {
      fault(pathOf(path, ranges[i].key), `overlaps invocation key "${ranges[i - 1].key}"; each invocation may have only one response`);
    }
  }
  return { name, ranges };
}

function parseOutcome(raw: unknown, path: string, fault: (path: string, rule: string) => never): MockedOutcome {
  if (!isPlainObject(raw)) fault(path, `must be an object with exactly one of Return or Throw, got ${kindOf(raw)}`);
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (key !== 'Return' && key !== 'Throw') fault(pathOf(path, key), 'unknown field; expected Return or Throw');
  }
  const hasReturn = 'Return' in entry;
  const hasThrow = 'Throw' in entry;
  if (hasReturn === hasThrow) fault(path, 'must have exactly one of Return or Throw');
  if (hasReturn) return { kind: 'return', value: entry.Return };
  const throwPath = pathOf(path, 'Throw');
  if (!isPlainObject(entry.Throw)) fault(throwPath, `must be an object with Error and Cause, got ${kindOf(entry.Throw)}`);
  const t = entry.Throw as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (key !== 'Error' && key !== 'Cause') fault(pathOf(throwPath, key), 'unknown field; expected Error and Cause');
  }
  if (typeof t.Error !== 'string' || t.Error === '') fault(pathOf(throwPath, 'Error'), 'must be a non-empty string');
  if (t.Cause !== undefined && typeof t.Cause !== 'string') fault(pathOf(throwPath, 'Cause'), `must be a string, got ${kindOf(t.Cause)}`);
  return { kind: 'throw', error: t.Error as string, cause: (t.Cause as string | undefined) ?? '' };
}
