/**
 * Section 2: mocked 5-state executions per second through the HTTP API. The server (our Engine
 * with the bench mock configuration) runs in this process on an ephemeral loopback port; the load
 * generator runs in a forked process (bench/http-load-client.ts).
 */
import { join } from 'path';
import { startServer } from '../emulator/api/server';
import { Engine } from '../emulator/runtime/engine';
import { MockConfig } from '../emulator/runtime/mock-config';
import { runInChild } from './child';
import {
  MOCKED_FIVE_STATE,
  MOCKED_FIVE_STATE_CONFIG,
  MOCKED_FIVE_STATE_NAME,
  MOCKED_FIVE_STATE_STATES,
  MOCKED_FIVE_STATE_TEST_CASE,
} from './definitions';
import type { LoadClientKind, LoadReport, LoadRequest } from './http-load-client';

const LOAD_CLIENT = join(__dirname, 'http-load-client.ts');
/** The SDK warns on every start that its future versions need Node 22; noise in a report. */
const CHILD_OPTIONS = { env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } };

export interface ThroughputResult {
  client: LoadClientKind;
  executionsPerSecond: number;
  report: LoadReport;
  /** CPU time this process (the server) used during the measured run. */
  serverCpuMs: number;
}

export async function measureHttpThroughput(options: {
  counts: Readonly<Record<LoadClientKind, number>>;
  warmupCount: number;
  concurrency: number;
  clients: readonly LoadClientKind[];
}): Promise<ThroughputResult[]> {
  const engine = new Engine({ mockConfig: MockConfig.fromObject(MOCKED_FIVE_STATE_CONFIG, 'bench mock configuration') });
  const { stateMachineArn } = engine.createStateMachine({ name: MOCKED_FIVE_STATE_NAME, definition: MOCKED_FIVE_STATE });
  const server = await startServer({ engine, port: 0, host: '127.0.0.1' });
  try {
    // One execution in-process first, so a broken definition or mock fails here with a clear message.
    const probe = engine.startExecution({
      stateMachineArn: `${stateMachineArn}#${MOCKED_FIVE_STATE_TEST_CASE}`,
      input: '{"orderId":"o-1"}',
    });
    const probed = await engine.waitForExecution(probe.executionArn);
    const entered = engine.getExecutionHistory(probe.executionArn).filter((e) => e.type.endsWith('StateEntered')).length;
    if (probed.status !== 'SUCCEEDED' || entered !== MOCKED_FIVE_STATE_STATES) {
      throw new Error(`mocked 5-state probe: ${probed.status} after ${entered} states (${probed.error ?? ''} ${probed.cause ?? ''})`);
    }
    const results: ThroughputResult[] = [];
    for (const client of options.clients) {
      const request: LoadRequest = {
        endpoint: server.url,
        target: `${stateMachineArn}#${MOCKED_FIVE_STATE_TEST_CASE}`,
        input: '{"orderId":"o-1"}',
        count: options.counts[client],
        warmupCount: options.warmupCount,
        concurrency: options.concurrency,
        client,
      };
      let cpu = process.cpuUsage();
      const report = await runInChild<LoadReport>(LOAD_CLIENT, request, 120_000, {
        ...CHILD_OPTIONS,
        onProgress: () => (cpu = process.cpuUsage()), // the measured phase starts now
      });
      const used = process.cpuUsage(cpu);
      if ((report.statuses.SUCCEEDED ?? 0) !== report.count) {
        throw new Error(`${client}: not every execution succeeded: ${JSON.stringify(report.statuses)}`);
      }
      results.push({
        client,
        executionsPerSecond: (report.count / report.elapsedMs) * 1000,
        report,
        serverCpuMs: (used.user + used.system) / 1000,
      });
    }
    return results;
  } finally {
    await server.close();
  }
}
