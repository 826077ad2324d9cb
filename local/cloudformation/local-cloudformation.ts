/**
 * LocalCloudFormation: the CloudFormation API subset the tenant lifecycle uses, on a loopback port,
 * speaking the AWS Query protocol so `@aws-sdk/client-cloudformation` and `aws --endpoint-url` work
 * against it. Stacks really provision their resources (DynamoDB tables in the local DynamoDB, IAM
 * entities in an in-process registry), on the shared time line.
 *
 * Actions: CreateStack, UpdateStack, DeleteStack, DescribeStacks, DescribeStackEvents,
 * DescribeStackResources, ListStackResources, ListStacks, ContinueUpdateRollback, CancelUpdateStack,
 * GetTemplate, GetTemplateSummary, ValidateTemplate, DescribeAccountLimits
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html).
 */
import { createHash, randomUUID } from 'node:crypto';
import { flatRandomUUID } from '../ids';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timeline } from '../../emulator/runtime/timeline';
import type { ServiceEvent, ServiceEventSink } from '../service-events';
import type { InProcessNetwork } from '../in-process';
import { BehaviourController, type CloudFormationBehaviour } from './behaviour';
import {
  alreadyExists,
  cannotBeDeleted,
  cannotBeUpdated,
  CloudFormationError,
  constraintViolation,
  insufficientCapabilities,
  noUpdates,
  stackDoesNotExist,
  stackWithIdDoesNotExist,
  tokenAlreadyExists,
  validationError,
} from './errors';
import { partitionOf } from './intrinsics';
import { resolveParameters, type RequestParameter } from './parameters';
import { StatePersistence, type TokenEntry } from './persistence';
import { DynamoDbTableProvider } from './providers/dynamodb-table';
import { IamManagedPolicyProvider, IamPolicyProvider, IamRoleProvider } from './providers/iam';
import { IamRegistry } from './providers/iam-registry';
import type { ResourceProvider } from './providers/provider';
import {
  booleanOf,
  decodeQueryBody,
  errorXml,
  listOf,
  resultXml,
  stringOf,
  type QueryParams,
  type QueryValue,
  type XmlValue,
} from './query-protocol';
import { isInProgress, UPDATABLE, type Deployment, type StackRecord, type StackStatus } from './stack-model';
import { StackOperations } from './stack-operations';
import { parseTemplate, requiredCapability, type Template } from './template';
import { TemplateSource } from './template-source';

export interface LocalCloudFormationOptions {
  readonly timeline: Timeline;
  readonly region?: string;
  readonly accountId?: string;
  /** Endpoints of the services the stacks' resources live in (and the templates are read from). */
  readonly endpoints: { readonly s3: string; readonly dynamodb: string };
  /** Where "CloudFormation Stack Status Change" (and "Resource Status Change") events go. */
  readonly events?: ServiceEventSink;
  /** Also publish "CloudFormation Resource Status Change" events (default true). */
  readonly resourceStatusEvents?: boolean;
  /** Keep at most this many events per stack, oldest dropped first (memory for large simulated fleets); default unlimited. */
  readonly maxEventsPerStack?: number;
  /** With a directory, stacks, events, templates, tokens and the IAM registry survive a restart. */
  readonly dataDir?: string;
  readonly behaviour?: CloudFormationBehaviour;
  /**
   * Read each versioned TemplateURL (`?versionId=`) from S3 once (object versions are immutable; a version
   * deleted after its first read is still served). For large simulated fleets; default false.
   */
  readonly cacheVersionedTemplates?: boolean;
  /** Extra or replacement resource providers, by their `type` (e.g. a lighter table provider for a large simulated fleet). */
  readonly providers?: readonly ResourceProvider[];
  /** Also answer in-process clients of the endpoint, and reach S3 and DynamoDB in process when they are on it (local/in-process.ts). */
  readonly network?: InProcessNetwork;
}

/** A stack for `seedStack`: what CreateStack would take, and the status to leave it in. */
export interface SeedStack {
  readonly stackName: string;
  readonly templateBody: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** Default: the capability the template needs. */
  readonly capabilities?: readonly string[];
  readonly tags?: readonly { readonly key: string; readonly value: string }[];
  readonly roleArn?: string;
  readonly status?: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE';
}

type Handler = (params: QueryParams) => Promise<Record<string, XmlValue> | undefined>;

/** Stack names: a letter, then letters, digits and hyphens; at most 128 characters (API_CreateStack, StackName). */
const STACK_NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const STACK_NAME_MAX_LENGTH = 128;
/** ClientRequestToken: 1-128 characters, `[a-zA-Z0-9][-a-zA-Z0-9]*` (API_CreateStack, ClientRequestToken). */
const TOKEN_PATTERN = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const PAGE_SIZE = 100;
const TEMPLATE_CACHE_SIZE = 64;

