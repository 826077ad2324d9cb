import { ArnFormat, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { TENANT_STACK_NAME_PREFIX } from '../statemachines/contract';
import { CELL_DEPLOYER_ROLE_NAME } from './config';
import { TenantAppBoundary } from './constructs/tenant-app-boundary';
import { TenantStackDeployerRole } from './constructs/tenant-stack-deployer-role';

export interface TenantCellStackProps extends StackProps {
  /** The management account (its workflows assume the deployer role; its default bus gets the stack events). */
  readonly managementAccount: string;
  /** ARN of the tenant template object in the management account's template bucket (CloudFormation reads it as the deployer role). */
  readonly templateObjectArn: string;
}

/**
 * What one tenant cell account needs (deploy it in the cell's account, in the management region,
 * before listing the cell in infra/config.ts): the tenant app boundary (tenant stacks name it by
 * its fixed name), the deployer role the management account's workflows assume and CloudFormation
 * deploys tenant stacks as (fixed name CELL_DEPLOYER_ROLE_NAME, so the management side can name it
 * without a cross-account reference), and a rule sending this account's tenant stack status changes
 * to the management account's default bus, where the stack-events relay wakes update-tenant
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html; the management
 * stack's bus policy lets this account in).
 */
export class TenantCellStack extends Stack {
  readonly appRoleBoundary: TenantAppBoundary;
  readonly deployerRole: TenantStackDeployerRole;
  readonly stackEventsRule: events.Rule;

  constructor(scope: Construct, id: string, props: TenantCellStackProps) {
    super(scope, id, props);
    this.appRoleBoundary = new TenantAppBoundary(this, 'TenantAppBoundary');
    this.deployerRole = new TenantStackDeployerRole(this, 'TenantCellDeployer', {
      appRoleBoundary: this.appRoleBoundary.policy,
      managementAccount: props.managementAccount,
      templateObjectArn: props.templateObjectArn,
      roleName: CELL_DEPLOYER_ROLE_NAME,
    });
    const managementBus = events.EventBus.fromEventBusArn(
      this,
      'ManagementDefaultBus',
      this.formatArn({ service: 'events', account: props.managementAccount, resource: 'event-bus', resourceName: 'default' }),
    );
    // CloudFormation sends stack status changes to this account's default bus
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacks-event-bridge.html); only tenant stacks' go on.
    this.stackEventsRule = new events.Rule(this, 'ForwardTenantStackEvents', {
      description: "Tenant stack status changes of this cell to the management account's default bus",
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: {
          'stack-id': events.Match.prefix(
            this.formatArn({
              service: 'cloudformation',
              resource: 'stack',
              resourceName: TENANT_STACK_NAME_PREFIX,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ),
        },
      },
      targets: [new targets.EventBus(managementBus)],
    });
    new CfnOutput(this, 'DeployerRoleArn', {
      value: this.deployerRole.role.roleArn,
      description: 'The roleArn of this cell in infra/config.ts (the default for its account)',
    });
  }
}
