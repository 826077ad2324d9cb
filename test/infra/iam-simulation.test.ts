import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { CFN_HANDLER_PERMISSIONS, stackOperationPermissions } from '../../infra/cfn-handler-permissions';
import {
  BOUNDED_ROLE_ACTIONS,
  TENANT_TEMPLATE_RESOURCE_TYPES,
  WITHHELD_HANDLER_PERMISSIONS,
} from '../../infra/constructs/tenant-stack-deployer-role';
import type { WorkflowName } from '../../statemachines/workflows';
import { synthesizeTenantTemplate } from '../../template/synth';
import { tenantStackName } from '../../template/naming';
import { ACCOUNT, DeployedTemplate, REGION, type Json } from './support/deployed-template';
import { Decision, decide } from './support/simulate';
import { SynthesizedApp, deployedDefinition, synthesizeApp } from './support/synthesized-app';

/**
 * The synthesized IAM policies, evaluated as AWS evaluates them (iam-simulate over the templates with
 * every intrinsic resolved for one account): each principal may do what it needs, and no more.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

const TENANT = 'acme';
let app: SynthesizedApp;
let tenant: DeployedTemplate;

beforeAll(() => {
  app = synthesizeApp();
  tenant = new DeployedTemplate(synthesizeTenantTemplate().template, {
    stackName: tenantStackName(TENANT),
    parameters: { TenantId: TENANT },
  });
});
afterAll(() => app.cleanup());

const tenantStackArn = (tenantId: string) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${tenantStackName(tenantId)}/0a1b2c3d-0000-4000-8000-000000000000`;

/** Every Task state of a (deployed) definition, nested ones included. */
function tasks(definition: Json): { name: string; resource: string; parameters: Json }[] {
  const found: { name: string; resource: string; parameters: Json }[] = [];
  const visit = (node: Json): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [name, state] of Object.entries<Json>(node.States ?? {})) {
      if (state.Type === 'Task') found.push({ name, resource: state.Resource, parameters: state.Parameters ?? {} });
    }
    Object.values(node).forEach(visit);
  };
  visit(definition);
  return found;
}
/** Every Task of the deployed workflow that calls `api` (a workflow may call one API from several states). */
const tasksCalling = (name: WorkflowName, api: string) => {
  const found = tasks(deployedDefinition(app.deployed, app.stateMachineId(name))).filter((task) => task.resource.endsWith(`:${api}`));
  if (found.length === 0) throw new Error(`${name}: no Task calling ${api}`);
  return found;
};
/** The one value every Task calling `api` passes as `parameter` (of the Tasks that pass it at all). */
const passedByEvery = (name: WorkflowName, api: string, parameter: string) => {
  const passing = tasksCalling(name, api).filter((task) => parameter in task.parameters);
  if (passing.length === 0) throw new Error(`${name}: no Task calling ${api} passes ${parameter}`);
  const values = new Set(passing.map((task) => JSON.stringify(task.parameters[parameter])));
  if (values.size !== 1) throw new Error(`${name}: the Tasks calling ${api} pass different ${parameter}: ${[...values].join(', ')}`);
  return JSON.parse([...values][0]);
};

const workflowRoleId = (name: WorkflowName) => app.deployed.resources[app.stateMachineId(name)].Properties.RoleArn['Fn::GetAtt'][0];
const asWorkflow = (name: WorkflowName, action: string, resource: string, context: Record<string, string> = {}): Promise<Decision> =>
  decide({
    principal: app.deployed.arn(workflowRoleId(name)),
    action,
    resource,
    context,
    identityPolicies: app.deployed.identityPoliciesOfRole(workflowRoleId(name)),
  });