export class LocalCloudFormation {
  readonly timeline: Timeline;
  readonly region: string;
  readonly accountId: string;
  /** Fault and timing injection, changeable at runtime. */
  readonly behaviour: BehaviourController;
  /** The IAM roles and policies the stacks created. */
  readonly iam: IamRegistry;

  private readonly stacks = new Map<string, StackRecord>();
  private readonly liveByName = new Map<string, string>();
  private readonly tokens = new Map<string, TokenEntry>();
  /** Token-bearing requests still being answered: a concurrent retry waits for the same answer. */
  private readonly inFlight = new Map<string, { fingerprint: string; answer: Promise<Record<string, XmlValue> | undefined> }>();
  private readonly templates = new Map<string, Template>();
  private readonly providers = new Map<string, ResourceProvider>();
  private readonly persistence?: StatePersistence;
  private readonly templateSource: TemplateSource;
  private readonly operations: StackOperations;
  private readonly events?: ServiceEventSink;
  private readonly handlers: Record<string, Handler>;
  private server?: Server;
  private url?: string;
  private readonly network?: InProcessNetwork;
  private stopInProcess?: () => void;
  private readonly callListeners: ((action: string) => void)[] = [];

  constructor(options: LocalCloudFormationOptions) {
    this.timeline = options.timeline;
    this.network = options.network;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.events = options.events;
    this.behaviour = new BehaviourController(this.timeline, options.behaviour);
    this.persistence = options.dataDir === undefined ? undefined : new StatePersistence(options.dataDir);
    this.iam = new IamRegistry(() => this.persistence?.saveIam(this.iam.snapshot()));
    this.templateSource = new TemplateSource(
      options.endpoints.s3,
      this.region,
      options.cacheVersionedTemplates ?? false,
      options.network?.requestHandlerFor(options.endpoints.s3),
    );
    for (const provider of [
      new DynamoDbTableProvider(options.endpoints.dynamodb, this.region, options.network?.requestHandlerFor(options.endpoints.dynamodb)),
      new IamRoleProvider(this.iam),
      new IamPolicyProvider(this.iam),
      new IamManagedPolicyProvider(this.iam),
      ...(options.providers ?? []),
    ]) {
      this.providers.set(provider.type, provider);
    }
    this.operations = new StackOperations({
      timeline: this.timeline,
      region: this.region,
      accountId: this.accountId,
      behaviour: this.behaviour,
      publishResourceEvents: options.resourceStatusEvents ?? true,
      maxEventsPerStack: options.maxEventsPerStack,
      provider: (type) => this.providers.get(type),
      template: (body) => this.parse(body),
      persist: (stack) => this.persistence?.saveStack(stack),
      publish: (event) => this.publish(event),
      findExport: (name) => this.findExport(name),
      stackDeleted: (stack) => {
        if (this.liveByName.get(stack.stackName) === stack.stackId) this.liveByName.delete(stack.stackName);
      },
    });
    this.handlers = {
      CreateStack: this.oncePerToken((p) => this.createStack(p)),
      UpdateStack: this.oncePerToken((p) => this.updateStack(p)),
      DeleteStack: this.oncePerToken((p) => this.deleteStack(p)),
      DescribeStacks: (p) => this.describeStacks(p),
      DescribeStackEvents: (p) => this.describeStackEvents(p),
      DescribeStackResources: (p) => this.describeStackResources(p),
      ListStackResources: (p) => this.listStackResources(p),
      ListStacks: (p) => this.listStacks(p),
      ContinueUpdateRollback: this.oncePerToken((p) => this.continueUpdateRollback(p)),
      CancelUpdateStack: (p) => this.cancelUpdateStack(p),
      ValidateTemplate: (p) => this.validateTemplate(p),
      GetTemplate: (p) => this.getTemplate(p),
      GetTemplateSummary: (p) => this.getTemplateSummary(p),
      DescribeAccountLimits: async () => this.describeAccountLimits(),
    };
    if (this.persistence) this.load(this.persistence);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Starts serving; resolves with the endpoint URL. Operations interrupted by a restart resume here. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    const server = createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    this.stopInProcess = this.network?.serve(this.url, handler);
    for (const stack of this.stacks.values()) if (isInProgress(stack.status)) this.operations.resume(stack, resumeKind(stack.status));
    return this.url;
  }

  /**
   * Answers one API request: what the server does per request, also for a front end that serves
   * several accounts' CloudFormation behind one endpoint (local/cloudformation/accounts.ts).
   */
  handle(req: IncomingMessage, res: ServerResponse): void {
    // A request that breaks off (client gone) only closes its socket.
    this.timeline.track(this.serve(req, res)).catch(() => res.destroy());
  }

