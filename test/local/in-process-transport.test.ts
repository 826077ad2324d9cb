/**
 * The in-process transport (local/in-process.ts) against the socket path: the same real SDK clients,
 * the same local services, once over loopback HTTP and once handed in process. Answers, errors
 * (name, message, HTTP status), streamed bodies and headers must agree; a stopped service is a
 * refused connection; an aborted call rejects with the SDK's AbortError.
 */
import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStackCommand, CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { startDynamo, type LocalDynamo } from '../../local/dynamodb';
import { LocalS3 } from '../../local/s3';
import { LocalEventBridge } from '../../local/eventbridge';
import { LocalCloudFormation } from '../../local/cloudformation';
import { InProcessNetwork } from '../../local/in-process';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

let network: InProcessNetwork;
let timeline: VirtualTimeline;
let dynamo: LocalDynamo;
let s3: LocalS3;
let events: LocalEventBridge;
let cfn: LocalCloudFormation;
let endpoints: { dynamodb: string; s3: string; events: string; cfn: string };

beforeAll(async () => {
  network = new InProcessNetwork();
  timeline = new VirtualTimeline();
  dynamo = await startDynamo({ network });
  events = new LocalEventBridge({ timeline, network });
  s3 = new LocalS3({ timeline, events, network });
  const s3Endpoint = await s3.listen();
  cfn = new LocalCloudFormation({ timeline, endpoints: { s3: s3Endpoint, dynamodb: dynamo.endpoint }, events, network });
  endpoints = { dynamodb: dynamo.endpoint, s3: s3Endpoint, events: await events.listen(), cfn: await cfn.listen() };
});

afterAll(async () => {
  await cfn.close();
  await s3.close();
  await events.close();
  await dynamo.close();
});

type Transport = 'http' | 'in-process';
const transports: Transport[] = ['http', 'in-process'];

/** The client config of a transport: the SDK's defaults, or the in-process requestHandler with its hash-free signer. */
function handlerFor(transport: Transport, endpoint: string) {
  if (transport === 'http') return {};
  const config = network.clientConfigFor(endpoint);
  if (!config) throw new Error(`no in-process route for ${endpoint}`);
  return config;
}

function clients(transport: Transport) {
  const common = { region, credentials, maxAttempts: 1 };
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb, ...handlerFor(transport, endpoints.dynamodb) }),
    s3: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true, ...handlerFor(transport, endpoints.s3) }),
    events: new EventBridgeClient({ ...common, endpoint: endpoints.events, ...handlerFor(transport, endpoints.events) }),
    cfn: new CloudFormationClient({ ...common, endpoint: endpoints.cfn, ...handlerFor(transport, endpoints.cfn) }),
  };
}

/** What a call answered, without what differs per request (request ids, dates). */
async function outcome(call: Promise<object>): Promise<unknown> {
  try {
    const output = (await timeline.track(call)) as Record<string, unknown>;
    const { $metadata, ...rest } = output as { $metadata: { httpStatusCode?: number } };
    return { ok: rest, status: $metadata.httpStatusCode };
  } catch (e) {
    const error = e as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
    return { error: error.name, message: error.message, status: error.$metadata?.httpStatusCode, fault: error.$fault };
  }
}

/** Runs `scenario` once per transport and returns both outcomes. */
async function bothWays(scenario: (c: ReturnType<typeof clients>, transport: Transport) => Promise<unknown>): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const transport of transports) {
    const c = clients(transport);
    try {
      results.push(await scenario(c, transport));
    } finally {
      for (const client of Object.values(c)) client.destroy();
    }
  }
  return results;
}

