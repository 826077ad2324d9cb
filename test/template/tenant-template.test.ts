import { createHash } from 'node:crypto';
import { Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthesizeTenantTemplate, SynthesizedTenantTemplate } from '../../template/synth';
import { TEMPLATE_VERSION_OUTPUT, TENANT_ID_PARAMETER, TIER_PARAMETER, TenantStack } from '../../template/tenant-stack';
import { DEFAULT_TENANT_TIER, TENANT_TIERS } from '../../template/tier';
import { TENANT_ID_MAX_LENGTH, TENANT_ID_PATTERN } from '../../template/tenant-id';
import { TEMPLATE_FINGERPRINT, TEMPLATE_VERSION } from '../../template/version';
import { tenantAppRoleName, tenantDataTableName, tenantStackName } from '../../template/naming';
import { testApp } from '../support/cdk-app';

let synthesized: SynthesizedTenantTemplate;
let template: Template;

beforeAll(() => {
  synthesized = synthesizeTenantTemplate();
  template = Template.fromJSON(synthesized.template);
});

describe('TenantId parameter', () => {
  test('enforces the tenant-id rule with AllowedPattern, MinLength and MaxLength', () => {
    template.hasParameter(TENANT_ID_PARAMETER, {
      Type: 'String',
      AllowedPattern: TENANT_ID_PATTERN,
      MinLength: 1,
      MaxLength: TENANT_ID_MAX_LENGTH,
      ConstraintDescription: Match.anyValue(),
    });
    expect(synthesized.template.Parameters[TENANT_ID_PARAMETER].MaxLength).toBe(32);
  });

  test('it and Tier are the only parameters (no BootstrapVersion: the template is deployed outside CDK)', () => {
    expect(Object.keys(synthesized.template.Parameters)).toEqual([TENANT_ID_PARAMETER, TIER_PARAMETER]);
    expect(synthesized.template.Rules).toBeUndefined();
  });

  // CloudFormation matches AllowedPattern against the whole value
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
  test.each([
    ['acme', true],
    ['a', true],
    ['a1-b2', true],
    ['x'.repeat(32), true],
    ['x'.repeat(33), false],
    ['-acme', false],
    ['acme-', false],
    ['Acme', false],
    ['acme_corp', false],
    ['', false],
  ])('pattern and MaxLength together accept %j: %s', (value, accepted) => {
    const { AllowedPattern, MaxLength, MinLength } = synthesized.template.Parameters[TENANT_ID_PARAMETER];
    const passes = new RegExp(AllowedPattern!).test(value) && value.length <= MaxLength! && value.length >= MinLength!;
    expect(passes).toBe(accepted);
  });
});

// AllowedValues and Default of a parameter: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
describe('Tier parameter', () => {
  test('allows exactly the tiers of template/tier.ts and defaults to the default tier', () => {
    template.hasParameter(TIER_PARAMETER, {
      Type: 'String',
      AllowedValues: ['free', 'standard', 'premium'],
      Default: 'standard',
      ConstraintDescription: Match.anyValue(),
    });
    expect([
      synthesized.template.Parameters[TIER_PARAMETER].AllowedValues,
      synthesized.template.Parameters[TIER_PARAMETER].Default,
    ]).toEqual([[...TENANT_TIERS], DEFAULT_TENANT_TIER]);
  });
});

describe('no assets', () => {
  test('no asset parameters, no asset or path metadata, nothing but the template in the assembly', () => {
    expect(synthesized.body).not.toMatch(/AssetParameters|aws:asset:|aws:cdk:path|CDKMetadata|BootstrapVersion/);
    expect(synthesized.assemblyFiles.filter((file) => file.startsWith('asset.'))).toEqual([]);
    expect(synthesized.assemblyFiles.filter((file) => file.endsWith('.template.json'))).toHaveLength(1);
  });
});

describe('per-tenant resources named from TenantId', () => {
  const named = (suffix: string) => ({ 'Fn::Join': ['', ['tenant-', { Ref: TENANT_ID_PARAMETER }, suffix]] });

  // RetainExceptOnCreate: deleted when the stack's creation rolls back, retained on stack deletion
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
  test('data table: on-demand, point-in-time recovery, removed by a failed create, retained on stack deletion and replacement', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: named('-data'),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  test('app role is named (needs CAPABILITY_NAMED_IAM) and reaches only the tenant table', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: named('-app') });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    for (const statement of policies[0].Properties.PolicyDocument.Statement) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': ['DataTable', 'Arn'] });
      expect(JSON.stringify(statement.Action)).not.toContain('*');
    }
  });

  test('names stay within AWS limits for the longest tenant id (role 64, stack 128, table 255)', () => {
    const longest = 'x'.repeat(TENANT_ID_MAX_LENGTH);
    expect(tenantAppRoleName(longest).length).toBeLessThanOrEqual(64);
    expect(tenantStackName(longest).length).toBeLessThanOrEqual(128);
    expect(tenantDataTableName(longest).length).toBeLessThanOrEqual(255);
  });
});

describe('template version', () => {
  test('the TemplateVersion output carries TEMPLATE_VERSION', () => {
    template.hasOutput(TEMPLATE_VERSION_OUTPUT, { Value: TEMPLATE_VERSION });
  });

  test('a changed template comes with a new version (fingerprint recorded in template/version.ts)', () => {
    const fingerprint = createHash('sha256').update(synthesized.body).digest('hex');
    if (fingerprint !== TEMPLATE_FINGERPRINT) {
      throw new Error(
        `The tenant template changed. Bump TEMPLATE_VERSION (now ${TEMPLATE_VERSION}) in template/version.ts, ` +
          `then set TEMPLATE_FINGERPRINT to the new body's SHA-256 (this test prints it once the version is bumped): ${fingerprint}`,
      );
    }
  });
});

describe('cdk-nag', () => {
  test('AwsSolutions reports no findings on TenantStack', () => {
    const app = testApp();
    const stack = new TenantStack(new Stage(app, 'NagCheck'), 'TenantStack');
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.description}`)).toEqual([]);
  });

  test('the check is live: a table without point-in-time recovery added to TenantStack is reported', () => {
    const app = testApp();
    const stack = new TenantStack(new Stage(app, 'NagLive'), 'TenantStack');
    new dynamodb.Table(stack, 'Unprotected', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toContain('AwsSolutions-DDB3');
  });
});
