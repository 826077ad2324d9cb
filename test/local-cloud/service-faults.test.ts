/**
 * The workflows under the faults AWS services answer in production: throttling on every service
 * they call, and a PutEvents that fails for one entry. Injected in the local services (their fault
 * plans), end state read from the services.
 * Throttling: https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error (CloudFormation),
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html (DynamoDB),
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html (per-entry failures: FailedEntryCount).
 */
import { currentTemplate, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { mapRunDescendants } from './support/map-runs';
import { startTestCloud, type TestCloud } from './support/test-cloud';
import { fullHistory } from '../../scripts/sfn-executions';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());
afterEach(() => {
  cloud.services.eventbridge.clearFaults();
  cloud.services.cloudformation.behaviour.reset();
  cloud.clearDynamoFaults();
  cloud.services.s3.clearFaults();
});

/** How often the workflow saw the fault: Task failures in its history whose cause or error names it. */
async function faultsSeen(executionArn: string | undefined, text: string): Promise<number> {
  const history = await fullHistory(cloud.clients.sfn, executionArn!);
  return history.filter((e) => e.type === 'TaskFailed' && JSON.stringify(e.taskFailedEventDetails).includes(text)).length;
}

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

async function expectActive(tenantId: string): Promise<void> {
  const stack = await cloud.tenantStack(tenantId);
  expect([tenantId, stack?.StackStatus, S(await cloud.record(tenantId), 'status')]).toEqual([tenantId, 'CREATE_COMPLETE', 'ACTIVE']);
  expect(S(await cloud.record(tenantId), 'stackId')).toBe(stack?.StackId);
}

test('CloudFormation throttling (CreateStack, DescribeStacks, DeleteStack) is retried: the tenant is created, then deleted', async () => {
  cloud.services.cloudformation.behaviour.throttle(2, ['CreateStack']);
  cloud.services.cloudformation.behaviour.throttle(2, ['DescribeStacks']);
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-cfn' } }]);
  expect(await faultsSeen(created.executionArn, 'Rate exceeded')).toBe(4);
  expect(created.status).toBe('SUCCEEDED');
  await expectActive('t-cfn');

  cloud.services.cloudformation.behaviour.throttle(1, ['DescribeStacks']);
  cloud.services.cloudformation.behaviour.throttle(1, ['DeleteStack']);
  const [deleted] = await cloud.run([{ kind: 'deleted', detail: { tenantId: 't-cfn' } }]);
  expect(await faultsSeen(deleted.executionArn, 'Rate exceeded')).toBe(2);
  expect(deleted.status).toBe('SUCCEEDED');
  expect(await cloud.tenantStack('t-cfn')).toBeUndefined();
  expect(S(await cloud.record('t-cfn'), 'status')).toBe('DELETED');
});

test('CloudFormation (UpdateStack) and DynamoDB (Scan) throttling during a fleet update are retried: the tenant ends on the new version', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 't-fleet' } }]);
  cloud.services.cloudformation.behaviour.throttle(2, ['UpdateStack']);
  cloud.injectDynamoFault({ operation: 'Scan', code: 'ThrottlingException', times: 2 });
  const before = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '9.1.0'));
  const executions = await cloud.settle('update-tenants', 1, before);
  const child = executions.find((e) => e.workflow === 'update-tenant');
  const run = executions.find((e) => e.workflow === 'update-tenants');
  expect(await faultsSeen(child?.executionArn, 'Rate exceeded')).toBe(2);
  // The scans run in the rollout itself (the canary search) and in its segment executions (children of its Distributed Maps).
  const segments = await mapRunDescendants(cloud.clients.sfn, run!.executionArn!);
  const scanFaults = await Promise.all([run!, ...segments].map((e) => faultsSeen(e.executionArn!, 'ThrottlingException')));
  expect(scanFaults.reduce((a, b) => a + b, 0)).toBe(2);
  expect(run?.status).toBe('SUCCEEDED');
  const stack = await cloud.tenantStack('t-fleet');
  expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion')]).toEqual(['UPDATE_COMPLETE', '9.1.0']);
  expect(S(await cloud.record('t-fleet'), 'templateVersion')).toBe('9.1.0');
});

