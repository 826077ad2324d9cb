/**
 * One execution: the state loop, retry and catch, limits, stop/timeout, and the history it records.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { StatesError, States, errorEqualsMatches, errorOutput } from '../errors';
import { applyResultPath } from '../asl/jsonpath';
import type { Catcher, Retrier, State, StateMachineModel, TaskState } from '../asl/model';
import type { StateServices } from '../asl/states/types';
import { passJsonPath, runPass } from '../asl/states/pass';
import { runTask } from '../asl/states/task';
import { choiceJsonPath, runChoice } from '../asl/states/choice';
import { runWait } from '../asl/states/wait';
import { runSucceed, succeedJsonPath } from '../asl/states/succeed';
import { FailStateError, runFail } from '../asl/states/fail';
import { runParallel } from '../asl/states/parallel';
import { runMap } from '../asl/states/map';
import { ExecutionStopSignal } from './clock';
import { HistoryRecorder, payloadText } from './history';
import { BranchCancelled, ExecutionStopped, StateRun, type ExecutionFacts, type RunScope, type StateOutcome } from './state-run';
import { invokeTask, type TaskHost, type TokenWaiter } from './task-invocation';
import type { TaskResolutionChain } from './task-resolution';
import type { Timeline } from './timeline';
import { VariableScope } from './variables';
import { random } from './random';

export type { TokenWaiter } from './task-invocation';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionInit {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly model: StateMachineModel;
  readonly inputText: string;
  readonly input: unknown;
  /** The engine's one time line: every execution reads and waits on it. */
  readonly timeline: Timeline;
  readonly region: string;
  readonly accountId: string;
  readonly testCase?: string;
  /** EXPRESS executions have no 25,000-event history quota. */
  readonly type?: 'STANDARD' | 'EXPRESS';
  readonly resolver: TaskResolutionChain;
  /** Called when a `.waitForTaskToken` Task waits, so the engine can route SendTask* calls. */
  readonly registerToken: (token: string, waiter: TokenWaiter) => void;
  readonly unregisterToken: (token: string) => void;
}

/** Shared, immutable `{truncated: false}` (one per event would only feed the garbage collector). */
const NOT_TRUNCATED = Object.freeze({ truncated: false });
/** Event type names per state type, built once rather than concatenated per event (the history keeps them). */
const STATE_TYPES: readonly State['type'][] = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];
const ENTERED_TYPES = Object.fromEntries(STATE_TYPES.map((t) => [t, `${t}StateEntered`])) as Record<State['type'], string>;
const EXITED_TYPES = Object.fromEntries(STATE_TYPES.map((t) => [t, `${t}StateExited`])) as Record<State['type'], string>;
/** Long synchronous runs yield now and then so that other executions and I/O get their turn. */
const SYNC_STATES_PER_YIELD = 2000;
/** A yield holds the time line: the execution can still make progress, so simulated time must not move. */
const yieldToEventLoop = (timeline: Timeline) =>
  new Promise<void>((resolve) => {
    const release = timeline.hold();
    setImmediate(() => {
      release();
      resolve();
    });
  });

/**
 * One execution. It is also the StateServices its states use: methods on the prototype rather than a
 * services object of closures per execution (each closure costs memory for every execution kept).
 */
export class Execution implements StateServices, TaskHost {
  status: ExecutionStatus = 'RUNNING';
  readonly startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryRecorder;
  readonly done: Promise<void>;
  readonly clock: Timeline;

  private resolveDone!: () => void;
  /** Created on first use (a Wait, a retry, a task token): most executions never need one. */
  private stopper?: ExecutionStopSignal;
  private aborted = false;
  private readonly invocationCounters = new Map<string, number>();
  private readonly facts: ExecutionFacts;

  constructor(readonly init: ExecutionInit) {
    this.clock = init.timeline;
    this.startDate = new Date(this.clock.now());
    this.history = new HistoryRecorder(this.clock, init.type === 'EXPRESS' ? Number.POSITIVE_INFINITY : undefined);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.facts = {
      executionArn: init.executionArn,
      executionName: init.name,
      stateMachineArn: init.stateMachineArn,
      stateMachineName: init.stateMachineName,
      roleArn: init.roleArn,
      input: init.input,
      startTimeIso: this.startDate.toISOString(),
      clock: this.clock,
    };
  }

