import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The one topic every workflow alarm notifies. Encrypted with a customer managed key because
 * CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key (alias/aws/sns):
 * the key policy must let cloudwatch.amazonaws.com use it.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the tenant workflow alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" means this key
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Tenant workflow alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy whose only statement is the SSL Deny, and that policy replaces
    // the default one: without this Allow nobody, CloudWatch included, may publish. Scoped to alarms of
    // this account and region (confused-deputy protection).
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger,
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
