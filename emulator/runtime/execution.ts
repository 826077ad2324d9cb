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
import { createClock, ExecutionStopSignal, type ClockMode, type ExecutionClock } from './clock';
import { HistoryRecorder, checkedPayloadText, payloadText } from './history';
import { BranchCancelled, StateRun, type ExecutionFacts, type RunScope, type StateOutcome } from './state-run';
import { describeResource, type ResourceDescription, type TaskOutcome, type TaskResolutionChain } from './task-resolution';
import { VariableScope } from './variables';
import { random } from './random';

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
  readonly clock: ClockMode;
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

export interface TokenWaiter {
  readonly executionArn: string;
  succeed(output: unknown): void;
  fail(error: string, cause?: string): void;
  heartbeat(): void;
}

/** Errors raised by a Task's service (not by evaluating the definition): never prefixed. */
const SERVICE_ERRORS = new WeakSet<StatesError>();
/** Errors that already carry AWS's "An error occurred while executing the state" prefix. */
const PREFIXED = new WeakSet<StatesError>();

class ExecutionStopped extends Error {}

/** Shared, immutable `{truncated: false}` (one per event would only feed the garbage collector). */
const NOT_TRUNCATED = Object.freeze({ truncated: false });
/** Event type names per state type, built once rather than concatenated per event (the history keeps them). */
const STATE_TYPES: readonly State['type'][] = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];
const ENTERED_TYPES = Object.fromEntries(STATE_TYPES.map((t) => [t, `${t}StateEntered`])) as Record<State['type'], string>;
const EXITED_TYPES = Object.fromEntries(STATE_TYPES.map((t) => [t, `${t}StateExited`])) as Record<State['type'], string>;
/** Long synchronous runs yield now and then so that other executions and I/O get their turn. */
const SYNC_STATES_PER_YIELD = 2000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One execution. It is also the StateServices its states use: methods on the prototype rather than a
 * services object of closures per execution (each closure costs memory for every execution kept).
 */
export class Execution implements StateServices {
  status: ExecutionStatus = 'RUNNING';
  readonly startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryRecorder;
  readonly done: Promise<void>;
  readonly clock: ExecutionClock;

  private resolveDone!: () => void;
  /** Created on first use (a Wait, a retry, a task token): most executions never need one. */
  private stopSignal?: ExecutionStopSignal;
  private aborted = false;
  private readonly invocationCounters = new Map<string, number>();
  private readonly facts: ExecutionFacts;

