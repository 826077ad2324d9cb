/**
 * A local SQS subset for dead-letter queues, on the AWS JSON 1.0 protocol the current SDK speaks to SQS
 * (`X-Amz-Target: AmazonSQS.<Operation>`): CreateQueue, GetQueueUrl, ListQueues, GetQueueAttributes,
 * SendMessage, ReceiveMessage, DeleteMessage, PurgeQueue, DeleteQueue. Standard queues only; messages
 * live in memory. Visibility timeouts and long polling run on the shared timeline.
 * API reference: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Timeline } from '../../emulator/runtime/timeline';
import { AwsError, FaultPlan, jsonProtocolHandler, listenLoopback, type FaultRule, type LoopbackServer } from '../http';

export interface LocalSqsOptions {
  readonly timeline: Timeline;
  readonly region?: string;
  readonly accountId?: string;
}

interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export interface StoredMessage {
  readonly MessageId: string;
  readonly Body: string;
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
  readonly SentTimestamp: number;
  receiveCount: number;
  firstReceived?: number;
  visibleAt: number;
  receiptHandle?: string;
}

interface Queue {
  readonly name: string;
  readonly arn: string;
  readonly created: number;
  readonly attributes: Record<string, string>;
  messages: StoredMessage[];
  readonly waiters: Set<() => void>;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** SQS's awsQueryCompatible error codes (the `x-amzn-query-error` header the SDK reads). */
const QUERY_ERRORS: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid;Sender',
  InvalidParameterValue: 'InvalidParameterValue;Sender',
  MissingParameter: 'MissingParameter;Sender',
};

export class LocalSqs {
  readonly region: string;
  readonly accountId: string;
  readonly timeline: Timeline;
  readonly faults = new FaultPlan();
  private readonly queues = new Map<string, Queue>();
  private server?: LoopbackServer;

  constructor(options: LocalSqsOptions) {
    this.timeline = options.timeline;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('LocalSqs is already listening');
    this.server = await listenLoopback(
      jsonProtocolHandler({
        targetPrefix: 'AmazonSQS.',
        contentType: 'application/x-amz-json-1.0',
        operations: this.operations(),
        faults: this.faults,
        resourceOf: (_op, input) =>
          typeof input.QueueUrl === 'string' ? input.QueueUrl.split('/').pop() : (input.QueueName as string | undefined),
        errorHeaders: (e) => (QUERY_ERRORS[e.code] ? { 'x-amzn-query-error': QUERY_ERRORS[e.code] } : undefined),
      }),
      port,
      host,
    );
    return this.server.url;
  }

  get endpoint(): string | undefined {
    return this.server?.url;
  }

  async close(): Promise<void> {
    for (const q of this.queues.values()) for (const wake of q.waiters) wake();
    await this.server?.close();
    this.server = undefined;
  }

  injectFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** In-process view of a queue's messages (visible or in flight), oldest first. */
  messages(queueName: string): readonly StoredMessage[] {
    return this.queues.get(queueName)?.messages ?? [];
  }

  /** Creates a queue in-process (the composing code, tests); same as CreateQueue. */
  createQueue(name: string, attributes: Record<string, string> = {}): { url: string; arn: string } {
    const q = this.create(name, attributes);
    return { url: this.urlOf(q), arn: q.arn };
  }

  // ------------------------------------------------------------ operations

