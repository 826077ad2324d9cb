/**
 * What an operator (the `tenants` CLI, the `npm start` demo, the integration suite) does with a
 * deployed tenant management stack, through the SDK only: send lifecycle events, release a template
 * version, and read the end state back from the services (tenant records, stacks, executions).
 * Works against the local cloud or any endpoints (LocalStack, AWS).
 */
import { DescribeStackEventsCommand, DescribeStacksCommand, type Stack, type StackEvent } from '@aws-sdk/client-cloudformation';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  TENANT_EVENT_SOURCE,
  TENANT_CREATED_DETAIL_TYPE,
  TENANT_DELETED_DETAIL_TYPE,
  TENANT_TIER_CHANGED_DETAIL_TYPE,
  TEMPLATE_OBJECT_KEY,
  TENANT_STACK_NAME_PREFIX,
} from '../../statemachines/contract';
import type { CloudClients, ServiceEndpoints } from '../deploy/clients';

/** Where the tenant management stack lives: its endpoints and the outputs of its deployment. */
import {
  MAX_METADATA_BYTES,
  RELEASE_METADATA,
  RELEASE_NUMBER_PATTERN,
  ROLLOUT_POLICY_METADATA,
  releaseNumberOf,
  rolloutPolicyProblems,
  type RolloutPolicy,
} from '../../statemachines/rollout-policy';

export interface StackInfo {
  readonly region: string;
  readonly accountId: string;
  readonly endpoints: ServiceEndpoints;
  /** EventBusName, TemplateBucketName, TenantTableName, <Workflow>StateMachineArn (the stack's outputs). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly templateObjectKey: string;
}

export const WORKFLOW_OUTPUTS = {
  'create-tenant': 'CreateTenantStateMachineArn',
  'delete-tenant': 'DeleteTenantStateMachineArn',
  'update-tenants': 'UpdateTenantsStateMachineArn',
  'update-tenant': 'UpdateTenantStateMachineArn',
  'change-tier': 'ChangeTierStateMachineArn',
} as const;
export type WorkflowKey = keyof typeof WORKFLOW_OUTPUTS;

export { TEMPLATE_OBJECT_KEY };

export function output(info: StackInfo, name: string): string {
  const value = info.outputs[name];
  if (!value)
    throw new Error(`the tenant management stack has no output ${name} (outputs: ${Object.keys(info.outputs).join(', ') || 'none'})`);
  return value;
}

export function workflowArn(info: StackInfo, workflow: WorkflowKey): string {
  return output(info, WORKFLOW_OUTPUTS[workflow]);
}

/** PutEvents of TenantCreated/TenantDeleted on the tenant-lifecycle bus, as a producer sends it. */
export function sendTenantEvent(
  clients: CloudClients,
  info: StackInfo,
  kind: 'created' | 'deleted',
  detail: Record<string, unknown>,
): Promise<string> {
  return putTenantEvent(clients, info, kind === 'created' ? TENANT_CREATED_DETAIL_TYPE : TENANT_DELETED_DETAIL_TYPE, detail);
}

/**
 * PutEvents of TenantTierChanged ({tenantId, tier}) on the tenant-lifecycle bus; `time` is the event's
 * Time (when the change happened: change-tier orders changes by it), default now.
 */
export function sendTierChangedEvent(
  clients: CloudClients,
  info: StackInfo,
  detail: { tenantId: string; tier: string },
  time?: Date,
): Promise<string> {
  return putTenantEvent(clients, info, TENANT_TIER_CHANGED_DETAIL_TYPE, detail, time);
}

/** One tenant event on the tenant-lifecycle bus; throws with EventBridge's per-entry error when it is refused. */
async function putTenantEvent(
  clients: CloudClients,
  info: StackInfo,
  detailType: string,
  detail: Record<string, unknown>,
  time?: Date,
): Promise<string> {
  const result = await clients.eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: output(info, 'EventBusName'),
          Source: TENANT_EVENT_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          ...(time === undefined ? {} : { Time: time }),
        },
      ],
    }),
  );
  const entry = result.Entries?.[0];
  if ((result.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    throw new Error(`PutEvents refused the event: ${entry?.ErrorCode ?? 'no entry'} ${entry?.ErrorMessage ?? ''}`.trim());
  }
  return entry.EventId;
}

