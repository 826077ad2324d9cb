/**
 * What the fleet bench builds on in the local CloudFormation: stacks seeded without an operation,
 * record-only tenant-stack providers, per-action rate limits, rules for a share of the stacks, the
 * call listener, and the fleet fixture's behaviour (update durations in 30-120 s, failing tenants, a
 * bad release). Correctness only: no timing is asserted in wall time.
 */
import {
  DescribeAccountLimitsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { BehaviourController, recordedTenantStackProviders, type CloudFormationBehaviour } from '../../local/cloudformation';
import { shareOf } from '../../local/cloudformation/behaviour';
import { BAD_RELEASE_REASON, FAILURE_REASON, fleetBehaviour } from '../../bench/fleet/fixture';
import { startCloud, type Cloud } from './cloudformation-support';

/** A tenant stack's shape: a named table, a named role, an inline policy on both, outputs from GetAtt. */
const TENANT_TEMPLATE = JSON.stringify({
  Parameters: { TenantId: { Type: 'String', AllowedPattern: '^[a-z0-9-]+$' } },
  Resources: {
    DataTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Sub': 'tenant-${TenantId}-data' },
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        Tags: [{ Key: 'TenantId', Value: { Ref: 'TenantId' } }],
      },
    },
    AppRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Sub': 'tenant-${TenantId}-app' },
        AssumeRolePolicyDocument: {
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Tags: [{ Key: 'TenantId', Value: { Ref: 'TenantId' } }],
      },
    },
    AppRoleDataAccess: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'data',
        Roles: [{ Ref: 'AppRole' }],
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['DataTable', 'Arn'] } }] },
      },
    },
  },
  Outputs: {
    DataTableName: { Value: { Ref: 'DataTable' } },
    AppRoleArn: { Value: { 'Fn::GetAtt': ['AppRole', 'Arn'] } },
    TemplateVersion: { Value: '1.0.0' },
  },
});

const withReleaseTag = (release: string): string => {
  const t = JSON.parse(TENANT_TEMPLATE) as { Resources: Record<string, { Properties: { Tags?: { Key: string; Value: unknown }[] } }> };
  for (const r of Object.values(t.Resources)) r.Properties.Tags?.push({ Key: 'release', Value: release });
  return JSON.stringify(t);
};

let cloud: Cloud;
afterEach(async () => {
  await cloud?.close();
});

