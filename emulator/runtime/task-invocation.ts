/**
 * One Task invocation inside an execution: the Task/LambdaFunction events, asking the resolution
 * chain, `.waitForTaskToken` waits, `.sync` submissions, and TimeoutSeconds/HeartbeatSeconds as timers
 * on the engine's time line racing the work.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
 */
import { StatesError, States } from '../errors';
import type { TaskState } from '../asl/model';
import { compileTemplate, evaluateTemplate } from '../asl/jsonpath';
import { evaluateJsonataValue } from '../asl/jsonata';
import { ExecutionStopSignal, type StopSignal } from './clock';
import { checkedPayloadText, payloadText } from './history';
import { ExecutionStopped, type RunScope, type StateRun } from './state-run';
import {
  describeResource,
  type ResolutionRequest,
  type ResourceDescription,
  type TaskOutcome,
  type TaskResolutionChain,
} from './task-resolution';
import type { Timeline } from './timeline';

/** What a Task invocation needs of the execution running it. */
export interface TaskHost {
  readonly executionArn: string;
  readonly stateMachineName: string;
  readonly region: string;
  readonly testCase?: string;
  readonly resolver: TaskResolutionChain;
  readonly timeline: Timeline;
  /** Aborts when the execution ends (stopped, timed out). */
  readonly stopSignal: StopSignal;
  record(scope: RunScope, type: string, detailsKey?: string, details?: object): number;
  checkAlive(): void;
  /** 0 for a state's first invocation in this execution, then 1, 2, … (mock configurations count them). */
  nextInvocationIndex(stateName: string): number;
  /** Routes SendTaskSuccess/Failure/Heartbeat for a task token to the waiting task. */
  registerToken(token: string, waiter: TokenWaiter): void;
  unregisterToken(token: string): void;
}

export interface TokenWaiter {
  readonly executionArn: string;
  succeed(output: unknown): void;
  fail(error: string, cause?: string): void;
  heartbeat(): void;
}

/** Shared, immutable `{truncated: false}`. */
const NOT_TRUNCATED = Object.freeze({ truncated: false });

