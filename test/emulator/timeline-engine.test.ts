/**
 * One simulated time line for the whole engine (emulator/runtime/timeline.ts): every execution's
 * history timestamps, Wait, retry intervals and timeouts read the same clock, which jumps to the next
 * timer only when nothing can make progress and no service call is in flight.
 */
import { Engine } from '../../emulator/runtime/engine';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { ExecutionStopSignal } from '../../emulator/runtime/clock';
import { eventsOfType, runDefinition } from './engine-helpers';

const START = Date.parse('2030-01-01T00:00:00.000Z');
const waitMachine = (seconds: number) => ({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: seconds, End: true } } });

function engineAt(start = START): { engine: Engine; timeline: VirtualTimeline } {
  const timeline = new VirtualTimeline(start);
  return { engine: new Engine({ timeline }), timeline };
}

/** One Task that sends its task token to a queue and waits for it, with the given timeout fields. */
const tokenTask = (limits: { TimeoutSeconds?: number; HeartbeatSeconds?: number }) => ({
  StartAt: 'T',
  States: {
    T: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', MessageBody: { 'token.$': '$$.Task.Token' } },
      ...limits,
      End: true,
    },
  },
});

describe('one simulated time line for every execution', () => {
  test('two executions waiting 60 s each in parallel both end at start + 60 s (waits overlap, not add up)', async () => {
    const { engine } = engineAt();
    const { stateMachineArn } = engine.createStateMachine({ name: 'wait60', definition: waitMachine(60) });
    const a = engine.startExecution({ stateMachineArn, name: 'a' });
    const b = engine.startExecution({ stateMachineArn, name: 'b' });
    const [da, db] = await Promise.all([engine.waitForExecution(a.executionArn), engine.waitForExecution(b.executionArn)]);
    expect(da.startDate.getTime()).toBe(START);
    expect(db.startDate.getTime()).toBe(START);
    expect(da.stopDate!.getTime()).toBe(START + 60_000);
    expect(db.stopDate!.getTime()).toBe(START + 60_000);
  });

  test('parallel branches waiting 10 s and 20 s end together at +20 s (branch waits overlap)', async () => {
    const { engine } = engineAt();
    const branch = (seconds: number) => ({
      StartAt: `W${seconds}`,
      States: { [`W${seconds}`]: { Type: 'Wait', Seconds: seconds, End: true } },
    });
    const r = await runDefinition(
      { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [branch(10), branch(20)], End: true } } },
      {},
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.stopDate!.getTime()).toBe(START + 20_000);
    const exits = eventsOfType(r.events, 'WaitStateExited').map((e) => e.timestamp.getTime() - START);
    expect(exits.sort((a, b) => a - b)).toEqual([10_000, 20_000]);
  });

  test('an execution started later starts at the time line’s current time', async () => {
    const { engine, timeline } = engineAt();
    const { stateMachineArn } = engine.createStateMachine({ name: 'wait30', definition: waitMachine(30) });
    await timeline.sleep(10_000);
    const r = engine.startExecution({ stateMachineArn });
    const d = await engine.waitForExecution(r.executionArn);
    expect(d.startDate.getTime()).toBe(START + 10_000);
    expect(d.stopDate!.getTime()).toBe(START + 40_000);
  });

  test('a .sync child’s time is the parent’s time: the child’s hour of waiting is the parent’s hour', async () => {
    const { engine } = engineAt();
    const child = engine.createStateMachine({ name: 'child', definition: waitMachine(3600) });
    const parent = await runDefinition(
      {
        StartAt: 'Run',
        States: {
          Run: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution.sync:2',
            Parameters: { StateMachineArn: child.stateMachineArn, Name: 'the-child', Input: { a: 1 } },
            End: true,
          },
        },
      },
      {},
      { engine, name: 'parent' },
    );
    expect(parent.status).toBe('SUCCEEDED');
    const childArn = (parent.outputValue as { ExecutionArn: string }).ExecutionArn;
    const c = engine.describeExecution(childArn);
    expect(c.startDate.getTime()).toBe(parent.startDate.getTime());
    expect(c.stopDate!.getTime()).toBe(START + 3_600_000);
    expect(parent.stopDate!.getTime()).toBe(START + 3_600_000);
    const [succeeded] = eventsOfType(parent.events, 'TaskSucceeded');
    expect(succeeded.timestamp.getTime()).toBe(START + 3_600_000);
  });

  test('an in-flight handler call holds the clock: another execution’s Wait does not end before the call answers', async () => {
    const { engine, timeline } = engineAt();
    let waitEndedDuringCall = false;
    let calling = false;
    engine.registerHandler('arn:aws:states:::lambda:invoke', async () => {
      calling = true;
      // Real milliseconds pass in several macrotask turns; virtual time must stand still meanwhile.
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
      calling = false;
      return { at: timeline.now() };
    });
    const waiter = engine.createStateMachine({ name: 'waiter', definition: waitMachine(1) });
    const caller = engine.createStateMachine({
      name: 'caller',
      definition: { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
    });
    const w = engine.startExecution({ stateMachineArn: waiter.stateMachineArn });
    const c = engine.startExecution({ stateMachineArn: caller.stateMachineArn });
    const waitDone = engine.waitForExecution(w.executionArn).then((d) => {
      if (calling) waitEndedDuringCall = true;
      return d;
    });
    const called = await engine.waitForExecution(c.executionArn);
    const waited = await waitDone;
    expect(waitEndedDuringCall).toBe(false);
    expect(JSON.parse(called.output!)).toEqual({ at: START });
    expect(called.stopDate!.getTime()).toBe(START);
    expect(waited.stopDate!.getTime()).toBe(START + 1000);
  });

  test('Task TimeoutSeconds is a timer on the time line: a token nobody sends times out at its simulated deadline', async () => {
    const { engine } = engineAt();
    engine.registerHandler('arn:aws:states:::sqs:sendMessage.waitForTaskToken', () => ({}));
    const r = await runDefinition(tokenTask({ TimeoutSeconds: 300 }), {}, { engine });
    expect(r.error).toBe('States.Timeout');
    const [timedOut] = eventsOfType(r.events, 'TaskTimedOut');
    expect(timedOut.timestamp.getTime()).toBe(START + 300_000);
  });

  test('HeartbeatSeconds is re-armed by SendTaskHeartbeat on the time line', async () => {
    const { engine, timeline } = engineAt();
    engine.registerHandler('arn:aws:states:::sqs:sendMessage.waitForTaskToken', (req) => {
      const token = req.taskToken!;
      // Beat at +50 s and +100 s, then fall silent: the heartbeat (60 s) expires at +160 s.
      void (async () => {
        await timeline.sleep(50_000);
        engine.sendTaskHeartbeat(token);
        await timeline.sleep(50_000);
        engine.sendTaskHeartbeat(token);
      })();
      return {};
    });
    const r = await runDefinition(tokenTask({ HeartbeatSeconds: 60 }), {}, { engine });
    expect(r.error).toBe('States.HeartbeatTimeout');
    const [timedOut] = eventsOfType(r.events, 'TaskTimedOut');
    expect(timedOut.timestamp.getTime()).toBe(START + 160_000);
  });

  test('execution TimeoutSeconds fires at its simulated deadline, in the middle of a longer Wait', async () => {
    const { engine } = engineAt();
    const r = await runDefinition(
      { TimeoutSeconds: 90, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } },
      {},
      { engine },
    );
    expect(r.status).toBe('TIMED_OUT');
    expect(r.stopDate!.getTime()).toBe(START + 90_000);
  });

  test('retry intervals pass on the shared time line', async () => {
    const { engine } = engineAt();
    let calls = 0;
    engine.registerHandler('arn:aws:states:::lambda:invoke', () => {
      if (++calls < 3) throw Object.assign(new Error('busy'), { name: 'Busy' });
      return 'ok';
    });
    const r = await runDefinition(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 5 }],
            End: true,
          },
        },
      },
      {},
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.stopDate!.getTime()).toBe(START + 10_000 + 30_000);
  });
});

