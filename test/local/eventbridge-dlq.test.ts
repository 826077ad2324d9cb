/**
 * Dead-letter queues for EventBridge targets, on the local SQS, through @aws-sdk/client-sqs and
 * @aws-sdk/client-eventbridge on loopback. What EventBridge sends to the DLQ:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html (the event as body; message
 * attributes ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN).
 * SQS operations: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/.
 */
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { RealTimeline, VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalEventBridge, TargetError } from '../../local/eventbridge';
import { LocalSqs } from '../../local/sqs';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('local SQS (the subset dead-letter queues need)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let timeline: VirtualTimeline;
  beforeEach(async () => {
    timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
    sqs = new LocalSqs({ timeline });
    client = new SQSClient({ endpoint: await sqs.listen(), region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await sqs.close();
  });

  it('creates queues, sends, receives with attributes, counts and deletes messages', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'tenant-dlq' }));
    expect(QueueUrl).toBe(`${sqs.endpoint}/123456789012/tenant-dlq`);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'tenant-dlq' }))).QueueUrl).toBe(QueueUrl);
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"a":1}',
        MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'X' } },
      }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const count = async () =>
      (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'QueueArn'] })))
        .Attributes;
    expect(await count()).toEqual({ ApproximateNumberOfMessages: '1', QueueArn: 'arn:aws:sqs:us-east-1:123456789012:tenant-dlq' });
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MaxNumberOfMessages: 10 }));
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages![0]).toMatchObject({
      Body: '{"a":1}',
      MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'X' } },
    });
    // In flight: not visible until the visibility timeout passes or it is deleted.
    expect((await count())!.ApproximateNumberOfMessages).toBe('0');
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0].ReceiptHandle }));
    expect(sqs.messages('tenant-dlq')).toEqual([]);
  });

  it('a message not deleted becomes visible again after the visibility timeout (on the timeline)', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'q' }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }));
    await timeline.sleep(31_000);
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['All'] }));
    expect(again.Messages![0].Attributes!.ApproximateReceiveCount).toBe('2');
  });

  it('long polling with nothing to receive waits WaitTimeSeconds on the timeline', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'lp' }));
    const start = timeline.now();
    const empty = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    expect(empty.Messages ?? []).toEqual([]);
    expect(timeline.now() - start).toBe(20_000);
  });

  it('a message arriving ends a long poll early (wall-clock timeline)', async () => {
    const real = new LocalSqs({ timeline: new RealTimeline() });
    const realClient = new SQSClient({ endpoint: await real.listen(), region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const { QueueUrl } = await realClient.send(new CreateQueueCommand({ QueueName: 'lp' }));
      const waiting = realClient.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
      await new Promise((r) => setTimeout(r, 50));
      await realClient.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' }));
      expect((await waiting).Messages!.map((m) => m.Body)).toEqual(['late']);
    } finally {
      realClient.destroy();
      await real.close();
    }
  });

  it('unknown queues answer QueueDoesNotExist', async () => {
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'missing' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });
});

