import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeResource } from '../nag';
import { tenantAppRoleName, tenantDataTableName } from '../../template/naming';

/**
 * The service role CloudFormation assumes (RoleARN) for every tenant stack operation. It holds what
 * the tenant template needs and nothing else: the tenant's data table and app role, by name pattern.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
 *
 * There is deliberately no dynamodb:DeleteTable: the template retains tenant tables.
 */
export class TenantStackDeployerRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const tables = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tenantDataTableName('*') });
    const roles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: tenantAppRoleName('*') });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: 'CloudFormation service role for tenant stacks: tenant data tables and tenant app roles only',
      inlinePolicies: {
        TenantResources: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'TenantDataTables',
              actions: [
                'dynamodb:CreateTable',
                'dynamodb:DescribeTable',
                'dynamodb:UpdateTable',
                'dynamodb:DescribeContinuousBackups',
                'dynamodb:UpdateContinuousBackups',
                'dynamodb:DescribeTimeToLive',
                'dynamodb:DescribeContributorInsights',
                'dynamodb:DescribeKinesisStreamingDestination',
                'dynamodb:GetResourcePolicy',
                'dynamodb:TagResource',
                'dynamodb:UntagResource',
                'dynamodb:ListTagsOfResource',
              ],
              resources: [tables],
            }),
            new iam.PolicyStatement({
              sid: 'TenantAppRoles',
              actions: [
                'iam:CreateRole',
                'iam:GetRole',
                'iam:DeleteRole',
                'iam:UpdateRole',
                'iam:UpdateRoleDescription',
                'iam:UpdateAssumeRolePolicy',
                'iam:TagRole',
                'iam:UntagRole',
                'iam:ListRoleTags',
                'iam:PutRolePolicy',
                'iam:GetRolePolicy',
                'iam:DeleteRolePolicy',
                'iam:ListRolePolicies',
                'iam:ListAttachedRolePolicies',
              ],
              resources: [roles],
            }),
          ],
        }),
      },
    });

    for (const pattern of [tables, roles]) {
      acknowledgeResource(
        this.role,
        'AwsSolutions-IAM5',
        pattern,
        'Tenant resources are created per tenant, so they can only be named by the tenant name pattern; the pattern is the tenant prefix and a fixed suffix.',
      );
    }
  }
}
