/**
 * The fleet rollout (update-tenants + update-tenant), unmocked, on the local tenant cloud: releases
 * ordered by their number, waves, the operator's pause/resume/abort, the error budget halting a bad
 * release. End state in the services: stacks (TemplateVersion output), tenant records, the rollout
 * and LATEST items of the release table.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { currentTemplate, output, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { abortRollout, describeRollout, latestRelease, pauseRollout, resumeRollout, RolloutStateError } from '../../local/cli/rollouts';
import { releaseNumberOf } from '../../statemachines/rollout-policy';
import { dumpWithFailedChildren } from './support/debug-history';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
let template: string;
beforeAll(async () => {
  cloud = await startTestCloud();
  template = await currentTemplate(cloud.clients, cloud.info);
  await cloud.run(FLEET.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
}, 120_000);
afterAll(() => cloud?.close());
afterEach(() => cloud.services.cloudformation.behaviour.reset());

const FLEET = ['r-alpha', 'r-bravo', 'r-charlie', 'r-delta', 'r-echo'];
const versionOf = async (id: string) => stackOutput(await cloud.tenantStack(id), 'TemplateVersion');
const versions = async () => Object.fromEntries(await Promise.all(FLEET.map(async (id) => [id, await versionOf(id)] as const)));
const every = (version: string) => Object.fromEntries(FLEET.map((id) => [id, version]));

/** Uploads a release and waits until its rollout execution ended; returns that execution. */
async function release(version: string, options: Parameters<typeof releaseTemplate>[3] = {}) {
  const before = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, version), options);
  const run = (await cloud.settle('update-tenants', 1, before)).find((e) => e.workflow === 'update-tenants')!;
  if (run.status !== 'SUCCEEDED') console.log(await dumpWithFailedChildren(cloud.clients.sfn, run.executionArn!));
  return run;
}

/** Sleeps on the simulated time line, then holds it while `act` runs (so time stands still for the operator's call). */
async function atSimulatedTime(ms: number, act: () => Promise<void>): Promise<void> {
  await cloud.timeline.sleep(ms);
  const hold = cloud.timeline.hold();
  try {
    await act();
  } finally {
    hold();
  }
}

test('a release reaches every ACTIVE tenant and its rollout item ends COMPLETED; LATEST names it; the fleet it counted is the table’s ACTIVE tenants, not a delete marker', async () => {
  // A TenantDeleted for a tenant never created leaves an expiring DELETED marker in the tenant table.
  await cloud.run([{ kind: 'deleted', detail: { tenantId: 'r-never-created' } }]);
  const records = (
    await cloud.clients.dynamodb.send(new ScanCommand({ TableName: output(cloud.info, 'TenantTableName'), ConsistentRead: true }))
  ).Items!;
  expect(records.some((r) => r.tenantId.S === 'r-never-created' && r.status.S === 'DELETED')).toBe(true);
  const active = records.filter((r) => r.status.S === 'ACTIVE' || r.status.S === 'PROVISIONING').length;
  const run = await release('2.0.0');
  expect([run.status, run.error]).toEqual(['SUCCEEDED', undefined]);
  expect(await versions()).toEqual(every('2.0.0'));
  const rollout = await describeRollout(cloud.clients, cloud.info, 2_000_000);
  expect([rollout?.state, rollout?.counts.failed]).toEqual(['COMPLETED', 0]);
  expect(rollout?.fleetCount).toBe(active);
  expect(active).toBe(FLEET.length);
  expect(await latestRelease(cloud.clients, cloud.info)).toMatchObject({
    release: 2_000_000,
    templateRelease: 2_000_000,
    rolloutId: 'release-2000000',
  });
});

test('an older release (lower number) uploaded after a newer one changes nothing and ends as superseded', async () => {
  await release('3.0.0');
  const late = await release('2.5.0');
  expect([late.status, JSON.parse(late.output!)]).toEqual(['SUCCEEDED', { release: 2_005_000, latestRelease: 3_000_000 }]);
  expect(await versions()).toEqual(every('3.0.0'));
  expect(await describeRollout(cloud.clients, cloud.info, 2_005_000)).toBeUndefined();
  expect((await latestRelease(cloud.clients, cloud.info))?.release).toBe(3_000_000);
});

test('the same release number again (a re-upload) touches no stack', async () => {
  const updatedAt = await Promise.all(FLEET.map(async (id) => (await cloud.tenantStack(id))?.LastUpdatedTime?.getTime()));
  const again = await release('3.0.0');
  expect(JSON.parse(again.output!)).toEqual({ release: 3_000_000, latestRelease: 3_000_000 });
  expect(await Promise.all(FLEET.map(async (id) => (await cloud.tenantStack(id))?.LastUpdatedTime?.getTime()))).toEqual(updatedAt);
});