  get endpoint(): string {
    if (!this.url) throw new Error('LocalCloudFormation is not listening; call listen() first');
    return this.url;
  }

  /** Stops serving and stops the running operations at their next wait (their stacks stay in progress, and resume after a restart with the same dataDir). */
  async close(): Promise<void> {
    this.stopInProcess?.();
    this.stopInProcess = undefined;
    await this.operations.stop();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Resolves once no stack operation runs (the time line must be free to advance). */
  idle(): Promise<void> {
    return this.operations.idle();
  }

  /** Calls `listener` with the action of every API request (throttled ones included): counting, for the bench. */
  addCallListener(listener: (action: string) => void): void {
    this.callListeners.push(listener);
  }

  /** A stack by name (live) or stack id (deleted ones too), as stored: for tests and tools. */
  getStack(nameOrId: string): Readonly<StackRecord> | undefined {
    return this.find(nameOrId);
  }

  listStackRecords(): readonly Readonly<StackRecord>[] {
    return [...this.stacks.values()];
  }

  /**
   * Installs a stack that already exists, in `status` (default CREATE_COMPLETE), without running an
   * operation: its resources are provisioned at once (through the providers), no events are published
   * and no time passes. A test and bench affordance for fleets of thousands of stacks (a create would
   * cost a simulated operation each), not a CloudFormation API. The same checks as CreateStack: name,
   * live name taken, the account's stack limit, parameters, capabilities. Resolves with the stack id.
   */
  async seedStack(spec: SeedStack): Promise<string> {
    const { stackName } = spec;
    if (stackName.length > STACK_NAME_MAX_LENGTH || !STACK_NAME_PATTERN.test(stackName)) {
      throw constraintViolation(stackName, 'stackName', 'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*');
    }
    if (this.liveByName.has(stackName)) throw alreadyExists(stackName);
    if (this.liveByName.size >= this.behaviour.getLimits().stacks) {
      throw new CloudFormationError(
        'LimitExceededException',
        `Limit for stacks exceeded: the account may have ${this.behaviour.getLimits().stacks} stacks`,
      );
    }
    const template = this.parse(spec.templateBody);
    const parameters = resolveParameters(
      template,
      Object.entries(spec.parameters ?? {}).map(([key, value]) => ({ key, value, usePreviousValue: false })),
      undefined,
    );
    const needed = requiredCapability(template);
    const capabilities = spec.capabilities ?? (needed ? [needed] : []);
    checkCapabilities(template, capabilities);
    const now = this.timeline.now();
    const stackId = `arn:${partitionOf(this.region)}:cloudformation:${this.region}:${this.accountId}:stack/${stackName}/${flatRandomUUID()}`;
    const stack: StackRecord = {
      stackId,
      stackName,
      status: 'CREATE_IN_PROGRESS',
      creationTime: now,
      lastUpdatedTime: spec.status === 'UPDATE_COMPLETE' ? now : undefined,
      disableRollback: false,
      onFailure: 'ROLLBACK',
      notificationArns: [],
      roleArn: spec.roleArn,
      current: {
        templateBody: template.body,
        parameters,
        resources: {},
        outputs: [],
        description: template.description,
        capabilities: [...capabilities],
        tags: spec.tags ? spec.tags.map((t) => ({ ...t })) : [],
      },
      replaced: [],
      events: [],
    };
    this.stacks.set(stackId, stack);
    this.liveByName.set(stackName, stackId);
    try {
      await this.operations.install(stack, spec.status ?? 'CREATE_COMPLETE');
    } catch (error) {
      this.stacks.delete(stackId);
      this.liveByName.delete(stackName);
      throw error;
    }
    return stackId;
  }

  /** How many stacks are live (not DELETE_COMPLETE): what the account's StackLimit counts. */
  get liveStackCount(): number {
    return this.liveByName.size;
  }

  // ---- wire ---------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = decodeQueryBody(Buffer.concat(chunks).toString('utf8'));
    const action = stringOf(params.Action) ?? '';
    for (const listener of this.callListeners) listener(action);
    let status = 200;
    let body: string;
    try {
      const handler = Object.hasOwn(this.handlers, action) ? this.handlers[action] : undefined;
      if (req.method !== 'POST' || !handler) {
        throw new CloudFormationError(
          'InvalidAction',
          `The action or operation requested is invalid. Verify that the action is typed correctly.`,
        );
      }
      this.behaviour.checkThrottle(action);
      checkRoleAccount(params, this.accountId);
      body = resultXml(action, await handler(params), requestId);
    } catch (error) {
      const cfnError =
        error instanceof CloudFormationError
          ? error
          : new CloudFormationError('InternalFailure', error instanceof Error ? error.message : String(error), 500, 'Receiver');
      status = cfnError.httpStatus;
      body = errorXml(cfnError, requestId);
    }
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  // ---- actions ------------------------------------------------------------------------------------

  private async createStack(p: QueryParams): Promise<Record<string, XmlValue>> {
    const stackName = required(p, 'StackName');
    if (stackName.length > STACK_NAME_MAX_LENGTH) {
      throw constraintViolation(stackName, 'stackName', `Member must have length less than or equal to ${STACK_NAME_MAX_LENGTH}`);
    }
    if (!STACK_NAME_PATTERN.test(stackName)) {
      throw constraintViolation(stackName, 'stackName', 'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*');
    }
    const token = this.checkToken(p, 'CreateStack', stackName);
    if (token?.entry) return { StackId: token.entry.stackId };
    if (this.liveByName.has(stackName)) throw alreadyExists(stackName);
    // LimitExceededException is in CreateStack's documented errors; the message wording is inferred.
    if (this.liveByName.size >= this.behaviour.getLimits().stacks) {
      throw new CloudFormationError(
        'LimitExceededException',
        `Limit for stacks exceeded: the account may have ${this.behaviour.getLimits().stacks} stacks`,
      );
    }
    const disableRollback = booleanOf(p.DisableRollback);
    const onFailure = stringOf(p.OnFailure);
    if (disableRollback !== undefined && onFailure !== undefined)
      throw validationError('You cannot specify both DisableRollback and OnFailure.');
    if (onFailure !== undefined && !['ROLLBACK', 'DO_NOTHING', 'DELETE'].includes(onFailure)) {
      throw constraintViolation(onFailure, 'onFailure', 'Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]');
    }
    const template = this.parse(await this.timeline.track(this.templateSource.read(stringOf(p.TemplateBody), stringOf(p.TemplateURL))));
    // The cached template's text: stacks deployed from one template share one string.
    const body = template.body;
    const parameters = resolveParameters(template, requestParameters(p), undefined);
    const capabilities = listOf(p.Capabilities).map(String);
    checkCapabilities(template, capabilities);
    // The lookups above awaited: a concurrent CreateStack of the same name may have won meanwhile.
    if (this.liveByName.has(stackName)) throw alreadyExists(stackName);
    const now = this.timeline.now();
    const stackId = `arn:${partitionOf(this.region)}:cloudformation:${this.region}:${this.accountId}:stack/${stackName}/${flatRandomUUID()}`;
    const stack: StackRecord = {
      stackId,
      stackName,
      status: 'CREATE_IN_PROGRESS',
      creationTime: now,
      disableRollback: disableRollback ?? onFailure === 'DO_NOTHING',
      onFailure: disableRollback ? 'DO_NOTHING' : ((onFailure as StackRecord['onFailure'] | undefined) ?? 'ROLLBACK'),
      notificationArns: listOf(p.NotificationARNs).map(String),
      roleArn: stringOf(p.RoleARN),
      current: {
        templateBody: body,
        parameters,
        resources: {},
        outputs: [],
        description: template.description,
        capabilities,
        tags: requestTags(p) ?? [],
      },
      replaced: [],
      events: [],
      operationToken: token?.value,
      operationId: flatRandomUUID(),
    };
    this.stacks.set(stackId, stack);
    this.liveByName.set(stackName, stackId);
    this.recordToken(token?.value, 'CreateStack', stackName, p, stackId);
    this.operations.setStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    this.operations.startCreate(stack);
    return { StackId: stackId };
  }

  private async updateStack(p: QueryParams): Promise<Record<string, XmlValue>> {
    const name = required(p, 'StackName');
    const token = this.checkToken(p, 'UpdateStack', name);
    if (token?.entry) return { StackId: token.entry.stackId };
    const stack = this.find(name);
    if (!stack) throw stackDoesNotExist(name);
    if (!UPDATABLE.has(stack.status)) throw cannotBeUpdated(stack.stackId, stack.status);
    const template = this.parse(
      booleanOf(p.UsePreviousTemplate)
        ? stack.current.templateBody
        : await this.timeline.track(this.templateSource.read(stringOf(p.TemplateBody), stringOf(p.TemplateURL))),
    );
    const body = template.body;
    const parameters = resolveParameters(template, requestParameters(p), stack.current.parameters);
    const capabilities = listOf(p.Capabilities).map(String);
    checkCapabilities(template, capabilities);
    const tags = requestTags(p) ?? stack.current.tags;
    const previousTemplate = this.parse(stack.current.templateBody);
    const typeChanged = template.resources.filter((r) => {
      const before = previousTemplate.resources.find((b) => b.logicalId === r.logicalId);
      return before !== undefined && before.type !== r.type;
    });
    if (typeChanged.length > 0) {
      throw validationError(
        `Update of resource type is not permitted. The new template modifies resource type of the following resources: [${typeChanged.map((r) => r.logicalId).join(', ')}]`,
      );
    }
    const sameTemplate = JSON.stringify(template.raw) === JSON.stringify(previousTemplate.raw);
    const sameParameters = JSON.stringify(parameters) === JSON.stringify(stack.current.parameters);
    const sameTags = JSON.stringify(tags) === JSON.stringify(stack.current.tags);
    if (sameTemplate && sameParameters && sameTags) throw noUpdates();
    // Re-check after the awaits: another call may have started an operation on this stack.
    if (!UPDATABLE.has(stack.status)) throw cannotBeUpdated(stack.stackId, stack.status);
    const next: Deployment = {
      templateBody: body,
      parameters,
      resources: {},
      outputs: [],
      description: template.description,
      capabilities,
      tags,
    };
    this.recordToken(token?.value, 'UpdateStack', name, p, stack.stackId);
    this.operations.startUpdate(stack, next, token?.value);
    return { StackId: stack.stackId };
  }

  private async deleteStack(p: QueryParams): Promise<undefined> {
    const name = required(p, 'StackName');
    const token = this.checkToken(p, 'DeleteStack', name);
    if (token?.entry) return undefined;
    const stack = this.find(name);
    // A missing or already deleted stack: DeleteStack succeeds.
    if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return undefined;
    if (stack.status === 'CREATE_IN_PROGRESS') {
      this.recordToken(token?.value, 'DeleteStack', name, p, stack.stackId);
      this.operations.takeOverCreate(stack, token?.value);
      return undefined;
    }
    if (isInProgress(stack.status)) throw cannotBeDeleted(stack.stackId, stack.status);
    this.recordToken(token?.value, 'DeleteStack', name, p, stack.stackId);
    this.operations.startDelete(stack, token?.value, listOf(p.RetainResources).map(String));
    return undefined;
  }

  private async continueUpdateRollback(p: QueryParams): Promise<Record<string, XmlValue>> {
    const name = required(p, 'StackName');
    const token = this.checkToken(p, 'ContinueUpdateRollback', name);
    if (token?.entry) return {};
    const stack = this.find(name);
    if (!stack) throw stackDoesNotExist(name);
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED') {
      // Wording not recorded from AWS; the rule (only from UPDATE_ROLLBACK_FAILED) is documented in API_ContinueUpdateRollback.
      throw validationError(`Stack ${stack.stackId} is in ${stack.status} state and can not continue update rollback.`);
    }
    this.recordToken(token?.value, 'ContinueUpdateRollback', name, p, stack.stackId);
    this.operations.startContinueUpdateRollback(stack, token?.value, listOf(p.ResourcesToSkip).map(String));
    return {};
  }

