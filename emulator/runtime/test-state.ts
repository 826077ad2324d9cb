/**
 * TestState: runs one state (given alone, or picked from a whole definition by `stateName`) once,
 * with an optional mocked service answer, and reports its data flow step by step.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
 *
 * What the single step does differently from an execution: no history, no waiting (Wait and retry
 * intervals are reported, not slept), and a failing state is not retried: the response says whether
 * the error would be retried (RETRIABLE, with the retrier and its back-off), caught (CAUGHT_ERROR,
 * with the catcher's output and next state) or not handled (FAILED).
 */
import { randomUUID } from 'crypto';
import { StatesError, States } from '../errors';
import { parseDefinition } from '../asl/parse';
import { evaluateTemplate, selectPath } from '../asl/jsonpath';
import { evaluateJsonataValue } from '../asl/jsonata';
import type { MapState, ParallelState, PassState, State, StateMachineModel, TaskState } from '../asl/model';
import type { StateServices } from './states/types';
import { runChoice } from './states/choice';
import { runFail } from './states/fail';
import { runSucceed } from './states/succeed';
import { runWait } from './states/wait';
import { createClock } from './clock';
import { StateRun, type ExecutionFacts, type RunScope, type StateOutcome } from './state-run';
import type { TaskResolutionChain } from './task-resolution';
import { applyCatcher, backoffSeconds, matchingCatcher, matchingRetrier } from './error-policy';
import { VariableScope } from './variables';
import { validateMockResult } from './test-state-mock-schema';

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type TestExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';
export type FieldValidationMode = 'STRICT' | 'PRESENT' | 'NONE';

export interface TestStateRequest {
  definition: string;
  roleArn?: string;
  input?: string;
  inspectionLevel?: InspectionLevel;
  revealSecrets?: boolean;
  variables?: string;
  stateName?: string;
  mock?: {
    result?: string;
    errorOutput?: { error?: string; cause?: string };
    fieldValidationMode?: FieldValidationMode;
  };
  context?: string;
  stateConfiguration?: {
    retrierRetryCount?: number;
    errorCausedByState?: string;
    mapIterationFailureCount?: number;
    mapItemReaderData?: string;
  };
}

/** InspectionData: every data field is JSON text. */
export interface InspectionData {
  input?: string;
  afterInputPath?: string;
  afterParameters?: string;
  afterArguments?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  variables?: string;
  errorDetails?: { catchIndex?: number; retryIndex?: number; retryBackoffIntervalSeconds?: number };
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
}

export interface TestStateResponse {
  status: TestExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: InspectionData;
}

