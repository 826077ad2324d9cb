/**
 * update-tenants and update-tenant, unmocked, on the local tenant cloud: a template release
 * (PutObject of the template object → S3 Object Created → the synthesized rule) rolled out to a
 * fleet spread over several scan segments of several pages each. The app is the same CDK code with
 * small pages (support/tuned-app.ts). End state in the services.
 */
import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetExecutionHistoryCommand, ListExecutionsCommand, ListMapRunsCommand } from '@aws-sdk/client-sfn';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import { currentTemplate, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { type TestCloud } from './support/test-cloud';
import { startTunedTestCloud } from './support/tuned-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  // Two segments of a few pages each even for a small fleet (MinTenantsPerSegment 1).
  cloud = await startTunedTestCloud({ RolloutPageSize: 2, ScanSegments: 2, MinTenantsPerSegment: 1 });
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;
const FLEET = ['f-alpha', 'f-bravo', 'f-charlie', 'f-delta', 'f-echo', 'f-foxtrot', 'f-golf'];

test('a release updates every ACTIVE tenant over several segments and pages, one update-tenant execution each, and the records follow', async () => {
  await cloud.run(FLEET.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  for (const id of FLEET) expect(S(await cloud.record(id), 'status')).toBe('ACTIVE');

  const before = await cloud.executions();
  const body = withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '5.0.0');
  await releaseTemplate(cloud.clients, cloud.info, body);
  const executions = await cloud.settle('update-tenants', 1, before);

  const runs = executions.filter((e) => e.workflow === 'update-tenants');
  expect(runs.map((e) => e.status)).toEqual(['SUCCEEDED']);
  for (const id of FLEET) {
    const stack = await cloud.tenantStack(id);
    expect([id, stack?.StackStatus, stackOutput(stack, 'TemplateVersion')]).toEqual([id, 'UPDATE_COMPLETE', '5.0.0']);
    expect([id, S(await cloud.record(id), 'templateVersion')]).toEqual([id, '5.0.0']);
  }
  expect(executions.filter((e) => e.workflow === 'update-tenant')).toHaveLength(FLEET.length);

  // How the waves ran, read back from Step Functions: each Run wave's Map Run has one child per
  // segment (2), and the segments together read more pages than there are segments.
  const sfn = cloud.clients.sfn;
  const segmentsPerWave: number[] = [];
  // Each segment's first scan, seconds after the segment started, by segment number.
  const opened = new Map<number, number>();
  let pages = 0;
  for (const run of (await sfn.send(new ListMapRunsCommand({ executionArn: runs[0].executionArn }))).mapRuns ?? []) {
    const children = (await sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn }))).executions ?? [];
    let segments = 0;
    for (const child of children) {
      const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: child.executionArn, maxResults: 1000 }))).events ?? [];
      const scans = events.filter((e) => /^Scan (first|next) page$/.test(e.stateEnteredEventDetails?.name ?? '')).length;
      if (scans > 0) segments++;
      pages += scans;
      const input = JSON.parse(events[0].executionStartedEventDetails?.input ?? '{}') as { segment?: number };
      const firstScan = events.find((e) => e.stateEnteredEventDetails?.name === 'Scan first page');
      if (input.segment !== undefined && firstScan)
        opened.set(input.segment, (firstScan.timestamp!.getTime() - events[0].timestamp!.getTime()) / 1000);
    }
    if (segments > 0) segmentsPerWave.push(segments);
  }
  expect(segmentsPerWave.length).toBeGreaterThan(0);
  expect(segmentsPerWave.every((n) => n === 2)).toBe(true);
  expect(pages).toBeGreaterThan(2 * segmentsPerWave.length);
  // The wave's window opens segment by segment over RolloutRampSeconds (60 deployed): of two
  // segments, the second scans 30 s after it started, the first at once.
  expect([...opened].sort((a, b) => a[0] - b[0])).toEqual([
    [0, 0],
    [1, DEFAULT_WORKFLOW_TUNING.RolloutRampSeconds / 2],
  ]);
});