  /** https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CancelUpdateStack.html: only in UPDATE_IN_PROGRESS. */
  private async cancelUpdateStack(p: QueryParams): Promise<undefined> {
    const name = required(p, 'StackName');
    const stack = this.find(name);
    if (!stack) throw stackDoesNotExist(name);
    if (stack.status !== 'UPDATE_IN_PROGRESS' || !this.operations.cancelUpdate(stack)) {
      throw validationError('CancelUpdateStack cannot be called from current stack status');
    }
    return undefined;
  }

  /** https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html */
  private async validateTemplate(p: QueryParams): Promise<Record<string, XmlValue>> {
    const template = this.parse(await this.timeline.track(this.templateSource.read(stringOf(p.TemplateBody), stringOf(p.TemplateURL))));
    const capability = requiredCapability(template);
    return {
      Parameters: template.parameters.map((d) => ({
        ParameterKey: d.key,
        DefaultValue: d.default,
        NoEcho: d.noEcho,
        Description: d.description,
      })),
      Description: template.description,
      Capabilities: capability ? [capability] : undefined,
      CapabilitiesReason: capability ? capabilitiesReason(template) : undefined,
      DeclaredTransforms: [],
    };
  }

  private async describeStacks(p: QueryParams): Promise<Record<string, XmlValue>> {
    const name = stringOf(p.StackName);
    if (name !== undefined) {
      const stack = this.find(name);
      if (!stack) throw stackWithIdDoesNotExist(name);
      return { Stacks: [this.stackXml(stack)] };
    }
    const live = [...this.stacks.values()].filter((s) => s.status !== 'DELETE_COMPLETE');
    const page = paginate(live, stringOf(p.NextToken));
    return { Stacks: page.items.map((s) => this.stackXml(s)), NextToken: page.nextToken };
  }

