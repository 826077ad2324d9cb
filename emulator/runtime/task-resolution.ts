/**
 * Who answers a Task: (1) the Step Functions Local mock configuration when the execution runs a test
 * case, (2) a handler registered in-process, (3) the pass-through to real service endpoints
 * (runtime/integrations/), when the engine has one, (4) nobody -> a clear failure saying how to mock it.
 */
import { StatesError, States } from '../errors';
import type { StopSignal } from './clock';
import type { Timeline } from './timeline';

export interface TaskRequest {
  resource: string;
  parameters: unknown;
  stateName: string;
  executionArn: string;
  taskToken?: string;
  invocationIndex: number;
}

/** Return a result, or throw StatesError to fail the task with that Error/Cause. */
export type TaskHandler = (request: TaskRequest) => unknown | Promise<unknown>;

/**
 * `text`, when present, is JSON.stringify(value) (mocked responses carry it). `final`: the value is
 * the task's result even for `.waitForTaskToken` (a mocked answer stands for the token's output).
 */
export type TaskOutcome =
  { kind: 'return'; value: unknown; text?: string; final?: boolean } | { kind: 'throw'; error: string; cause?: string };

/** What the mock resolver needs from runtime/mock-config.ts (structural, so either side can evolve). */
export interface MockLookup {
  hasTestCase(stateMachineName: string, testCase: string): boolean;
  lookup(
    stateMachineName: string,
    testCase: string,
    stateName: string,
    invocationIndex: number,
  ): { kind: 'return'; value: unknown } | { kind: 'throw'; error: string; cause: string } | undefined;
  /** Optional: as `lookup`, with `text` = JSON.stringify(value) when known (saves serializing it again). */
  lookupWithText?(
    stateMachineName: string,
    testCase: string,
    stateName: string,
    invocationIndex: number,
  ): { kind: 'return'; value: unknown; text?: string } | { kind: 'throw'; error: string; cause: string } | undefined;
}

export interface ResolutionRequest extends TaskRequest {
  stateMachineName: string;
  testCase?: string;
  /** The Task's `Credentials` field as written (`{RoleArn}` = call the service as that role). */
  credentials?: unknown;
  /** `.sync` integrations call this once the job is submitted (TaskSubmitted), before it completes. */
  onSubmitted?: (response: unknown) => void;
  /** Aborts when the execution ends: long-running integrations (`.sync`) stop waiting. */
  stopSignal?: StopSignal;
}

export interface TaskResolver {
  /** undefined = "not mine, ask the next resolver". */
  resolve(request: ResolutionRequest): TaskOutcome | Promise<TaskOutcome> | undefined;
}

export class MockConfigResolver implements TaskResolver {
  constructor(private readonly mocks: MockLookup) {}

  resolve(request: ResolutionRequest): TaskOutcome | undefined {
    if (request.testCase === undefined) return undefined;
    const { stateMachineName, testCase, stateName, invocationIndex } = request;
    const found = this.mocks.lookupWithText
      ? this.mocks.lookupWithText(stateMachineName, testCase, stateName, invocationIndex)
      : this.mocks.lookup(stateMachineName, testCase, stateName, invocationIndex);
    if (found === undefined || found.kind === 'throw') return found;
    // A mocked answer is the task's result: a .waitForTaskToken task does not wait for a token then.
    // A Lambda function ARN used directly answers with the function's payload, so Step Functions Local
    // mocks written as {"Payload": ...} (the lambda:invoke shape) are unwrapped for it.
    const value = found.value;
    if (describeResource(request.resource).kind === 'lambdaFunction' && value !== null && typeof value === 'object' && 'Payload' in value) {
      return { kind: 'return', value: (value as { Payload: unknown }).Payload, final: true };
    }
    return { kind: 'return', value, text: 'text' in found ? (found.text as string | undefined) : undefined, final: true };
  }
}

export type HandlerMatcher = string | ((resource: string) => boolean);

export class HandlerResolver implements TaskResolver {
  private readonly handlers: { matches: (resource: string) => boolean; handler: TaskHandler }[] = [];

  /** A handler's call holds the time line while it runs (its own time is real, not simulated). */
  constructor(private readonly timeline?: Timeline) {}

  register(matcher: HandlerMatcher, handler: TaskHandler): void {
    const matches = typeof matcher === 'string' ? (r: string) => r.startsWith(matcher) : matcher;
    // Later registrations win, so tests can override a general handler.
    this.handlers.unshift({ matches, handler });
  }