describe('EventBridge → dead-letter queue', () => {
  let sqs: LocalSqs;
  let eb: LocalEventBridge;
  let events: EventBridgeClient;
  let sqsClient: SQSClient;
  let timeline: VirtualTimeline;
  const failingArn = 'arn:aws:lambda:us-east-1:123456789012:function:always-down';

  beforeEach(async () => {
    timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
    sqs = new LocalSqs({ timeline });
    const sqsEndpoint = await sqs.listen();
    sqsClient = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    eb = new LocalEventBridge({ timeline, endpoints: { sqs: sqsEndpoint } });
    events = new EventBridgeClient({ endpoint: await eb.listen(), region: 'us-east-1', credentials, maxAttempts: 1 });
    eb.addTargetHandler(failingArn, (i) => {
      throw new TargetError(
        i.event['detail-type'] === 'gone' ? 'ResourceNotFoundException' : 'ThrottlingException',
        'Rate exceeded',
        i.event['detail-type'] !== 'gone',
      );
    });
    sqs.createQueue('tenant-events-dlq');
    await events.send(new PutRuleCommand({ Name: 'on-tenant', EventPattern: '{"source":["saas.tenants"]}' }));
  });
  afterEach(async () => {
    events.destroy();
    sqsClient.destroy();
    await eb.close();
    await sqs.close();
  });

  it('after the retries run out, the event goes to the DLQ with the documented attributes', async () => {
    await events.send(
      new PutTargetsCommand({
        Rule: 'on-tenant',
        Targets: [
          {
            Id: 'workflow',
            Arn: failingArn,
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:tenant-events-dlq' },
          },
        ],
      }),
    );
    const out = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'saas.tenants', DetailType: 'TenantCreated', Detail: '{"tenantId":"acme"}' }] }),
    );
    await eb.settled();
    const { QueueUrl } = await sqsClient.send(new GetQueueUrlCommand({ QueueName: 'tenant-events-dlq' }));
    const received = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
    expect(received.Messages).toHaveLength(1);
    const message = received.Messages![0];
    expect(JSON.parse(message.Body!)).toEqual(eb.acceptedEvents[0].event);
    expect(JSON.parse(message.Body!).id).toBe(out.Entries![0].EventId);
    const attrs = Object.fromEntries(Object.entries(message.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toEqual({
      RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/on-tenant',
      TARGET_ARN: failingArn,
      ERROR_CODE: 'ThrottlingException',
      ERROR_MESSAGE: 'Rate exceeded',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
      RETRY_ATTEMPTS: '3',
    });
    const last = eb.deliveries[eb.deliveries.length - 1];
    expect(last).toMatchObject({
      outcome: 'dead-lettered',
      deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:tenant-events-dlq',
      result: message.MessageId,
    });
  });

  it('a non-retriable failure goes to the DLQ at once, without EXHAUSTED_RETRY_CONDITION', async () => {
    await events.send(
      new PutTargetsCommand({
        Rule: 'on-tenant',
        Targets: [{ Id: 'w', Arn: failingArn, DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:tenant-events-dlq' } }],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'saas.tenants', DetailType: 'gone', Detail: '{}' }] }));
    await eb.settled();
    const [message] = sqs.messages('tenant-events-dlq');
    expect(Object.keys(message.MessageAttributes).sort()).toEqual([
      'ERROR_CODE',
      'ERROR_MESSAGE',
      'RETRY_ATTEMPTS',
      'RULE_ARN',
      'TARGET_ARN',
    ]);
    expect(message.MessageAttributes.RETRY_ATTEMPTS.StringValue).toBe('0');
    expect(eb.deliveries.map((d) => d.outcome)).toEqual(['attempt-failed', 'dead-lettered']);
  });

  it('a DLQ that does not exist: the event is dropped and the log says why', async () => {
    await events.send(
      new PutTargetsCommand({
        Rule: 'on-tenant',
        Targets: [{ Id: 'w', Arn: failingArn, DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:no-such-queue' } }],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'saas.tenants', DetailType: 'gone', Detail: '{}' }] }));
    await eb.settled();
    const last = eb.deliveries[eb.deliveries.length - 1];
    expect(last.outcome).toBe('dropped');
    expect(last.errorMessage).toMatch(/dead-letter queue refused the event too: QueueDoesNotExist/);
  });

  it('delivers to an SQS queue target (the event JSON as body)', async () => {
    sqs.createQueue('audit');
    await events.send(
      new PutTargetsCommand({ Rule: 'on-tenant', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:123456789012:audit' }] }),
    );
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'saas.tenants', DetailType: 'TenantDeleted', Detail: '{"tenantId":"acme"}' }] }),
    );
    await eb.settled();
    expect(sqs.messages('audit').map((m) => JSON.parse(m.Body)['detail-type'])).toEqual(['TenantDeleted']);
  });
});
