/**
 * One handler per Step Functions API operation: validate the request as AWS does, call the Engine,
 * shape the response as AWS does. Request and response members:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { ApiError, validationError } from './errors';
import { isValidName, MAX_NAME_LENGTH } from './names';
import { parseDefinition } from '../asl/parse';
import { jsonTextTooDeep, MAX_PAYLOAD_DEPTH } from '../runtime/payload-limits';
import { validateIntegrationParameters } from '../runtime/integrations/parameter-validation';
import type { Engine } from '../runtime/engine';
import type { TestStateRequest } from '../runtime/test-state';

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
  mapRunArn?: string;
}

export interface HistoryEventInfo {
  id: number;
  previousEventId?: number;
  timestamp: Timestamp;
  type: string;
  [details: string]: unknown;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export type Request = Record<string, unknown>;
/** Every operation codes against the real Engine (runtime/engine.ts); its errors are mapped by `code`/`name` (api/errors.ts). */
export type OperationHandler = (engine: Engine, request: Request) => Awaitable<object>;

/** Limits AWS applies to request members. Payloads (input, output, ...) count UTF-8 bytes. */
const MAX_DEFINITION = 1024 * 1024;
const MAX_INPUT = 256 * 1024;
const MAX_NAME = MAX_NAME_LENGTH;
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

/**
 * A JSON payload member (input, output, variables, ...): at most 256 KiB counted as UTF-8 bytes, as
 * AWS counts them ("Length constraints apply to the payload size, and are expressed as bytes in UTF-8
 * encoding": https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html),
 * and nested at most as deep as the engine can carry (runtime/payload-limits.ts).
 */