  get executionArn(): string {
    return this.init.executionArn;
  }

  /** Records ExecutionStarted and runs to the end in the background (see `done`). */
  start(): void {
    this.history.add('ExecutionStarted', 0, 'executionStartedEventDetails', {
      input: this.init.inputText,
      inputDetails: NOT_TRUNCATED,
      roleArn: this.init.roleArn,
    });
    void this.run();
  }

  /** StopExecution: ends a running execution as ABORTED. */
  stop(error?: string, cause?: string): boolean {
    if (this.status !== 'RUNNING') return false;
    const details: Record<string, unknown> = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.finish('ABORTED', 'ExecutionAborted', 'executionAbortedEventDetails', details, this.history.lastId);
    this.error = error;
    this.cause = cause;
    this.abortRun();
    return true;
  }

  private async run(): Promise<void> {
    const scope: RunScope = { variables: new VariableScope(), cursor: { prev: 0 }, recordEvents: true };
    const timeoutSeconds = this.init.model.timeoutSeconds;
    // TimeoutSeconds: a timer on the time line racing the whole execution.
    const timer = timeoutSeconds !== undefined ? new ExecutionStopSignal() : undefined;
    if (timer) void this.clock.sleep(timeoutSeconds! * 1000, timer).then((elapsed) => elapsed && this.timeOut());
    try {
      const output = await this.runMachine(this.init.model, this.init.input, scope);
      if (this.status !== 'RUNNING') return;
      const last = this.lastOutputText;
      const text = last !== undefined && last.value === output ? last.text : payloadText(output, this.lastStateName);
      this.output = text;
      this.finish(
        'SUCCEEDED',
        'ExecutionSucceeded',
        'executionSucceededEventDetails',
        {
          output: text,
          outputDetails: NOT_TRUNCATED,
        },
        scope.cursor.prev,
      );
    } catch (e) {
      if (this.status !== 'RUNNING') return;
      if (e instanceof ExecutionStopped) return;
      const err = toStatesError(e);
      const details: Record<string, unknown> = {};
      if (!(err instanceof FailStateError) || err.hasError) details.error = err.error;
      const silentTimeout = err.error === States.Timeout && err.cause === '';
      if (err.hasCause && !silentTimeout) details.cause = err.cause;
      this.error = details.error as string | undefined;
      this.cause = 'cause' in details ? err.cause : undefined;
      this.finish('FAILED', 'ExecutionFailed', 'executionFailedEventDetails', details, Math.max(scope.cursor.prev, err.recordedAt ?? 0));
    } finally {
      timer?.stop();
    }
  }

  private timeOut(): void {
    if (this.status !== 'RUNNING') return;
    this.error = States.Timeout;
    this.finish('TIMED_OUT', 'ExecutionTimedOut', 'executionTimedOutEventDetails', { error: States.Timeout }, this.history.lastId);
    this.abortRun();
  }

  private finish(status: ExecutionStatus, type: string, key: string, details: object, prev: number): void {
    this.status = status;
    this.lastOutputText = undefined; // an ended execution keeps only its history and result text
    this.history.add(type, prev, key, details, true);
    this.stopDate = new Date(this.clock.now());
    this.resolveDone();
  }

  private abortRun(): void {
    this.aborted = true;
    this.stopper?.stop();
  }

  get stopSignal(): ExecutionStopSignal {
    return this.abortSignal;
  }

  private get abortSignal(): ExecutionStopSignal {
    if (this.stopper === undefined) {
      this.stopper = new ExecutionStopSignal();
      if (this.aborted) this.stopper.stop();
    }
    return this.stopper;
  }

  checkAlive(): void {
    if (this.status !== 'RUNNING' || this.aborted) throw new ExecutionStopped('execution stopped');
  }

  // ------------------------------------------------------------ the state loop

  async runMachine(model: StateMachineModel, input: unknown, scope: RunScope): Promise<unknown> {
    return this.runMachineMaybeSync(model, input, scope);
  }