/** A request TestState refuses; `code` is the AWS error code the API layer answers with. */
export class TestStateRequestError extends Error {
  constructor(
    readonly code: 'InvalidDefinition' | 'ValidationException' | 'InvalidExecutionInput',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface TestStateEnvironment {
  region: string;
  accountId: string;
  /** Answers Task states that are not mocked (registered handlers); without it they fail. */
  resolver?: TaskResolutionChain;
}

/** The name AWS gives a state that is tested on its own (it shows in `$$.State.Name` and in definition errors). */
const SINGLE_STATE_NAME = 'StateName';
const DEFAULT_ROLE = (account: string) => `arn:aws:iam::${account}:role/TestStateRole`;
const SUPPORTED_WITHOUT_MOCK = '[Task, Wait, Pass, Succeed, Fail, Choice]';
const EXCEEDED_THRESHOLD_CAUSE = 'The specified tolerated failure threshold was exceeded';

export async function runTestState(request: TestStateRequest, env: TestStateEnvironment): Promise<TestStateResponse> {
  checkMockRequest(request);
  const { state, raw } = selectState(request);
  const input = parseJson(
    request.input ?? '{}',
    (m) => new TestStateRequestError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${m}'`),
  );
  const mock = request.mock;
  const hasMock = mock !== undefined && (mock.result !== undefined || mock.errorOutput !== undefined);
  if ((state.type === 'Map' || state.type === 'Parallel') && !hasMock) {
    throw new TestStateRequestError(
      'InvalidDefinition',
      `TestState API does not support Map or Parallel states. Supported state types include: ${SUPPORTED_WITHOUT_MOCK}`,
    );
  }
  // Pass, Fail and Succeed call no service: there is nothing to mock.
  if (hasMock && (state.type === 'Pass' || state.type === 'Fail' || state.type === 'Succeed')) {
    throw new TestStateRequestError('ValidationException', `State type '${state.type}' is not supported when a mock is specified`);
  }
  const mocked = hasMock ? readMock(request, state, raw) : undefined;
  if (state.type === 'Task' && !hasMock && request.roleArn === undefined) {
    // A real Task call needs the role TestState assumes.
    throw new TestStateRequestError('ValidationException', 'RoleArn must be specified when testing a Task state');
  }

  const run = makeRun(request, state, input, env);
  const test = new SingleStep(run, state, request, env, mocked);
  return test.execute();
}

// ---------------------------------------------------------------- request checks

function checkMockRequest(request: TestStateRequest): void {
  const mock = request.mock;
  if (mock && mock.result !== undefined && mock.errorOutput !== undefined) {
    throw new TestStateRequestError(
      'ValidationException',
      'A test mock should have only one of the following fields: [result, errorOutput].',
    );
  }
  const mocked = mock !== undefined && (mock.result !== undefined || mock.errorOutput !== undefined);
  if (request.revealSecrets && mocked) {
    throw new TestStateRequestError('ValidationException', 'TestState does not support RevealSecrets when a mock is specified.');
  }
  const config = request.stateConfiguration;
  if (config?.mapIterationFailureCount !== undefined && !mocked) {
    throw new TestStateRequestError(
      'ValidationException',
      'TestState does not support MapIterationFailureCount when a mock is not specified.',
    );
  }
}

/**
 * A definition with `States` is a whole state machine (validated as CreateStateMachine would) and
 * `stateName` picks the state; otherwise it is one state, named "StateName", whose transitions lead
 * nowhere in particular (they are only reported as nextState).
 */
function selectState(request: TestStateRequest): { state: State; raw: Record<string, unknown> } {
  const raw = parseJson(
    request.definition,
    (m) => new TestStateRequestError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${m}'`),
  );
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TestStateRequestError(
      'InvalidDefinition',
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Expected an object at /'",
    );
  }
  const def = raw as Record<string, unknown>;
  if ('States' in def || 'StartAt' in def) {
    const model = parseOrReject(def);
    const name = request.stateName ?? model.startAt;
    const state = model.states.get(name);
    if (!state) throw new TestStateRequestError('ValidationException', 'State not found in definition');
    return { state, raw: (def.States as Record<string, Record<string, unknown>>)[name] };
  }
  if (request.stateName !== undefined) {
    throw new TestStateRequestError(
      'ValidationException',
      'stateName can only be given with a state machine definition (one with StartAt and States).',
    );
  }
  const states: Record<string, unknown> = { [SINGLE_STATE_NAME]: def };
  // Stand-ins for the states this one may transition to, so that the definition validates.
  for (const target of transitionTargets(def)) {
    if (!(target in states)) states[target] = { Type: 'Succeed' };
  }
  const model = parseOrReject({ StartAt: SINGLE_STATE_NAME, States: states });
  return { state: model.states.get(SINGLE_STATE_NAME) as State, raw: def };
}

function transitionTargets(def: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => typeof v === 'string' && out.push(v);
  add(def.Next);
  add(def.Default);
  for (const list of [def.Choices, def.Catch]) {
    if (Array.isArray(list)) for (const item of list) if (item && typeof item === 'object') add((item as Record<string, unknown>).Next);
  }
  return out;
}

function parseOrReject(def: object): StateMachineModel {
  try {
    return parseDefinition(def);
  } catch (e) {
    if ((e as Error).name === 'AslDefinitionError') {
      throw new TestStateRequestError('InvalidDefinition', `Invalid State Machine Definition: '${(e as Error).message}'`);
    }
    throw e;
  }
}

type Mocked = { kind: 'return'; value: unknown } | { kind: 'throw'; error: StatesError };

function readMock(request: TestStateRequest, state: State, raw: Record<string, unknown>): Mocked {
  const mock = request.mock!;
  if (mock.errorOutput !== undefined) {
    const { error, cause } = mock.errorOutput;
    return { kind: 'throw', error: new StatesError(error ?? '', cause) };
  }
  const value = parseJson(
    mock.result as string,
    () => new TestStateRequestError('ValidationException', 'Mocked result must be valid JSON'),
  );
  // A Map with a ResultWriter answers with the writer's summary object instead of the results array.
  if (state.type === 'Map' && raw.ResultWriter !== undefined) {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new TestStateRequestError('ValidationException', 'Mocked result must be a JSON object.');
  } else if (state.type === 'Map' || state.type === 'Parallel') {
    if (!Array.isArray(value)) throw new TestStateRequestError('ValidationException', 'Mocked result must be an array.');
  }
  if (state.type === 'Task') {
    const problem = validateMockResult(state.resource, value, mock.fieldValidationMode ?? 'STRICT');
    if (problem) throw new TestStateRequestError('ValidationException', `Mock result schema validation error: ${problem}`);
  }
  return { kind: 'return', value };
}

function parseJson(text: string, fail: (message: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail((e as Error).message);
  }
}

// ---------------------------------------------------------------- the run

/** A StateRun whose `$$` is the context the request gave (when it gave one). */
class TestStateRun extends StateRun {
  constructor(
    state: State,
    input: unknown,
    facts: ExecutionFacts,
    scope: RunScope,
    private readonly givenContext: Record<string, unknown> | undefined,
  ) {
    super(state, input, facts, scope, 0);
  }

