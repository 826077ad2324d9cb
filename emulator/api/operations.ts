/**
 * One handler per Step Functions API operation: validate the request as AWS does, call the Engine,
 * shape the response as AWS does. Request and response members:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { ApiError, validationError } from './errors';
import { parseDefinition } from '../asl/parse';
import { validateIntegrationParameters } from '../runtime/integrations/parameter-validation';
import type { TestStateRequest, TestStateResponse } from '../runtime/test-state';

type Awaitable<T> = T | Promise<T>;
type Timestamp = Date | number | string;

export interface StateMachineInfo {
  stateMachineArn: string;
  name: string;
  definition?: string | object;
  roleArn?: string;
  type?: 'STANDARD' | 'EXPRESS';
  status?: string;
  creationDate?: Timestamp;
  updateDate?: Timestamp;
}

export interface ExecutionInfo {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate: Timestamp;
  stopDate?: Timestamp;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface HistoryEventInfo {
  id: number;
  previousEventId?: number;
  timestamp: Timestamp;
  type: string;
  [details: string]: unknown;
}

/**
 * What the API layer needs from the Engine (emulator/runtime/engine.ts). Errors thrown are mapped by
 * `code`/`name` (e.g. 'StateMachineDoesNotExist'); see api/errors.ts.
 */
export interface EngineApi {
  createStateMachine(params: { name: string; definition: string; roleArn: string; type: 'STANDARD' | 'EXPRESS' }): Awaitable<{
    stateMachineArn: string;
    creationDate: Timestamp;
  }>;
  updateStateMachine?(
    stateMachineArn: string,
    changes: { definition?: string; roleArn?: string },
  ): Awaitable<{ updateDate?: Timestamp } | void>;
  deleteStateMachine(stateMachineArn: string): Awaitable<unknown>;
  describeStateMachine(stateMachineArn: string): Awaitable<StateMachineInfo>;
  listStateMachines(): Awaitable<readonly StateMachineInfo[]>;
  startExecution(params: {
    stateMachineArn: string;
    name?: string;
    input?: string;
  }): Awaitable<{ executionArn: string; startDate: Timestamp }>;
  startSyncExecution(params: { stateMachineArn: string; name?: string; input?: string }): Awaitable<ExecutionInfo>;
  stopExecution(executionArn: string, error?: string, cause?: string): Awaitable<{ stopDate?: Timestamp } | void>;
  describeExecution(executionArn: string): Awaitable<ExecutionInfo>;
  listExecutions(stateMachineArn: string): Awaitable<readonly ExecutionInfo[]>;
  getExecutionHistory(executionArn: string): Awaitable<readonly HistoryEventInfo[]>;
  sendTaskSuccess?(taskToken: string, output: string): Awaitable<unknown>;
  sendTaskFailure?(taskToken: string, error?: string, cause?: string): Awaitable<unknown>;
  sendTaskHeartbeat?(taskToken: string): Awaitable<unknown>;
  testState?(request: TestStateRequest): Awaitable<TestStateResponse>;
  /** The state machine as the execution ran it (its definition may have been updated since). */
  describeStateMachineForExecution?(executionArn: string): Awaitable<{
    stateMachineArn: string;
    name: string;
    definition: string;
    roleArn: string;
    updateDate: Timestamp;
    revisionId?: string;
  }>;
}

export type Request = Record<string, unknown>;
export type OperationHandler = (engine: EngineApi, request: Request) => Awaitable<object>;

/** Limits AWS applies to request members. */
const MAX_DEFINITION = 1024 * 1024;
const MAX_INPUT = 256 * 1024;
const MAX_NAME = 80;
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

// ---------------------------------------------------------------- request validation

