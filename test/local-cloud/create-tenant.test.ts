/**
 * create-tenant, unmocked, on the local tenant cloud: what it leaves in the services (the stack, its
 * parameters and template version, the tenant record, the tenant's data table, the announced
 * events, execution statuses), never what it reports about itself.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { TEMPLATE_VERSION } from '../../template/version';
import { tenantDataTableName } from '../../template/naming';
import { DEFAULT_TENANT_TIER, tenantTierViolation } from '../../template/tier';
import { startTestCloud, type TestCloud } from './support/test-cloud';
import { latestRelease } from '../../local/cli/rollouts';
import { releaseNumberOf } from '../../statemachines/rollout-policy';
import { currentTemplate, output, releaseTemplate, stackOutput, stackParameter, withTemplateVersion } from '../../local/cli/operations';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

test('a TenantCreated provisions the stack, the data table and an ACTIVE record, and announces TenantProvisioned', async () => {
  const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId: 'acme' } }]);
  expect(execution.status).toBe('SUCCEEDED');

  const stack = await cloud.tenantStack('acme');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  expect(stackParameter(stack, 'TenantId')).toBe('acme');
  expect(stackOutput(stack, 'TemplateVersion')).toBe(TEMPLATE_VERSION);
  expect(await cloud.tableExists(tenantDataTableName('acme'))).toBe(true);

  const record = await cloud.record('acme');
  expect(S(record, 'status')).toBe('ACTIVE');
  expect(S(record, 'stackId')).toBe(stack?.StackId);
  expect(S(record, 'templateVersion')).toBe(TEMPLATE_VERSION);
  // No tier in the event: the default, passed to the stack and recorded; a wave bucket 0-9999; the
  // release the deployment's own template upload recorded (LATEST: the rule exists before the upload).
  expect(stackParameter(stack, 'Tier')).toBe(DEFAULT_TENANT_TIER);
  expect(S(record, 'tier')).toBe(DEFAULT_TENANT_TIER);
  const bucket = Number(record?.bucket?.N);
  expect(Number.isInteger(bucket) && bucket >= 0 && bucket <= 9999).toBe(true);
  const latest = await latestRelease(cloud.clients, cloud.info);
  expect(latest?.release).toBe(releaseNumberOf(TEMPLATE_VERSION));
  expect([record?.release?.N, record?.releaseSeq?.N]).toEqual([String(latest!.release), String(latest!.seq)]);

  const announced = cloud.announced('TenantProvisioned', 'acme');
  expect(announced).toHaveLength(1);
  expect(announced[0].detail).toEqual({ tenantId: 'acme', stackId: stack?.StackId, templateVersion: TEMPLATE_VERSION });
});

test('a second TenantCreated for an ACTIVE tenant converges on the same stack', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 'dup-seq' } }]);
  const first = await cloud.tenantStack('dup-seq');
  const [again] = await cloud.run([{ kind: 'created', detail: { tenantId: 'dup-seq' } }]);

  expect(again.status).toBe('SUCCEEDED');
  const stack = await cloud.tenantStack('dup-seq');
  expect(stack?.StackId).toBe(first?.StackId);
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  expect(S(await cloud.record('dup-seq'), 'status')).toBe('ACTIVE');
  expect(S(await cloud.record('dup-seq'), 'stackId')).toBe(first?.StackId);
});

test('two TenantCreated at once create one stack and both executions end with the tenant ACTIVE', async () => {
  const executions = await cloud.run([
    { kind: 'created', detail: { tenantId: 'dup-conc' } },
    { kind: 'created', detail: { tenantId: 'dup-conc' } },
  ]);
  expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  const stack = await cloud.tenantStack('dup-conc');
  expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
  const record = await cloud.record('dup-conc');
  expect(S(record, 'status')).toBe('ACTIVE');
  expect(S(record, 'stackId')).toBe(stack?.StackId);
});

describe.each([
  ['upper case and underscore', 'Bad_Id'],
  ['leading hyphen', '-lead'],
  ['trailing hyphen', 'trail-'],
  ['empty', ''],
  ['33 characters (only CloudFormation measures the length)', 'a'.repeat(33)],
  ['a number', 42],
  ['missing', undefined],
])('an invalid tenant id (%s)', (_label, tenantId) => {
  test('fails the execution with InvalidTenantId and leaves no stack and no record', async () => {
    const detail = tenantId === undefined ? {} : { tenantId };
    const [execution] = await cloud.run([{ kind: 'created', detail }]);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('InvalidTenantId');
    if (typeof tenantId === 'string' && tenantId !== '') {
      expect(await cloud.tenantStack(tenantId)).toBeUndefined();
      expect(await cloud.record(tenantId)).toBeUndefined();
    }
  });
});

test('a stack that fails to create rolls back; the tenant is FAILED with the reason and TenantProvisioningFailed is announced', async () => {
  cloud.failStackCreation('tenant-broken', 'DataTable', 'Injected: table limit exceeded');
  const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId: 'broken' } }]);
  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('TenantProvisioningFailed');

  const stack = await cloud.tenantStack('broken');
  expect(stack?.StackStatus).toBe('ROLLBACK_COMPLETE');
  const record = await cloud.record('broken');
  expect(S(record, 'status')).toBe('FAILED');
  expect(S(record, 'statusReason')).toContain('ROLLBACK_COMPLETE');
  expect(cloud.announced('TenantProvisioningFailed', 'broken')).toHaveLength(1);
  expect(cloud.announced('TenantProvisioned', 'broken')).toHaveLength(0);
});

// A new TenantCreated after a failed create starts a new generation: the ROLLBACK_COMPLETE stack is
// deleted and created again (docs/workflows.md, "Recovery of a failed create").
test('a TenantCreated after a failed create recovers the tenant: the rolled-back stack is replaced', async () => {
  cloud.failStackCreation('tenant-retry', 'DataTable', 'Injected: first attempt fails');
  await cloud.run([{ kind: 'created', detail: { tenantId: 'retry' } }]);
  const [again] = await cloud.run([{ kind: 'created', detail: { tenantId: 'retry' } }]);
  expect(again.status).toBe('SUCCEEDED');
  expect((await cloud.tenantStack('retry'))?.StackStatus).toBe('CREATE_COMPLETE');
  expect(S(await cloud.record('retry'), 'status')).toBe('ACTIVE');
});

// A fleet update also updates PROVISIONING tenants: the child waits while the stack is being created,
// then updates it to the pinned release, and the create records the version the stack ends on.
test('a release landing while a tenant is being created reaches that tenant too', async () => {
  const release = cloud.timeline.hold();
  const before = await cloud.executions();
  await cloud.send('created', { tenantId: 'late-joiner' });
  for (let i = 0; i < 200 && (await cloud.tenantStack('late-joiner'))?.StackStatus !== 'CREATE_IN_PROGRESS'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The stack is created from the unversioned template URL, so the release must land after CreateStack read it.
  const body = withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '4.0.0');
  await releaseTemplate(cloud.clients, cloud.info, body);
  release();
  await cloud.settle('update-tenants', 1, before);
  await cloud.settle('create-tenant', 1, before);
  expect(stackOutput(await cloud.tenantStack('late-joiner'), 'TemplateVersion')).toBe('4.0.0');
});

// Tiers (template/tier.ts): TenantCreated.detail.tier becomes the stack's Tier parameter and the record's tier.
test('a TenantCreated with tier premium creates the stack with Tier premium and records the tier', async () => {
  expect(tenantTierViolation('premium')).toBeUndefined();
  const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId: 'big-spender', tier: 'premium' } }]);
  expect(execution.status).toBe('SUCCEEDED');
  const stack = await cloud.tenantStack('big-spender');
  expect([stack?.StackStatus, stackParameter(stack, 'Tier')]).toEqual(['CREATE_COMPLETE', 'premium']);
  expect(S(await cloud.record('big-spender'), 'tier')).toBe('premium');
});

test('a duplicate TenantCreated keeps the recorded tier and bucket', async () => {
  await cloud.run([{ kind: 'created', detail: { tenantId: 'steady', tier: 'free' } }]);
  const first = await cloud.record('steady');
  await cloud.run([{ kind: 'created', detail: { tenantId: 'steady', tier: 'premium' } }]);
  const again = await cloud.record('steady');
  expect([S(again, 'status'), S(again, 'tier'), again?.bucket?.N]).toEqual(['ACTIVE', 'free', first?.bucket?.N]);
  expect(stackParameter(await cloud.tenantStack('steady'), 'Tier')).toBe('free');
});

describe.each([
  ['not a tier', 'gold'],
  ['empty', ''],
  ['a number', 2],
  ['null', null],
])('an invalid tier (%s)', (_label, tier) => {
  test('fails the execution with InvalidTier and leaves no stack and no record', async () => {
    expect(tenantTierViolation(tier)).toBeDefined(); // the rule (template/tier.ts) and the workflow agree
    const tenantId = `tier-${_label.replace(/ /g, '-')}`;
    const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId, tier } }]);
    expect([execution.status, execution.error]).toEqual(['FAILED', 'InvalidTier']);
    expect(await cloud.tenantStack(tenantId)).toBeUndefined();
    expect(await cloud.record(tenantId)).toBeUndefined();
  });
});

// Releases (docs/rollouts.md): LATEST in the release table is the fleet's desired template. The
// tests below upload template versions (each upload also runs today's fleet update, which is settled)
// and record LATEST themselves, as the rollout workflow does when it claims a release.
describe('with a release recorded', () => {
  const templateUrl = () =>
    `https://${output(cloud.info, 'TemplateBucketName')}.s3.${cloud.info.region}.amazonaws.com/${cloud.info.templateObjectKey}`;
  const versions: Record<string, string> = {};
  const upload = async (version: string) => {
    const before = await cloud.executions();
    const body = withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), version);
    versions[version] = (await releaseTemplate(cloud.clients, cloud.info, body))!;
    await cloud.settle('update-tenants', 1, before);
  };
  const recordLatest = (release: number, seq: number, version: string) =>
    cloud.clients.dynamodb.send(
      new PutItemCommand({
        TableName: output(cloud.info, 'ReleaseTableName'),
        Item: {
          id: { S: 'LATEST' },
          release: { N: String(release) },
          templateRelease: { N: String(release) },
          seq: { N: String(seq) },
          templateUrl: { S: `${templateUrl()}?versionId=${versions[version]}` },
          versionId: { S: versions[version] },
        },
      }),
    );
  /** Sends the TenantCreated, runs `during` once its stack is being created (the clock held), then settles. */
  const createWhile = async (tenantId: string, during: () => Promise<unknown>) => {
    const release = cloud.timeline.hold();
    const before = await cloud.executions();
    try {
      await cloud.send('created', { tenantId });
      for (let i = 0; i < 200 && S(await cloud.record(tenantId), 'status') !== 'PROVISIONING'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await cloud.tenantStack(tenantId))?.StackStatus).toBe('CREATE_IN_PROGRESS');
      await during();
    } finally {
      release();
    }
    await cloud.settle('create-tenant', 1, before);
    return before;
  };

  beforeAll(async () => {
    await upload('5.0.0');
    await upload('6.0.0'); // the object's current version is 6.0.0 from here on
    await recordLatest(5, 1, '5.0.0');
  }, 60_000);

  test("CreateStack uses LATEST's pinned template, not the object's current version, and ACTIVE records that release", async () => {
    const [execution] = await cloud.run([{ kind: 'created', detail: { tenantId: 'pinned' } }]);
    expect(execution.status).toBe('SUCCEEDED');
    const stack = await cloud.tenantStack('pinned');
    expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion'), stackParameter(stack, 'Tier')]).toEqual([
      'CREATE_COMPLETE',
      '5.0.0',
      DEFAULT_TENANT_TIER,
    ]);
    const record = await cloud.record('pinned');
    expect([S(record, 'status'), S(record, 'templateVersion'), record?.release?.N, record?.releaseSeq?.N]).toEqual([
      'ACTIVE',
      '5.0.0',
      '5',
      '1',
    ]);
  });

  test('a release recorded while the stack is being created reaches the tenant: after ACTIVE the create runs update-tenant', async () => {
    const before = await createWhile('catch-up', () => recordLatest(6, 2, '6.0.0'));
    const settled = await cloud.settle('update-tenant', 1, before);
    const child = settled.find((e) => e.workflow === 'update-tenant')!;
    const create = settled.find((e) => e.workflow === 'create-tenant');

    expect([create?.status, child.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(JSON.parse(child.input ?? '{}')).toMatchObject({
      tenantId: 'catch-up',
      release: 6,
      seq: 2,
      templateUrl: `${templateUrl()}?versionId=${versions['6.0.0']}`,
    });
    const stack = await cloud.tenantStack('catch-up');
    expect([stack?.StackStatus, stackOutput(stack, 'TemplateVersion')]).toEqual(['UPDATE_COMPLETE', '6.0.0']);
    const record = await cloud.record('catch-up');
    expect([S(record, 'status'), S(record, 'templateVersion')]).toEqual(['ACTIVE', '6.0.0']);
    // The create recorded the release it made the stack from (seq 1); the update-tenant of the rollout
    // design records the one it brought the stack to (seq 2).
    expect(['1', '2']).toContain(record?.releaseSeq?.N);
    expect(cloud.announced('TenantProvisioned', 'catch-up')).toHaveLength(1);
  });

  test('ACTIVE does not overwrite a release a rollout recorded for the tenant while it was being created', async () => {
    await createWhile('rolled', () =>
      // What update-tenant's observed write does when it updated the stack first.
      cloud.clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: output(cloud.info, 'TenantTableName'),
          Key: { tenantId: { S: 'rolled' } },
          UpdateExpression: 'SET #release = :release, releaseSeq = :seq',
          ExpressionAttributeNames: { '#release': 'release' },
          ExpressionAttributeValues: { ':release': { N: '7' }, ':seq': { N: '3' } },
        }),
      ),
    );
    const record = await cloud.record('rolled');
    expect([S(record, 'status'), record?.release?.N, record?.releaseSeq?.N]).toEqual(['ACTIVE', '7', '3']);
    expect(stackOutput(await cloud.tenantStack('rolled'), 'TemplateVersion')).toBe('6.0.0');
  });
});
