/**
 * SDK v3 client configuration for the local cloud or any other endpoints (LocalStack, AWS): one
 * endpoint per service, or none to let the SDK decide (its AWS_ENDPOINT_URL_<SERVICE> variables,
 * then AWS itself).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The services of the local tenant cloud, by the key the SDK's endpoint variables use. */
export const SERVICES = ['dynamodb', 's3', 'eventbridge', 'cloudformation', 'stepfunctions', 'sqs', 'sts'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type ServiceEndpoints = Partial<Record<ServiceName, string>>;

/** AWS_ENDPOINT_URL_<SERVICE ID> as the SDKs read it (service id upper-cased, spaces as underscores). */
export const ENDPOINT_VARIABLES: Record<ServiceName, string> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  s3: 'AWS_ENDPOINT_URL_S3',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  cloudformation: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
  stepfunctions: 'AWS_ENDPOINT_URL_SFN',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sts: 'AWS_ENDPOINT_URL_STS',
};

export interface ClientSettings {
  readonly endpoints: ServiceEndpoints;
  readonly region?: string;
  /** Default: `local`/`local` when any endpoint is set, else the SDK's credential chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** More SDK client configuration for clients of an endpoint (the local cloud's in-process transport: InProcessNetwork.clientConfigFor), undefined for the SDK's defaults. */
  readonly clientConfigFor?: (endpoint: string) => object | undefined;
}

export interface CloudClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly eventbridge: EventBridgeClient;
  readonly cloudformation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly sts: STSClient;
  /** The same endpoints with other credentials (a role assumed in a tenant cell); destroyed with these. */
  withCredentials(credentials: NonNullable<ClientSettings['credentials']>): CloudClients;
  destroy(): void;
}

export function createClients(settings: ClientSettings): CloudClients {
  const region = settings.region ?? LOCAL_REGION;
  const common = (service: ServiceName) => {
    const endpoint = settings.endpoints[service];
    const credentials = settings.credentials ?? (endpoint ? LOCAL_CREDENTIALS : undefined);
    const extra = endpoint ? settings.clientConfigFor?.(endpoint) : undefined;
    return {
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      ...extra,
      maxAttempts: 3,
    };
  };
  const clients = {
    dynamodb: new DynamoDBClient(common('dynamodb')),
    // Path-style: a loopback endpoint has no per-bucket host names.
    s3: new S3Client({ ...common('s3'), forcePathStyle: settings.endpoints.s3 !== undefined }),
    eventbridge: new EventBridgeClient(common('eventbridge')),
    cloudformation: new CloudFormationClient(common('cloudformation')),
    sfn: new SFNClient(common('stepfunctions')),
    sqs: new SQSClient(common('sqs')),
    sts: new STSClient(common('sts')),
  };
  const derived: CloudClients[] = [];
  return {
    ...clients,
    withCredentials(credentials) {
      const other = createClients({ ...settings, credentials });
      derived.push(other);
      return other;
    },
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
      for (const other of derived.splice(0)) other.destroy();
    },
  };
}

/** Endpoints named by AWS_ENDPOINT_URL_<SERVICE> (or AWS_ENDPOINT_URL for all) in `env`. */
export function endpointsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ServiceEndpoints {
  const endpoints: ServiceEndpoints = {};
  for (const service of SERVICES) {
    const value = env[ENDPOINT_VARIABLES[service]] ?? env.AWS_ENDPOINT_URL;
    if (value) endpoints[service] = value;
  }
  return endpoints;
}
