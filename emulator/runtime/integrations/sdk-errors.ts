/**
 * How Step Functions names the errors a service answers with. The two integration styles differ,
 * as recorded on AWS:
 * - aws-sdk integrations (`arn:aws:states:::aws-sdk:<service>:<action>`): `<Service>.<Name>Exception`,
 *   the service named as the AWS SDK for Java 2.x names its client (DynamoDb, Sfn, CloudFormation, S3),
 *   always with an `Exception` suffix; a code the service does not model is `<Service>.<Service>Exception`.
 *   Cause: `<message> (Service: <Service>, Status Code: <n>, Request ID: <id>) (SDK Attempt Count: 1)`.
 *   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * - optimized integrations (dynamodb, sns, sqs, lambda, events, states): the AWS SDK for Java 1.x
 *   names, e.g. `DynamoDB.ConditionalCheckFailedException`, unmodelled `DynamoDB.AmazonDynamoDBException`,
 *   Cause `<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: <code>; Request ID: <id>; Proxy: null)`.
 */
import { StatesError, States } from '../../errors';
import type { SdkModule } from './sdk-modules';

/** What the AWS SDK v3 puts on a service error. */
interface SdkServiceError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
}

/** The Java 2.x client name for an SDK v3 serviceId: words capitalized, acronyms lower-cased after their first letter. */
export function javaV2ServiceName(serviceId: string): string {
  const words = serviceId.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [serviceId];
  return words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('');
}

function withExceptionSuffix(name: string): string {
  return name.endsWith('Exception') ? name : `${name}Exception`;
}

function isModelled(e: unknown, sdk: SdkModule): boolean {
  return e instanceof Error && e.constructor !== sdk.ServiceException && e instanceof sdk.ServiceException;
}

function isServiceError(e: unknown): e is SdkServiceError {
  return e !== null && typeof e === 'object' && '$metadata' in e && typeof (e as SdkServiceError).$metadata?.httpStatusCode === 'number';
}

/** An error of the SDK itself (connection refused, bad endpoint): the task fails naming the endpoint. */
function clientError(e: unknown, endpoint: string | undefined): StatesError {
  const message = (e as Error)?.message ?? String(e);
  return StatesError.fromService(States.TaskFailed, `Unable to execute HTTP request${endpoint ? ` to ${endpoint}` : ''}: ${message}`);
}

export function awsSdkError(e: unknown, sdk: SdkModule, serviceId: string, endpoint?: string): StatesError {
  if (!isServiceError(e)) return clientError(e, endpoint);
  const service = javaV2ServiceName(serviceId);
  const name = isModelled(e, sdk) ? withExceptionSuffix(e.name ?? 'Unknown') : `${service}Exception`;
  const meta = e.$metadata ?? {};
  const ext = meta.extendedRequestId !== undefined ? `, Extended Request ID: ${meta.extendedRequestId}` : '';
  const cause = `${e.message ?? ''} (Service: ${service}, Status Code: ${meta.httpStatusCode}, Request ID: ${meta.requestId ?? ''}${ext}) (SDK Attempt Count: 1)`;
  return StatesError.fromService(`${service}.${name}`, cause);
}

/** The Java 1.x names of an optimized integration's service. */
export interface V1ServiceNames {
  /** Error prefix: `DynamoDB`, `SNS`, `SQS`, `Lambda`, `EventBridge`, `StepFunctions`. */
  readonly prefix: string;
  /** `Service:` in the Cause: `AmazonDynamoDBv2`, `AmazonSNS`, `AWSLambda`, … */
  readonly service: string;
  /** The client's base exception, the name of an unmodelled code: `AmazonDynamoDBException`, … */
  readonly baseException: string;
}

export function optimizedError(e: unknown, sdk: SdkModule, names: V1ServiceNames, endpoint?: string): StatesError {
  if (!isServiceError(e)) return clientError(e, endpoint);
  const meta = e.$metadata ?? {};
  const code = e.Code ?? e.name ?? 'Unknown';
  const name = isModelled(e, sdk) ? withExceptionSuffix(e.name ?? code) : names.baseException;
  const cause = `${e.message ?? ''} (Service: ${names.service}; Status Code: ${meta.httpStatusCode}; Error Code: ${code}; Request ID: ${meta.requestId ?? ''}; Proxy: null)`;
  return StatesError.fromService(`${names.prefix}.${name}`, cause);
}
