/**
 * Template parsing and evaluation of the local CloudFormation, without a server.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
 */
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { BehaviourController } from '../../local/cloudformation/behaviour';
import { evaluate, evaluateCondition, type EvaluationContext } from '../../local/cloudformation/intrinsics';
import { resolveParameters } from '../../local/cloudformation/parameters';
import { parseTemplate, requiredCapability } from '../../local/cloudformation/template';

const table = { Type: 'AWS::DynamoDB::Table', Properties: {} };

function formatError(body: unknown): string {
  try {
    parseTemplate(typeof body === 'string' ? body : JSON.stringify(body));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a template error');
}

function context(overrides: Partial<EvaluationContext> = {}, region = 'us-east-1'): EvaluationContext {
  const conditions: Record<string, unknown> = {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
    IsEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    ProdOrEu: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsEu' }] },
    NeitherProdNorEu: { 'Fn::Not': [{ Condition: 'ProdOrEu' }] },
    ProdAndEu: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'IsEu' }] },
  };
  const ctx: EvaluationContext = {
    pseudo: {
      stackName: 'tenant-acme',
      stackId: `arn:aws:cloudformation:${region}:123456789012:stack/tenant-acme/id`,
      region,
      accountId: '123456789012',
      notificationArns: [],
    },
    parameters: new Map<string, string | string[]>([
      ['Env', 'prod'],
      ['Zones', ['a', 'b', 'c']],
    ]),
    mappings: { Sizes: { prod: { Capacity: 10 } } },
    condition: (name) => evaluateCondition(conditions[name], ctx),
    isResource: (id) => id === 'Table',
    resourceRef: () => 'tenant-acme-data',
    resourceAttribute: (_id, attribute) =>
      attribute === 'Arn' ? 'arn:aws:dynamodb:us-east-1:123456789012:table/tenant-acme-data' : undefined,
    importValue: (name) => `imported:${name}`,
    ...overrides,
  };
  return ctx;
}

describe('parseTemplate', () => {
  test('structural errors read as CloudFormation reports them', () => {
    expect(formatError({ Resources: {} })).toBe('Template format error: At least one Resources member must be defined.');
    expect(formatError({ Resources: { A: { Type: 'AWS::IAM::Role', Properties: { Name: { Ref: 'Nope' } } } } })).toBe(
      'Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template',
    );
    expect(
      formatError({ Resources: { A: { ...table, DependsOn: 'B' }, B: { ...table, Properties: { X: { 'Fn::GetAtt': ['A', 'Arn'] } } } } }),
    ).toBe('Circular dependency between resources: [A, B]');
    expect(formatError('{ "Resources": ')).toMatch(/^Template format error: JSON not well-formed\./);
    expect(formatError({ Resources: { 'my-table': table } })).toBe('Template format error: Resource name my-table is non alphanumeric.');
  });

  test('dependencies come from DependsOn, Ref, Fn::GetAtt and Fn::Sub, never from parameters or pseudo parameters', () => {
    const template = parseTemplate(
      JSON.stringify({
        Parameters: { Name: { Type: 'String' } },
        Resources: {
          Table: table,
          Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': '${Name}-${AWS::Region}' } } },
          Policy: {
            Type: 'AWS::IAM::Policy',
            DependsOn: 'Role',
            Properties: { Doc: { 'Fn::Sub': '${Table.Arn}/*' }, Literal: { 'Fn::Sub': '${!NotARef}' } },
          },
          Other: {
            Type: 'AWS::IAM::Policy',
            Properties: { Roles: [{ Ref: 'Role' }], T: { 'Fn::Sub': ['${X}', { X: { Ref: 'Table' } }] } },
          },
        },
      }),
    );
    const deps = Object.fromEntries(template.resources.map((r) => [r.logicalId, [...r.dependencies].sort()]));
    expect(deps).toEqual({ Table: [], Role: [], Policy: ['Role', 'Table'], Other: ['Role', 'Table'] });
  });

  test('capabilities: named IAM resources need CAPABILITY_NAMED_IAM, unnamed ones CAPABILITY_IAM', () => {
    const withRole = (properties: Record<string, unknown>) =>
      parseTemplate(
        JSON.stringify({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, ...properties } } } }),
      );
    expect(requiredCapability(withRole({ RoleName: 'x' }))).toBe('CAPABILITY_NAMED_IAM');
    expect(requiredCapability(withRole({}))).toBe('CAPABILITY_IAM');
    expect(requiredCapability(parseTemplate(JSON.stringify({ Resources: { Table: table } })))).toBeUndefined();
  });
});

