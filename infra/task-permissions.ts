import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * Permissions follow the definition: a workflow role gets exactly the actions its Task states call,
 * on the resources this stack gives them. A Task this module has no rule for fails synthesis, so a
 * new integration cannot ship without a deliberate grant.
 */
export interface TaskTargets {
  /** `arn:...:cloudformation:<region>:<account>:stack/<prefix>*\/*` */
  readonly tenantStackArns: string;
  readonly cloudFormationRole: iam.IRole;
  /** The cells' deployer roles: what a Task's `Credentials.RoleArn` may name (sts:AssumeRole). */
  readonly cellRoleArns: readonly string[];
  readonly templateBucket: s3.IBucket;
  readonly templateObjectKey: string;
  /** HTTPS URL of the template object (no version): what CreateStack/UpdateStack may name as TemplateURL. */
  readonly templateUrl: string;
  /** DynamoDB tables by the `${Placeholder}` a Task names as its TableName. */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  readonly eventBus: events.IEventBus;
  /** Name of the state machine the definition belongs to (target of `StateMachineArn.$: $$.StateMachine.Id`). */
  readonly selfName: string;
  /** State machines a Task may start, by the exact `StateMachineArn` value in the definition (e.g. `${UpdateTenantStateMachineArn}`). */
  readonly startable: Readonly<Record<string, string>>;
}

export interface TaskState {
  readonly name: string;
  readonly resource: string;
  readonly parameters: Record<string, unknown>;
  /** The Task's `Credentials` (a role Step Functions assumes for the call), when it has one. */
  readonly credentials?: unknown;
}

/** Every Task state, nested Map/Parallel states included (definition parsed with placeholders left in). */
export function taskStates(definition: unknown): TaskState[] {
  const found: TaskState[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const states = record.States;
    if (typeof states === 'object' && states !== null && !Array.isArray(states)) {
      for (const [name, state] of Object.entries(states as Record<string, Record<string, unknown> | null>)) {
        if (state?.Type === 'Task' && typeof state.Resource === 'string') {
          found.push({
            name,
            resource: state.Resource,
            parameters: argumentsOf(state.Parameters ?? state.Arguments),
            ...(state.Credentials !== undefined ? { credentials: state.Credentials } : {}),
          });
        }
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(definition);
  return found;
}

/**
 * A Task's arguments as far as permissions need them. JSONata Arguments written as one expression
 * (`{% $merge([{...}, ...]) %}`) are opaque, except for a literal `'TableName': '${Placeholder}'`,
 * which names the table the way an object would.
 */
function argumentsOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    const table = /['"]TableName['"]\s*:\s*['"](\$\{\w+\})['"]/.exec(value)?.[1];
    return table === undefined ? {} : { TableName: table };
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

const INTEGRATION = /^arn:[^:]+:states:::(.+)$/;

export function statementsForTasks(scope: Construct, tasks: readonly TaskState[], targets: TaskTargets): iam.PolicyStatement[] {
  return tasks.flatMap((task) => {
    const integration = INTEGRATION.exec(task.resource)?.[1];
    const rule = integration === undefined ? undefined : ruleFor(scope, integration, task, targets);
    if (!rule) {
      throw new Error(
        `Task state '${task.name}' (Resource ${task.resource}) has no permission rule in infra/task-permissions.ts; add one granting the narrowest action and resource`,
      );
    }
    return task.credentials === undefined ? rule : [...rule, assumeCellRole(task, targets)];
  });
}

/**
 * A Task with `Credentials` is called as that role: the state machine's role must be allowed to
 * assume it (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html).
 * Only the cells' deployer roles: the RoleArn is read from the tenant record at run time.
 */
function assumeCellRole(task: TaskState, targets: TaskTargets): iam.PolicyStatement {
  if (targets.cellRoleArns.length === 0) {
    throw new Error(`Task state '${task.name}' has Credentials, but no cell roles were given to infra/task-permissions.ts`);
  }
  return new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...targets.cellRoleArns] });
}

function ruleFor(scope: Construct, integration: string, task: TaskState, targets: TaskTargets): iam.PolicyStatement[] | undefined {
  const [service, action, pattern] = parseIntegration(integration);
  const iamAction = action.charAt(0).toUpperCase() + action.slice(1);
  switch (service) {
    case 'cloudformation':
      return cloudFormationRule(iamAction, task, targets);
    case 'dynamodb': {
      if (!['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable'].includes(iamAction)) return undefined;
      // A write that waits for a task token (the stack waiter's registration, the rollout's operator
      // wait) calls PutItem / UpdateItem once; nothing else waits.
      if (pattern !== undefined && !(pattern === 'waitForTaskToken' && (iamAction === 'PutItem' || iamAction === 'UpdateItem')))
        return undefined;
      const table = typeof task.parameters.TableName === 'string' ? targets.tables[task.parameters.TableName] : undefined;
      if (table === undefined) return undefined;
      return [new iam.PolicyStatement({ actions: [`dynamodb:${iamAction}`], resources: [table.tableArn] })];
    }
    case 's3':
      return s3Rule(iamAction, task, targets);
    case 'sfn':
      // Task tokens name no resource: SendTaskSuccess/SendTaskFailure take no resource-level
      // permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html).
      if (iamAction !== 'SendTaskSuccess' && iamAction !== 'SendTaskFailure') return undefined;
      return [new iam.PolicyStatement({ actions: [`states:${iamAction}`], resources: ['*'] })];
    case 'events':
    case 'eventbridge':
      if (iamAction !== 'PutEvents') return undefined;
      return [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [targets.eventBus.eventBusArn] })];
    case 'sfn':
      // SendTaskSuccess has no resource type: it is authorized on "*" only; the task token itself is
      // the capability (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html).
      // The "*" is covered by the Workflow construct's AwsSolutions-IAM5[Resource::*] acknowledgement.
      if (iamAction !== 'SendTaskSuccess' || pattern !== undefined) return undefined;
      return [new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] })];
    case 'states': {
      if (iamAction !== 'StartExecution') return undefined;
      const target = startedStateMachine(task, targets);
      return target === undefined ? undefined : startExecutionRule(scope, target, pattern);
    }
    default:
      return undefined;
  }
}

