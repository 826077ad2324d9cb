/**
 * Local DynamoDB (dynalite behind the fault proxy) through @aws-sdk/client-dynamodb on loopback.
 * Table status per https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 * (CREATING → ACTIVE); throttling errors per
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamo, type LocalDynamo } from '../../local/dynamodb';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tableSpec = (TableName: string) =>
  new CreateTableCommand({
    TableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });

describe('local DynamoDB (dynalite)', () => {
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  beforeEach(async () => {
    dynamo = await startDynamo();
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await dynamo.close();
  });

  it('listens on loopback; a new table answers CREATING, then is ACTIVE', async () => {
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await client.send(tableSpec('tenants'));
    expect(created.TableDescription!.TableStatus).toBe('CREATING');
    await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 1 }, { TableName: 'tenants' });
    expect((await client.send(new DescribeTableCommand({ TableName: 'tenants' }))).Table!.TableStatus).toBe('ACTIVE');
    await client.send(new PutItemCommand({ TableName: 'tenants', Item: { pk: { S: 'acme' } } }));
    expect((await client.send(new GetItemCommand({ TableName: 'tenants', Key: { pk: { S: 'acme' } } }))).Item).toEqual({
      pk: { S: 'acme' },
    });
  });

  it('throttles chosen operations on chosen tables as DynamoDB does, for a number of calls', async () => {
    await client.send(tableSpec('tenants'));
    await client.send(tableSpec('other'));
    await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 1 }, { TableName: 'other' });
    dynamo.injectFault({ operation: 'PutItem', resource: 'tenants', code: 'ProvisionedThroughputExceededException', times: 2 });
    const put = (table: string) => client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'x' } } }));
    const throttled = {
      name: 'ProvisionedThroughputExceededException',
      message:
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      $metadata: { httpStatusCode: 400 },
    };
    await expect(put('tenants')).rejects.toMatchObject(throttled);
    await expect(put('other')).resolves.toBeDefined();
    await expect(put('tenants')).rejects.toMatchObject(throttled);
    await expect(put('tenants')).resolves.toBeDefined();

    dynamo.injectFault({ operation: '*', code: 'ThrottlingException' });
    await expect(client.send(new GetItemCommand({ TableName: 'other', Key: { pk: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate of requests exceeds the allowed throughput.',
    });
    dynamo.clearFaults();
    await expect(client.send(new GetItemCommand({ TableName: 'other', Key: { pk: { S: 'x' } } }))).resolves.toBeDefined();
    expect(dynamo.faults.injected.map((f) => `${f.operation}/${f.resource}/${f.code}`)).toEqual([
      'PutItem/tenants/ProvisionedThroughputExceededException',
      'PutItem/tenants/ProvisionedThroughputExceededException',
      'GetItem/other/ThrottlingException',
    ]);
  });

  it('calls answered in this process (no fault planned) and through the fault proxy see the same tables; the call listener sees each', async () => {
    const seen: string[] = [];
    dynamo.addCallListener((operation) => seen.push(operation));
    await client.send(tableSpec('tenants'));
    await client.send(new PutItemCommand({ TableName: 'tenants', Item: { pk: { S: 'acme' } } }));
    // A fault on another table routes every call through the proxy and its second hop.
    dynamo.injectFault({ operation: 'PutItem', resource: 'other', code: 'ThrottlingException' });
    expect((await client.send(new GetItemCommand({ TableName: 'tenants', Key: { pk: { S: 'acme' } } }))).Item).toEqual({
      pk: { S: 'acme' },
    });
    await client.send(new PutItemCommand({ TableName: 'tenants', Item: { pk: { S: 'globex' } } }));
    dynamo.clearFaults();
    expect((await client.send(new GetItemCommand({ TableName: 'tenants', Key: { pk: { S: 'globex' } } }))).Item).toEqual({
      pk: { S: 'globex' },
    });
    expect(seen).toEqual(['CreateTable', 'PutItem', 'GetItem', 'PutItem', 'GetItem']);
  });

  it('the SDK recognises the injected error as throttling and retries it by itself', async () => {
    const retrying = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials,
      maxAttempts: 2,
      retryMode: 'standard',
    });
    try {
      await retrying.send(tableSpec('tenants'));
      dynamo.injectFault({ operation: 'DescribeTable', code: 'ThrottlingException', times: 1 });
      const out = await retrying.send(new DescribeTableCommand({ TableName: 'tenants' }));
      expect(out.$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
  });
});

describe('local DynamoDB persistence', () => {
  it('keeps tables and items in dataDir across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynamo-'));
    try {
      const first = await startDynamo({ dataDir: dir });
      const c1 = new DynamoDBClient({ endpoint: first.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
      await c1.send(tableSpec('tenants'));
      await waitUntilTableExists({ client: c1, maxWaitTime: 20, minDelay: 1 }, { TableName: 'tenants' });
      await c1.send(new PutItemCommand({ TableName: 'tenants', Item: { pk: { S: 'acme' } } }));
      c1.destroy();
      await first.close();

      const second = await startDynamo({ dataDir: dir });
      const c2 = new DynamoDBClient({ endpoint: second.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
      try {
        expect((await c2.send(new GetItemCommand({ TableName: 'tenants', Key: { pk: { S: 'acme' } } }))).Item).toEqual({
          pk: { S: 'acme' },
        });
      } finally {
        c2.destroy();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
