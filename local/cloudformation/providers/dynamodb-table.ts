/**
 * AWS::DynamoDB::Table, provisioned for real in the local DynamoDB through `@aws-sdk/client-dynamodb`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html
 * Ref: the table name. Fn::GetAtt: Arn, StreamArn. Replacement: TableName, KeySchema,
 * LocalSecondaryIndexes (and a changed key attribute type); the rest is updated in place (billing,
 * throughput, GSIs created/deleted, tags) or recorded (point-in-time recovery, SSE, TTL, streams: not
 * modelled by the local DynamoDB).
 */
import type { InProcessHttpHandler } from '../../in-process';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  type CreateGlobalSecondaryIndexAction,
  type CreateTableCommandInput,
  type GlobalSecondaryIndexUpdate,
} from '@aws-sdk/client-dynamodb';
import {
  alreadyExistsError,
  changed,
  generatedName,
  handlerError,
  type Provisioned,
  type ProviderContext,
  type ResourceProvider,
} from './provider';

const TYPE = 'AWS::DynamoDB::Table';

/** The resource's Properties as CloudFormation JSON: members as the reference of AWS::DynamoDB::Table documents them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape is set by the resource type, not statically
type Props = Record<string, any>;

export class DynamoDbTableProvider implements ResourceProvider {
  readonly type = TYPE;
  readonly attributes = ['Arn', 'StreamArn'] as const;
  readonly nameProperty = 'TableName';
  private readonly client: DynamoDBClient;

  constructor(endpoint: string, region: string, requestHandler?: InProcessHttpHandler) {
    this.client = new DynamoDBClient({
      endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
      requestHandler,
    });
  }

  requiresReplacement(before: Props, after: Props): boolean {
    return changed(before, after, 'TableName') || changed(before, after, 'KeySchema') || changed(before, after, 'LocalSecondaryIndexes');
  }

  async create(properties: Props, ctx: ProviderContext): Promise<Provisioned> {
    const tableName = (properties.TableName as string | undefined) ?? generatedName(ctx.stackName, ctx.logicalId, 255);
    const input: CreateTableCommandInput = {
      TableName: tableName,
      AttributeDefinitions: properties.AttributeDefinitions,
      KeySchema: properties.KeySchema,
      BillingMode: properties.BillingMode ?? 'PROVISIONED',
      ProvisionedThroughput: throughput(properties.ProvisionedThroughput),
      GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes?.map((gsi: Props) => ({
        ...gsi,
        ProvisionedThroughput: throughput(gsi.ProvisionedThroughput),
      })),
      LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
    };
    try {
      await this.client.send(new CreateTableCommand(input));
    } catch (error) {
      if (error instanceof DynamoDBServiceException && error.name === 'ResourceInUseException') throw alreadyExistsError(TYPE, tableName);
      throw serviceError(error);
    }
    const arn = await this.waitActive(tableName);
    await this.applyTags(arn, [], properties.Tags ?? []);
    return { physicalId: tableName, attributes: attributesOf(tableName, properties, ctx) };
  }

  async update(physicalId: string, before: Props, after: Props, ctx: ProviderContext): Promise<Provisioned> {
    try {
      const billingChanged = changed(before, after, 'BillingMode') || changed(before, after, 'ProvisionedThroughput');
      if (billingChanged) {
        await this.client.send(
          new UpdateTableCommand({
            TableName: physicalId,
            BillingMode: after.BillingMode ?? 'PROVISIONED',
            ProvisionedThroughput: throughput(after.ProvisionedThroughput),
          }),
        );
        await this.waitActive(physicalId);
      }
      for (const gsiUpdate of gsiUpdates(before.GlobalSecondaryIndexes ?? [], after.GlobalSecondaryIndexes ?? [])) {
        await this.client.send(
          new UpdateTableCommand({
            TableName: physicalId,
            AttributeDefinitions: after.AttributeDefinitions,
            GlobalSecondaryIndexUpdates: [gsiUpdate],
          }),
        );
        await this.waitActive(physicalId);
      }
    } catch (error) {
      throw serviceError(error);
    }
    const arn = await this.waitActive(physicalId);
    if (changed(before, after, 'Tags')) await this.applyTags(arn, before.Tags ?? [], after.Tags ?? []);
    return { physicalId, attributes: attributesOf(physicalId, after, ctx) };
  }

  async delete(physicalId: string): Promise<void> {
    try {
      await this.client.send(new DeleteTableCommand({ TableName: physicalId }));
    } catch (error) {
      // Gone already: deleting succeeds, as CloudFormation's handlers treat NotFound on delete.
      if (error instanceof DynamoDBServiceException && error.name === 'ResourceNotFoundException') return;
      throw serviceError(error);
    }
    for (let i = 0; i < 1200; i++) {
      try {
        await this.client.send(new DescribeTableCommand({ TableName: physicalId }));
      } catch (error) {
        if (error instanceof DynamoDBServiceException && error.name === 'ResourceNotFoundException') return;
        throw serviceError(error);
      }
      await pause(Math.min(25, 1 + i * 2));
    }
    throw handlerError(`Table ${physicalId} did not finish deleting`, 'NotStabilized');
  }

  /** Waits (in wall time: the local DynamoDB's own state machine) until the table is ACTIVE; returns its ARN. */
  private async waitActive(tableName: string): Promise<string> {
    for (let i = 0; i < 1200; i++) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every(
        (gsi) => gsi.IndexStatus === undefined || gsi.IndexStatus === 'ACTIVE',
      );
      if (Table?.TableStatus === 'ACTIVE' && indexesReady) return Table.TableArn!;
      await pause(Math.min(25, 1 + i * 2));
    }
    throw handlerError(`Table ${tableName} did not become ACTIVE`, 'NotStabilized');
  }

  private async applyTags(arn: string, before: { Key: string; Value: string }[], after: { Key: string; Value: string }[]): Promise<void> {
    const removed = before.filter((t) => !after.some((a) => a.Key === t.Key)).map((t) => t.Key);
    if (removed.length > 0) await this.client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: removed }));
    if (after.length > 0)
      await this.client.send(
        new TagResourceCommand({ ResourceArn: arn, Tags: after.map((t) => ({ Key: t.Key, Value: String(t.Value) })) }),
      );
  }
}