describe('in-process transport gives the answers of the socket path', () => {
  it('DynamoDB (dynalite, in this thread and in a worker thread): CreateTable, PutItem, GetItem, a failed condition, a validation error', async () => {
    const scenario = async (client: DynamoDBClient, table: string) => {
      const steps: unknown[] = [];
      const created = (await outcome(
        client.send(
          new CreateTableCommand({
            TableName: table,
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      )) as { ok: { TableDescription: Record<string, unknown> } };
      steps.push(created.ok.TableDescription.TableStatus, created.ok.TableDescription.KeySchema);
      // dynalite makes the table ACTIVE on a 0 ms wall-clock timer; until then it is CREATING, as in DynamoDB.
      await new Promise((resolve) => setTimeout(resolve, 5));
      steps.push(await outcome(client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, n: { N: '1' } } }))));
      steps.push(await outcome(client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } }, ConsistentRead: true }))));
      steps.push(
        await outcome(
          client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { pk: { S: 'a' } },
              UpdateExpression: 'SET n = :two',
              ConditionExpression: 'n = :zero',
              ExpressionAttributeValues: { ':two': { N: '2' }, ':zero': { N: '0' } },
            }),
          ),
        ),
      );
      steps.push(await outcome(client.send(new GetItemCommand({ TableName: 'x', Key: { pk: { S: 'a' } } }))));
      return steps;
    };
    const [http, inProcess] = await bothWays((c, transport) => scenario(c.dynamodb, `transport-${transport}`));
    expect(inProcess).toEqual(http);
    const steps = inProcess as unknown[];
    expect(steps[0]).toBe('CREATING');
    expect(steps[3]).toEqual({ ok: { Item: { pk: { S: 'a' }, n: { N: '1' } } }, status: 200 });
    expect(steps[4]).toMatchObject({ error: 'ConditionalCheckFailedException', status: 400 });
    expect(steps[5]).toMatchObject({ error: 'ValidationException', status: 400 });

    const own = new InProcessNetwork();
    const inWorker = await startDynamo({ network: own, worker: true });
    try {
      for (const requestHandler of [own.requestHandlerFor(inWorker.endpoint), undefined]) {
        const client = new DynamoDBClient({ region, credentials, maxAttempts: 1, endpoint: inWorker.endpoint, requestHandler });
        expect(await scenario(client, `worker-${requestHandler ? 'in-process' : 'http'}`)).toEqual(http);
        client.destroy();
      }
    } finally {
      await inWorker.close();
    }
  });

  it('S3: a string body and a stream body in, a streamed body and metadata out, NoSuchKey', async () => {
    const [http, inProcess] = await bothWays(async (c, transport) => {
      const bucket = `transport-${transport}`;
      const steps: unknown[] = [];
      await timeline.track(c.s3.send(new CreateBucketCommand({ Bucket: bucket })));
      await timeline.track(c.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } })));
      const put = await timeline.track(
        c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/a b.json', Body: '{"x":1}', Metadata: { release: '7' } })),
      );
      steps.push(typeof put.VersionId, put.ETag);
      const streamed = Readable.from([Buffer.from('chunk one, '), Buffer.from('chunk two')]);
      await timeline.track(
        c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed', Body: streamed, ContentLength: 20, ContentType: 'text/plain' })),
      );
      const got = await timeline.track(c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/a b.json', VersionId: put.VersionId })));
      steps.push(await got.Body!.transformToString(), got.Metadata, got.ContentLength, got.VersionId === put.VersionId);
      const gotStream = await timeline.track(c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed' })));
      steps.push(await gotStream.Body!.transformToString(), gotStream.ContentType);
      steps.push(await outcome(c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))));
      return steps;
    });
    expect(inProcess).toEqual(http);
    const steps = inProcess as unknown[];
    expect(steps[2]).toBe('{"x":1}');
    expect(steps[3]).toEqual({ release: '7' });
    expect(steps[6]).toBe('chunk one, chunk two');
    expect(steps[8]).toMatchObject({ error: 'NoSuchKey', status: 404 });
  });

  it('CloudFormation (Query/XML) and EventBridge (JSON 1.1): answers and errors', async () => {
    const [http, inProcess] = await bothWays(async (c, transport) => {
      const steps: unknown[] = [];
      const template = JSON.stringify({ Resources: { Topic: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } });
      const created = await outcome(c.cfn.send(new CreateStackCommand({ StackName: `transport-${transport}`, TemplateBody: template })));
      steps.push(typeof (created as { ok?: { StackId?: string } }).ok?.StackId);
      steps.push(await outcome(c.cfn.send(new DescribeStacksCommand({ StackName: 'no-such-stack' }))));
      steps.push(await outcome(c.cfn.send(new CreateStackCommand({ StackName: '1-bad-name', TemplateBody: template }))));
      steps.push(await outcome(c.events.send(new PutRuleCommand({ Name: `transport-${transport}`, EventPattern: '{"source":["x"]}' }))));
      steps.push(await outcome(c.events.send(new PutRuleCommand({ Name: 'bad', EventPattern: 'not json' }))));
      const put = (await outcome(c.events.send(new PutEventsCommand({ Entries: [{ Source: 'x', DetailType: 'y', Detail: '{}' }] })))) as {
        ok: { FailedEntryCount: number; Entries: unknown[] };
      };
      steps.push(put.ok.FailedEntryCount, put.ok.Entries.length);
      return steps;
    });
    // The rule ARNs name the rule, which differs per transport.
    const withoutArns = (steps: unknown) => JSON.parse(JSON.stringify(steps).replace(/transport-(http|in-process)/g, 'transport-*'));
    expect(withoutArns(inProcess)).toEqual(withoutArns(http));
    const steps = inProcess as { error?: string; status?: number }[];
    expect(steps[0]).toBe('string');
    expect(steps[1]).toMatchObject({ error: 'ValidationError', status: 400 });
    expect(steps[2]).toMatchObject({ error: 'ValidationError', status: 400 });
    expect(steps[4]).toMatchObject({ error: 'InvalidEventPatternException', status: 400 });
  });
});