  private operations(): Record<string, (input: Record<string, unknown>) => unknown> {
    return {
      CreateQueue: (i) => ({
        QueueUrl: this.urlOf(this.create(requireString(i, 'QueueName'), (i.Attributes as Record<string, string>) ?? {})),
      }),
      GetQueueUrl: (i) => ({ QueueUrl: this.urlOf(this.byName(requireString(i, 'QueueName'))) }),
      ListQueues: (i) => {
        const prefix = typeof i.QueueNamePrefix === 'string' ? i.QueueNamePrefix : '';
        return { QueueUrls: [...this.queues.values()].filter((q) => q.name.startsWith(prefix)).map((q) => this.urlOf(q)) };
      },
      GetQueueAttributes: (i) => this.getAttributes(this.byUrl(i), i.AttributeNames),
      SendMessage: (i) => this.send(this.byUrl(i), i),
      ReceiveMessage: (i) => this.receive(this.byUrl(i), i),
      DeleteMessage: (i) => this.deleteMessage(this.byUrl(i), requireString(i, 'ReceiptHandle')),
      PurgeQueue: (i) => {
        this.byUrl(i).messages = [];
        return {};
      },
      DeleteQueue: (i) => {
        this.queues.delete(this.byUrl(i).name);
        return {};
      },
    };
  }

  private create(name: string, attributes: Record<string, string>): Queue {
    if (!QUEUE_NAME.test(name)) {
      throw sqsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const existing = this.queues.get(name);
    if (existing) {
      const differs = Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== undefined && existing.attributes[k] !== v);
      if (differs)
        throw sqsError(
          'QueueAlreadyExists',
          `A queue already exists with the same name and a different value for attribute(s) ${Object.keys(attributes).join(', ')}`,
        );
      return existing;
    }
    const q: Queue = {
      name,
      arn: `arn:aws:sqs:${this.region}:${this.accountId}:${name}`,
      created: this.timeline.now(),
      attributes: {
        VisibilityTimeout: '30',
        MessageRetentionPeriod: '345600',
        DelaySeconds: '0',
        ReceiveMessageWaitTimeSeconds: '0',
        ...attributes,
      },
      messages: [],
      waiters: new Set(),
    };
    this.queues.set(name, q);
    return q;
  }

  /** Queue URLs name the endpoint the queue is served on (known once listening). */
  private urlOf(q: Queue): string {
    return `${this.server?.url ?? 'http://127.0.0.1'}/${this.accountId}/${q.name}`;
  }

  private byName(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  }

  private byUrl(i: Record<string, unknown>): Queue {
    const url = requireString(i, 'QueueUrl');
    return this.byName(url.split('/').pop() ?? '');
  }