test('DynamoDB throttling of the tenant record writes is retried: the tenant is ACTIVE', async () => {
  cloud.injectDynamoFault({ operation: 'UpdateItem', code: 'ProvisionedThroughputExceededException', times: 2 });
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-ddb' } }]);
  expect(cloud.services.dynamodb.faults.injected.filter((f) => f.operation === 'UpdateItem')).toHaveLength(2);
  expect(await faultsSeen(created.executionArn, 'ProvisionedThroughputExceeded')).toBe(2);
  expect(created.status).toBe('SUCCEEDED');
  await expectActive('t-ddb');
});

test('S3 throttling (SlowDown) of the template read behind CreateStack is absorbed: the tenant is ACTIVE', async () => {
  cloud.services.s3.injectFault({ operation: 'GetObject', resource: cloud.info.outputs.TemplateBucketName, code: 'SlowDown', times: 2 });
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-s3' } }]);
  expect(cloud.services.s3.faults.injected.filter((f) => f.code === 'SlowDown')).toHaveLength(2);
  expect(created.status).toBe('SUCCEEDED');
  await expectActive('t-s3');
});

test('Step Functions throttling StartExecution for an EventBridge target is retried by the rule target retry policy: the workflow runs', async () => {
  cloud.services.eventbridge.injectTargetFailure({
    targetArn: cloud.info.outputs.CreateTenantStateMachineArn,
    code: 'ThrottlingException',
    times: 2,
  });
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-sfn' } }]);
  const attempts = cloud.services.eventbridge.deliveries.filter(
    (d) =>
      d.targetArn === cloud.info.outputs.CreateTenantStateMachineArn &&
      d.outcome === 'attempt-failed' &&
      d.errorCode === 'ThrottlingException',
  );
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect(created.status).toBe('SUCCEEDED');
  await expectActive('t-sfn');
});

// Notifications are at least once: a throttled PutEvents after the tenant became ACTIVE is retried.
test('EventBridge throttling the TenantProvisioned announcement: the tenant is ACTIVE, announced, the execution succeeds', async () => {
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-eb' } }], {
    afterSend: () => cloud.services.eventbridge.injectFault({ operation: 'PutEvents', code: 'ThrottlingException', times: 1 }),
  });
  await expectActive('t-eb');
  expect(cloud.announced('TenantProvisioned', 't-eb')).toHaveLength(1);
  expect(created.status).toBe('SUCCEEDED');
});

// A PutEvents answered with FailedEntryCount 1 fails the task (EventBridge.FailedEntry): retried too.
test('a PutEvents hiccup (one failed entry) on TenantProvisioned: the tenant is ACTIVE and announced once retried', async () => {
  cloud.services.eventbridge.injectPutEventsEntryFailure({ code: 'InternalFailure', detailType: 'TenantProvisioned', times: 1 });
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-hiccup' } }]); // only the workflow's entry matches
  await expectActive('t-hiccup');
  expect(cloud.announced('TenantProvisioned', 't-hiccup')).toHaveLength(1);
  expect(created.status).toBe('SUCCEEDED');
});

// When the announcement still fails after its retries, the tenant's state stays true (ACTIVE), the
// record notes the undelivered notification, and the execution fails with NotificationFailed (the
// alarm), not with a provisioning failure (docs/workflows.md, "Notifications are at least once").
test('a TenantProvisioned that keeps failing: the tenant stays ACTIVE, the record notes it, the execution fails NotificationFailed', async () => {
  cloud.services.eventbridge.injectPutEventsEntryFailure({ code: 'InternalFailure', detailType: 'TenantProvisioned', times: 50 });
  const [created] = await cloud.run([{ kind: 'created', detail: { tenantId: 't-unheard' } }]);
  expect([created.status, created.error]).toEqual(['FAILED', 'NotificationFailed']);
  await expectActive('t-unheard');
  const record = await cloud.record('t-unheard');
  expect(record?.notificationPending).toEqual({ BOOL: true });
  expect(S(record, 'lastNotificationError')).toMatch(/^EventBridge\.FailedEntry: .*InternalFailure/);
  expect(cloud.announced('TenantProvisioned', 't-unheard')).toHaveLength(0);
  expect(cloud.announced('TenantProvisioningFailed', 't-unheard')).toHaveLength(0);
});
