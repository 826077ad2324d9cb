/**
 * Tenant cells on the local tenant cloud, two cells: the home cell (the management account) and
 * cell-1 (another account, its own CloudFormation behind the one endpoint). End state asserted in
 * the services: which account's CloudFormation holds each tenant's stack, the tenant records' cell.
 * docs/rollouts.md "Cells".
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentTemplate, output, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { localCellAccount } from '../../local/cloud';
import { describeRollout } from '../../local/cli/rollouts';
import { writeStateFile } from '../../local/cli/state-file';
import { runTenantsCli } from '../../local/cli/tenants';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud({ cells: 2 });
}, 240_000);
afterAll(() => cloud?.close());

const TENANTS = ['c-amber', 'c-birch', 'c-cedar', 'c-dune', 'c-elm', 'c-fern', 'c-gale', 'c-heath'];
const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;
const cellOf = async (tenantId: string) => {
  const cell = (await cloud.record(tenantId))?.cell?.M;
  return cell && { name: cell.name?.S, accountId: cell.accountId?.S, roleArn: cell.roleArn?.S };
};
/** Where the tenant's live stack is, by account: asked of each cell's CloudFormation. */
const accountsHolding = (tenantId: string) =>
  cloud.tenantCells.map((cell) => cell.accountId).filter((account) => cloud.services.cells.of(account).getStack(`tenant-${tenantId}`));

test('the deployment has the home cell (the management account) first and cell-1 in its own account, both open', () => {
  expect(cloud.tenantCells.map((cell) => [cell.name, cell.accountId, cell.region, cell.open])).toEqual([
    ['home', cloud.accountId, cloud.region, true],
    ['cell-1', localCellAccount(1), cloud.region, true],
  ]);
  expect(cloud.tenantCells[1].roleArn).toBe(`arn:aws:iam::${localCellAccount(1)}:role/tenant-cell-deployer`);
});