  /**
   * Runs a machine (or branch/iteration) from StartAt. While states can run synchronously it stays
   * synchronous and returns the output itself; at the first asynchronous state it returns a promise.
   */
  runMachineMaybeSync(model: StateMachineModel, input: unknown, scope: RunScope): unknown | Promise<unknown> {
    return this.continueMachine(model, model.startAt, input, undefined, scope);
  }

  private continueMachine(
    model: StateMachineModel,
    startName: string,
    input: unknown,
    inputText: string | undefined,
    scope: RunScope,
  ): unknown | Promise<unknown> {
    let name = startName;
    let value = input;
    // The JSON text of `value` when known (a state's output text is the next state's input text).
    let valueText = inputText;
    for (;;) {
      this.checkAlive();
      if (scope.cancellation?.cancelled) throw new BranchCancelled();
      const state = model.states.get(name);
      if (!state) throw new StatesError(States.Runtime, `State '${name}' does not exist`);
      const outcome = this.runStateSync(state, value, valueText, scope);
      if (outcome === undefined) return this.continueMachineAsync(model, state, value, scope);
      if (outcome.next === undefined) return outcome.output;
      name = outcome.next;
      value = outcome.output;
      const last = this.lastOutputText;
      valueText = last !== undefined && last.value === value ? last.text : undefined;
      if (++this.syncStates % SYNC_STATES_PER_YIELD === 0) {
        const [n, v, t] = [name, value, valueText];
        return yieldToEventLoop(this.clock).then(() => this.continueMachine(model, n, v, t, scope));
      }
    }
  }

  /** Runs one asynchronous state, then carries on (synchronously again where possible). */
  private async continueMachineAsync(model: StateMachineModel, state: State, input: unknown, scope: RunScope): Promise<unknown> {
    const outcome = await this.runState(state, input, scope);
    if (outcome.next === undefined) return outcome.output;
    const last = this.lastOutputText;
    return this.continueMachine(
      model,
      outcome.next,
      outcome.output,
      last !== undefined && last.value === outcome.output ? last.text : undefined,
      scope,
    );
  }

  private lastOutputText?: { value: unknown; text: string };
  private lastStateName = '';
  private syncStates = 0;

  /**
   * JSONPath Pass, Choice and Succeed need no promise: they run synchronously, which keeps long
   * loops fast. They have no Retry or Catch, so an error simply propagates. undefined = not handled.
   */
  private runStateSync(state: State, input: unknown, inputText: string | undefined, scope: RunScope): StateOutcome | undefined {
    if (state.queryLanguage !== 'JSONPath' || (state.type !== 'Pass' && state.type !== 'Choice' && state.type !== 'Succeed'))
      return undefined;
    const text = inputText ?? payloadText(input, state.name);
    const enteredId = this.recordStateEvent(scope, ENTERED_TYPES[state.type], true, state.name, text);
    const run = new StateRun(state, input, this.facts, scope, enteredId);
    run.inputText = text;
    let outcome: StateOutcome;
    try {
      outcome =
        state.type === 'Pass'
          ? passJsonPath(run, state)
          : state.type === 'Choice'
            ? choiceJsonPath(run, state)
            : succeedJsonPath(run, state);
    } catch (e) {
      throw this.describeFailure(toStatesError(e), run);
    }
    return this.exitState(run, outcome);
  }