const seed = (tenantId: string, status?: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE') =>
  cloud.cfn.seedStack({ stackName: `tenant-${tenantId}`, templateBody: TENANT_TEMPLATE, parameters: { TenantId: tenantId }, status });

const describe1 = async (name: string): Promise<Stack> =>
  (await cloud.send<{ Stacks: Stack[] }>(new DescribeStacksCommand({ StackName: name }))).Stacks[0];

const update = (tenantId: string, release: string) =>
  cloud.send(
    new UpdateStackCommand({
      StackName: `tenant-${tenantId}`,
      TemplateBody: withReleaseTag(release),
      Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );

describe('seeded stacks', () => {
  test('a seeded stack is live in its status with resources and outputs, published no event, and updates like any stack', async () => {
    cloud = await startCloud({ providers: recordedTenantStackProviders() });
    const stackId = await seed('acme', 'UPDATE_COMPLETE');
    const stack = await describe1('tenant-acme');
    expect(stack.StackId).toBe(stackId);
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(stack.Parameters).toEqual([{ ParameterKey: 'TenantId', ParameterValue: 'acme' }]);
    expect(Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]))).toEqual({
      DataTableName: 'tenant-acme-data',
      AppRoleArn: 'arn:aws:iam::123456789012:role/tenant-acme-app',
      TemplateVersion: '1.0.0',
    });
    const resources = await cloud.send<{
      StackResources: { LogicalResourceId: string; ResourceStatus: string; PhysicalResourceId: string }[];
    }>(new DescribeStackResourcesCommand({ StackName: 'tenant-acme' }));
    expect(resources.StackResources.map((r) => [r.LogicalResourceId, r.ResourceStatus]).sort()).toEqual([
      ['AppRole', 'CREATE_COMPLETE'],
      ['AppRoleDataAccess', 'CREATE_COMPLETE'],
      ['DataTable', 'CREATE_COMPLETE'],
    ]);
    expect(cloud.sink.events).toEqual([]);
    // Record-only providers: no table in DynamoDB.
    expect((await cloud.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([]);

    await update('acme', '2');
    await cloud.cfn.idle();
    expect((await describe1('tenant-acme')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(cloud.sink.stackStatuses(stackId)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
  });

  test('seeding keeps CreateStack rules: a live name is AlreadyExistsException, the stack limit LimitExceededException, a bad parameter ValidationError', async () => {
    cloud = await startCloud({ providers: recordedTenantStackProviders(), behaviour: { limits: { stacks: 2 } } });
    await seed('a');
    await expect(seed('a')).rejects.toMatchObject({ code: 'AlreadyExistsException', message: 'Stack [tenant-a] already exists' });
    await seed('b');
    await expect(seed('c')).rejects.toMatchObject({ code: 'LimitExceededException' });
    cloud.cfn.behaviour.setLimits({ stacks: 10 });
    await expect(seed('NotValid')).rejects.toMatchObject({
      code: 'ValidationError',
      message: "Parameter 'TenantId' must match pattern ^[a-z0-9-]+$",
    });
    // The refused stack is not left behind.
    expect(cloud.cfn.getStack('tenant-NotValid')).toBeUndefined();
    expect(cloud.cfn.liveStackCount).toBe(2);
  });

  test('with the real providers, seeding provisions the table in DynamoDB', async () => {
    cloud = await startCloud();
    await seed('globex');
    expect((await cloud.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['tenant-globex-data']);
    expect(cloud.cfn.iam.getRole('tenant-globex-app')).toBeDefined();
  });
});

describe('versioned template cache', () => {
  test('with cacheVersionedTemplates, a TemplateURL with a versionId is read from S3 once; an unversioned one every time', async () => {
    cloud = await startCloud({ providers: recordedTenantStackProviders(), cacheVersionedTemplates: true });
    for (const id of ['a', 'b', 'c']) await seed(id);
    const v2 = cloud.s3.put('templates', 'tenant.json', withReleaseTag('2'));
    const url = (version?: string) => `${cloud.s3.endpoint}/templates/tenant.json${version ? `?versionId=${version}` : ''}`;
    const updateFrom = (id: string, templateUrl: string) =>
      cloud.send(
        new UpdateStackCommand({
          StackName: `tenant-${id}`,
          TemplateURL: templateUrl,
          Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
    await updateFrom('a', url(v2));
    await updateFrom('b', url(v2));
    cloud.s3.put('templates', 'tenant.json', withReleaseTag('3'));
    await updateFrom('c', url());
    await cloud.cfn.idle();
    expect(cloud.s3.requests).toEqual([
      `GET /templates/tenant.json?versionId=${v2}&x-id=GetObject`,
      'GET /templates/tenant.json?x-id=GetObject',
    ]);
    for (const id of ['a', 'b', 'c']) expect((await describe1(`tenant-${id}`)).StackStatus).toBe('UPDATE_COMPLETE');
  });
});

describe('rate limits and shares', () => {
  test('perAction gives every action its own bucket; without it the actions share one; buckets refill on the time line', () => {
    const timeline = new VirtualTimeline(0);
    const own = new BehaviourController(timeline, { rateLimits: [{ actions: ['A', 'B'], perSecond: 1, burst: 2, perAction: true }] });
    const shared = new BehaviourController(timeline, { rateLimits: [{ actions: ['A', 'B'], perSecond: 1, burst: 2 }] });
    const outcome = (b: BehaviourController, action: string): string => {
      try {
        b.checkThrottle(action);
        return 'ok';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(['A', 'A', 'A', 'B', 'B', 'B', 'C'].map((a) => outcome(own, a))).toEqual([
      'ok',
      'ok',
      'Throttling',
      'ok',
      'ok',
      'Throttling',
      'ok',
    ]);
    expect(['A', 'B', 'A', 'B'].map((a) => outcome(shared, a))).toEqual(['ok', 'ok', 'Throttling', 'Throttling']);
  });

  test('a refilled bucket answers again after 1 / perSecond of simulated time', async () => {
    const timeline = new VirtualTimeline(0);
    const b = new BehaviourController(timeline, { rateLimits: [{ actions: ['UpdateStack'], perSecond: 10, burst: 1, perAction: true }] });
    b.checkThrottle('UpdateStack');
    expect(() => b.checkThrottle('UpdateStack')).toThrow('Rate exceeded');
    await timeline.sleep(100);
    expect(() => b.checkThrottle('UpdateStack')).not.toThrow();
  });

  test('a rule with a share applies to the same stacks every time, about that share of a large fleet', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `tenant-t${String(i).padStart(6, '0')}`);
    const chosen = (share: number) => names.filter((n) => shareOf(n) < share);
    expect(chosen(0.05).length).toBeGreaterThan(20_000 * 0.04);
    expect(chosen(0.05).length).toBeLessThan(20_000 * 0.06);
    expect(chosen(0)).toEqual([]);
    expect(chosen(1)).toHaveLength(names.length);
    const b = new BehaviourController(new VirtualTimeline(0), { stackRules: [{ share: 0.05, failResource: '*' }] });
    const failing = names.filter((n) => b.forOperation(n, 'update').failResource === '*');
    expect(failing).toEqual(chosen(0.05));
    expect(() => new BehaviourController(new VirtualTimeline(0), { stackRules: [{ share: 1.5 }] })).toThrow(
      'behaviour.stackRules[0].share must be a number from 0 to 1, got 1.5',
    );
  });

  test('the call listener sees every action, throttled ones included', async () => {
    cloud = await startCloud({ behaviour: { throttles: [{ actions: ['DescribeAccountLimits'], calls: 1 }] } });
    const seen: string[] = [];
    cloud.cfn.addCallListener((action) => seen.push(action));
    await expect(cloud.send(new DescribeAccountLimitsCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    await cloud.send(new DescribeAccountLimitsCommand({}));
    await expect(cloud.send(new DescribeStacksCommand({ StackName: 'missing' }))).rejects.toMatchObject({ name: 'ValidationError' });
    expect(seen).toEqual(['DescribeAccountLimits', 'DescribeAccountLimits', 'DescribeStacks']);
  });
});

describe('the fleet fixture behaviour', () => {
  const tenants = Array.from({ length: 400 }, (_, i) => `tenant-t${String(i).padStart(6, '0')}`);

  test('updates of tenant stacks take 30-120 s, spread over the range; other stacks and operations keep the defaults', () => {
    const b = new BehaviourController(new VirtualTimeline(0), fleetBehaviour({ tenants: 10 }));
    const durations = tenants.map((n) => b.forOperation(n, 'update').durationMs);
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...durations)).toBeLessThanOrEqual(120_000);
    // Uniform: each third of the range gets a fair share of 400 draws.
    for (const [lo, hi] of [
      [30_000, 60_000],
      [60_000, 90_000],
      [90_000, 120_000],
    ]) {
      expect(durations.filter((d) => d >= lo && d < hi).length).toBeGreaterThan(90);
    }
    expect(b.forOperation('other-stack', 'update').durationMs).toBe(30_000);
    expect(b.forOperation(tenants[0], 'create').durationMs).toBe(30_000);
    expect(b.forOperation(tenants[0], 'update').failResource).toBeUndefined();
  });

  test('a failing share makes those tenants fail every time; a bad release fails every tenant update', () => {
    const failing = new BehaviourController(new VirtualTimeline(0), fleetBehaviour({ tenants: 10, failingShare: 0.1 }));
    const failed = tenants.filter((n) => failing.forOperation(n, 'update').failureReason === FAILURE_REASON);
    expect(failed).toEqual(tenants.filter((n) => shareOf(n) < 0.1));
    expect(failed.length).toBeGreaterThan(0);
    const bad = new BehaviourController(new VirtualTimeline(0), fleetBehaviour({ tenants: 10, badRelease: true }));
    expect(tenants.every((n) => bad.forOperation(n, 'update').failureReason === BAD_RELEASE_REASON)).toBe(true);
  });

  test('the stack limit is raised to fit the fleet, the concurrent-resources limit kept, and the API throttled per action', () => {
    const behaviour: CloudFormationBehaviour = fleetBehaviour({ tenants: 100_000 });
    const b = new BehaviourController(new VirtualTimeline(0), behaviour);
    expect(b.getLimits()).toMatchObject({ stacks: 100_100, concurrentResources: 2500 });
    const answers = Array.from({ length: 12 }, () => {
      try {
        b.checkThrottle('DescribeStacks');
        return 'ok';
      } catch {
        return 'throttled';
      }
    });
    // DescribeStacks: burst 10 at 5/s, its own bucket: UpdateStack is not affected.
    expect(answers.filter((a) => a === 'ok')).toHaveLength(10);
    expect(() => b.checkThrottle('UpdateStack')).not.toThrow();
    expect(new BehaviourController(new VirtualTimeline(0), fleetBehaviour({ tenants: 10, throttling: false })).getLimits().stacks).toBe(
      2000,
    );
  });

  test('a bad release rolls a seeded tenant stack back to its previous template', async () => {
    cloud = await startCloud({ providers: recordedTenantStackProviders(), behaviour: fleetBehaviour({ tenants: 10, badRelease: true }) });
    const stackId = await seed('initech');
    await update('initech', '2');
    await cloud.cfn.idle();
    const stack = await describe1('tenant-initech');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.sink.stackStatuses(stackId)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    const reason = cloud.sink.events.find(
      (e) => (e.detail['status-details'] as { status: string }).status === 'UPDATE_ROLLBACK_IN_PROGRESS',
    );
    expect(reason?.detail['status-details']).toMatchObject({ 'status-reason': expect.stringContaining('failed to update') });
  });
});