  private getAttributes(q: Queue, names: unknown): object {
    const now = this.timeline.now();
    const all: Record<string, string> = {
      ...q.attributes,
      QueueArn: q.arn,
      CreatedTimestamp: String(Math.floor(q.created / 1000)),
      ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now).length),
      ApproximateNumberOfMessagesDelayed: '0',
    };
    const wanted = Array.isArray(names) ? (names as string[]) : [];
    if (wanted.length === 0) return {};
    if (wanted.includes('All')) return { Attributes: all };
    return { Attributes: Object.fromEntries(wanted.filter((n) => n in all).map((n) => [n, all[n]])) };
  }

  private send(q: Queue, i: Record<string, unknown>): object {
    const body = requireString(i, 'MessageBody');
    const attributes = (i.MessageAttributes as Record<string, MessageAttributeValue> | undefined) ?? {};
    for (const [name, value] of Object.entries(attributes)) {
      if (!value || typeof value.DataType !== 'string' || (value.StringValue === undefined && value.BinaryValue === undefined)) {
        throw sqsError(
          'InvalidParameterValue',
          `The message attribute '${name}' must contain a non-empty value of type '${value?.DataType ?? 'String'}'.`,
        );
      }
    }
    const message: StoredMessage = {
      MessageId: randomUUID(),
      Body: body,
      MessageAttributes: attributes,
      SentTimestamp: this.timeline.now(),
      receiveCount: 0,
      visibleAt: this.timeline.now(),
    };
    q.messages.push(message);
    for (const wake of q.waiters) wake();
    const out: Record<string, string> = { MessageId: message.MessageId, MD5OfMessageBody: md5(body) };
    if (Object.keys(attributes).length > 0) out.MD5OfMessageAttributes = md5OfAttributes(attributes);
    return out;
  }

  private async receive(q: Queue, i: Record<string, unknown>): Promise<object> {
    const max = typeof i.MaxNumberOfMessages === 'number' ? i.MaxNumberOfMessages : 1;
    if (!Number.isInteger(max) || max < 1 || max > 10)
      throw sqsError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    const visibility = typeof i.VisibilityTimeout === 'number' ? i.VisibilityTimeout : Number(q.attributes.VisibilityTimeout);
    const waitSeconds = typeof i.WaitTimeSeconds === 'number' ? i.WaitTimeSeconds : Number(q.attributes.ReceiveMessageWaitTimeSeconds);
    let picked = this.pick(q, max, visibility);
    if (picked.length === 0 && waitSeconds > 0) {
      await new Promise<void>((resolve) => {
        // A message arriving ends the wait and cancels its timer, so it does not pull virtual time forward.
        const stop = new AbortController();
        const wake = (): void => {
          q.waiters.delete(wake);
          stop.abort();
          resolve();
        };
        q.waiters.add(wake);
        void this.timeline.sleep(waitSeconds * 1000, stop.signal).then(wake);
      });
      picked = this.pick(q, max, visibility);
    }
    const wantAttributes = (i.MessageAttributeNames as string[] | undefined) ?? [];
    const allAttributes = wantAttributes.includes('All') || wantAttributes.includes('.*');
    // System attributes only when asked for (MessageSystemAttributeNames, or the older AttributeNames).
    const wantSystem = [
      ...((i.MessageSystemAttributeNames as string[] | undefined) ?? []),
      ...((i.AttributeNames as string[] | undefined) ?? []),
    ];
    return {
      Messages: picked.map((m) => {
        const attrs = Object.fromEntries(
          Object.entries(m.MessageAttributes).filter(([name]) => allAttributes || wantAttributes.includes(name)),
        );
        const system: Record<string, string> = {
          SentTimestamp: String(m.SentTimestamp),
          ApproximateReceiveCount: String(m.receiveCount),
          ApproximateFirstReceiveTimestamp: String(m.firstReceived),
        };
        const out: Record<string, unknown> = {
          MessageId: m.MessageId,
          ReceiptHandle: m.receiptHandle,
          Body: m.Body,
          MD5OfBody: md5(m.Body),
        };
        const systemPicked = wantSystem.includes('All')
          ? system
          : Object.fromEntries(Object.entries(system).filter(([k]) => wantSystem.includes(k)));
        if (Object.keys(systemPicked).length > 0) out.Attributes = systemPicked;
        if (Object.keys(attrs).length > 0) {
          out.MessageAttributes = attrs;
          out.MD5OfMessageAttributes = md5OfAttributes(attrs);
        }
        return out;
      }),
    };
  }

  private pick(q: Queue, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = this.timeline.now();
    const picked = q.messages.filter((m) => m.visibleAt <= now).slice(0, max);
    for (const m of picked) {
      m.receiveCount++;
      m.firstReceived ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      m.receiptHandle = Buffer.from(`${m.MessageId}:${randomUUID()}`).toString('base64url');
    }
    return picked;
  }

  private deleteMessage(q: Queue, handle: string): object {
    const index = q.messages.findIndex((m) => m.receiptHandle === handle);
    if (index < 0) {
      if (!Buffer.from(handle, 'base64url').toString('utf8').includes(':'))
        throw sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
      return {}; // an old handle of a message already deleted: SQS answers success
    }
    q.messages.splice(index, 1);
    return {};
  }
}

function requireString(i: Record<string, unknown>, field: string): string {
  const v = i[field];
  if (typeof v !== 'string' || v === '') throw sqsError('MissingParameter', `The request must contain the parameter ${field}.`);
  return v;
}

function sqsError(code: string, message: string): AwsError {
  return new AwsError(code, message, 400, `com.amazonaws.sqs#${code}`);
}

function md5(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/** https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation */
function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const lengthPrefixed = (b: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attributes).sort()) {
    const v = attributes[name];
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(v.DataType, 'utf8'));
    if (v.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(v.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(v.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}