describe('intrinsic functions', () => {
  test('Ref, Fn::GetAtt, Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::ImportValue', () => {
    const ctx = context();
    expect(evaluate({ Ref: 'Table' }, ctx)).toBe('tenant-acme-data');
    expect(evaluate({ 'Fn::GetAtt': ['Table', 'Arn'] }, ctx)).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/tenant-acme-data');
    expect(evaluate({ 'Fn::Sub': '${AWS::StackName}:${Table.Arn}:${Env}:${!Literal}' }, ctx)).toBe(
      'tenant-acme:arn:aws:dynamodb:us-east-1:123456789012:table/tenant-acme-data:prod:${Literal}',
    );
    expect(evaluate({ 'Fn::Sub': ['${A}-${Env}', { A: { Ref: 'Table' } }] }, ctx)).toBe('tenant-acme-data-prod');
    expect(evaluate({ 'Fn::Join': ['+', { Ref: 'Zones' }] }, ctx)).toBe('a+b+c');
    expect(evaluate({ 'Fn::Select': ['1', { 'Fn::Split': ['-', 'x-y-z'] }] }, ctx)).toBe('y');
    expect(evaluate({ 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Capacity'] }, ctx)).toBe(10);
    expect(evaluate({ 'Fn::ImportValue': { 'Fn::Sub': '${Env}-vpc' } }, ctx)).toBe('imported:prod-vpc');
    expect(() => evaluate({ 'Fn::Select': [5, ['a']] }, ctx)).toThrow(
      'Template error: Fn::Select cannot select nonexistent value at index 5',
    );
  });

  test('conditions: Fn::Equals, Fn::And, Fn::Or, Fn::Not, Fn::If with AWS::NoValue removing the property', () => {
    const ctx = context();
    expect(['IsProd', 'IsEu', 'ProdOrEu', 'NeitherProdNorEu', 'ProdAndEu'].map((c) => ctx.condition(c))).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(
      evaluate(
        {
          Billing: { 'Fn::If': ['IsProd', 'PROVISIONED', 'PAY_PER_REQUEST'] },
          Throughput: { 'Fn::If': ['IsEu', { R: 1 }, { Ref: 'AWS::NoValue' }] },
          List: ['a', { Ref: 'AWS::NoValue' }],
        },
        ctx,
      ),
    ).toEqual({ Billing: 'PROVISIONED', List: ['a'] });
  });

  test('pseudo parameters follow the region: partition and URL suffix', () => {
    const sub = '${AWS::Partition}|${AWS::URLSuffix}|${AWS::Region}|${AWS::AccountId}|${AWS::StackId}';
    expect(evaluate({ 'Fn::Sub': sub }, context())).toBe(
      'aws|amazonaws.com|us-east-1|123456789012|arn:aws:cloudformation:us-east-1:123456789012:stack/tenant-acme/id',
    );
    expect(evaluate({ 'Fn::Sub': sub }, context({}, 'cn-north-1'))).toMatch(/^aws-cn\|amazonaws\.com\.cn\|cn-north-1\|/);
  });
});

describe('resolveParameters', () => {
  const template = parseTemplate(
    JSON.stringify({
      Parameters: {
        Secret: { Type: 'String', NoEcho: true },
        Tier: { Type: 'String', Default: 'basic', AllowedValues: ['basic', 'premium'] },
        Zones: { Type: 'CommaDelimitedList', AllowedPattern: '[a-z]' },
      },
      Resources: { Table: table },
    }),
  );

  test('defaults, NoEcho and UsePreviousValue', () => {
    const first = resolveParameters(
      template,
      [
        { key: 'Secret', value: 's3cret' },
        { key: 'Zones', value: 'a,b' },
      ],
      undefined,
    );
    expect(first).toEqual([
      { key: 'Secret', value: 's3cret', noEcho: true },
      { key: 'Tier', value: 'basic', noEcho: false },
      { key: 'Zones', value: 'a,b', noEcho: false },
    ]);
    const second = resolveParameters(
      template,
      [
        { key: 'Secret', usePreviousValue: true },
        { key: 'Zones', usePreviousValue: true },
        { key: 'Tier', value: 'premium' },
      ],
      first,
    );
    expect(second.map((p) => p.value)).toEqual(['s3cret', 'premium', 'a,b']);
  });

  test('each member of a list parameter must match the pattern', () => {
    expect(() =>
      resolveParameters(
        template,
        [
          { key: 'Secret', value: 'x' },
          { key: 'Zones', value: 'a,bb' },
        ],
        undefined,
      ),
    ).toThrow("Parameter 'Zones' must match pattern [a-z]");
    expect(() =>
      resolveParameters(
        template,
        [
          { key: 'Secret', value: 'x' },
          { key: 'Zones', value: 'a' },
          { key: 'Tier', value: 'gold' },
        ],
        undefined,
      ),
    ).toThrow("Parameter 'Tier' must be one of AllowedValues");
  });
});

describe('behaviour configuration', () => {
  test('bad settings name the field and the rule', () => {
    const timeline = new VirtualTimeline(0);
    expect(() => new BehaviourController(timeline, { stackRules: [{ duration: { min: 10, max: 5 } }] })).toThrow(
      'behaviour.stackRules[0].duration must be { min, max } with 0 <= min <= max (milliseconds), got {"min":10,"max":5}',
    );
    expect(() => new BehaviourController(timeline, { limits: { concurrentResources: 0 } })).toThrow(
      'behaviour.limits.concurrentResources must be a whole number >= 1, got 0',
    );
    const behaviour = new BehaviourController(timeline);
    expect(() => behaviour.throttle(-1)).toThrow('throttle calls must be a whole number >= 0, got -1');
    expect(() => behaviour.setDefaultDuration('update', -5)).toThrow(
      'default duration of update must be a number of milliseconds >= 0, got -5',
    );
  });

  test('rules match stack name globs and operations; counted rules are used up; the first rule setting a field wins', () => {
    const behaviour = new BehaviourController(new VirtualTimeline(0), {
      defaultDurations: { create: 1_000 },
      stackRules: [
        { stackName: 'tenant-*', operations: ['update'], failResource: 'DataTable', times: 1 },
        { stackName: 'tenant-*', duration: 5_000 },
      ],
    });
    expect(behaviour.forOperation('other', 'create').durationMs).toBe(1_000);
    expect(behaviour.forOperation('tenant-a', 'create')).toMatchObject({ durationMs: 5_000, failResource: undefined });
    expect(behaviour.forOperation('tenant-a', 'update')).toMatchObject({ durationMs: 5_000, failResource: 'DataTable' });
    expect(behaviour.forOperation('tenant-a', 'update').failResource).toBeUndefined();
  });
});