function optionalPayload(request: Request, field: string, where = field): string | undefined {
  const value = optionalString(request, field);
  if (value === undefined) return undefined;
  if (value.length * 3 > MAX_INPUT && Buffer.byteLength(value, 'utf8') > MAX_INPUT) {
    throw validationError(where, value, `Member must have length less than or equal to ${MAX_INPUT}`);
  }
  if (jsonTextTooDeep(value)) {
    throw validationError(where, value, `Member must not nest objects and arrays deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  }
  return value;
}

function requiredPayload(request: Request, field: string): string {
  requiredString(request, field);
  return optionalPayload(request, field) as string;
}

function optionalBoolean(request: Request, field: string): boolean | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ApiError('SerializationException', `Expected a boolean for '${field}'`);
  return value;
}

function checkName(name: string): string {
  if (!isValidName(name)) {
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
  const input = optionalPayload(request, 'input');
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
    mapRunArn: e.mapRunArn,
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

/**
 * maxResults: an integer from 0 to 1000, 0 meaning the default page size (100).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html#StepFunctions-ListExecutions-request-maxResults
 * A value of another JSON type is a type error (SerializationException, as for any member of the
 * wrong type), not a range error.
 */
function readPageSize(request: Request): number {
  const maxResults = request.maxResults;
  if (maxResults === undefined || maxResults === null) return DEFAULT_PAGE;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults)) {
    throw new ApiError('SerializationException', `Expected an integer for 'maxResults', got ${describeJsonType(maxResults)}`);
  }
  if (maxResults < 0) throw validationError('maxResults', maxResults, 'Member must have value greater than or equal to 0');
  if (maxResults > MAX_PAGE) throw validationError('maxResults', maxResults, `Member must have value less than or equal to ${MAX_PAGE}`);
  return maxResults > 0 ? maxResults : DEFAULT_PAGE;
}

/** The JSON type of a value, for type errors ("a string", "an object", "the number 1.5"). */
function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** nextToken is opaque to clients: base64 of {op, key, and an offset or the engine's cursor}, checked on return. */
function readToken(request: Request, operation: string, key: string): { offset?: number; cursor?: string } | undefined {
  const token = optionalString(request, 'nextToken', 1024);
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      op: string;
      key: string;
      offset?: unknown;
      cursor?: unknown;
    };
    if (parsed.op === operation && parsed.key === key) {
      if (Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0) return { offset: parsed.offset as number };
      if (typeof parsed.cursor === 'string') return { cursor: parsed.cursor };
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('InvalidToken', `Invalid Token: '${token}'`);
}

function makeToken(operation: string, key: string, position: { offset: number } | { cursor: string }): string {
  return Buffer.from(JSON.stringify({ op: operation, key, ...position })).toString('base64');
}

function readPage(request: Request, operation: string, key: string): { offset: number; size: number } {
  const size = readPageSize(request);
  const token = readToken(request, operation, key);
  if (token !== undefined && token.offset === undefined)
    throw new ApiError('InvalidToken', `Invalid Token: '${String(request.nextToken)}'`);
  return { offset: token?.offset ?? 0, size };
}

function page<T>(items: readonly T[], operation: string, key: string, offset: number, size: number): { items: T[]; nextToken?: string } {
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return { items: slice, nextToken: next < items.length ? makeToken(operation, key, { offset: next }) : undefined };
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
        mapRunArn: ran.mapRunArn,
        label: ran.label,
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
    if (request.mapRunArn !== undefined && request.mapRunArn !== null) return listMapRunExecutions(engine, request);
    const arn = checkArn(requiredString(request, 'stateMachineArn', 2048), STATE_MACHINE);
    const statusFilter = optionalString(request, 'statusFilter');
    if (statusFilter !== undefined && !EXECUTION_STATUSES.includes(statusFilter)) {
      throw validationError('statusFilter', statusFilter, `Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`);
    }
    const key = `${arn}|${statusFilter ?? ''}`;
    const size = readPageSize(request);
    const token = readToken(request, 'ListExecutions', key);
    if (token !== undefined && token.cursor === undefined)
      throw new ApiError('InvalidToken', `Invalid Token: '${String(request.nextToken)}'`);
    const result = await engine.listExecutionsPage(arn, {
      statusFilter: statusFilter as ExecutionStatus | undefined,
      maxResults: size,
      nextToken: token?.cursor,
    });
    // A status filter reads the index per status; an execution closing this very moment may still be listed under RUNNING.
    const items = statusFilter ? result.executions.filter((e) => e.status === statusFilter) : result.executions;
    return {
      executions: items.map(listItem),
      nextToken: result.nextToken === undefined ? undefined : makeToken('ListExecutions', key, { cursor: result.nextToken }),
    };
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
    const output = requiredPayload(request, 'output');
    try {
      JSON.parse(output);
    } catch (e) {
      throw new ApiError('InvalidOutput', `Invalid Output: '${(e as Error).message}'`);
    }
    await engine.sendTaskSuccess(token, output);
    return {};
  },

  async SendTaskFailure(engine, request) {
    const token = requiredString(request, 'taskToken', 2048);
    await engine.sendTaskFailure(token, optionalString(request, 'error', 256), optionalString(request, 'cause', 32768));
    return {};
  },

  async TestState(engine, request) {
    const testRequest = readTestStateRequest(request);
    const r = await engine.testState(testRequest);
    return { output: r.output, error: r.error, cause: r.cause, inspectionData: r.inspectionData, nextState: r.nextState, status: r.status };
  },

  async SendTaskHeartbeat(engine, request) {
    const token = requiredString(request, 'taskToken', 2048);
    await engine.sendTaskHeartbeat(token);
    return {};
  },
};

// ---------------------------------------------------------------- Distributed Map runs
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html

const MAP_RUN = ['mapRun'];

/** ListExecutions with mapRunArn (not together with stateMachineArn): a Map Run's child executions. */
async function listMapRunExecutions(engine: Engine, request: Request): Promise<object> {
  const mapRunArn = checkArn(requiredString(request, 'mapRunArn', 2000), MAP_RUN);
  if (request.stateMachineArn !== undefined && request.stateMachineArn !== null) {
    throw new ApiError('ValidationException', 'Specify either a mapRunArn or a stateMachineArn, not both');
  }
  const statusFilter = optionalString(request, 'statusFilter');
  if (statusFilter !== undefined && !EXECUTION_STATUSES.includes(statusFilter)) {
    throw validationError('statusFilter', statusFilter, `Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`);
  }
  const key = `${mapRunArn}|${statusFilter ?? ''}`;
  const { offset, size } = readPage(request, 'ListExecutions', key);
  const all = await engine.listMapRunExecutions(mapRunArn);
  const filtered = (statusFilter ? all.filter((e) => e.status === statusFilter) : [...all]).sort(
    (a, b) => (epochSeconds(b.startDate) ?? 0) - (epochSeconds(a.startDate) ?? 0),
  );
  const { items, nextToken } = page(filtered, 'ListExecutions', key, offset, size);
  return { executions: items.map((e) => ({ ...listItem(e), mapRunArn, itemCount: e.itemCount })), nextToken };
}

/** A non-negative number member (integer unless `fraction`), at most `max`. */
function optionalLimit(request: Request, field: string, fraction: boolean, max?: number): number | undefined {
  const v = request[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || (!fraction && !Number.isInteger(v))) {
    throw new ApiError('SerializationException', `Expected ${fraction ? 'a number' : 'an integer'} for '${field}'`);
  }
  if (v < 0) throw validationError(field, v, 'Member must have value greater than or equal to 0');
  if (max !== undefined && v > max) throw validationError(field, v, `Member must have value less than or equal to ${max}`);
  return v;
}

export const MAP_RUN_OPERATIONS: Record<string, OperationHandler> = {
  async DescribeMapRun(engine, request) {
    const run = await engine.describeMapRun(checkArn(requiredString(request, 'mapRunArn', 2000), MAP_RUN));
    return {
      mapRunArn: run.mapRunArn,
      executionArn: run.executionArn,
      status: run.status,
      startDate: epochSeconds(run.startDate),
      stopDate: epochSeconds(run.stopDate),
      maxConcurrency: run.maxConcurrency,
      toleratedFailurePercentage: run.toleratedFailurePercentage,
      toleratedFailureCount: run.toleratedFailureCount,
      itemCounts: run.itemCounts,
      executionCounts: run.executionCounts,
      redriveCount: run.redriveCount ?? 0,
    };
  },

  async ListMapRuns(engine, request) {
    const arn = checkArn(requiredString(request, 'executionArn', 2048), EXECUTION);
    const { offset, size } = readPage(request, 'ListMapRuns', arn);
    const all = await engine.listMapRuns(arn);
    const { items, nextToken } = page(all, 'ListMapRuns', arn, offset, size);
    return {
      mapRuns: items.map((r) => ({
        executionArn: r.executionArn,
        mapRunArn: r.mapRunArn,
        stateMachineArn: r.stateMachineArn,
        startDate: epochSeconds(r.startDate),
        stopDate: epochSeconds(r.stopDate),
      })),
      nextToken,
    };
  },

  /** https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html */
  async UpdateMapRun(engine, request) {
    const arn = checkArn(requiredString(request, 'mapRunArn', 2000), MAP_RUN);
    const maxConcurrency = optionalLimit(request, 'maxConcurrency', false);
    const toleratedFailureCount = optionalLimit(request, 'toleratedFailureCount', false);
    const toleratedFailurePercentage = optionalLimit(request, 'toleratedFailurePercentage', true, 100);
    if (maxConcurrency === undefined && toleratedFailureCount === undefined && toleratedFailurePercentage === undefined) {
      throw new ApiError(
        'ValidationException',
        'At least one of maxConcurrency, toleratedFailureCount or toleratedFailurePercentage must be specified',
      );
    }
    await engine.updateMapRun(arn, { maxConcurrency, toleratedFailureCount, toleratedFailurePercentage });
    return {};
  },
};
Object.assign(OPERATIONS, MAP_RUN_OPERATIONS);

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
  out.input = optionalPayload(request, 'input');
  out.inspectionLevel = optionalEnum(request, 'inspectionLevel', INSPECTION_LEVELS);
  out.revealSecrets = optionalBoolean(request, 'revealSecrets');
  out.variables = optionalPayload(request, 'variables');
  const stateName = optionalString(request, 'stateName', MAX_NAME);
  if (stateName !== undefined) {
    if (stateName.length === 0) throw validationError('stateName', stateName, 'Member must have length greater than or equal to 1');
    out.stateName = stateName;
  }
  out.context = optionalPayload(request, 'context');
  const mock = optionalObject(request, 'mock');
  if (mock) {
    out.mock = {
      result: optionalPayload(mock, 'result', 'mock.result'),
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
      mapItemReaderData: optionalPayload(config, 'mapItemReaderData', 'stateConfiguration.mapItemReaderData'),
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
