/**
 * Updates, rollbacks, idempotency, throttling, behaviour injection, TemplateURL and persistence of the
 * local CloudFormation, through the real `@aws-sdk/client-cloudformation` with dynalite as DynamoDB.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelUpdateStackCommand,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  type DescribeStackEventsCommandOutput,
  type DescribeStacksCommandOutput,
  type Parameter,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBServiceException, type TableDescription } from '@aws-sdk/client-dynamodb';
import { RecordedResourceProvider, type CloudFormationBehaviour, type ResourceProvider } from '../../local/cloudformation';
import { startCloud, type Cloud } from './cloudformation-support';

interface TemplateOptions {
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  sortKey?: boolean;
  extraResource?: Record<string, unknown>;
}

/** A table and an unnamed role whose inline policy points at the table. */
function tableTemplate(options: TemplateOptions = {}): string {
  const keys = [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(options.sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' }] : [])];
  return JSON.stringify({
    Description: 'a table and its role',
    Parameters: {
      Name: { Type: 'String' },
      Billing: { Type: 'String', Default: 'PAY_PER_REQUEST', AllowedValues: ['PAY_PER_REQUEST', 'PROVISIONED'] },
    },
    Conditions: { Provisioned: { 'Fn::Equals': [{ Ref: 'Billing' }, 'PROVISIONED'] } },
    Resources: {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: options.deletionPolicy ?? 'Delete',
        UpdateReplacePolicy: options.updateReplacePolicy ?? 'Delete',
        Properties: {
          TableName: { Ref: 'Name' },
          BillingMode: { Ref: 'Billing' },
          ProvisionedThroughput: { 'Fn::If': ['Provisioned', { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }, { Ref: 'AWS::NoValue' }] },
          AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' })),
          KeySchema: keys,
        },
      },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          Policies: [
            {
              PolicyName: 'data',
              PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }] },
            },
          ],
        },
      },
      ...options.extraResource,
    },
    Outputs: {
      TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-table' } } },
      Summary: {
        Value: {
          'Fn::Sub': [
            '${Name} in ${AWS::Region} (${AWS::AccountId}) ${Part}',
            { Part: { 'Fn::Select': [1, { 'Fn::Split': ['-', { Ref: 'Name' }] }] } },
          ],
        },
      },
      RoleName: { Value: { Ref: 'Role' } },
    },
  });
}

const params = (name: string, billing?: string): Parameter[] => [
  { ParameterKey: 'Name', ParameterValue: name },
  ...(billing ? [{ ParameterKey: 'Billing', ParameterValue: billing }] : []),
];

let cloud: Cloud;
let dataDir: string | undefined;

async function start(options: { behaviour?: CloudFormationBehaviour; persist?: boolean } = {}): Promise<void> {
  dataDir = options.persist ? mkdtempSync(join(tmpdir(), 'local-cfn-')) : undefined;
  cloud = await startCloud({ behaviour: options.behaviour, dataDir });
}

afterEach(async () => {
  await cloud?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function create(
  stackName: string,
  body: string,
  parameters: Parameter[],
  extra: Record<string, unknown> = {},
): Promise<{ StackId: string }> {
  return cloud.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: body,
      Parameters: parameters,
      Capabilities: ['CAPABILITY_IAM'],
      ...extra,
    }),
  );
}

function update(
  stackName: string,
  body: string,
  parameters: Parameter[],
  extra: Record<string, unknown> = {},
): Promise<{ StackId: string }> {
  return cloud.send(
    new UpdateStackCommand({
      StackName: stackName,
      TemplateBody: body,
      Parameters: parameters,
      Capabilities: ['CAPABILITY_IAM'],
      ...extra,
    }),
  );
}

async function describe1(nameOrId: string): Promise<Stack> {
  return (await cloud.send<DescribeStacksCommandOutput>(new DescribeStacksCommand({ StackName: nameOrId }))).Stacks![0];
}

