import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { TenantManagementStack } from '../../infra/tenant-management-stack';
import { validateWorkflowTuning, DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import {
  TEMPLATE_OBJECT_KEY,
  TENANT_CREATED_DETAIL_TYPE,
  TENANT_DELETED_DETAIL_TYPE,
  TENANT_EVENT_SOURCE,
} from '../../statemachines/contract';
import { placeholdersIn, resolveDefinition } from '../../infra/definition';
import { statementsForTasks, taskStates } from '../../infra/task-permissions';
import { SUBSTITUTIONS, SubstitutionKey } from '../../statemachines/substitutions';
import { synthesizeTenantTemplate } from '../../template/synth';
import { WORKFLOW_FILES, WorkflowName } from '../../statemachines/workflows';
import { testApp } from '../support/cdk-app';

let outdir: string;
let stack: TenantManagementStack;
let template: Template;
/** The synthesized resources, as CDK's `Template.toJSON()` types them (untyped JSON). */
let resources: ReturnType<Template['toJSON']>;

/** A policy statement as synthesized (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html). */
interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

beforeAll(() => {
  const app = testApp();
  outdir = app.outdir;
  stack = new TenantManagementStack(app, 'TenantManagementStack');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const logicalIdOf = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const stateMachineId = (name: WorkflowName) => logicalIdOf(stack.workflows[name].stateMachine);
const bucketId = () => logicalIdOf(stack.templateStore.bucket);

/** Every statement of every identity policy (AWS::IAM::Policy and inline role policies). */
function identityStatements(filter: (logicalId: string) => boolean = () => true): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!filter(id)) continue;
    if (resource.Type === 'AWS::IAM::Policy') statements.push(...resource.Properties.PolicyDocument.Statement);
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of resource.Properties.Policies ?? []) statements.push(...policy.PolicyDocument.Statement);
    }
  }
  return statements;
}
const actionsOf = (statement: PolicyStatementJson): string[] => [statement.Action].flat();

/** Statements of the role a state machine runs as. */
function workflowStatements(name: WorkflowName): PolicyStatementJson[] {
  const roleId = resources[stateMachineId(name)].Properties.RoleArn['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: { Ref?: unknown }) => role.Ref === roleId),
    )
    .flatMap((resource) => resource.Properties.PolicyDocument.Statement);
}

describe('template bucket', () => {
  test('is versioned, encrypted, private, SSL-only and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('sends its events to EventBridge', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: bucketId() },
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
  });
});

describe('BucketDeployment', () => {
  test('uploads exactly one object, the synthesized tenant template, under the template key', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const deployment = Object.values(resources).find((resource) => resource.Type === 'Custom::CDKBucketDeployment');
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(1);
    expect(deployment.Properties.DestinationBucketName).toEqual({ Ref: bucketId() });
    expect(deployment.Properties.DestinationBucketKeyPrefix).toBeUndefined();

    // The staged asset is the content that will be uploaded: one file, byte for byte the template.
    const assetHash = (deployment.Properties.SourceObjectKeys[0] as string).replace(/\.zip$/, '');
    const assetDir = join(outdir, `asset.${assetHash}`);
    const files = readdirSync(assetDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.map((entry) => join(entry.parentPath, entry.name).slice(assetDir.length + 1))).toEqual([TEMPLATE_OBJECT_KEY]);
    expect(readFileSync(join(assetDir, TEMPLATE_OBJECT_KEY), 'utf8')).toBe(synthesizeTenantTemplate().body);
  });

  test('on the first deploy, uploads only after the rule that starts the fleet update and the bucket’s EventBridge notification exist (DependsOn)', () => {
    const [deploymentId, deployment] = Object.entries(resources).find(([, r]) => r.Type === 'Custom::CDKBucketDeployment')!;
    const idOf = (type: string, match: (r: { Properties?: Record<string, unknown> }) => boolean = () => true) =>
      Object.entries(resources).find(([, r]) => r.Type === type && match(r))![0];
    const uploadedRule = idOf('AWS::Events::Rule', (r) => JSON.stringify(r.Properties?.EventPattern ?? {}).includes('Object Created'));
    const notifications = idOf('Custom::S3BucketNotifications');
    expect(deploymentId).toBeDefined();
    expect(deployment.DependsOn).toEqual(expect.arrayContaining([uploadedRule, notifications]));
  });
});

