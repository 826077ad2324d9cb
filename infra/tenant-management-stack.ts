import { ArnFormat, CfnOutput, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { TENANT_ID_CHARACTERS } from '../template/tenant-id';
import { DEFAULT_TENANT_TIER, TENANT_TIERS_LIST } from '../template/tier';
import { synthesizeTenantTemplate } from '../template/synth';
import { SubstitutionValues } from '../statemachines/substitutions';
import {
  DEFAULT_EVENT_BUS_NAME,
  TEMPLATE_OBJECT_KEY,
  TENANT_CREATED_DETAIL_TYPE,
  TENANT_DELETED_DETAIL_TYPE,
  TENANT_TIER_CHANGED_DETAIL_TYPE,
  TENANT_EVENT_SOURCE,
  TENANT_STACK_NAME_PREFIX,
} from '../statemachines/contract';
import {
  DEFAULT_ROLLOUT_POLICY,
  DEFAULT_WORKFLOW_TUNING,
  HOME_CELL_NAME,
  TENANT_CELLS,
  WorkflowTuning,
  validateCells,
  validateWorkflowTuning,
  type ResolvedCell,
  type TenantCell,
} from './config';
import { loadDefinitionString, parseWithPlaceholders } from './definition';
import { executionTimeoutSeconds } from './execution-timeouts';
import {
  distributedMapRule,
  executionArns,
  mapRunExecutionArns,
  hasDistributedMap,
  stateMachineArn,
  statementsForTasks,
  taskStates,
} from './task-permissions';
import { AlarmTopic } from './constructs/alarm-topic';
import { TemplateStore } from './constructs/template-store';
import { RULE_TARGET_RETRY, RuleDeadLetterQueue } from './constructs/rule-dead-letter-queue';
import { TenantAppBoundary } from './constructs/tenant-app-boundary';
import { TenantStackDeployerRole } from './constructs/tenant-stack-deployer-role';
import { acknowledgeCdkProvidedFunctions, acknowledgeResource } from './nag';
import { ReleaseTable } from './constructs/release-table';
import { mergeRolloutPolicy, releaseNumberOf, type RolloutPolicy } from '../statemachines/rollout-policy';
import { TEMPLATE_VERSION } from '../template/version';
import { StackWaiterTable } from './constructs/stack-waiter-table';
import { TenantTable } from './constructs/tenant-table';
import { Workflow } from './constructs/workflow';
import { WORKFLOW_FILES, WorkflowName } from '../statemachines/workflows';

export interface TenantManagementStackProps extends StackProps {
  /** Name of the tenant-lifecycle bus producers send TenantCreated/TenantDeleted to. */
  readonly eventBusName?: string;
  /** Overrides of the polling, paging, concurrency and retry substitutions. */
  readonly workflowTuning?: Partial<WorkflowTuning>;
  /** Overrides of the default rollout policy (DEFAULT_ROLLOUT_POLICY in infra/config.ts), field by field. */
  readonly rolloutPolicy?: Partial<RolloutPolicy>;
  /** Tenant cells beyond the home cell (default TENANT_CELLS in infra/config.ts); validated at synthesis. */
  readonly cells?: readonly TenantCell[];
  /** Whether new tenants may be placed in the home cell (the management account); default true. */
  readonly homeCellOpen?: boolean;
}

/**
 * Everything that provisions tenants: the template bucket with the one tenant template object, the
 * tenant table, the tenant-lifecycle bus, the CloudFormation service role, and the four workflows
 * (create, delete, update-tenants and its per-tenant child update-tenant) with their alarms.
 */
export class TenantManagementStack extends Stack {
  readonly templateStore: TemplateStore;
  readonly tenantTable: TenantTable;
  readonly releaseTable: ReleaseTable;
  readonly stackWaiterTable: StackWaiterTable;
  readonly eventBus: events.EventBus;
  readonly appRoleBoundary: TenantAppBoundary;
  readonly deployerRole: TenantStackDeployerRole;
  readonly alarmTopic: AlarmTopic;
  /** Every cell, the home cell (this account, its role the deployer role) first. */
  readonly cells: readonly ResolvedCell[];
  readonly workflows: Record<WorkflowName, Workflow>;
  /** The dead-letter queue of each rule's target, by rule id. */
  readonly deadLetterQueues: Record<string, RuleDeadLetterQueue> = {};

  constructor(scope: Construct, id: string, props: TenantManagementStackProps = {}) {
    super(scope, id, props);
    const tuning: WorkflowTuning = { ...DEFAULT_WORKFLOW_TUNING, ...props.workflowTuning };
    validateWorkflowTuning(tuning);

    const rolloutPolicy = mergeRolloutPolicy(DEFAULT_ROLLOUT_POLICY, props.rolloutPolicy ?? {});
    const tenantTemplate = synthesizeTenantTemplate();
    this.templateStore = new TemplateStore(this, 'TenantTemplate', {
      objectKey: TEMPLATE_OBJECT_KEY,
      templateBody: tenantTemplate.body,
      release: releaseNumberOf(TEMPLATE_VERSION),
    });
    this.tenantTable = new TenantTable(this, 'Tenants');
    this.releaseTable = new ReleaseTable(this, 'Releases');
    this.stackWaiterTable = new StackWaiterTable(this, 'StackWaiters');
    this.eventBus = new events.EventBus(this, 'TenantLifecycleBus', { eventBusName: props.eventBusName ?? DEFAULT_EVENT_BUS_NAME });
    this.appRoleBoundary = new TenantAppBoundary(this, 'TenantAppBoundary');
    const templateObjectArn = this.templateStore.bucket.arnForObjects(this.templateStore.objectKey);
    this.deployerRole = new TenantStackDeployerRole(this, 'TenantStackDeployer', {
      appRoleBoundary: this.appRoleBoundary.policy,
      managementAccount: this.account,
      templateObjectArn,
    });
    const extraCells = validateCells(props.cells ?? TENANT_CELLS, Token.isUnresolved(this.region) ? undefined : this.region);
    const reserved = extraCells.find(
      (cell) => cell.name === HOME_CELL_NAME || (!Token.isUnresolved(this.account) && cell.accountId === this.account),
    );
    if (reserved) {
      throw new Error(
        `cells: '${reserved.name}' (${reserved.accountId}) is the home cell (the management account, named '${HOME_CELL_NAME}'), which is always present; list only other accounts`,
      );
    }
    this.cells = [
      {
        name: HOME_CELL_NAME,
        accountId: this.account,
        region: this.region,
        roleArn: this.deployerRole.role.roleArn,
        open: props.homeCellOpen ?? true,
      },
      ...extraCells,
    ];
    if (!this.cells.some((cell) => cell.open))
      throw new Error('cells: at least one cell (or the home cell, homeCellOpen) must be open for new tenants');
    this.grantCellAccess(extraCells);
    this.alarmTopic = new AlarmTopic(this, 'WorkflowAlarms');

    const tenantStackArns = this.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${TENANT_STACK_NAME_PREFIX}*/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const shared: Omit<SubstitutionValues, 'UpdateTenantStateMachineArn'> = {
      TenantIdCharacters: TENANT_ID_CHARACTERS,
      TenantTiers: TENANT_TIERS_LIST,
      DefaultTenantTier: DEFAULT_TENANT_TIER,
      TenantTableName: this.tenantTable.table.tableName,
      ReleaseTableName: this.releaseTable.table.tableName,
      StackWaiterTableName: this.stackWaiterTable.table.tableName,
      TemplateUrl: this.templateStore.templateUrl,
      TemplateBucketName: this.templateStore.bucket.bucketName,
      TemplateObjectKey: this.templateStore.objectKey,
      StackNamePrefix: TENANT_STACK_NAME_PREFIX,
      TenantCells: JSON.stringify(this.cells),
      EventBusName: this.eventBus.eventBusName,
      EventSource: TENANT_EVENT_SOURCE,
      RolloutPolicy: JSON.stringify(rolloutPolicy),
      ResourcesPerTenantStack: String(Object.keys(tenantTemplate.template.Resources ?? {}).length),
      MaxStackWaitSeconds: String(tuning.MaxStackPolls * tuning.StackPollSeconds),
      ...(Object.fromEntries(Object.entries(tuning).map(([key, value]) => [key, String(value)])) as Record<keyof WorkflowTuning, string>),
    };

    const build = (name: WorkflowName, substitutions: SubstitutionValues): Workflow => {
      const definitionString = loadDefinitionString(name);
      return new Workflow(this, pascal(WORKFLOW_FILES[name]), {
        stateMachineName: this.workflowName(name),
        definitionString,
        substitutions,
        taskPermissions: [
          ...(hasDistributedMap(parseWithPlaceholders(definitionString)) ? distributedMapRule(this, this.workflowName(name)) : []),
          ...statementsForTasks(this, taskStates(parseWithPlaceholders(definitionString)), {
            tenantStackArns,
            cloudFormationRole: this.deployerRole.role,
            cellRoleArns: this.cells.map((cell) => cell.roleArn),
            templateBucket: this.templateStore.bucket,
            templateObjectKey: this.templateStore.objectKey,
            templateUrl: this.templateStore.templateUrl,
            tables: {
              '${TenantTableName}': this.tenantTable.table,
              '${ReleaseTableName}': this.releaseTable.table,
              '${StackWaiterTableName}': this.stackWaiterTable.table,
            },
            eventBus: this.eventBus,
            selfName: this.workflowName(name),
            startable: { '${UpdateTenantStateMachineArn}': this.workflowName('updateTenant') },
          }),
        ],
        alarmTopic: this.alarmTopic.topic,
        executionTimeoutSeconds: executionTimeoutSeconds(name, tuning),
      });
    };
    const updateTenant = build('updateTenant', {
      ...shared,
      UpdateTenantStateMachineArn: stateMachineArn(this, this.workflowName('updateTenant')),
    });
    const withChild: SubstitutionValues = { ...shared, UpdateTenantStateMachineArn: updateTenant.stateMachine.stateMachineArn };
    this.workflows = {
      createTenant: build('createTenant', withChild),
      deleteTenant: build('deleteTenant', withChild),
      updateTenants: build('updateTenants', withChild),
      updateTenant,
      stackEvents: build('stackEvents', withChild),
      changeTier: build('changeTier', withChild),
    };

    this.routeEvents();
    this.acknowledgeNagFindings(tenantStackArns);

    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.eventBusName,
      description: `Send TenantCreated/TenantDeleted here with source ${TENANT_EVENT_SOURCE}`,
    });
    new CfnOutput(this, 'TemplateBucketName', { value: this.templateStore.bucket.bucketName });
    new CfnOutput(this, 'TenantTableName', { value: this.tenantTable.table.tableName });
    new CfnOutput(this, 'ReleaseTableName', { value: this.releaseTable.table.tableName });
    new CfnOutput(this, 'StackWaiterTableName', { value: this.stackWaiterTable.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'Subscribe here: failed, timed-out and aborted executions, dead-lettered events',
    });
    new CfnOutput(this, 'TenantAppBoundaryArn', {
      value: this.appRoleBoundary.policy.managedPolicyArn,
      description: 'Permissions boundary every tenant app role carries',
    });
    for (const [ruleId, deadLetters] of Object.entries(this.deadLetterQueues)) {
      new CfnOutput(this, `${ruleId}DeadLetterQueueUrl`, {
        value: deadLetters.queue.queueUrl,
        description: `Events the ${ruleId} target could not deliver (after retries)`,
      });
    }
    for (const [name, workflow] of Object.entries(this.workflows)) {
      new CfnOutput(this, `${pascal(WORKFLOW_FILES[name as WorkflowName])}StateMachineArn`, {
        value: workflow.stateMachine.stateMachineArn,
      });
    }
  }

  /** `<stack name>-<file stem>`: readable in the console, unique per stack, and known before deployment
   * (update-tenants grants itself StartExecution by this name without a circular reference). */
  workflowName(name: WorkflowName): string {
    return `${this.stackName}-${WORKFLOW_FILES[name]}`;
  }

  private routeEvents(): void {
    // Each rule's target retries for RULE_TARGET_RETRY, then dead-letters into its own alarmed queue.
    const startWithDeadLetters = (workflow: Workflow, id: string, purpose: string) => {
      const deadLetters = new RuleDeadLetterQueue(this, `${id}DeadLetters`, { purpose, alarmTopic: this.alarmTopic.topic });
      this.deadLetterQueues[id] = deadLetters;
      return new targets.SfnStateMachine(workflow.stateMachine, { ...RULE_TARGET_RETRY, deadLetterQueue: deadLetters.queue });
    };
    const lifecycle = (detailType: string, workflow: Workflow, id: string) =>
      new events.Rule(this, id, {
        eventBus: this.eventBus,
        description: `${detailType} from ${TENANT_EVENT_SOURCE} starts ${workflow.node.id}`,
        eventPattern: { source: [TENANT_EVENT_SOURCE], detailType: [detailType] },
        targets: [startWithDeadLetters(workflow, id, `start ${workflow.node.id} (${detailType})`)],
      });
    lifecycle(TENANT_CREATED_DETAIL_TYPE, this.workflows.createTenant, 'TenantCreatedRule');
    lifecycle(TENANT_DELETED_DETAIL_TYPE, this.workflows.deleteTenant, 'TenantDeletedRule');
    lifecycle(TENANT_TIER_CHANGED_DETAIL_TYPE, this.workflows.changeTier, 'TenantTierChangedRule');

    // S3 sends bucket events to the account's default bus.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
    const templateUploaded = new events.Rule(this, 'TemplateUploadedRule', {
      description: 'A new version of the tenant template starts the fleet update',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.templateStore.bucket.bucketName] },
          object: { key: [this.templateStore.objectKey] },
        },
      },
      targets: [startWithDeadLetters(this.workflows.updateTenants, 'TemplateUploadedRule', 'start UpdateTenants (template uploaded)')],
    });
    // On the first deploy the template upload comes after its rule and the bucket's EventBridge
    // notification setting (a child of the bucket), or its Object Created event may find neither and
    // the first release is never recorded. CloudFormation creates resources in parallel unless a
    // dependency orders them (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html).
    this.templateStore.deployment.node.addDependency(templateUploaded, this.templateStore.bucket);

    // CloudFormation sends stack status events to the default bus
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html).
    // Only the terminal statuses of update-tenant's operations (its tokens) on tenant stacks.
    new events.Rule(this, 'StackUpdateEndedRule', {
      description: 'The end of a tenant stack update by update-tenant wakes its waiter through the stack-events relay',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: {
          // Tenant stacks of every cell (a cell's stack forwards its events to this account's default bus).
          'stack-id': events.Match.anyOf(
            ...this.cells.map((cell) =>
              events.Match.prefix(
                this.formatArn({
                  service: 'cloudformation',
                  account: cell.accountId,
                  resource: 'stack',
                  resourceName: TENANT_STACK_NAME_PREFIX,
                  arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
                }),
              ),
            ),
          ),
          'status-details': { status: [...TERMINAL_UPDATE_STATUSES] },
          'client-request-token': events.Match.anyOf(events.Match.prefix('update-'), events.Match.prefix('converge-')),
        },
      },
      targets: [startWithDeadLetters(this.workflows.stackEvents, 'StackUpdateEndedRule', 'start StackEvents (stack update ended)')],
    });
  }

  /**
   * What the other cells' deployer roles need here: reading the template object (CloudFormation fetches
   * TemplateURL with the caller's credentials) and sending their accounts' stack status events to
   * this account's default bus (the cell stack's forwarding rule;
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html).
   */
  private grantCellAccess(cells: readonly ResolvedCell[]): void {
    if (cells.length === 0) return;
    this.templateStore.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CellDeployersReadTheTemplate',
        principals: cells.map((cell) => new iam.ArnPrincipal(cell.roleArn)),
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.templateStore.bucket.arnForObjects(this.templateStore.objectKey)],
      }),
    );
    cells.forEach((cell) => {
      new events.CfnEventBusPolicy(this, `CellEvents${pascal(cell.name)}`, {
        eventBusName: 'default',
        statementId: `cell-${cell.name}-stack-events`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${this.partition}:iam::${cell.accountId}:root` },
          Action: 'events:PutEvents',
          Resource: this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
          Condition: { StringEquals: { 'events:source': 'aws.cloudformation' } },
        },
      });
    });
  }

  /** One acknowledgement per workflow and finding, each saying why that workflow needs the pattern. */
  private acknowledgeNagFindings(tenantStackArns: string): void {
    acknowledgeResource(
      this.workflows.createTenant.stateMachine,
      'AwsSolutions-IAM5',
      tenantStackArns,
      'create-tenant creates and then polls the stack of the tenant named in the event; tenant stacks are named tenant-<id> at run time, so only the tenant prefix can name them (CreateStack is further bound to the template URL and the service role).',
    );
    acknowledgeResource(
      this.workflows.deleteTenant.stateMachine,
      'AwsSolutions-IAM5',
      tenantStackArns,
      'delete-tenant looks up, deletes and polls the stack of the tenant named in the event; tenant stacks are named tenant-<id> at run time, so only the tenant prefix can name them (DeleteStack is further bound to the service role).',
    );
    acknowledgeResource(
      this.workflows.updateTenant.stateMachine,
      'AwsSolutions-IAM5',
      tenantStackArns,
      'update-tenant updates and polls the stack of the one tenant it is given; tenant stacks are named tenant-<id> at run time, so only the tenant prefix can name them (UpdateStack is further bound to a version of the template object and the service role).',
    );
    acknowledgeResource(
      this.workflows.createTenant.stateMachine,
      'AwsSolutions-IAM5',
      executionArns(this, this.workflowName('updateTenant')),
      'create-tenant follows (.sync) the update-tenant execution it starts when a release landed while the stack was created; executions get run-time names, so the grant covers the executions of that one state machine.',
    );
    acknowledgeResource(
      this.workflows.changeTier.stateMachine,
      'AwsSolutions-IAM5',
      executionArns(this, this.workflowName('updateTenant')),
      'change-tier follows (.sync) the update-tenant execution it starts to give the stack its new tier; executions get run-time names, so the grant covers the executions of that one state machine.',
    );
    // update-tenants starts (.sync) the per-tenant child and its own continuation.
    acknowledgeResource(
      this.workflows.updateTenants.stateMachine,
      'AwsSolutions-IAM5',
      executionArns(this, this.workflowName('updateTenant')),
      'update-tenants follows (.sync) the update-tenant execution it starts per tenant; executions get run-time names, so the grant covers the executions of that one state machine.',
    );
    acknowledgeResource(
      this.workflows.updateTenants.stateMachine,
      'AwsSolutions-IAM5',
      mapRunExecutionArns(this, this.workflowName('updateTenants')),
      "update-tenants' Distributed Maps (one child per scan segment, one per tenant of a page) run as child executions of its own Map Runs, named at run time; the grant covers only those children.",
    );
    acknowledgeResource(
      this.workflows.updateTenants.stateMachine,
      'AwsSolutions-IAM5',
      '*',
      'update-tenants reads DescribeAccountLimits (no resource type) to size its update window, and sends the task token of a superseded rollout (SendTaskSuccess: task tokens name no resource).',
    );
    acknowledgeCdkProvidedFunctions(this, this.templateStore.bucket.bucketArn);
  }
}

/** Where an UpdateStack ends (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes). */
const TERMINAL_UPDATE_STATUSES = ['UPDATE_COMPLETE', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED'] as const;

function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
