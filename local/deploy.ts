/**
 * Deploys the synthesized CDK app onto the local services (or any endpoints: LocalStack, AWS), the
 * way `cdk deploy` would have CloudFormation create it: every resource of the synthesized
 * `TenantManagementStack` template in dependency order, its properties resolved (Ref, Fn::GetAtt,
 * Fn::Join, Fn::Sub, pseudo parameters) against the resources created before it, and created through
 * the SDK. The template is the one source of truth: table keys, bucket versioning and notifications,
 * rules with their patterns, targets and retry policies, state machine definitions with their
 * DefinitionSubstitutions, the tenant template object of the BucketDeployment. Types the local cloud
 * has no service for are recorded (IAM: their ARNs are passed on) or skipped, each with its reason.
 */
import { createHash } from 'node:crypto';
import type { CloudClients } from './deploy/clients';
import { pseudoParameterValues, referencedLogicalIds, resolveValue, TemplateResolveError, type ResolveContext } from './deploy/resolve';
import { generatedName, RESOURCE_TYPES, type DeployAction, type StackEnvironment } from './deploy/resource-types';
import { synthesizeApp, type CfnResource, type CloudAssembly, type SynthesizedStack } from './deploy/synth';

export const MANAGEMENT_STACK_NAME = 'TenantManagementStack';

export interface DeployOptions {
  readonly clients: CloudClients;
  readonly region: string;
  readonly accountId: string;
  readonly partition?: string;
  readonly stackName?: string;
  /** An assembly already synthesized; default: synthesize the app now (cached by source hash). */
  readonly assembly?: CloudAssembly;
  /** Values of template parameters (default: each parameter's Default). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The record of the last deployment: custom resources whose properties did not change are not run again. */
  readonly previous?: DeployRecord;
  readonly log?: (line: string) => void;
}

export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly action: DeployAction;
  readonly note?: string;
  readonly details?: Record<string, string>;
}

/** What a later deployment needs to know about this one (kept with the cloud's data). */
export interface DeployRecord {
  readonly stackName: string;
  readonly resources: Record<string, { type: string; physicalId: string; propertiesHash: string }>;
}

export interface DeploySummary {
  readonly stackName: string;
  readonly stackId: string;
  readonly resources: readonly DeployedResource[];
  /** The template's Outputs, resolved (EventBusName, TemplateBucketName, TenantTableName, <Workflow>StateMachineArn). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Template sections that are not resources and were not applied, with the reason. */
  readonly ignored: readonly string[];
  readonly record: DeployRecord;
  readonly template: SynthesizedStack;
}

