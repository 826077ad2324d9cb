/**
 * SDK clients for the pass-through, configured the standard way and safe by default:
 * - endpoint: `passThrough.endpoints[<service>]`, else `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`
 *   (the SDKs' own variables: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
 *   with none, real AWS only when the user allowed it (`serve --aws`, `allowRealAws: true`);
 * - region: `passThrough.region`, `AWS_REGION`, else the engine's region; credentials: `passThrough.credentials`,
 *   else for a configured endpoint the environment's keys or `local`/`local`, else the SDK's default chain;
 * - `maxAttempts: 1`: the state's Retry governs retries, as on AWS;
 * - Task `Credentials: {RoleArn}`: the role is assumed through STS (against the STS endpoint) first,
 *   its credentials cached per role until shortly before they expire.
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html
 * Every call is `timeline.track`-ed: a call in flight holds the simulated clock.
 */
import { StatesError, States } from '../../errors';
import type { Timeline } from '../timeline';
import { endpointId, loadSdkModule, type SdkClient, type SdkModule } from './sdk-modules';

export interface PassThroughOptions {
  /** Endpoint URL per service id as written in Task ARNs: 'dynamodb', 'cloudformation', 'eventbridge', 's3', 'sts', 'sqs', 'sns', 'lambda', … */
  endpoints?: Record<string, string>;
  /** Services without a configured endpoint call real AWS (default false: such a Task fails). */
  allowRealAws?: boolean;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * More SDK client configuration for clients of an endpoint, merged over the pool's own, or
   * undefined for the SDK's defaults: how a host process hands calls to services it runs itself
   * (the local cloud's in-process transport: its `requestHandler`, no socket, and a signer that
   * skips the hashing). Called once per client.
   */
  clientConfigFor?: (endpoint: string) => object | undefined;
}

export interface ClientContext {
  readonly timeline: Timeline;
  /** The engine's region (the default for calls). */
  readonly region: string;
}

/** The HTTP response of a call, for the optimized integrations' SdkHttpMetadata. */
export interface HttpResponseInfo {
  statusCode: number;
  headers: Record<string, string>;
}