  constructor(readonly init: ExecutionInit) {
    this.clock = createClock(init.clock);
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
    let timer: NodeJS.Timeout | undefined;
    if (timeoutSeconds !== undefined && this.clock.mode === 'real') {
      timer = setTimeout(() => this.timeOut(), timeoutSeconds * 1000);
    }
    try {
      const output = await this.runMachine(this.init.model, this.init.input, scope);
      if (this.status !== 'RUNNING') return;
      if (this.virtualTimeoutPassed()) return this.timeOut();
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
      if (err.error === States.Timeout && this.virtualTimeoutPassed()) return this.timeOut();
      this.finish('FAILED', 'ExecutionFailed', 'executionFailedEventDetails', details, Math.max(scope.cursor.prev, lastFailureEvent(e)));
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private virtualTimeoutPassed(): boolean {
    const t = this.init.model.timeoutSeconds;
    return t !== undefined && this.clock.mode === 'virtual' && this.clock.now() - this.startDate.getTime() > t * 1000;
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
    this.stopSignal?.stop();
  }

  private get abortSignal(): ExecutionStopSignal {
    if (this.stopSignal === undefined) {
      this.stopSignal = new ExecutionStopSignal();
      if (this.aborted) this.stopSignal.stop();
    }
    return this.stopSignal;
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
      this.checkVirtualTimeout();
      if (++this.syncStates % SYNC_STATES_PER_YIELD === 0) {
        const [n, v, t] = [name, value, valueText];
        return yieldToEventLoop().then(() => this.continueMachine(model, n, v, t, scope));
      }
    }
  }

  /** Runs one asynchronous state, then carries on (synchronously again where possible). */
  private async continueMachineAsync(model: StateMachineModel, state: State, input: unknown, scope: RunScope): Promise<unknown> {
    const outcome = await this.runState(state, input, scope);
    if (outcome.next === undefined) return outcome.output;
    this.checkVirtualTimeout();
    const last = this.lastOutputText;
    return this.continueMachine(
      model,
      outcome.next,
      outcome.output,
      last !== undefined && last.value === outcome.output ? last.text : undefined,
      scope,
    );
  }

  private checkVirtualTimeout(): void {
    if (this.virtualTimeoutPassed()) {
      this.timeOut();
      throw new ExecutionStopped('timed out');
    }
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
        if (
          err.error === States.QueryEvaluationError &&
          !SERVICE_ERRORS.has(err) &&
          scope.recordEvents &&
          !(e as { evaluationRecorded?: boolean }).evaluationRecorded
        ) {
          const id = this.history.add('EvaluationFailed', enteredPrev, 'evaluationFailedEventDetails', {
            cause: err.cause,
            error: err.error,
            location: locationOf(err),
            state: state.name,
          });
          scope.cursor.prev = id;
          (err as { evaluationRecorded?: boolean }).evaluationRecorded = true;
          failureEvents.set(err, id);
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
    if (SERVICE_ERRORS.has(err) || PREFIXED.has(err) || err instanceof FailStateError) return err;
    if (err.error !== States.Runtime && err.error !== States.QueryEvaluationError) return err;
    const prefixed = new StatesError(
      err.error,
      `An error occurred while executing the state '${run.state.name}' (entered at the event id #${run.enteredEventId}). ${err.cause}`,
    );
    PREFIXED.add(prefixed);
    const loc = locations.get(err);
    if (loc) locations.set(prefixed, loc);
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

  // ------------------------------------------------------------ tasks

  async invokeTask(
    run: StateRun,
    state: TaskState,
    parameters: unknown,
    timeoutSeconds?: number,
    heartbeatSeconds?: number,
  ): Promise<unknown> {
    const d = describeResource(state.resource);
    const scope = run.scope;
    const paramsText = payloadText(parameters, state.name);
    const lambda = d.kind === 'lambdaFunction';
    if (lambda) {
      const details: Record<string, unknown> = { input: paramsText, inputDetails: NOT_TRUNCATED, resource: state.resource };
      if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
      this.record(scope, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', details);
      this.record(scope, 'LambdaFunctionStarted');
    } else {
      const details: Record<string, unknown> = {
        resource: d.resource,
        resourceType: d.resourceType,
        region: d.region ?? this.init.region,
        parameters: paramsText,
      };
      if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
      if (heartbeatSeconds !== undefined) details.heartbeatInSeconds = heartbeatSeconds;
      this.record(scope, 'TaskScheduled', 'taskScheduledEventDetails', details);
      this.record(scope, 'TaskStarted', 'taskStartedEventDetails', taskStartedDetails(d));
    }
    const invocationIndex = this.invocationCounters.get(state.name) ?? 0;
    this.invocationCounters.set(state.name, invocationIndex + 1);
    const request = {
      resource: state.resource,
      parameters,
      stateName: state.name,
      executionArn: this.init.executionArn,
      taskToken: run.taskToken,
      invocationIndex,
      stateMachineName: this.init.stateMachineName,
      testCase: this.init.testCase,
    };
    let outcome: TaskOutcome;
    let submitted = false;
    const mocked = this.init.testCase !== undefined;
    try {
      outcome = await this.withTimeout(this.init.resolver.resolve(request), timeoutSeconds);
      if (outcome.kind === 'return' && d.pattern === 'waitForTaskToken' && run.taskToken !== undefined && !mocked) {
        this.recordSubmitted(scope, d.resource, d.resourceType, outcome.value);
        submitted = true;
        outcome = await this.withTimeout(this.waitForToken(run.taskToken, heartbeatSeconds), timeoutSeconds);
      }
    } catch (e) {
      if (e instanceof ExecutionStopped) throw e;
      if (e instanceof StatesError && !SERVICE_ERRORS.has(e) && e.error !== States.Timeout && e.error !== States.HeartbeatTimeout) throw e;
      const se = toStatesError(e);
      outcome = { kind: 'throw', error: se.error, cause: se.hasCause ? se.cause : undefined };
    }
    this.checkAlive();
    if (outcome.kind === 'return' && !lambda && d.pattern !== 'request-response' && !submitted) {
      this.recordSubmitted(scope, d.resource, d.resourceType, outcome.value);
    }
    if (outcome.kind === 'return') {
      let result = outcome.value;
      if (lambda && mocked && result !== null && typeof result === 'object' && 'Payload' in (result as object)) {
        result = (result as { Payload: unknown }).Payload;
      }
      const outText =
        result === outcome.value && outcome.text !== undefined
          ? checkedPayloadText(outcome.text, state.name)
          : payloadText(result, state.name);
      if (lambda) {
        this.record(scope, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
          output: outText,
          outputDetails: NOT_TRUNCATED,
        });
      } else {
        this.record(scope, 'TaskSucceeded', 'taskSucceededEventDetails', {
          resource: d.resource,
          resourceType: d.resourceType,
          output: outText,
          outputDetails: NOT_TRUNCATED,
        });
      }
      return result;
    }
    const timedOut = outcome.error === States.Timeout || outcome.error === States.HeartbeatTimeout;
    const failure: Record<string, unknown> = {};
    if (!lambda) {
      failure.resource = d.resource;
      failure.resourceType = d.resourceType;
    }
    // A timeout event has no cause unless one was given (the error output still carries "Cause": "").
    if (outcome.cause !== undefined && !(timedOut && outcome.cause === '')) failure.cause = outcome.cause;
    failure.error = outcome.error;
    if (lambda) {
      this.record(
        scope,
        timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
        timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails',
        failure,
      );
    } else {
      this.record(
        scope,
        timedOut ? 'TaskTimedOut' : 'TaskFailed',
        timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails',
        failure,
      );
    }
    const err = new StatesError(outcome.error, outcome.cause);
    SERVICE_ERRORS.add(err);
    throw err;
  }

  /** .sync and .waitForTaskToken: the service call was submitted before the task completes. */
  private recordSubmitted(scope: RunScope, resource: string, resourceType: string, response: unknown): void {
    this.record(scope, 'TaskSubmitted', 'taskSubmittedEventDetails', {
      resource,
      resourceType,
      output: payloadText(response ?? {}, resource),
      outputDetails: NOT_TRUNCATED,
    });
  }

  /** Task TimeoutSeconds applies in real time only; in virtual time a task's work takes no time. */
  private async withTimeout<T>(p: Promise<T>, timeoutSeconds: number | undefined): Promise<T> {
    if (timeoutSeconds === undefined || this.clock.mode !== 'real') return p;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StatesError(States.Timeout)), timeoutSeconds * 1000);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private waitForToken(token: string, heartbeatSeconds: number | undefined): Promise<TaskOutcome> {
    return new Promise<TaskOutcome>((resolve, reject) => {
      let beat: NodeJS.Timeout | undefined;
      const arm = () => {
        if (heartbeatSeconds === undefined || this.clock.mode !== 'real') return;
        clearTimeout(beat);
        beat = setTimeout(() => {
          this.init.unregisterToken(token);
          reject(new StatesError(States.HeartbeatTimeout));
        }, heartbeatSeconds * 1000);
      };
      const done = () => {
        clearTimeout(beat);
        this.init.unregisterToken(token);
        this.abortSignal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(new ExecutionStopped('stopped'));
      };
      this.abortSignal.addEventListener('abort', onAbort, { once: true });
      arm();
      this.init.registerToken(token, {
        executionArn: this.init.executionArn,
        succeed: (output) => {
          done();
          resolve({ kind: 'return', value: output });
        },
        fail: (error, cause) => {
          done();
          resolve({ kind: 'throw', error, cause });
        },
        heartbeat: arm,
      });
    });
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

/** TaskStarted details depend only on the resource: one shared, immutable object per resource. */
const TASK_STARTED_DETAILS = new WeakMap<ResourceDescription, object>();
function taskStartedDetails(d: ResourceDescription): object {
  let details = TASK_STARTED_DETAILS.get(d);
  if (details === undefined) {
    details = Object.freeze({ resource: d.resource, resourceType: d.resourceType });
    TASK_STARTED_DETAILS.set(d, details);
  }
  return details;
}

const locations = new WeakMap<StatesError, string>();
const failureEvents = new WeakMap<object, number>();

function lastFailureEvent(e: unknown): number {
  return e !== null && typeof e === 'object' ? (failureEvents.get(e) ?? 0) : 0;
}

/** AWS's `location` for an EvaluationFailed event: the field named in the message. */
function locationOf(err: StatesError): string {
  const known = locations.get(err);
  if (known) return known;
  const m = /specified for the field '([^']+)'/.exec(err.cause);
  return m ? m[1] : '';
}

export function toStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  const err = e as { message?: string };
  return new StatesError(States.Runtime, err?.message ?? String(e));
}
