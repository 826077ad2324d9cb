/**
 * Engine: the registry of state machines and executions, and the typed in-process API that the HTTP
 * server and tests use. Method names and shapes follow the Step Functions API (camelCase, Date
 * timestamps). https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { randomUUID } from 'crypto';
import { parseDefinition } from '../asl/parse';
import { applySubstitutions, type Substitutions } from '../asl/substitutions';
import type { StateMachineModel } from '../asl/model';
import type { ClockMode } from './clock';
import { Execution, type ExecutionStatus, type TokenWaiter } from './execution';
import { PassThroughResolver, type PassThroughOptions } from './integrations/pass-through';
import { validateIntegrationParameters } from './integrations/parameter-validation';
import { createTimeline, type Timeline } from './timeline';
import type { HistoryEvent } from './history';
import { runTestState, type TestStateRequest, type TestStateResponse } from './test-state';
import {
  HandlerResolver,
  MockConfigResolver,
  TaskResolutionChain,
  type HandlerMatcher,
  type MockLookup,
  type TaskHandler,
  type TaskResolver,
} from './task-resolution';

/** An error the API layer maps onto the AWS error of the same code. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface EngineOptions {
  region?: string;
  accountId?: string;
  /** Step Functions Local mock configuration (runtime/mock-config.ts MockConfig fits). */
  mockConfig?: MockLookup;
  /** The time line the engine creates when none is given: simulated ('virtual', the default) or wall time. */
  clock?: ClockMode;
  /** One time line shared with the services beside the engine (runtime/timeline.ts); wins over `clock`. */
  timeline?: Timeline;
  handlers?: readonly { matcher: HandlerMatcher; handler: TaskHandler }[];
  /** Tasks no mock or handler answers call these endpoints through the AWS SDK (runtime/integrations/). */
  passThrough?: PassThroughOptions;
}

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface CreateStateMachineInput {
  name: string;
  definition: string | object;
  roleArn?: string;
  type?: StateMachineType;
  /** CloudFormation-style `${Name}` DefinitionSubstitutions, applied to the definition text. */
  substitutions?: Substitutions;
}

export interface StateMachineDescription {
  stateMachineArn: string;
  name: string;
  status: 'ACTIVE' | 'DELETING';
  definition: string;
  roleArn: string;
  type: StateMachineType;
  creationDate: Date;
  updateDate?: Date;
}

/** The state machine as an execution ran it (DescribeStateMachineForExecution). */
export interface StateMachineForExecution {
  stateMachineArn: string;
  name: string;
  definition: string;
  roleArn: string;
  /** When the definition the execution ran was last set: the update date, else the creation date. */
  updateDate: Date;
  /** Absent for the definition the state machine was created with. */
  revisionId?: string;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface StartExecutionInput {
  /** May end with `#TestCase` to run a test case of the mock configuration. */
  stateMachineArn: string;
  name?: string;
  input?: string;
}

interface StateMachineRecord {
  arn: string;
  name: string;
  definitionText: string;
  model: StateMachineModel;
  roleArn: string;
  type: StateMachineType;
  creationDate: Date;
  updateDate?: Date;
  revisionId?: string;
  executions: Execution[];
  /** What DescribeStateMachineForExecution answers for executions started now; shared by them, reset on update. */
  currentRevision?: StateMachineForExecution;
}

const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
const DEFAULT_ROLE = (account: string) => `arn:aws:iam::${account}:role/StepFunctionsLocal`;

export class Engine {
  readonly region: string;
  readonly accountId: string;
  /** Every execution's clock: history timestamps, waits, retries, timeouts. */
  readonly timeline: Timeline;
  private readonly mockConfig?: MockLookup;
  private readonly handlers: HandlerResolver;
  private readonly resolver: TaskResolutionChain;
  private readonly passThrough: PassThroughResolver;
  private readonly stateMachines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, TokenWaiter>();
  /** Per execution, the definition it started with (an UpdateStateMachine later does not change it). */
  private readonly ranDefinitions = new Map<string, StateMachineForExecution>();

  constructor(options: EngineOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.timeline = options.timeline ?? createTimeline(options.clock ?? 'virtual');
    this.mockConfig = options.mockConfig;
    this.handlers = new HandlerResolver(this.timeline);
    const resolvers: TaskResolver[] = [];
    if (this.mockConfig) resolvers.push(new MockConfigResolver(this.mockConfig));
    const passThrough = (this.passThrough = new PassThroughResolver(options.passThrough ?? {}, {
      timeline: this.timeline,
      region: this.region,
      accountId: this.accountId,
      executions: this,
    }));
    resolvers.push(this.handlers, passThrough);
    this.resolver = new TaskResolutionChain(resolvers, passThrough);
    for (const h of options.handlers ?? []) this.handlers.register(h.matcher, h.handler);
  }

