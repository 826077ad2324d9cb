/**
 * EventBridge delivers at least once and in no particular order
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html: retries for up to 24 hours;
 * S3 event notifications carry no ordering: https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html,
 * "sequencer" is how to order them). Deliveries shaped in the local EventBridge (late, duplicated);
 * end state in the services.
 */
import { currentTemplate, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());
afterEach(() => cloud.services.eventbridge.clearFaults());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

test('a TenantCreated delivered twice to create-tenant ends with one stack and the tenant ACTIVE', async () => {
  cloud.services.eventbridge.shapeDeliveries({
    targetArn: cloud.info.outputs.CreateTenantStateMachineArn,
    match: (event) => (event.detail as { tenantId?: string }).tenantId === 'twice',
    duplicate: true,
  });
  const executions = await cloud.run([{ kind: 'created', detail: { tenantId: 'twice' } }]);
  await cloud.settle('create-tenant', 2, []);
  const creates = (await cloud.executions()).filter((e) => e.workflow === 'create-tenant');
  expect(creates).toHaveLength(2);
  expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
  const stack = await cloud.tenantStack('twice');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  expect(S(await cloud.record('twice'), 'status')).toBe('ACTIVE');
  expect(S(await cloud.record('twice'), 'stackId')).toBe(stack?.StackId);
});

test('a release whose S3 event is delivered twice leaves every tenant on that release', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 'dup-release' } }]);
  cloud.services.eventbridge.shapeDeliveries({ targetArn: cloud.info.outputs.UpdateTenantsStateMachineArn, duplicate: true });
  const before = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '9.1.0'));
  await cloud.settle('update-tenants', 2, before);
  for (const id of ['twice', 'dup-release']) {
    const stack = await cloud.tenantStack(id);
    expect([id, stack?.StackStatus, stackOutput(stack, 'TemplateVersion'), S(await cloud.record(id), 'templateVersion')]).toEqual([
      id,
      'UPDATE_COMPLETE',
      '9.1.0',
      '9.1.0',
    ]);
  }
});

// Releases are ordered by their number (x-amz-meta-release, docs/rollouts.md), not by event arrival:
// the older release's event, arriving last, changes nothing.
test('two releases whose S3 events arrive out of order leave the fleet on the newer one; the older ends as superseded', async () => {
  const body = await currentTemplate(cloud.clients, cloud.info);
  // The first release's event is held back an hour; the second one's goes at once.
  cloud.services.eventbridge.shapeDeliveries({
    targetArn: cloud.info.outputs.UpdateTenantsStateMachineArn,
    delayMs: 3_600_000,
    times: 1,
  });
  const before = await cloud.executions();
  const release = cloud.timeline.hold();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(body, '9.2.0'));
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(body, '9.3.0'));
  release();
  const runs = (await cloud.settle('update-tenants', 2, before)).filter((e) => e.workflow === 'update-tenants');
  for (const id of ['twice', 'dup-release']) {
    expect([id, stackOutput(await cloud.tenantStack(id), 'TemplateVersion')]).toEqual([id, '9.3.0']);
  }
  // The late one read its release number (9002000 < 9003000) and touched nothing.
  const late = runs.find((e) => JSON.parse(e.output ?? '{}').latestRelease !== undefined);
  expect(late && JSON.parse(late.output!)).toEqual({ release: 9_002_000, latestRelease: 9_003_000 });
});