function requiredString(request: Request, field: string, maxLength?: number): string {
  const value = request[field];
  if (value === undefined || value === null) throw validationError(field, value, 'Member must not be null');
  if (typeof value !== 'string') throw new ApiError('SerializationException', `Expected a string for '${field}'`);
  if (maxLength !== undefined && value.length > maxLength) {
    throw validationError(field, value, `Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

function optionalString(request: Request, field: string, maxLength?: number): string | undefined {
  return request[field] === undefined || request[field] === null ? undefined : requiredString(request, field, maxLength);
}

function optionalBoolean(request: Request, field: string): boolean | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `Expected a boolean for '${field}'`);
  return value;
}

/** Names of state machines and executions: 1-80 characters, none of the characters AWS forbids. */
const FORBIDDEN_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

function checkName(name: string): string {
  if (name.length === 0 || name.length > MAX_NAME || FORBIDDEN_NAME_CHARS.test(name)) {
    throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
  }
  return name;
}

/** arn:<partition>:states:<region>:<account>:<resourceType>:<rest>; resourceType must be one of `types`. */
function checkArn(arn: string, types: readonly string[]): string {
  // Scans the first seven ':'-separated fields in place (every request carries an ARN; split() would
  // allocate all of them).
  const ends = ARN_FIELD_ENDS;
  let from = 0;
  for (let i = 0; i < 7; i++) {
    if (i > 0 && from > arn.length) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`); // fewer than 7 fields
    const colon = arn.indexOf(':', from);
    ends[i] = colon < 0 ? arn.length : colon;
    from = ends[i] + 1;
  }
  const start = (i: number) => (i === 0 ? 0 : ends[i - 1] + 1);
  const field = (i: number) => arn.slice(start(i), ends[i]);
  let valid = ends[0] === 3 && arn.startsWith('arn') && field(2) === 'states';
  for (let i = 3; valid && i < 7; i++) valid = ends[i] > start(i);
  if (!valid) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  const resourceType = field(5);
  if (!types.includes(resourceType)) {
    throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${resourceType}'`);
  }
  return arn;
}
const ARN_FIELD_ENDS = new Int32Array(7);

function checkRoleArn(arn: string): string {
  if (!/^arn:[^:]+:iam::[^:]*:role\/.+$/.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  return arn;
}

function checkInput(request: Request): string | undefined {
  const input = optionalString(request, 'input', MAX_INPUT);
  if (input === undefined) return undefined;
  try {
    JSON.parse(input);
  } catch (e) {
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
  }
  return input;
}

function checkType(request: Request): 'STANDARD' | 'EXPRESS' {
  const type = optionalString(request, 'type') ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') {
    throw validationError('type', type, 'Member must satisfy enum value set: [STANDARD, EXPRESS]');
  }
  return type;
}

// ---------------------------------------------------------------- response shaping

/** Epoch seconds with a fractional part, as the JSON protocol encodes timestamps. */
export function epochSeconds(value: Timestamp | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return ms / 1000;
}

function jsonText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function definitionText(definition: string | object | undefined): string | undefined {
  return definition === undefined ? undefined : typeof definition === 'string' ? definition : JSON.stringify(definition);
}

/** The fields StartExecution and StartSyncExecution share; the ARN may end with `#TestCase`. */
function startRequest(request: Request): { stateMachineArn: string; name?: string; input: string | undefined } {
  const stateMachineArn = requiredString(request, 'stateMachineArn', 2048);
  checkArn(stateMachineArn.split('#')[0], STATE_MACHINE);
  const nameText = optionalString(request, 'name');
  return { stateMachineArn, name: nameText === undefined ? undefined : checkName(nameText), input: checkInput(request) };
}

function describeExecutionResponse(e: ExecutionInfo): object {
  const input = jsonText(e.input);
  const output = jsonText(e.output);
  return {
    ...listItem(e),
    input,
    inputDetails: input === undefined ? undefined : { included: true },
    output,
    outputDetails: output === undefined ? undefined : { included: true },
    error: e.error,
    cause: e.cause,
  };
}

/** The fields ListExecutions gives per execution; DescribeExecution adds data and outcome. */
function listItem(e: ExecutionInfo): object {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epochSeconds(e.startDate),
    stopDate: epochSeconds(e.stopDate),
  };
}

// ---------------------------------------------------------------- paging