  /** Releases the pass-through's SDK clients (their keep-alive connections). */
  close(): void {
    this.passThrough.close();
  }

  /** Registers an in-process Task handler for resources starting with a prefix (or matching a predicate). */
  registerHandler(matcher: HandlerMatcher, handler: TaskHandler): void {
    this.handlers.register(matcher, handler);
  }

  // ------------------------------------------------------------ state machines

  createStateMachine(input: CreateStateMachineInput): { stateMachineArn: string; creationDate: Date } {
    checkName(input.name, 'name');
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${input.name}`;
    const existing = this.stateMachines.get(arn);
    const { text, model } = this.prepareDefinition(input.definition, input.substitutions);
    const type = input.type ?? 'STANDARD';
    const roleArn = input.roleArn ?? DEFAULT_ROLE(this.accountId);
    if (existing) {
      // AWS: idempotent when everything matches, otherwise StateMachineAlreadyExists.
      if (existing.definitionText === text && existing.roleArn === roleArn && existing.type === type) {
        return { stateMachineArn: arn, creationDate: existing.creationDate };
      }
      throw new EngineError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const creationDate = new Date(this.timeline.now());
    this.stateMachines.set(arn, {
      arn,
      name: input.name,
      definitionText: text,
      model,
      roleArn,
      type,
      creationDate,
      executions: [],
    });
    return { stateMachineArn: arn, creationDate };
  }

  updateStateMachine(
    stateMachineArn: string,
    changes: { definition?: string | object; roleArn?: string; substitutions?: Substitutions },
  ): { updateDate: Date } {
    const sm = this.stateMachine(stateMachineArn);
    if (changes.definition !== undefined) {
      const { text, model } = this.prepareDefinition(changes.definition, changes.substitutions);
      sm.definitionText = text;
      sm.model = model;
      sm.revisionId = randomUUID();
    }
    if (changes.roleArn !== undefined) sm.roleArn = changes.roleArn;
    sm.updateDate = new Date(this.timeline.now());
    sm.currentRevision = undefined;
    return { updateDate: sm.updateDate };
  }

  deleteStateMachine(stateMachineArn: string): void {
    const sm = this.stateMachines.get(stateMachineArn);
    if (!sm) return; // AWS: deleting a missing state machine succeeds
    this.stateMachines.delete(stateMachineArn);
  }

  describeStateMachine(stateMachineArn: string): StateMachineDescription {
    const sm = this.stateMachine(stateMachineArn);
    return {
      stateMachineArn: sm.arn,
      name: sm.name,
      status: 'ACTIVE',
      definition: sm.definitionText,
      roleArn: sm.roleArn,
      type: sm.type,
      creationDate: sm.creationDate,
      updateDate: sm.updateDate,
    };
  }

  listStateMachines(): StateMachineDescription[] {
    return [...this.stateMachines.values()].map((sm) => this.describeStateMachine(sm.arn));
  }

  // ------------------------------------------------------------ executions

  startExecution(input: StartExecutionInput): { executionArn: string; startDate: Date } {
    const execution = this.createExecution(input, 'STANDARD');
    execution.start();
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  }

  /** EXPRESS only: runs to the end and answers with the result. */
  async startSyncExecution(input: StartExecutionInput): Promise<ExecutionDescription> {
    const execution = this.createExecution(input, 'EXPRESS');
    execution.start();
    await execution.done;
    return this.describe(execution);
  }

  stopExecution(executionArn: string, error?: string, cause?: string): { stopDate: Date } {
    const execution = this.execution(executionArn);
    execution.stop(error, cause);
    return { stopDate: execution.stopDate ?? new Date(this.timeline.now()) };
  }

  describeExecution(executionArn: string): ExecutionDescription {
    return this.describe(this.execution(executionArn));
  }

  listExecutions(stateMachineArn: string): ExecutionDescription[] {
    const sm = this.stateMachines.get(stateMachineArn);
    if (!sm) throw new EngineError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    return sm.executions.map((e) => this.describe(e));
  }

  /** https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html */
  describeStateMachineForExecution(executionArn: string): StateMachineForExecution {
    this.execution(executionArn);
    return { ...(this.ranDefinitions.get(executionArn) as StateMachineForExecution) };
  }

  getExecutionHistory(executionArn: string): readonly HistoryEvent[] {
    return this.execution(executionArn).history.events;
  }

  /** Resolves once the execution has ended (in-process helper for tests and the CLI). */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const execution = this.execution(executionArn);
    await execution.done;
    return this.describe(execution);
  }

  /** TestState: runs one state once, outside any execution (runtime/test-state.ts). */
  testState(request: TestStateRequest): Promise<TestStateResponse> {
    return runTestState(request, { region: this.region, accountId: this.accountId, resolver: this.resolver });
  }

  // ------------------------------------------------------------ task tokens

  sendTaskSuccess(taskToken: string, output: string): void {
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch (e) {
      throw new EngineError('InvalidOutput', `Invalid Output: '${(e as Error).message}'`);
    }
    this.waiter(taskToken).succeed(value);
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.waiter(taskToken).fail(error ?? '', cause);
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.waiter(taskToken).heartbeat();
  }

  // ------------------------------------------------------------ internals

  private prepareDefinition(definition: string | object, substitutions?: Substitutions): { text: string; model: StateMachineModel } {
    let text = typeof definition === 'string' ? definition : JSON.stringify(definition);
    if (substitutions) text = applySubstitutions(text, substitutions);
    const model = parseDefinition(text);
    validateIntegrationParameters(model);
    return { text, model };
  }

  // Shared by every execution (one pair of closures per execution would be kept as long as it is).
  private readonly registerToken = (token: string, waiter: TokenWaiter): void => void this.tokens.set(token, waiter);
  private readonly unregisterToken = (token: string): void => void this.tokens.delete(token);

  private createExecution(input: StartExecutionInput, requiredType: StateMachineType): Execution {
    const hash = input.stateMachineArn.indexOf('#');
    const smArn = hash >= 0 ? input.stateMachineArn.slice(0, hash) : input.stateMachineArn;
    const testCase = hash >= 0 ? input.stateMachineArn.slice(hash + 1) : undefined;
    const sm = this.stateMachine(smArn);
    if (requiredType === 'EXPRESS' && sm.type !== 'EXPRESS') {
      throw new EngineError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    }
    if (testCase !== undefined) {
      if (!this.mockConfig) {
        throw new EngineError('ValidationException', `Test case '${testCase}' was requested but no mock configuration is loaded`);
      }
      if (!this.mockConfig.hasTestCase(sm.name, testCase)) {
        throw new EngineError(
          'ValidationException',
          `Test case '${testCase}' is not defined for state machine '${sm.name}' in the mock configuration`,
        );
      }
    }
    const name = input.name ?? randomUUID(); // a generated UUID is always a valid name
    if (input.name !== undefined) checkName(name, 'name');
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:${sm.type === 'EXPRESS' ? 'express' : 'execution'}:${sm.name}:${name}`;
    if (this.executions.has(executionArn)) {
      throw new EngineError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const inputText = input.input ?? '{}';
    let value: unknown;
    try {
      value = JSON.parse(inputText);
    } catch (e) {
      throw new EngineError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
    }
    const execution = new Execution({
      executionArn,
      name,
      stateMachineArn: sm.arn,
      stateMachineName: sm.name,
      roleArn: sm.roleArn,
      model: sm.model,
      inputText,
      input: value,
      timeline: this.timeline,
      region: this.region,
      accountId: this.accountId,
      testCase,
      type: sm.type,
      resolver: this.resolver,
      registerToken: this.registerToken,
      unregisterToken: this.unregisterToken,
    });
    this.executions.set(executionArn, execution);
    sm.executions.push(execution);
    sm.currentRevision ??= Object.freeze({
      stateMachineArn: sm.arn,
      name: sm.name,
      definition: sm.definitionText,
      roleArn: sm.roleArn,
      updateDate: sm.updateDate ?? sm.creationDate,
      revisionId: sm.revisionId,
    });
    this.ranDefinitions.set(executionArn, sm.currentRevision);
    return execution;
  }

  private describe(e: Execution): ExecutionDescription {
    const init = e.init;
    const d: ExecutionDescription = {
      executionArn: init.executionArn,
      stateMachineArn: init.stateMachineArn,
      name: init.name,
      status: e.status,
      startDate: e.startDate,
      input: init.inputText,
    };
    if (e.stopDate) d.stopDate = e.stopDate;
    if (e.output !== undefined) d.output = e.output;
    if (e.error !== undefined) d.error = e.error;
    if (e.cause !== undefined) d.cause = e.cause;
    return d;
  }

  private stateMachine(arn: string): StateMachineRecord {
    const sm = this.stateMachines.get(arn);
    if (!sm) throw new EngineError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return sm;
  }

  private execution(arn: string): Execution {
    const e = this.executions.get(arn);
    if (!e) throw new EngineError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  private waiter(token: string): TokenWaiter {
    const w = this.tokens.get(token);
    if (!w) throw new EngineError('TaskDoesNotExist', 'Task Timed Out or does not exist');
    return w;
  }
}

function checkName(name: string, field: string): void {
  if (!NAME_PATTERN.test(name))
    throw new EngineError(
      'InvalidName',
      `Invalid Name: '${name}' (field ${field}: 1-80 characters, no whitespace, brackets, wildcards or special characters)`,
    );
}
