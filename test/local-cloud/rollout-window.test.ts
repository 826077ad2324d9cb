/**
 * The rollout's window adapts to throttling, unmocked, on the local tenant cloud: a segment cuts
 * its window by a quarter at the page end after its children were throttled more often than they
 * finished updates (the rollout item's `throttled` counter and `counts`, added to by update-tenant)
 * and grows it again, by an eighth of its share, when they were not. Read back from Step Functions (each page's Map Run and its MaxConcurrency) and from the
 * stacks (every tenant ends on the release).
 */
import { DescribeMapRunCommand, ListExecutionsCommand, ListMapRunsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { currentTemplate, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { describeRollout } from '../../local/cli/rollouts';
import { type TestCloud } from './support/test-cloud';
import { startTunedTestCloud } from './support/tuned-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  // One segment of pages of two tenants: each page is a Map Run of its own, so the window of each is visible.
  cloud = await startTunedTestCloud({ RolloutPageSize: 2, ScanSegments: 1, MinTenantsPerSegment: 1 });
}, 120_000);
afterAll(() => cloud?.close());
afterEach(() => cloud.services.cloudformation.behaviour.reset());

const FLEET = ['w-alpha', 'w-bravo', 'w-charlie', 'w-delta', 'w-echo', 'w-foxtrot', 'w-golf', 'w-hotel'];

/** The MaxConcurrency of every page's Map Run, in the order the segment ran them. */
async function pageWindows(sfn: SFNClient, rolloutArn: string): Promise<number[]> {
  const windows: { at: number; max: number }[] = [];
  for (const wave of (await sfn.send(new ListMapRunsCommand({ executionArn: rolloutArn }))).mapRuns ?? []) {
    for (const segment of (await sfn.send(new ListExecutionsCommand({ mapRunArn: wave.mapRunArn }))).executions ?? []) {
      for (const page of (await sfn.send(new ListMapRunsCommand({ executionArn: segment.executionArn }))).mapRuns ?? []) {
        const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn: page.mapRunArn }));
        windows.push({ at: run.startDate!.getTime(), max: run.maxConcurrency! });
      }
    }
  }
  return windows.sort((a, b) => a.at - b.at).map((w) => w.max);
}

test('three throttled UpdateStacks among two finished updates cut the next page’s window by a quarter; unthrottled pages grow it back by an eighth of the share; every tenant still ends on the release', async () => {
  await cloud.run(FLEET.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  // The first three UpdateStack calls are throttled: the children back off, retry and count them on the rollout item.
  cloud.services.cloudformation.behaviour.throttle(3, ['UpdateStack']);

  const before = await cloud.executions();
  const body = withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '6.0.0');
  const policy = { canary: { tenants: [], count: 0 }, waves: [100], bakeSeconds: 0, maxConcurrency: 8 };
  await releaseTemplate(cloud.clients, cloud.info, body, { release: 6_000_000, policy });
  const executions = await cloud.settle('update-tenants', 1, before);
  const rollout = executions.find((e) => e.workflow === 'update-tenants')!;
  expect(rollout.status).toBe('SUCCEEDED');

  for (const id of FLEET) expect([id, stackOutput(await cloud.tenantStack(id), 'TemplateVersion')]).toEqual([id, '6.0.0']);
  const item = await describeRollout(cloud.clients, cloud.info, 6_000_000);
  expect(item?.throttled).toBeGreaterThanOrEqual(3);

  // Window 8, one segment: the first page (two tenants) runs at 8 while its children are throttled 3 times,
  // more than the 2 updates finished; the next at floor(8 x 3 / 4) = 6; then 6 + max(1, floor(8 / 8)) = 7,
  // then 8, the share, as long as nothing is throttled (the scan may end with an empty page).
  const windows = await pageWindows(cloud.clients.sfn, rollout.executionArn!);
  expect(windows.slice(0, 4)).toEqual([8, 6, 7, 8]);
});