/** `aws-sdk:cloudformation:createStack` -> [cloudformation, createStack, undefined]; `states:startExecution.sync:2` -> [states, startExecution, sync:2]. */
function parseIntegration(integration: string): [string, string, string | undefined] {
  const parts = integration.startsWith('aws-sdk:') ? integration.slice('aws-sdk:'.length) : integration;
  const separator = parts.indexOf(':');
  const [action, ...pattern] = parts.slice(separator + 1).split('.');
  return [parts.slice(0, separator), action, pattern.length ? pattern.join('.') : undefined];
}

function startedStateMachine(task: TaskState, targets: TaskTargets): string | undefined {
  if (task.parameters['StateMachineArn.$'] === '$$.StateMachine.Id') return targets.selfName;
  const literal = task.parameters.StateMachineArn;
  return typeof literal === 'string' ? targets.startable[literal] : undefined;
}

function cloudFormationRule(iamAction: string, task: TaskState, targets: TaskTargets): iam.PolicyStatement[] | undefined {
  const onStacks = (action: string, conditions?: Record<string, Record<string, unknown>>) =>
    new iam.PolicyStatement({ actions: [`cloudformation:${action}`], resources: [targets.tenantStackArns], conditions });
  // Stack operations run as the service role; the workflow may only hand that one role to CloudFormation.
  const passRole = new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [targets.cloudFormationRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
  });
  const asServiceRole = { 'cloudformation:RoleArn': targets.cloudFormationRole.roleArn };
  switch (iamAction) {
    case 'CreateStack':
    case 'UpdateStack': {
      // A literal TemplateURL must be the template object itself; one computed at run time must name
      // a version of it (update-tenants pins `<url>?versionId=<id>`). CloudFormation fetches
      // TemplateURL while serving the call, with the caller's credentials (the service role is used for
      // the stack's resources), so the caller reads that object: GetObject for the current version,
      // GetObjectVersion for a pinned one. Condition keys:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html
      const literal = task.parameters.TemplateURL;
      const computed = task.parameters['TemplateURL.$'];
      if (literal !== undefined && literal !== '${TemplateUrl}') return undefined;
      if (literal === undefined && computed === undefined) return undefined;
      const object = targets.templateBucket.arnForObjects(targets.templateObjectKey);
      const [templateCondition, readAction] =
        literal !== undefined
          ? [{ StringEquals: { 'cloudformation:TemplateUrl': targets.templateUrl, ...asServiceRole } }, 's3:GetObject']
          : [
              { StringLike: { 'cloudformation:TemplateUrl': `${targets.templateUrl}?versionId=*` }, StringEquals: asServiceRole },
              's3:GetObjectVersion',
            ];
      return [onStacks(iamAction, templateCondition), passRole, new iam.PolicyStatement({ actions: [readAction], resources: [object] })];
    }
    case 'DeleteStack':
      return [onStacks(iamAction, { StringEquals: asServiceRole }), passRole];
    case 'DescribeStacks':
    case 'DescribeStackEvents':
      return [onStacks(iamAction)];
    case 'DescribeAccountLimits':
      // An account-wide read with no resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html).
      return [new iam.PolicyStatement({ actions: ['cloudformation:DescribeAccountLimits'], resources: ['*'] })];
    default:
      return undefined;
  }
}