describe('workflow roles: stack operations only with the template object and the service role', () => {
  let serviceRoleArn: string;
  let currentTemplateUrl: string;
  let pinnedTemplateUrl: string;
  let templateObjectArn: string;

  beforeAll(() => {
    serviceRoleArn = app.deployed.arn(app.logicalId(app.stack.deployerRole.role));
    // What the deployed workflows pass: create-tenant names the current object (no release recorded)
    // or LATEST's pinned version (TemplateURL.$), update-tenants pins a version for update-tenant with
    // the JSONata '<url>?versionId=' & $versionId.
    currentTemplateUrl = passedByEvery('createTenant', 'createStack', 'TemplateURL');
    expect(passedByEvery('createTenant', 'createStack', 'TemplateURL.$')).toBe('$.release.templateUrl');
    const pinning = JSON.stringify(deployedDefinition(app.deployed, app.stateMachineId('updateTenants'))).match(
      /'([^']*\?versionId=)' & \$versionId/,
    );
    if (!pinning) throw new Error('update-tenants: no JSONata expression pinning the template version');
    pinnedTemplateUrl = `${pinning[1]}3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY`;
    templateObjectArn = `${app.deployed.getAtt(app.logicalId(app.stack.templateStore.bucket), 'Arn')}/${app.stack.templateStore.objectKey}`;
  });

  test('create-tenant passes the template object URL and the service role, and they are what its role allows', async () => {
    // The cell's deployer role (the home cell's is serviceRoleArn), read at run time; the call is made as it (Credentials).
    expect(passedByEvery('createTenant', 'createStack', 'RoleARN.$')).toMatch(/cell/);
    expect(currentTemplateUrl).toMatch(/^https:\/\/.+\.s3\.us-east-1\.amazonaws\.com\/tenant-template\/tenant\.template\.json$/);
    const context = { 'cloudformation:TemplateUrl': currentTemplateUrl, 'cloudformation:RoleArn': serviceRoleArn };
    await expect(asWorkflow('createTenant', 'cloudformation:CreateStack', tenantStackArn(TENANT), context)).resolves.toBe('Allowed');
    await expect(asWorkflow('createTenant', 'cloudformation:DescribeStacks', tenantStackArn(TENANT))).resolves.toBe('Allowed');
  });

  test.each([
    ['another template', { 'cloudformation:TemplateUrl': 'https://attacker.s3.amazonaws.com/admin.json' }],
    ['a version of another object', { 'cloudformation:TemplateUrl': 'https://attacker.s3.amazonaws.com/admin.json?versionId=1' }],
    ['another role', { 'cloudformation:RoleArn': `arn:aws:iam::${ACCOUNT}:role/admin` }],
    ['no role (CloudFormation would act with the caller’s own credentials)', { 'cloudformation:RoleArn': undefined }],
  ])('create-tenant: CreateStack with %s is denied', async (_label, override) => {
    const context: Record<string, string> = { 'cloudformation:TemplateUrl': currentTemplateUrl, 'cloudformation:RoleArn': serviceRoleArn };
    for (const [key, value] of Object.entries(override)) {
      if (value === undefined) delete context[key];
      else context[key] = value === 'PINNED' ? pinnedTemplateUrl : value;
    }
    await expect(asWorkflow('createTenant', 'cloudformation:CreateStack', tenantStackArn(TENANT), context)).resolves.not.toBe('Allowed');
  });

  // LATEST's templateUrl (docs/rollouts.md) names a version of the template object.
  test('create-tenant: CreateStack with a version of the template (the latest release) and the service role is allowed', async () => {
    const context = { 'cloudformation:TemplateUrl': pinnedTemplateUrl, 'cloudformation:RoleArn': serviceRoleArn };
    await expect(asWorkflow('createTenant', 'cloudformation:CreateStack', tenantStackArn(TENANT), context)).resolves.toBe('Allowed');
    const noRole = { 'cloudformation:TemplateUrl': pinnedTemplateUrl };
    await expect(asWorkflow('createTenant', 'cloudformation:CreateStack', tenantStackArn(TENANT), noRole)).resolves.not.toBe('Allowed');
  });

  test('create-tenant: a stack outside the tenant prefix, and operations it never performs, are denied', async () => {
    const context = { 'cloudformation:TemplateUrl': currentTemplateUrl, 'cloudformation:RoleArn': serviceRoleArn };
    const other = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/TenantManagementStack/0a1b2c3d-0000-4000-8000-000000000000`;
    await expect(asWorkflow('createTenant', 'cloudformation:CreateStack', other, context)).resolves.not.toBe('Allowed');
    await expect(asWorkflow('createTenant', 'cloudformation:UpdateStack', tenantStackArn(TENANT), context)).resolves.not.toBe('Allowed');
  });

  test('create-tenant: DeleteStack (a rolled-back stack before re-creating it, or its own stack when the tenant was deleted meanwhile) only with the service role', async () => {
    // The cell's deployer role (the home cell's is serviceRoleArn), read at run time; the call is made as it (Credentials).
    expect(passedByEvery('createTenant', 'deleteStack', 'RoleARN.$')).toMatch(/cell/);
    const remove = (context: Record<string, string>) =>
      asWorkflow('createTenant', 'cloudformation:DeleteStack', tenantStackArn(TENANT), context);
    await expect(remove({ 'cloudformation:RoleArn': serviceRoleArn })).resolves.toBe('Allowed');
    await expect(remove({})).resolves.not.toBe('Allowed');
  });

  test('update-tenant: UpdateStack with a pinned version and the service role is allowed; the unpinned URL or another role is not', async () => {
    // The cell's deployer role (the home cell's is serviceRoleArn), read at run time; the call is made as it (Credentials).
    expect(passedByEvery('updateTenant', 'updateStack', 'RoleARN.$')).toMatch(/cell/);
    const update = (context: Record<string, string>) =>
      asWorkflow('updateTenant', 'cloudformation:UpdateStack', tenantStackArn(TENANT), context);
    await expect(update({ 'cloudformation:TemplateUrl': pinnedTemplateUrl, 'cloudformation:RoleArn': serviceRoleArn })).resolves.toBe(
      'Allowed',
    );
    await expect(update({ 'cloudformation:TemplateUrl': currentTemplateUrl, 'cloudformation:RoleArn': serviceRoleArn })).resolves.not.toBe(
      'Allowed',
    );
    await expect(
      update({
        'cloudformation:TemplateUrl': 'https://attacker.s3.amazonaws.com/x.json?versionId=1',
        'cloudformation:RoleArn': serviceRoleArn,
      }),
    ).resolves.not.toBe('Allowed');
    await expect(update({ 'cloudformation:TemplateUrl': pinnedTemplateUrl })).resolves.not.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 'cloudformation:CreateStack', tenantStackArn(TENANT))).resolves.not.toBe('Allowed');
  });

  test('delete-tenant: DeleteStack only with the service role', async () => {
    // The cell's deployer role (the home cell's is serviceRoleArn), read at run time; the call is made as it (Credentials).
    expect(passedByEvery('deleteTenant', 'deleteStack', 'RoleARN.$')).toMatch(/cell/);
    const remove = (context: Record<string, string>) =>
      asWorkflow('deleteTenant', 'cloudformation:DeleteStack', tenantStackArn(TENANT), context);
    await expect(remove({ 'cloudformation:RoleArn': serviceRoleArn })).resolves.toBe('Allowed');
    await expect(remove({})).resolves.not.toBe('Allowed');
    await expect(asWorkflow('deleteTenant', 'cloudformation:CreateStack', tenantStackArn(TENANT))).resolves.not.toBe('Allowed');
  });

  test('callers of stack operations may pass the service role to CloudFormation only, and no other role', async () => {
    for (const name of ['createTenant', 'updateTenant', 'deleteTenant'] as const) {
      await expect(
        asWorkflow(name, 'iam:PassRole', serviceRoleArn, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
      ).resolves.toBe('Allowed');
      await expect(asWorkflow(name, 'iam:PassRole', serviceRoleArn, { 'iam:PassedToService': 'lambda.amazonaws.com' })).resolves.not.toBe(
        'Allowed',
      );
      await expect(
        asWorkflow(name, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/admin`, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
      ).resolves.not.toBe('Allowed');
    }
    await expect(
      asWorkflow('updateTenants', 'iam:PassRole', serviceRoleArn, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    ).resolves.not.toBe('Allowed');
  });

  test('S3: each workflow reads the template the way its TemplateURL names it, and nothing else', async () => {
    // create-tenant names either the current object or a pinned version of it.
    await expect(asWorkflow('createTenant', 's3:GetObject', templateObjectArn)).resolves.toBe('Allowed');
    await expect(asWorkflow('createTenant', 's3:GetObjectVersion', templateObjectArn)).resolves.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 's3:GetObjectVersion', templateObjectArn)).resolves.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 's3:GetObject', templateObjectArn)).resolves.not.toBe('Allowed');
    // update-tenants reads the release number from the version in its event (HeadObject with VersionId).
    await expect(asWorkflow('updateTenants', 's3:GetObjectVersion', templateObjectArn)).resolves.toBe('Allowed');
    await expect(asWorkflow('updateTenants', 's3:GetObject', templateObjectArn)).resolves.not.toBe('Allowed');
    for (const name of ['createTenant', 'updateTenant', 'deleteTenant', 'updateTenants'] as const) {
      await expect(asWorkflow(name, 's3:PutObject', templateObjectArn)).resolves.not.toBe('Allowed');
      await expect(asWorkflow(name, 's3:GetObject', `${templateObjectArn}.other`)).resolves.not.toBe('Allowed');
    }
    await expect(asWorkflow('deleteTenant', 's3:GetObject', templateObjectArn)).resolves.not.toBe('Allowed');
    await expect(asWorkflow('deleteTenant', 's3:GetObjectVersion', templateObjectArn)).resolves.not.toBe('Allowed');
  });
});