// First, before the engine holds credentials of cell-1's role (it caches them until they expire, as
// the AWS SDKs do): the role cannot be assumed from the start.
test('a tenant whose cell role cannot be assumed fails with the reason and keeps its record; it recovers once the role can be assumed', async () => {
  const cell1 = cloud.tenantCells[1];
  const newcomers = ['n-ash', 'n-bay', 'n-cove', 'n-dell', 'n-eve', 'n-fir', 'n-glen', 'n-holt'];
  cloud.services.sts.removeRole(cell1.roleArn);
  try {
    await cloud.run(newcomers.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  } finally {
    cloud.services.sts.addRole(cell1.roleArn, [cloud.accountId]);
  }
  const outcomes = await Promise.all(
    newcomers.map(async (tenantId) => {
      const record = await cloud.record(tenantId);
      return { tenantId, cell: (await cellOf(tenantId))?.name, status: S(record, 'status'), reason: S(record, 'statusReason') ?? '' };
    }),
  );
  const failed = outcomes.filter((o) => o.cell === 'cell-1');
  expect(failed.length).toBeGreaterThan(0);
  for (const outcome of failed) {
    expect(outcome).toMatchObject({ status: 'FAILED' });
    expect(outcome.reason).toContain(`Could not assume role ${cell1.roleArn}`);
    expect(accountsHolding(outcome.tenantId)).toEqual([]);
    expect(cloud.announced('TenantProvisioningFailed', outcome.tenantId)).toHaveLength(1);
  }
  expect(outcomes.filter((o) => o.cell === 'home').map((o) => o.status)).toEqual(
    outcomes.filter((o) => o.cell === 'home').map(() => 'ACTIVE'),
  );

  // The record (and its cell) was kept: a new TenantCreated creates the stack in that cell.
  const retried = await cloud.run([{ kind: 'created', detail: { tenantId: failed[0].tenantId } }]);
  expect(retried[0].status).toBe('SUCCEEDED');
  expect(S(await cloud.record(failed[0].tenantId), 'status')).toBe('ACTIVE');
  expect((await cellOf(failed[0].tenantId))?.name).toBe('cell-1');
  expect(accountsHolding(failed[0].tenantId)).toEqual([cell1.accountId]);
});

test('new tenants are placed in both cells; each stack is in its cell account only, and the record names that cell', async () => {
  const executions = await cloud.run(TENANTS.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  expect(executions.map((e) => e.status)).toEqual(TENANTS.map(() => 'SUCCEEDED'));
  const placed: Record<string, string[]> = {};
  for (const tenantId of TENANTS) {
    const cell = await cellOf(tenantId);
    expect([tenantId, S(await cloud.record(tenantId), 'status')]).toEqual([tenantId, 'ACTIVE']);
    expect([tenantId, accountsHolding(tenantId)]).toEqual([tenantId, [cell?.accountId]]);
    const stack = cloud.services.cells.of(cell!.accountId!).getStack(`tenant-${tenantId}`)!;
    expect(stack.stackId).toContain(`:${cell!.accountId}:stack/tenant-${tenantId}/`);
    expect(stack.roleArn).toBe(cell!.roleArn); // the cell's deployer role is the stack's service role
    (placed[cell!.name!] ??= []).push(tenantId);
  }
  expect(Object.keys(placed).sort()).toEqual(['cell-1', 'home']);
  // The home account's API (the operator's own credentials) sees only the home cell's stacks.
  for (const tenantId of placed['cell-1']) expect(await cloud.tenantStack(tenantId)).toBeUndefined();
});

test('a duplicate TenantCreated keeps the tenant in its recorded cell (tenants never move)', async () => {
  const before = await Promise.all(TENANTS.map(cellOf));
  const executions = await cloud.run(TENANTS.slice(0, 4).map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  expect(await Promise.all(TENANTS.map(cellOf))).toEqual(before);
  for (const tenantId of TENANTS) expect(accountsHolding(tenantId)).toHaveLength(1);
});

/** The most stack updates an account's CloudFormation had in progress at once since `since`, from the stacks' own events. */
const peakUpdatesInProgress = (accountId: string, since: number): number => {
  const edges: [number, number][] = [];
  for (const stack of cloud.services.cells.of(accountId).listStackRecords()) {
    let started: number | undefined;
    for (const event of [...stack.events].sort((a, b) => a.timestamp - b.timestamp)) {
      if (event.logicalResourceId !== stack.stackName || event.timestamp < since) continue;
      if (event.resourceStatus === 'UPDATE_IN_PROGRESS') started = event.timestamp;
      else if (started !== undefined && /_COMPLETE$|_FAILED$/.test(event.resourceStatus) && !event.resourceStatus.includes('CLEANUP')) {
        edges.push([started, 1], [event.timestamp, -1]);
        started = undefined;
      }
    }
  }
  let now = 0;
  let peak = 0;
  for (const [, step] of edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])) peak = Math.max(peak, (now += step));
  return peak;
};

test('a release updates the tenants of both cells, each cell within its own account’s window', async () => {
  const template = await currentTemplate(cloud.clients, cloud.info);
  const before = await cloud.executions();
  // cell-1's account has a ConcurrentResourcesLimit of 3 (one tenant stack of 3 resources); the home
  // account keeps its own. One wave of every tenant: the home cell's updates run side by side while
  // cell-1's run one at a time.
  const cell1 = cloud.services.cells.of(localCellAccount(1)).behaviour;
  const homeLimit = cloud.services.cloudformation.behaviour.getLimits().concurrentResources;
  cell1.setLimits({ concurrentResources: 3 });
  // One home tenant's record as written before cells existed (no cell): the home cell's segments
  // take it, and update-tenant updates its stack in the home account.
  const placed = await Promise.all(TENANTS.map(async (tenantId) => [tenantId, (await cellOf(tenantId))?.name] as const));
  const legacy = placed.find(([, name]) => name === 'home')![0];
  const legacyCell = (await cloud.record(legacy))!.cell!;
  await cloud.clients.dynamodb.send(
    new UpdateItemCommand({
      TableName: output(cloud.info, 'TenantTableName'),
      Key: { tenantId: { S: legacy } },
      UpdateExpression: 'REMOVE cell',
    }),
  );
  const since = cloud.timeline.now();
  let runs: Awaited<ReturnType<TestCloud['settle']>>;
  try {
    await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '2.0.0'), {
      policy: { canary: { tenants: [], count: 0 }, waves: [100] },
    });
    runs = await cloud.settle('update-tenants', 1, before);
  } finally {
    cell1.setLimits({ concurrentResources: homeLimit });
  }
  expect(runs.find((run) => run.workflow === 'update-tenants')?.status).toBe('SUCCEEDED');
  const homeWindow = Math.floor(homeLimit / 3);
  const rollout = await describeRollout(cloud.clients, cloud.info, 2_000_000);
  expect([rollout?.window, rollout?.cellWindows]).toEqual([homeWindow + 1, { home: homeWindow, 'cell-1': 1 }]);
  // End state in each account's CloudFormation: cell-1 never had two tenant stack updates at once, the home account did.
  expect(peakUpdatesInProgress(localCellAccount(1), since)).toBe(1);
  expect(peakUpdatesInProgress(cloud.tenantCells[0].accountId, since)).toBeGreaterThan(1);
  expect(await cellOf(legacy)).toBeUndefined();
  const versions = await Promise.all(
    placed.map(async ([tenantId, name]) => {
      const stack = cloud.services.cells
        .of(cloud.tenantCells.find((cell) => cell.name === name)!.accountId)
        .getStack(`tenant-${tenantId}`)!;
      return [tenantId, name, stack.status, stack.current.outputs.find((o) => o.key === 'TemplateVersion')?.value];
    }),
  );
  expect(versions.filter(([, , status, version]) => status !== 'UPDATE_COMPLETE' || version !== '2.0.0')).toEqual([]);
  expect(new Set(versions.map(([, name]) => name))).toEqual(new Set(['home', 'cell-1']));
  // Each update learnt its end from the stack's status event, forwarded from its cell's account to the
  // management bus and matched by the StackUpdateEndedRule (no fallback after StackEventWaitSeconds).
  const children = runs.filter((run) => run.workflow === 'update-tenant');
  // (The newcomers of the test above are ACTIVE tenants too.)
  const updated = new Set(children.map((child) => child.tenantId));
  expect(TENANTS.filter((tenantId) => !updated.has(tenantId))).toEqual([]);
  for (const child of children) {
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await cloud.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: child.executionArn, nextToken }));
      history.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const entered = history.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
    expect([child.tenantId, entered.includes('Wait for stack event'), entered.includes('Note no event')]).toEqual([
      child.tenantId,
      true,
      false,
    ]);
  }
  // The home cell's stacks read through the API show it too.
  const home = versions.find(([, name]) => name === 'home')![0] as string;
  expect(stackOutput(await cloud.tenantStack(home), 'TemplateVersion')).toBe('2.0.0');
  // The tests below see the record as placed again.
  await cloud.clients.dynamodb.send(
    new UpdateItemCommand({
      TableName: output(cloud.info, 'TenantTableName'),
      Key: { tenantId: { S: legacy } },
      UpdateExpression: 'SET cell = :cell',
      ExpressionAttributeValues: { ':cell': legacyCell },
    }),
  );
});

