/**
 * The `npm start` demo: the tenant lifecycle as producers drive it, on the local cloud, then the end
 * state read back from the services and checked against what the workflows are meant to leave.
 */
import type { LocalCloud } from '../cloud';
import { duration, offset, shorten, table } from './format';
import {
  currentTemplate,
  describeExecutions,
  describeRecordedStack,
  listAllExecutions,
  listTenantRecords,
  nextPatchVersion,
  releaseTemplate,
  sendTenantEvent,
  stackOutput,
  tenantStackName,
  waitForExecutions,
  withTemplateVersion,
  type ExecutionRow,
  type WorkflowKey,
} from './operations';
import { latestRelease, type LatestRelease } from './rollouts';

/** LATEST once update-tenants recorded it and its rollout ended (polled on the cloud's time line, at most a minute of it). */
async function waitForFirstRelease(cloud: LocalCloud): Promise<LatestRelease | undefined> {
  for (let waited = 0; waited <= 60_000; waited += 200) {
    const latest = await latestRelease(cloud.clients, cloud.info);
    // Recorded, and its rollout over the (empty) fleet ended: the demo's tenants are not part of it.
    const rolloutRunning = (await listAllExecutions(cloud.clients, cloud.info)).some(
      (e) => e.workflow === 'update-tenants' && e.status === 'RUNNING',
    );
    if (latest && !rolloutRunning) return latest;
    await cloud.timeline.sleep(200);
  }
  return latestRelease(cloud.clients, cloud.info);
}

export interface DemoReport {
  /** What differs from the expected end state; empty when all is as expected. */
  readonly problems: string[];
}

const GOOD = ['acme', 'globex', 'umbrella'];
const FAILING = 'initech';
const INVALID = 'Not_A_Valid_Id';
const DELETED = 'globex';

export async function runDemo(cloud: LocalCloud, options: { log: (line: string) => void }): Promise<DemoReport> {
  const { clients, info } = cloud;
  const log = options.log;
  const t0 = cloud.timeline.now();
  const seen = new Map<string, string>();
  const tenants = new Map<string, string>();
  const progress = async (executions: ExecutionRow[]) => {
    const changed = executions.filter((e) => seen.get(e.executionArn!) !== e.status);
    for (const d of await describeExecutions(
      clients,
      changed.filter((e) => !tenants.has(e.executionArn!)),
    )) {
      tenants.set(d.executionArn!, tenantLabel(d.tenantId, d.workflow));
    }
    for (const e of changed) {
      seen.set(e.executionArn!, e.status!);
      const at = e.status === 'RUNNING' ? e.startDate : (e.stopDate ?? e.startDate);
      log(`  ${offset((at?.getTime() ?? t0) - t0)}  ${e.workflow.padEnd(14)} ${tenants.get(e.executionArn!)!.padEnd(16)} ${e.status}`);
    }
  };
  const settle = async (what: string, done: (executions: ExecutionRow[]) => boolean) => {
    log(`  … waiting for ${what} (simulated time)`);
    await waitForExecutions(clients, info, done, { onPoll: progress, timeoutMs: 120_000 });
  };
  const count = (executions: ExecutionRow[], workflow: WorkflowKey) => executions.filter((e) => e.workflow === workflow).length;

  // The deployment's own template upload is the first release: new tenants are created from it once
  // update-tenants has recorded it (LATEST). Creates racing that claim are handled (they catch up), but
  // the demo's counts assume they come after it.
  const first = await waitForFirstRelease(cloud);
  log(
    first
      ? `\n0. The deployment's template upload was recorded as release ${first.release} (LATEST, seq ${first.seq}) by update-tenants`
      : `\n0. The deployment's template upload was not recorded as a release within a minute (or its rollout still runs)`,
  );
  log(
    `\n1. Tenants sign up: TenantCreated for ${[...GOOD, FAILING].join(', ')} and the invalid id '${INVALID}' (PutEvents on ${info.outputs.EventBusName})`,
  );
  log(`   The stack of ${FAILING} is made to fail (CloudFormation fault injection: its DataTable cannot be created), so it rolls back.`);
  cloud.failStackCreation(
    tenantStackName(FAILING),
    'DataTable',
    'Simulated failure: table limit exceeded for this account (demo fault injection)',
  );
  const before = count(await listAllExecutions(clients, info), 'create-tenant');
  for (const tenantId of [...GOOD, FAILING, INVALID]) await sendTenantEvent(clients, info, 'created', { tenantId });
  await settle('the create-tenant executions', (ex) => count(ex, 'create-tenant') >= before + GOOD.length + 2);

  const body = await currentTemplate(clients, info);
  const version = nextPatchVersion(body);
  log(
    `\n2. A template release: tenant template ${version} uploaded (PutObject on ${info.outputs.TemplateBucketName}) → S3 Object Created → update-tenants`,
  );
  const updatesBefore = count(await listAllExecutions(clients, info), 'update-tenants');
  const versionId = await releaseTemplate(clients, info, withTemplateVersion(body, version));
  log(`   object version ${versionId}`);
  await settle('the fleet update', (ex) => count(ex, 'update-tenants') >= updatesBefore + 1);

  log(`\n3. ${DELETED} leaves: TenantDeleted`);
  const deletesBefore = count(await listAllExecutions(clients, info), 'delete-tenant');
  await sendTenantEvent(clients, info, 'deleted', { tenantId: DELETED });
  await settle('the delete-tenant execution', (ex) => count(ex, 'delete-tenant') >= deletesBefore + 1);

  log(`\nSimulated time elapsed: ${duration(cloud.timeline.now() - t0)}`);
  const problems = await printAndCheck(cloud, log, version);
  return { problems };
}

