/**
 * Which `@aws-sdk/client-*` package serves a service named in a Task ARN, loaded on demand: the
 * engine depends on no client until a Task calls its service.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { StatesError, States } from '../../errors';

/** ARN service ids (`aws-sdk:<id>:…` and the optimized integrations' ids) whose package name differs. */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  events: 'eventbridge',
  states: 'sfn',
  stepfunctions: 'sfn',
  cloudwatchlogs: 'cloudwatch-logs',
  cloudwatchevents: 'cloudwatch-events',
  elasticloadbalancingv2: 'elastic-load-balancing-v2',
  elasticloadbalancing: 'elastic-load-balancing',
  apigateway: 'api-gateway',
  apigatewayv2: 'apigatewayv2',
  secretsmanager: 'secrets-manager',
  eventbridgescheduler: 'scheduler',
  sesv2: 'sesv2',
};

/** The ARN id under which endpoints are configured (`passThrough.endpoints`), for aliases. */
const ENDPOINT_ID_OF: Readonly<Record<string, string>> = { events: 'eventbridge', states: 'sfn', stepfunctions: 'sfn' };

export function endpointId(service: string): string {
  return ENDPOINT_ID_OF[service] ?? service;
}

export function packageName(service: string): string {
  return `@aws-sdk/client-${PACKAGE_OF[service] ?? service}`;
}

/** What the engine uses of a client package. */
export interface SdkModule {
  readonly packageName: string;
  readonly Client: new (config: object) => SdkClient;
  /** The service's base exception: errors of exactly this class are codes the service does not model. */
  readonly ServiceException: new (...args: never[]) => Error;
  /** `<Action>Command`, or undefined when the service has no such action. */
  command(action: string): (new (input: object) => object) | undefined;
  /** The operation's schema (`<Action>$`, smithy's static schema), when the package exposes one. */
  operationSchema(action: string): unknown;
  /** `require` from the package's own location (for its @smithy/* dependencies). */
  requireFromPackage(id: string): unknown;
}

export interface SdkClient {
  send(command: object, options?: { abortSignal?: unknown }): Promise<Record<string, unknown>>;
  readonly config: { serviceId?: string };
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: string; name?: string; priority?: string }): void;
  };
  destroy(): void;
}

const loaded = new Map<string, SdkModule | Error>();

/** Loads the client package for an ARN service id; a missing package is a TaskFailed naming it. */
export function loadSdkModule(service: string): SdkModule {
  const name = packageName(service);
  let m = loaded.get(name);
  if (m === undefined) {
    m = load(name);
    loaded.set(name, m);
  }
  if (m instanceof Error) throw m;
  return m;
}

function load(name: string): SdkModule | Error {
  let exports: Record<string, unknown>;
  let resolved: string;
  try {
    resolved = require.resolve(name);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand by path
    exports = require(resolved) as Record<string, unknown>;
  } catch {
    return StatesError.fromService(
      States.TaskFailed,
      `The AWS SDK client for this service is not installed: npm install ${name} (the engine loads @aws-sdk/client-<service> on demand).`,
    );
  }
  const keys = Object.keys(exports);
  const clientKey = keys.find((k) => k.endsWith('Client') && !k.startsWith('__') && typeof exports[k] === 'function');
  const baseKey = keys.find((k) => k.endsWith('ServiceException') && typeof exports[k] === 'function');
  if (!clientKey || !baseKey) return StatesError.fromService(States.TaskFailed, `${name} does not look like an AWS SDK v3 client package.`);
  return {
    packageName: name,
    Client: exports[clientKey] as SdkModule['Client'],
    ServiceException: exports[baseKey] as SdkModule['ServiceException'],
    command(action) {
      const c = exports[`${pascalCase(action)}Command`];
      return typeof c === 'function' ? (c as new (input: object) => object) : undefined;
    },
    operationSchema(action) {
      return exports[`${pascalCase(action)}$`];
    },
    requireFromPackage(id) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand by path
      return require(require.resolve(id, { paths: [resolved] }));
    },
  };
}

/** `putItem` → `PutItem` (ARN actions are camelCase, SDK commands PascalCase). */
export function pascalCase(action: string): string {
  return action.length === 0 ? action : action[0].toUpperCase() + action.slice(1);
}