describe('in-process transport edges', () => {
  it('has no handler for an endpoint nothing serves in process (the SDK default is used)', () => {
    expect(network.requestHandlerFor('http://127.0.0.1:1')).toBeUndefined();
    expect(network.requestHandlerFor(undefined)).toBeUndefined();
  });

  it('refuses the connection once the service stopped, as a socket does', async () => {
    const own = new InProcessNetwork();
    const stopped = await startDynamo({ network: own });
    const client = new DynamoDBClient({
      region,
      credentials,
      maxAttempts: 1,
      endpoint: stopped.endpoint,
      requestHandler: own.requestHandlerFor(stopped.endpoint),
    });
    await stopped.close();
    await expect(client.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    client.destroy();
  });

  it('a DynamoDB in a worker thread answers injected faults, then the calls they let through', async () => {
    const own = new InProcessNetwork();
    const inWorker = await startDynamo({ network: own, worker: true });
    const client = new DynamoDBClient({
      region,
      credentials,
      maxAttempts: 1,
      endpoint: inWorker.endpoint,
      requestHandler: own.requestHandlerFor(inWorker.endpoint),
    });
    try {
      inWorker.injectFault({ operation: 'GetItem', code: 'ThrottlingException', times: 1 });
      inWorker.injectFault({ operation: 'PutItem', resource: 'other-table', code: 'InternalServerError' });
      const get = () => client.send(new GetItemCommand({ TableName: 'no-table', Key: { pk: { S: 'a' } } }));
      await expect(get()).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      // The PutItem rule is still there (faults are checked), the GetItem one is used up: dynalite answers.
      await expect(get()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      client.destroy();
      await inWorker.close();
    }
  });

  it('rejects an aborted call with AbortError', async () => {
    const client = clients('in-process').dynamodb;
    const controller = new AbortController();
    controller.abort();
    await expect(
      client.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } }), { abortSignal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    client.destroy();
  });
});
