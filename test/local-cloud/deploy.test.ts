/**
 * The deployer: what the synthesized TenantManagementStack template says is what exists on the local
 * services afterwards, read back through their APIs; a restart with a data directory keeps tenants,
 * stacks and template versions, and does not upload the template again.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetBucketNotificationConfigurationCommand, GetBucketVersioningCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { generatedName, RESOURCE_TYPES } from '../../local/deploy/resource-types';
import { startLocalCloud, type LocalCloud } from '../../local/cloud';
import { WORKFLOW_FILES } from '../../statemachines/workflows';
import { synthesizeApp, type CloudAssembly } from '../../local/deploy/synth';
import { describeTenantStack, listTenantRecords, sendTenantEvent, templateVersions, waitForExecutions } from '../../local/cli/operations';

let assembly: CloudAssembly;
let cloud: LocalCloud;
let dataDir: string;
beforeAll(async () => {
  assembly = await synthesizeApp();
  dataDir = mkdtempSync(join(tmpdir(), 'local-cloud-data-'));
  cloud = await startLocalCloud({ assembly, dataDir });
}, 120_000);
afterAll(async () => {
  await cloud?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The synthesized Properties the checks below read (CloudFormation's members, as CDK wrote them). */
type SynthesizedProperties = {
  KeySchema?: unknown;
  BillingMode?: string;
  SourceObjectKeys: unknown[];
  EventBusName?: unknown;
  EventPattern: { source?: unknown; 'detail-type'?: unknown };
  Targets: { RetryPolicy?: unknown }[];
};

const resourcesOf = (type: string) =>
  Object.entries(cloud.deployment.template.template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, { Properties: (r.Properties ?? {}) as SynthesizedProperties }] as const);
const physicalId = (logicalId: string) => cloud.deployment.resources.find((r) => r.logicalId === logicalId)!.physicalId;

test('every DynamoDB table of the template exists with its synthesized keys and billing mode', async () => {
  const tables = resourcesOf('AWS::DynamoDB::Table');
  expect(tables.length).toBeGreaterThan(0);
  for (const [id, resource] of tables) {
    const { Table } = await cloud.clients.dynamodb.send(new DescribeTableCommand({ TableName: physicalId(id) }));
    expect(Table?.KeySchema).toEqual(resource.Properties.KeySchema);
    expect(Table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED').toBe(resource.Properties.BillingMode ?? 'PROVISIONED');
  }
  expect(cloud.info.outputs.TenantTableName).toBe(physicalId(tables[0][0]));
});

test('the template bucket is versioned, sends its events to EventBridge, and holds the synthesized tenant template', async () => {
  const bucket = cloud.info.outputs.TemplateBucketName;
  const versioning = await cloud.clients.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  expect(versioning.Status).toBe('Enabled');
  const notifications = await cloud.clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  expect(notifications.EventBridgeConfiguration).toBeDefined();
  const object = await cloud.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: cloud.info.templateObjectKey }));
  // The BucketDeployment's source is the staged asset folder of the assembly.
  const [deployment] = resourcesOf('Custom::CDKBucketDeployment');
  const assetId = String(deployment[1].Properties.SourceObjectKeys[0]).replace(/\.zip$/, '');
  const assetDir = join(assembly.directory, `asset.${assetId}`);
  const [file] = readdirSync(assetDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  expect(await object.Body!.transformToString()).toBe(readFileSync(join(file.parentPath, file.name), 'utf8'));
});

