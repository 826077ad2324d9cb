/**
 * The deployer's template resolver, on the intrinsic functions as CloudFormation documents them:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
import { creationOrder } from '../../local/deploy';
import { pseudoParameterValues, referencedLogicalIds, resolveValue, type ResolveContext } from '../../local/deploy/resolve';
import { generatedName } from '../../local/deploy/resource-types';

const pseudo = pseudoParameterValues({ region: 'eu-west-1', accountId: '111122223333', stackName: 'S', stackId: 'arn:stack/S/1' });
const context: ResolveContext = {
  ref: (name) => pseudo[name] ?? ({ Bucket: 'my-bucket', Param: 'p-value' } as Record<string, string>)[name] ?? fail(`unknown ${name}`),
  getAtt: (id, attr) => (id === 'Bucket' && attr === 'Arn' ? 'arn:aws:s3:::my-bucket' : fail(`unknown ${id}.${attr}`)),
  condition: (name) => name === 'Yes',
};
function fail(message: string): never {
  throw new Error(message);
}

describe('resolveValue', () => {
  test('Ref of resources, parameters and pseudo parameters; AWS::NoValue removes the property', () => {
    expect(
      resolveValue({ a: { Ref: 'Bucket' }, b: { Ref: 'Param' }, c: { Ref: 'AWS::Region' }, d: { Ref: 'AWS::NoValue' } }, context),
    ).toEqual({
      a: 'my-bucket',
      b: 'p-value',
      c: 'eu-west-1',
    });
  });

  test('Fn::GetAtt in both forms, Fn::Join over resolved parts', () => {
    expect(resolveValue({ 'Fn::GetAtt': ['Bucket', 'Arn'] }, context)).toBe('arn:aws:s3:::my-bucket');
    expect(resolveValue({ 'Fn::GetAtt': 'Bucket.Arn' }, context)).toBe('arn:aws:s3:::my-bucket');
    expect(resolveValue({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x:', { Ref: 'AWS::AccountId' }]] }, context)).toBe(
      'arn:aws:x:111122223333',
    );
  });

  test('Fn::Sub: variables, ${Ref}, ${Id.Attr}, pseudo parameters and ${!Literal}', () => {
    expect(resolveValue({ 'Fn::Sub': '${Bucket}/${Bucket.Arn}/${AWS::Region}/${!Literal}' }, context)).toBe(
      'my-bucket/arn:aws:s3:::my-bucket/eu-west-1/${Literal}',
    );
    expect(resolveValue({ 'Fn::Sub': ['x-${Var}', { Var: { Ref: 'Param' } }] }, context)).toBe('x-p-value');
  });

  test('Fn::Select, Fn::Split, Fn::If and conditions', () => {
    expect(resolveValue({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, context)).toBe('b');
    expect(resolveValue({ 'Fn::If': ['Yes', 'then', 'else'] }, context)).toBe('then');
    expect(resolveValue({ 'Fn::If': ['No', 'then', { Ref: 'AWS::NoValue' }] }, context)).toBeUndefined();
    expect(resolveValue({ 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Not': [{ 'Fn::Equals': [1, 2] }] }] }, context)).toBe(true);
  });

  test('an unsupported function or a malformed argument names the place in the template', () => {
    expect(() => resolveValue({ x: { 'Fn::ImportValue': 'Other' } }, context, 'Resources.R.Properties')).toThrow(
      'Resources.R.Properties.x.Fn::ImportValue: Fn::ImportValue is not supported by the local deployer',
    );
    expect(() => resolveValue({ 'Fn::Join': ['-', 'not-a-list'] }, context, 'P')).toThrow(
      'P.Fn::Join: Fn::Join: the second element must resolve to a list',
    );
  });
});

describe('dependencies', () => {
  test('Ref, GetAtt, Sub placeholders (not its variables or pseudo parameters) are dependencies', () => {
    const refs = referencedLogicalIds({
      a: { Ref: 'A' },
      b: { 'Fn::GetAtt': ['B', 'Arn'] },
      c: { 'Fn::Sub': ['${C}-${D.Arn}-${AWS::Region}-${V}-${!E}', { V: { Ref: 'F' } }] },
      d: { Ref: 'AWS::AccountId' },
    });
    expect([...refs].sort()).toEqual(['A', 'B', 'C', 'D', 'F']);
  });

  test('creation order puts dependencies (and DependsOn) first, otherwise keeps template order; a cycle is refused', () => {
    const order = creationOrder({
      Rule: { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Arn: { Ref: 'Machine' } }] } },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } },
        DependsOn: 'Policy',
      },
      Policy: { Type: 'AWS::IAM::Policy', Properties: {} },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Other: { Type: 'AWS::S3::Bucket' },
    });
    const at = (id: string) => order.indexOf(id);
    expect([...order].sort()).toEqual(['Machine', 'Other', 'Policy', 'Role', 'Rule']);
    expect(at('Role')).toBeLessThan(at('Machine'));
    expect(at('Policy')).toBeLessThan(at('Machine'));
    expect(at('Machine')).toBeLessThan(at('Rule'));
    expect(at('Other')).toBe(4); // no dependencies: keeps its place after the ones listed before it
    expect(() => creationOrder({ A: { Type: 'T', Properties: { x: { Ref: 'B' } } }, B: { Type: 'T', DependsOn: ['A'] } })).toThrow(
      'circular dependency between resources: A -> B -> A',
    );
  });
});

describe('generated names', () => {
  const env = { stackName: 'TenantManagementStack', region: 'us-east-1', accountId: '123456789012', partition: 'aws' };
  test('stack name, logical id and a suffix, within the type limit; lower case for buckets; stable across runs', () => {
    const bucket = generatedName(env, 'TenantTemplateBucket250F0B14', 63, true);
    expect(bucket).toMatch(/^tenantmanagementstack-tenanttemplatebucket[a-z0-9]*-[a-z0-9]{12}$/);
    expect(bucket.length).toBeLessThanOrEqual(63);
    expect(generatedName(env, 'TenantTemplateBucket250F0B14', 63, true)).toBe(bucket);
    const role = generatedName(env, 'CreateTenantStateMachineRoleFAD2784F', 64);
    expect(role.length).toBeLessThanOrEqual(64);
    expect(role.startsWith('TenantManagementStack-CreateTenant')).toBe(true);
    expect(generatedName({ ...env, accountId: '999999999999' }, 'TenantTemplateBucket250F0B14', 63, true)).not.toBe(bucket);
  });
});
