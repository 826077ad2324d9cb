import { BootstraplessSynthesizer, CfnOutput, CfnParameter, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_ID_MAX_LENGTH, TENANT_ID_PATTERN, TENANT_ID_RULE_DESCRIPTION } from './tenant-id';
import { DEFAULT_TENANT_TIER, TENANT_TIERS, TENANT_TIER_RULE_DESCRIPTION } from './tier';
import { TENANT_APP_BOUNDARY_POLICY_NAME, tenantAppRoleName, tenantDataTableName } from './naming';
import { TEMPLATE_VERSION } from './version';

/** Names of the template's parameter and outputs: the workflows pass and read these. */
export const TENANT_ID_PARAMETER = 'TenantId';
export const TIER_PARAMETER = 'Tier';
export const TEMPLATE_VERSION_OUTPUT = 'TemplateVersion';
export const DATA_TABLE_OUTPUT = 'DataTableName';
export const APP_ROLE_OUTPUT = 'AppRoleArn';

/**
 * The stack every tenant gets. The workflows deploy it by TemplateURL, never through `cdk deploy`,
 * so it uses the BootstraplessSynthesizer (no bootstrap roles, no assets) and is fully
 * parameterised by `TenantId` and `Tier`.
 *
 * It names an IAM role, so CreateStack and UpdateStack need `CAPABILITY_NAMED_IAM`.
 */
export class TenantStack extends Stack {
  constructor(scope: Construct, id: string, props: Omit<StackProps, 'synthesizer'> = {}) {
    super(scope, id, {
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description: `Resources of one tenant (tenant template ${TEMPLATE_VERSION})`,
    });

    const tenantId = new CfnParameter(this, TENANT_ID_PARAMETER, {
      type: 'String',
      description: 'Id of the tenant this stack belongs to',
      allowedPattern: TENANT_ID_PATTERN,
      minLength: 1,
      maxLength: TENANT_ID_MAX_LENGTH,
      constraintDescription: TENANT_ID_RULE_DESCRIPTION,
    });
    tenantId.overrideLogicalId(TENANT_ID_PARAMETER);
    const id_ = tenantId.valueAsString;

    // The tenant's tier (template/tier.ts). Stacks created before the parameter existed get the
    // default on their next update; update-tenant sends the tenant record's tier (change-tier sets it).
    const tier = new CfnParameter(this, TIER_PARAMETER, {
      type: 'String',
      description: 'Tier of the tenant (what it is offered and billed for)',
      allowedValues: [...TENANT_TIERS],
      default: DEFAULT_TENANT_TIER,
      constraintDescription: TENANT_TIER_RULE_DESCRIPTION,
    });
    tier.overrideLogicalId(TIER_PARAMETER);

    // DeletionPolicy RetainExceptOnCreate, UpdateReplacePolicy Retain
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html):
    // - a create that fails and rolls back deletes the table it made, so a failed tenant leaves no
    //   `tenant-<id>-data` behind to block the next create of the same id (the table is new and empty);
    // - deleting the stack offboards the tenant but keeps its data: the table stays, to be exported or
    //   deleted deliberately by an operator (DynamoDB has no Snapshot policy, and point-in-time
    //   recovery ends with the table);
    // - a replacement (a changed key schema) keeps the old table too.
    // Consequence: a deleted tenant id cannot be created again while its retained table exists; the
    // operator removes (or renames by restoring) the table first (README: "Tenant data").
    const table = new dynamodb.Table(this, 'DataTable', {
      tableName: tenantDataTableName(id_),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Default encryption (AWS owned key): no KMS permissions for the CloudFormation service role.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    (table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId('DataTable');

    // The role the tenant's workloads (ECS tasks) run as; it reaches only this tenant's table.
    const role = new iam.Role(this, 'AppRole', {
      roleName: tenantAppRoleName(id_),
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: "Workloads of one tenant: read and write that tenant's data table only",
    });
    (role.node.defaultChild as iam.CfnRole).overrideLogicalId('AppRole');
    // The boundary the management stack creates (by naming convention, so no extra parameter): the
    // CloudFormation service role may create and empower this role only with it.
    iam.PermissionsBoundary.of(role).apply(
      iam.ManagedPolicy.fromManagedPolicyName(this, 'AppRoleBoundary', TENANT_APP_BOUNDARY_POLICY_NAME),
    );
    role.attachInlinePolicy(
      new iam.Policy(this, 'AppRoleDataAccess', {
        statements: [
          new iam.PolicyStatement({
            actions: [
              'dynamodb:GetItem',
              'dynamodb:BatchGetItem',
              'dynamodb:Query',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:DeleteItem',
              'dynamodb:BatchWriteItem',
              'dynamodb:ConditionCheckItem',
            ],
            resources: [table.tableArn],
          }),
        ],
      }),
    );

    Tags.of(this).add('TenantId', id_);
    Tags.of(this).add('TenantTier', tier.valueAsString);

    new CfnOutput(this, TEMPLATE_VERSION_OUTPUT, {
      value: TEMPLATE_VERSION,
      description: 'Version of the tenant template this stack runs',
    });
    new CfnOutput(this, DATA_TABLE_OUTPUT, { value: table.tableName });
    new CfnOutput(this, APP_ROLE_OUTPUT, { value: role.roleArn });
  }
}
