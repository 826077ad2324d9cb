import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * One item per tenant, maintained by the workflows:
 * - `tenantId` (partition key, string)
 * - `status`: PROVISIONING, ACTIVE, DEPROVISIONING, DELETED or FAILED (set by the workflows)
 * - `stackId`: the tenant stack's ARN (a deleted stack is found only by id)
 * - `templateVersion`: TemplateVersion output of the stack's current template
 * - `statusReason`: the stack's status reason when something failed
 * - `desired`, `desiredAt`: the desired state (PRESENT or ABSENT) and the time of the event that set it
 * - `expiresAt`: only on the marker a TenantDeleted leaves for a tenant without a record (epoch
 *   seconds): DynamoDB TTL deletes the marker after that moment
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html; typically within two
 *   days, and an expired item is still readable until then). dynalite, the local DynamoDB, never
 *   expires items.
 * - `updatedAt`: ISO-8601 time of the last change
 * Only the key is declared: DynamoDB is schemaless for the other attributes.
 */
export class TenantTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      // The registry of every tenant stack: losing it orphans the fleet.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
