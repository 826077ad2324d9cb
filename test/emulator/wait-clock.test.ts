/**
 * Wait states and the virtual clock. https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
 */
import { runDefinition, eventsOfType } from './engine-helpers';

const wait = (field: object) => ({ StartAt: 'W', States: { W: { Type: 'Wait', ...field, End: true } } });

describe('Wait on the virtual clock', () => {
  test('a one-day wait finishes immediately in real time but advances history timestamps', async () => {
    const started = Date.now();
    const r = await runDefinition(wait({ Seconds: 86400 }));
    expect(Date.now() - started).toBeLessThan(2000);
    const entered = eventsOfType(r.events, 'WaitStateEntered')[0].timestamp.getTime();
    const exited = eventsOfType(r.events, 'WaitStateExited')[0].timestamp.getTime();
    expect(exited - entered).toBe(86400 * 1000);
    expect(r.stopDate!.getTime() - r.startDate.getTime()).toBe(86400 * 1000);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html: a JSONata Seconds "must evaluate to an integer in the stated range" (0 to 99999999)
  test('a JSONata Seconds may be up to 99999999 (beyond one year); one more fails with States.QueryEvaluationError', async () => {
    const jsonataWait = {
      QueryLanguage: 'JSONata',
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: '{% $states.input.s %}', End: true } },
    };
    const longest = await runDefinition(jsonataWait, { s: 99_999_999 });
    expect(longest.status).toBe('SUCCEEDED');
    expect(longest.stopDate!.getTime() - longest.startDate.getTime()).toBe(99_999_999 * 1000);
    const over = await runDefinition(jsonataWait, { s: 100_000_000 });
    expect(over.error).toBe('States.QueryEvaluationError');
    expect(over.cause).toContain("'Seconds' returned an unexpected result: 100000000");
  });

  test('SecondsPath reads the input; a missing value is States.Runtime', async () => {
    const ok = await runDefinition(wait({ SecondsPath: '$.s' }), { s: 5 });
    expect(ok.stopDate!.getTime() - ok.startDate.getTime()).toBe(5000);
    const bad = await runDefinition(wait({ SecondsPath: '$.input.waitSeconds' }), {});
    expect(bad.cause).toBe(
      "An error occurred while executing the state 'W' (entered at the event id #2). The SecondsPath parameter does not reference an input value: $.input.waitSeconds",
    );
  });

  test('Timestamp in the past does not wait; TimestampPath must be ISO-8601 with an offset', async () => {
    const past = await runDefinition(wait({ Timestamp: '2000-01-01T00:00:00Z' }));
    expect(past.status).toBe('SUCCEEDED');
    const bad = await runDefinition(wait({ TimestampPath: '$.t' }), { t: '2016-12-05T21:29:29' });
    expect(bad.error).toBe('States.Runtime');
    expect(bad.cause).toContain(
      'The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == 2016-12-05T21:29:29',
    );
  });

  test('$$.State.EnteredTime follows the virtual clock', async () => {
    const r = await runDefinition({
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', Seconds: 3600, Next: 'P' },
        P: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime', 'start.$': '$$.Execution.StartTime' }, End: true },
      },
    });
    const out = r.outputValue as { at: string; start: string };
    expect(Date.parse(out.at) - Date.parse(out.start)).toBe(3600 * 1000);
  });

  test('execution TimeoutSeconds ends a long wait as TIMED_OUT', async () => {
    const r = await runDefinition({
      TimeoutSeconds: 60,
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 3600, Next: 'P' }, P: { Type: 'Pass', End: true } },
    });
    expect(r.status).toBe('TIMED_OUT');
    expect(r.events[r.events.length - 1].type).toBe('ExecutionTimedOut');
  });

  test('real-time mode really waits', async () => {
    const started = Date.now();
    const r = await runDefinition(wait({ Seconds: 1 }), {}, { clock: 'real' });
    expect(r.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});
