/**
 * The pass-through against a real DynamoDB API (dynalite on loopback): the optimized integration
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html) and the aws-sdk integration
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), their
 * different error names and Causes, paging, conditional writes and Retry.
 */
import { Engine } from '../../emulator/runtime/engine';
import { eventsOfType, runDefinition } from './engine-helpers';
import { createTable, LOCAL_CREDENTIALS, startDynalite, type LocalServer } from './passthrough-helpers';

let dynamo: LocalServer;
let engine: Engine;
const TABLE = 'tenants';
const PAGED = 'paged';

beforeAll(async () => {
  dynamo = await startDynalite();
  await createTable(dynamo.endpoint, TABLE);
  await createTable(dynamo.endpoint, PAGED, true);
  engine = new Engine({ passThrough: { endpoints: { dynamodb: dynamo.endpoint }, credentials: LOCAL_CREDENTIALS } });
});

afterAll(async () => {
  await dynamo.close();
});

const task = (resource: string, parameters: object, extra: object = {}) => ({
  Type: 'Task',
  Resource: `arn:aws:states:::${resource}`,
  Parameters: parameters,
  ...extra,
});

describe('optimized DynamoDB integration against dynalite', () => {
  test('putItem, updateItem, getItem, deleteItem: the service’s answers with the Java SDK’s response metadata', async () => {
    const key = { pk: { S: 'tenant-1' } };
    const r = await runDefinition(
      {
        StartAt: 'Put',
        States: {
          Put: task(
            'dynamodb:putItem',
            { TableName: TABLE, Item: { pk: { S: 'tenant-1' }, status: { S: 'NEW' } } },
            { ResultPath: '$.put', Next: 'Update' },
          ),
          Update: task(
            'dynamodb:updateItem',
            {
              TableName: TABLE,
              Key: key,
              UpdateExpression: 'SET #s = :s',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': { S: 'ACTIVE' } },
              ReturnValues: 'UPDATED_NEW',
            },
            { ResultPath: '$.update', Next: 'Get' },
          ),
          Get: task('dynamodb:getItem', { TableName: TABLE, Key: key }, { ResultPath: '$.get', Next: 'Delete' }),
          Delete: task(
            'dynamodb:deleteItem',
            { TableName: TABLE, Key: key, ReturnValues: 'ALL_OLD' },
            { ResultPath: '$.delete', Next: 'GetAgain' },
          ),
          GetAgain: task('dynamodb:getItem', { TableName: TABLE, Key: key }, { ResultPath: '$.after', End: true }),
        },
      },
      {},
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    const out = r.outputValue as Record<string, Record<string, unknown>>;
    expect(out.update.Attributes).toEqual({ status: { S: 'ACTIVE' } });
    expect(out.get.Item).toEqual({ pk: { S: 'tenant-1' }, status: { S: 'ACTIVE' } });
    expect(out.delete.Attributes).toEqual({ pk: { S: 'tenant-1' }, status: { S: 'ACTIVE' } });
    expect(out.after.Item).toBeUndefined();
    // Java 1.x response: fields in alphabetical order, with SdkHttpMetadata and SdkResponseMetadata.
    expect(Object.keys(out.get)).toEqual(['Item', 'SdkHttpMetadata', 'SdkResponseMetadata']);
    expect((out.put.SdkHttpMetadata as { HttpStatusCode: number }).HttpStatusCode).toBe(200);
    expect((out.put.SdkResponseMetadata as { RequestId: string }).RequestId).not.toBe('');
    const [scheduled] = eventsOfType(r.events, 'TaskScheduled');
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resource: 'putItem', resourceType: 'dynamodb' });
  });

  test('a failed ConditionExpression is DynamoDB.ConditionalCheckFailedException with the Java 1.x Cause; Retry retries it', async () => {
    const item = { pk: { S: 'tenant-cond' } };
    const put = task(
      'dynamodb:putItem',
      { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
      {
        Retry: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
        End: true,
      },
    );
    const definition = { StartAt: 'Put', States: { Put: put, Caught: { Type: 'Pass', End: true } } };
    const first = await runDefinition(definition, {}, { engine });
    expect(first.status).toBe('SUCCEEDED');
    expect((first.outputValue as { error?: unknown }).error).toBeUndefined();
    const second = await runDefinition(definition, {}, { engine });
    const error = (second.outputValue as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(error.Cause).toMatch(
      /^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: [^;]+; Proxy: null\)$/,
    );
    // One attempt and two retries, 2 s then 4 s apart on the simulated clock.
    const failed = eventsOfType(second.events, 'TaskFailed');
    expect(failed).toHaveLength(3);
    expect(second.stopDate!.getTime() - second.startDate.getTime()).toBe(6000);
  });

  test('an unmodelled code (ValidationException) is DynamoDB.AmazonDynamoDBException', async () => {
    const r = await runDefinition(
      { StartAt: 'Get', States: { Get: task('dynamodb:getItem', { TableName: TABLE, Key: { nope: { S: 'x' } } }, { End: true }) } },
      {},
      { engine },
    );
    expect(r.error).toBe('DynamoDB.AmazonDynamoDBException');
    expect(r.cause).toMatch(
      /\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: [^;]+; Proxy: null\)$/,
    );
    const [failed] = eventsOfType(r.events, 'TaskFailed');
    expect(failed.taskFailedEventDetails).toMatchObject({
      error: 'DynamoDB.AmazonDynamoDBException',
      resource: 'getItem',
      resourceType: 'dynamodb',
    });
  });
});