describe('the tenant template matches the service role and the boundary', () => {
  test('its resource types are exactly those whose handler permissions the service role holds', () => {
    const types = new Set(Object.values<Json>(tenant.resources).map((resource) => resource.Type));
    expect([...types].sort()).toEqual([...TENANT_TEMPLATE_RESOURCE_TYPES].sort());
    for (const type of types) expect(CFN_HANDLER_PERMISSIONS[type]).toBeDefined();
  });

  test('it sets none of the optional properties whose handler permissions are withheld', () => {
    for (const id of tenant.idsOfType('AWS::DynamoDB::Table')) {
      const properties = tenant.resources[id].Properties;
      for (const property of ['ImportSourceSpecification', 'KinesisStreamSpecification', 'ResourcePolicy']) {
        expect(properties[property]).toBeUndefined();
      }
      expect(properties.SSESpecification?.KMSMasterKeyId).toBeUndefined();
      expect(properties.SSESpecification?.SSEType).toBeUndefined();
    }
    for (const id of tenant.idsOfType('AWS::IAM::Policy')) {
      expect(tenant.resources[id].Properties.Users).toBeUndefined();
      expect(tenant.resources[id].Properties.Groups).toBeUndefined();
    }
  });

  test('every role it creates carries the boundary the management stack defines (same ARN once deployed)', () => {
    const boundaryArn = app.deployed.ref(app.logicalId(app.stack.appRoleBoundary.policy));
    const roles = tenant.idsOfType('AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const id of roles) expect(tenant.resolve(tenant.resources[id].Properties.PermissionsBoundary)).toBe(boundaryArn);
  });
});

describe('CloudFormation service role: what the resource handlers need, on the tenant’s resources only', () => {
  let serviceRole: { principal: string; identityPolicies: { name: string; policy: unknown }[] };
  let tableArn: string;
  let roleArn: string;
  let boundaryArn: string;

  beforeAll(() => {
    const roleId = app.logicalId(app.stack.deployerRole.role);
    serviceRole = { principal: app.deployed.arn(roleId), identityPolicies: app.deployed.identityPoliciesOfRole(roleId) };
    tableArn = tenant.arn('DataTable');
    roleArn = tenant.arn('AppRole');
    boundaryArn = tenant.resolve(tenant.resources.AppRole.Properties.PermissionsBoundary);
  });

  const asServiceRole = (action: string, resource: string, context: Record<string, string> = {}) =>
    decide({ ...serviceRole, action, resource, context });

  test('the workflows’ reads made as this role (Credentials): DescribeStacks and DescribeStackEvents on tenant stacks only, DescribeAccountLimits', async () => {
    for (const action of ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents']) {
      await expect(asServiceRole(action, tenantStackArn(TENANT))).resolves.toBe('Allowed');
      await expect(asServiceRole(action, `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/TenantManagementStack/1`)).resolves.not.toBe(
        'Allowed',
      );
    }
    // The rollout reads each cell's ConcurrentResourcesLimit as this role.
    await expect(asServiceRole('cloudformation:DescribeAccountLimits', '*')).resolves.toBe('Allowed');
  });

  /** A resource of the kind the action acts on (https://docs.aws.amazon.com/service-authorization/latest/reference/). */
  async function sampleResource(action: string): Promise<string> {
    const [service, name] = action.split(':');
    if (await isWildcardOnlyAction(service, name)) return '*';
    if (action === 'dynamodb:DescribeImport') return `${tableArn}/import/01700000000000-a1b2c3d4`;
    if (service === 'dynamodb') return tableArn;
    if (action === 'iam:CreateServiceLinkedRole')
      return `arn:aws:iam::${ACCOUNT}:role/aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication`;
    if (service === 'iam' && /User/.test(name)) return `arn:aws:iam::${ACCOUNT}:user/${TENANT}`;
    if (service === 'iam' && /Group/.test(name)) return `arn:aws:iam::${ACCOUNT}:group/${TENANT}`;
    if (service === 'iam') return roleArn;
    if (service === 'kms') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    if (action === 'logs:CreateLogStream' || action === 'logs:PutLogEvents')
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-dynamodb/imports:log-stream:import-1`;
    if (service === 'logs') return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-dynamodb/imports:*`;
    if (service === 'kinesis') return `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${TENANT}-changes`;
    if (action === 's3:ListBucket') return 'arn:aws:s3:::import-source';
    if (service === 's3') return 'arn:aws:s3:::import-source/data.csv';
    throw new Error(`no sample resource for ${action}`);
  }

  const needed = () =>
    [...new Set(TENANT_TEMPLATE_RESOURCE_TYPES.flatMap(stackOperationPermissions))].filter(
      (action) => !(action in WITHHELD_HANDLER_PERMISSIONS),
    );

  test('allows every handler permission of the template’s types that is not withheld, on the tenant’s table and role', async () => {
    const allowed: string[] = [];
    for (const action of needed()) {
      const context: Record<string, string> = BOUNDED_ROLE_ACTIONS.includes(action) ? { 'iam:PermissionsBoundary': boundaryArn } : {};
      if ((await asServiceRole(action, await sampleResource(action), context)) === 'Allowed') allowed.push(action);
    }
    expect(allowed.sort()).toEqual(needed().sort());
    // The create rollback of RetainExceptOnCreate deletes the table, so DeleteTable is among them.
    expect(allowed).toContain('dynamodb:DeleteTable');
  });

  test('denies every withheld handler permission (an action IAM does not know cannot be granted and is only checked absent)', async () => {
    const grantedText = JSON.stringify(serviceRole.identityPolicies);
    for (const action of Object.keys(WITHHELD_HANDLER_PERMISSIONS)) {
      const [service] = action.split(':');
      let decision: Decision | 'unknown action';
      try {
        decision = await asServiceRole(action, await sampleResource(action), { 'iam:PermissionsBoundary': boundaryArn });
      } catch (error) {
        if (!/not a valid action|invalid action|does not exist|Invalid action/i.test(String(error))) throw error;
        decision = 'unknown action';
        expect(grantedText).not.toContain(`"${action}"`);
        expect(grantedText).not.toContain(`"${service}:*"`);
      }
      expect([action, decision]).not.toEqual([action, 'Allowed']);
    }
  });

  test('creates or empowers a tenant app role only with the tenant app boundary', async () => {
    for (const action of BOUNDED_ROLE_ACTIONS) {
      await expect(asServiceRole(action, roleArn, { 'iam:PermissionsBoundary': boundaryArn })).resolves.toBe('Allowed');
      await expect(asServiceRole(action, roleArn)).resolves.not.toBe('Allowed');
      await expect(
        asServiceRole(action, roleArn, { 'iam:PermissionsBoundary': `arn:aws:iam::aws:policy/AdministratorAccess` }),
      ).resolves.not.toBe('Allowed');
    }
  });

  test('reaches no other table or role, and nothing beyond the tenant template’s types', async () => {
    const otherTable = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${app.deployed.physicalName(app.logicalId(app.stack.tenantTable.table))}`;
    for (const action of ['dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:UpdateTable', 'dynamodb:GetItem']) {
      await expect(asServiceRole(action, otherTable)).resolves.not.toBe('Allowed');
    }
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRole', 'iam:TagRole']) {
      await expect(
        asServiceRole(action, `arn:aws:iam::${ACCOUNT}:role/TenantManagementStack-admin`, { 'iam:PermissionsBoundary': boundaryArn }),
      ).resolves.not.toBe('Allowed');
    }
    await expect(asServiceRole('iam:PassRole', roleArn)).resolves.not.toBe('Allowed');
    await expect(asServiceRole('s3:GetObject', 'arn:aws:s3:::any-bucket/any-key')).resolves.not.toBe('Allowed');
    await expect(asServiceRole('lambda:CreateFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tenant-acme-app`)).resolves.not.toBe(
      'Allowed',
    );
  });
});

