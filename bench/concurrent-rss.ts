/**
 * Section 3: peak RSS with 10,000 executions RUNNING at once. Runs in its own process (forked by
 * bench/run.ts) so that nothing else the bench did is in its resident set. The engine runs on the
 * real-time clock so that a one-hour Wait keeps every execution RUNNING.
 */
import { Engine } from '../emulator/runtime/engine';
import { runInChild } from './child';
import { LONG_WAIT } from './definitions';
import { peakRssBytes } from './measure';

export interface RssRequest {
  executions: number;
}

export interface RssReport {
  executions: number;
  running: number;
  /** RSS after loading the engine and creating the state machine, before any execution. */
  baselineRssBytes: number;
  /** VmHWM once all executions are running in their Wait state. */
  peakRssBytes: number;
  heapUsedBytes: number;
  startMs: number;
}

async function parkExecutions(req: RssRequest): Promise<RssReport> {
  const engine = new Engine({ clock: 'real' });
  const { stateMachineArn } = engine.createStateMachine({ name: 'bench-park', definition: LONG_WAIT });
  // One execution first so code paths are loaded before the baseline is taken.
  const warm = engine.startExecution({ stateMachineArn, name: 'warm-up', input: '{}' });
  await new Promise((r) => setImmediate(r));
  engine.stopExecution(warm.executionArn);
  const baselineRssBytes = process.memoryUsage().rss;

  const started = performance.now();
  const arns: string[] = [];
  for (let i = 0; i < req.executions; i++) {
    arns.push(engine.startExecution({ stateMachineArn, name: `parked-${i}`, input: JSON.stringify({ index: i }) }).executionArn);
  }
  // Let every execution reach its Wait (state entry is asynchronous).
  let running = 0;
  for (let attempt = 0; attempt < 100; attempt++) {
    await new Promise((r) => setTimeout(r, 20));
    running = arns.filter((arn) => {
      const events = engine.getExecutionHistory(arn);
      return engine.describeExecution(arn).status === 'RUNNING' && events[events.length - 1]?.type === 'WaitStateEntered';
    }).length;
    if (running === arns.length) break;
  }
  const startMs = performance.now() - started;
  const report: RssReport = {
    executions: req.executions,
    running,
    baselineRssBytes,
    peakRssBytes: peakRssBytes(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    startMs,
  };
  for (const arn of arns) engine.stopExecution(arn);
  return report;
}

export function measureConcurrentRss(executions: number): Promise<RssReport> {
  return runInChild<RssReport>(__filename, { executions } satisfies RssRequest, 90_000);
}

if (require.main === module) {
  process.once('message', (message) => {
    parkExecutions(message as RssRequest).then(
      (report) => process.send!({ ok: true, report }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
