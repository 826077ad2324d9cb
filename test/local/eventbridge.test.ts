/**
 * The local EventBridge through @aws-sdk/client-eventbridge on loopback: buses, rules, targets, PutEvents
 * validation (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html), delivery of
 * the event envelope (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html) to
 * in-process targets and to Step Functions state machines on the project's engine, retries on the virtual
 * timeline (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html), and
 * fault injection.
 */
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../emulator/runtime/engine';
import { startServer, type RunningServer } from '../../emulator/api/server';
import { RealTimeline, VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalEventBridge, TargetError, type TargetInvocation } from '../../local/eventbridge';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const client = (endpoint: string) => new EventBridgeClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

async function started(options: Partial<ConstructorParameters<typeof LocalEventBridge>[0]> = {}) {
  const eb = new LocalEventBridge({ timeline: new VirtualTimeline(Date.parse('2026-12-01T10:00:00.250Z')), ...options });
  const endpoint = await eb.listen();
  return { eb, endpoint, events: client(endpoint) };
}

/** A rule on `bus` matching source `app` with one in-process target recording what it receives. */
async function ruleWithRecorder(
  eb: LocalEventBridge,
  events: EventBridgeClient,
  opts: { bus?: string; target?: object; fail?: (i: TargetInvocation) => void } = {},
) {
  const received: TargetInvocation[] = [];
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:recorder-${Math.random().toString(36).slice(2)}`;
  eb.addTargetHandler(arn, (i) => {
    opts.fail?.(i);
    received.push(i);
  });
  await events.send(new PutRuleCommand({ Name: 'r1', EventBusName: opts.bus, EventPattern: JSON.stringify({ source: ['app'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'r1', EventBusName: opts.bus, Targets: [{ Id: 't1', Arn: arn, ...opts.target }] }));
  return { received, arn };
}

describe('LocalEventBridge: buses and rules', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => (ctx = await started()));
  afterEach(() => ctx.eb.close());

  it('has the default bus; creates, describes, lists and deletes custom buses', async () => {
    const { events } = ctx;
    expect((await events.send(new DescribeEventBusCommand({}))).Arn).toBe('arn:aws:events:us-east-1:123456789012:event-bus/default');
    const created = await events.send(new CreateEventBusCommand({ Name: 'tenant-lifecycle' }));
    expect(created.EventBusArn).toBe('arn:aws:events:us-east-1:123456789012:event-bus/tenant-lifecycle');
    await expect(events.send(new CreateEventBusCommand({ Name: 'tenant-lifecycle' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    const names = (await events.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name);
    expect(names).toEqual(['default', 'tenant-lifecycle']);
    await expect(events.send(new DeleteEventBusCommand({ Name: 'default' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await events.send(new DeleteEventBusCommand({ Name: 'tenant-lifecycle' }));
    await expect(events.send(new DescribeEventBusCommand({ Name: 'tenant-lifecycle' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus tenant-lifecycle does not exist.',
    });
  });

  it('puts, describes, lists, disables, enables and deletes rules; rule ARNs name custom buses', async () => {
    const { events } = ctx;
    await events.send(new CreateEventBusCommand({ Name: 'b' }));
    const pattern = JSON.stringify({ source: ['saas.tenants'] });
    const put = await events.send(new PutRuleCommand({ Name: 'on-create', EventBusName: 'b', EventPattern: pattern }));
    expect(put.RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/b/on-create');
    const onDefault = await events.send(new PutRuleCommand({ Name: 'on-default', EventPattern: pattern }));
    expect(onDefault.RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/on-default');
    const described = await events.send(new DescribeRuleCommand({ Name: 'on-create', EventBusName: 'b' }));
    expect(described).toMatchObject({ Name: 'on-create', EventPattern: pattern, State: 'ENABLED', EventBusName: 'b' });
    await events.send(new DisableRuleCommand({ Name: 'on-create', EventBusName: 'b' }));
    expect((await events.send(new ListRulesCommand({ EventBusName: 'b' }))).Rules!.map((r) => [r.Name, r.State])).toEqual([
      ['on-create', 'DISABLED'],
    ]);
    await events.send(new EnableRuleCommand({ Name: 'on-create', EventBusName: 'b' }));
    expect((await events.send(new DescribeRuleCommand({ Name: 'on-create', EventBusName: 'b' }))).State).toBe('ENABLED');
    await expect(events.send(new DescribeRuleCommand({ Name: 'nope', EventBusName: 'b' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule nope does not exist on EventBus b.',
    });
    await events.send(
      new PutTargetsCommand({ Rule: 'on-create', EventBusName: 'b', Targets: [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }] }),
    );
    await expect(events.send(new DeleteRuleCommand({ Name: 'on-create', EventBusName: 'b' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await events.send(new RemoveTargetsCommand({ Rule: 'on-create', EventBusName: 'b', Ids: ['t'] }));
    await events.send(new DeleteRuleCommand({ Name: 'on-create', EventBusName: 'b' }));
    expect((await events.send(new ListRulesCommand({ EventBusName: 'b' }))).Rules).toEqual([]);
  });

  it('rejects an invalid pattern with InvalidEventPatternException naming the field', async () => {
    await expect(ctx.events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "aws.s3"}' }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringMatching(/^Event pattern is not valid\. Reason: .*"source"/),
    });
    await expect(ctx.events.send(new PutRuleCommand({ Name: 'none' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    });
  });

  it('validates targets: retry policy ranges, one input option, at most 5 targets', async () => {
    const { events } = ctx;
    await events.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["a"]}' }));
    const arn = 'arn:aws:sqs:us-east-1:123456789012:q';
    await expect(
      events.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: arn, RetryPolicy: { MaximumRetryAttempts: 186 } }] })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('MaximumRetryAttempts') });
    await expect(
      events.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: arn, RetryPolicy: { MaximumEventAgeInSeconds: 59 } }] })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('MaximumEventAgeInSeconds') });
    await expect(
      events.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: arn, Input: '{}', InputPath: '$.detail' }] })),
    ).rejects.toMatchObject({
      message: 'Only one of Input, InputPath, or InputTransformer must be provided for target t.',
    });
    await events.send(new PutTargetsCommand({ Rule: 'r', Targets: [1, 2, 3, 4, 5].map((n) => ({ Id: `t${n}`, Arn: arn })) }));
    await expect(events.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't6', Arn: arn }] }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: 'r' }));
    expect(listed.Targets!.map((t) => t.Id)).toEqual(['t1', 't2', 't3', 't4', 't5']);
  });

  it('tags rules and buses (TagResource, ListTagsForResource, UntagResource, Tags on PutRule)', async () => {
    const { events } = ctx;
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: 'tagged', EventPattern: '{"source":["a"]}', Tags: [{ Key: 'app', Value: 'tenants' }] }),
    );
    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'team', Value: 'platform' }] }));
    await events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['app'] }));
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([
      { Key: 'team', Value: 'platform' },
    ]);
    await expect(events.send(new ListTagsForResourceCommand({ ResourceARN: `${RuleArn}-x` }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('TestEventPattern answers whether the pattern matches the event', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '123456789012',
      source: 'saas.tenants',
      time: '2026-12-01T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'TenantCreated',
      detail: {},
    });
    expect((await ctx.events.send(new TestEventPatternCommand({ EventPattern: '{"source":["saas.tenants"]}', Event: event }))).Result).toBe(
      true,
    );
    expect((await ctx.events.send(new TestEventPatternCommand({ EventPattern: '{"source":["other"]}', Event: event }))).Result).toBe(false);
    await expect(
      ctx.events.send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('"id"'),
    });
  });

  it('keeps buses, rules and targets in dataDir across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eb-'));
    try {
      const first = await started({ dataDir: dir });
      await first.events.send(new CreateEventBusCommand({ Name: 'kept' }));
      await first.events.send(new PutRuleCommand({ Name: 'r', EventBusName: 'kept', EventPattern: '{"source":["a"]}' }));
      await first.events.send(
        new PutTargetsCommand({ Rule: 'r', EventBusName: 'kept', Targets: [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' }] }),
      );
      await first.eb.close();
      const second = await started({ dataDir: dir });
      expect((await second.events.send(new DescribeRuleCommand({ Name: 'r', EventBusName: 'kept' }))).EventPattern).toBe(
        '{"source":["a"]}',
      );
      expect(
        (await second.events.send(new ListTargetsByRuleCommand({ Rule: 'r', EventBusName: 'kept' }))).Targets!.map((t) => t.Id),
      ).toEqual(['t']);
      await second.eb.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LocalEventBridge: PutEvents', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => (ctx = await started()));
  afterEach(() => ctx.eb.close());

  it('rejects more than 10 entries as a whole request', async () => {
    const entry = { Source: 'app', DetailType: 'x', Detail: '{}' };
    await expect(ctx.events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 10'),
    });
  });

  it('rejects requests over 256 KB', async () => {
    const detail = JSON.stringify({ blob: 'x'.repeat(130 * 1024) });
    await expect(
      ctx.events.send(new PutEventsCommand({ Entries: [1, 2].map(() => ({ Source: 'app', DetailType: 'x', Detail: detail })) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
  });

  it('fails entries one by one with ErrorCode/ErrorMessage and counts them', async () => {
    const out = await ctx.events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app', DetailType: 'ok', Detail: '{"a":1}' },
          { DetailType: 'x', Detail: '{}' },
          { Source: 'app', DetailType: 'x', Detail: '[1]' },
          { Source: 'app', DetailType: 'x', Detail: 'not json' },
          { Source: 'aws.s3', DetailType: 'Object Created', Detail: '{}' },
          { Source: 'app', Detail: '{}' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries![0].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries!.slice(1).map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'InvalidArgument',
    ]);
    expect(out.Entries![1].ErrorMessage).toBe('Parameter Source is not valid. Reason: Source is a required argument.');
    expect(out.Entries![5].ErrorMessage).toBe('Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    expect(ctx.eb.acceptedEvents.map((a) => a.event.id)).toEqual([out.Entries![0].EventId]);
    expect(ctx.eb.rejectedEntries).toHaveLength(5);
  });

  it('an entry for a bus that does not exist gets an EventId and is dropped, as AWS does (aws/aws-sdk#186)', async () => {
    const { received } = await ruleWithRecorder(ctx.eb, ctx.events);
    const out = await ctx.events.send(
      new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}', EventBusName: 'tenant-lifecyle' }] }),
    );
    await ctx.eb.settled();
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries![0].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toEqual([]);
    expect(ctx.eb.acceptedEvents).toEqual([]);
    expect(ctx.eb.eventsToMissingBuses.map((e) => [e.busName, e.event.id])).toEqual([['tenant-lifecyle', out.Entries![0].EventId]]);
  });

  it('injected faults: a throttled request, then per-entry ThrottlingException / InternalFailure', async () => {
    ctx.eb.injectFault({ operation: 'PutEvents', code: 'ThrottlingException', message: 'Rate exceeded', times: 1 });
    const entry = { Source: 'app', DetailType: 'x', Detail: '{}' };
    await expect(ctx.events.send(new PutEventsCommand({ Entries: [entry] }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    ctx.eb.injectPutEventsEntryFailure({ code: 'ThrottlingException', times: 1 });
    ctx.eb.injectPutEventsEntryFailure({ code: 'InternalFailure', detailType: 'y', times: 1 });
    const out = await ctx.events.send(
      new PutEventsCommand({ Entries: [entry, entry, { ...entry, DetailType: 'y' }, { ...entry, DetailType: 'y' }] }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ThrottlingException', 'ok', 'InternalFailure', 'ok']);
    expect((await ctx.events.send(new PutEventsCommand({ Entries: [entry] }))).FailedEntryCount).toBe(0);
  });

  it('injected faults can be scoped to a bus', async () => {
    await ctx.events.send(new CreateEventBusCommand({ Name: 'tenant-lifecycle' }));
    ctx.eb.injectFault({ operation: 'PutEvents', resource: 'tenant-lifecycle', code: 'ThrottlingException', times: 1 });
    ctx.eb.injectPutEventsEntryFailure({ code: 'InternalFailure', eventBusName: 'tenant-lifecycle' });
    const onDefault = { Source: 'app', DetailType: 'x', Detail: '{}' };
    const onBus = { ...onDefault, EventBusName: 'tenant-lifecycle' };
    expect((await ctx.events.send(new PutEventsCommand({ Entries: [onDefault] }))).FailedEntryCount).toBe(0);
    await expect(ctx.events.send(new PutEventsCommand({ Entries: [onBus] }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    const out = await ctx.events.send(new PutEventsCommand({ Entries: [onDefault, onBus] }));
    expect(out.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InternalFailure']);
  });
});

describe('LocalEventBridge: delivery', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => (ctx = await started()));
  afterEach(() => ctx.eb.close());

  it('delivers the envelope as AWS does to the targets of matching, enabled rules on the entry bus', async () => {
    const { eb, events } = ctx;
    await events.send(new CreateEventBusCommand({ Name: 'tenant-lifecycle' }));
    const { received } = await ruleWithRecorder(eb, events, { bus: 'tenant-lifecycle' });
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'tenant-lifecycle',
            Source: 'app',
            DetailType: 'TenantCreated',
            Detail: '{"tenantId":"acme"}',
            Resources: ['arn:x'],
          },
          { EventBusName: 'tenant-lifecycle', Source: 'other', DetailType: 'TenantCreated', Detail: '{}' },
          { Source: 'app', DetailType: 'on the default bus', Detail: '{}' },
        ],
      }),
    );
    await eb.settled();
    expect(received).toHaveLength(1);
    const delivered = JSON.parse(received[0].input);
    expect(delivered).toEqual({
      version: '0',
      id: out.Entries![0].EventId,
      'detail-type': 'TenantCreated',
      source: 'app',
      account: '123456789012',
      time: '2026-12-01T10:00:00Z',
      region: 'us-east-1',
      resources: ['arn:x'],
      detail: { tenantId: 'acme' },
    });
    expect(received[0].ruleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/tenant-lifecycle/r1');
    expect(eb.deliveries.map((d) => [d.outcome, d.attempt])).toEqual([['delivered', 1]]);

    await events.send(new DisableRuleCommand({ Name: 'r1', EventBusName: 'tenant-lifecycle' }));
    await events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'tenant-lifecycle', Source: 'app', DetailType: 'x', Detail: '{}' }] }),
    );
    await eb.settled();
    expect(received).toHaveLength(1);
  });

  it('uses the entry Time when given (seconds precision)', async () => {
    const { received } = await ruleWithRecorder(ctx.eb, ctx.events);
    await ctx.events.send(
      new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}', Time: new Date('2025-01-02T03:04:05.678Z') }] }),
    );
    await ctx.eb.settled();
    expect(JSON.parse(received[0].input).time).toBe('2025-01-02T03:04:05Z');
  });

  it('applies InputPath and InputTransformer', async () => {
    const { eb, events } = ctx;
    const seen: string[] = [];
    eb.addTargetHandler('arn:aws:lambda:us-east-1:123456789012:function:f', (i) => void seen.push(`${i.targetId}=${i.input}`));
    await events.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["app"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'r',
        Targets: [
          { Id: 'a', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', InputPath: '$.detail' },
          {
            Id: 'b',
            Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
            InputTransformer: {
              InputPathsMap: { tenant: '$.detail.tenantId', n: '$.detail.n' },
              InputTemplate: '{"id": <tenant>, "text": "tenant <tenant> has <n>", "n": <n>}',
            },
          },
          { Id: 'c', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', Input: '{"fixed":true}' },
        ],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{"tenantId":"acme","n":3}' }] }));
    await eb.settled();
    expect(seen.sort()).toEqual([
      'a={"tenantId":"acme","n":3}',
      'b={"id": "acme", "text": "tenant acme has 3", "n": 3}',
      'c={"fixed":true}',
    ]);
  });

  it('delivers AWS service events (publishServiceEvent) on the default bus', async () => {
    const { eb, events } = ctx;
    const received: TargetInvocation[] = [];
    eb.addTargetHandler('arn:aws:lambda:us-east-1:123456789012:function:s3', (i) => void received.push(i));
    await events.send(
      new PutRuleCommand({ Name: 'objects', EventPattern: JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'] }) }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: 'objects', Targets: [{ Id: 't', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:s3' }] }),
    );
    eb.publishServiceEvent({
      source: 'aws.s3',
      detailType: 'Object Created',
      detail: { bucket: { name: 'b' } },
      resources: ['arn:aws:s3:::b'],
      account: '123456789012',
      region: 'us-east-1',
      time: Date.parse('2026-12-01T11:00:00.999Z'),
    });
    await eb.settled();
    expect(JSON.parse(received[0].input)).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      time: '2026-12-01T11:00:00Z',
      resources: ['arn:aws:s3:::b'],
    });
    expect(eb.acceptedEvents[0]).toMatchObject({ busName: 'default', via: 'service', matchedRules: ['objects'] });
  });

  it('retries a failing target with growing backoff on the timeline, then delivers', async () => {
    const timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
    const local = await started({ timeline, random: () => 0.5 });
    try {
      let calls = 0;
      const { received } = await ruleWithRecorder(local.eb, local.events, {
        fail: () => {
          if (++calls <= 4) throw new TargetError('ThrottlingException', 'Rate exceeded');
        },
      });
      await local.events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}' }] }));
      await local.eb.settled();
      expect(received).toHaveLength(1);
      const log = local.eb.deliveries;
      expect(log.map((d) => d.outcome)).toEqual(['attempt-failed', 'attempt-failed', 'attempt-failed', 'attempt-failed', 'delivered']);
      const gaps = log.slice(1).map((d, i) => d.time - log[i].time);
      // Exponential: each wait longer than the one before it.
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
      expect(log[0].errorCode).toBe('ThrottlingException');
    } finally {
      await local.eb.close();
    }
  });

  it('gives up after MaximumEventAgeInSeconds (2 hours of retries, on the virtual timeline) and drops without a dead-letter queue', async () => {
    const timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
    const local = await started({ timeline });
    try {
      await ruleWithRecorder(local.eb, local.events, {
        target: { RetryPolicy: { MaximumEventAgeInSeconds: 7200 } },
        fail: () => {
          throw new TargetError('ServiceUnavailable', 'down');
        },
      });
      const start = timeline.now();
      await local.events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}' }] }));
      await local.eb.settled();
      const log = local.eb.deliveries;
      const last = log[log.length - 1];
      expect(last).toMatchObject({
        outcome: 'dropped',
        exhaustedRetryCondition: 'MaximumEventAgeExhausted',
        errorCode: 'ServiceUnavailable',
      });
      expect(log.filter((d) => d.outcome === 'attempt-failed').length).toBeGreaterThan(10);
      expect(timeline.now() - start).toBeGreaterThan(1.5 * 3600_000);
      expect(timeline.now() - start).toBeLessThanOrEqual(7200_000);
    } finally {
      await local.eb.close();
    }
  });

  it('gives up after MaximumRetryAttempts; does not retry non-retriable failures', async () => {
    const { eb, events } = ctx;
    await ruleWithRecorder(eb, events, {
      target: { RetryPolicy: { MaximumRetryAttempts: 2 } },
      fail: (i) => {
        throw new TargetError(
          i.event['detail-type'] === 'fatal' ? 'ResourceNotFoundException' : 'ThrottlingException',
          'no',
          i.event['detail-type'] !== 'fatal',
        );
      },
    });
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}' }] }));
    await eb.settled();
    expect(eb.deliveries.map((d) => d.outcome)).toEqual(['attempt-failed', 'attempt-failed', 'attempt-failed', 'dropped']);
    expect(eb.deliveries[3]).toMatchObject({ exhaustedRetryCondition: 'MaximumRetryAttemptsExhausted', attempt: 3 });
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'fatal', Detail: '{}' }] }));
    await eb.settled();
    expect(eb.deliveries.slice(4).map((d) => d.outcome)).toEqual(['attempt-failed', 'dropped']);
    expect(eb.deliveries[5].exhaustedRetryCondition).toBeUndefined();
  });

  it('shaped deliveries: a late event is overtaken by a later one; a duplicated event arrives twice', async () => {
    const timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
    const local = await started({ timeline });
    try {
      const { received, arn } = await ruleWithRecorder(local.eb, local.events);
      local.eb.shapeDeliveries({ targetArn: arn, delayMs: 60_000, match: (e) => e['detail-type'] === 'release-1' });
      local.eb.shapeDeliveries({ targetArn: arn, duplicate: true, match: (e) => e['detail-type'] === 'release-2' });
      // One request: the test's own calls are not tracked, so virtual time could pass between two.
      await local.events.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'app', DetailType: 'release-1', Detail: '{}' },
            { Source: 'app', DetailType: 'release-2', Detail: '{}' },
          ],
        }),
      );
      await local.eb.settled();
      expect(received.map((r) => r.event['detail-type'])).toEqual(['release-2', 'release-2', 'release-1']);
      const late = local.eb.deliveries.find((d) => d.outcome === 'delivered' && d.eventId === received[2].event.id)!;
      expect(late.time - Date.parse('2026-12-01T10:00:00Z')).toBe(60_000);
    } finally {
      await local.eb.close();
    }
  });

  it('injected target failures fail the next deliveries, then clear', async () => {
    const { eb, events } = ctx;
    const { received, arn } = await ruleWithRecorder(eb, events);
    eb.injectTargetFailure({ targetArn: arn, code: 'ThrottlingException', times: 2 });
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}' }] }));
    await eb.settled();
    expect(eb.deliveries.map((d) => d.outcome)).toEqual(['attempt-failed', 'attempt-failed', 'delivered']);
    expect(received.map((r) => r.attempt)).toEqual([3]);
  });
});

describe('LocalEventBridge → Step Functions (the project engine)', () => {
  let sfnServer: RunningServer;
  let sfn: SFNClient;
  let stateMachineArn: string;
  beforeAll(async () => {
    sfnServer = await startServer({ engine: new Engine(), port: 0 });
    sfn = new SFNClient({ endpoint: sfnServer.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    stateMachineArn = (
      await sfn.send(new CreateStateMachineCommand({ name: 'on-event', definition, roleArn: 'arn:aws:iam::123456789012:role/r' }))
    ).stateMachineArn!;
  });
  afterAll(async () => {
    sfn.destroy();
    await sfnServer.close();
  });

  it('starts an execution whose input is the delivered event', async () => {
    const eb = new LocalEventBridge({ timeline: new RealTimeline(), endpoints: { sfn: sfnServer.url } });
    const events = client(await eb.listen());
    try {
      await events.send(
        new PutRuleCommand({ Name: 'start', EventPattern: JSON.stringify({ source: ['saas.tenants'], 'detail-type': ['TenantCreated'] }) }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: 'start',
          Targets: [{ Id: 'sm', Arn: stateMachineArn, RoleArn: 'arn:aws:iam::123456789012:role/events' }],
        }),
      );
      const out = await events.send(
        new PutEventsCommand({ Entries: [{ Source: 'saas.tenants', DetailType: 'TenantCreated', Detail: '{"tenantId":"acme"}' }] }),
      );
      await eb.settled();
      const delivery = eb.deliveries.find((d) => d.outcome === 'delivered')!;
      const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions!;
      expect(executions.map((e) => e.executionArn)).toContain(delivery.result);
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: delivery.result as string }));
      const input = JSON.parse(described.input!);
      expect(input.id).toBe(out.Entries![0].EventId);
      expect(input).toEqual(eb.acceptedEvents[0].event);
      expect(input.detail).toEqual({ tenantId: 'acme' });
    } finally {
      events.destroy();
      await eb.close();
    }
  });

  it('a state machine that does not exist fails the delivery without retries', async () => {
    const eb = new LocalEventBridge({ timeline: new VirtualTimeline(), endpoints: { sfn: sfnServer.url } });
    const events = client(await eb.listen());
    try {
      await events.send(new PutRuleCommand({ Name: 'start', EventPattern: '{"source":["a"]}' }));
      await events.send(new PutTargetsCommand({ Rule: 'start', Targets: [{ Id: 'sm', Arn: `${stateMachineArn}-gone` }] }));
      await events.send(new PutEventsCommand({ Entries: [{ Source: 'a', DetailType: 'x', Detail: '{}' }] }));
      await eb.settled();
      expect(eb.deliveries.map((d) => [d.outcome, d.errorCode])).toEqual([
        ['attempt-failed', 'StateMachineDoesNotExist'],
        ['dropped', 'StateMachineDoesNotExist'],
      ]);
    } finally {
      events.destroy();
      await eb.close();
    }
  });
});