/** The current tenant template text in the template bucket. */
export async function currentTemplate(clients: CloudClients, info: StackInfo): Promise<string> {
  const object = await clients.s3.send(new GetObjectCommand({ Bucket: output(info, 'TemplateBucketName'), Key: info.templateObjectKey }));
  return object.Body!.transformToString('utf8');
}

export interface ReleaseOptions {
  /** The release number (`x-amz-meta-release`); default: from the template's TemplateVersion (releaseNumberOf). */
  readonly release?: number;
  /** A rollout policy override for this release (`x-amz-meta-rollout-policy`), validated here. */
  readonly policy?: Partial<RolloutPolicy>;
}

/**
 * Uploads a tenant template version (PutObject) with its release number and optional rollout
 * policy as object metadata: its S3 event starts the rollout. Returns the version id. Refuses,
 * naming the field, what the workflow would refuse.
 */
export async function releaseTemplate(
  clients: CloudClients,
  info: StackInfo,
  body: string,
  options: ReleaseOptions = {},
): Promise<string | undefined> {
  const template = JSON.parse(body) as { Outputs?: Record<string, { Value?: unknown }> } | null; // refuse what CloudFormation would not read as a template
  if (template === null || typeof template !== 'object' || !('Resources' in template)) {
    throw new Error('the template must be a JSON CloudFormation template with a Resources section');
  }
  const release = options.release ?? releaseNumberOf(String(template.Outputs?.TemplateVersion?.Value ?? ''));
  if (!RELEASE_NUMBER_PATTERN.test(String(release))) {
    throw new Error(`release must be a positive integer without leading zeros, at most 15 digits; got ${release}`);
  }
  const metadata: Record<string, string> = { [RELEASE_METADATA]: String(release) };
  if (options.policy !== undefined) {
    const problems = rolloutPolicyProblems(options.policy, true);
    if (problems.length > 0) throw new Error(problems.join('; '));
    metadata[ROLLOUT_POLICY_METADATA] = JSON.stringify(options.policy);
    const size = Object.entries(metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (size > MAX_METADATA_BYTES)
      throw new Error(`the rollout policy makes the object metadata ${size} bytes; S3 allows ${MAX_METADATA_BYTES}`);
  }
  const put = await clients.s3.send(
    new PutObjectCommand({
      Bucket: output(info, 'TemplateBucketName'),
      Key: info.templateObjectKey,
      Body: body,
      ContentType: 'application/json',
      Metadata: metadata,
    }),
  );
  return put.VersionId;
}

/** The template with its TemplateVersion output (and description) set to `version`: a release that changes the stacks. */
export function withTemplateVersion(body: string, version: string): string {
  const template = JSON.parse(body) as { Description?: string; Outputs?: Record<string, { Value: unknown }> };
  if (!template.Outputs?.TemplateVersion) throw new Error('the tenant template has no TemplateVersion output');
  const previous = String(template.Outputs.TemplateVersion.Value);
  template.Outputs.TemplateVersion.Value = version;
  if (template.Description) template.Description = template.Description.split(previous).join(version);
  return JSON.stringify(template, null, 1);
}

/** The next patch version of a `major.minor.patch` TemplateVersion. */
export function nextPatchVersion(body: string): string {
  const version = String((JSON.parse(body) as { Outputs?: Record<string, { Value: unknown }> }).Outputs?.TemplateVersion?.Value ?? '');
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`the template's TemplateVersion '${version}' is not major.minor.patch; pass --version`);
  return `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}

export async function templateVersions(
  clients: CloudClients,
  info: StackInfo,
): Promise<{ versionId: string; isLatest: boolean; lastModified?: Date }[]> {
  const listed = await clients.s3.send(
    new ListObjectVersionsCommand({ Bucket: output(info, 'TemplateBucketName'), Prefix: info.templateObjectKey }),
  );
  return (listed.Versions ?? [])
    .filter((v) => v.Key === info.templateObjectKey)
    .map((v) => ({ versionId: v.VersionId ?? 'null', isLatest: v.IsLatest ?? false, lastModified: v.LastModified }));
}

export interface TenantRecord {
  readonly tenantId: string;
  readonly status?: string;
  readonly stackId?: string;
  readonly stackName?: string;
  readonly templateVersion?: string;
  readonly statusReason?: string;
  readonly updatedAt?: string;
  /** The cell (account, region, deployer role) create-tenant placed the tenant in; absent on records from before cells. */
  readonly cell?: TenantCellRef;
  /** Every attribute as stored. */
  readonly item: Record<string, AttributeValue>;
}

/** A tenant's cell as its record names it (`cell`, a map: docs/rollouts.md "Cells"). */
export interface TenantCellRef {
  readonly name?: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly roleArn?: string;
}

function cellOf(item: Record<string, AttributeValue>): TenantCellRef | undefined {
  const m = item.cell?.M;
  if (!m) return undefined;
  return { name: m.name?.S, accountId: m.accountId?.S, region: m.region?.S, roleArn: m.roleArn?.S };
}

/** Assumed cell roles per set of clients: one AssumeRole per role, renewed five minutes before it expires. */
const cellSessions = new WeakMap<CloudClients, Map<string, Promise<{ clients: CloudClients; expires: number }>>>();

/**
 * The clients that reach a tenant's stack: the operator's own when the tenant lives in the
 * management account (or its record names no cell), else the cell's deployer role, assumed with the
 * operator's credentials (the role trusts the management account, as update-tenant's `Credentials`
 * use it: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html).
 */
export async function clientsForCell(clients: CloudClients, info: StackInfo, cell: TenantCellRef | undefined): Promise<CloudClients> {
  if (!cell?.roleArn || cell.accountId === undefined || cell.accountId === info.accountId) return clients;
  const roleArn = cell.roleArn;
  let sessions = cellSessions.get(clients);
  if (!sessions) cellSessions.set(clients, (sessions = new Map()));
  const cached = sessions.get(roleArn);
  if (cached) {
    const session = await cached.catch(() => undefined);
    if (session && session.expires > Date.now() + 5 * 60_000) return session.clients;
    sessions.delete(roleArn);
  }
  const session = (async () => {
    let answer;
    try {
      answer = await clients.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'tenants-cli' }));
    } catch (error) {
      throw new Error(
        `cannot read stacks of cell ${cell.name ?? cell.accountId}: AssumeRole of ${roleArn} failed: ${(error as Error).message}`,
      );
    }
    const c = answer.Credentials!;
    return {
      clients: clients.withCredentials({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken }),
      expires: c.Expiration?.getTime() ?? Date.now() + 15 * 60_000,
    };
  })();
  sessions.set(roleArn, session);
  session.catch(() => sessions.delete(roleArn));
  return (await session).clients;
}

/** Every item of the tenant table (all pages). */
export async function listTenantRecords(clients: CloudClients, info: StackInfo): Promise<TenantRecord[]> {
  const records: TenantRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await clients.dynamodb.send(new ScanCommand({ TableName: output(info, 'TenantTableName'), ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      // A TenantDeleted's marker for a tenant that had no record (it carries expiresAt, a TTL): not a tenant.
      if (item.expiresAt !== undefined) continue;
      const s = (name: string) => item[name]?.S;
      records.push({
        tenantId: s('tenantId') ?? '',
        status: s('status'),
        stackId: s('stackId'),
        stackName: s('stackName'),
        templateVersion: s('templateVersion'),
        statusReason: s('statusReason'),
        updatedAt: s('updatedAt'),
        cell: cellOf(item),
        item,
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return records.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
}

export function tenantStackName(tenantId: string): string {
  return `${TENANT_STACK_NAME_PREFIX}${tenantId}`;
}

/** The stack of a tenant record, read in the tenant's cell (clientsForCell). */
export async function describeRecordedStack(clients: CloudClients, info: StackInfo, record: TenantRecord): Promise<Stack | undefined> {
  return describeTenantStack(await clientsForCell(clients, info, record.cell), record.tenantId, record.stackId);
}

/** The tenant's stack by id (found even when deleted) or else by name; undefined when there is none. */
export async function describeTenantStack(clients: CloudClients, tenantId: string, stackId?: string): Promise<Stack | undefined> {
  for (const name of stackId ? [stackId, tenantStackName(tenantId)] : [tenantStackName(tenantId)]) {
    try {
      const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: name }));
      if (Stacks?.[0]) return Stacks[0];
    } catch (error) {
      if (!/does not exist/.test((error as Error).message)) throw error;
    }
  }
  return undefined;
}

export function stackOutput(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

export function stackParameter(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

/** Newest first, all pages. */
export async function stackEvents(clients: CloudClients, stackName: string): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.cloudformation.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: nextToken }));
    events.push(...(page.StackEvents ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return events;
}

export interface ExecutionRow extends ExecutionListItem {
  readonly workflow: WorkflowKey;
}

/** Every execution of the four workflows, oldest first. */
export async function listAllExecutions(clients: CloudClients, info: StackInfo): Promise<ExecutionRow[]> {
  const rows: ExecutionRow[] = [];
  for (const workflow of Object.keys(WORKFLOW_OUTPUTS) as WorkflowKey[]) {
    let nextToken: string | undefined;
    do {
      const page = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: workflowArn(info, workflow), nextToken }));
      rows.push(...(page.executions ?? []).map((e) => ({ ...e, workflow })));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return rows.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0) || (a.name ?? '').localeCompare(b.name ?? ''));
}

export interface ExecutionDetail extends ExecutionRow {
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  /** The tenant the execution is about (detail.tenantId or tenantId of its input), when it names one. */
  readonly tenantId?: unknown;
}

export async function describeExecutions(clients: CloudClients, rows: readonly ExecutionRow[]): Promise<ExecutionDetail[]> {
  return Promise.all(
    rows.map(async (row) => {
      const d = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: row.executionArn }));
      let tenantId: unknown;
      try {
        const input = JSON.parse(d.input ?? '{}') as { detail?: { tenantId?: unknown }; tenantId?: unknown };
        tenantId = input.detail?.tenantId ?? input.tenantId;
      } catch {
        tenantId = undefined;
      }
      return { ...row, input: d.input, output: d.output, error: d.error, cause: d.cause, tenantId };
    }),
  );
}

/**
 * Polls until `done(executions)` holds and nothing runs, or the wall-clock timeout passes. On the
 * simulated time line the workflows' waits take no wall time, so this returns in milliseconds.
 */
export async function waitForExecutions(
  clients: CloudClients,
  info: StackInfo,
  done: (executions: ExecutionRow[]) => boolean,
  options: {
    timeoutMs?: number;
    pollMs?: number;
    onPoll?: (executions: ExecutionRow[]) => void | Promise<void>;
    /** Ends the wait at once, executions still running or not (e.g. a rollout waiting for its operator). */
    until?: () => boolean;
  } = {},
): Promise<ExecutionRow[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const executions = await listAllExecutions(clients, info);
    await options.onPoll?.(executions);
    if (options.until?.()) return executions;
    if (!executions.some((e) => e.status === 'RUNNING') && done(executions)) return executions;
    if (Date.now() > deadline) {
      const running = executions.filter((e) => e.status === 'RUNNING').map((e) => `${e.workflow}/${e.name}`);
      throw new Error(`workflows did not settle within ${options.timeoutMs ?? 60_000} ms (still running: ${running.join(', ') || 'none'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
}