  resolve(request: ResolutionRequest): Promise<TaskOutcome> | undefined {
    const entry = this.handlers.find((h) => h.matches(request.resource));
    if (!entry) return undefined;
    const call = callHandler(entry.handler, request);
    return this.timeline ? this.timeline.track(call) : call;
  }
}

async function callHandler(handler: TaskHandler, request: TaskRequest): Promise<TaskOutcome> {
  try {
    const { resource, parameters, stateName, executionArn, taskToken, invocationIndex } = request;
    return { kind: 'return', value: await handler({ resource, parameters, stateName, executionArn, taskToken, invocationIndex }) };
  } catch (e) {
    if (e instanceof StatesError) return { kind: 'throw', error: e.error, cause: e.hasCause ? e.cause : undefined };
    const err = e as { name?: string; message?: string };
    return { kind: 'throw', error: err?.name && err.name !== 'Error' ? err.name : States.TaskFailed, cause: err?.message ?? String(e) };
  }
}

/** Says why a resolver that could have answered a Task did not (e.g. no endpoint configured). */
export interface UnansweredHint {
  unansweredHint(request: ResolutionRequest): string | undefined;
}

export class TaskResolutionChain {
  constructor(
    private readonly resolvers: readonly TaskResolver[],
    private readonly hint?: UnansweredHint,
  ) {}

  async resolve(request: ResolutionRequest): Promise<TaskOutcome> {
    for (const r of this.resolvers) {
      const outcome = r.resolve(request);
      if (outcome !== undefined) return outcome;
    }
    const hint = this.hint?.unansweredHint(request);
    const how =
      request.testCase === undefined
        ? `start the execution as '<stateMachineArn>#<TestCase>' with a mock configuration that maps state '${request.stateName}', or register a handler for this resource`
        : `test case '${request.testCase}' does not map state '${request.stateName}'; add it to the mock configuration or register a handler for this resource`;
    throw new StatesError(
      States.Runtime,
      `No response for Task state '${request.stateName}' (Resource ${request.resource}): ${how}.${hint === undefined ? '' : ` ${hint}`}`,
    );
  }
}

// ---------------------------------------------------------------- resource ARNs

export interface ResourceDescription {
  /** lambdaFunction = a Lambda function ARN used directly as Resource (LambdaFunction* events). */
  readonly kind: 'lambdaFunction' | 'service' | 'activity';
  /** As recorded in Task* events: e.g. "lambda" / "invoke", "aws-sdk:dynamodb" / "query". */
  readonly resourceType: string;
  readonly resource: string;
  readonly region?: string;
  readonly pattern: 'request-response' | 'sync' | 'waitForTaskToken';
}

const descriptionCache = new Map<string, ResourceDescription>();

/** Splits a Task Resource ARN the way AWS records it in TaskScheduled. */
export function describeResource(arn: string): ResourceDescription {
  const cached = descriptionCache.get(arn);
  if (cached) return cached;
  const parts = arn.split(':');
  let d: ResourceDescription;
  const pattern = arn.endsWith('.waitForTaskToken') ? 'waitForTaskToken' : /\.sync(:\d+)?$/.test(arn) ? 'sync' : 'request-response';
  if (parts[2] === 'lambda' && parts[5] === 'function') {
    d = { kind: 'lambdaFunction', resourceType: 'lambda', resource: arn, region: parts[3] || undefined, pattern };
  } else if (parts[2] === 'states' && parts[5] === 'activity') {
    d = { kind: 'activity', resourceType: 'activity', resource: arn, region: parts[3] || undefined, pattern };
  } else if (parts[2] === 'states' && parts.length >= 7) {
    // arn:aws:states:::<service>:<action> or arn:aws:states:::aws-sdk:<service>:<action>
    const rest = parts.slice(5);
    if (rest[0] === 'aws-sdk') {
      d = {
        kind: 'service',
        resourceType: `aws-sdk:${rest[1]}`,
        resource: rest.slice(2).join(':'),
        region: parts[3] || undefined,
        pattern,
      };
    } else {
      d = { kind: 'service', resourceType: rest[0], resource: rest.slice(1).join(':'), region: parts[3] || undefined, pattern };
    }
  } else {
    d = { kind: 'service', resourceType: parts[2] ?? 'unknown', resource: arn, region: parts[3] || undefined, pattern };
  }
  if (descriptionCache.size < 5000) descriptionCache.set(arn, d);
  return d;
}