describe('tenant app role: capped by the boundary whatever its own policies say', () => {
  let boundary: unknown;
  let roleArn: string;
  beforeAll(() => {
    boundary = app.deployed.managedPolicyByArn(tenant.resolve(tenant.resources.AppRole.Properties.PermissionsBoundary))!.policy;
    roleArn = tenant.arn('AppRole');
  });

  test('with the template’s own policy it reads and writes its tenant’s table, and not another tenant’s', async () => {
    const own = tenant.identityPoliciesOfRole('AppRole');
    const asApp = (action: string, resource: string) =>
      decide({ principal: roleArn, action, resource, identityPolicies: own, permissionsBoundary: boundary });
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']) {
      await expect(asApp(action, tenant.arn('DataTable'))).resolves.toBe('Allowed');
    }
    await expect(asApp('dynamodb:GetItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/tenant-other-data`)).resolves.not.toBe('Allowed');
  });

  test('an inline policy allowing everything (what the service role could write) still reaches only tenant data items', async () => {
    const everything = [
      { name: 'Everything', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
    ];
    const asApp = (action: string, resource: string) =>
      decide({ principal: roleArn, action, resource, identityPolicies: everything, permissionsBoundary: boundary });
    await expect(asApp('dynamodb:GetItem', tenant.arn('DataTable'))).resolves.toBe('Allowed');
    await expect(asApp('dynamodb:DeleteTable', tenant.arn('DataTable'))).resolves.not.toBe('Allowed');
    await expect(asApp('dynamodb:GetItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/TenantManagementStack-Tenants`)).resolves.not.toBe(
      'Allowed',
    );
    await expect(asApp('iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/escalate`)).resolves.not.toBe('Allowed');
    await expect(asApp('s3:GetObject', 'arn:aws:s3:::any-bucket/any-key')).resolves.not.toBe('Allowed');
  });
});

describe('workflow roles: the stack-event wait of update-tenant and the stack-events relay', () => {
  const tableArn = (table: { table: import('aws-cdk-lib/aws-dynamodb').Table }) => app.deployed.getAtt(app.logicalId(table.table), 'Arn');

  test('update-tenant registers its waiter, reads the rollout item, counts and halts there, writes the tenant record', async () => {
    const waiters = tableArn(app.stack.stackWaiterTable);
    const releases = tableArn(app.stack.releaseTable);
    const tenants = tableArn(app.stack.tenantTable);
    await expect(asWorkflow('updateTenant', 'dynamodb:PutItem', waiters)).resolves.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 'dynamodb:GetItem', releases)).resolves.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 'dynamodb:UpdateItem', releases)).resolves.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 'dynamodb:UpdateItem', tenants)).resolves.toBe('Allowed');
    // What it never does: delete waiters (the relay does), write releases whole, wake tasks.
    await expect(asWorkflow('updateTenant', 'dynamodb:DeleteItem', waiters)).resolves.not.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 'dynamodb:PutItem', releases)).resolves.not.toBe('Allowed');
    await expect(asWorkflow('updateTenant', 'states:SendTaskSuccess', '*')).resolves.not.toBe('Allowed');
  });

  test('the relay records arrivals, removes answered waiters and sends task successes, and touches nothing else', async () => {
    const waiters = tableArn(app.stack.stackWaiterTable);
    await expect(asWorkflow('stackEvents', 'dynamodb:UpdateItem', waiters)).resolves.toBe('Allowed');
    await expect(asWorkflow('stackEvents', 'dynamodb:DeleteItem', waiters)).resolves.toBe('Allowed');
    // SendTaskSuccess has no resource type: "*" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html).
    await expect(isWildcardOnlyAction('states', 'SendTaskSuccess')).resolves.toBe(true);
    await expect(asWorkflow('stackEvents', 'states:SendTaskSuccess', '*')).resolves.toBe('Allowed');
    await expect(asWorkflow('stackEvents', 'states:SendTaskFailure', '*')).resolves.not.toBe('Allowed');
    await expect(asWorkflow('stackEvents', 'dynamodb:UpdateItem', tableArn(app.stack.tenantTable))).resolves.not.toBe('Allowed');
    await expect(asWorkflow('stackEvents', 'cloudformation:DescribeStacks', tenantStackArn(TENANT))).resolves.not.toBe('Allowed');
  });
});
