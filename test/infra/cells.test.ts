/**
 * Tenant cells in the synthesized templates: the cells' validation at synthesis, the workflow roles'
 * sts:AssumeRole on the cell roles, the management side of cross-account cells (template reads, bus
 * policy, the stack-events rule), and the per-cell stack (deployer role, boundary, forwarding rule).
 * docs/rollouts.md "Cells".
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantCellStack } from '../../infra/cell-stack';
import { CELL_DEPLOYER_ROLE_NAME, cellsFromEnvironment, validateCells, type TenantCell } from '../../infra/config';
import { TenantManagementStack } from '../../infra/tenant-management-stack';
import { TENANT_APP_BOUNDARY_POLICY_NAME } from '../../template/naming';
import { testApp } from '../support/cdk-app';

const MANAGEMENT = '111111111111';
const REGION = 'eu-west-1';
const OTHER: TenantCell = { name: 'eu-2', accountId: '222222222222', region: REGION };
const OTHER_ROLE = `arn:aws:iam::222222222222:role/${CELL_DEPLOYER_ROLE_NAME}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const statementsOf = (template: Template): Json[] =>
  Object.values(template.toJSON().Resources as Record<string, Json>)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .flatMap((resource) => resource.Properties.PolicyDocument.Statement);
const actions = (statement: Json): string[] => [statement.Action].flat();

describe('cells at synthesis', () => {
  test.each([
    [{ ...OTHER, name: 'Bad_Name' }, 'cells[0].name must be 1-32 characters'],
    [{ ...OTHER, accountId: '12345' }, 'cells[0].accountId must be 12 digits, got "12345"'],
    [{ ...OTHER, region: 'europe' }, 'cells[0].region must be a region name like us-east-1, got "europe"'],
    [{ ...OTHER, roleArn: 'arn:aws:iam::333333333333:role/x' }, "cells[0].roleArn must be a role of the cell's account 222222222222"],
    [{ ...OTHER, roleArn: 'not-an-arn' }, 'cells[0].roleArn must be an IAM role ARN'],
  ])('%j is refused: %s', (cell, message) => {
    expect(() => validateCells([cell as TenantCell])).toThrow(message);
  });

  test('names and accounts are unique; every cell is in the management region', () => {
    expect(() => validateCells([OTHER, { ...OTHER, accountId: '333333333333' }])).toThrow(
      "cells[1].name must be unique, 'eu-2' is used twice",
    );
    expect(() => validateCells([OTHER, { ...OTHER, name: 'eu-3' }])).toThrow('cells[1].accountId must be unique');
    expect(() => validateCells([OTHER], 'us-east-1')).toThrow('cells[0].region must be the management region us-east-1');
    expect(validateCells([OTHER], REGION)).toEqual([{ ...OTHER, roleArn: OTHER_ROLE, open: true }]);
  });

  test('the home cell cannot be listed again, and some cell must be open', () => {
    const stack = (props: ConstructorParameters<typeof TenantManagementStack>[2]) => () =>
      new TenantManagementStack(testApp(), 'M', { env: { account: MANAGEMENT, region: REGION }, ...props });
    expect(stack({ cells: [{ ...OTHER, accountId: MANAGEMENT }] })).toThrow('is the home cell');
    expect(stack({ cells: [{ ...OTHER, name: 'home' }] })).toThrow('is the home cell');
    expect(stack({ homeCellOpen: false })).toThrow('at least one cell');
  });

  test('TENANT_CELLS must be a JSON list', () => {
    expect(cellsFromEnvironment(undefined)).toBeUndefined();
    expect(cellsFromEnvironment(JSON.stringify([OTHER]))).toEqual([OTHER]);
    expect(() => cellsFromEnvironment('{')).toThrow('TENANT_CELLS must be a JSON list');
    expect(() => cellsFromEnvironment('{}')).toThrow('TENANT_CELLS must be a JSON list');
  });
});

describe('the management stack with a second cell', () => {
  let stack: TenantManagementStack;
  let template: Template;
  beforeAll(() => {
    stack = new TenantManagementStack(testApp(), 'M', { env: { account: MANAGEMENT, region: REGION }, cells: [OTHER] });
    template = Template.fromStack(stack);
  });

  test('the workflows that call CloudFormation may assume the home and the other cell deployer roles, and only those', () => {
    const assume = statementsOf(template).filter((statement) => actions(statement).includes('sts:AssumeRole'));
    expect(assume.length).toBeGreaterThan(0);
    const homeRole = stack.resolve(stack.deployerRole.role.roleArn);
    for (const statement of assume) {
      expect(actions(statement)).toEqual(['sts:AssumeRole']);
      expect(statement.Resource).toEqual([homeRole, OTHER_ROLE]);
    }
    // Every workflow role that calls CloudFormation has it (create, delete, update-tenant).
    for (const name of ['createTenant', 'deleteTenant', 'updateTenant'] as const) {
      const roleId = stack.getLogicalId(stack.workflows[name].stateMachine.role.node.defaultChild as never);
      const own = Object.values(template.toJSON().Resources as Record<string, Json>).filter(
        (resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: Json) => role.Ref === roleId),
      );
      expect([
        name,
        own.flatMap((policy) => policy.Properties.PolicyDocument.Statement).some((s: Json) => actions(s).includes('sts:AssumeRole')),
      ]).toEqual([name, true]);
    }
  });

  test('the cells are handed to the workflows, the home cell first', () => {
    const substitutions = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map(
      (machine: Json) => machine.Properties.DefinitionSubstitutions.TenantCells,
    );
    const withCells = substitutions.filter((value) => value !== undefined);
    // create-tenant and delete-tenant read the cells; update-tenant too, for a record from before cells (the home cell);
    // update-tenants reads every cell's account limits.
    expect(withCells).toHaveLength(4);
    const text = JSON.stringify(withCells[0]);
    expect(text.indexOf('home')).toBeLessThan(text.indexOf('eu-2'));
    expect(text).toContain(OTHER_ROLE);
  });

  test('the other cell deployer role may read the template object, and its account may put CloudFormation events on the default bus', () => {
    const busPolicy = JSON.stringify(Object.values(template.findResources('AWS::Events::EventBusPolicy')));
    expect(busPolicy).toContain(':iam::222222222222:root');
    const bucketPolicies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Json[];
    const cellRead = bucketPolicies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .find((statement: Json) => statement.Sid === 'CellDeployersReadTheTemplate');
    expect(cellRead).toMatchObject({ Effect: 'Allow', Principal: { AWS: OTHER_ROLE }, Action: ['s3:GetObject', 's3:GetObjectVersion'] });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'events:source': 'aws.cloudformation' } },
      }),
    });
  });

  test("the stack-update rule accepts the tenant stacks of both cells' accounts", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Json[];
    const stackRule = rules.find((rule) =>
      JSON.stringify(rule.Properties.EventPattern ?? {}).includes('CloudFormation Stack Status Change'),
    );
    const prefixes = JSON.stringify(stackRule.Properties.EventPattern.detail['stack-id']);
    expect(prefixes).toContain(`:${MANAGEMENT}:stack/tenant-`);
    expect(prefixes).toContain(':222222222222:stack/tenant-');
  });
});

describe('the cell stack', () => {
  let stack: TenantCellStack;
  let template: Template;
  const templateObjectArn = 'arn:aws:s3:::tenant-templates-bucket/tenant-template/tenant.template.json';
  beforeAll(() => {
    const app = testApp();
    stack = new TenantCellStack(app, 'Cell', {
      env: { account: OTHER.accountId, region: REGION },
      managementAccount: MANAGEMENT,
      templateObjectArn,
    });
    template = Template.fromStack(stack);
  });

  test('AwsSolutions reports no unacknowledged findings', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  test('the deployer role has its fixed name, trusts CloudFormation and the management account, and has the boundary to give tenant roles', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: CELL_DEPLOYER_ROLE_NAME,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } }),
          Match.objectLike({ Principal: { AWS: Match.anyValue() } }),
        ],
      },
    });
    expect(JSON.stringify(template.toJSON())).toContain(`arn:`);
    const trust = JSON.stringify(Object.values(template.findResources('AWS::IAM::Role'))[0]);
    expect(trust).toContain(`:iam::${MANAGEMENT}:root`);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: TENANT_APP_BOUNDARY_POLICY_NAME });
  });

  test('as the caller it may run tenant stack operations only as itself, read the template object and pass only itself to CloudFormation', () => {
    const statements = statementsOf(template);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(actions(bySid.TenantStackOperations).sort()).toEqual([
      'cloudformation:CreateStack',
      'cloudformation:DeleteStack',
      'cloudformation:UpdateStack',
    ]);
    expect(JSON.stringify(bySid.TenantStackOperations.Resource)).toContain(':stack/tenant-*/*');
    expect(Object.keys(bySid.TenantStackOperations.Condition.StringEquals)).toEqual(['cloudformation:RoleArn']);
    expect(bySid.ReadTenantTemplate).toMatchObject({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: templateObjectArn });
    expect(bySid.PassItselfToCloudFormation.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    expect(statements.flatMap(actions).filter((action) => action.endsWith('*'))).toEqual([]);
  });

  test("forwards this account's tenant stack status changes to the management account's default bus", () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as Json;
    expect(rule.Properties.EventPattern).toMatchObject({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
    });
    expect(JSON.stringify(rule.Properties.EventPattern.detail)).toContain(':222222222222:stack/tenant-');
    expect(JSON.stringify(rule.Properties.Targets)).toContain(`:events:${REGION}:${MANAGEMENT}:event-bus/default`);
  });

  test('is environment-specific: the cell account and region are concrete', () => {
    expect(Stack.of(stack).account).toBe(OTHER.accountId);
  });
});
