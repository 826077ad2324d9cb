import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * Where update-tenant waits for the terminal status event of its stack update (docs/rollouts.md): one
 * item per stack operation, keyed by `stackId` (partition) and `clientRequestToken` (sort), holding
 * the waiting task's `taskToken` (written by update-tenant, on condition that no arrival is recorded)
 * and the event's `arrivedStatus`/`arrivedReason`/`arrivedAt` (written by the stack-events relay).
 * Keyed per operation rather than per stack: an older operation still registering can never
 * overwrite the waiter of a newer one. The relay deletes an item once it woke (or found gone) its
 * waiter; an item stays behind only when the event was lost or came before the registration (no
 * JSONPath intrinsic yields the epoch seconds a TTL attribute needs).
 */
export class StackWaiterTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'stackId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'clientRequestToken', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Only in-flight waits live here: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