describe('aws-sdk DynamoDB integration against dynalite', () => {
  test('query pages with Limit and LastEvaluatedKey until the last page', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await runDefinition(
        {
          StartAt: 'P',
          States: {
            P: task('aws-sdk:dynamodb:putItem', { TableName: PAGED, Item: { pk: { S: 'p' }, sk: { S: `s${i}` } } }, { End: true }),
          },
        },
        {},
        { engine },
      );
      expect(r.outputValue).toEqual({});
    }
    const r = await runDefinition(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { total: 0, pages: 0, key: null }, Next: 'Query' },
          Query: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:dynamodb:query',
            Arguments:
              "{% $merge([{'TableName': 'paged', 'KeyConditionExpression': 'pk = :p', 'ExpressionAttributeValues': {':p': {'S': 'p'}}, 'Limit': 2}, $key ? {'ExclusiveStartKey': $key} : {}]) %}",
            Assign: {
              total: '{% $total + $states.result.Count %}',
              pages: '{% $pages + 1 %}',
              key: '{% $exists($states.result.LastEvaluatedKey) ? $states.result.LastEvaluatedKey : null %}',
            },
            Next: 'More',
          },
          More: { Type: 'Choice', Choices: [{ Condition: '{% $key != null %}', Next: 'Query' }], Default: 'Done' },
          Done: { Type: 'Pass', Output: '{% {"total": $total, "pages": $pages} %}', End: true },
        },
      },
      {},
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual({ total: 5, pages: 3 });
    const [first] = eventsOfType(r.events, 'TaskSucceeded');
    expect(JSON.parse((first.taskSucceededEventDetails as { output: string }).output)).toEqual({
      Count: 2,
      Items: [
        { pk: { S: 'p' }, sk: { S: 's0' } },
        { pk: { S: 'p' }, sk: { S: 's1' } },
      ],
      LastEvaluatedKey: { pk: { S: 'p' }, sk: { S: 's1' } },
      ScannedCount: 2,
    });
  });

  test('scan answers without $metadata, a page short of the end with LastEvaluatedKey', async () => {
    const r = await runDefinition(
      { StartAt: 'S', States: { S: task('aws-sdk:dynamodb:scan', { TableName: PAGED, Limit: 4 }, { End: true }) } },
      {},
      { engine },
    );
    const out = r.outputValue as { Count: number; LastEvaluatedKey?: unknown; $metadata?: unknown };
    expect(out.Count).toBe(4);
    expect(out.LastEvaluatedKey).toBeDefined();
    expect(out.$metadata).toBeUndefined();
  });

  test('errors are named as the Java 2.x SDK names them: DynamoDb.ConditionalCheckFailedException, DynamoDb.ResourceNotFoundException, DynamoDb.DynamoDbException', async () => {
    const run = (resource: string, parameters: object) =>
      runDefinition({ StartAt: 'T', States: { T: task(resource, parameters, { End: true }) } }, {}, { engine });
    await run('aws-sdk:dynamodb:putItem', { TableName: TABLE, Item: { pk: { S: 'sdk-cond' } } });
    const cond = await run('aws-sdk:dynamodb:putItem', {
      TableName: TABLE,
      Item: { pk: { S: 'sdk-cond' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(cond.error).toBe('DynamoDb.ConditionalCheckFailedException');
    expect(cond.cause).toMatch(
      /^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: [^)]+\) \(SDK Attempt Count: 1\)$/,
    );
    const missing = await run('aws-sdk:dynamodb:putItem', { TableName: 'no-such-table', Item: { pk: { S: 'x' } } });
    expect(missing.error).toBe('DynamoDb.ResourceNotFoundException');
    expect(missing.cause).toMatch(/^Requested resource not found.* \(Service: DynamoDb, Status Code: 400, Request ID: /);
    const invalid = await run('aws-sdk:dynamodb:getItem', { TableName: TABLE, Key: { nope: { S: 'x' } } });
    expect(invalid.error).toBe('DynamoDb.DynamoDbException');
  });
});

describe('pass-through safety and configuration', () => {
  test('with no endpoint configured the Task does not call anything and says how to configure one', async () => {
    const bare = new Engine();
    const r = await runDefinition(
      { StartAt: 'T', States: { T: task('dynamodb:getItem', { TableName: TABLE, Key: {} }, { End: true }) } },
      {},
      { engine: bare },
    );
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.Runtime');
    expect(r.cause).toContain('AWS_ENDPOINT_URL_DYNAMODB');
    expect(r.cause).toContain('passThrough.endpoints.dynamodb');
    expect(r.cause).toContain('serve --aws');
    expect(eventsOfType(r.events, 'TaskFailed')).toHaveLength(0);
  });

  test('AWS_ENDPOINT_URL_DYNAMODB configures the endpoint the standard way', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    try {
      const viaEnv = new Engine();
      const r = await runDefinition(
        { StartAt: 'T', States: { T: task('aws-sdk:dynamodb:describeTable', { TableName: TABLE }, { End: true }) } },
        {},
        { engine: viaEnv },
      );
      expect(r.cause).toBeUndefined();
      const table = (r.outputValue as { Table: { TableName: string; CreationDateTime: unknown } }).Table;
      expect(table.TableName).toBe(TABLE);
      // Timestamps as ISO-8601 text, as Step Functions serializes them.
      expect(table.CreationDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
    }
  });

  test('a service whose client package is not installed fails the task naming the package to install', async () => {
    const e = new Engine({ passThrough: { endpoints: { mediaconvert: dynamo.endpoint }, credentials: LOCAL_CREDENTIALS } });
    const r = await runDefinition(
      { StartAt: 'T', States: { T: task('aws-sdk:mediaconvert:listJobs', {}, { End: true }) } },
      {},
      { engine: e },
    );
    expect(r.error).toBe('States.TaskFailed');
    expect(r.cause).toContain('npm install @aws-sdk/client-mediaconvert');
    expect(eventsOfType(r.events, 'TaskFailed')).toHaveLength(1);
  });
});
