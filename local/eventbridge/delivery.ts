/**
 * Delivery of one matched event to one rule target, as EventBridge does it: invoke the target; on a
 * retriable failure retry with exponential backoff and jitter until the target's RetryPolicy runs out
 * (MaximumRetryAttempts, default 185; MaximumEventAgeInSeconds, default 86,400:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html), then send the
 * event to the target's dead-letter queue with the documented message attributes (ERROR_CODE,
 * ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html), or drop it when the target
 * has none. Non-retriable failures (the target does not exist, access denied, bad input) go to the
 * dead-letter queue at once, as the same page describes.
 *
 * Waits run on the shared timeline (a day of retries passes instantly on a VirtualTimeline); every call
 * in flight is `timeline.track`ed so virtual time stands still while a target answers.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Timeline } from '../../emulator/runtime/timeline';
import { FaultPlan } from '../http';
import type { InProcessNetwork } from '../in-process';

export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly [extra: string]: unknown;
}

export interface TargetInvocation {
  readonly targetArn: string;
  readonly targetId: string;
  readonly ruleArn: string;
  readonly roleArn?: string;
  /** What the target receives (the event JSON unless Input/InputPath/InputTransformer say otherwise). */
  readonly input: string;
  readonly event: EventEnvelope;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** An in-process target: return to succeed, throw (a TargetError to choose the code and retriability) to fail. */
export type TargetHandler = (invocation: TargetInvocation) => unknown;

export class TargetError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = code;
  }
}

export type DeliveryOutcome = 'delivered' | 'attempt-failed' | 'dead-lettered' | 'dropped';

/** One line of the delivery log: every attempt, and how each delivery ended. */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly busName: string;
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly outcome: DeliveryOutcome;
  readonly attempt: number;
  /** Timeline time (ms since the epoch). */
  readonly time: number;
  readonly input?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** `MaximumRetryAttemptsExhausted` / `MaximumEventAgeExhausted`, absent for non-retriable failures. */
  readonly exhaustedRetryCondition?: string;
  readonly deadLetterArn?: string;
  /** What the target returned (a Step Functions executionArn, an SQS MessageId). */
  readonly result?: unknown;
}

export interface RetryPolicy {
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
}

export interface DeliveryTarget {
  readonly busName: string;
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly roleArn?: string;
  readonly input: string;
  readonly retryPolicy?: RetryPolicy;
  readonly deadLetterArn?: string;
}

export interface DeliveryShaping {
  /** The target ARN (`*` or absent for any). */
  readonly targetArn?: string;
  /** Only events this predicate accepts. */
  readonly match?: (event: EventEnvelope) => boolean;
  /** Wait this long on the timeline before the first attempt. */
  readonly delayMs?: number;
  /** Deliver the event twice. */
  readonly duplicate?: boolean;
  /** How many matching deliveries (default 1). */
  readonly times?: number;
}

export interface BackoffOptions {
  /** First retry waits about this long (default 1,000 ms), doubling per retry... */
  readonly baseMs?: number;
  /** ...up to this (default 300,000 ms). */
  readonly capMs?: number;
}

export interface DelivererOptions {
  readonly timeline: Timeline;
  readonly region: string;
  /** Endpoints the SDK targets go to: `sfn` for state machines, `sqs` for queues and dead-letter queues. */
  readonly endpoints: { readonly sfn?: string; readonly sqs?: string };
  readonly backoff?: BackoffOptions;
  /** Random source for the jitter, [0, 1) (tests pass a fixed one). */
  readonly random?: () => number;
  /** Targets whose service answers in process are called without a socket (local/in-process.ts). */
  readonly network?: InProcessNetwork;
}

