/**
 * LocalEventBridge's bounded in-process records (a simulated fleet puts millions of events through
 * the bus) and its call listener (the fleet bench counts API calls at the services).
 */
import { EventBridgeClient, ListRulesCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalEventBridge } from '../../local/eventbridge';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function started(recordLimit?: number) {
  const eb = new LocalEventBridge({ timeline: new VirtualTimeline(Date.UTC(2026, 11, 1)), recordLimit });
  const endpoint = await eb.listen();
  return { eb, events: new EventBridgeClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }) };
}

test('with a record limit, acceptedEvents and deliveries keep about the newest entries (at most twice the limit), every event still delivered', async () => {
  const { eb, events } = await started(5);
  try {
    const received: number[] = [];
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:recorder';
    eb.addTargetHandler(arn, (i) => void received.push((i.event.detail as { n: number }).n));
    await events.send(new PutRuleCommand({ Name: 'r', EventPattern: JSON.stringify({ source: ['app'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: arn }] }));
    for (let n = 0; n < 40; n += 10) {
      const Entries = Array.from({ length: 10 }, (_, i) => ({ Source: 'app', DetailType: 'x', Detail: JSON.stringify({ n: n + i }) }));
      await events.send(new PutEventsCommand({ Entries }));
    }
    await eb.settled();
    expect(received.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(eb.acceptedEvents.length).toBeGreaterThanOrEqual(5);
    expect(eb.acceptedEvents.length).toBeLessThanOrEqual(10);
    // The newest is kept.
    expect((eb.acceptedEvents.at(-1)!.event.detail as { n: number }).n).toBe(39);
    expect(eb.deliveries.length).toBeLessThanOrEqual(10);
    expect(() => eb.setRecordLimit(0)).toThrow('recordLimit must be a whole number >= 1, got 0');
  } finally {
    await eb.close();
  }
});

test('without a limit every record is kept; the call listener sees every operation answered', async () => {
  const { eb, events } = await started();
  try {
    const seen: string[] = [];
    eb.addCallListener((operation) => seen.push(operation));
    await events.send(new ListRulesCommand({}));
    for (let i = 0; i < 3; i++) await events.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}' }] }));
    expect(seen).toEqual(['ListRules', 'PutEvents', 'PutEvents', 'PutEvents']);
    expect(eb.acceptedEvents).toHaveLength(3);
  } finally {
    await eb.close();
  }
});