  private async runState(state: State, input: unknown, scope: RunScope): Promise<StateOutcome> {
    const enteredPrev = scope.cursor.prev;
    const inputText = payloadText(input, state.name);
    const enteredId = this.recordStateEvent(scope, ENTERED_TYPES[state.type], true, state.name, inputText);
    const run = new StateRun(state, input, this.facts, scope, enteredId);
    run.inputText = inputText;
    let outcome: StateOutcome;
    try {
      outcome = await this.runWithRetry(run);
    } catch (e) {
      if (e instanceof ExecutionStopped || e instanceof BranchCancelled || this.status !== 'RUNNING') throw e;
      const err = this.describeFailure(toStatesError(e), run);
      const catcher = 'catch' in state ? state.catch.find((c) => errorEqualsMatches(c.errorEquals, err.error)) : undefined;
      const recordContainerFailure = () => {
        if ((state.type === 'Map' || state.type === 'Parallel') && err.error !== States.Runtime) {
          this.record(scope, `${state.type}StateFailed`);
        }
      };
      if (catcher) recordContainerFailure();
      if (!catcher) {
        if (err.error === States.QueryEvaluationError && !err.fromService && scope.recordEvents && err.recordedAt === undefined) {
          const id = this.history.add('EvaluationFailed', enteredPrev, 'evaluationFailedEventDetails', {
            cause: err.cause,
            error: err.error,
            location: locationOf(err),
            state: state.name,
          });
          scope.cursor.prev = id;
          err.recordedAt = id;
        }
        recordContainerFailure();
        throw err;
      }
      outcome = await this.applyCatcher(run, catcher, err);
    }
    return this.exitState(run, outcome);
  }

  private exitState(run: StateRun, outcome: StateOutcome): StateOutcome {
    const state = run.state;
    // Choice, Succeed and many Pass states hand their input on unchanged: reuse its text.
    const text = outcome.output === run.rawInput && run.inputText !== undefined ? run.inputText : payloadText(outcome.output, state.name);
    this.lastStateName = state.name;
    this.lastOutputText = { value: outcome.output, text };
    if (!outcome.assigned || outcome.assigned.size === 0) {
      if (state.type !== 'Fail') this.recordStateEvent(run.scope, EXITED_TYPES[state.type], false, state.name, text);
      return outcome;
    }
    const assigned: Record<string, string> = {};
    for (const [k, v] of outcome.assigned) {
      assigned[k] = JSON.stringify(v);
      run.scope.variables.set(k, v);
    }
    const details = {
      name: state.name,
      output: text,
      outputDetails: NOT_TRUNCATED,
      assignedVariables: assigned,
      assignedVariablesDetails: NOT_TRUNCATED,
    };
    if (state.type !== 'Fail') this.record(run.scope, EXITED_TYPES[state.type], 'stateExitedEventDetails', details);
    return outcome;
  }

  private async runWithRetry(run: StateRun): Promise<StateOutcome> {
    const state = run.state;
    const retriers: readonly Retrier[] = 'retry' in state ? state.retry : [];
    const attempts = retriers.length > 0 ? new Array<number>(retriers.length).fill(0) : undefined;
    for (;;) {
      try {
        return await this.dispatch(run);
      } catch (e) {
        if (!attempts || e instanceof ExecutionStopped || e instanceof BranchCancelled) throw e;
        const err = toStatesError(e);
        if (err.error === States.Runtime || err.error === States.DataLimitExceeded) throw e;
        const i = retriers.findIndex((r) => errorEqualsMatches(r.errorEquals, err.error));
        if (i < 0) throw e;
        const r = retriers[i];
        if (attempts[i] >= r.maxAttempts) throw e;
        let delay = r.intervalSeconds * Math.pow(r.backoffRate, attempts[i]);
        if (r.maxDelaySeconds !== undefined) delay = Math.min(delay, r.maxDelaySeconds);
        if (r.jitterStrategy === 'FULL') delay = random() * delay;
        attempts[i]++;
        run.retryCount++;
        await this.sleep(delay * 1000);
      }
    }
  }

  private dispatch(run: StateRun): Promise<StateOutcome> {
    const s = run.state;
    switch (s.type) {
      case 'Pass':
        return runPass(run, s, this);
      case 'Task':
        return runTask(run, s, this);
      case 'Choice':
        return runChoice(run, s, this);
      case 'Wait':
        return runWait(run, s, this);
      case 'Succeed':
        return runSucceed(run, s, this);
      case 'Fail':
        return runFail(run, s, this);
      case 'Parallel':
        return runParallel(run, s, this);
      case 'Map':
        return runMap(run, s, this);
    }
  }

