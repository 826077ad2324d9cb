/**
 * The local tenant cloud: every service the tenant workflows use, in one process, on loopback, on ONE
 * shared time line, with the synthesized CDK app deployed onto them.
 *
 *   Step Functions   the project's engine (emulator/), its API server, SDK pass-through to the services below
 *   DynamoDB         dynalite (local/dynamodb.ts)
 *   S3               LocalS3: versioning, EventBridge notifications (local/s3/)
 *   EventBridge      LocalEventBridge: buses, rules, targets; Step Functions targets call the engine's endpoint
 *   CloudFormation   LocalCloudFormation: tenant stacks, provisioned into the local DynamoDB (local/cloudformation/)
 *
 * Services find each other only by endpoint, through the SDK, except AWS service events (S3,
 * CloudFormation -> EventBridge), which go through ServiceEventSink as the contract says.
 * With `dataDir`, DynamoDB, S3, EventBridge and CloudFormation keep their state there, and the
 * deployment record (what a later deploy must not run again) too: a restart keeps tenants, stacks
 * and template versions.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DescribeStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../emulator/runtime/engine';
import { startServer, type RunningServer } from '../emulator/api/server';
import { RealTimeline, VirtualTimeline, type Timeline } from '../emulator/runtime/timeline';
import { LocalCloudFormation, type LocalCloudFormationOptions } from './cloudformation';
import { startDynamo, type LocalDynamo } from './dynamodb';
import { LocalEventBridge } from './eventbridge';
import { LocalS3 } from './s3';
import { LocalSqs } from './sqs';
import { LocalSts } from './sts';
import { CloudFormationAccounts } from './cloudformation/accounts';
import { synthesizeApp } from './deploy/synth';
import { InProcessNetwork, type NodeRequestHandler } from './in-process';
import { createClients, LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION, type CloudClients, type ServiceName } from './deploy/clients';
import { deployManagementStack, MANAGEMENT_STACK_NAME, type DeployRecord, type DeploySummary } from './deploy';
import type { CloudAssembly } from './deploy/synth';
import type { StackInfo } from './cli/operations';

export interface LocalCloudOptions {
  /** Persist the services' state here (default: in memory). */
  readonly dataDir?: string;
  /** Waits take wall-clock time (default: the simulated, discrete-event time line). */
  readonly realTime?: boolean;
  /** The time line to share (tests pass their own VirtualTimeline); overrides realTime. */
  readonly timeline?: Timeline;
  /** Fixed ports per service (default: ephemeral). */
  readonly ports?: Partial<Record<ServiceName, number>>;
  readonly host?: string;
  readonly region?: string;
  readonly accountId?: string;
  /** A synthesized assembly to deploy (default: synthesize the CDK app, cached by source hash). */
  readonly assembly?: CloudAssembly;
  /** CloudFormation behaviour (durations, failures, throttling) as LocalCloudFormation takes it. */
  readonly behaviour?: ConstructorParameters<typeof LocalCloudFormation>[0]['behaviour'];
  /** More LocalCloudFormation options (large simulated fleets: lighter providers, no resource events, bounded event logs). */
  readonly cloudformation?: Pick<
    LocalCloudFormationOptions,
    'providers' | 'resourceStatusEvents' | 'maxEventsPerStack' | 'cacheVersionedTemplates'
  >;
  /**
   * Tenant cells: 1 (default) is the home cell only, the management account, as before cells
   * existed; 2 or more adds accounts 210000000001, 210000000002, ... each with its own local
   * CloudFormation behind the one endpoint (local/cloudformation/accounts.ts), the management stack
   * synthesized with them (TENANT_CELLS for infra/app.ts). Ignored with `assembly`.
   */
  readonly cells?: number;
  /** Engine options (large simulated fleets: retention of closed executions). */
  readonly engine?: Pick<EngineOptions, 'retention'>;
  /**
   * How SDK clients in this process (the engine's pass-through, the services' own clients, `clients`)
   * reach the services: 'in-process' (default) hands the SDK's serialized request to the service's
   * HTTP handler without a socket (local/in-process.ts); 'http' goes over loopback sockets. The
   * services listen on their ports either way (the CLI, `aws --endpoint-url`).
   */
  readonly transport?: 'in-process' | 'http';
  /**
   * Run dynalite in a worker thread, on another core than the engine (default false: on this 2-core
   * machine the hop to the worker cost about what it moved off the main thread; the fleet bench's
   * wall time did not improve and RSS grew by ~40 MiB).
   */
  readonly dynamodbWorker?: boolean;
  readonly log?: (line: string) => void;
}

