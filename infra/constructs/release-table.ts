import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The fleet's releases (docs/rollouts.md), partition key `id`:
 * - `LATEST`: the desired template of the fleet (`release`, `seq`, pinned `templateUrl`, `rolloutId`)
 * - `release-<N>`: the rollout of release N (state, wave, policy, counters, operator token)
 */
export class ReleaseTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Which release the fleet is on and how each rollout ended: kept with the tenant registry.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
