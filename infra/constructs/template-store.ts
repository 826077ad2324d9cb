import { RELEASE_METADATA } from '../../statemachines/rollout-policy';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

export interface TemplateStoreProps {
  /** Key of the one template object. */
  readonly objectKey: string;
  /** The synthesized tenant template, uploaded byte for byte. */
  readonly templateBody: string;
  /** Release number of this template (x-amz-meta-release on the uploaded object). */
  readonly release: number;
}

/**
 * The bucket the tenant template lives in. Versioned, so the update workflow can pin every tenant of
 * one run to the version named in the S3 event; EventBridge notifications on, so that event reaches
 * the default bus.
 */
export class TemplateStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly objectKey: string;
  /** HTTPS URL of the object (no version): the TemplateUrl substitution. */
  readonly templateUrl: string;
  readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: TemplateStoreProps) {
    super(scope, id);
    this.objectKey = props.objectKey;
    // Log delivery through a bucket policy instead of the LogDeliveryWrite ACL, so both buckets keep
    // ACLs disabled (BUCKET_OWNER_ENFORCED). Scoped to this construct; cdk.json stays untouched.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // server access log delivery supports SSE-S3 only
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the template bucket; logging it to itself would log its own log deliveries.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      eventBridgeEnabled: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'template-bucket/',
      // Old template versions stay readable for a while: a running fleet update pins one of them.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.templateUrl = `https://${this.bucket.bucketRegionalDomainName}/${props.objectKey}`;

    // Exactly one object: Source.data with the template text, not the stage's assembly directory.
    // The deployment runs only when the text changes, so each template change is one S3 event.
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.data(props.objectKey, props.templateBody)],
      prune: false, // the deployment owns its one key, nothing else in the bucket
      contentType: 'application/json',
      // The release number orders releases (docs/rollouts.md); S3 events carry no metadata, so the
      // rollout reads it from the object version.
      metadata: { [RELEASE_METADATA]: String(props.release) },
    });
  }
}
