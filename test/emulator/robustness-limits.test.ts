/**
 * Execution limits: waits and retry intervals end at AWS's maximum of 99,999,999 seconds
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html), so an absurd wait or a
 * back-off that overflows to Infinity still ends the execution with a valid stopDate.
 */
import { StatesError } from '../../emulator/errors';
import { runDefinition } from './engine-helpers';

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