export async function deployManagementStack(options: DeployOptions): Promise<DeploySummary> {
  const stackName = options.stackName ?? MANAGEMENT_STACK_NAME;
  const log = options.log ?? (() => undefined);
  const assembly = options.assembly ?? (await synthesizeApp({ log }));
  const stack = assembly.stack(stackName);
  const template = stack.template;
  const env: StackEnvironment = { stackName, region: options.region, accountId: options.accountId, partition: options.partition ?? 'aws' };
  const stackId = `arn:${env.partition}:cloudformation:${env.region}:${env.accountId}:stack/${stackName}/${uuidFrom(`${env.accountId}/${env.region}/${stackName}`)}`;
  const pseudo = pseudoParameterValues({ ...env, stackId });

  const physicalIds = new Map<string, string>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
  const resolvedProperties = new Map<string, Record<string, any>>();
  const conditionCache = new Map<string, boolean>();
  const context: ResolveContext = {
    ref(name) {
      if (name in pseudo) return pseudo[name];
      if (template.Parameters && name in template.Parameters) return parameterValue(name);
      const resource = template.Resources[name];
      if (!resource) throw new Error(`Ref to '${name}', which is neither a parameter nor a resource of ${stackName}`);
      const physicalId = physicalIds.get(name);
      if (physicalId === undefined) throw new Error(`Ref to '${name}' before it was created (dependency order)`);
      return RESOURCE_TYPES[resource.Type]?.ref?.(physicalId, env, resolvedProperties.get(name) ?? {}) ?? physicalId;
    },
    getAtt(logicalId, attribute) {
      const resource = template.Resources[logicalId];
      const physicalId = physicalIds.get(logicalId);
      if (!resource || physicalId === undefined) throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: no such resource created yet`);
      const value = RESOURCE_TYPES[resource.Type]?.attributes?.(physicalId, env, resolvedProperties.get(logicalId) ?? {})[attribute];
      if (value === undefined)
        throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: the local deployer knows no attribute ${attribute} of ${resource.Type}`);
      return value;
    },
    condition(name) {
      if (!conditionCache.has(name)) {
        const definition = template.Conditions?.[name];
        if (definition === undefined) throw new Error(`condition '${name}' is not defined in the template`);
        const value = resolveValue(definition, context, `Conditions.${name}`);
        if (typeof value !== 'boolean') throw new Error(`condition '${name}' does not evaluate to true or false`);
        conditionCache.set(name, value);
      }
      return conditionCache.get(name)!;
    },
  };
  function parameterValue(name: string): string {
    const parameter = template.Parameters![name];
    const value = options.parameters?.[name] ?? (parameter.Type.startsWith('AWS::SSM::Parameter::') ? undefined : parameter.Default);
    if (value === undefined) {
      throw new Error(
        parameter.Type.startsWith('AWS::SSM::Parameter::')
          ? `parameter ${name} is read from SSM (${parameter.Type}), which the local cloud does not have; pass it in parameters`
          : `parameter ${name} has no value and no Default`,
      );
    }
    return String(value);
  }

  const ignored: string[] = [];
  if (template.Rules && Object.keys(template.Rules).length > 0) {
    ignored.push(
      `Rules (${Object.keys(template.Rules).join(', ')}): they check the CDK bootstrap version in SSM; the local deployment needs no bootstrap stack`,
    );
  }

  const resources: DeployedResource[] = [];
  const record: DeployRecord = { stackName, resources: {} };
  for (const logicalId of creationOrder(template.Resources)) {
    const resource = template.Resources[logicalId];
    const type = RESOURCE_TYPES[resource.Type];
    if (resource.Condition !== undefined && !context.condition!(resource.Condition)) {
      resources.push({
        logicalId,
        type: resource.Type,
        physicalId: '',
        action: 'skipped',
        note: `condition ${resource.Condition} is false`,
      });
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
    let properties: Record<string, any>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
      properties = (resolveValue(resource.Properties ?? {}, context, `Resources.${logicalId}.Properties`) ?? {}) as Record<string, any>;
    } catch (error) {
      if (error instanceof TemplateResolveError) throw error;
      throw new Error(`Resources.${logicalId}: ${(error as Error).message}`);
    }
    resolvedProperties.set(logicalId, properties);
    const physicalId =
      type?.givenName?.(properties) ??
      (type?.generated
        ? generatedName(env, logicalId, type.generated.maxLength, type.generated.lowerCase)
        : `${logicalId}-${hash(logicalId + stackId, 12)}`);
    physicalIds.set(logicalId, physicalId);
    const propertiesHash = hash(JSON.stringify(properties), 16);
    record.resources[logicalId] = { type: resource.Type, physicalId, propertiesHash };

    if (!type) {
      resources.push({ logicalId, type: resource.Type, physicalId, action: 'skipped', note: `no local provisioner for ${resource.Type}` });
      continue;
    }
    if (!type.provision) {
      resources.push({
        logicalId,
        type: resource.Type,
        physicalId,
        action: type.withoutProvision!.action,
        note: type.withoutProvision!.reason,
      });
      continue;
    }
    // CloudFormation runs a custom resource again only when its properties change.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html
    const previous = options.previous?.resources[logicalId];
    if (resource.Type.startsWith('Custom::') && previous && previous.propertiesHash === propertiesHash) {
      resources.push({
        logicalId,
        type: resource.Type,
        physicalId,
        action: 'unchanged',
        note: 'custom resource properties unchanged since the last deployment',
      });
      continue;
    }
    try {
      const result = await type.provision({ logicalId, physicalId, properties, env, clients: options.clients, stack });
      resources.push({ logicalId, type: resource.Type, physicalId, ...result });
    } catch (error) {
      throw new Error(
        `deploying ${logicalId} (${resource.Type} ${physicalId}) failed: ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
  }

  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    outputs[name] = String(resolveValue(output.Value, context, `Outputs.${name}.Value`));
  }
  return { stackName, stackId, resources, outputs, ignored, record, template: stack };
}

/**
 * Dependencies first (Ref, Fn::GetAtt, Fn::Sub and DependsOn), otherwise template order. Throws on a
 * cycle, as CloudFormation refuses a circular template.
 */
export function creationOrder(resources: Record<string, CfnResource>): string[] {
  const ids = Object.keys(resources);
  const dependencies = new Map<string, Set<string>>();
  for (const id of ids) {
    const refs = referencedLogicalIds(resources[id].Properties ?? {});
    for (const dep of [resources[id].DependsOn ?? []].flat()) refs.add(dep);
    dependencies.set(id, new Set([...refs].filter((ref) => ref in resources && ref !== id)));
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, chain: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`circular dependency between resources: ${[...chain, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const dep of dependencies.get(id)!) visit(dep, [...chain, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id, []);
  return order;
}

/** Lines for the deploy summary: what was created, what was recorded or skipped and why. */
export function formatDeploySummary(summary: DeploySummary): string[] {
  const lines: string[] = [];
  const by = (actions: DeployAction[]) => summary.resources.filter((r) => actions.includes(r.action));
  const created = by(['created', 'exists', 'updated', 'unchanged']);
  lines.push(
    `${summary.stackName}: ${created.length} resources on the local services, ${by(['recorded']).length} recorded, ${by(['skipped']).length} skipped`,
  );
  for (const r of created) {
    lines.push(`  ${r.action.padEnd(9)} ${r.type.padEnd(34)} ${r.physicalId}${r.details ? `  ${Object.values(r.details).join(' ')}` : ''}`);
  }
  const grouped = new Map<string, string[]>();
  for (const r of by(['recorded', 'skipped'])) {
    const key = `${r.action} ${r.type}: ${r.note ?? ''}`;
    grouped.set(key, [...(grouped.get(key) ?? []), r.logicalId]);
  }
  for (const [key, ids] of grouped) lines.push(`  ${key} (${ids.length})`);
  for (const line of summary.ignored) lines.push(`  ignored  ${line}`);
  return lines;
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function uuidFrom(seed: string): string {
  const h = hash(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * `npx tsx local/deploy.ts`: deploys onto the endpoints named by AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> (LocalStack, say) and writes the state file the CLI reads
 * (`--state FILE`, default .local-cloud/endpoints.json). Refuses to run without endpoints: on AWS,
 * deploy with `npx cdk deploy`, which CloudFormation tracks.
 */
async function main(argv: readonly string[]): Promise<number> {
  const { createClients, endpointsFromEnvironment } = await import('./deploy/clients');
  const { writeStateFile, ENDPOINTS_FILE } = await import('./cli/state-file');
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const stateAt = argv.indexOf('--state');
  const statePath = stateAt >= 0 ? argv[stateAt + 1] : ENDPOINTS_FILE;
  if (stateAt >= 0 && !statePath) throw new Error('--state needs a file name');
  const endpoints = endpointsFromEnvironment();
  if (Object.keys(endpoints).length === 0) {
    throw new Error(
      'no endpoints: set AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>); on AWS itself use `npx cdk deploy TenantManagementStack`',
    );
  }
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const clients = createClients({ endpoints, region });
  // The account from --account, else from STS at the given endpoints (never from AWS itself).
  const accountAt = argv.indexOf('--account');
  const stsEndpoint = process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL;
  if (accountAt < 0 && !stsEndpoint) {
    throw new Error('pass --account ID, or set AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL) so the account can be asked');
  }
  const sts = new STSClient({ region, endpoint: stsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const Account = accountAt >= 0 ? argv[accountAt + 1] : (await sts.send(new GetCallerIdentityCommand({}))).Account;
    const summary = await deployManagementStack({
      clients,
      region,
      accountId: Account ?? '000000000000',
      log: (line) => console.log(line),
    });
    for (const line of formatDeploySummary(summary)) console.log(line);
    const key = Object.values(summary.template.template.Resources)
      .map((r) => (r.Properties?.DefinitionSubstitutions as Record<string, unknown> | undefined)?.TemplateObjectKey)
      .find((k): k is string => typeof k === 'string');
    const written = writeStateFile(
      { region, accountId: Account ?? '', endpoints, outputs: summary.outputs, templateObjectKey: key ?? '' },
      {},
      statePath,
    );
    console.log(`state for \`npm run tenants -- --state ${written}\` written to ${written}`);
    return 0;
  } finally {
    clients.destroy();
    sts.destroy();
  }
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`deploy: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