export async function invokeTask(
  host: TaskHost,
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
    host.record(scope, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', details);
    host.record(scope, 'LambdaFunctionStarted');
  } else {
    const details: Record<string, unknown> = {
      resource: d.resource,
      resourceType: d.resourceType,
      region: d.region ?? host.region,
      parameters: paramsText,
    };
    if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) details.heartbeatInSeconds = heartbeatSeconds;
    host.record(scope, 'TaskScheduled', 'taskScheduledEventDetails', details);
    host.record(scope, 'TaskStarted', 'taskStartedEventDetails', taskStartedDetails(d));
  }
  let submitted = false;
  const submit = (response: unknown): void => {
    if (submitted || host.stopSignal.aborted) return;
    submitted = true;
    recordSubmitted(host, scope, d, response);
  };
  const request: ResolutionRequest = {
    resource: state.resource,
    parameters,
    stateName: state.name,
    executionArn: host.executionArn,
    taskToken: run.taskToken,
    invocationIndex: host.nextInvocationIndex(state.name),
    stateMachineName: host.stateMachineName,
    testCase: host.testCase,
    credentials: state.credentials === undefined ? undefined : await taskCredentials(run, state),
    onSubmitted: submit,
    stopSignal: host.stopSignal,
  };
  const deadline = new Deadline(host.timeline, timeoutSeconds);
  let outcome: TaskOutcome;
  try {
    outcome = await deadline.race(host.resolver.resolve(request));
    if (outcome.kind === 'return' && d.pattern === 'waitForTaskToken' && run.taskToken !== undefined && !outcome.final) {
      submit(outcome.value);
      outcome = await deadline.race(waitForToken(host, run.taskToken, heartbeatSeconds));
    }
  } catch (e) {
    if (e instanceof ExecutionStopped) throw e;
    if (e instanceof StatesError && !e.fromService && e.error !== States.Timeout && e.error !== States.HeartbeatTimeout) throw e;
    const se = e instanceof StatesError ? e : new StatesError(States.TaskFailed, (e as Error)?.message ?? String(e));
    outcome = { kind: 'throw', error: se.error, cause: se.hasCause ? se.cause : undefined };
  } finally {
    deadline.clear();
  }
  host.checkAlive();
  if (outcome.kind === 'return') {
    if (!lambda && d.pattern !== 'request-response') submit(outcome.value);
    const result = outcome.value;
    const outText = outcome.text !== undefined ? checkedPayloadText(outcome.text, state.name) : payloadText(result, state.name);
    if (lambda) {
      host.record(scope, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
        output: outText,
        outputDetails: NOT_TRUNCATED,
      });
    } else {
      host.record(scope, 'TaskSucceeded', 'taskSucceededEventDetails', {
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
    host.record(
      scope,
      timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
      timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails',
      failure,
    );
  } else {
    host.record(scope, timedOut ? 'TaskTimedOut' : 'TaskFailed', timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails', failure);
  }
  throw StatesError.fromService(outcome.error, outcome.cause);
}

/**
 * The Task's `Credentials` (`{RoleArn}`, `{"RoleArn.$": path}` or a JSONata `{% %}` value), evaluated
 * like Parameters. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html
 */
async function taskCredentials(run: StateRun, state: TaskState): Promise<unknown> {
  if (state.queryLanguage === 'JSONata') return evaluateJsonataValue(state.credentials, run.jsonataEnv(), 'Credentials');
  const effective = run.effectiveInput();
  return evaluateTemplate(compileTemplate(state.credentials, 'Credentials'), run.pathEnv(effective));
}

/** .sync and .waitForTaskToken: the service call was submitted before the task completes. */
function recordSubmitted(host: TaskHost, scope: RunScope, d: ResourceDescription, response: unknown): void {
  host.record(scope, 'TaskSubmitted', 'taskSubmittedEventDetails', {
    resource: d.resource,
    resourceType: d.resourceType,
    output: payloadText(response ?? {}, d.resource),
    outputDetails: NOT_TRUNCATED,
  });
}

/**
 * TimeoutSeconds: a timer on the time line racing the task's work. In virtual time it fires only
 * when nothing else can make progress, so a service call in flight (which holds the time line) is
 * never cut short by simulated time, while a token nobody sends times out at its simulated deadline.
 */
class Deadline {
  private readonly stop?: ExecutionStopSignal;
  private readonly expired?: Promise<never>;

  constructor(timeline: Timeline, timeoutSeconds: number | undefined) {
    if (timeoutSeconds === undefined) return;
    const stop = (this.stop = new ExecutionStopSignal());
    this.expired = timeline.sleep(timeoutSeconds * 1000, stop).then((elapsed) => {
      if (elapsed) throw new StatesError(States.Timeout);
      return new Promise<never>(() => {});
    });
    this.expired.catch(() => {}); // raced below; never an unhandled rejection when unused
  }

  race<T>(work: Promise<T>): Promise<T> {
    return this.expired === undefined ? work : Promise.race([work, this.expired]);
  }

  clear(): void {
    this.stop?.stop();
  }
}

function waitForToken(host: TaskHost, token: string, heartbeatSeconds: number | undefined): Promise<TaskOutcome> {
  return new Promise<TaskOutcome>((resolve, reject) => {
    let beat: ExecutionStopSignal | undefined;
    // HeartbeatSeconds: a timer on the time line, re-armed by each SendTaskHeartbeat.
    const arm = (): void => {
      if (heartbeatSeconds === undefined) return;
      beat?.stop();
      const current = (beat = new ExecutionStopSignal());
      void host.timeline.sleep(heartbeatSeconds * 1000, current).then((elapsed) => {
        if (!elapsed || current !== beat) return;
        done();
        reject(new StatesError(States.HeartbeatTimeout));
      });
    };
    const done = (): void => {
      beat?.stop();
      host.unregisterToken(token);
      host.stopSignal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(new ExecutionStopped('stopped'));
    };
    host.stopSignal.addEventListener('abort', onAbort, { once: true });
    arm();
    host.registerToken(token, {
      executionArn: host.executionArn,
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