describe('tenant table', () => {
  test('has partition key tenantId and point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  // delete-tenant's markers for tenants without a record expire (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html).
  test('expires items by their expiresAt attribute (TTL)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('state machines', () => {
  const names = Object.keys(WORKFLOW_FILES) as WorkflowName[];

  test('there are six: create-tenant, delete-tenant, update-tenants, its child update-tenant, the stack-events relay and change-tier', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 6);
    expect(names.map((name) => resources[stateMachineId(name)].Properties.StateMachineName).sort()).toEqual(
      ['change-tier', 'create-tenant', 'delete-tenant', 'stack-events', 'update-tenant', 'update-tenants'].map(
        (stem) => `TenantManagementStack-${stem}`,
      ),
    );
  });

  test.each(names)('%s: every placeholder of the definition has a value, and only those', (name) => {
    const { DefinitionString, DefinitionSubstitutions } = resources[stateMachineId(name)].Properties;
    expect(typeof DefinitionString).toBe('string');
    expect(Object.keys(DefinitionSubstitutions).sort()).toEqual([...placeholdersIn(DefinitionString)].sort());
    expect(JSON.stringify(DefinitionSubstitutions)).not.toContain('${');
    for (const [key, value] of Object.entries(DefinitionSubstitutions)) {
      if (SUBSTITUTIONS[key as SubstitutionKey].kind === 'number') expect(value).toMatch(/^\d+$/);
    }
    // Substituting (CloudFormation tokens stand in as text) gives a parseable definition.
    const asText = Object.fromEntries(
      Object.entries(DefinitionSubstitutions).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : SUBSTITUTIONS[key as SubstitutionKey].kind === 'json' ? '[]' : 'resolved-at-deploy',
      ]),
    );
    expect(() => resolveDefinition(DefinitionString, asText)).not.toThrow();
  });

  test.each(names)('%s: logs ALL with execution data to its log group, X-Ray tracing on', (name) => {
    const properties = resources[stateMachineId(name)].Properties;
    expect(properties.LoggingConfiguration).toMatchObject({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } }],
    });
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  test.each(names)('%s: alarms on ExecutionsFailed, ExecutionsTimedOut and ExecutionsAborted notify the alarm topic', (name) => {
    const topicId = logicalIdOf(stack.alarmTopic.topic);
    const alarms = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::CloudWatch::Alarm' &&
        resource.Properties.Dimensions?.some(
          (dimension: { Name: string; Value: { Ref?: unknown } }) =>
            dimension.Name === 'StateMachineArn' && dimension.Value.Ref === stateMachineId(name),
        ),
    );
    expect(alarms.map((alarm) => alarm.Properties.MetricName).sort()).toEqual([
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/States', Threshold: 1, AlarmActions: [{ Ref: topicId }] });
    }
  });

  test('the alarm topic is KMS-encrypted and SSL-only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('event routing', () => {
  const ruleTargeting = (name: WorkflowName) =>
    Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Events::Rule' &&
        resource.Properties.Targets.some((target: { Arn: { Ref?: unknown } }) => target.Arn.Ref === stateMachineId(name)),
    );

  test.each([
    ['createTenant', TENANT_CREATED_DETAIL_TYPE],
    ['deleteTenant', TENANT_DELETED_DETAIL_TYPE],
  ] as const)('%s is started by %s from the tenant source on the tenant-lifecycle bus', (name, detailType) => {
    const rules = ruleTargeting(name);
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventBusName).toEqual({ Ref: logicalIdOf(stack.eventBus) });
    expect(rules[0].Properties.EventPattern).toEqual({ source: [TENANT_EVENT_SOURCE], 'detail-type': [detailType] });
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html: S3 sends to the default bus.
  test('update-tenants is started by S3 "Object Created" of the template key, on the default bus', () => {
    const rules = ruleTargeting('updateTenants');
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventBusName).toBeUndefined();
    expect(rules[0].Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: bucketId() }] }, object: { key: [TEMPLATE_OBJECT_KEY] } },
    });
  });

  test('the child update-tenant has no rule: only update-tenants starts it', () => {
    expect(ruleTargeting('updateTenant')).toEqual([]);
  });
});

