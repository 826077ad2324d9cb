import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeResource } from '../nag';
import { stackOperationPermissions } from '../cfn-handler-permissions';
import { tenantAppRoleName, tenantDataTableName } from '../../template/naming';
import { TENANT_STACK_NAME_PREFIX } from '../../statemachines/contract';

/** The resource types of the tenant template; the service role holds their handlers' permissions. */
export const TENANT_TEMPLATE_RESOURCE_TYPES = ['AWS::DynamoDB::Table', 'AWS::IAM::Role', 'AWS::IAM::Policy'] as const;

/**
 * Handler permissions the role does not get, each with the reason. They serve optional properties
 * the tenant template does not set (a test checks that it sets none of them), principals it does not
 * create, or would widen access to tenant data beyond the stack's own resources.
 */
export const WITHHELD_HANDLER_PERMISSIONS: Readonly<Record<string, string>> = Object.fromEntries([
  ...[
    'dynamodb:ImportTable',
    'dynamodb:DescribeImport',
    's3:GetObject',
    's3:GetObjectMetadata',
    's3:ListBucket',
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:DescribeLogGroups',
    'logs:DescribeLogStreams',
    'logs:PutLogEvents',
    'logs:PutRetentionPolicy',
  ].map((action) => [action, 'ImportSourceSpecification: the data table is never created from an S3 import']),
  ...['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ListAliases', 'kms:Encrypt', 'kms:RevokeGrant'].map((action) => [
    action,
    'SSESpecification with a KMS key: the data table uses the AWS owned key',
  ]),
  ...[
    'dynamodb:EnableKinesisStreamingDestination',
    'dynamodb:DisableKinesisStreamingDestination',
    'dynamodb:UpdateKinesisStreamingDestination',
    'kinesis:DescribeStream',
    'kinesis:PutRecords',
  ].map((action) => [action, 'KinesisStreamSpecification: the data table streams to no Kinesis stream']),
  [
    'iam:CreateServiceLinkedRole',
    'only the optional DynamoDB features above use service-linked roles; the template uses none, and the action would reach any service-linked role',
  ],
  ...['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'].map((action) => [
    action,
    'ResourcePolicy: the data table has none, and a table resource policy could open tenant data to other principals',
  ]),
  ...['dynamodb:CreateTableReplica', 'dynamodb:AssociateTableReplica'].map((action) => [
    action,
    'replicas: the template declares none, and a replica would copy tenant data to another region',
  ]),
  ['iam:DeleteRolePermissionsBoundary', 'the template always sets the boundary; removing it would uncap a tenant app role'],
  ...[
    'iam:GetUserPolicy',
    'iam:PutUserPolicy',
    'iam:DeleteUserPolicy',
    'iam:GetGroupPolicy',
    'iam:PutGroupPolicy',
    'iam:DeleteGroupPolicy',
  ].map((action) => [action, "Users/Groups: the template's AWS::IAM::Policy attaches to roles only"]),
]);

/**
 * Role actions that can give a role permissions or change who may assume it: allowed only when the
 * role has (or gets) the tenant app boundary, via the iam:PermissionsBoundary condition key.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PermissionsBoundary
 */
export const BOUNDED_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:UpdateAssumeRolePolicy',
];

export interface TenantStackDeployerRoleProps {
  /** The permissions boundary tenant app roles must carry. */
  readonly appRoleBoundary: iam.IManagedPolicy;
  /**
   * The management account, whose workflows assume this role (Task `Credentials`) to call
   * CloudFormation in this role's account; the role is then both the caller and the stacks' service role.
   */
  readonly managementAccount: string;
  /** ARN of the tenant template object (in the management account's template bucket) CloudFormation reads as the caller. */
  readonly templateObjectArn: string;
  /** Fixed role name (a cell stack: CELL_DEPLOYER_ROLE_NAME, so the management side can name it); default generated. */
  readonly roleName?: string;
}