test('a release number that breaks the rule fails ReleaseNumberInvalid naming it; nothing is touched', async () => {
  const before = await cloud.executions();
  await cloud.clients.s3.send(
    new PutObjectCommand({
      Bucket: output(cloud.info, 'TemplateBucketName'),
      Key: cloud.info.templateObjectKey,
      Body: withTemplateVersion(template, '3.1.0'),
      Metadata: { release: '0031' },
    }),
  );
  const run = (await cloud.settle('update-tenants', 1, before)).find((e) => e.workflow === 'update-tenants')!;
  expect([run.status, run.error]).toEqual(['FAILED', 'ReleaseNumberInvalid']);
  expect(run.cause).toContain('"0031"');
  expect(await versions()).toEqual(every('3.0.0'));
  expect((await latestRelease(cloud.clients, cloud.info))?.release).toBe(3_000_000);
});

test('a rollout-policy override that breaks a rule fails RolloutPolicyInvalid naming the field', async () => {
  const before = await cloud.executions();
  await cloud.clients.s3.send(
    new PutObjectCommand({
      Bucket: output(cloud.info, 'TemplateBucketName'),
      Key: cloud.info.templateObjectKey,
      Body: withTemplateVersion(template, '3.2.0'),
      Metadata: { release: String(releaseNumberOf('3.2.0')), 'rollout-policy': JSON.stringify({ waves: [50, 40] }) },
    }),
  );
  const run = (await cloud.settle('update-tenants', 1, before)).find((e) => e.workflow === 'update-tenants')!;
  expect([run.status, run.error, run.cause]).toEqual(['FAILED', 'RolloutPolicyInvalid', 'rollout policy waves must rise strictly']);
  expect(await versions()).toEqual(every('3.0.0'));
  // The CLI's upload path refuses it before anything is written.
  await expect(
    releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '3.2.1'), { policy: { waves: [50, 40] } }),
  ).rejects.toThrow('rollout policy waves must rise strictly');
});

test('paused during the bake after the canary, the rollout waits with later tenants untouched; resumed, it completes', async () => {
  const before = await cloud.executions();
  const policy = { canary: { tenants: ['r-alpha'], count: 0 }, waves: [100], bakeSeconds: 36_000 };
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '4.0.0'), { policy });
  // The canary takes minutes; at 2 h simulated the rollout is in its 10 h bake.
  await atSimulatedTime(7_200_000, () => pauseRollout(cloud.clients, cloud.info, 4_000_000));
  // Past the bake it must wait for the operator; time stands still while we look (and resume).
  await atSimulatedTime(40_000_000, async () => {
    const paused = await describeRollout(cloud.clients, cloud.info, 4_000_000);
    expect([paused?.state, paused?.waiting, paused?.counts.updated]).toEqual(['PAUSED', true, 1]);
    expect(await versions()).toEqual({ ...every('3.0.0'), 'r-alpha': '4.0.0' });
    await expect(pauseRollout(cloud.clients, cloud.info, 4_000_000)).rejects.toThrow(RolloutStateError);
    expect((await resumeRollout(cloud.clients, cloud.info, 4_000_000)).woke).toBe(true);
  });
  const run = (await cloud.settle('update-tenants', 1, before)).find((e) => e.workflow === 'update-tenants')!;
  expect([run.status, run.error]).toEqual(['SUCCEEDED', undefined]);
  expect(await versions()).toEqual(every('4.0.0'));
  expect((await describeRollout(cloud.clients, cloud.info, 4_000_000))?.state).toBe('COMPLETED');
});

test('aborted after the canary, the rollout rolls the canary back to the previous release and ends ABORTED', async () => {
  const before = await cloud.executions();
  const policy = { canary: { tenants: ['r-bravo'], count: 0 }, waves: [100], bakeSeconds: 36_000 };
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '5.0.0'), { policy });
  await atSimulatedTime(7_200_000, async () => {
    expect(await versionOf('r-bravo')).toBe('5.0.0');
    await abortRollout(cloud.clients, cloud.info, 5_000_000);
  });
  const run = (await cloud.settle('update-tenants', 1, before)).find((e) => e.workflow === 'update-tenants')!;
  expect([run.status, run.error]).toEqual(['SUCCEEDED', undefined]);
  expect(await versions()).toEqual(every('4.0.0'));
  expect((await describeRollout(cloud.clients, cloud.info, 5_000_000))?.state).toBe('ABORTED');
  expect(await latestRelease(cloud.clients, cloud.info)).toMatchObject({ release: 5_000_000, templateRelease: 4_000_000 });
  // A tenant created after the abort gets, and records, the release the fleet went back to.
  await cloud.run([{ kind: 'created', detail: { tenantId: 'r-after-abort' } }]);
  expect(stackOutput(await cloud.tenantStack('r-after-abort'), 'TemplateVersion')).toBe('4.0.0');
  expect((await cloud.record('r-after-abort'))?.release?.N).toBe('4000000');
  await cloud.run([{ kind: 'deleted', detail: { tenantId: 'r-after-abort' } }]);
});