/** nextToken is opaque to clients: base64 of {operation, key, offset}, checked on return. */
function readPage(request: Request, operation: string, key: string): { offset: number; size: number } {
  const maxResults = request.maxResults;
  if (
    maxResults !== undefined &&
    maxResults !== null &&
    (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_PAGE)
  ) {
    throw validationError('maxResults', maxResults, `Member must have value less than or equal to ${MAX_PAGE}`);
  }
  const size = typeof maxResults === 'number' && maxResults > 0 ? maxResults : DEFAULT_PAGE;
  const token = optionalString(request, 'nextToken', 1024);
  if (token === undefined) return { offset: 0, size };
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { op: string; key: string; offset: number };
    if (parsed.op === operation && parsed.key === key && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return { offset: parsed.offset, size };
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('InvalidToken', `Invalid Token: '${token}'`);
}

function page<T>(items: readonly T[], operation: string, key: string, offset: number, size: number): { items: T[]; nextToken?: string } {
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return {
    items: slice,
    nextToken: next < items.length ? Buffer.from(JSON.stringify({ op: operation, key, offset: next })).toString('base64') : undefined,
  };
}

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
const DATA_FIELDS = ['input', 'output'];

function stripExecutionData(event: HistoryEventInfo): HistoryEventInfo {
  const copy: HistoryEventInfo = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const details: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const field of DATA_FIELDS) delete details[field];
      copy[key] = details;
    }
  }
  return copy;
}

function historyEvent(event: HistoryEventInfo): object {
  return { ...event, timestamp: epochSeconds(event.timestamp) };
}

// ---------------------------------------------------------------- operations

const STATE_MACHINE = ['stateMachine'];
const EXECUTION = ['execution', 'express'];

