/**
 * The pass-through resolver: Tasks that no mock and no handler answered call the service itself
 * (aws-sdk integrations, the optimized integrations, a Lambda function ARN), or for
 * `states:startExecution*` the engine itself. A Task whose service has no endpoint configured (and
 * real AWS not allowed) is left unanswered, and the chain's failure says how to configure one.
 */
import type { ResolutionRequest, TaskOutcome, TaskResolver } from '../task-resolution';
import type { Timeline } from '../timeline';
import { awsSdkIntegration } from './aws-sdk';
import { ClientPool, type PassThroughOptions } from './clients';
import {
  isObject,
  type EngineExecutions,
  type Integration,
  type IntegrationCall,
  type IntegrationContext,
  type IntegrationPattern,
} from './integration';
import { isOptimized, optimizedIntegration } from './optimized';
import { stepFunctionsIntegration } from './step-functions';
import { lambdaFunctionIntegration } from './lambda-function';

export type { PassThroughOptions } from './clients';

export interface PassThroughEnvironment {
  readonly timeline: Timeline;
  readonly region: string;
  readonly accountId: string;
  readonly executions: EngineExecutions;
}

interface Route {
  readonly integration: Integration;
  readonly call: Omit<IntegrationCall, 'parameters' | 'roleArn' | 'request'>;
}

export class PassThroughResolver implements TaskResolver {
  private readonly clients: ClientPool;
  private readonly context: IntegrationContext;
  private readonly routes = new Map<string, Route | null>();

  constructor(options: PassThroughOptions, env: PassThroughEnvironment) {
    this.clients = new ClientPool(options, { timeline: env.timeline, region: env.region });
    this.context = { clients: this.clients, timeline: env.timeline, executions: env.executions };
  }

  resolve(request: ResolutionRequest): Promise<TaskOutcome> | undefined {
    const route = this.route(request.resource);
    if (!route) return undefined;
    if (route.call.service !== 'states' && !this.clients.isConfigured(route.call.service)) return undefined;
    const roleArn =
      isObject(request.credentials) && typeof request.credentials.RoleArn === 'string' ? request.credentials.RoleArn : undefined;
    return route.integration({ ...route.call, parameters: request.parameters, roleArn, request }, this.context);
  }

  /** Why a Task this resolver could pass through was not: no endpoint configured (for the chain's failure). */
  unansweredHint(request: ResolutionRequest): string | undefined {
    const route = this.route(request.resource);
    if (!route || route.call.service === 'states') return undefined;
    try {
      this.clients.endpointFor(route.call.service);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  close(): void {
    this.clients.close();
  }

  private route(resource: string): Route | null {
    let route = this.routes.get(resource);
    if (route === undefined) {
      route = parseRoute(resource);
      if (this.routes.size < 5000) this.routes.set(resource, route);
    }
    return route;
  }
}

/** Splits a Task Resource ARN into the integration that serves it. */
function parseRoute(resource: string): Route | null {
  const parts = resource.split(':');
  const region = parts[3] || undefined;
  if (parts[2] === 'lambda' && parts[5] === 'function') {
    return { integration: lambdaFunctionIntegration, call: { service: 'lambda', action: 'invoke', pattern: 'request-response', region } };
  }
  if (parts[2] !== 'states' || parts[5] === 'activity' || parts.length < 7) return null;
  const rest = parts.slice(5);
  const sdk = rest[0] === 'aws-sdk';
  const service = sdk ? rest[1] : rest[0];
  const tail = (sdk ? rest.slice(2) : rest.slice(1)).join(':');
  const m = /^([A-Za-z0-9]+)(?:\.(sync(?::2)?|waitForTaskToken))?$/.exec(tail);
  if (!service || !m) return null;
  const action = m[1];
  const pattern = (m[2] ?? 'request-response') as IntegrationPattern;
  const call = { service, action, pattern, region };
  if (sdk) return { integration: awsSdkIntegration, call };
  if (service === 'states') return { integration: stepFunctionsIntegration, call };
  if (isOptimized(service, action)) return { integration: optimizedIntegration, call };
  return null;
}