test('rules carry the synthesized event patterns and targets (state machine ARNs, retry policy)', async () => {
  for (const [id, resource] of resourcesOf('AWS::Events::Rule')) {
    const name = physicalId(id);
    const bus = resource.Properties.EventBusName ? cloud.info.outputs.EventBusName : undefined;
    const rule = await cloud.clients.eventbridge.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }));
    const pattern = JSON.parse(rule.EventPattern!);
    expect(pattern.source).toEqual(resource.Properties.EventPattern.source);
    expect(pattern['detail-type']).toEqual(resource.Properties.EventPattern['detail-type']);
    const { Targets } = await cloud.clients.eventbridge.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: bus }));
    expect(Targets).toHaveLength(resource.Properties.Targets.length);
    expect(Targets![0].Arn).toMatch(/^arn:aws:states:us-east-1:123456789012:stateMachine:TenantManagementStack-/);
    expect(Targets![0].RetryPolicy).toEqual(resource.Properties.Targets[0].RetryPolicy);
  }
});

test('state machines run the synthesized definitions with every substitution resolved to the local resources', async () => {
  const machines = resourcesOf('AWS::StepFunctions::StateMachine');
  expect(machines).toHaveLength(Object.keys(WORKFLOW_FILES).length);
  const { TenantTableName, StackWaiterTableName } = cloud.info.outputs;
  for (const [id] of machines) {
    const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:${physicalId(id)}`;
    const { definition } = await cloud.clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(definition).not.toMatch(/\$\{[A-Za-z]+\}/);
    // The stack-events relay uses only the waiter table; every other workflow reads the tenant table.
    if (definition!.includes('dynamodb'))
      expect(definition).toContain(id.startsWith('StackEvents') ? StackWaiterTableName : TenantTableName);
  }
});

test('the summary records IAM and lists what has no local service, each with its reason', () => {
  const byType = (type: string) => cloud.deployment.resources.filter((r) => r.type === type);
  expect(byType('AWS::IAM::Role').every((r) => r.action === 'recorded' && r.note)).toBe(true);
  for (const type of ['AWS::SNS::Topic', 'AWS::CloudWatch::Alarm', 'AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
    expect([type, byType(type).every((r) => r.action === 'skipped' && (r.note ?? '').length > 10)]).toEqual([type, true]);
  }
});

test('a restart on the same data directory keeps tenants, stacks and template versions, and uploads no new version', async () => {
  await sendTenantEvent(cloud.clients, cloud.info, 'created', { tenantId: 'survivor' });
  await waitForExecutions(cloud.clients, cloud.info, (rows) => rows.some((e) => e.workflow === 'create-tenant'));
  const versions = await templateVersions(cloud.clients, cloud.info);
  await cloud.close();

  cloud = await startLocalCloud({ assembly, dataDir });
  const records = await listTenantRecords(cloud.clients, cloud.info);
  expect(records.find((r) => r.tenantId === 'survivor')?.status).toBe('ACTIVE');
  expect((await describeTenantStack(cloud.clients, 'survivor'))?.StackStatus).toBe('CREATE_COMPLETE');
  expect(await templateVersions(cloud.clients, cloud.info)).toEqual(versions);
  expect(cloud.deployment.resources.find((r) => r.type === 'Custom::CDKBucketDeployment')?.action).toBe('unchanged');
});

test('an AWS::SQS::Queue (a rule target dead-letter queue) is created with its attributes; Ref is its URL, GetAtt Arn its ARN', async () => {
  const type = RESOURCE_TYPES['AWS::SQS::Queue'];
  const env = { stackName: 'TenantManagementStack', region: 'us-east-1', accountId: '123456789012', partition: 'aws' };
  const name = generatedName(env, 'TargetDeadLetterQueue', type.generated!.maxLength);
  await type.provision!({
    logicalId: 'TargetDeadLetterQueue',
    physicalId: name,
    properties: { MessageRetentionPeriod: 1209600 },
    env,
    clients: cloud.clients,
    stack: cloud.deployment.template,
  });
  const { QueueUrl } = await cloud.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes } = await cloud.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  expect(Attributes?.MessageRetentionPeriod).toBe('1209600');
  expect(Attributes?.QueueArn).toBe(type.attributes!(name, env, {}).Arn);
  expect(type.ref!(name, env, {})).toBe(`https://sqs.us-east-1.amazonaws.com/123456789012/${name}`);
});