  override context(): Record<string, unknown> {
    if (this.givenContext) return this.givenContext;
    const f = this.facts;
    const stateCtx: Record<string, unknown> = { Name: this.state.name, EnteredTime: this.enteredTimeIso };
    if (this.state.type === 'Task' || this.state.type === 'Parallel' || this.state.type === 'Map') stateCtx.RetryCount = this.retryCount;
    const ctx: Record<string, unknown> = {
      Execution: { Id: f.executionArn, Input: f.input, Name: f.executionName, RoleArn: f.roleArn, StartTime: f.startTimeIso },
      StateMachine: { Id: f.stateMachineArn, Name: f.stateMachineName },
      State: stateCtx,
    };
    if (this.taskToken !== undefined) ctx.Task = { Token: this.taskToken };
    return ctx;
  }
}

function makeRun(request: TestStateRequest, state: State, input: unknown, env: TestStateEnvironment): TestStateRun {
  const variables = new VariableScope();
  if (request.variables !== undefined) {
    const vars = parseJson(request.variables, (m) => new TestStateRequestError('ValidationException', `Invalid variables: ${m}`));
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) {
      throw new TestStateRequestError('ValidationException', 'variables must be a JSON object');
    }
    for (const [k, v] of Object.entries(vars)) variables.set(k, v);
  }
  let context: Record<string, unknown> | undefined;
  if (request.context !== undefined) {
    const c = parseJson(request.context, (m) => new TestStateRequestError('ValidationException', `Invalid context: ${m}`));
    if (c === null || typeof c !== 'object' || Array.isArray(c))
      throw new TestStateRequestError('ValidationException', 'context must be a JSON object');
    context = c as Record<string, unknown>;
  }
  const clock = createClock('virtual');
  // TestState runs the state like a one-state Express execution of a throwaway state machine.
  const smName = `TestStateMachine-${randomUUID()}`;
  const execName = randomUUID();
  const facts: ExecutionFacts = {
    executionArn: `arn:aws:states:${env.region}:${env.accountId}:express:${smName}:${execName}`,
    executionName: execName,
    stateMachineArn: `arn:aws:states:${env.region}:${env.accountId}:stateMachine:${smName}`,
    stateMachineName: smName,
    roleArn: request.roleArn ?? DEFAULT_ROLE(env.accountId),
    input,
    startTimeIso: new Date(clock.now()).toISOString(),
    clock,
  };
  const scope: RunScope = { variables, cursor: { prev: 0 }, recordEvents: false };
  return new TestStateRun(state, input, facts, scope, context);
}

