/**
 * Section 3b: heap an ended execution keeps while the Engine retains it (DescribeExecution and
 * GetExecutionHistory answer for it until retention releases it: 10,000 closed executions by
 * default), so a server's memory grows by this much per retained execution. In its own process with --expose-gc: runs mocked 5-state executions one
 * after another (virtual clock), then compares heapUsed after full collections.
 */
import { Engine } from '../emulator/runtime/engine';
import { MockConfig } from '../emulator/runtime/mock-config';
import { runInChild } from './child';
import { MOCKED_FIVE_STATE, MOCKED_FIVE_STATE_CONFIG, MOCKED_FIVE_STATE_NAME, MOCKED_FIVE_STATE_TEST_CASE } from './definitions';

export interface RetainedHeapRequest {
  executions: number;
}

export interface RetainedHeapReport {
  executions: number;
  events: number;
  bytesPerExecution: number;
}

async function measure(req: RetainedHeapRequest): Promise<RetainedHeapReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('needs node --expose-gc');
  const engine = new Engine({
    mockConfig: MockConfig.fromObject(MOCKED_FIVE_STATE_CONFIG, 'bench mock configuration'),
    retention: { maxClosedExecutions: req.executions + 1000 }, // keep every measured execution
  });
  const { stateMachineArn } = engine.createStateMachine({ name: MOCKED_FIVE_STATE_NAME, definition: MOCKED_FIVE_STATE });
  const target = `${stateMachineArn}#${MOCKED_FIVE_STATE_TEST_CASE}`;
  const runOne = async (): Promise<string> => {
    const { executionArn } = engine.startExecution({ stateMachineArn: target, input: '{"orderId":"o-1"}' });
    const done = await engine.waitForExecution(executionArn);
    if (done.status !== 'SUCCEEDED') throw new Error(`mocked 5-state execution ${done.status}: ${done.error ?? ''} ${done.cause ?? ''}`);
    return executionArn;
  };
  for (let i = 0; i < 200; i++) await runOne(); // code paths loaded and optimised before the baseline
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  let last = '';
  for (let i = 0; i < req.executions; i++) last = await runOne();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  return {
    executions: req.executions,
    events: engine.getExecutionHistory(last).length,
    bytesPerExecution: (after - before) / req.executions,
  };
}

export function measureRetainedHeap(executions: number): Promise<RetainedHeapReport> {
  return runInChild<RetainedHeapReport>(__filename, { executions } satisfies RetainedHeapRequest, 90_000, { nodeArgs: ['--expose-gc'] });
}

if (require.main === module) {
  process.once('message', (message) => {
    measure(message as RetainedHeapRequest).then(
      (report) => process.send!({ ok: true, report }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