function throughput(value: Props | undefined): { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined {
  if (value === undefined) return undefined;
  return { ReadCapacityUnits: Number(value.ReadCapacityUnits), WriteCapacityUnits: Number(value.WriteCapacityUnits) };
}

function gsiUpdates(before: Props[], after: Props[]): GlobalSecondaryIndexUpdate[] {
  const names = (list: Props[]): Set<string> => new Set(list.map((g) => g.IndexName));
  const afterNames = names(after);
  const beforeNames = names(before);
  return [
    ...before.filter((g) => !afterNames.has(g.IndexName)).map((g): GlobalSecondaryIndexUpdate => ({ Delete: { IndexName: g.IndexName } })),
    ...after
      .filter((g) => !beforeNames.has(g.IndexName))
      .map((g): GlobalSecondaryIndexUpdate => ({
        Create: { ...g, ProvisionedThroughput: throughput(g.ProvisionedThroughput) } as CreateGlobalSecondaryIndexAction,
      })),
  ];
}

/**
 * The table's ARN in this account and region (the local DynamoDB reports its own account id, which need
 * not be the cloud's).
 */
function attributesOf(tableName: string, properties: Props, ctx: ProviderContext): Record<string, unknown> {
  const partition = ctx.region.startsWith('cn-') ? 'aws-cn' : ctx.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const arn = `arn:${partition}:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`;
  const attributes: Record<string, unknown> = { Arn: arn };
  // Stream ARNs end in a creation label (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
  if (properties.StreamSpecification !== undefined) attributes.StreamArn = `${arn}/stream/${new Date(ctx.now).toISOString().slice(0, -1)}`;
  return attributes;
}

function serviceError(error: unknown): Error {
  if (error instanceof DynamoDBServiceException) {
    return handlerError(
      `${error.message} (Service: DynamoDb, Status Code: ${error.$metadata.httpStatusCode ?? 400}, Request ID: ${error.$metadata.requestId ?? 'local'})`,
      error.name === 'ValidationException' ? 'InvalidRequest' : 'GeneralServiceException',
    );
  }
  if (error instanceof Error && error.message.startsWith('Resource handler')) return error;
  return handlerError(error instanceof Error ? error.message : String(error), 'ServiceInternalError');
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