test('a release that fails on every stack halts after the canary wave with no more tenants touched than the budget', async () => {
  cloud.services.cloudformation.behaviour.addStackRule({
    stackName: 'tenant-r-*',
    operations: ['update'],
    failResource: 'DataTable',
    failureReason: 'Injected bad release',
  });
  const before = await cloud.executions();
  const policy = {
    canary: { tenants: ['r-alpha', 'r-bravo', 'r-charlie'], count: 0 },
    waves: [100],
    errorBudget: { count: 2, percent: 0 },
  };
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '6.0.0'), { policy });
  const hold = await untilSimulated(async () => (await describeRollout(cloud.clients, cloud.info, 6_000_000))?.waiting === true);
  try {
    const halted = await describeRollout(cloud.clients, cloud.info, 6_000_000);
    // The canary wave halts at its first failure and runs at most errorBudget.count (2) canaries at
    // once: the one in flight beside the first failure may fail too, the third is never touched.
    expect([halted?.state, halted?.wave, halted?.waveBudget]).toEqual(['HALTED', 0, 1]);
    expect(halted?.waveFailed).toBeGreaterThanOrEqual(1);
    expect(halted?.waveFailed).toBeLessThanOrEqual(2);
    const stacksTried = await Promise.all(
      FLEET.map(async (id) => (await cloud.tenantStack(id))?.StackStatus === 'UPDATE_ROLLBACK_COMPLETE'),
    );
    expect(stacksTried.filter(Boolean).length).toBe(halted?.waveFailed);
    expect(await versions()).toEqual(every('4.0.0'));
    await abortRollout(cloud.clients, cloud.info, 6_000_000);
  } finally {
    hold();
  }
  await cloud.settle('update-tenants', 1, before);
  expect((await describeRollout(cloud.clients, cloud.info, 6_000_000))?.state).toBe('ABORTED');
});

/**
 * Lets simulated time run in 10 s steps until `condition` holds, then returns a hold on the time
 * line (release it when done): a rollout waiting for its operator would otherwise run into its
 * execution timeout while the test looks.
 */
async function untilSimulated(condition: () => Promise<boolean>, steps = 10_000): Promise<() => void> {
  for (let i = 0; i < steps; i++) {
    await cloud.timeline.sleep(10_000);
    const hold = cloud.timeline.hold();
    if (await condition()) return hold;
    hold();
  }
  throw new Error('condition not met in simulated time');
}

test('a halt resumed by the operator: the wave runs again, the tenant that failed is not tried or counted twice, the run ends TenantUpdatesFailed', async () => {
  cloud.services.cloudformation.behaviour.addStackRule({
    stackName: 'tenant-r-delta',
    operations: ['update'],
    failResource: 'DataTable',
    failureReason: 'Injected failure of one tenant',
  });
  const before = await cloud.executions();
  const policy = { canary: { tenants: ['r-delta'], count: 0 }, waves: [100], errorBudget: { count: 1, percent: 0 }, bakeSeconds: 0 };
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(template, '7.0.0'), { policy });
  const hold = await untilSimulated(async () => (await describeRollout(cloud.clients, cloud.info, 7_000_000))?.waiting === true);
  try {
    expect((await describeRollout(cloud.clients, cloud.info, 7_000_000))?.state).toBe('HALTED');
    await resumeRollout(cloud.clients, cloud.info, 7_000_000);
  } finally {
    hold();
  }
  const run = (await cloud.settle('update-tenants', 1, before)).find((e) => e.workflow === 'update-tenants')!;
  expect([run.status, run.error]).toEqual(['FAILED', 'TenantUpdatesFailed']);
  const rollout = await describeRollout(cloud.clients, cloud.info, 7_000_000);
  expect([rollout?.state, rollout?.counts.failed, rollout?.counts.updated]).toEqual(['COMPLETED', 1, 4]);
  expect(await versions()).toEqual({ ...every('7.0.0'), 'r-delta': '4.0.0' });
  expect((await cloud.tenantStack('r-delta'))?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
});