describe('IAM scoping', () => {
  const deployerRoleId = () => logicalIdOf(stack.deployerRole.role);

  test('no cloudformation:* (or any service-wide wildcard action) anywhere', () => {
    for (const statement of identityStatements()) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
    }
  });

  test('CloudFormation stack actions reach only stacks named with the tenant prefix', () => {
    // DescribeAccountLimits (update-tenants sizes its window with it) is account-wide and has no resource type.
    const cloudFormation = identityStatements().filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('cloudformation:') && action !== 'cloudformation:DescribeAccountLimits'),
    );
    expect(cloudFormation.length).toBeGreaterThan(0);
    for (const statement of cloudFormation) {
      expect(stack.resolve(statement.Resource)).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudformation:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':stack/tenant-*/*',
          ],
        ],
      });
    }
  });

  test('iam:PassRole is granted only on the CloudFormation service role, only towards CloudFormation', () => {
    const passRole = identityStatements().filter((statement) => actionsOf(statement).includes('iam:PassRole'));
    expect(passRole.length).toBeGreaterThan(0);
    for (const statement of passRole) {
      expect(actionsOf(statement)).toEqual(['iam:PassRole']);
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [deployerRoleId(), 'Arn'] });
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    }
  });

  // None of these has a resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/):
  // log delivery, X-Ray, CloudFormation's account limits, and answering a task token.
  test('Resource "*" appears only for actions with no resource-level permissions', () => {
    for (const statement of identityStatements()) {
      if ([statement.Resource].flat().includes('*')) {
        for (const action of actionsOf(statement)) {
          expect(action).toMatch(/^(logs|xray):|^cloudformation:DescribeAccountLimits$|^states:SendTask(Success|Failure)$/);
        }
      }
    }
  });

  test('each workflow gets only the stack operations it performs', () => {
    const stackActions = (name: WorkflowName) =>
      workflowStatements(name)
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('cloudformation:'))
        .sort();
    // create-tenant deletes a rolled-back stack before creating again, and the stack of a tenant deleted while it was created.
    // CreateStack twice: one statement for the current template object, one for a pinned version.
    expect(stackActions('createTenant')).toEqual([
      'cloudformation:CreateStack',
      'cloudformation:CreateStack',
      'cloudformation:DeleteStack',
      'cloudformation:DescribeStacks',
    ]);
    expect(stackActions('deleteTenant')).toEqual(['cloudformation:DeleteStack', 'cloudformation:DescribeStacks']);
    expect(stackActions('updateTenant')).toEqual([
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStacks',
      'cloudformation:UpdateStack',
    ]);
    expect(stackActions('updateTenants')).toEqual(['cloudformation:DescribeAccountLimits']);
  });

  test('S3: create-tenant reads the current template object or a pinned version, update-tenant and update-tenants (its release metadata) a pinned version of it, delete-tenant nothing', () => {
    const s3Of = (name: WorkflowName) =>
      workflowStatements(name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
    const object = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, `/${TEMPLATE_OBJECT_KEY}`]] };
    // The current object when no release is recorded, LATEST's pinned version otherwise.
    expect(s3Of('createTenant').map((statement) => [actionsOf(statement), statement.Resource])).toEqual([
      [['s3:GetObject'], object],
      [['s3:GetObjectVersion'], object],
    ]);
    expect(s3Of('updateTenant').map((statement) => [actionsOf(statement), statement.Resource])).toEqual([
      [['s3:GetObjectVersion'], object],
    ]);
    expect(s3Of('deleteTenant')).toEqual([]);
    expect(s3Of('updateTenants').map((statement) => [actionsOf(statement), statement.Resource])).toEqual([
      [['s3:GetObjectVersion'], object],
    ]);
  });

  test('update-tenants may start (.sync) only the child, and executions of itself (its Distributed Map children)', () => {
    const starts = workflowStatements('updateTenants').filter((statement) => actionsOf(statement).includes('states:StartExecution'));
    const targets = starts.map((statement) => JSON.stringify(statement.Resource));
    expect(targets).toHaveLength(2);
    expect(targets.some((target) => target.includes(':stateMachine:TenantManagementStack-update-tenant"'))).toBe(true);
    expect(targets.some((target) => target.includes(':stateMachine:TenantManagementStack-update-tenants"'))).toBe(true);
  });

  test('the home cell deployer role is assumable by CloudFormation and by principals of the management account only', () => {
    const role = resources[deployerRoleId()];
    const statements = role.Properties.AssumeRolePolicyDocument.Statement as { Action: string; Principal: Record<string, unknown> }[];
    expect(statements.map((statement) => statement.Action)).toEqual(['sts:AssumeRole', 'sts:AssumeRole']);
    expect(statements[0].Principal).toEqual({ Service: 'cloudformation.amazonaws.com' });
    expect(JSON.stringify(statements[1].Principal)).toContain(':root');
    expect(JSON.stringify(statements[1].Principal)).toContain('AWS::AccountId');
  });
});

