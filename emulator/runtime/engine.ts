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
import { MapRun, type ChildExecutionRequest, type MapRunCounts, type MapRunHost, type MapRunStatus } from './map-run';
import { runTestState, type TestStateRequest, type TestStateResponse } from './test-state';
import { DEFAULT_RETENTION, Fifo, SeqList, type RetentionOptions } from './execution-index';
import { isValidName } from '../api/names';
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
  /** How many closed executions are kept, and how long (runtime/execution-index.ts). */
  retention?: RetentionOptions;
}

/** Totals over every execution that closed, kept when retention releases the executions themselves. */
export interface ClosedExecutionStatistics {
  executions: number;
  historyEvents: number;
  statesEntered: number;
  /** The longest history of a closed execution (the 25,000-event quota is per execution). */
  largestHistory?: { executionArn: string; events: number };
}

export interface ListExecutionsPageInput {
  statusFilter?: ExecutionStatus;
  /** Page size (default 100). */
  maxResults?: number;
  /** The `nextToken` of the previous page. */
  nextToken?: string;
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
  /** Child executions of a Distributed Map: the Map Run and its label. */
  mapRunArn?: string;
  label?: string;
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
  /** Child executions of a Distributed Map: the Map Run that started them. */
  mapRunArn?: string;
}

export interface MapRunDescription {
  mapRunArn: string;
  executionArn: string;
  status: MapRunStatus;
  startDate: Date;
  stopDate?: Date;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
  redriveCount: number;
}

export interface MapRunListItem {
  executionArn: string;
  mapRunArn: string;
  stateMachineArn: string;
  startDate: Date;
  stopDate?: Date;
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
  /** This state machine's executions, by start order, and the same per status. */
  executions: SeqList<ExecutionEntry>;
  executionsByStatus: Map<ExecutionStatus, SeqList<ExecutionEntry>>;
  /** What DescribeStateMachineForExecution answers for executions started now; shared by them, reset on update. */
  currentRevision?: StateMachineForExecution;
}

