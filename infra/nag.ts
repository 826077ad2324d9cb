import { DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How cdk-nag spells a resource or policy in its finding ids (`AwsSolutions-IAM5[Resource::<spelling>]`):
 * string parts verbatim, Ref as `<Name>`, GetAtt as `<Logical.Attr>`, anything else as its JSON.
 * Acknowledgements are computed from the same value the grant uses, so they cannot drift apart.
 */
export function nagSpelling(stack: Stack, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (typeof node !== 'object' || node === null) return JSON.stringify(node);
    const record = node as { 'Fn::Join'?: [string, unknown[]]; 'Fn::GetAtt'?: [unknown, unknown]; Ref?: unknown };
    const join = record['Fn::Join'];
    if (join) return join[1].map(visit).join(join[0]);
    const getAtt = record['Fn::GetAtt'];
    if (getAtt) return `<${visit(getAtt[0])}.${visit(getAtt[1])}>`;
    if (record.Ref) return `<${visit(record.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(stack.resolve(value));
}

export function acknowledgeResource(scope: IConstruct, rule: string, resourceArn: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${rule}[Resource::${nagSpelling(Stack.of(scope), resourceArn)}]`, reason });
}

/**
 * Findings on the Lambda functions CDK itself adds for BucketDeployment and for the bucket's
 * EventBridge notification setting. Their code and policies are CDK's, not ours to narrow.
 */
export function acknowledgeCdkProvidedFunctions(stack: Stack, templateBucketArn: string): void {
  const basicExecution = {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'CDK-provided custom resource function; AWSLambdaBasicExecutionRole only lets it write its own logs.',
  };
  for (const child of stack.node.children) {
    const id = child.node.id;
    if (id.startsWith('BucketNotificationsHandler')) {
      Validations.of(child).acknowledge(basicExecution);
    }
    if (id.startsWith('Custom::CDKBucketDeployment')) {
      Validations.of(child).acknowledge(basicExecution);
      Validations.of(child).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The BucketDeployment function runtime is chosen by aws-cdk-lib and moves with CDK upgrades.',
      });
      const grantReason = 'CDK BucketDeployment grant: read its source asset and write the template object into the template bucket only.';
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
        Validations.of(child).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: grantReason });
      }
      Validations.of(child).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
        reason: grantReason,
      });
      acknowledgeResource(child, 'AwsSolutions-IAM5', `${templateBucketArn}/*`, grantReason);
    }
  }
}