  /** Catch: error output through ResultPath (JSONPath) or Output (JSONata), Assign, then Next. */
  private async applyCatcher(run: StateRun, catcher: Catcher, err: StatesError): Promise<StateOutcome> {
    const errOut = errorOutput(err);
    if (run.state.queryLanguage === 'JSONata') {
      const { output, assigned } = await run.finishJsonata(errOut, { errorOutput: errOut }, catcher.assign, {
        value: catcher.output,
        given: catcher.output !== undefined,
      });
      return { output, next: catcher.next, assigned };
    }
    const assigned = catcher.assign ? run.assignJsonPath(catcher.assign, errOut) : undefined;
    const output = applyResultPath(run.rawInput, catcher.resultPath, errOut);
    return { output, next: catcher.next, assigned };
  }

  /** Evaluation errors get AWS's "An error occurred while executing the state ..." prefix. */
  private describeFailure(err: StatesError, run: StateRun): StatesError {
    if (err.fromService || err.prefixed || err instanceof FailStateError) return err;
    if (err.error !== States.Runtime && err.error !== States.QueryEvaluationError) return err;
    const prefixed = new StatesError(
      err.error,
      `An error occurred while executing the state '${run.state.name}' (entered at the event id #${run.enteredEventId}). ${err.cause}`,
    );
    prefixed.prefixed = true;
    prefixed.location = err.location;
    return prefixed;
  }

  // ------------------------------------------------------------ events

  record(scope: RunScope, type: string, detailsKey?: string, details?: object): number {
    if (!scope.recordEvents) return 0;
    return this.history.addAt(scope.cursor, type, detailsKey, details);
  }

  private recordStateEvent(scope: RunScope, type: string, entered: boolean, stateName: string, text: string): number {
    if (!scope.recordEvents) return 0;
    return this.history.addStateEvent(scope.cursor, type, entered, stateName, text);
  }

  async sleep(ms: number): Promise<void> {
    const completed = await this.clock.sleep(ms, this.abortSignal);
    if (!completed) throw new ExecutionStopped('stopped while waiting');
    this.checkAlive();
  }

  // ------------------------------------------------------------ tasks (runtime/task-invocation.ts)

  invokeTask(run: StateRun, state: TaskState, parameters: unknown, timeoutSeconds?: number, heartbeatSeconds?: number): Promise<unknown> {
    return invokeTask(this, run, state, parameters, timeoutSeconds, heartbeatSeconds);
  }

  nextInvocationIndex(stateName: string): number {
    const i = this.invocationCounters.get(stateName) ?? 0;
    this.invocationCounters.set(stateName, i + 1);
    return i;
  }

  get stateMachineName(): string {
    return this.init.stateMachineName;
  }

  get testCase(): string | undefined {
    return this.init.testCase;
  }

  get resolver(): TaskResolutionChain {
    return this.init.resolver;
  }

  get timeline(): Timeline {
    return this.clock;
  }

  registerToken(token: string, waiter: TokenWaiter): void {
    this.init.registerToken(token, waiter);
  }

  unregisterToken(token: string): void {
    this.init.unregisterToken(token);
  }

  recordLinked(scope: RunScope, type: string, previousEventId: number, moveCursor: boolean, detailsKey?: string, details?: object): number {
    if (!scope.recordEvents) return 0;
    const id = this.history.add(type, previousEventId, detailsKey, details);
    if (moveCursor) scope.cursor.prev = id;
    return id;
  }

  lastEventId(): number {
    return this.history.lastId;
  }

  childScope(parent: RunScope, cursorAt: number, recordEvents = parent.recordEvents, cancellation = parent.cancellation): RunScope {
    return { variables: new VariableScope(parent.variables), cursor: { prev: cursorAt }, recordEvents, cancellation };
  }

  get region(): string {
    return this.init.region;
  }

  get accountId(): string {
    return this.init.accountId;
  }
}

/** AWS's `location` for an EvaluationFailed event: the field named in the message. */
function locationOf(err: StatesError): string {
  if (err.location) return err.location;
  const m = /specified for the field '([^']+)'/.exec(err.cause);
  return m ? m[1] : '';
}

export function toStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  const err = e as { message?: string };
  return new StatesError(States.Runtime, err?.message ?? String(e));
}
