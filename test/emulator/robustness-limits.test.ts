/**
 * Execution limits: waits and retry intervals end at AWS's maximum of 99,999,999 seconds
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html), so an absurd wait or a
 * back-off that overflows to Infinity still ends the execution with a valid stopDate.
 */
import { StatesError } from '../../emulator/errors';
import { Engine } from '../../emulator/runtime/engine';
import { runDefinition } from './engine-helpers';

async function runExpress(definition: object) {
  const engine = new Engine();
  const { stateMachineArn } = engine.createStateMachine({ name: 'express', definition, type: 'EXPRESS' });
  return engine.startSyncExecution({ stateMachineArn });
}

const MAX_WAIT_MS = 99_999_999 * 1000;

describe('wait and retry bounds', () => {
  test('Wait Seconds: 1e300 lasts 99,999,999 s of virtual time and the execution ends with a stopDate', async () => {
    const r = await runDefinition({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1e300, End: true } } });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.stopDate).toBeInstanceOf(Date);
    expect(Number.isNaN(r.stopDate!.getTime())).toBe(false);
    expect(r.stopDate!.getTime() - r.startDate.getTime()).toBe(MAX_WAIT_MS);
  });

  test('a back-off that overflows to Infinity waits the maximum per retry and the execution still ends', async () => {
    const r = await runDefinition(
      {
        StartAt: 'F',
        States: {
          F: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'f' },
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 1e300, MaxAttempts: 3 }],
            End: true,
          },
        },
      },
      {},
      {
        handlers: [
          {
            matcher: 'arn:aws:states:::lambda:invoke',
            handler: () => {
              throw new StatesError('Boom', 'always');
            },
          },
        ],
      },
    );
    expect(r.status).toBe('FAILED');
    expect(r.stopDate).toBeInstanceOf(Date);
    // Retries wait 1 s, then 1e300 s and Infinity, each cut to the maximum.
    expect(r.stopDate!.getTime() - r.startDate.getTime()).toBe(1000 + 2 * MAX_WAIT_MS);
    expect(r.events.filter((e) => e.type === 'TaskScheduled')).toHaveLength(4);
  });
});

/**
 * Payloads that wrap themselves in a loop fail fast and cleanly with States.DataLimitExceeded (AWS's
 * error for payloads over its limits, https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html)
 * at the engine's depth bound, instead of slowing quadratically and overflowing the stack.
 */
describe('payloads that wrap themselves', () => {
  test('a Pass with Parameters {"a.$": "$"} in a loop fails at 1,000 levels of nesting', async () => {
    const r = await runDefinition({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'a.$': '$' }, Next: 'P' } } });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toContain("The state/task 'P' returned a result nested deeper than 1000 levels");
    // It ends at the bound: about two events per level, far from the 25,000-event quota.
    expect(r.events.length).toBeLessThan(2100);
  });

  test('a Parallel whose Next is itself fails the same way', async () => {
    const r = await runDefinition({
      StartAt: 'Par',
      States: { Par: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], Next: 'Par' } },
    });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toContain('nested deeper than 1000 levels');
  });

  test('a payload over 256 KiB of UTF-8 fails even when it is under 256 Ki UTF-16 units', async () => {
    // 100,000 three-byte characters: 300,000 bytes of UTF-8, 100,000 UTF-16 units.
    const r = await runDefinition(
      { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'a.$': '$.s', 'b.$': '$.s' }, End: true } } },
      { s: '€'.repeat(50_000) },
    );
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.DataLimitExceeded');
  });
});

describe('EXPRESS executions', () => {
  test('a Pass loop ends at the 100,000-event bound instead of growing without end', async () => {
    const r = await runExpress({ StartAt: 'P', States: { P: { Type: 'Pass', Next: 'P' } } });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.Runtime');
    expect(r.cause).toContain('maximum number of history events (100000)');
  });

  // The 5 minutes are a timer on the shared time line racing the execution: it ends at 300 s exactly,
  // in the middle of the second 200 s Wait.
  test('an EXPRESS execution times out after 5 minutes of the time line', async () => {
    const r = await runExpress({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 200, Next: 'W' } } });
    expect(r.status).toBe('TIMED_OUT');
    expect(r.error).toBe('States.Timeout');
    expect(r.stopDate!.getTime() - r.startDate.getTime()).toBe(300_000);
  });

  test('an EXPRESS TimeoutSeconds above 5 minutes still ends at 5 minutes; one below ends at its own', async () => {
    const loop = (timeoutSeconds: number) => ({
      TimeoutSeconds: timeoutSeconds,
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 200, Next: 'W' } },
    });
    const long = await runExpress(loop(3600));
    expect(long.status).toBe('TIMED_OUT');
    expect(long.stopDate!.getTime() - long.startDate.getTime()).toBe(300_000);
    const short = await runExpress(loop(250));
    expect(short.status).toBe('TIMED_OUT');
    expect(short.stopDate!.getTime() - short.startDate.getTime()).toBe(250_000);
  });
});