export interface LocalCloud {
  readonly timeline: Timeline;
  readonly region: string;
  readonly accountId: string;
  readonly endpoints: Readonly<Record<ServiceName, string>>;
  readonly engine: Engine;
  readonly services: {
    /** dynalite with its fault plan (local/dynamodb.ts). */
    readonly dynamodb: LocalDynamo;
    readonly s3: LocalS3;
    readonly eventbridge: LocalEventBridge;
    /** The home cell's (the management account's) CloudFormation. */
    readonly cloudformation: LocalCloudFormation;
    /** Every cell's CloudFormation by account (the home cell's included), behind `endpoints.cloudformation`. */
    readonly cells: CloudFormationAccounts;
    /** AssumeRole for the cells' deployer roles; its keys tell the cells' CloudFormation apart. */
    readonly sts: LocalSts;
    readonly stepfunctions: RunningServer;
    /** Dead-letter queues of rule targets. */
    readonly sqs: LocalSqs;
  };
  /** SDK clients on the local endpoints. */
  readonly clients: CloudClients;
  /** The cells the workflows place tenants in (as deployed: the create-tenant definition's), the home cell first. */
  readonly tenantCells: readonly LocalCell[];
  /** The management stack's deployment. */
  readonly deployment: DeploySummary;
  /** Endpoints and stack outputs, as the CLI and the demo use them. */
  readonly info: StackInfo;
  /** True when the data directory held an earlier deployment (tenants, stacks and versions were restored). */
  readonly restored: boolean;
  /** Makes the next creation of `stackName` (in any cell) fail at `logicalResourceId` (and roll back), with `reason`. */
  failStackCreation(stackName: string, logicalResourceId: string, reason: string): void;
  /** Every update of this stack fails at this resource and rolls back (a release that breaks one tenant), in any cell. */
  failStackUpdates(stackName: string, logicalResourceId: string, reason: string): void;
  /** Resolves once nothing runs or waits on the simulated time line (virtual mode only). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** One tenant cell as the workflows see it (infra/config.ts ResolvedCell). */
export interface LocalCell {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string;
  readonly open: boolean;
}

/** The accounts of the extra local cells: 210000000001, 210000000002, ... */
export function localCellAccount(index: number): string {
  return `21${String(index).padStart(10, '0')}`;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const timeline = options.timeline ?? (options.realTime ? new RealTimeline() : new VirtualTimeline());
  const dir = (name: string) => {
    if (!options.dataDir) return undefined;
    const path = join(options.dataDir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const network = options.transport === 'http' ? undefined : new InProcessNetwork();
  const clientConfigFor = network && ((endpoint: string) => network.clientConfigFor(endpoint));
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    closers.length = 0;
  };

  try {
    const dynamodb = await startDynamo({
      dataDir: dir('dynamodb'),
      port: options.ports?.dynamodb ?? 0,
      host,
      network,
      worker: options.dynamodbWorker ?? false,
    });
    closers.push(() => dynamodb.close());

    const sqs = new LocalSqs({ timeline, region, accountId });
    const sqsEndpoint = await sqs.listen(options.ports?.sqs ?? 0, host);
    closers.push(() => sqs.close());

    const eventbridge = new LocalEventBridge({ timeline, region, accountId, dataDir: dir('eventbridge'), network });
    const eventbridgeEndpoint = await eventbridge.listen(options.ports?.eventbridge ?? 0, host);
    closers.push(() => eventbridge.close());

    const s3 = new LocalS3({ timeline, region, accountId, events: eventbridge, dataDir: dir('s3'), network });
    const s3Endpoint = await s3.listen(options.ports?.s3 ?? 0, host);
    closers.push(() => s3.close());

    const sts = new LocalSts({ timeline, region, accountId });
    const stsEndpoint = await sts.listen(0, host);
    closers.push(() => sts.close());

    // One CloudFormation per cell account. A cell's stack status events reach the management
    // account's default bus, as its cell stack's forwarding rule sends them (infra/cell-stack.ts):
    // the local EventBridge is that bus, and the events keep the cell's account.
    const cellCount = options.assembly ? 1 : Math.max(1, options.cells ?? 1);
    const extraCells = Array.from({ length: cellCount - 1 }, (_, i) => ({
      name: `cell-${i + 1}`,
      accountId: localCellAccount(i + 1),
      region,
    }));
    const cellServices = [accountId, ...extraCells.map((cell) => cell.accountId)].map(
      (cellAccount) =>
        new LocalCloudFormation({
          timeline,
          region,
          accountId: cellAccount,
          endpoints: { s3: s3Endpoint, dynamodb: dynamodb.endpoint },
          events: eventbridge,
          dataDir: dir(cellAccount === accountId ? 'cloudformation' : `cloudformation-${cellAccount}`),
          behaviour: options.behaviour,
          network,
          ...options.cloudformation,
        }),
    );
    const cloudformation = cellServices[0];
    const ownEndpoint = await cloudformation.listen(cellCount === 1 ? (options.ports?.cloudformation ?? 0) : 0, host);
    for (const service of cellServices.slice(1)) await service.listen(0, host);
    for (const service of cellServices) closers.push(() => service.close());
    const cells = new CloudFormationAccounts({ accountOf: (key) => sts.accountOf(key), services: cellServices });
    // One cell: its own endpoint (no front end on the calls' path); more: the front end by account.
    const cloudformationEndpoint = cellCount === 1 ? ownEndpoint : await cells.listen(options.ports?.cloudformation ?? 0, host);
    if (cellCount > 1) closers.push(() => cells.close());

    const passThroughEndpoints: Record<string, string> = {
      dynamodb: dynamodb.endpoint,
      s3: s3Endpoint,
      eventbridge: eventbridgeEndpoint,
      cloudformation: cloudformationEndpoint,
      sqs: sqsEndpoint,
      sts: stsEndpoint,
    };
    const engine = new Engine({
      ...options.engine,
      region,
      accountId,
      timeline,
      passThrough: {
        endpoints: passThroughEndpoints,
        region,
        credentials: LOCAL_CREDENTIALS,
        clientConfigFor,
      },
    });
    closers.push(async () => engine.close());
    const stepfunctions = await startServer({ engine, port: options.ports?.stepfunctions ?? 0, host });
    closers.push(() => stepfunctions.close());
    if (network) {
      // The engine's API server (emulator/api) answers in process too: EventBridge's StartExecution targets, `clients.sfn`.
      const stop = network.serve(stepfunctions.url, stepfunctions.server.listeners('request')[0] as NodeRequestHandler);
      closers.push(async () => stop());
    }
    eventbridge.setEndpoints({ sfn: stepfunctions.url, sqs: sqsEndpoint });
    // Tasks calling Step Functions itself through the SDK (the stack-events relay's SendTaskSuccess)
    // go to this engine's API server, known only now that it listens.
    passThroughEndpoints.sfn = stepfunctions.url;

    const endpoints: Record<ServiceName, string> = {
      stepfunctions: stepfunctions.url,
      dynamodb: dynamodb.endpoint,
      s3: s3Endpoint,
      eventbridge: eventbridgeEndpoint,
      cloudformation: cloudformationEndpoint,
      sqs: sqsEndpoint,
      sts: stsEndpoint,
    };
    const clients = createClients({ endpoints, region, credentials: LOCAL_CREDENTIALS, clientConfigFor });
    closers.push(async () => clients.destroy());
    log(
      `local services up: ${Object.entries(endpoints)
        .map(([s, u]) => `${s} ${u}`)
        .join(', ')}`,
    );

    const recordPath = options.dataDir ? join(options.dataDir, 'deployments', `${MANAGEMENT_STACK_NAME}.json`) : undefined;
    const previous = recordPath && existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as DeployRecord) : undefined;
    const restored = previous !== undefined;
    log(`deploying ${MANAGEMENT_STACK_NAME} onto the local services${previous ? ' (update of the deployment kept in the data dir)' : ''}`);
    const assembly =
      options.assembly ??
      (extraCells.length > 0 ? await synthesizeApp({ env: { TENANT_CELLS: JSON.stringify(extraCells) }, log }) : undefined);
    const deployment = await deployManagementStack({ clients, region, accountId, assembly, previous, log });
    // The cells as the workflows got them; each cell's deployer role trusts the management account
    // (what its cell stack, or the management stack for the home cell, sets up).
    const tenantCells = await deployedCells(clients);
    for (const cell of tenantCells) sts.addRole(cell.roleArn, [accountId]);
    if (recordPath) {
      mkdirSync(join(options.dataDir!, 'deployments'), { recursive: true });
      writeFileSync(recordPath, `${JSON.stringify(deployment.record, null, 2)}\n`);
    }
    const templateObjectKey = templateKeyOf(deployment);
    const info: StackInfo = { region, accountId, endpoints, outputs: deployment.outputs, templateObjectKey };

    return {
      timeline,
      region,
      accountId,
      endpoints,
      engine,
      services: { dynamodb, s3, eventbridge, cloudformation, cells, sts, stepfunctions, sqs },
      clients,
      tenantCells,
      deployment,
      info,
      restored,
      failStackCreation(stackName, logicalResourceId, reason) {
        // In whichever cell the stack is created.
        for (const service of cellServices) {
          service.behaviour.addStackRule({
            stackName,
            operations: ['create'],
            failResource: logicalResourceId,
            failureReason: reason,
            times: 1,
          });
        }
      },
      failStackUpdates(stackName, logicalResourceId, reason) {
        for (const service of cellServices) {
          service.behaviour.addStackRule({ stackName, operations: ['update'], failResource: logicalResourceId, failureReason: reason });
        }
      },
      idle: () => idle(timeline),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The TenantCells the deployed create-tenant workflow places tenants in (its "Load cells" state). */
async function deployedCells(clients: CloudClients): Promise<LocalCell[]> {
  const { stateMachines } = await clients.sfn.send(new ListStateMachinesCommand({}));
  const createTenant = stateMachines?.find((machine) => machine.name?.endsWith('-create-tenant'));
  if (!createTenant?.stateMachineArn) throw new Error('the deployed management stack has no create-tenant state machine');
  const { definition } = await clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: createTenant.stateMachineArn }));
  const cells = (JSON.parse(definition ?? '{}') as { States?: Record<string, { Parameters?: { all?: LocalCell[] } }> }).States?.[
    'Load cells'
  ]?.Parameters?.all;
  if (!Array.isArray(cells) || cells.length === 0)
    throw new Error('the deployed create-tenant workflow names no tenant cells (its Load cells state)');
  return cells;
}

/** The key the BucketDeployment wrote the tenant template to (from the synthesized template, not a constant). */
function templateKeyOf(deployment: DeploySummary): string {
  const resources = deployment.template.template.Resources;
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const key = (resource.Properties?.DefinitionSubstitutions as Record<string, unknown> | undefined)?.TemplateObjectKey;
    if (typeof key === 'string') return key;
  }
  throw new Error('no state machine of the management stack names TemplateObjectKey in its DefinitionSubstitutions');
}

/** Virtual time line: nothing held and no timer pending for a few macrotask turns (at most `timeoutMs` of wall time). */
async function idle(timeline: Timeline, timeoutMs = 30_000): Promise<void> {
  if (!(timeline instanceof VirtualTimeline)) throw new Error('idle() needs the simulated (virtual) time line');
  const deadline = Date.now() + timeoutMs;
  let quietTurns = 0;
  while (quietTurns < 5) {
    if (Date.now() > deadline) {
      throw new Error(
        `the local cloud is still busy after ${timeoutMs} ms: ${timeline.pendingTimers} timers pending, ${timeline.heldWork} calls in flight`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
    quietTurns = timeline.pendingTimers === 0 && timeline.heldWork === 0 ? quietTurns + 1 : 0;
  }
}
