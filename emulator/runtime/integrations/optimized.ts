/**
 * The optimized integrations whose request is the service action's own (PascalCase) input and whose
 * answer is the Java 1.x response with its metadata: DynamoDB GetItem/PutItem/UpdateItem/DeleteItem,
 * SNS Publish, SQS SendMessage, Lambda Invoke, EventBridge PutEvents.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
 */
import { StatesError, States } from '../../errors';
import { optimizedError, type V1ServiceNames } from './sdk-errors';
import { fromSdkOutput, inputShape, outputShape, toSdkInput } from './sdk-shapes';
import { withResponseMetadata } from './response-metadata';
import { asJsonText, isObject, returned, type Integration, type IntegrationCall } from './integration';
import type { ClientPool, HttpResponseInfo } from './clients';
import type { TaskOutcome } from '../task-resolution';

interface OptimizedService {
  readonly names: V1ServiceNames;
  /** The actions Step Functions optimizes for this service (ARN spelling). */
  readonly actions: ReadonlySet<string>;
  /** Adapts the Parameters to the SDK input (JSON payload fields become strings). */
  readonly request?: (action: string, params: Record<string, unknown>) => Record<string, unknown>;
  /** Shapes the answer (default: the response with its metadata). */
  readonly response?: (
    action: string,
    output: Record<string, unknown>,
    http: HttpResponseInfo | undefined,
    requestId: string | undefined,
  ) => TaskOutcome;
}

const SERVICES: Readonly<Record<string, OptimizedService>> = {
  dynamodb: {
    names: { prefix: 'DynamoDB', service: 'AmazonDynamoDBv2', baseException: 'AmazonDynamoDBException' },
    actions: new Set(['getItem', 'putItem', 'updateItem', 'deleteItem']),
  },
  sns: {
    names: { prefix: 'SNS', service: 'AmazonSNS', baseException: 'AmazonSNSException' },
    actions: new Set(['publish']),
    request: (_a, p) => ({ ...p, Message: asJsonText(p.Message) }),
  },
  sqs: {
    names: { prefix: 'SQS', service: 'AmazonSQS', baseException: 'AmazonSQSException' },
    actions: new Set(['sendMessage']),
    request: (_a, p) => ({ ...p, MessageBody: asJsonText(p.MessageBody) }),
  },
  lambda: {
    names: { prefix: 'Lambda', service: 'AWSLambda', baseException: 'AWSLambdaException' },
    actions: new Set(['invoke']),
    // Bytes, so the blob is not read as base64 on its way to the SDK.
    request: (_a, p) => ({ ...p, Payload: p.Payload === undefined ? undefined : Buffer.from(asJsonText(p.Payload) as string) }),
    response: lambdaResponse,
  },
  events: {
    names: { prefix: 'EventBridge', service: 'AmazonEventBridge', baseException: 'AmazonEventBridgeException' },
    actions: new Set(['putEvents']),
    request: (_a, p) => ({
      ...p,
      Entries: Array.isArray(p.Entries) ? p.Entries.map((e) => (isObject(e) ? { ...e, Detail: asJsonText(e.Detail) } : e)) : p.Entries,
    }),
    response: putEventsResponse,
  },
};

export function isOptimized(service: string, action: string): boolean {
  return SERVICES[service]?.actions.has(action) ?? false;
}

export const optimizedIntegration: Integration = async (call, { clients }) => {
  const spec = SERVICES[call.service];
  if (call.pattern === 'sync' || call.pattern === 'sync:2') {
    throw new StatesError(States.Runtime, `The ${call.service}:${call.action} integration does not support the .sync pattern.`);
  }
  const params = isObject(call.parameters) ? call.parameters : {};
  return send(clients, call, spec, spec.request ? spec.request(call.action, params) : params);
};

async function send(
  clients: ClientPool,
  call: IntegrationCall,
  spec: OptimizedService,
  params: Record<string, unknown>,
): Promise<TaskOutcome> {
  const service = await clients.call(call.service, call.roleArn, call.region);
  const input = toSdkInput(params, inputShape(service.sdk, call.action)) as object;
  try {
    const { output, http } = await service.send(call.action, input);
    const requestId = (output.$metadata as { requestId?: string } | undefined)?.requestId;
    if (spec.response) return spec.response(call.action, output, http, requestId);
    return returned(withResponseMetadata(await fromSdkOutput(output, outputShape(service.sdk, call.action)), http, requestId));
  } catch (e) {
    if (e instanceof StatesError) throw e;
    const err = optimizedError(e, service.sdk, spec.names, service.endpoint);
    return { kind: 'throw', error: err.error, cause: err.cause };
  }
}

/**
 * Lambda Invoke: the Payload is parsed JSON (text that is not JSON stays a string). A function error
 * (FunctionError set) fails the task with the payload's `errorType` (`Lambda.Unknown` without one)
 * and the payload as Cause. https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 */
function lambdaResponse(
  _a: string,
  output: Record<string, unknown>,
  http: HttpResponseInfo | undefined,
  requestId: string | undefined,
): TaskOutcome {
  const raw = output.Payload instanceof Uint8Array ? Buffer.from(output.Payload).toString('utf8') : (output.Payload as string | undefined);
  let payload: unknown = raw;
  if (raw !== undefined && raw !== '') {
    try {
      payload = JSON.parse(raw);
    } catch {
      payload = raw;
    }
  } else payload = raw === '' ? null : raw;
  if (output.FunctionError !== undefined) {
    const type = isObject(payload) && typeof payload.errorType === 'string' ? payload.errorType : 'Lambda.Unknown';
    return { kind: 'throw', error: type, cause: raw ?? '' };
  }
  const body: Record<string, unknown> = { ExecutedVersion: output.ExecutedVersion, Payload: payload, StatusCode: output.StatusCode };
  if (output.LogResult !== undefined) body.LogResult = output.LogResult;
  return returned(withResponseMetadata(body, http, requestId));
}

/** PutEvents: FailedEntryCount > 0 fails the task with `EventBridge.FailedEntry`, the response as Cause (as recorded). */
function putEventsResponse(_a: string, output: Record<string, unknown>): TaskOutcome {
  const body = { Entries: output.Entries ?? [], FailedEntryCount: output.FailedEntryCount ?? 0 };
  if (typeof body.FailedEntryCount === 'number' && body.FailedEntryCount > 0) {
    return { kind: 'throw', error: 'EventBridge.FailedEntry', cause: JSON.stringify(body) };
  }
  return returned(body);
}