test('the operator CLI reads each tenant’s stack in its cell: `tenants list` and `show` see cell-1’s stacks through its assumed deployer role', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cells-cli-'));
  try {
    const state = writeStateFile(cloud.info, {}, join(dir, 'endpoints.json'));
    const inCell1: string[] = [];
    for (const tenantId of TENANTS) if ((await cellOf(tenantId))?.name === 'cell-1') inCell1.push(tenantId);
    expect(inCell1.length).toBeGreaterThan(0);
    const assumedBefore = cloud.services.sts.assumeRoleCalls;
    const lines: string[] = [];
    expect(await runTenantsCli(['list', '--state', state], (line) => lines.push(line))).toBe(0);
    for (const tenantId of inCell1) {
      // The stack's status as cell-1's CloudFormation holds it, not "(no stack)".
      const status = cloud.services.cells.of(localCellAccount(1)).getStack(`tenant-${tenantId}`)!.status;
      expect(lines.find((line) => line.startsWith(`${tenantId} `))).toMatch(new RegExp(`\\b${status}\\b`));
    }
    // One AssumeRole of cell-1's role for the whole listing, none for the home cell.
    expect(cloud.services.sts.assumeRoleCalls - assumedBefore).toBe(1);
    const shown: string[] = [];
    expect(await runTenantsCli(['show', inCell1[0], '--state', state], (line) => shown.push(line))).toBe(0);
    expect(shown.join('\n')).toContain(`cell: cell-1 (account ${localCellAccount(1)}`);
    expect(shown.join('\n')).toMatch(new RegExp(`stack: tenant-${inCell1[0]} UPDATE_COMPLETE`));
    // The release's rollout (the test above) shows each cell's window.
    const rolloutLines: string[] = [];
    expect(await runTenantsCli(['rollout', '2000000', '--state', state], (line) => rolloutLines.push(line))).toBe(0);
    expect(rolloutLines[0]).toMatch(/window \d+ updates \(home \d+, cell-1 1\)/);
    // cell-1's role no longer assumable: its tenants' rows say why, the home cell's still read, the command fails.
    const cell1 = cloud.tenantCells[1];
    cloud.services.sts.removeRole(cell1.roleArn);
    try {
      const refused: string[] = [];
      expect(await runTenantsCli(['list', '--state', state], (line) => refused.push(line))).toBe(1);
      expect(refused.find((line) => line.startsWith(`${inCell1[0]} `))).toContain('(unreadable: cannot read stacks of cell cell-1');
      const home = TENANTS.find((tenantId) => !inCell1.includes(tenantId))!;
      expect(refused.find((line) => line.startsWith(`${home} `))).not.toContain('unreadable');
    } finally {
      cloud.services.sts.addRole(cell1.roleArn, [cloud.accountId]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a TenantDeleted removes the stack from its cell, whichever it is', async () => {
  const gone = [TENANTS[0], TENANTS[1], TENANTS[2], TENANTS[3]];
  const cells = await Promise.all(gone.map(cellOf));
  const executions = await cloud.run(gone.map((tenantId) => ({ kind: 'deleted' as const, detail: { tenantId } })));
  expect(executions.map((e) => e.status)).toEqual(gone.map(() => 'SUCCEEDED'));
  for (const [i, tenantId] of gone.entries()) {
    expect([tenantId, S(await cloud.record(tenantId), 'status')]).toEqual([tenantId, 'DELETED']);
    expect(accountsHolding(tenantId)).toEqual([]);
    const deleted = cloud.services.cells
      .of(cells[i]!.accountId!)
      .listStackRecords()
      .filter((stack) => stack.stackName === `tenant-${tenantId}`);
    expect(deleted.map((stack) => stack.status)).toEqual(['DELETE_COMPLETE']);
  }
});
