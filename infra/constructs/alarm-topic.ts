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
  }
}