/**
 * The service role CloudFormation assumes (RoleARN) for every tenant stack operation. It holds exactly
 * what CloudFormation's resource handlers need for the tenant template's resource types
 * (infra/cfn-handler-permissions.ts) minus WITHHELD_HANDLER_PERMISSIONS, on the tenant's resources
 * by name pattern, and it can create or empower a tenant app role only with the tenant app boundary.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
 */
export class TenantStackDeployerRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TenantStackDeployerRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tables = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tenantDataTableName('*') });
    const roles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: tenantAppRoleName('*') });

    const granted = [...new Set(TENANT_TEMPLATE_RESOURCE_TYPES.flatMap(stackOperationPermissions))].filter(
      (action) => !(action in WITHHELD_HANDLER_PERMISSIONS),
    );
    const tableActions = granted.filter((action) => action.startsWith('dynamodb:'));
    const roleActions = granted.filter((action) => action.startsWith('iam:'));
    const unplaced = granted.filter((action) => !tableActions.includes(action) && !roleActions.includes(action));
    if (unplaced.length > 0) {
      throw new Error(
        `handler permissions ${unplaced.join(', ')} have no resource rule in TenantStackDeployerRole; grant or withhold them`,
      );
    }

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      // CloudFormation acts as it (RoleARN); the management account's workflows assume it (Task
      // Credentials, https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html);
      // only the workflow roles are granted sts:AssumeRole on it there.
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('cloudformation.amazonaws.com'),
        new iam.AccountPrincipal(props.managementAccount),
      ),
      description:
        'Tenant cell deployer: the workflows call CloudFormation as it, and CloudFormation deploys tenant stacks as it (tenant data tables and boundary-capped tenant app roles only)',
      inlinePolicies: {
        TenantResources: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'TenantDataTables', actions: tableActions, resources: [tables] }),
            new iam.PolicyStatement({
              sid: 'TenantAppRoles',
              actions: roleActions.filter((action) => !BOUNDED_ROLE_ACTIONS.includes(action)),
              resources: [roles],
            }),
            new iam.PolicyStatement({
              sid: 'TenantAppRolesWithBoundary',
              actions: roleActions.filter((action) => BOUNDED_ROLE_ACTIONS.includes(action)),
              resources: [roles],
              conditions: { StringEquals: { 'iam:PermissionsBoundary': props.appRoleBoundary.managedPolicyArn } },
            }),
          ],
        }),
      },
    });

    // As the workflows' caller in this account: the tenant stack operations, handing CloudFormation
    // only this role, and reading the template object CloudFormation fetches with the caller's credentials.
    const tenantStacks = stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${TENANT_STACK_NAME_PREFIX}*/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TenantStackOperations',
        actions: ['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack'],
        resources: [tenantStacks],
        conditions: { StringEquals: { 'cloudformation:RoleArn': this.role.roleArn } },
      }),
    );
    this.role.addToPrincipalPolicy(
      // DescribeStackEvents: update-tenant reads why an update failed when its end said no reason.
      new iam.PolicyStatement({
        sid: 'TenantStackReads',
        actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'],
        resources: [tenantStacks],
      }),
    );
    // The rollout sizes its window from every cell's ConcurrentResourcesLimit, read as this role; an
    // account-wide read with no resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'AccountLimitsRead', actions: ['cloudformation:DescribeAccountLimits'], resources: ['*'] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassItselfToCloudFormation',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTenantTemplate',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [props.templateObjectArn],
      }),
    );

    for (const pattern of [tables, roles, tenantStacks, props.templateObjectArn]) {
      acknowledgeResource(
        this.role,
        'AwsSolutions-IAM5',
        pattern,
        'Tenant resources are created per tenant, so they can only be named by the tenant name pattern; the pattern is the tenant prefix and a fixed suffix.',
      );
    }
    acknowledgeResource(
      this.role,
      'AwsSolutions-IAM5',
      '*',
      "DescribeAccountLimits has no resource type: the rollout reads the cell account's ConcurrentResourcesLimit as this role to size its window.",
    );
  }
}