export const OPERATIONS: Record<string, OperationHandler> = {
  async CreateStateMachine(engine, request) {
    const name = checkName(requiredString(request, 'name'));
    const definition = requiredString(request, 'definition', MAX_DEFINITION);
    const roleArn = checkRoleArn(requiredString(request, 'roleArn', 256));
    const type = checkType(request);
    const created = await engine.createStateMachine({ name, definition, roleArn, type });
    return { stateMachineArn: created.stateMachineArn, creationDate: epochSeconds(created.creationDate) };
  },

  async UpdateStateMachine(engine, request) {
    const arn = checkArn(requiredString(request, 'stateMachineArn', 2048), STATE_MACHINE);
    const definition = optionalString(request, 'definition', MAX_DEFINITION);
    const roleArnText = optionalString(request, 'roleArn', 256);
    const roleArn = roleArnText === undefined ? undefined : checkRoleArn(roleArnText);
    if (
      definition === undefined &&
      roleArn === undefined &&
      request.loggingConfiguration === undefined &&
      request.tracingConfiguration === undefined
    ) {
      throw new ApiError(
        'MissingRequiredParameter',
        'Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified',
      );
    }
    if (!engine.updateStateMachine) throw new ApiError('InternalFailure', 'UpdateStateMachine is not supported by this engine', 500);
    const result = await engine.updateStateMachine(arn, { definition, roleArn });
    return { updateDate: epochSeconds((result && result.updateDate) ?? new Date()) };
  },

  async DeleteStateMachine(engine, request) {
    await engine.deleteStateMachine(checkArn(requiredString(request, 'stateMachineArn', 2048), STATE_MACHINE));
    return {};
  },

  async DescribeStateMachine(engine, request) {
    const sm = await engine.describeStateMachine(checkArn(requiredString(request, 'stateMachineArn', 2048), STATE_MACHINE));
    return describeStateMachineResponse(sm);
  },

  async ListStateMachines(engine, request) {
    const { offset, size } = readPage(request, 'ListStateMachines', '');
    const all = await engine.listStateMachines();
    const { items, nextToken } = page(all, 'ListStateMachines', '', offset, size);
    return {
      stateMachines: items.map((sm) => ({
        stateMachineArn: sm.stateMachineArn,
        name: sm.name,
        type: sm.type ?? 'STANDARD',
        creationDate: epochSeconds(sm.creationDate),
      })),
      nextToken,
    };
  },

  ValidateStateMachineDefinition(_engine, request) {
    const definition = requiredString(request, 'definition', MAX_DEFINITION);
    checkType(request);
    try {
      validateIntegrationParameters(parseDefinition(definition));
      return { result: 'OK', diagnostics: [], truncated: false };
    } catch (e) {
      const problems = (e as { problems?: readonly { code: string; path: string; message: string }[] }).problems;
      if (!problems) throw e;
      return {
        result: 'FAIL',
        diagnostics: problems.map((p) => ({ severity: 'ERROR', code: p.code, message: p.message, location: p.path })),
        truncated: false,
      };
    }
  },

  async StartExecution(engine, request) {
    const started = await engine.startExecution(startRequest(request));
    return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
  },

  async StartSyncExecution(engine, request) {
    const done = await engine.startSyncExecution(startRequest(request));
    const base = describeExecutionResponse(done) as Record<string, unknown>;
    return { ...base, billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 } };
  },

  async StopExecution(engine, request) {
    const arn = checkArn(requiredString(request, 'executionArn', 2048), EXECUTION);
    const result = await engine.stopExecution(arn, optionalString(request, 'error', 256), optionalString(request, 'cause', 32768));
    return { stopDate: epochSeconds((result && result.stopDate) ?? new Date()) };
  },

  async DescribeExecution(engine, request) {
    const execution = await engine.describeExecution(checkArn(requiredString(request, 'executionArn', 2048), EXECUTION));
    return describeExecutionResponse(execution);
  },

  /** https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html */
  async DescribeStateMachineForExecution(engine, request) {
    const arn = checkArn(requiredString(request, 'executionArn', 2048), EXECUTION);
    const logging = { level: 'OFF', includeExecutionData: false };
    const tracing = { enabled: false };
    if (engine.describeStateMachineForExecution) {
      const ran = await engine.describeStateMachineForExecution(arn);
      return {
        stateMachineArn: ran.stateMachineArn,
        name: ran.name,
        definition: ran.definition,
        roleArn: ran.roleArn,
        updateDate: epochSeconds(ran.updateDate),
        loggingConfiguration: logging,
        tracingConfiguration: tracing,
        revisionId: ran.revisionId,
      };
    }
    const execution = await engine.describeExecution(arn);
    const sm = await engine.describeStateMachine(execution.stateMachineArn);
    return {
      stateMachineArn: sm.stateMachineArn,
      name: sm.name,
      definition: definitionText(sm.definition),
      roleArn: sm.roleArn,
      updateDate: epochSeconds(sm.updateDate ?? sm.creationDate),
      loggingConfiguration: logging,
      tracingConfiguration: tracing,
    };
  },

  async ListExecutions(engine, request) {
    const arn = checkArn(requiredString(request, 'stateMachineArn', 2048), STATE_MACHINE);
    const statusFilter = optionalString(request, 'statusFilter');
    if (statusFilter !== undefined && !EXECUTION_STATUSES.includes(statusFilter)) {
      throw validationError('statusFilter', statusFilter, `Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`);
    }
    const key = `${arn}|${statusFilter ?? ''}`;
    const { offset, size } = readPage(request, 'ListExecutions', key);
    const all = await engine.listExecutions(arn);
    const filtered = (statusFilter ? all.filter((e) => e.status === statusFilter) : [...all]).sort(
      (a, b) => (epochSeconds(b.startDate) ?? 0) - (epochSeconds(a.startDate) ?? 0),
    ); // newest first, as AWS lists them
    const { items, nextToken } = page(filtered, 'ListExecutions', key, offset, size);
    return { executions: items.map(listItem), nextToken };
  },

  async GetExecutionHistory(engine, request) {
    const arn = checkArn(requiredString(request, 'executionArn', 2048), EXECUTION);
    const reverse = optionalBoolean(request, 'reverseOrder') ?? false;
    const includeData = optionalBoolean(request, 'includeExecutionData') ?? true;
    const key = `${arn}|${reverse}`;
    const { offset, size } = readPage(request, 'GetExecutionHistory', key);
    const events = await engine.getExecutionHistory(arn);
    const ordered = reverse ? [...events].reverse() : events;
    const { items, nextToken } = page(ordered, 'GetExecutionHistory', key, offset, size);
    return { events: items.map((e) => historyEvent(includeData ? e : stripExecutionData(e))), nextToken };
  },

  async SendTaskSuccess(engine, request) {
    const token = requiredString(request, 'taskToken', 2048);
    const output = requiredString(request, 'output', MAX_INPUT);
    try {
      JSON.parse(output);
    } catch (e) {
      throw new ApiError('InvalidOutput', `Invalid Output: '${(e as Error).message}'`);
    }
    if (!engine.sendTaskSuccess) throw new ApiError('InternalFailure', 'SendTaskSuccess is not supported by this engine', 500);
    await engine.sendTaskSuccess(token, output);
    return {};
  },

  async SendTaskFailure(engine, request) {
    const token = requiredString(request, 'taskToken', 2048);
    if (!engine.sendTaskFailure) throw new ApiError('InternalFailure', 'SendTaskFailure is not supported by this engine', 500);
    await engine.sendTaskFailure(token, optionalString(request, 'error', 256), optionalString(request, 'cause', 32768));
    return {};
  },

  async TestState(engine, request) {
    const testRequest = readTestStateRequest(request);
    if (!engine.testState) throw new ApiError('InternalFailure', 'TestState is not supported by this engine', 500);
    const r = await engine.testState(testRequest);
    return { output: r.output, error: r.error, cause: r.cause, inspectionData: r.inspectionData, nextState: r.nextState, status: r.status };
  },

  async SendTaskHeartbeat(engine, request) {
    const token = requiredString(request, 'taskToken', 2048);
    if (!engine.sendTaskHeartbeat) throw new ApiError('InternalFailure', 'SendTaskHeartbeat is not supported by this engine', 500);
    await engine.sendTaskHeartbeat(token);
    return {};
  },
};