/** An execution as the engine records it: its start sequence number orders listings and pages. */
interface ExecutionEntry {
  readonly execution: Execution;
  readonly seq: number;
  /** The state machine it is listed under; none for a Map Run's child (listed by its Map Run). */
  readonly sm?: StateMachineRecord;
  /** Date.now() when it closed. */
  closedAt?: number;
  /** A Map Run's child: its slot in the run (the run lists it until it is released). */
  readonly mapRunSlot?: number;
}

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
  private readonly executions = new Map<string, ExecutionEntry>();
  /** Closed executions in the order they closed: the oldest is released first. */
  private readonly closed = new Fifo<ExecutionEntry>();
  private readonly retention: Required<RetentionOptions>;
  private readonly closedStats: ClosedExecutionStatistics = { executions: 0, historyEvents: 0, statesEntered: 0 };
  private executionSeq = 0;
  private readonly tokens = new Map<string, TokenWaiter>();
  /** Per execution, the definition it started with (an UpdateStateMachine later does not change it). */
  private readonly ranDefinitions = new Map<string, StateMachineForExecution>();
  /** Distributed Map runs by ARN, and per parent execution. */
  private readonly mapRuns = new Map<string, MapRun>();
  private readonly mapRunsByExecution = new Map<string, MapRun[]>();

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
    this.retention = {
      maxClosedExecutions: options.retention?.maxClosedExecutions ?? DEFAULT_RETENTION.maxClosedExecutions,
      closedExecutionTtlMs: options.retention?.closedExecutionTtlMs ?? DEFAULT_RETENTION.closedExecutionTtlMs,
    };
    for (const [k, v] of Object.entries(this.retention)) {
      if (!(typeof v === 'number' && v >= 0))
        throw new EngineError('ValidationException', `retention.${k} must be a number >= 0, got ${v}`);
    }
  }

  /** Totals over the executions closed so far (released ones included). */
  get closedExecutionStatistics(): Readonly<ClosedExecutionStatistics> {
    return { ...this.closedStats };
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
      executions: new SeqList(),
      executionsByStatus: new Map(),
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

  /**
   * Starting a STANDARD execution under the name of one still running, with the same input, answers
   * that execution (AWS: idempotent); with another input, or when that execution has closed,
   * ExecutionAlreadyExists. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
   */
  startExecution(input: StartExecutionInput): { executionArn: string; startDate: Date } {
    const { execution, existing } = this.createExecution(input, 'STANDARD');
    if (!existing) execution.start();
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  }

  /** EXPRESS only: runs to the end and answers with the result. */
  async startSyncExecution(input: StartExecutionInput): Promise<ExecutionDescription> {
    const { execution } = this.createExecution(input, 'EXPRESS');
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

  /** Every retained execution of a state machine, oldest first. */
  listExecutions(stateMachineArn: string): ExecutionDescription[] {
    return this.stateMachine(stateMachineArn)
      .executions.values()
      .map((e) => this.describe(e.execution));
  }

  /**
   * One ListExecutions page, newest first (by start), costing the page's size whatever the number of
   * executions. The token names the last execution returned, so pages stay consistent while
   * executions start and are released.
   */
  listExecutionsPage(
    stateMachineArn: string,
    input: ListExecutionsPageInput = {},
  ): { executions: ExecutionDescription[]; nextToken?: string } {
    const sm = this.stateMachine(stateMachineArn);
    this.releaseExpired();
    let before: number | undefined;
    if (input.nextToken !== undefined) {
      before = Number(input.nextToken);
      if (!Number.isSafeInteger(before) || before < 0) throw new EngineError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    }
    const list = input.statusFilter === undefined ? sm.executions : sm.executionsByStatus.get(input.statusFilter);
    if (list === undefined) return { executions: [] };
    const { items, lastSeq, more } = list.pageDescending(before, input.maxResults ?? 100);
    return {
      executions: items.map((e) => this.describe(e.execution)),
      nextToken: more && lastSeq !== undefined ? String(lastSeq) : undefined,
    };
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

  // ------------------------------------------------------------ Distributed Map runs
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html

  describeMapRun(mapRunArn: string): MapRunDescription {
    const run = this.mapRun(mapRunArn);
    const d: MapRunDescription = {
      mapRunArn: run.arn,
      executionArn: run.executionArn,
      status: run.status,
      startDate: run.startDate,
      maxConcurrency: run.maxConcurrency,
      toleratedFailurePercentage: run.toleratedFailurePercentage ?? 0,
      toleratedFailureCount: run.toleratedFailureCount ?? 0,
      itemCounts: run.counts('item'),
      executionCounts: run.counts('execution'),
      redriveCount: 0,
    };
    if (run.stopDate) d.stopDate = run.stopDate;
    return d;
  }

  /** The Map Runs an execution started, oldest first. */
  listMapRuns(executionArn: string): MapRunListItem[] {
    this.execution(executionArn);
    return (this.mapRunsByExecution.get(executionArn) ?? []).map((r) => ({
      executionArn: r.executionArn,
      mapRunArn: r.arn,
      stateMachineArn: r.stateMachineArn,
      startDate: r.startDate,
      stopDate: r.stopDate,
    }));
  }

  /** UpdateMapRun: MaxConcurrency and the failure tolerance of a running Map Run. */
  updateMapRun(
    mapRunArn: string,
    changes: { maxConcurrency?: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number },
  ): void {
    this.mapRun(mapRunArn).update(changes);
  }

  /** ListExecutions with mapRunArn: the Map Run's child executions with how many items each processed. */
  listMapRunExecutions(mapRunArn: string): (ExecutionDescription & { itemCount: number })[] {
    const run = this.mapRun(mapRunArn);
    const list: (ExecutionDescription & { itemCount: number })[] = [];
    for (const { arn, slot } of run.childExecutionArns()) {
      const entry = this.executions.get(arn);
      if (entry) list.push({ ...this.describe(entry.execution), itemCount: run.itemCounts[slot] });
    }
    return list;
  }

  private mapRun(arn: string): MapRun {
    const run = this.mapRuns.get(arn);
    if (!run) throw new EngineError('ResourceNotFound', `Map Run Does Not Exist: '${arn}'`);
    return run;
  }

  /** How Map Runs start children: executions of this engine, registered like any other. */
  private readonly mapRunHost: MapRunHost = {
    registerMapRun: (run: MapRun) => {
      this.mapRuns.set(run.arn, run);
      const list = this.mapRunsByExecution.get(run.executionArn);
      if (list) list.push(run);
      else this.mapRunsByExecution.set(run.executionArn, [run]);
    },
    startChildExecution: (request: ChildExecutionRequest) => {
      const parent = request.parent;
      const execution = new Execution({
        executionArn: request.executionArn,
        name: request.name,
        stateMachineArn: request.stateMachineArn,
        stateMachineName: request.stateMachineName,
        roleArn: parent.init.roleArn,
        model: request.model,
        inputText: request.inputText,
        input: request.input,
        timeline: this.timeline,
        region: this.region,
        accountId: this.accountId,
        testCase: parent.init.testCase,
        type: request.type,
        resolver: this.resolver,
        registerToken: this.registerToken,
        unregisterToken: this.unregisterToken,
        mapRunHost: this.mapRunHost,
        mapRunArn: request.mapRunArn,
        mockStateMachineName: parent.init.mockStateMachineName ?? parent.init.stateMachineName,
        invocationCounters: parent.invocationCounters,
      });
      const entry: ExecutionEntry = { execution, seq: ++this.executionSeq, mapRunSlot: request.slot };
      this.executions.set(request.executionArn, entry);
      void execution.done.then(() => this.closedExecution(entry));
      const label = request.stateMachineName.slice(request.stateMachineName.lastIndexOf('/') + 1);
      this.ranDefinitions.set(request.executionArn, {
        ...(this.ranDefinitions.get(parent.executionArn) as StateMachineForExecution),
        stateMachineArn: request.stateMachineArn,
        name: request.stateMachineName,
        mapRunArn: request.mapRunArn,
        label,
      });
      execution.start();
      return execution;
    },
  };

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

  private createExecution(input: StartExecutionInput, requiredType: StateMachineType): { execution: Execution; existing: boolean } {
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
    // EXPRESS executions may share a name (AWS manages no idempotency for them:
    // https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html); their
    // ARN carries an id of its own after the name.
    const executionArn =
      sm.type === 'EXPRESS'
        ? `arn:aws:states:${this.region}:${this.accountId}:express:${sm.name}:${name}:${randomUUID()}`
        : `arn:aws:states:${this.region}:${this.accountId}:execution:${sm.name}:${name}`;
    const inputText = input.input ?? '{}';
    const existing = this.executions.get(executionArn);
    if (existing) {
      const e = existing.execution;
      if (e.status === 'RUNNING' && e.init.inputText === inputText) return { execution: e, existing: true };
      throw new EngineError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
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
      mapRunHost: this.mapRunHost,
    });
    const entry: ExecutionEntry = { execution, seq: ++this.executionSeq, sm };
    this.executions.set(executionArn, entry);
    sm.executions.add(entry.seq, entry);
    this.statusList(sm, 'RUNNING').add(entry.seq, entry);
    void execution.done.then(() => this.closedExecution(entry));
    sm.currentRevision ??= Object.freeze({
      stateMachineArn: sm.arn,
      name: sm.name,
      definition: sm.definitionText,
      roleArn: sm.roleArn,
      updateDate: sm.updateDate ?? sm.creationDate,
      revisionId: sm.revisionId,
    });
    this.ranDefinitions.set(executionArn, sm.currentRevision);
    return { execution, existing: false };
  }

  private statusList(sm: StateMachineRecord, status: ExecutionStatus): SeqList<ExecutionEntry> {
    let list = sm.executionsByStatus.get(status);
    if (list === undefined) sm.executionsByStatus.set(status, (list = new SeqList()));
    return list;
  }

  /** An execution closed: list it under its final status, then release what retention no longer keeps. */
  private closedExecution(entry: ExecutionEntry): void {
    const sm = entry.sm;
    if (sm) {
      sm.executionsByStatus.get('RUNNING')?.remove(entry.seq);
      this.statusList(sm, entry.execution.status).add(entry.seq, entry);
    }
    entry.closedAt = Date.now();
    const history = entry.execution.history;
    const stats = this.closedStats;
    stats.executions++;
    stats.historyEvents += history.lastId;
    stats.statesEntered += history.statesEntered;
    if (stats.largestHistory === undefined || history.lastId > stats.largestHistory.events) {
      stats.largestHistory = { executionArn: entry.execution.executionArn, events: history.lastId };
    }
    this.closed.push(entry);
    while (this.closed.size > this.retention.maxClosedExecutions) this.release(this.closed.shift()!);
    this.releaseExpired();
  }

  private releaseExpired(): void {
    const oldest = Date.now() - this.retention.closedExecutionTtlMs;
    for (let e = this.closed.peek(); e !== undefined && e.closedAt! < oldest; e = this.closed.peek()) this.release(this.closed.shift()!);
  }

  private release(entry: ExecutionEntry): void {
    const arn = entry.execution.executionArn;
    if (this.executions.get(arn) === entry) {
      this.executions.delete(arn);
      this.ranDefinitions.delete(arn);
      // Its Map Runs go with it (their children are released as any closed execution).
      for (const run of this.mapRunsByExecution.get(arn) ?? []) this.mapRuns.delete(run.arn);
      this.mapRunsByExecution.delete(arn);
      const mapRunArn = entry.execution.init.mapRunArn;
      if (mapRunArn !== undefined) this.mapRuns.get(mapRunArn)?.childReleased(entry.mapRunSlot!, arn);
    }
    entry.sm?.executions.remove(entry.seq);
    entry.sm?.executionsByStatus.get(entry.execution.status)?.remove(entry.seq);
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
    if (init.mapRunArn !== undefined) d.mapRunArn = init.mapRunArn;
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
    return e.execution;
  }

  private waiter(token: string): TokenWaiter {
    const w = this.tokens.get(token);
    if (!w) throw new EngineError('TaskDoesNotExist', 'Task Timed Out or does not exist');
    return w;
  }
}

function checkName(name: string, field: string): void {
  if (!isValidName(name))
    throw new EngineError(
      'InvalidName',
      `Invalid Name: '${name}' (field ${field}: 1-80 characters, no whitespace, brackets, wildcards or special characters)`,
    );
}