  private async describeStackEvents(p: QueryParams): Promise<Record<string, XmlValue>> {
    const stack = this.mustFind(required(p, 'StackName'));
    const newestFirst = [...stack.events].reverse();
    const page = paginate(newestFirst, stringOf(p.NextToken));
    return {
      StackEvents: page.items.map((e) => ({
        StackId: e.stackId,
        EventId: e.eventId,
        StackName: e.stackName,
        LogicalResourceId: e.logicalResourceId,
        PhysicalResourceId: e.physicalResourceId,
        ResourceType: e.resourceType,
        Timestamp: new Date(e.timestamp),
        ResourceStatus: e.resourceStatus,
        ResourceStatusReason: e.resourceStatusReason,
        ResourceProperties: e.resourceProperties,
        ClientRequestToken: e.clientRequestToken,
      })),
      NextToken: page.nextToken,
    };
  }

  private async describeStackResources(p: QueryParams): Promise<Record<string, XmlValue>> {
    const physicalId = stringOf(p.PhysicalResourceId);
    const name = stringOf(p.StackName);
    let stack: StackRecord | undefined;
    if (name !== undefined) stack = this.mustFind(name);
    else if (physicalId !== undefined)
      stack = [...this.stacks.values()].find((s) => Object.values(s.current.resources).some((r) => r.physicalId === physicalId));
    else throw validationError('Either StackName or PhysicalResourceId must be specified.');
    if (!stack) throw stackWithIdDoesNotExist(physicalId!);
    const logicalId = stringOf(p.LogicalResourceId);
    const resources = Object.values(stack.current.resources).filter((r) => logicalId === undefined || r.logicalId === logicalId);
    return {
      StackResources: resources.map((r) => ({
        StackName: stack.stackName,
        StackId: stack.stackId,
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        Timestamp: new Date(r.timestamp),
        ResourceStatus: r.status,
        ResourceStatusReason: r.statusReason,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
    };
  }

  private async listStackResources(p: QueryParams): Promise<Record<string, XmlValue>> {
    const stack = this.mustFind(required(p, 'StackName'));
    const page = paginate(Object.values(stack.current.resources), stringOf(p.NextToken));
    return {
      StackResourceSummaries: page.items.map((r) => ({
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        LastUpdatedTimestamp: new Date(r.timestamp),
        ResourceStatus: r.status,
        ResourceStatusReason: r.statusReason,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: page.nextToken,
    };
  }

  private async listStacks(p: QueryParams): Promise<Record<string, XmlValue>> {
    const filter = new Set(listOf(p.StackStatusFilter).map(String));
    const stacks = [...this.stacks.values()].filter((s) => filter.size === 0 || filter.has(s.status)).reverse();
    const page = paginate(stacks, stringOf(p.NextToken));
    return {
      StackSummaries: page.items.map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        TemplateDescription: s.current.description,
        CreationTime: new Date(s.creationTime),
        LastUpdatedTime: s.lastUpdatedTime === undefined ? undefined : new Date(s.lastUpdatedTime),
        DeletionTime: s.deletionTime === undefined ? undefined : new Date(s.deletionTime),
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: page.nextToken,
    };
  }

  private async getTemplate(p: QueryParams): Promise<Record<string, XmlValue>> {
    const stack = this.mustFind(required(p, 'StackName'));
    return { TemplateBody: stack.current.templateBody, StagesAvailable: ['Original', 'Processed'] };
  }

  /** The template's parameters, capabilities, resource types and Metadata (where a release number may live). */
  private async getTemplateSummary(p: QueryParams): Promise<Record<string, XmlValue>> {
    const name = stringOf(p.StackName);
    const body =
      name !== undefined
        ? this.mustFind(name).current.templateBody
        : await this.timeline.track(this.templateSource.read(stringOf(p.TemplateBody), stringOf(p.TemplateURL)));
    const template = this.parse(body);
    const capability = requiredCapability(template);
    const byType = new Map<string, string[]>();
    for (const r of template.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r.logicalId]);
    return {
      Parameters: template.parameters.map((d) => ({
        ParameterKey: d.key,
        DefaultValue: d.default,
        ParameterType: d.type,
        NoEcho: d.noEcho,
        Description: d.description,
        ParameterConstraints: { AllowedValues: d.allowedValues ? [...d.allowedValues] : undefined },
      })),
      Description: template.description,
      Capabilities: capability ? [capability] : undefined,
      CapabilitiesReason: capability ? capabilitiesReason(template) : undefined,
      ResourceTypes: [...byType.keys()],
      Version: typeof template.raw.AWSTemplateFormatVersion === 'string' ? template.raw.AWSTemplateFormatVersion : undefined,
      Metadata: template.metadata === undefined ? undefined : JSON.stringify(template.metadata),
      DeclaredTransforms: [],
    };
  }

  /** https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeAccountLimits.html */
  private describeAccountLimits(): Record<string, XmlValue> {
    const limits = this.behaviour.getLimits();
    return {
      AccountLimits: [
        { Name: 'StackLimit', Value: limits.stacks },
        { Name: 'StackOutputsLimit', Value: limits.stackOutputs },
        { Name: 'ConcurrentResourcesLimit', Value: limits.concurrentResources },
      ],
    };
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private stackXml(s: StackRecord): Record<string, XmlValue> {
    return {
      StackId: s.stackId,
      StackName: s.stackName,
      Description: s.current.description,
      Parameters: s.current.parameters.map((param) => ({ ParameterKey: param.key, ParameterValue: param.noEcho ? '****' : param.value })),
      CreationTime: new Date(s.creationTime),
      DeletionTime: s.deletionTime === undefined ? undefined : new Date(s.deletionTime),
      LastUpdatedTime: s.lastUpdatedTime === undefined ? undefined : new Date(s.lastUpdatedTime),
      RollbackConfiguration: {},
      StackStatus: s.status,
      StackStatusReason: s.statusReason,
      DisableRollback: s.disableRollback,
      NotificationARNs: s.notificationArns,
      Capabilities: s.current.capabilities,
      Outputs: s.current.outputs.map((o) => ({
        OutputKey: o.key,
        OutputValue: o.value,
        Description: o.description,
        ExportName: o.exportName,
      })),
      RoleARN: s.roleArn,
      Tags: s.current.tags.map((t) => ({ Key: t.key, Value: t.value })),
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  /** A live stack by name, or any stack (deleted ones too) by its id. */
  private find(nameOrId: string): StackRecord | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacks.get(nameOrId);
    const id = this.liveByName.get(nameOrId);
    return id === undefined ? undefined : this.stacks.get(id);
  }

  private mustFind(nameOrId: string): StackRecord {
    const stack = this.find(nameOrId);
    if (!stack) throw stackWithIdDoesNotExist(nameOrId);
    return stack;
  }

  private parse(body: string): Template {
    let template = this.templates.get(body);
    if (!template) {
      template = parseTemplate(body);
      if (this.templates.size >= TEMPLATE_CACHE_SIZE) this.templates.delete(this.templates.keys().next().value!);
      this.templates.set(body, template);
    }
    return template;
  }

  /**
   * ClientRequestToken: the same token with the same request answers as the first time without a second
   * operation; the token with a different request is TokenAlreadyExistsException.
   */
  private checkToken(p: QueryParams, action: string, stackName: string): { value: string; entry?: TokenEntry } | undefined {
    const value = stringOf(p.ClientRequestToken);
    if (value === undefined) return undefined;
    if (value.length > 128) throw constraintViolation(value, 'clientRequestToken', 'Member must have length less than or equal to 128');
    if (!TOKEN_PATTERN.test(value))
      throw constraintViolation(value, 'clientRequestToken', 'Member must satisfy regular expression pattern: [a-zA-Z0-9][-a-zA-Z0-9]*');
    const entry = this.tokens.get(tokenKey(stackName, value));
    if (!entry) return { value };
    if (entry.action === action && entry.fingerprint === fingerprint(p)) return { value, entry };
    throw tokenAlreadyExists(value);
  }

  private oncePerToken(handler: Handler): Handler {
    return async (p) => {
      const token = stringOf(p.ClientRequestToken);
      const stackName = stringOf(p.StackName);
      if (token === undefined || stackName === undefined) return handler(p);
      const key = tokenKey(stackName, token);
      const pending = this.inFlight.get(key);
      if (pending) {
        if (pending.fingerprint !== fingerprint(p)) throw tokenAlreadyExists(token);
        return pending.answer;
      }
      const answer = handler(p);
      this.inFlight.set(key, { fingerprint: fingerprint(p), answer });
      try {
        return await answer;
      } finally {
        this.inFlight.delete(key);
      }
    };
  }

  private recordToken(token: string | undefined, action: string, stackName: string, p: QueryParams, stackId: string): void {
    if (token === undefined) return;
    this.tokens.set(tokenKey(stackName, token), { token, action, stackName, fingerprint: fingerprint(p), stackId });
    this.persistence?.saveTokens([...this.tokens.values()]);
  }

  private findExport(name: string): { stackId: string; value: string } | undefined {
    for (const id of this.liveByName.values()) {
      const stack = this.stacks.get(id)!;
      const output = stack.current.outputs.find((o) => o.exportName === name);
      if (output) return { stackId: stack.stackId, value: output.value };
    }
    return undefined;
  }

  private publish(event: ServiceEvent): void {
    this.events?.publishServiceEvent(event);
  }

  private load(persistence: StatePersistence): void {
    for (const stack of persistence.loadStacks().sort((a, b) => a.creationTime - b.creationTime)) {
      this.stacks.set(stack.stackId, stack);
      if (stack.status !== 'DELETE_COMPLETE') this.liveByName.set(stack.stackName, stack.stackId);
    }
    const iam = persistence.loadIam();
    if (iam) this.iam.restore(iam);
    for (const t of persistence.loadTokens()) this.tokens.set(tokenKey(t.stackName, t.token), withDigest(t));
  }
}

function resumeKind(status: StackStatus): 'create' | 'update' | 'delete' {
  return status.startsWith('DELETE') ? 'delete' : status.startsWith('UPDATE') ? 'update' : 'create';
}

function required(p: QueryParams, name: string): string {
  const value = stringOf(p[name]);
  if (value === undefined || value === '') {
    throw validationError(
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function requestParameters(p: QueryParams): RequestParameter[] {
  return listOf(p.Parameters).map((entry) => {
    const e = entry as Record<string, QueryValue>;
    const key = stringOf(e.ParameterKey);
    if (key === undefined) throw validationError('Every Parameters member must have a ParameterKey');
    const usePreviousValue = booleanOf(e.UsePreviousValue) ?? false;
    const value = stringOf(e.ParameterValue);
    if (usePreviousValue && value !== undefined) {
      throw validationError(
        `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true and non empty value for a parameter key`,
      );
    }
    return { key, value, usePreviousValue };
  });
}

function requestTags(p: QueryParams): { key: string; value: string }[] | undefined {
  if (p.Tags === undefined) return undefined;
  return listOf(p.Tags).map((t) => {
    const tag = t as Record<string, QueryValue>;
    return { key: stringOf(tag.Key) ?? '', value: stringOf(tag.Value) ?? '' };
  });
}

function capabilitiesReason(template: Template): string {
  const types = new Set(template.resources.filter((r) => r.type.startsWith('AWS::IAM::')).map((r) => r.type));
  return `The following resource(s) require capabilities: [${[...types].join(', ')}]`;
}

function checkCapabilities(template: Template, capabilities: readonly string[]): void {
  const needed = requiredCapability(template);
  if (needed === 'CAPABILITY_NAMED_IAM' && !capabilities.includes('CAPABILITY_NAMED_IAM'))
    throw insufficientCapabilities('CAPABILITY_NAMED_IAM');
  if (needed === 'CAPABILITY_IAM' && !capabilities.includes('CAPABILITY_IAM') && !capabilities.includes('CAPABILITY_NAMED_IAM')) {
    throw insufficientCapabilities('CAPABILITY_IAM');
  }
}

function tokenKey(stackName: string, token: string): string {
  return `${stackName}\u0000${token}`;
}

/**
 * What identifies a request for ClientRequestToken reuse: a digest of its decoded parameters (the
 * ledger keeps one per token ever used, so not the parameters' text, which for an UpdateStack is most
 * of a kilobyte).
 */
function fingerprint(p: QueryParams): string {
  return digestOf(JSON.stringify(p));
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/** A ledger entry as persisted; entries written before fingerprints were digests hold the parameters' JSON text. */
function withDigest(t: TokenEntry): TokenEntry {
  return t.fingerprint.startsWith('{') ? { ...t, fingerprint: digestOf(t.fingerprint) } : t;
}

function paginate<T>(items: readonly T[], nextToken: string | undefined): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (nextToken !== undefined) {
    offset = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw validationError('Invalid NextToken');
  }
  const page = items.slice(offset, offset + PAGE_SIZE);
  const next = offset + PAGE_SIZE < items.length ? Buffer.from(String(offset + PAGE_SIZE)).toString('base64url') : undefined;
  return { items: page, nextToken: next };
}

/**
 * A service role (RoleARN) must be a role of the stack's own account: CloudFormation cannot assume one
 * from another account for a stack operation, and a caller can only pass roles of its own account
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html).
 * Answered as CloudFormation answers a role it cannot use.
 */
function checkRoleAccount(params: QueryParams, accountId: string): void {
  const roleArn = stringOf(params.RoleARN);
  if (roleArn === undefined) return;
  const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
  if (account !== accountId) throw validationError(`Role ${roleArn} is invalid or cannot be assumed`);
}
