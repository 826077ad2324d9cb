/**
 * Task TimeoutSeconds and HeartbeatSeconds. https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html#task-state-fields
 * In virtual time a task's own work takes no time, so these deadlines are enforced in real-time mode
 * (and mocked States.Timeout answers are recorded as timeouts in both modes).
 */
import { Engine } from '../../emulator/runtime/engine';
import { eventsOfType, runDefinition } from './engine-helpers';

const RESOURCE = 'arn:aws:states:::lambda:invoke';

describe('task deadlines in real-time mode', () => {
  test('a handler slower than TimeoutSeconds fails the task with States.Timeout (TaskTimedOut)', async () => {
    const engine = new Engine({ clock: 'real' });
    engine.registerHandler(RESOURCE, () => new Promise((res) => setTimeout(() => res({}), 3000)));
    const r = await runDefinition(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: RESOURCE, TimeoutSeconds: 1, End: true } } },
      {},
      { engine },
    );
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.Timeout');
    const [timedOut] = eventsOfType(r.events, 'TaskTimedOut');
    expect(timedOut.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout', resource: 'invoke', resourceType: 'lambda' });
    const [scheduled] = eventsOfType(r.events, 'TaskScheduled');
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 1 });
  });

  test('a .waitForTaskToken task without heartbeats fails with States.HeartbeatTimeout; Catch can handle it', async () => {
    const engine = new Engine({ clock: 'real' });
    engine.registerHandler('arn:aws:states:::sqs:sendMessage.waitForTaskToken', () => ({}));
    const r = await runDefinition(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', MessageBody: { 'token.$': '$$.Task.Token' } },
            HeartbeatSeconds: 1,
            Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      {},
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect((r.outputValue as { Error: string }).Error).toBe('States.HeartbeatTimeout');
  });

  test('SendTaskFailure fails a waiting task with the given error and cause', async () => {
    const engine = new Engine();
    engine.registerHandler('arn:aws:states:::sqs:sendMessage.waitForTaskToken', (req) => {
      setTimeout(() => engine.sendTaskFailure(req.taskToken!, 'Rejected', 'no thanks'), 5);
      return {};
    });
    const r = await runDefinition(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', End: true } } },
      {},
      { engine },
    );
    expect([r.status, r.error, r.cause]).toEqual(['FAILED', 'Rejected', 'no thanks']);
    expect(eventsOfType(r.events, 'TaskFailed')[0].taskFailedEventDetails).toMatchObject({ error: 'Rejected', cause: 'no thanks' });
  });
});