describe('timers stopped before they are due', () => {
  test('are not kept until their due time; the others fire at their times, ties in the order they were set', async () => {
    const timeline = new VirtualTimeline(START);
    const hold = timeline.hold(); // nothing fires while the timers are set and stopped
    // Thousands of timeouts stopped long before they are due (executions and Tasks that ended early).
    const signals = Array.from({ length: 3000 }, () => new ExecutionStopSignal());
    const stopped = signals.map((signal, i) => timeline.sleep(3_600_000 + i, signal));
    const fired: string[] = [];
    const keepers = [5_000, 1_000, 5_000, 3_000, 7_200_000].map((ms, i) =>
      timeline.sleep(ms).then((done) => fired.push(`${i} ${done} +${timeline.now() - START}`)),
    );
    for (const signal of signals) signal.stop();
    expect(await Promise.all(stopped)).toEqual(signals.map(() => false));
    void timeline.sleep(2_000).then(() => fired.push(`new +${timeline.now() - START}`));
    expect(timeline.pendingTimers).toBe(6); // the five kept and the new one, not the 3,000 stopped
    hold();
    await Promise.all(keepers);
    expect(fired).toEqual(['1 true +1000', 'new +2000', '3 true +3000', '0 true +5000', '2 true +5000', '4 true +7200000']);
  });
});

describe('limitJumps (an interactive session)', () => {
  test('a timer within the limit is still reached at once; one beyond it only at wall-clock speed, so a token wait does not time out in an instant', async () => {
    const timeline = new VirtualTimeline(START);
    timeline.limitJumps(60_000);
    // Within the limit: a 30 s sleep ends at once, at +30 s.
    expect(await timeline.sleep(30_000)).toBe(true);
    expect(timeline.now()).toBe(START + 30_000);

    // Beyond it: a week away. After 300 ms of wall time the clock has moved by about that much, not a week.
    let fired = false;
    void timeline.sleep(7 * 24 * 3600_000).then(() => (fired = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fired).toBe(false);
    const moved = timeline.now() - (START + 30_000);
    expect(moved).toBeLessThan(5_000);

    // New near work still runs at once, from where the clock stands.
    const before = timeline.now();
    expect(await timeline.sleep(10_000)).toBe(true);
    expect(timeline.now()).toBeGreaterThanOrEqual(before + 10_000);
    expect(timeline.now()).toBeLessThan(before + 10_000 + 5_000);
    expect(fired).toBe(false);
  });

  test('without the limit the same week-long timer is reached at once (discrete-event default)', async () => {
    const timeline = new VirtualTimeline(START);
    expect(await timeline.sleep(7 * 24 * 3600_000)).toBe(true);
    expect(timeline.now()).toBe(START + 7 * 24 * 3600_000);
  });

  test('a limit below zero is refused, naming the rule', () => {
    expect(() => new VirtualTimeline(START).limitJumps(-1)).toThrow('limitJumps: maxJumpMs must be a number >= 0, got -1');
  });
});
