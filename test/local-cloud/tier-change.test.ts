/**
 * TenantTierChanged (change-tier + update-tenant with reason tier), unmocked, on the local tenant
 * cloud: the event's tier is recorded on the ACTIVE tenant, ordered by the event's time, and the
 * stack's Tier parameter follows it at the fleet's release. End state asserted in the services:
 * stack parameters and TemplateVersion, tenant records, executions.
 */
import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { currentTemplate, releaseTemplate, sendTierChangedEvent, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStateFile } from '../../local/cli/state-file';
import { runTenantsCli, UsageError } from '../../local/cli/tenants';
import { startTestCloud, type TestCloud } from './support/test-cloud';
import { enteredStates, until } from './support/execution-progress';

let cloud: TestCloud;
const entered = (executionArn: string) => enteredStates(cloud.clients.sfn, executionArn);
let template: string;
beforeAll(async () => {
  cloud = await startTestCloud();
  template = await currentTemplate(cloud.clients, cloud.info);
  await cloud.run(
    ['t-one', 't-order', 't-race', 't-gone', 't-cli'].map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })),
  );
  // A release, so that LATEST names a pinned template for change-tier to update at.
  const before = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '3.0.0'));
  await cloud.settle('update-tenants', 1, before);
}, 120_000);
afterAll(() => cloud?.close());
afterEach(() => cloud.services.cloudformation.behaviour.reset());

const S = (item: Record<string, AttributeValue> | undefined, key: string) => item?.[key]?.S;
const N = (item: Record<string, AttributeValue> | undefined, key: string) =>
  item?.[key]?.N === undefined ? undefined : Number(item[key].N);
const tierOfStack = async (id: string) => (await cloud.tenantStack(id))?.Parameters?.find((p) => p.ParameterKey === 'Tier')?.ParameterValue;
const secondsFromNow = (seconds: number) => new Date(Math.floor(cloud.timeline.now() / 1000) * 1000 + seconds * 1000);

/** Sends one TenantTierChanged and waits until its change-tier execution (and the update it started) ended. */
async function changeTier(tenantId: string, tier: string, time?: Date) {
  const before = await cloud.executions();
  const hold = cloud.timeline.hold();
  try {
    await sendTierChangedEvent(cloud.clients, cloud.info, { tenantId, tier }, time);
  } finally {
    hold();
  }
  const [run] = (await cloud.settle('change-tier', 1, before)).filter((e) => e.workflow === 'change-tier');
  return run;
}

test('a tier change: the record has the new tier, the stack its Tier parameter, on the release it was on', async () => {
  const before = await cloud.record('t-one');
  expect([S(before, 'tier'), await tierOfStack('t-one'), N(before, 'release')]).toEqual(['standard', 'standard', 3_000_000]);
  const run = await changeTier('t-one', 'premium');
  expect(run.status).toBe('SUCCEEDED');
  expect(JSON.parse(run.output!)).toMatchObject({ tenantId: 't-one', tier: 'premium', outcome: 'changed' });
  const record = await cloud.record('t-one');
  expect([S(record, 'tier'), N(record, 'release'), N(record, 'releaseSeq'), S(record, 'templateVersion')]).toEqual([
    'premium',
    3_000_000,
    N(before, 'releaseSeq'),
    '3.0.0',
  ]);
  expect(await tierOfStack('t-one')).toBe('premium');
  expect(stackOutput(await cloud.tenantStack('t-one'), 'TemplateVersion')).toBe('3.0.0');
  // The lifecycle version is the lifecycle workflows' own: a tier change leaves it alone.
  expect(N(record, 'version')).toBe(N(before, 'version'));
});

test('an older tier-change event after a newer one is a no-op (Stale event): record and stack keep the newer tier', async () => {
  const newer = await changeTier('t-order', 'free', secondsFromNow(120));
  expect(JSON.parse(newer.output!)).toMatchObject({ outcome: 'changed', tier: 'free' });
  const older = await changeTier('t-order', 'premium', secondsFromNow(60));
  expect(older.status).toBe('SUCCEEDED');
  expect(JSON.parse(older.output!)).toMatchObject({ outcome: 'stale', tier: 'premium' });
  expect(S(await cloud.record('t-order'), 'tier')).toBe('free');
  expect(await tierOfStack('t-order')).toBe('free');
});

