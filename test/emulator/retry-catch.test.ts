/**
 * Retry and Catch with AWS's matching rules.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { errorEqualsMatches, StatesError } from '../../emulator/errors';
import { Engine } from '../../emulator/runtime/engine';
import { eventChain, eventsOfType, runDefinition } from './engine-helpers';
import { setRandomSource } from '../../emulator/runtime/random';

const RESOURCE = 'arn:aws:states:::lambda:invoke';

function failingEngine(failures: number, error = 'Flaky', times: number[] = []): Engine {
  const engine = new Engine();
  let calls = 0;
  engine.registerHandler(RESOURCE, () => {
    times.push(calls);
    if (calls++ < failures) throw new StatesError(error, `failure ${calls}`);
    return { ok: calls };
  });
  return engine;
}

const taskMachine = (extra: object) => ({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource: RESOURCE, End: true, ...extra }, Caught: { Type: 'Pass', End: true } },
});

describe('error name matching', () => {
  test('States.ALL matches everything except the terminal States.Runtime and States.DataLimitExceeded', () => {
    expect(errorEqualsMatches(['States.ALL'], 'Anything')).toBe(true);
    expect(errorEqualsMatches(['States.ALL'], 'States.Timeout')).toBe(true);
    expect(errorEqualsMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorEqualsMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
  });

  test('States.TaskFailed matches any error except States.Timeout', () => {
    expect(errorEqualsMatches(['States.TaskFailed'], 'Lambda.ServiceException')).toBe(true);
    expect(errorEqualsMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
  });

  test('other names match exactly', () => {
    expect(errorEqualsMatches(['A', 'B'], 'B')).toBe(true);
    expect(errorEqualsMatches(['A'], 'a')).toBe(false);
  });
});

describe('Retry', () => {
  test('retries until success; RetryCount counts the retries', async () => {
    const engine = failingEngine(2);
    const r = await runDefinition(
      taskMachine({
        Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 3 }],
        ResultSelector: { 'ok.$': '$.ok', 'retries.$': '$$.State.RetryCount' },
      }),
      {},
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual({ ok: 3, retries: 2 });
    expect(eventsOfType(r.events, 'TaskScheduled')).toHaveLength(3);
  });

  test('MaxAttempts 0 never retries', async () => {
    const r = await runDefinition(taskMachine({ Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 0 }] }), {}, { engine: failingEngine(1) });
    expect(r.status).toBe('FAILED');
    expect(eventsOfType(r.events, 'TaskScheduled')).toHaveLength(1);
  });

  test('intervals grow by BackoffRate, capped by MaxDelaySeconds, on the virtual clock', async () => {
    const r = await runDefinition(
      taskMachine({ Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 3, MaxDelaySeconds: 50 }] }),
      {},
      { engine: failingEngine(3) },
    );
    const scheduled = eventsOfType(r.events, 'TaskScheduled').map((e) => e.timestamp.getTime());
    const gaps = scheduled.slice(1).map((t, i) => Math.round((t - scheduled[i]) / 1000));
    expect(gaps).toEqual([10, 30, 50]);
    expect(r.status).toBe('SUCCEEDED');
  });

  test('JitterStrategy FULL scales each delay by a fresh draw in [0, 1) (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)', async () => {
    const draws = [0.25, 0.5];
    const restore = setRandomSource(() => draws.shift()!);
    try {
      const r = await runDefinition(
        taskMachine({
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 100, BackoffRate: 1, MaxAttempts: 2, JitterStrategy: 'FULL' }],
        }),
        {},
        { engine: failingEngine(2) },
      );
      const scheduled = eventsOfType(r.events, 'TaskScheduled').map((e) => e.timestamp.getTime());
      expect(scheduled).toHaveLength(3);
      expect(scheduled.slice(1).map((t, i) => (t - scheduled[i]) / 1000)).toEqual([25, 50]);
      expect(r.status).toBe('SUCCEEDED');
      expect(draws).toEqual([]);
    } finally {
      restore();
    }
  });

  test('the first matching Retrier applies; once exhausted the error goes to Catch', async () => {
    const r = await runDefinition(
      taskMachine({
        Retry: [
          { ErrorEquals: ['Flaky'], MaxAttempts: 1 },
          { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught', ResultPath: '$.error' }],
      }),
      { original: true },
      { engine: failingEngine(10) },
    );
    expect(eventsOfType(r.events, 'TaskScheduled')).toHaveLength(2);
    expect(r.outputValue).toEqual({ original: true, error: { Error: 'Flaky', Cause: 'failure 2' } });
  });
});

describe('Catch', () => {
  test('the error output replaces the input by default and the state exits to Next', async () => {
    const r = await runDefinition(taskMachine({ Catch: [{ ErrorEquals: ['Flaky'], Next: 'Caught' }] }), {}, { engine: failingEngine(1) });
    expect(r.outputValue).toEqual({ Error: 'Flaky', Cause: 'failure 1' });
    expect(eventChain(r.events)).toEqual([
      '1 0 ExecutionStarted',
      '2 0 TaskStateEntered',
      '3 2 TaskScheduled',
      '4 3 TaskStarted',
      '5 4 TaskFailed',
      '6 5 TaskStateExited',
      '7 6 PassStateEntered',
      '8 7 PassStateExited',
      '9 8 ExecutionSucceeded',
    ]);
  });

  test('an uncaught task failure fails the execution right after TaskFailed', async () => {
    const r = await runDefinition(taskMachine({ Catch: [{ ErrorEquals: ['Other'], Next: 'Caught' }] }), {}, { engine: failingEngine(1) });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Flaky');
    expect(r.cause).toBe('failure 1');
    expect(eventChain(r.events).slice(-2)).toEqual(['5 4 TaskFailed', '6 5 ExecutionFailed']);
  });

  test('States.Runtime is not caught by States.ALL', async () => {
    const r = await runDefinition({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'X', States: { X: { Type: 'Pass', InputPath: '$.missing', End: true } } }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }],
          End: true,
        },
        C: { Type: 'Pass', End: true },
      },
    });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.Runtime');
  });

  test('a Fail state inside Parallel propagates its own Error and Cause', async () => {
    const r = await runDefinition({
      StartAt: 'P',
      States: { P: { Type: 'Parallel', Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', Cause: 'C' } } }], End: true } },
    });
    expect([r.error, r.cause]).toEqual(['E', 'C']);
    expect(eventChain(r.events)).toEqual([
      '1 0 ExecutionStarted',
      '2 0 ParallelStateEntered',
      '3 2 ParallelStateStarted',
      '4 3 FailStateEntered',
      '5 4 ParallelStateFailed',
      '6 5 ExecutionFailed',
    ]);
  });
});