export interface ServiceCall {
  readonly sdk: SdkModule;
  readonly serviceId: string;
  readonly endpoint?: string;
  /** Sends `<Action>Command`; resolves with the SDK's output, rejects with the SDK's error. */
  send(action: string, input: object, signal?: AbortSignal): Promise<{ output: Record<string, unknown>; http?: HttpResponseInfo }>;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** Assumed-role credentials are refreshed this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class ClientPool {
  private readonly clients = new Map<string, SdkClient>();
  /** The raw HTTP response of each call's output (for the optimized integrations' SdkHttpMetadata). */
  private readonly responses = new WeakMap<object, HttpResponseInfo>();
  private readonly roles = new Map<string, Promise<{ credentials: Credentials; expires: number }>>();

  constructor(
    private readonly options: PassThroughOptions,
    private readonly context: ClientContext,
  ) {}

  /** The endpoint for a service, or undefined for real AWS; throws when neither is allowed. */
  endpointFor(service: string): string | undefined {
    const id = endpointId(service);
    const env = process.env;
    const configured = this.options.endpoints?.[id] ?? env[`AWS_ENDPOINT_URL_${envName(id)}`] ?? env.AWS_ENDPOINT_URL;
    if (configured) return configured;
    if (this.options.allowRealAws) return undefined;
    throw new StatesError(States.Runtime, notConfigured(id));
  }

  /** Whether a Task for this service would be passed through (an endpoint, or real AWS allowed). */
  isConfigured(service: string): boolean {
    const id = endpointId(service);
    const env = process.env;
    return Boolean(
      this.options.allowRealAws || this.options.endpoints?.[id] || env[`AWS_ENDPOINT_URL_${envName(id)}`] || env.AWS_ENDPOINT_URL,
    );
  }

  /** A call on `service` (as the role, when given), in `region` (the Task ARN's, when it names one). */
  async call(service: string, roleArn?: string, region?: string): Promise<ServiceCall> {
    const sdk = loadSdkModule(service);
    const endpoint = this.endpointFor(service);
    const credentials = roleArn !== undefined ? await this.assumeRole(roleArn) : undefined;
    const client = this.client(sdk, service, endpoint, credentials, region);
    const timeline = this.context.timeline;
    return {
      sdk,
      serviceId: client.config.serviceId ?? service,
      endpoint,
      send: (action, input, signal) => {
        const Command = sdk.command(action);
        if (!Command)
          throw new StatesError(
            States.Runtime,
            `${sdk.packageName} has no ${action} action (no ${action[0].toUpperCase()}${action.slice(1)}Command).`,
          );
        const sent = client
          .send(new Command(input), signal ? { abortSignal: signal } : undefined)
          .then((output: Record<string, unknown>) => ({ output, http: this.responses.get(output) }));
        return timeline.track(sent);
      },
    };
  }

  private client(
    sdk: SdkModule,
    service: string,
    endpoint: string | undefined,
    credentials: Credentials | undefined,
    region: string | undefined,
  ): SdkClient {
    const key = `${sdk.packageName}|${endpoint ?? ''}|${region ?? ''}|${credentials?.accessKeyId ?? ''}|${credentials?.sessionToken ?? ''}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      const config: Record<string, unknown> = {
        region: region ?? this.options.region ?? process.env.AWS_REGION ?? this.context.region,
        maxAttempts: 1,
      };
      if (endpoint !== undefined) {
        config.endpoint = endpoint;
        const extra = this.options.clientConfigFor?.(endpoint);
        if (extra !== undefined) Object.assign(config, extra);
      }
      const creds =
        credentials ??
        (this.options.credentials && { ...this.options.credentials }) ??
        (endpoint !== undefined ? environmentOrLocalCredentials() : undefined);
      if (creds) config.credentials = creds;
      // S3 against a local endpoint: path-style addressing (no bucket.host DNS names on loopback).
      if (service === 's3' && endpoint !== undefined) config.forcePathStyle = true;
      // One resolved middleware stack per command class instead of one per call (the SDK's
      // `cacheMiddleware`). Not for S3: a cached handler shares its context between concurrent
      // calls, and S3's endpoint differs per bucket.
      if (service !== 's3') config.cacheMiddleware = true;
      client = new sdk.Client(config);
      client.middlewareStack.add(captureResponse(this.responses), {
        step: 'deserialize',
        name: 'passThroughResponse',
        priority: 'low',
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private assumeRole(roleArn: string): Promise<Credentials> {
    const now = Date.now();
    let cached = this.roles.get(roleArn);
    if (cached === undefined) {
      cached = this.fetchRole(roleArn);
      this.roles.set(roleArn, cached);
    }
    return cached.then((r) => {
      if (r.expires - REFRESH_MARGIN_MS > now) return r.credentials;
      this.roles.delete(roleArn);
      return this.assumeRole(roleArn);
    });
  }

  private async fetchRole(roleArn: string): Promise<{ credentials: Credentials; expires: number }> {
    try {
      const sts = await this.call('sts');
      const { output } = await sts.send('assumeRole', { RoleArn: roleArn, RoleSessionName: 'StepFunctionsPassThrough' });
      const c = output.Credentials as
        { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string; Expiration?: Date } | undefined;
      if (!c) throw new Error('STS AssumeRole answered without Credentials');
      return {
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
        expires: c.Expiration ? new Date(c.Expiration).getTime() : Number.POSITIVE_INFINITY,
      };
    } catch (e) {
      this.roles.delete(roleArn);
      if (e instanceof StatesError) throw e;
      throw StatesError.fromService(
        States.TaskFailed,
        `Could not assume role ${roleArn} for the Task's Credentials: ${(e as Error).message}`,
      );
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/** `AWS_ENDPOINT_URL_<SERVICE>`: the service id upper-cased, spaces as underscores (DYNAMODB, CLOUDFORMATION, EVENTBRIDGE, S3, SFN, …). */
function envName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function notConfigured(id: string): string {
  return (
    `To call the service instead, configure its endpoint: no endpoint is configured for service '${id}' and calling real AWS was not allowed; ` +
    `set AWS_ENDPOINT_URL_${envName(id)} (or AWS_ENDPOINT_URL), pass passThrough.endpoints.${id} to the Engine, ` +
    `or allow real AWS explicitly (serve --aws, passThrough.allowRealAws: true).`
  );
}

function environmentOrLocalCredentials(): Credentials {
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
  }
  // A fresh object: the SDK annotates the credentials it is given (a frozen one makes it throw).
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

type Handler = (args: unknown) => Promise<{ output?: unknown; response?: { statusCode?: number; headers?: Record<string, string> } }>;
/** A deserialize middleware that keeps the raw HTTP response's status and headers, by the call's output. */
const captureResponse = (sink: WeakMap<object, HttpResponseInfo>) => (next: Handler) => async (args: unknown) => {
  const result = await next(args);
  const r = result.response;
  if (r && typeof result.output === 'object' && result.output !== null) {
    sink.set(result.output, { statusCode: r.statusCode ?? 200, headers: { ...(r.headers ?? {}) } });
  }
  return result;
};