const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;
const NON_RETRIABLE = new Set([
  'ResourceNotFoundException',
  'StateMachineDoesNotExist',
  'StateMachineDeleting',
  'InvalidArn',
  'InvalidExecutionInput',
  'InvalidName',
  'AccessDeniedException',
  'ValidationException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NoTargetForArn',
]);
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export class Deliverer {
  readonly log: DeliveryRecord[] = [];
  /** Keep about this many newest log lines (a large simulated fleet); unlimited when undefined. */
  logLimit?: number;
  /** Injected target failures: operation = target ARN or `*`, resource unused. */
  readonly targetFaults = new FaultPlan();
  private readonly handlers: { matches: (arn: string) => boolean; handler: TargetHandler }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private sfn?: SFNClient;
  private sqs?: SQSClient;
  private readonly queueUrls = new Map<string, string>();

  private endpoints: { sfn?: string; sqs?: string };

  constructor(private readonly options: DelivererOptions) {
    this.endpoints = { ...options.endpoints };
  }

  /** Changes where SDK-backed targets are; clients are re-created on next use. */
  setEndpoints(endpoints: { sfn?: string; sqs?: string }): void {
    this.endpoints = { ...this.endpoints, ...endpoints };
    this.close();
    this.sfn = undefined;
    this.sqs = undefined;
    this.queueUrls.clear();
  }

  addHandler(matcher: string | ((arn: string) => boolean), handler: TargetHandler): void {
    const matches = typeof matcher === 'string' ? (arn: string) => arn.startsWith(matcher) : matcher;
    this.handlers.unshift({ matches, handler });
  }

  /** Starts delivering in the background; `settled()` waits for every delivery started so far. */
  start(target: DeliveryTarget, event: EventEnvelope): void {
    const shaping = this.takeShaping(target, event);
    for (let copy = 0; copy < (shaping.duplicate ? 2 : 1); copy++) {
      const run = this.deliver(target, event, shaping.delayMs).catch(() => undefined);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }
  }

  /**
   * Late and repeated deliveries, as EventBridge may make them (at-least-once, no order): the next
   * matching deliveries wait `delayMs` on the timeline before their first attempt, or are delivered twice.
   */
  addShaping(rule: DeliveryShaping): void {
    if (!(rule.delayMs === undefined || rule.delayMs >= 0) || (rule.delayMs === undefined && !rule.duplicate)) {
      throw new Error('DeliveryShaping needs delayMs >= 0 or duplicate: true');
    }
    this.shaping.push({ rule, left: rule.times ?? 1 });
  }

  clearShaping(): void {
    this.shaping.length = 0;
  }

  private readonly shaping: { rule: DeliveryShaping; left: number }[] = [];

  private record(line: DeliveryRecord): void {
    this.log.push(line);
    if (this.logLimit !== undefined) keepNewest(this.log, this.logLimit);
  }

  private takeShaping(target: DeliveryTarget, event: EventEnvelope): { delayMs: number; duplicate: boolean } {
    const idx = this.shaping.findIndex(
      ({ rule }) =>
        (rule.targetArn === undefined || rule.targetArn === '*' || rule.targetArn === target.targetArn) &&
        (!rule.match || rule.match(event)),
    );
    if (idx < 0) return { delayMs: 0, duplicate: false };
    const slot = this.shaping[idx];
    if (--slot.left <= 0) this.shaping.splice(idx, 1);
    return { delayMs: slot.rule.delayMs ?? 0, duplicate: slot.rule.duplicate ?? false };
  }

  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  close(): void {
    this.sfn?.destroy();
    this.sqs?.destroy();
  }

  private async deliver(target: DeliveryTarget, event: EventEnvelope, delayMs = 0): Promise<void> {
    const { timeline } = this.options;
    if (delayMs > 0) await timeline.sleep(delayMs);
    const maxRetries = target.retryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (target.retryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    const receivedAt = timeline.now();
    const base = {
      eventId: event.id,
      busName: target.busName,
      ruleName: target.ruleName,
      ruleArn: target.ruleArn,
      targetId: target.targetId,
      targetArn: target.targetArn,
    };
    for (let attempt = 1; ; attempt++) {
      let failure: TargetError;
      try {
        const result = await timeline.track(this.invoke(target, event, attempt));
        this.record({ ...base, outcome: 'delivered', attempt, time: timeline.now(), input: target.input, result });
        return;
      } catch (e) {
        failure = toTargetError(e);
      }
      this.record({
        ...base,
        outcome: 'attempt-failed',
        attempt,
        time: timeline.now(),
        errorCode: failure.code,
        errorMessage: failure.message,
      });
      const retries = attempt - 1;
      let exhausted: string | undefined;
      if (failure.retryable) {
        const delay = this.backoff(retries);
        if (retries >= maxRetries) exhausted = 'MaximumRetryAttemptsExhausted';
        else if (timeline.now() + delay - receivedAt > maxAgeMs) exhausted = 'MaximumEventAgeExhausted';
        else {
          await timeline.sleep(delay);
          continue;
        }
      }
      await this.giveUp(target, event, base, attempt, failure, exhausted);
      return;
    }
  }

  private async giveUp(
    target: DeliveryTarget,
    event: EventEnvelope,
    base: Omit<DeliveryRecord, 'outcome' | 'attempt' | 'time'>,
    attempt: number,
    failure: TargetError,
    exhausted: string | undefined,
  ): Promise<void> {
    const { timeline } = this.options;
    const ended = { ...base, attempt, errorCode: failure.code, errorMessage: failure.message, exhaustedRetryCondition: exhausted };
    if (!target.deadLetterArn) {
      this.record({ ...ended, outcome: 'dropped', time: timeline.now() });
      return;
    }
    const attributes: Record<string, string> = {
      RULE_ARN: target.ruleArn,
      TARGET_ARN: target.targetArn,
      ERROR_CODE: failure.code,
      ERROR_MESSAGE: failure.message,
      RETRY_ATTEMPTS: String(attempt - 1),
    };
    if (exhausted) attributes.EXHAUSTED_RETRY_CONDITION = exhausted;
    try {
      const messageId = await timeline.track(this.sendToQueue(target.deadLetterArn, JSON.stringify(event), attributes));
      this.record({ ...ended, outcome: 'dead-lettered', time: timeline.now(), deadLetterArn: target.deadLetterArn, result: messageId });
    } catch (e) {
      const dlqError = toTargetError(e);
      this.record({
        ...ended,
        outcome: 'dropped',
        time: timeline.now(),
        deadLetterArn: target.deadLetterArn,
        errorMessage: `${failure.message}; the dead-letter queue refused the event too: ${dlqError.code}: ${dlqError.message}`,
      });
    }
  }

  /** Exponential backoff with equal jitter: half the doubled delay, plus a random part of the other half. */
  private backoff(retries: number): number {
    const baseMs = this.options.backoff?.baseMs ?? 1000;
    const capMs = this.options.backoff?.capMs ?? 300_000;
    const full = Math.min(capMs, baseMs * 2 ** Math.min(retries, 30));
    const random = this.options.random ?? Math.random;
    return Math.round(full / 2 + random() * (full / 2));
  }

  private async invoke(target: DeliveryTarget, event: EventEnvelope, attempt: number): Promise<unknown> {
    const fault = this.targetFaults.take(target.targetArn) ?? this.targetFaults.take('*');
    if (fault) throw new TargetError(fault.code, fault.message ?? `Injected target failure: ${fault.code}`, !NON_RETRIABLE.has(fault.code));
    const invocation: TargetInvocation = {
      targetArn: target.targetArn,
      targetId: target.targetId,
      ruleArn: target.ruleArn,
      roleArn: target.roleArn,
      input: target.input,
      event,
      attempt,
    };
    const custom = this.handlers.find((h) => h.matches(target.targetArn));
    if (custom) return await custom.handler(invocation);
    const service = target.targetArn.split(':')[2];
    if (service === 'states') return this.startExecution(target.targetArn, target.input);
    if (service === 'sqs') return this.sendToQueue(target.targetArn, target.input, {});
    throw new TargetError(
      'NoTargetForArn',
      `The local EventBridge cannot invoke ${target.targetArn}: no handler for this target type`,
      false,
    );
  }

  private async startExecution(stateMachineArn: string, input: string): Promise<string> {
    if (!this.endpoints.sfn) throw new TargetError('NoTargetForArn', 'No Step Functions endpoint configured (endpoints.sfn)', false);
    this.sfn ??= new SFNClient({
      endpoint: this.endpoints.sfn,
      region: this.options.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
      ...this.options.network?.clientConfigFor(this.endpoints.sfn),
    });
    const out = await this.sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
    return out.executionArn ?? '';
  }

  private async sendToQueue(queueArn: string, body: string, attributes: Record<string, string>): Promise<string | undefined> {
    if (!this.endpoints.sqs) throw new TargetError('NoTargetForArn', 'No SQS endpoint configured (endpoints.sqs)', false);
    this.sqs ??= new SQSClient({
      endpoint: this.endpoints.sqs,
      region: this.options.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
      ...this.options.network?.clientConfigFor(this.endpoints.sqs),
    });
    let url = this.queueUrls.get(queueArn);
    if (!url) {
      const [, , , , account, name] = queueArn.split(':');
      url = (await this.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))).QueueUrl!;
      this.queueUrls.set(queueArn, url);
    }
    const messageAttributes = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
    const out = await this.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: messageAttributes }));
    return out.MessageId;
  }
}

function toTargetError(e: unknown): TargetError {
  if (e instanceof TargetError) return e;
  const err = e as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const code = err?.code && /^E[A-Z]+$/.test(err.code) ? err.code : (err?.name ?? 'Error');
  const status = err?.$metadata?.httpStatusCode;
  const retryable =
    !NON_RETRIABLE.has(code) &&
    (status === undefined || status >= 500 || status === 429 || /Throttl|Limit|Unavailable|Timeout/i.test(code));
  return new TargetError(code, err?.message ?? String(e), retryable);
}

/** Drops the oldest entries once `list` holds twice `max` (amortized: one splice per `max` pushes). */
export function keepNewest(list: unknown[], max: number): void {
  if (list.length > 2 * max) list.splice(0, list.length - max);
}