/** The services Choice/Wait/Succeed/Fail may ask for: no history, no waiting. */
function quietServices(env: TestStateEnvironment): StateServices {
  const unsupported = (): never => {
    throw new StatesError(States.Runtime, 'TestState runs a single state');
  };
  return {
    record: () => 0,
    recordLinked: () => 0,
    lastEventId: () => 0,
    runMachine: unsupported,
    runMachineMaybeSync: unsupported,
    childScope: unsupported,
    invokeTask: unsupported,
    runMapRun: unsupported,
    sleep: async () => undefined,
    checkAlive: () => undefined,
    region: env.region,
    accountId: env.accountId,
  };
}

const json = (v: unknown): string => JSON.stringify(v === undefined ? null : v);

class SingleStep {
  private readonly inspection: InspectionData = {};
  private readonly jsonata: boolean;

  constructor(
    private readonly run: TestStateRun,
    private readonly state: State,
    private readonly request: TestStateRequest,
    private readonly env: TestStateEnvironment,
    private readonly mocked: Mocked | undefined,
  ) {
    this.jsonata = state.queryLanguage === 'JSONata';
    // The shared data-flow tail (StateRun.finishJsonPath) reports its steps for the inspection data.
    run.inspector = {
      afterResultSelector: (value) => (this.inspection.afterResultSelector = json(value)),
      afterResultPath: (value) => (this.inspection.afterResultPath = json(value)),
    };
  }

  async execute(): Promise<TestStateResponse> {
    this.inspection.input = json(this.run.rawInput);
    let outcome: StateOutcome;
    try {
      outcome = await this.dispatch();
    } catch (e) {
      return this.handleError(toStatesError(e));
    }
    if (outcome.assigned) for (const [k, v] of outcome.assigned) this.run.scope.variables.set(k, v);
    this.noteVariables(outcome.assigned);
    const response: TestStateResponse = { status: 'SUCCEEDED', output: json(outcome.output) };
    if (outcome.next !== undefined) response.nextState = outcome.next;
    return this.withInspection(response);
  }

  private dispatch(): Promise<StateOutcome> {
    const s = this.state;
    switch (s.type) {
      case 'Task':
        return this.task(s);
      case 'Pass':
        return this.pass(s);
      case 'Parallel':
      case 'Map':
        return this.container(s);
      case 'Choice':
        return this.simple(() => runChoice(this.run, s, quietServices(this.env)));
      case 'Wait':
        return this.simple(() => runWait(this.run, s, quietServices(this.env)));
      case 'Succeed':
        return this.simple(() => runSucceed(this.run, s, quietServices(this.env)));
      case 'Fail':
        return this.simple(() => runFail(this.run, s, quietServices(this.env)));
    }
  }

  /** Choice, Wait, Succeed, Fail: the state's own logic; inspection shows the input after InputPath. */
  private simple(body: () => Promise<StateOutcome>): Promise<StateOutcome> {
    if (!this.jsonata) this.inspection.afterInputPath = json(this.run.effectiveInput());
    return body();
  }

  private async pass(state: PassState): Promise<StateOutcome> {
    const run = this.run;
    if (this.jsonata) {
      const { output, assigned } = await run.finishJsonata(run.rawInput, undefined);
      return { output, next: state.next, assigned };
    }
    let result: unknown;
    if (state.hasResult) {
      // A fixed Result ignores the input: AWS reports no InputPath/Parameters step.
      result = state.result;
      this.inspection.result = json(result);
    } else {
      const effective = run.effectiveInput();
      this.inspection.afterInputPath = json(effective);
      result = state.parameters ? evaluateTemplate(state.parameters, run.pathEnv(effective)) : effective;
      this.inspection.afterParameters = json(result);
    }
    const { output, assigned } = run.finishJsonPath(result, result, state.resultPath);
    return { output, next: state.next, assigned };
  }