test('a mixed fleet: busy stacks are waited for, rolled-back and not-updatable ones left alone, tombstones untouched, a repeated release changes nothing', async () => {
  const bucket = cloud.info.outputs.TemplateBucketName;
  // rolled back: a failed create (FAILED record, ROLLBACK_COMPLETE stack)
  cloud.failStackCreation('tenant-m-rolledback', 'DataTable', 'Injected create failure');
  // tombstone: created, then deleted
  await cloud.run([
    { kind: 'created', detail: { tenantId: 'm-rolledback' } },
    { kind: 'created', detail: { tenantId: 'm-tombstone' } },
    { kind: 'created', detail: { tenantId: 'm-busy' } },
    { kind: 'created', detail: { tenantId: 'm-stuck' } },
  ]);
  await cloud.run([{ kind: 'deleted', detail: { tenantId: 'm-tombstone' } }]);
  const tombstone = await cloud.record('m-tombstone');

  // An operator's own update, through a template object the fleet rule does not watch.
  const current = await currentTemplate(cloud.clients, cloud.info);
  await cloud.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'operator/preview.json', Body: withTemplateVersion(current, '5.0.1-preview') }),
  );
  const previewUrl = `https://${bucket}.s3.${cloud.region}.amazonaws.com/operator/preview.json`;
  const operatorUpdate = (stackName: string) =>
    cloud.clients.cloudformation.send(
      new UpdateStackCommand({
        StackName: stackName,
        TemplateURL: previewUrl,
        Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
  // not updatable: an update whose rollback fails (UPDATE_ROLLBACK_FAILED)
  cloud.services.cloudformation.behaviour.addStackRule({
    stackName: 'tenant-m-stuck',
    operations: ['update'],
    failResource: 'DataTable',
    failureReason: 'Injected update failure',
    failRollback: true,
    times: 1,
  });
  await operatorUpdate('tenant-m-stuck');
  // busy: an update that takes 10 minutes is running when the release lands
  cloud.services.cloudformation.behaviour.addStackRule({ stackName: 'tenant-m-busy', operations: ['update'], duration: 600_000, times: 1 });
  const release = cloud.timeline.hold();
  await operatorUpdate('tenant-m-busy');
  const before = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(current, '6.0.0'));
  release();
  const executions = await cloud.settle('update-tenants', 1, before);

  const version = async (id: string) => [
    id,
    (await cloud.tenantStack(id))?.StackStatus,
    stackOutput(await cloud.tenantStack(id), 'TemplateVersion'),
  ];
  expect(await version('m-busy')).toEqual(['m-busy', 'UPDATE_COMPLETE', '6.0.0']);
  for (const id of FLEET) expect(await version(id)).toEqual([id, 'UPDATE_COMPLETE', '6.0.0']);
  // A rolled-back create has no outputs, and no update touched it.
  expect(await version('m-rolledback')).toEqual(['m-rolledback', 'ROLLBACK_COMPLETE', undefined]);
  expect((await cloud.tenantStack('m-rolledback'))?.LastUpdatedTime).toBeUndefined();
  expect(S(await cloud.record('m-rolledback'), 'status')).toBe('FAILED');
  expect((await version('m-stuck'))[1]).toBe('UPDATE_ROLLBACK_FAILED');
  expect(await cloud.tenantStack('m-tombstone')).toBeUndefined();
  expect(await cloud.record('m-tombstone')).toEqual(tombstone);
  // The stuck tenant is a failure the run reports (and the alarm would fire on).
  const run = executions.find((e) => e.workflow === 'update-tenants');
  expect([run?.status, run?.error]).toEqual(['FAILED', 'TenantUpdatesFailed']);

  // The same template again: nothing to update anywhere.
  const updatedAt = new Map(
    await Promise.all(FLEET.map(async (id) => [id, (await cloud.tenantStack(id))?.LastUpdatedTime?.getTime()] as const)),
  );
  const again = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(current, '6.0.0'));
  await cloud.settle('update-tenants', 1, again);
  for (const id of FLEET) {
    const stack = await cloud.tenantStack(id);
    expect([id, stack?.StackStatus, stack?.LastUpdatedTime?.getTime()]).toEqual([id, 'UPDATE_COMPLETE', updatedAt.get(id)]);
  }
});
