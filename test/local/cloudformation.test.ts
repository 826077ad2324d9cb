/**
 * The local CloudFormation driven by the real `@aws-sdk/client-cloudformation` (AWS Query protocol) on
 * loopback, provisioning the synthesized tenant template into dynalite and the IAM registry.
 * Status codes: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html
 */
import { TENANT_TIER_RULE_DESCRIPTION } from '../../template/tier';
import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeAccountLimitsCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
  type CreateStackCommandOutput,
  type DescribeStackEventsCommandOutput,
  type DescribeStacksCommandOutput,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { synthesizeTenantTemplate } from '../../template/synth';
import { TEMPLATE_VERSION } from '../../template/version';
import { startCloud, type Cloud } from './cloudformation-support';

const tenantTemplate = synthesizeTenantTemplate().body;
/** The tenant template's version today, and a patch release of it. */
const [MAJOR, MINOR, PATCH] = TEMPLATE_VERSION.split('.').map(Number);
const PATCH_RELEASE = `${MAJOR}.${MINOR}.${PATCH + 1}`;

let cloud: Cloud;
beforeEach(async () => {
  cloud = await startCloud();
});
afterEach(async () => {
  await cloud.close();
});

function createTenant(tenantId: string, extra: Record<string, unknown> = {}): Promise<CreateStackCommandOutput> {
  return cloud.send(
    new CreateStackCommand({
      StackName: `tenant-${tenantId}`,
      TemplateBody: tenantTemplate,
      Parameters: [{ ParameterKey: 'TenantId', ParameterValue: tenantId }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ...extra,
    }),
  );
}

async function describe1(nameOrId: string): Promise<Stack> {
  const out = await cloud.send<DescribeStacksCommandOutput>(new DescribeStacksCommand({ StackName: nameOrId }));
  return out.Stacks![0];
}

async function tableExists(name: string): Promise<boolean> {
  try {
    await cloud.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof DynamoDBServiceException && error.name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

async function events(nameOrId: string): Promise<{ id: string; status: string; reason?: string; token?: string }[]> {
  const out = await cloud.send<DescribeStackEventsCommandOutput>(new DescribeStackEventsCommand({ StackName: nameOrId }));
  return out
    .StackEvents!.map((e) => ({
      id: e.LogicalResourceId!,
      status: e.ResourceStatus!,
      reason: e.ResourceStatusReason,
      token: e.ClientRequestToken,
    }))
    .reverse();
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('CreateStack / DescribeStacks / DeleteStack with the tenant template', () => {
  test('CreateStack answers at once with the stack in CREATE_IN_PROGRESS, then provisions the table and the role', async () => {
    const { StackId } = await createTenant('acme', { ClientRequestToken: 'create-acme-1' });
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/tenant-acme\/[0-9a-f-]{36}$/);
    expect((await describe1('tenant-acme')).StackStatus).toBe('CREATE_IN_PROGRESS');
    const started = cloud.timeline.now();
    await cloud.cfn.idle();
    expect(cloud.timeline.now() - started).toBeGreaterThanOrEqual(30_000); // the default create duration, simulated

    const stack = await describe1('tenant-acme');
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    // Tier not given: its Default.
    expect(stack.Parameters).toEqual([
      { ParameterKey: 'TenantId', ParameterValue: 'acme' },
      { ParameterKey: 'Tier', ParameterValue: 'standard' },
    ]);
    expect(stack.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual({
      TemplateVersion: TEMPLATE_VERSION,
      DataTableName: 'tenant-acme-data',
      AppRoleArn: 'arn:aws:iam::123456789012:role/tenant-acme-app',
    });

    const { Table } = await cloud.dynamodb.send(new DescribeTableCommand({ TableName: 'tenant-acme-data' }));
    expect(Table!.TableStatus).toBe('ACTIVE');
    expect(Table!.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const role = cloud.cfn.iam.getRole('tenant-acme-app')!;
    expect(role.assumeRolePolicyDocument).toMatchObject({ Statement: [{ Principal: { Service: 'ecs-tasks.amazonaws.com' } }] });
    expect(role.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    const [policy] = Object.values(role.inlinePolicies) as { Statement: { Resource: string }[] }[];
    expect(policy.Statement[0].Resource).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/tenant-acme-data');
  });

  test('stack events come in dependency order, carry the ClientRequestToken, and match the published status changes', async () => {
    const { StackId } = await createTenant('acme', { ClientRequestToken: 'create-acme-1' });
    await cloud.cfn.idle();
    const log = await events('tenant-acme');
    expect(log[0]).toEqual({ id: 'tenant-acme', status: 'CREATE_IN_PROGRESS', reason: 'User Initiated', token: 'create-acme-1' });
    expect(log.at(-1)).toMatchObject({ id: 'tenant-acme', status: 'CREATE_COMPLETE' });
    expect(log.every((e) => e.token === 'create-acme-1')).toBe(true);
    const index = (id: string, status: string): number => log.findIndex((e) => e.id === id && e.status === status);
    expect(index('AppRoleDataAccessDD4871E3', 'CREATE_IN_PROGRESS')).toBeGreaterThan(index('DataTable', 'CREATE_COMPLETE'));
    expect(index('AppRoleDataAccessDD4871E3', 'CREATE_IN_PROGRESS')).toBeGreaterThan(index('AppRole', 'CREATE_COMPLETE'));
    expect(log.filter((e) => e.id === 'DataTable').map((e) => [e.status, e.reason])).toEqual([
      ['CREATE_IN_PROGRESS', undefined],
      ['CREATE_IN_PROGRESS', 'Resource creation Initiated'],
      ['CREATE_COMPLETE', undefined],
    ]);
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html
    expect(cloud.sink.stackStatuses(StackId!)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    const first = cloud.sink.events.find((e) => e.detailType === 'CloudFormation Stack Status Change')!;
    expect(first).toMatchObject({
      source: 'aws.cloudformation',
      resources: [StackId],
      account: '123456789012',
      region: 'us-east-1',
      detail: {
        'stack-id': StackId,
        'status-details': { status: 'CREATE_IN_PROGRESS', 'status-reason': 'User Initiated' },
        'client-request-token': 'create-acme-1',
      },
    });
  });

  test('DeleteStack keeps the retained table, removes the role, and the stack is then found only by id', async () => {
    const { StackId } = await createTenant('acme');
    await cloud.cfn.idle();
    await cloud.send(new DeleteStackCommand({ StackName: 'tenant-acme' }));
    expect((await describe1('tenant-acme')).StackStatus).toBe('DELETE_IN_PROGRESS');
    await cloud.cfn.idle();
    expect(await rejection(describe1('tenant-acme'))).toEqual({
      name: 'ValidationError',
      message: 'Stack with id tenant-acme does not exist',
    });
    const deleted = await describe1(StackId!);
    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
    expect(deleted.DeletionTime).toBeInstanceOf(Date);
    expect(await tableExists('tenant-acme-data')).toBe(true); // DeletionPolicy Retain
    expect(cloud.cfn.iam.getRole('tenant-acme-app')).toBeUndefined();
    const log = await events(StackId!);
    expect(log.filter((e) => e.id === 'DataTable').at(-1)!.status).toBe('DELETE_SKIPPED');
    // DeleteStack on a missing or already deleted stack succeeds.
    await expect(cloud.send(new DeleteStackCommand({ StackName: 'tenant-acme' }))).resolves.toBeDefined();
    await expect(cloud.send(new DeleteStackCommand({ StackName: 'never-was' }))).resolves.toBeDefined();
    const listed = await cloud.send<{ StackSummaries: { StackId: string; StackStatus: string }[] }>(
      new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }),
    );
    expect(listed.StackSummaries.map((s) => s.StackId)).toEqual([StackId]);
  });

  test('a retained table blocks re-creating the tenant: DataTable CREATE_FAILED (already exists), rollback to ROLLBACK_COMPLETE', async () => {
    await createTenant('acme');
    await cloud.cfn.idle();
    await cloud.send(new DeleteStackCommand({ StackName: 'tenant-acme' }));
    await cloud.cfn.idle();
    const { StackId } = await createTenant('acme');
    await cloud.cfn.idle();
    const stack = await describe1('tenant-acme');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(stack.StackStatusReason).toBe('The following resource(s) failed to create: [DataTable]. Rollback requested by user.');
    const failed = (await events('tenant-acme')).find((e) => e.status === 'CREATE_FAILED' && e.id === 'DataTable')!;
    expect(failed.reason).toMatch(
      /^Resource handler returned message: "Resource of type 'AWS::DynamoDB::Table' with identifier 'tenant-acme-data' already exists\." \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: AlreadyExists\)$/,
    );
    expect(cloud.sink.stackStatuses(StackId!)).toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE']);
    expect(await tableExists('tenant-acme-data')).toBe(true); // the pre-existing table is not the stack's to delete
    expect(cloud.cfn.iam.getRole('tenant-acme-app')).toBeUndefined(); // the role the failed create made is rolled back
    // ROLLBACK_COMPLETE can only be deleted; the name is still taken.
    expect(
      await rejection(
        cloud.send(new UpdateStackCommand({ StackName: 'tenant-acme', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_NAMED_IAM'] })),
      ),
    ).toEqual({
      name: 'ValidationError',
      message: `Stack:${StackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
    });
    expect(await rejection(createTenant('acme'))).toEqual({
      name: 'AlreadyExistsException',
      message: 'Stack [tenant-acme] already exists',
    });
  });

  test('a template release that changes only an output: UPDATE_COMPLETE with the new output, no resource touched', async () => {
    const { StackId } = await createTenant('acme');
    await cloud.cfn.idle();
    const release = tenantTemplate.replace(`"Value": "${TEMPLATE_VERSION}"`, `"Value": "${PATCH_RELEASE}"`);
    expect(release).not.toBe(tenantTemplate);
    const eventsBefore = (await events('tenant-acme')).length;
    await cloud.send(
      new UpdateStackCommand({
        StackName: 'tenant-acme',
        TemplateBody: release,
        Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        ClientRequestToken: 'acme-release-2',
      }),
    );
    expect((await describe1('tenant-acme')).Outputs!.find((o) => o.OutputKey === 'TemplateVersion')!.OutputValue).toBe(TEMPLATE_VERSION);
    await cloud.cfn.idle();
    const stack = await describe1('tenant-acme');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(stack.Outputs!.find((o) => o.OutputKey === 'TemplateVersion')!.OutputValue).toBe(PATCH_RELEASE);
    const newEvents = (await events('tenant-acme')).slice(eventsBefore);
    expect(newEvents.map((e) => `${e.id} ${e.status} ${e.token}`)).toEqual([
      'tenant-acme UPDATE_IN_PROGRESS acme-release-2',
      'tenant-acme UPDATE_COMPLETE_CLEANUP_IN_PROGRESS acme-release-2',
      'tenant-acme UPDATE_COMPLETE acme-release-2',
    ]);
    expect(cloud.sink.stackStatuses(StackId!).slice(-1)).toEqual(['UPDATE_COMPLETE']);
  });

  test('DescribeStackResources, ListStackResources, GetTemplate, GetTemplateSummary and DescribeAccountLimits', async () => {
    await createTenant('acme');
    await cloud.cfn.idle();
    const resources = await cloud.send<{
      StackResources: { LogicalResourceId: string; PhysicalResourceId: string; ResourceStatus: string }[];
    }>(new DescribeStackResourcesCommand({ StackName: 'tenant-acme' }));
    expect(Object.fromEntries(resources.StackResources.map((r) => [r.LogicalResourceId, r.ResourceStatus]))).toEqual({
      DataTable: 'CREATE_COMPLETE',
      AppRole: 'CREATE_COMPLETE',
      AppRoleDataAccessDD4871E3: 'CREATE_COMPLETE',
    });
    const physical = Object.fromEntries(resources.StackResources.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
    expect(physical.DataTable).toBe('tenant-acme-data');
    expect(physical.AppRole).toBe('tenant-acme-app');
    // An unnamed resource gets a generated name: <stack>-<logical id>-<random>.
    expect(physical.AppRoleDataAccessDD4871E3).toMatch(/^tenan-AppRo-[A-Z0-9]{12}$/);
    const summaries = await cloud.send<{ StackResourceSummaries: { LogicalResourceId: string; PhysicalResourceId: string }[] }>(
      new ListStackResourcesCommand({ StackName: 'tenant-acme' }),
    );
    expect(summaries.StackResourceSummaries.find((r) => r.LogicalResourceId === 'DataTable')!.PhysicalResourceId).toBe('tenant-acme-data');
    const template = await cloud.send<{ TemplateBody: string }>(new GetTemplateCommand({ StackName: 'tenant-acme' }));
    expect(template.TemplateBody).toBe(tenantTemplate);
    const summary = await cloud.send<{
      Parameters: { ParameterKey: string }[];
      Capabilities: string[];
      ResourceTypes: string[];
      Metadata?: string;
    }>(new GetTemplateSummaryCommand({ TemplateBody: JSON.stringify({ ...JSON.parse(tenantTemplate), Metadata: { Release: 7 } }) }));
    expect(summary.Parameters.map((p) => p.ParameterKey)).toEqual(['TenantId', 'Tier']);
    expect(summary.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(summary.ResourceTypes).toEqual(['AWS::DynamoDB::Table', 'AWS::IAM::Role', 'AWS::IAM::Policy']);
    expect(JSON.parse(summary.Metadata!)).toEqual({ Release: 7 });
    cloud.cfn.behaviour.setLimits({ concurrentResources: 40 });
    const limits = await cloud.send<{ AccountLimits: { Name: string; Value: number }[] }>(new DescribeAccountLimitsCommand({}));
    expect(Object.fromEntries(limits.AccountLimits.map((l) => [l.Name, l.Value]))).toEqual({
      StackLimit: 2000,
      StackOutputsLimit: 200,
      ConcurrentResourcesLimit: 40,
    });
  });
});

describe('errors as CloudFormation returns them', () => {
  test('capabilities, stack names, parameters', async () => {
    expect(await rejection(createTenant('acme', { Capabilities: [] }))).toEqual({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    });
    expect(await rejection(cloud.send(new CreateStackCommand({ StackName: 'x_y', TemplateBody: tenantTemplate })))).toEqual({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'x_y' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
    });
    expect(await rejection(createTenant('acme', { Parameters: [] }))).toEqual({
      name: 'ValidationError',
      message: 'Parameters: [TenantId] must have values',
    });
    expect(
      await rejection(
        createTenant('acme', {
          Parameters: [
            { ParameterKey: 'TenantId', ParameterValue: 'acme' },
            { ParameterKey: 'Region', ParameterValue: 'eu' },
          ],
        }),
      ),
    ).toEqual({ name: 'ValidationError', message: 'Parameters: [Region] do not exist in the template' });
    // AllowedValues, reported with the template's ConstraintDescription.
    expect(
      await rejection(
        createTenant('acme', {
          Parameters: [
            { ParameterKey: 'TenantId', ParameterValue: 'acme' },
            { ParameterKey: 'Tier', ParameterValue: 'gold' },
          ],
        }),
      ),
    ).toEqual({
      name: 'ValidationError',
      message: `Parameter Tier failed to satisfy constraint: ${TENANT_TIER_RULE_DESCRIPTION}`,
    });
    // The template's ConstraintDescription replaces the reason.
    expect(await rejection(createTenant('Bad_Id', { StackName: 'tenant-bad' }))).toEqual({
      name: 'ValidationError',
      message:
        'Parameter TenantId failed to satisfy constraint: 1-32 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit',
    });
    expect(await rejection(describe1('tenant-nobody'))).toEqual({
      name: 'ValidationError',
      message: 'Stack with id tenant-nobody does not exist',
    });
    expect(await rejection(cloud.send(new UpdateStackCommand({ StackName: 'tenant-nobody', UsePreviousTemplate: true })))).toEqual({
      name: 'ValidationError',
      message: 'Stack [tenant-nobody] does not exist',
    });
    expect(await rejection(cloud.send(new CreateStackCommand({ StackName: 'no-template' })))).toEqual({
      name: 'ValidationError',
      message: 'Either Template URL or Template Body must be specified.',
    });
    expect(cloud.cfn.listStackRecords()).toEqual([]);
  });

  test('parameter constraints without a ConstraintDescription name the rule', async () => {
    const template = (parameter: Record<string, unknown>): string =>
      JSON.stringify({
        Parameters: { P: { Type: 'String', ...parameter } },
        Resources: {
          T: {
            Type: 'AWS::DynamoDB::Table',
            Properties: {
              TableName: { Ref: 'P' },
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
            },
          },
        },
      });
    const create = (parameter: Record<string, unknown>, value: string): Promise<unknown> =>
      cloud.send(
        new CreateStackCommand({
          StackName: 's',
          TemplateBody: template(parameter),
          Parameters: [{ ParameterKey: 'P', ParameterValue: value }],
        }),
      );
    expect((await rejection(create({ AllowedPattern: '[a-z]+' }, 'abc1'))).message).toBe("Parameter 'P' must match pattern [a-z]+");
    expect((await rejection(create({ MinLength: 5 }, 'abcd'))).message).toBe("Parameter 'P' must contain at least 5 characters");
    expect((await rejection(create({ MaxLength: 3 }, 'abcd'))).message).toBe("Parameter 'P' must contain at most 3 characters");
    expect((await rejection(create({ AllowedValues: ['a', 'b'] }, 'c'))).message).toBe("Parameter 'P' must be one of AllowedValues");
    expect((await rejection(create({ Type: 'Number' }, 'x'))).message).toBe("Parameter 'P' must be a number");
    // Default applies when no value is given.
    await cloud.send(new CreateStackCommand({ StackName: 's', TemplateBody: template({ Default: 'from-default' }) }));
    await cloud.cfn.idle();
    expect((await describe1('s')).Parameters).toEqual([{ ParameterKey: 'P', ParameterValue: 'from-default' }]);
    expect(await tableExists('from-default')).toBe(true);
  });
});