/**
 * HeadObject of the template object only: s3:GetObject, and s3:GetObjectVersion when a VersionId is
 * given (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 */
function s3Rule(iamAction: string, task: TaskState, targets: TaskTargets): iam.PolicyStatement[] | undefined {
  // update-tenant reads the TemplateVersion output from the pinned template version it updated the
  // stack to (bucket, key and version id taken from the TemplateURL): versions of the template object only.
  if (iamAction === 'GetObject' && task.parameters.Bucket === '${TemplateBucketName}' && task.parameters['VersionId.$'] !== undefined)
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersion'],
        resources: [targets.templateBucket.arnForObjects(targets.templateObjectKey)],
      }),
    ];
  if (iamAction !== 'HeadObject') return undefined;
  if (task.parameters.Bucket !== '${TemplateBucketName}' || task.parameters.Key !== '${TemplateObjectKey}') return undefined;
  const actions =
    task.parameters.VersionId === undefined && task.parameters['VersionId.$'] === undefined ? ['s3:GetObject'] : ['s3:GetObjectVersion'];
  return [new iam.PolicyStatement({ actions, resources: [targets.templateBucket.arnForObjects(targets.templateObjectKey)] })];
}

/** Whether a definition (parsed with placeholders) has a Map state in DISTRIBUTED mode, at any depth. */
export function hasDistributedMap(definition: unknown): boolean {
  if (Array.isArray(definition)) return definition.some(hasDistributedMap);
  if (typeof definition !== 'object' || definition === null) return false;
  const record = definition as Record<string, unknown>;
  const processor = record.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
  if (record.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') return true;
  return Object.values(record).some(hasDistributedMap);
}

/**
 * A Distributed Map starts its child executions as executions of the parent's own state machine
 * and follows and stops them (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html):
 * StartExecution on the state machine, DescribeExecution/StopExecution on its Map Run children
 * (`execution:<name>/<map run>:<id>`).
 */
export function distributedMapRule(scope: Construct, stateMachineName: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn(scope, stateMachineName)] }),
    new iam.PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [
        Stack.of(scope).formatArn({
          service: 'states',
          resource: 'execution',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          resourceName: `${stateMachineName}/*`,
        }),
      ],
    }),
  ];
}

/** `arn:...:states:<region>:<account>:execution:<name>/*`: the child executions of the state machine's Map Runs. */
export function mapRunExecutionArns(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    resourceName: `${name}/*`,
  });
}

/**
 * StartExecution, and for .sync the execution polling and the managed EventBridge rule Step
 * Functions uses to learn that the child finished.
 * https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html
 */
function startExecutionRule(scope: Construct, stateMachineName: string, pattern: string | undefined): iam.PolicyStatement[] | undefined {
  const start = new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn(scope, stateMachineName)] });
  if (pattern === undefined) return [start];
  if (pattern !== 'sync' && pattern !== 'sync:2') return undefined;
  return [
    start,
    new iam.PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [executionArns(scope, stateMachineName)],
    }),
    new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [syncEventRuleArn(scope)],
    }),
  ];
}

export function stateMachineArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    resourceName: name,
  });
}

/** `arn:...:states:<region>:<account>:execution:<name>:*` */
export function executionArns(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    resourceName: `${name}:*`,
  });
}

export function syncEventRuleArn(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
  });
}
