import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_APP_BOUNDARY_POLICY_NAME, tenantDataTableName } from '../../template/naming';
import { acknowledgeResource } from '../nag';

/** The most a tenant app role may ever do: item-level access to tenant data tables (and their indexes). */
const TENANT_APP_BOUNDARY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

/**
 * The permissions boundary of every tenant app role (`tenant-<id>-app`). CloudFormation, acting with
 * the tenant-stack service role, can only create or change such a role with this boundary on it, so
 * whatever trust or inline policy a tenant stack gives the role, it can never reach more than tenant
 * data. The role's own inline policy narrows this to its tenant's table.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
export class TenantAppBoundary extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const tables = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tenantDataTableName('*') });
    const indexes = `${tables}/index/*`;
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: TENANT_APP_BOUNDARY_POLICY_NAME,
      description: 'Permissions boundary of tenant app roles: item access to tenant data tables, nothing else',
      statements: [new iam.PolicyStatement({ sid: 'TenantDataItems', actions: TENANT_APP_BOUNDARY_ACTIONS, resources: [tables, indexes] })],
    });
    for (const pattern of [tables, indexes]) {
      acknowledgeResource(
        this.policy,
        'AwsSolutions-IAM5',
        pattern,
        'A permissions boundary caps every tenant app role at once, so it names tenant data tables by their name pattern (tenant prefix, fixed -data suffix); each role narrows it to its own table.',
      );
    }
  }
}