test('an invalid tier fails InvalidTier and changes nothing; an unknown tenant is reported, nothing written', async () => {
  const invalid = await changeTier('t-gone', 'gold');
  expect([invalid.status, invalid.error]).toEqual(['FAILED', 'InvalidTier']);
  expect(S(await cloud.record('t-gone'), 'tier')).toBe('standard');
  const unknown = await changeTier('t-never-created', 'premium');
  expect(JSON.parse(unknown.output!)).toMatchObject({ outcome: 'unknown' });
  expect(await cloud.record('t-never-created')).toBeUndefined();
});

test("a tier change during a release's update of the tenant: the stack ends on the newer release and the new tier", async () => {
  // The release's update of t-race (update-tenant, as the rollout starts it) is under way with the
  // record's old tier when the tier change arrives; LATEST names that release, as a rollout's claim does.
  const bucket = cloud.info.outputs.TemplateBucketName;
  const put = await cloud.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'test-releases/3.1.0.json', Body: withTemplateVersion(template, '3.1.0') }),
  );
  const url = `https://${bucket}.s3.${cloud.region}.amazonaws.com/test-releases/3.1.0.json?versionId=${put.VersionId}`;
  const latest = await cloud.clients.dynamodb.send(
    new PutItemCommand({
      TableName: cloud.info.outputs.ReleaseTableName,
      Item: {
        id: { S: 'LATEST' },
        release: { N: '3001000' },
        templateRelease: { N: '3001000' },
        seq: { N: '50' },
        templateUrl: { S: url },
      },
      ReturnValues: 'ALL_OLD',
    }),
  );
  cloud.services.cloudformation.behaviour.addStackRule({ stackName: 'tenant-t-race', operations: ['update'], duration: 90_000, times: 1 });
  const before = await cloud.executions();
  const hold = cloud.timeline.hold();
  let releaseArn: string;
  try {
    releaseArn = (
      await cloud.clients.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: cloud.info.outputs.UpdateTenantStateMachineArn,
          input: JSON.stringify({ tenantId: 't-race', release: 3_001_000, seq: 50, templateUrl: url }),
        }),
      )
    ).executionArn!;
    await until(async () => (await entered(releaseArn)).includes('Wait for stack event'));
    await sendTierChangedEvent(cloud.clients, cloud.info, { tenantId: 't-race', tier: 'premium' });
  } finally {
    hold();
  }
  const [tierRun] = (await cloud.settle('change-tier', 1, before)).filter((e) => e.workflow === 'change-tier');
  await cloud.idle();
  await cloud.services.eventbridge.settled();
  await cloud.idle();
  expect([tierRun.status, JSON.parse(tierRun.output!).outcome]).toEqual(['SUCCEEDED', 'changed']);
  const releaseRun = await cloud.clients.sfn.send(new DescribeExecutionCommand({ executionArn: releaseArn! }));
  expect(releaseRun.status).toBe('SUCCEEDED');
  // The release's update sent the old tier, so its observed write was refused and it converged on the record.
  expect(await entered(releaseArn!)).toContain('Converge on the newer target');
  const stack = await cloud.tenantStack('t-race');
  expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion'), await tierOfStack('t-race')]).toEqual([
    'UPDATE_COMPLETE',
    '3.1.0',
    'premium',
  ]);
  const record = await cloud.record('t-race');
  expect([S(record, 'tier'), N(record, 'releaseSeq'), N(record, 'release'), S(record, 'templateVersion')]).toEqual([
    'premium',
    50,
    3_001_000,
    '3.1.0',
  ]);
  // Put LATEST back for the other tests.
  if (latest.Attributes) {
    await cloud.clients.dynamodb.send(new PutItemCommand({ TableName: cloud.info.outputs.ReleaseTableName, Item: latest.Attributes }));
  }
});

test('npm run tenants -- tier <id> <tier> sends the event and follows change-tier; an invalid tier is refused before anything is sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tier-cli-'));
  try {
    const state = writeStateFile(cloud.info, {}, join(dir, 'endpoints.json'));
    const lines: string[] = [];
    const code = await runTenantsCli(['tier', 't-cli', 'free', '--state', state], (line) => lines.push(line));
    expect([code, lines.join('\n')]).toEqual([0, expect.stringContaining('change-tier')]);
    expect([S(await cloud.record('t-cli'), 'tier'), await tierOfStack('t-cli')]).toEqual(['free', 'free']);
    const before = (await cloud.executions()).length;
    await expect(runTenantsCli(['tier', 't-cli', 'gold', '--state', state], () => undefined)).rejects.toThrow(UsageError);
    await expect(runTenantsCli(['tier', 't-cli', '--state', state], () => undefined)).rejects.toThrow('a tier is required');
    expect((await cloud.executions()).length).toBe(before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