describe('task permission rules', () => {
  const scope = new Stack(testApp(), 'RulesStack');
  const targets = {
    tenantStackArns: 'arn:aws:cloudformation:us-east-1:123456789012:stack/tenant-*/*',
    cloudFormationRole: iam.Role.fromRoleArn(scope, 'Deployer', 'arn:aws:iam::123456789012:role/deployer'),
    templateBucket: s3.Bucket.fromBucketArn(scope, 'Templates', 'arn:aws:s3:::bucket'),
    templateObjectKey: 'key.json',
    templateUrl: 'https://bucket.s3.us-east-1.amazonaws.com/key.json',
    tables: {
      '${TenantTableName}': dynamodb.Table.fromTableArn(scope, 'Tenants', 'arn:aws:dynamodb:us-east-1:123456789012:table/tenants'),
    },
    eventBus: events.EventBus.fromEventBusArn(scope, 'Bus', 'arn:aws:events:us-east-1:123456789012:event-bus/tenant-lifecycle'),
    selfName: 'self',
    startable: { '${UpdateTenantStateMachineArn}': 'child' },
    cellRoleArns: ['arn:aws:iam::123456789012:role/deployer'],
  };
  const definition = (resource: string, parameters: object = {}) => ({
    StartAt: 'A',
    States: {
      A: {
        Type: 'Map',
        Iterator: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } } },
        End: true,
      },
    },
  });

  test('finds Task states nested in a Map', () => {
    expect(taskStates(definition('arn:aws:states:::dynamodb:getItem'))).toEqual([
      { name: 'Inner', resource: 'arn:aws:states:::dynamodb:getItem', parameters: {} },
    ]);
  });

  test('a Task with no rule fails synthesis, naming the state and the resource', () => {
    expect(() => statementsForTasks(scope, taskStates(definition('arn:aws:states:::aws-sdk:s3:deleteBucket')), targets)).toThrow(
      /Task state 'Inner' \(Resource arn:aws:states:::aws-sdk:s3:deleteBucket\) has no permission rule/,
    );
  });

  test('StartExecution of a state machine the stack does not know fails synthesis', () => {
    const tasks = taskStates(
      definition('arn:aws:states:::states:startExecution', { StateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:other' }),
    );
    expect(() => statementsForTasks(scope, tasks, targets)).toThrow(/no permission rule/);
  });
});

describe('workflow tuning', () => {
  test('rejects values Step Functions would refuse, naming the field', () => {
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, StackPollSeconds: 0 })).toThrow(
      /StackPollSeconds must be at least 1, got 0/,
    );
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, ScanSegments: 1001 })).toThrow(/ScanSegments must be at most 1000/);
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, RolloutPageSize: 2.5 })).toThrow(
      /RolloutPageSize must be an integer/,
    );
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, SegmentConcurrency: 0 })).toThrow(
      /SegmentConcurrency must be at least 1/,
    );
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, ApiRetryMaxDelaySeconds: 501 })).toThrow(
      /ApiRetryMaxDelaySeconds must be at most 500/,
    );
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, ApiRetryMaxDelaySeconds: 500 })).not.toThrow();
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, RolloutRampSeconds: 3601 })).toThrow(
      /RolloutRampSeconds must be at most 3600/,
    );
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, RolloutRampSeconds: -1 })).toThrow(
      /RolloutRampSeconds must be at least 0/,
    );
    expect(() => validateWorkflowTuning({ ...DEFAULT_WORKFLOW_TUNING, RolloutRampSeconds: 0 })).not.toThrow();
    expect(() => validateWorkflowTuning(DEFAULT_WORKFLOW_TUNING)).not.toThrow();
  });
});

describe('cdk-nag', () => {
  test('AwsSolutions reports no unacknowledged findings', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  test('every acknowledgement names one finding and gives a reason', () => {
    // Stored by Validations.acknowledge as { "<prefix>::<rule id>": "<reason>" } metadata.
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
      );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(typeof reason).toBe('string');
      expect(reason.length).toBeGreaterThan(40);
      // IAM findings are acknowledged one by one (the finding in brackets), never the whole rule.
      if (/AwsSolutions-IAM[45]/.test(id)) expect(id).toMatch(/\[(Resource|Action|Policy)::.+\]$/);
    }
  });

  test('the tenant-stack wildcard is acknowledged per workflow, only where that workflow has stack grants, each with its own reason', () => {
    const acknowledgedOn = (name: WorkflowName) =>
      stack.workflows[name].stateMachine.node
        .findAll()
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
            .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
        )
        .filter(([id]) => id.includes(':cloudformation:'));
    const names = Object.keys(WORKFLOW_FILES) as WorkflowName[];
    const withStackGrants = names.filter((name) =>
      workflowStatements(name).some((statement) =>
        actionsOf(statement).some((a) => a.startsWith('cloudformation:') && a !== 'cloudformation:DescribeAccountLimits'),
      ),
    );
    expect(names.filter((name) => acknowledgedOn(name).length > 0).sort()).toEqual(withStackGrants.sort());
    const reasons = withStackGrants.map((name) =>
      acknowledgedOn(name)
        .map(([, reason]) => reason)
        .join(),
    );
    expect(new Set(reasons).size).toBe(withStackGrants.length);
  });

  test('synthesis leaves no error or warning annotations', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });
});