// ---------------------------------------------------------------- TestState request members

const INSPECTION_LEVELS = ['INFO', 'DEBUG', 'TRACE'] as const;
const FIELD_VALIDATION_MODES = ['STRICT', 'PRESENT', 'NONE'] as const;

function optionalEnum<T extends string>(request: Request, field: string, values: readonly T[], where = field): T | undefined {
  const value = optionalString(request, field);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw validationError(where, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

function optionalObject(request: Request, field: string): Request | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ApiError('SerializationException', `Expected an object for '${field}'`);
  return value as Request;
}

function optionalCount(request: Request, field: string, where: string): number | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ApiError('SerializationException', `Expected an integer for '${where}'`);
  if (value < 0) throw validationError(where, value, 'Member must have value greater than or equal to 0');
  return value;
}

/** https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html#API_TestState_RequestSyntax */
function readTestStateRequest(request: Request): TestStateRequest {
  const out: TestStateRequest = { definition: requiredString(request, 'definition', MAX_DEFINITION) };
  const roleArn = optionalString(request, 'roleArn', 256);
  if (roleArn !== undefined) out.roleArn = checkRoleArn(roleArn);
  out.input = optionalString(request, 'input', MAX_INPUT);
  out.inspectionLevel = optionalEnum(request, 'inspectionLevel', INSPECTION_LEVELS);
  out.revealSecrets = optionalBoolean(request, 'revealSecrets');
  out.variables = optionalString(request, 'variables', MAX_INPUT);
  const stateName = optionalString(request, 'stateName', MAX_NAME);
  if (stateName !== undefined) {
    if (stateName.length === 0) throw validationError('stateName', stateName, 'Member must have length greater than or equal to 1');
    out.stateName = stateName;
  }
  out.context = optionalString(request, 'context', MAX_INPUT);
  const mock = optionalObject(request, 'mock');
  if (mock) {
    out.mock = {
      result: optionalString(mock, 'result', MAX_INPUT),
      fieldValidationMode: optionalEnum(mock, 'fieldValidationMode', FIELD_VALIDATION_MODES, 'mock.fieldValidationMode'),
    };
    const errorOutput = optionalObject(mock, 'errorOutput');
    if (errorOutput)
      out.mock.errorOutput = { error: optionalString(errorOutput, 'error', 256), cause: optionalString(errorOutput, 'cause', 32768) };
  }
  const config = optionalObject(request, 'stateConfiguration');
  if (config) {
    out.stateConfiguration = {
      retrierRetryCount: optionalCount(config, 'retrierRetryCount', 'stateConfiguration.retrierRetryCount'),
      errorCausedByState: optionalString(config, 'errorCausedByState', MAX_NAME),
      mapIterationFailureCount: optionalCount(config, 'mapIterationFailureCount', 'stateConfiguration.mapIterationFailureCount'),
      mapItemReaderData: optionalString(config, 'mapItemReaderData', MAX_INPUT),
    };
  }
  return out;
}

function describeStateMachineResponse(sm: StateMachineInfo): object {
  return {
    stateMachineArn: sm.stateMachineArn,
    name: sm.name,
    status: sm.status ?? 'ACTIVE',
    definition: definitionText(sm.definition),
    roleArn: sm.roleArn,
    type: sm.type ?? 'STANDARD',
    creationDate: epochSeconds(sm.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}