  private async task(state: TaskState): Promise<StateOutcome> {
    const run = this.run;
    if (this.jsonata) {
      const env = run.jsonataEnv();
      const args = state.arguments !== undefined ? await evaluateJsonataValue(state.arguments, env, 'Arguments') : run.rawInput;
      this.inspection.afterArguments = json(args);
      const result = await this.invoke(state, args);
      this.inspection.result = json(result);
      return run.finishResult(result, state);
    }
    const effective = run.effectiveInput();
    this.inspection.afterInputPath = json(effective);
    const parameters = state.parameters ? evaluateTemplate(state.parameters, run.pathEnv(effective)) : effective;
    this.inspection.afterParameters = json(parameters);
    const result = await this.invoke(state, parameters);
    this.inspection.result = json(result);
    return run.finishResult(result, state);
  }

  /** Parallel and Map are tested only with a mock: the mocked result stands for all branches/iterations. */
  private async container(state: ParallelState | MapState): Promise<StateOutcome> {
    const run = this.run;
    if (state.type === 'Map') await this.mapSettings(state);
    const mocked = this.mocked as Mocked;
    if (mocked.kind === 'throw') throw mocked.error;
    return run.finishResult(mocked.value, state);
  }

  /** MaxConcurrency and the failure tolerance, which mapIterationFailureCount is checked against. */
  private async mapSettings(state: MapState): Promise<void> {
    const run = this.run;
    const evaluate = async (value: unknown, field: string): Promise<unknown> =>
      this.jsonata && typeof value === 'string' ? evaluateJsonataValue(value, run.jsonataEnv(), field) : value;
    const max = await evaluate(state.maxConcurrency, 'MaxConcurrency');
    this.inspection.maxConcurrency = typeof max === 'number' ? max : 0;
    const count = await evaluate(state.toleratedFailureCount, 'ToleratedFailureCount');
    const percentage = await evaluate(state.toleratedFailurePercentage, 'ToleratedFailurePercentage');
    if (typeof count === 'number') this.inspection.toleratedFailureCount = count;
    if (typeof percentage === 'number') this.inspection.toleratedFailurePercentage = percentage;
    const failed = this.request.stateConfiguration?.mapIterationFailureCount;
    if (failed === undefined || this.mocked?.kind !== 'return') return;
    const items = await this.mapItemCount(state);
    const overCount = typeof count === 'number' && failed > count;
    const overPercentage = typeof percentage === 'number' && items > 0 && (failed * 100) / items > percentage;
    const countExceeded = overCount && (typeof percentage !== 'number' || overPercentage);
    const percentageExceeded = overPercentage && (typeof count !== 'number' || overCount);
    if (countExceeded || percentageExceeded) {
      throw new StatesError(States.ExceedToleratedFailureThreshold, EXCEEDED_THRESHOLD_CAUSE);
    }
  }

  /** How many items the Map would iterate over (for ToleratedFailurePercentage): its items, else the mocked results. */
  private async mapItemCount(state: MapState): Promise<number> {
    const run = this.run;
    let items: unknown;
    try {
      const readerData = this.request.stateConfiguration?.mapItemReaderData;
      if (readerData !== undefined) items = JSON.parse(readerData);
      else if (this.jsonata)
        items = state.items !== undefined ? await evaluateJsonataValue(state.items, run.jsonataEnv(), 'Items') : run.rawInput;
      else items = selectPath(run.effectiveInput(), state.itemsPath ?? '$', run.pathEnv(run.effectiveInput()));
    } catch {
      items = undefined;
    }
    if (Array.isArray(items)) return items.length;
    return this.mocked?.kind === 'return' && Array.isArray(this.mocked.value) ? this.mocked.value.length : 0;
  }