async function table(name: string): Promise<TableDescription | undefined> {
  try {
    return (await cloud.dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof DynamoDBServiceException && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function resourceEvents(nameOrId: string, logicalId: string): Promise<[string, string | undefined][]> {
  const out = await cloud.send<DescribeStackEventsCommandOutput>(new DescribeStackEventsCommand({ StackName: nameOrId }));
  return out
    .StackEvents!.filter((e) => e.LogicalResourceId === logicalId)
    .reverse()
    .map((e) => [e.ResourceStatus!, e.ResourceStatusReason]);
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

const billingOf = (t: TableDescription | undefined): string | undefined =>
  t?.BillingModeSummary?.BillingMode ?? (t?.ProvisionedThroughput?.ReadCapacityUnits ? 'PROVISIONED' : undefined);

describe('UpdateStack', () => {
  test('a 120 s in-place update runs on the simulated time line: busy while it runs, UPDATE_COMPLETE after, the table changed in dynalite', async () => {
    await start({ behaviour: { stackRules: [{ stackName: 'orders', operations: ['update'], duration: 120_000 }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    const created = await describe1('orders');
    expect(Object.fromEntries(created.Outputs!.map((o) => [o.OutputKey, o.OutputValue]))).toMatchObject({
      TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders-table',
      Summary: 'orders-table in us-east-1 (123456789012) table',
    });
    expect(created.Outputs!.find((o) => o.OutputKey === 'TableArn')!.ExportName).toBe('orders-table');

    const started = cloud.timeline.now();
    await update('orders', tableTemplate(), params('orders-table', 'PROVISIONED'), { ClientRequestToken: 'release-2' });
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_IN_PROGRESS');
    expect(await rejection(update('orders', tableTemplate(), params('orders-table')))).toEqual({
      name: 'ValidationError',
      message: `Stack:${StackId} is in UPDATE_IN_PROGRESS state and can not be updated.`,
    });
    expect(await rejection(cloud.send(new DeleteStackCommand({ StackName: 'orders' })))).toEqual({
      name: 'ValidationError',
      message: `Stack [${StackId}] cannot be deleted while in status UPDATE_IN_PROGRESS`,
    });
    await cloud.cfn.idle();
    expect(cloud.timeline.now() - started).toBeGreaterThanOrEqual(120_000);
    const updated = await describe1('orders');
    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
    expect(updated.LastUpdatedTime!.getTime()).toBe(started);
    expect(updated.Parameters).toContainEqual({ ParameterKey: 'Billing', ParameterValue: 'PROVISIONED' });
    expect(cloud.sink.stackStatuses(StackId)).toEqual([
      'CREATE_IN_PROGRESS',
      'CREATE_COMPLETE',
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ]);
    const tokens = cloud.sink.events
      .filter((e) => e.detailType === 'CloudFormation Stack Status Change')
      .map((e) => e.detail['client-request-token']);
    expect(tokens.slice(2)).toEqual(['release-2', 'release-2', 'release-2']);
    expect(billingOf(await table('orders-table'))).toBe('PROVISIONED');
    expect((await table('orders-table'))!.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
    expect(await resourceEvents('orders', 'Table')).toEqual([
      ['CREATE_IN_PROGRESS', undefined],
      ['CREATE_IN_PROGRESS', 'Resource creation Initiated'],
      ['CREATE_COMPLETE', undefined],
      ['UPDATE_IN_PROGRESS', undefined],
      ['UPDATE_COMPLETE', undefined],
    ]);
  });

  test('"No updates are to be performed." for the same template and values, UsePreviousValue included', async () => {
    await start();
    await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    const noUpdates = { name: 'ValidationError', message: 'No updates are to be performed.' };
    expect(await rejection(update('orders', tableTemplate(), params('orders-table')))).toEqual(noUpdates);
    expect(
      await rejection(
        cloud.send(
          new UpdateStackCommand({
            StackName: 'orders',
            UsePreviousTemplate: true,
            Parameters: [
              { ParameterKey: 'Name', UsePreviousValue: true },
              { ParameterKey: 'Billing', UsePreviousValue: true },
            ],
            Capabilities: ['CAPABILITY_IAM'],
          }),
        ),
      ),
    ).toEqual(noUpdates);
    // Omitting a parameter without a default is not "previous value": it must have a value.
    expect(
      await rejection(
        cloud.send(new UpdateStackCommand({ StackName: 'orders', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_IAM'] })),
      ),
    ).toEqual({
      name: 'ValidationError',
      message: 'Parameters: [Name] must have values',
    });
    expect(await rejection(update('orders', tableTemplate(), params('orders-table', 'PROVISIONED'), { Capabilities: [] }))).toEqual({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_IAM]',
    });
  });

  test('a new table name replaces the table: the new one is created, the old one deleted in the cleanup, the role follows', async () => {
    await start();
    await create('orders', tableTemplate(), params('orders-v1'));
    await cloud.cfn.idle();
    await update('orders', tableTemplate(), params('orders-v2'));
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(await table('orders-v1')).toBeUndefined();
    const v2 = await table('orders-v2');
    expect(v2).toBeDefined();
    const roleName = (await describe1('orders')).Outputs!.find((o) => o.OutputKey === 'RoleName')!.OutputValue!;
    expect(JSON.stringify(cloud.cfn.iam.getRole(roleName)!.inlinePolicies.data)).toContain(
      'arn:aws:dynamodb:us-east-1:123456789012:table/orders-v2',
    );
    expect(await resourceEvents('orders', 'Table')).toEqual(
      expect.arrayContaining([
        ['UPDATE_IN_PROGRESS', 'Requested update requires the creation of a new physical resource; hence creating one.'],
        ['UPDATE_IN_PROGRESS', 'Resource creation Initiated'],
        ['DELETE_IN_PROGRESS', undefined],
        ['DELETE_COMPLETE', undefined],
      ]),
    );
  });

  test('UpdateReplacePolicy Retain keeps the replaced table', async () => {
    await start();
    await create('orders', tableTemplate({ updateReplacePolicy: 'Retain' }), params('orders-v1'));
    await cloud.cfn.idle();
    await update('orders', tableTemplate({ updateReplacePolicy: 'Retain' }), params('orders-v2'));
    await cloud.cfn.idle();
    expect(await table('orders-v1')).toBeDefined();
    expect(await table('orders-v2')).toBeDefined();
  });

  test('a custom-named table cannot be replaced: UPDATE_FAILED, then the update rolls back to UPDATE_ROLLBACK_COMPLETE', async () => {
    await start();
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    await update('orders', tableTemplate({ sortKey: true }), params('orders-table'));
    await cloud.cfn.idle();
    const stack = await describe1('orders');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.sink.stackStatuses(StackId).slice(2)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    const events = await resourceEvents('orders', 'Table');
    expect(events).toContainEqual([
      'UPDATE_FAILED',
      'CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename orders-table and update the stack again.',
    ]);
    const rollbackReason = (
      await cloud.send<DescribeStackEventsCommandOutput>(new DescribeStackEventsCommand({ StackName: 'orders' }))
    ).StackEvents!.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')!.ResourceStatusReason;
    expect(rollbackReason).toBe('The following resource(s) failed to update: [Table]. ');
    expect((await table('orders-table'))!.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    // The stack is on its previous template again, and updatable.
    expect(
      JSON.parse((await cloud.send<{ TemplateBody: string }>(new GetTemplateCommand({ StackName: 'orders' }))).TemplateBody).Resources.Table
        .Properties.KeySchema,
    ).toHaveLength(1);
    await update('orders', tableTemplate(), params('orders-table', 'PROVISIONED'));
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_COMPLETE');
  });

  test('a forced resource failure rolls the in-place table change back in dynalite', async () => {
    await start({
      behaviour: { stackRules: [{ stackName: 'orders', operations: ['update'], failResource: 'Role', failureReason: 'the role broke' }] },
    });
    await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    await update('orders', tableTemplate(), params('orders-table', 'PROVISIONED'));
    await cloud.cfn.idle();
    const stack = await describe1('orders');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'Billing', ParameterValue: 'PAY_PER_REQUEST' });
    expect(await resourceEvents('orders', 'Role')).toContainEqual(['UPDATE_FAILED', 'the role broke']);
    expect(await resourceEvents('orders', 'Table')).toEqual(
      expect.arrayContaining([
        ['UPDATE_IN_PROGRESS', undefined],
        ['UPDATE_COMPLETE', undefined],
      ]),
    );
    expect(billingOf(await table('orders-table'))).toBe('PAY_PER_REQUEST');
  });

  test('a failing rollback leaves UPDATE_ROLLBACK_FAILED; ContinueUpdateRollback brings the stack to UPDATE_ROLLBACK_COMPLETE', async () => {
    await start({ behaviour: { stackRules: [{ stackName: 'orders', operations: ['update'], failResource: 'Role', failRollback: true }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    await update('orders', tableTemplate(), params('orders-table', 'PROVISIONED'));
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_ROLLBACK_FAILED');
    expect(await rejection(update('orders', tableTemplate(), params('orders-table')))).toEqual({
      name: 'ValidationError',
      message: `Stack:${StackId} is in UPDATE_ROLLBACK_FAILED state and can not be updated.`,
    });
    await cloud.send(new ContinueUpdateRollbackCommand({ StackName: 'orders', ClientRequestToken: 'continue-1' }));
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.sink.stackStatuses(StackId).slice(2)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_FAILED',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(billingOf(await table('orders-table'))).toBe('PAY_PER_REQUEST');
  });
});

describe('CancelUpdateStack and ValidateTemplate', () => {
  test('CancelUpdateStack rolls a running update back; outside UPDATE_IN_PROGRESS it is refused', async () => {
    await start({ behaviour: { stackRules: [{ stackName: 'orders', operations: ['update'], duration: 120_000 }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    const refused = { name: 'ValidationError', message: 'CancelUpdateStack cannot be called from current stack status' };
    expect(await rejection(cloud.send(new CancelUpdateStackCommand({ StackName: 'orders' })))).toEqual(refused);
    await update('orders', tableTemplate(), params('orders-table', 'PROVISIONED'));
    await cloud.timeline.sleep(10_000);
    await cloud.send(new CancelUpdateStackCommand({ StackName: 'orders' }));
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.sink.stackStatuses(StackId).slice(2, 4)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS']);
    expect(billingOf(await table('orders-table'))).toBe('PAY_PER_REQUEST');
  });

  test('ValidateTemplate reports parameters and the capability the template needs', async () => {
    await start();
    const out = await cloud.send<{
      Parameters: { ParameterKey: string; DefaultValue?: string }[];
      Capabilities: string[];
      Description: string;
    }>(new ValidateTemplateCommand({ TemplateBody: tableTemplate() }));
    expect(out.Parameters.map((p) => [p.ParameterKey, p.DefaultValue])).toEqual([
      ['Name', undefined],
      ['Billing', 'PAY_PER_REQUEST'],
    ]);
    expect(out.Capabilities).toEqual(['CAPABILITY_IAM']);
    expect(out.Description).toBe('a table and its role');
    expect(await rejection(cloud.send(new ValidateTemplateCommand({ TemplateBody: '{"Resources": {}}' })))).toEqual({
      name: 'ValidationError',
      message: 'Template format error: At least one Resources member must be defined.',
    });
  });
});

describe('create and delete failures', () => {
  test('RetainExceptOnCreate deletes the table when the create rolls back; a failing rollback is ROLLBACK_FAILED, which DeleteStack clears', async () => {
    await start({
      behaviour: {
        stackRules: [
          { stackName: 'a', failResource: 'Role' },
          { stackName: 'b', failResource: 'Role', failRollback: true },
        ],
      },
    });
    const a = await create('a', tableTemplate({ deletionPolicy: 'RetainExceptOnCreate' }), params('table-a'));
    await cloud.cfn.idle();
    expect((await describe1('a')).StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(await table('table-a')).toBeUndefined();
    expect(cloud.sink.stackStatuses(a.StackId)).toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE']);

    const b = await create('b', tableTemplate(), params('table-b'));
    await cloud.cfn.idle();
    expect((await describe1('b')).StackStatus).toBe('ROLLBACK_FAILED');
    expect((await describe1('b')).StackStatusReason).toBe('The following resource(s) failed to delete: [Table]. ');
    await cloud.send(new DeleteStackCommand({ StackName: 'b' }));
    await cloud.cfn.idle();
    expect((await describe1(b.StackId)).StackStatus).toBe('DELETE_COMPLETE');
    expect(await table('table-b')).toBeUndefined();
  });

  test('OnFailure=DO_NOTHING stops at CREATE_FAILED; an unsupported resource type fails with a clear reason', async () => {
    await start();
    const body = tableTemplate({ extraResource: { Queue: { Type: 'AWS::SQS::Queue', Properties: {} } } });
    await create('keep', body, params('table-keep'), { OnFailure: 'DO_NOTHING' });
    await cloud.cfn.idle();
    const stack = await describe1('keep');
    expect(stack.StackStatus).toBe('CREATE_FAILED');
    expect(stack.DisableRollback).toBe(true);
    expect(await resourceEvents('keep', 'Queue')).toContainEqual([
      'CREATE_FAILED',
      'Resource type AWS::SQS::Queue is not supported by the local CloudFormation',
    ]);
    expect(await table('table-keep')).toBeDefined(); // nothing rolled back
  });

  test('a forced delete failure is DELETE_FAILED; deleting again (rule used up) completes', async () => {
    await start({ behaviour: { stackRules: [{ stackName: 'orders', operations: ['delete'], failResource: 'Table', times: 1 }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    await cloud.send(new DeleteStackCommand({ StackName: 'orders' }));
    await cloud.cfn.idle();
    const stack = await describe1('orders');
    expect(stack.StackStatus).toBe('DELETE_FAILED');
    expect(stack.StackStatusReason).toBe('The following resource(s) failed to delete: [Table]. ');
    expect(await rejection(update('orders', tableTemplate(), params('orders-table', 'PROVISIONED')))).toEqual({
      name: 'ValidationError',
      message: `Stack:${StackId} is in DELETE_FAILED state and can not be updated.`,
    });
    await cloud.send(new DeleteStackCommand({ StackName: 'orders' }));
    await cloud.cfn.idle();
    expect((await describe1(StackId)).StackStatus).toBe('DELETE_COMPLETE');
    expect(await table('orders-table')).toBeUndefined();
  });

  test('DeleteStack while the create runs: the create stops, the stack is deleted', async () => {
    await start({ behaviour: { stackRules: [{ stackName: 'orders', operations: ['create'], duration: 60_000 }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.timeline.sleep(10_000);
    await cloud.send(new DeleteStackCommand({ StackName: 'orders' }));
    await cloud.cfn.idle();
    expect((await describe1(StackId)).StackStatus).toBe('DELETE_COMPLETE');
    expect(cloud.sink.stackStatuses(StackId)).toEqual(['CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    expect(await table('orders-table')).toBeUndefined();
    expect(cloud.cfn.iam.listRoles()).toEqual([]);
  });
});

describe('ClientRequestToken, throttling and account limits', () => {
  test('the same token and request answer the same StackId without a second operation; the token with another request is refused', async () => {
    await start();
    const first = await create('orders', tableTemplate(), params('orders-table'), { ClientRequestToken: 'tenant-orders-1' });
    const again = await create('orders', tableTemplate(), params('orders-table'), { ClientRequestToken: 'tenant-orders-1' });
    expect(again.StackId).toBe(first.StackId);
    await cloud.cfn.idle();
    expect(cloud.sink.stackStatuses(first.StackId)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(await rejection(create('orders', tableTemplate(), params('other-table'), { ClientRequestToken: 'tenant-orders-1' }))).toEqual({
      name: 'TokenAlreadyExistsException',
      message: 'A client request token already exists: tenant-orders-1 was used for a different request',
    });
    // Without a token, the retry is a second CreateStack: AlreadyExistsException.
    expect((await rejection(create('orders', tableTemplate(), params('orders-table')))).name).toBe('AlreadyExistsException');
    await cloud.send(new DeleteStackCommand({ StackName: 'orders', ClientRequestToken: 'tenant-orders-delete' }));
    await cloud.send(new DeleteStackCommand({ StackName: 'orders', ClientRequestToken: 'tenant-orders-delete' }));
    await cloud.cfn.idle();
    expect(cloud.sink.stackStatuses(first.StackId)).toEqual([
      'CREATE_IN_PROGRESS',
      'CREATE_COMPLETE',
      'DELETE_IN_PROGRESS',
      'DELETE_COMPLETE',
    ]);
  });

  test('throttled calls answer Throttling "Rate exceeded"; a rate limit refills on the time line', async () => {
    await start();
    cloud.cfn.behaviour.throttle(2, ['DescribeStacks']);
    const describeAll = (): Promise<unknown> => cloud.send(new DescribeStacksCommand({}));
    expect(await rejection(describeAll())).toEqual({ name: 'Throttling', message: 'Rate exceeded' });
    expect(await rejection(describeAll())).toEqual({ name: 'Throttling', message: 'Rate exceeded' });
    await expect(describeAll()).resolves.toBeDefined();
    const remove = cloud.cfn.behaviour.addRateLimit({ actions: ['DescribeStacks'], perSecond: 1, burst: 2 });
    await describeAll();
    await describeAll();
    expect((await rejection(describeAll())).name).toBe('Throttling');
    await cloud.timeline.sleep(1_000);
    await expect(describeAll()).resolves.toBeDefined();
    remove();
  });

  test('the concurrent-resources limit makes resource work wait: two stacks with one slot take twice as long', async () => {
    const behaviour: CloudFormationBehaviour = { defaultDurations: { create: 10_000 }, limits: { concurrentResources: 1 } };
    await start({ behaviour });
    const started = cloud.timeline.now();
    await Promise.all([create('a', tableTemplate(), params('table-a')), create('b', tableTemplate(), params('table-b'))]);
    await cloud.cfn.idle();
    // Each stack: Table then Role (5 s each); one slot for both stacks → four 5 s steps in a row.
    expect(cloud.timeline.now() - started).toBe(20_000);
    expect((await describe1('a')).StackStatus).toBe('CREATE_COMPLETE');
    expect((await describe1('b')).StackStatus).toBe('CREATE_COMPLETE');
  });

  test('durations drawn from a range are reproducible with the same seed', async () => {
    const elapsed: number[] = [];
    for (let run = 0; run < 2; run++) {
      await start({ behaviour: { seed: 42, stackRules: [{ operations: ['create'], duration: { min: 30_000, max: 120_000 } }] } });
      const started = cloud.timeline.now();
      await create('orders', tableTemplate(), params('orders-table'));
      await cloud.cfn.idle();
      elapsed.push(cloud.timeline.now() - started);
      await cloud.close();
    }
    expect(elapsed[0]).toBe(elapsed[1]);
    expect(elapsed[0]).toBeGreaterThanOrEqual(30_000);
    expect(elapsed[0]).toBeLessThanOrEqual(120_000);
    cloud = undefined as unknown as Cloud;
  });
});

describe('more of the model', () => {
  const roleOnly = JSON.stringify({
    Parameters: { Secret: { Type: 'String', NoEcho: true, Default: 'hidden' } },
    Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } },
  });

  test('concurrent CreateStack of one name: one stack; with one token both calls get its StackId', async () => {
    await start();
    const results = await Promise.allSettled([
      create('dup', tableTemplate(), params('dup-table')),
      create('dup', tableTemplate(), params('dup-table')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.name).toBe('AlreadyExistsException');
    const same = await Promise.all([
      create('tok', tableTemplate(), params('tok-table'), { ClientRequestToken: 't1' }),
      create('tok', tableTemplate(), params('tok-table'), { ClientRequestToken: 't1' }),
    ]);
    expect(same[0].StackId).toBe(same[1].StackId);
    await cloud.cfn.idle();
    expect(
      cloud.cfn
        .listStackRecords()
        .map((r) => r.stackName)
        .sort(),
    ).toEqual(['dup', 'tok']);
  });

  test('an update that adds a resource and fails deletes the new resource in the rollback cleanup; a removed resource goes in the update cleanup', async () => {
    const extra = { Extra: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } };
    await start({ behaviour: { stackRules: [{ stackName: 'orders', operations: ['update'], failResource: 'Role', times: 1 }] } });
    await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    expect(cloud.cfn.iam.listRoles()).toHaveLength(1);
    await update('orders', tableTemplate({ extraResource: extra }), params('orders-table'));
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    // Extra was being created beside Role when Role failed: CloudFormation cancels it, then the cleanup deletes it.
    expect(await resourceEvents('orders', 'Extra')).toEqual([
      ['CREATE_IN_PROGRESS', undefined],
      ['CREATE_IN_PROGRESS', 'Resource creation Initiated'],
      ['CREATE_FAILED', 'Resource creation cancelled'],
      ['DELETE_IN_PROGRESS', undefined],
      ['DELETE_COMPLETE', undefined],
    ]);
    expect(cloud.cfn.iam.listRoles()).toHaveLength(1);
    // The rule is used up: the same update now succeeds, and removing Extra again deletes it.
    await update('orders', tableTemplate({ extraResource: extra }), params('orders-table'));
    await cloud.cfn.idle();
    expect(cloud.cfn.iam.listRoles()).toHaveLength(2);
    await update('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    expect((await describe1('orders')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(cloud.cfn.iam.listRoles()).toHaveLength(1);
  });

  test('RetainExceptOnCreate keeps the table when the stack is deleted', async () => {
    await start();
    await create('orders', tableTemplate({ deletionPolicy: 'RetainExceptOnCreate' }), params('orders-table'));
    await cloud.cfn.idle();
    await cloud.send(new DeleteStackCommand({ StackName: 'orders' }));
    await cloud.cfn.idle();
    expect(await table('orders-table')).toBeDefined();
    expect(await resourceEvents(cloud.cfn.listStackRecords()[0].stackId, 'Table')).toContainEqual(['DELETE_SKIPPED', undefined]);
  });

  test('the stack limit refuses one stack too many; maxEventsPerStack keeps the newest events', async () => {
    await start({ behaviour: { limits: { stacks: 2 } } });
    await cloud.send(new CreateStackCommand({ StackName: 'one', TemplateBody: roleOnly, Capabilities: ['CAPABILITY_IAM'] }));
    await cloud.send(new CreateStackCommand({ StackName: 'two', TemplateBody: roleOnly, Capabilities: ['CAPABILITY_IAM'] }));
    expect(
      (
        await rejection(
          cloud.send(new CreateStackCommand({ StackName: 'three', TemplateBody: roleOnly, Capabilities: ['CAPABILITY_IAM'] })),
        )
      ).name,
    ).toBe('LimitExceededException');
    await cloud.cfn.idle();
    await cloud.close();

    cloud = await startCloud({ maxEventsPerStack: 2 });
    await cloud.send(new CreateStackCommand({ StackName: 'one', TemplateBody: roleOnly, Capabilities: ['CAPABILITY_IAM'] }));
    await cloud.cfn.idle();
    const out = await cloud.send<DescribeStackEventsCommandOutput>(new DescribeStackEventsCommand({ StackName: 'one' }));
    expect(out.StackEvents!.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'one CREATE_COMPLETE',
      'Role CREATE_COMPLETE',
    ]);
  });

  test('an extra resource provider given at construction provisions its type', async () => {
    const queues = new Set<string>();
    const queueProvider: ResourceProvider = {
      type: 'AWS::SQS::Queue',
      attributes: ['Arn'],
      requiresReplacement: () => false,
      create: async (properties) => {
        queues.add(String(properties.QueueName));
        return {
          physicalId: `http://sqs.local/${String(properties.QueueName)}`,
          attributes: { Arn: `arn:aws:sqs:us-east-1:123456789012:${String(properties.QueueName)}` },
        };
      },
      update: async (physicalId) => ({ physicalId, attributes: {} }),
      delete: async (physicalId) => {
        queues.delete(physicalId.split('/').pop()!);
      },
    };
    cloud = await startCloud({ providers: [queueProvider] });
    const body = JSON.stringify({
      Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } } },
      Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
    });
    await cloud.send(new CreateStackCommand({ StackName: 'queues', TemplateBody: body }));
    await cloud.cfn.idle();
    expect((await describe1('queues')).Outputs).toEqual([{ OutputKey: 'Arn', OutputValue: 'arn:aws:sqs:us-east-1:123456789012:jobs' }]);
    expect([...queues]).toEqual(['jobs']);
    await cloud.send(new DeleteStackCommand({ StackName: 'queues' }));
    await cloud.cfn.idle();
    expect([...queues]).toEqual([]);
  });

  test('a record-only provider lets a stack hold types the local cloud does not run', async () => {
    const alarms = new RecordedResourceProvider('AWS::CloudWatch::Alarm', { nameProperty: 'AlarmName' });
    cloud = await startCloud({ providers: [alarms] });
    const body = JSON.stringify({
      Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'failures', Threshold: 1 } } },
      Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Alarm', 'Arn'] } } },
    });
    await cloud.send(new CreateStackCommand({ StackName: 'alarms', TemplateBody: body }));
    await cloud.cfn.idle();
    expect((await describe1('alarms')).Outputs![0].OutputValue).toBe('arn:aws:cloudwatch:us-east-1:123456789012:failures');
    expect(alarms.resources.get('failures')).toEqual({ AlarmName: 'failures', Threshold: 1 });
    await update('alarms', body.replace('"Threshold":1', '"Threshold":2'), []);
    await cloud.cfn.idle();
    expect(alarms.resources.get('failures')).toEqual({ AlarmName: 'failures', Threshold: 2 });
  });

  test('exports: Fn::ImportValue reads the export of another stack; exporting a taken name fails the stack', async () => {
    await start({ behaviour: { defaultDurations: { create: 0 } } });
    const exporting = JSON.stringify({
      ...JSON.parse(roleOnly),
      Outputs: { Name: { Value: { Ref: 'Role' }, Export: { Name: 'shared-role' } } },
    });
    const importing = JSON.stringify({
      ...JSON.parse(roleOnly),
      Outputs: { Imported: { Value: { 'Fn::Sub': ['role=${R}', { R: { 'Fn::ImportValue': 'shared-role' } }] } } },
    });
    await cloud.send(new CreateStackCommand({ StackName: 'exporter', TemplateBody: exporting, Capabilities: ['CAPABILITY_IAM'] }));
    await cloud.cfn.idle();
    const exported = (await describe1('exporter')).Outputs![0].OutputValue;
    await cloud.send(new CreateStackCommand({ StackName: 'importer', TemplateBody: importing, Capabilities: ['CAPABILITY_IAM'] }));
    await cloud.send(new CreateStackCommand({ StackName: 'rival', TemplateBody: exporting, Capabilities: ['CAPABILITY_IAM'] }));
    await cloud.cfn.idle();
    expect((await describe1('importer')).Outputs).toEqual([{ OutputKey: 'Imported', OutputValue: `role=${exported}` }]);
    const rival = await describe1('rival');
    expect(rival.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(rival.StackStatusReason).toBe('Export with name shared-role is already exported by stack exporter');
  });

  test('DescribeStacks pages with NextToken; NoEcho values read ****; stack names longer than 128 characters are refused', async () => {
    await start({ behaviour: { defaultDurations: { create: 0 } } });
    for (let i = 0; i < 105; i++)
      await cloud.send(new CreateStackCommand({ StackName: `s${i}`, TemplateBody: roleOnly, Capabilities: ['CAPABILITY_IAM'] }));
    await cloud.cfn.idle();
    const first = await cloud.send<DescribeStacksCommandOutput>(new DescribeStacksCommand({}));
    expect(first.Stacks).toHaveLength(100);
    const second = await cloud.send<DescribeStacksCommandOutput>(new DescribeStacksCommand({ NextToken: first.NextToken }));
    expect(second.Stacks!.map((st) => st.StackName)).toEqual(['s100', 's101', 's102', 's103', 's104']);
    expect(second.NextToken).toBeUndefined();
    expect(second.Stacks![0].Parameters).toEqual([{ ParameterKey: 'Secret', ParameterValue: '****' }]);
    expect((await rejection(cloud.send(new CreateStackCommand({ StackName: 'x'.repeat(129), TemplateBody: roleOnly })))).message).toBe(
      `1 validation error detected: Value '${'x'.repeat(129)}' at 'stackName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });
});

describe('TemplateURL from S3', () => {
  test('path-style URLs on the local S3 with ?versionId=, and the AWS URL forms mapped onto it', async () => {
    await start();
    const v1 = cloud.s3.put('templates', 'tenant/table.json', tableTemplate());
    cloud.s3.put('templates', 'tenant/table.json', tableTemplate({ deletionPolicy: 'Retain' }));
    await create('pinned', '', params('table-pinned'), {
      TemplateBody: undefined,
      TemplateURL: `${cloud.s3.endpoint}/templates/tenant/table.json?versionId=${v1}`,
    });
    const pinned = await cloud.send<{ TemplateBody: string }>(new GetTemplateCommand({ StackName: 'pinned' }));
    expect(pinned.TemplateBody).toBe(tableTemplate());
    for (const url of [
      'https://templates.s3.amazonaws.com/tenant/table.json',
      'https://templates.s3.us-east-1.amazonaws.com/tenant/table.json',
      'https://s3.us-east-1.amazonaws.com/templates/tenant/table.json',
    ]) {
      const name = `latest-${cloud.s3.requests.length}`;
      await create(name, '', params(`table-${name}`), { TemplateBody: undefined, TemplateURL: url });
      expect((await cloud.send<{ TemplateBody: string }>(new GetTemplateCommand({ StackName: name }))).TemplateBody).toBe(
        tableTemplate({ deletionPolicy: 'Retain' }),
      );
    }
    expect(cloud.s3.requests).toEqual([
      `GET /templates/tenant/table.json?versionId=${v1}&x-id=GetObject`,
      'GET /templates/tenant/table.json?x-id=GetObject',
      'GET /templates/tenant/table.json?x-id=GetObject',
      'GET /templates/tenant/table.json?x-id=GetObject',
    ]);
    expect(
      await rejection(
        create('missing', '', params('t'), { TemplateBody: undefined, TemplateURL: `${cloud.s3.endpoint}/templates/nope.json` }),
      ),
    ).toEqual({
      name: 'ValidationError',
      message: 'TemplateURL must reference a valid S3 object to which you have access.',
    });
    expect(
      await rejection(create('elsewhere', '', params('t'), { TemplateBody: undefined, TemplateURL: 'https://example.com/t.json' })),
    ).toEqual({
      name: 'ValidationError',
      message: 'TemplateURL must be a supported URL.',
    });
    await cloud.cfn.idle();
  });
});

describe('persistence with dataDir', () => {
  test('stacks, events, templates and IAM survive a restart; an interrupted create rolls back after it', async () => {
    await start({ persist: true, behaviour: { stackRules: [{ stackName: 'slow', operations: ['create'], duration: 600_000 }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'), { ClientRequestToken: 'create-orders' });
    await cloud.cfn.idle();
    const before = await cloud.send<DescribeStackEventsCommandOutput>(new DescribeStackEventsCommand({ StackName: 'orders' }));
    const roleName = (await describe1('orders')).Outputs!.find((o) => o.OutputKey === 'RoleName')!.OutputValue!;
    const slow = await create('slow', tableTemplate(), params('slow-table'));
    await cloud.timeline.sleep(1_000);
    expect((await describe1('slow')).StackStatus).toBe('CREATE_IN_PROGRESS');

    await cloud.restart();
    const after = await cloud.send<DescribeStackEventsCommandOutput>(new DescribeStackEventsCommand({ StackName: 'orders' }));
    expect(after.StackEvents).toEqual(before.StackEvents);
    expect((await describe1('orders')).StackStatus).toBe('CREATE_COMPLETE');
    expect(cloud.cfn.iam.getRole(roleName)).toBeDefined();
    // The token ledger survived too: a retry of the first CreateStack is still answered with its StackId.
    expect((await create('orders', tableTemplate(), params('orders-table'), { ClientRequestToken: 'create-orders' })).StackId).toBe(
      StackId,
    );
    await cloud.cfn.idle();
    expect((await describe1(slow.StackId)).StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(await table('slow-table')).toBeUndefined();

    await cloud.send(new DeleteStackCommand({ StackName: 'orders' }));
    await cloud.cfn.idle();
    await cloud.restart();
    expect((await describe1(StackId)).StackStatus).toBe('DELETE_COMPLETE');
    expect((await rejection(describe1('orders'))).message).toBe('Stack with id orders does not exist');
    expect(cloud.cfn.iam.getRole(roleName)).toBeUndefined();
  });
});

describe('persistence of an interrupted update', () => {
  test('an update cut short by a restart rolls back after it, deleting what it had created', async () => {
    await start({ persist: true, behaviour: { stackRules: [{ stackName: 'orders', operations: ['update'], duration: 600_000 }] } });
    const { StackId } = await create('orders', tableTemplate(), params('orders-table'));
    await cloud.cfn.idle();
    const extra = { Extra: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } };
    await update('orders', tableTemplate({ extraResource: extra }), params('orders-table', 'PROVISIONED'));
    await cloud.timeline.sleep(100_000);
    expect(cloud.cfn.iam.listRoles()).toHaveLength(2);
    await cloud.restart();
    await cloud.cfn.idle();
    const stack = await describe1('orders');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cloud.sink.stackStatuses(StackId).slice(-4)).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(cloud.cfn.iam.listRoles()).toHaveLength(1);
    expect(billingOf(await table('orders-table'))).toBe('PAY_PER_REQUEST');
  });
});

describe('template forms', () => {
  test('YAML with short-form tags', async () => {
    await start();
    const yamlBody = [
      'Parameters:',
      '  Name: { Type: String }',
      'Resources:',
      '  Table:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      TableName: !Sub "${Name}-${AWS::Region}"',
      '      BillingMode: PAY_PER_REQUEST',
      '      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]',
      '      KeySchema: [{ AttributeName: pk, KeyType: HASH }]',
      'Outputs:',
      '  Arn: { Value: !GetAtt Table.Arn }',
      '  Name: { Value: !Ref Table }',
      '  Joined: { Value: !Join [":", [!Ref Name, !Select [0, !GetAZs ""]]] }',
    ].join('\n');
    await cloud.send(new CreateStackCommand({ StackName: 'yaml', TemplateBody: yamlBody, Parameters: params('y') }));
    await cloud.cfn.idle();
    const outputs = Object.fromEntries((await describe1('yaml')).Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    expect(await table('y-us-east-1')).toBeDefined();
    expect(outputs).toEqual({
      Arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/y-us-east-1',
      Name: 'y-us-east-1',
      Joined: 'y:us-east-1a',
    });
  });
});