/** The tenants and executions tables, without the demo's expectations (a restored data directory). */
export async function printState(cloud: LocalCloud, log: (line: string) => void): Promise<void> {
  await printAndCheck(cloud, log, undefined);
}

async function printAndCheck(cloud: LocalCloud, log: (line: string) => void, releasedVersion: string | undefined): Promise<string[]> {
  const { clients, info } = cloud;
  const records = await listTenantRecords(clients, info);
  const stacks = new Map(await Promise.all(records.map(async (r) => [r.tenantId, await describeRecordedStack(clients, info, r)] as const)));
  log('\nTenants (tenant table in DynamoDB, stacks in CloudFormation):\n');
  const rows = records.map((r) => {
    const stack = stacks.get(r.tenantId);
    return [
      r.tenantId,
      r.status ?? '',
      r.templateVersion ?? '',
      stack?.StackStatus ?? '(no stack)',
      stackOutput(stack, 'TemplateVersion') ?? '',
      shorten(r.statusReason, 70),
    ];
  });
  for (const line of table(['tenant', 'status', 'record version', 'stack status', 'stack version', 'reason'], rows)) log(`  ${line}`);

  const executions = await describeExecutions(clients, await listAllExecutions(clients, info));
  log('\nExecutions (Step Functions; "took" is simulated time):\n');
  const executionRows = executions.map((e) => [
    e.workflow,
    tenantLabel(e.tenantId, e.workflow),
    e.status ?? '',
    e.stopDate && e.startDate ? duration(e.stopDate.getTime() - e.startDate.getTime()) : '',
    e.error ? `${e.error}: ${shorten(e.cause, 60)}` : '',
  ]);
  if (executionRows.length === 0) log('  none since this start (executions live in the engine, in memory)');
  else for (const line of table(['workflow', 'tenant', 'status', 'took', 'error'], executionRows)) log(`  ${line}`);

  // The expected end state, read from the services (not from what the workflows reported).
  const problems: string[] = [];
  if (releasedVersion === undefined) return problems;
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const record = (id: string) => records.find((r) => r.tenantId === id);
  for (const id of GOOD.filter((g) => g !== DELETED)) {
    const stack = stacks.get(id);
    expect(record(id)?.status === 'ACTIVE', `${id}: record status ${record(id)?.status}, expected ACTIVE`);
    expect(
      record(id)?.templateVersion === releasedVersion,
      `${id}: record templateVersion ${record(id)?.templateVersion}, expected ${releasedVersion}`,
    );
    expect(stack?.StackStatus === 'UPDATE_COMPLETE', `${id}: stack ${stack?.StackStatus ?? 'missing'}, expected UPDATE_COMPLETE`);
    expect(
      stackOutput(stack, 'TemplateVersion') === releasedVersion,
      `${id}: stack runs template ${stackOutput(stack, 'TemplateVersion')}, expected ${releasedVersion}`,
    );
  }
  expect(record(DELETED)?.status === 'DELETED', `${DELETED}: record status ${record(DELETED)?.status}, expected DELETED`);
  expect(
    stacks.get(DELETED)?.StackStatus === 'DELETE_COMPLETE',
    `${DELETED}: stack ${stacks.get(DELETED)?.StackStatus ?? 'missing'}, expected DELETE_COMPLETE`,
  );
  expect(record(FAILING)?.status === 'FAILED', `${FAILING}: record status ${record(FAILING)?.status}, expected FAILED`);
  expect(
    stacks.get(FAILING)?.StackStatus === 'ROLLBACK_COMPLETE',
    `${FAILING}: stack ${stacks.get(FAILING)?.StackStatus ?? 'missing'}, expected ROLLBACK_COMPLETE`,
  );
  expect(record(INVALID) === undefined, `${INVALID}: a tenant record exists for the invalid id`);
  const failedCreates = executions.filter((e) => e.workflow === 'create-tenant' && e.status === 'FAILED').length;
  expect(failedCreates === 2, `create-tenant: ${failedCreates} failed executions, expected 2 (the invalid id and the failing stack)`);
  const fleet = executions.filter((e) => e.workflow === 'update-tenants');
  expect(
    fleet.length > 0 && fleet.every((e) => e.status === 'SUCCEEDED'),
    `update-tenants: ${fleet.map((e) => e.status).join(', ') || 'none'}, expected SUCCEEDED`,
  );
  const children = executions.filter((e) => e.workflow === 'update-tenant');
  expect(children.length === GOOD.length, `update-tenant: ${children.length} executions, expected ${GOOD.length} (one per ACTIVE tenant)`);
  return problems;
}

function tenantLabel(tenantId: unknown, workflow: WorkflowKey): string {
  if (typeof tenantId === 'string') return tenantId;
  return workflow === 'update-tenants' ? '(fleet)' : JSON.stringify(tenantId ?? null);
}