  private async invoke(state: TaskState, parameters: unknown): Promise<unknown> {
    if (this.mocked) {
      if (this.mocked.kind === 'throw') throw this.mocked.error;
      return this.mocked.value;
    }
    if (!this.env.resolver) {
      throw new StatesError(
        States.Runtime,
        `No response for Task state '${state.name}' (Resource ${state.resource}): give TestState a mock.`,
      );
    }
    if (state.description.pattern === 'waitForTaskToken') this.run.taskToken = randomUUID();
    const outcome = await this.env.resolver.resolve({
      resource: state.resource,
      parameters,
      stateName: state.name,
      executionArn: this.run.facts.executionArn,
      taskToken: this.run.taskToken,
      invocationIndex: 0,
      stateMachineName: this.run.facts.stateMachineName,
    });
    if (outcome.kind === 'throw') throw new StatesError(outcome.error, outcome.cause);
    return outcome.value;
  }

  // ------------------------------------------------------------ errors: retry, catch, fail

  private async handleError(err: StatesError): Promise<TestStateResponse> {
    const state = this.state;
    const response: TestStateResponse = { status: 'FAILED', error: err.error };
    if (err.hasCause) response.cause = err.cause;
    if (state.type !== 'Task' && state.type !== 'Parallel' && state.type !== 'Map') return this.withInspection(response);
    const details: NonNullable<InspectionData['errorDetails']> = {};
    const retryIndex = matchingRetrier(state, err);
    if (retryIndex >= 0) {
      details.retryIndex = retryIndex;
      const retrier = state.retry[retryIndex];
      const attempts = this.request.stateConfiguration?.retrierRetryCount ?? 0;
      if (attempts < retrier.maxAttempts) {
        // TestState reports the interval in whole seconds, without jitter.
        details.retryBackoffIntervalSeconds = Math.round(backoffSeconds(retrier, attempts));
        response.status = 'RETRIABLE';
        this.inspection.errorDetails = details;
        return this.withInspection(response);
      }
    }
    const catchIndex = matchingCatcher(state, err);
    if (catchIndex >= 0) {
      const catcher = state.catch[catchIndex];
      details.catchIndex = catchIndex;
      let output: unknown;
      let assigned: ReadonlyMap<string, unknown> | undefined;
      try {
        ({ output, assigned } = await applyCatcher(this.run, catcher, err));
      } catch (e) {
        const failed = toStatesError(e);
        const r: TestStateResponse = { status: 'FAILED', error: failed.error };
        if (failed.hasCause) r.cause = failed.cause;
        return this.withInspection(r);
      }
      this.noteVariables(assigned);
      response.status = 'CAUGHT_ERROR';
      response.output = json(output);
      response.nextState = catcher.next;
    }
    if (Object.keys(details).length > 0) this.inspection.errorDetails = details;
    return this.withInspection(response);
  }

  private noteVariables(assigned: ReadonlyMap<string, unknown> | undefined): void {
    const vars = this.run.scope.variables;
    if (assigned) for (const [k, v] of assigned) vars.set(k, v);
    if ((assigned && assigned.size > 0) || this.request.variables !== undefined) {
      this.inspection.variables = json(vars.toBindings());
    }
  }

  /** INFO reports the outcome only; DEBUG and TRACE add the data flow (TRACE also HTTP details, which no local Task has). */
  private withInspection(response: TestStateResponse): TestStateResponse {
    const level = this.request.inspectionLevel ?? 'INFO';
    if (level === 'INFO') return response;
    const order: (keyof InspectionData)[] = [
      'input',
      'afterInputPath',
      'afterParameters',
      'afterArguments',
      'result',
      'afterResultSelector',
      'afterResultPath',
      'variables',
      'errorDetails',
      'maxConcurrency',
      'toleratedFailureCount',
      'toleratedFailurePercentage',
    ];
    const data: Record<string, unknown> = {};
    for (const key of order) if (this.inspection[key] !== undefined) data[key] = this.inspection[key];
    // The data-flow steps after the failure point never ran.
    if (response.status !== 'SUCCEEDED') for (const key of ['result', 'afterResultSelector', 'afterResultPath']) delete data[key];
    return { ...response, inspectionData: data as InspectionData };
  }
}

function toStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  if (e instanceof TestStateRequestError) throw e;
  return new StatesError(States.Runtime, (e as Error)?.message ?? String(e));
}
