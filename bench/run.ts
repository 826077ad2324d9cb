/**
 * `npm run bench`: throughput and memory of the local engine, against aws-local-stepfunctions where
 * a comparison is possible. Prints each section as it runs, then one table.
 * Exits non-zero only when a section could not be measured; missed targets are reported, not fatal.
 *
 * Knobs (environment): BENCH_REPS (timed repetitions per engine, default 5), BENCH_HTTP_COUNT
 * (executions per HTTP run with the raw client, default 5000), BENCH_HTTP_SDK_COUNT (with the SDK
 * client, default 2000), BENCH_HTTP_CONCURRENCY (default 32), BENCH_RSS_EXECUTIONS (default 10000),
 * BENCH_RETAINED_EXECUTIONS (default 10000).
 */
import { cpus } from 'os';
import { measureConcurrentRss } from './concurrent-rss';
import { measureRetainedHeap } from './retained-heap';
import { measureHttpThroughput } from './http-throughput';
import { compareEngines, counterLoopWorkload, passChoiceMapWorkload, type Comparison } from './interpreter-vs-peer';
import { formatRate, MiB, printTable, section, type ResultRow } from './measure';
import { runWorkflowSuite } from './workflow-suite';
import { measurePassThroughOverhead } from './pass-through-overhead';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

const PEER_RATIO_TARGET = 10;
const HTTP_TARGET_PER_SECOND = 1000;
const RSS_TARGET_BYTES = 1024 * MiB;
const SUITE_TARGET_MS = 10_000;

const rows: ResultRow[] = [];
let failures = 0;

function errorRow(metric: string, target: string, error: unknown): void {
  failures++;
  const text = (error as Error).stack ?? String(error);
  console.error(`  ERROR: ${text.split('\n').slice(0, 12).join('\n  ')}`);
  rows.push({ metric, ours: 'error', peer: '-', ratio: '-', target, verdict: 'error' });
}

const ms = (values: readonly number[]) => values.map((v) => Math.round(v)).join(', ');

async function interpreterSection(reps: number): Promise<void> {
  section(`1. In-process states/s, ours vs aws-local-stepfunctions (warm-up, then median of ${reps} repetitions)`);
  for (const workload of [counterLoopWorkload(10_000), passChoiceMapWorkload(1_000)]) {
    const metric = `states/s: ${workload.label}`;
    try {
      const c: Comparison = await compareEngines(workload, reps);
      const ratio = c.ours.statesPerSecond / c.peer.statesPerSecond;
      console.log(`  ${workload.label}: ${c.ours.states} states per repetition on both engines`);
      for (const [who, r] of [
        ['ours', c.ours],
        ['peer', c.peer],
      ] as const) {
        console.log(
          `    ${who} ${formatRate(r.statesPerSecond)} states/s wall, ${formatRate(r.statesPerCpuSecond)} states/CPU-s (repetitions ms: ${ms(r.repetitionMs)})`,
        );
      }
      console.log(`    ratio by CPU time: ${(c.ours.statesPerCpuSecond / c.peer.statesPerCpuSecond).toFixed(1)}x`);
      rows.push({
        metric,
        ours: formatRate(c.ours.statesPerSecond),
        peer: formatRate(c.peer.statesPerSecond),
        ratio: `${ratio.toFixed(1)}x (CPU ${(c.ours.statesPerCpuSecond / c.peer.statesPerCpuSecond).toFixed(1)}x)`,
        target: `>= ${PEER_RATIO_TARGET}x peer`,
        verdict: ratio >= PEER_RATIO_TARGET ? 'met' : 'MISSED',
      });
    } catch (error) {
      errorRow(metric, `>= ${PEER_RATIO_TARGET}x peer`, error);
    }
  }
}

async function httpSection(): Promise<void> {
  const counts = { 'raw-http': intFromEnv('BENCH_HTTP_COUNT', 5000), sdk: intFromEnv('BENCH_HTTP_SDK_COUNT', 2000) };
  const concurrency = intFromEnv('BENCH_HTTP_CONCURRENCY', 32);
  section(`2. Mocked 5-state executions/s over HTTP (server here, load generator forked, ${concurrency} in flight)`);
  const target = `>= ${HTTP_TARGET_PER_SECOND.toLocaleString('en-US')}/s`;
  try {
    const results = await measureHttpThroughput({ counts, warmupCount: 300, concurrency, clients: ['raw-http', 'sdk'] });
    for (const r of results) {
      const label = r.client === 'sdk' ? '@aws-sdk/client-sfn' : 'raw keep-alive HTTP';
      console.log(
        `  ${label}: ${r.report.count} executions (StartExecution + ${r.report.describeCalls} DescribeExecution) in ${Math.round(r.report.elapsedMs)} ms` +
          ` = ${formatRate(r.executionsPerSecond)}/s; CPU ms client ${Math.round(r.report.clientCpuMs)}, server ${Math.round(r.serverCpuMs)}`,
      );
      const serverCpuPerExecution = r.serverCpuMs / r.report.count;
      console.log(
        `    server CPU per execution ${serverCpuPerExecution.toFixed(2)} ms (StartExecution, the run, DescribeExecution): ~${formatRate(1000 / serverCpuPerExecution)}/s per free core`,
      );
      rows.push({
        metric: `mocked 5-state executions/s over HTTP (${label} client)`,
        ours: formatRate(r.executionsPerSecond),
        peer: '-',
        ratio: '-',
        target,
        verdict: r.executionsPerSecond >= HTTP_TARGET_PER_SECOND ? 'met' : 'MISSED',
      });
    }
  } catch (error) {
    errorRow('mocked 5-state executions/s over HTTP', target, error);
  }
}

async function rssSection(): Promise<void> {
  const executions = intFromEnv('BENCH_RSS_EXECUTIONS', 10_000);
  section(`3. Peak RSS with ${executions.toLocaleString('en-US')} executions RUNNING (child process, real-time clock, 1 h Wait)`);
  const metric = `peak RSS, ${executions.toLocaleString('en-US')} concurrent executions`;
  try {
    const r = await measureConcurrentRss(executions);
    if (r.running !== r.executions) throw new Error(`only ${r.running} of ${r.executions} executions reached their Wait`);
    const perExecution = (r.peakRssBytes - r.baselineRssBytes) / r.executions;
    console.log(
      `  started ${r.executions} in ${Math.round(r.startMs)} ms; RSS baseline ${(r.baselineRssBytes / MiB).toFixed(0)} MiB, peak (VmHWM) ${(r.peakRssBytes / MiB).toFixed(0)} MiB` +
        ` (~${(perExecution / 1024).toFixed(1)} KiB per execution), heap used ${(r.heapUsedBytes / MiB).toFixed(0)} MiB`,
    );
    rows.push({
      metric,
      ours: `${(r.peakRssBytes / MiB).toFixed(0)} MiB`,
      peer: '-',
      ratio: '-',
      target: '< 1 GiB',
      verdict: r.peakRssBytes < RSS_TARGET_BYTES ? 'met' : 'MISSED',
    });
  } catch (error) {
    errorRow(metric, '< 1 GiB', error);
  }
}

async function retainedHeapSection(): Promise<void> {
  const executions = intFromEnv('BENCH_RETAINED_EXECUTIONS', 10_000);
  section(
    `3b. Heap kept per ended execution (child process, ${executions.toLocaleString('en-US')} mocked 5-state executions, after full GC)`,
  );
  const metric = 'heap kept per ended mocked 5-state execution';
  try {
    const r = await measureRetainedHeap(executions);
    console.log(
      `  ${r.executions} executions of ${r.events} history events each: ${(r.bytesPerExecution / 1024).toFixed(1)} KiB per execution`,
    );
    rows.push({ metric, ours: `${(r.bytesPerExecution / 1024).toFixed(1)} KiB`, peer: '-', ratio: '-', target: '-', verdict: 'info' });
  } catch (error) {
    errorRow(metric, '-', error);
  }
}

async function suiteSection(): Promise<void> {
  section('4. Mocked workflow suite (every test case of mocks/MockConfigFile.json, in-process, one after another)');
  const metric = 'mocked workflow suite wall time';
  try {
    const outcome = await runWorkflowSuite();
    if ('skipped' in outcome) {
      console.log(`  skipped: ${outcome.skipped}`);
      rows.push({ metric, ours: 'skipped', peer: '-', ratio: '-', target: '< 10 s', verdict: 'skipped' });
      return;
    }
    const r = outcome.report;
    console.log(
      `  ${r.cases} test cases ran, ${r.statesEntered} states entered: wall ${Math.round(r.wallMs)} ms, virtual time waited ${(r.virtualMs / 1000).toFixed(0)} s`,
    );
    for (const line of r.unexpected) console.log(`  unexpected outcome: ${line}`);
    rows.push({
      metric: `${metric} (${r.cases} cases)`,
      ours: `${(r.wallMs / 1000).toFixed(2)} s`,
      peer: '-',
      ratio: `virtual ${(r.virtualMs / 60_000).toFixed(1)} min (${Math.round(r.virtualMs / r.wallMs).toLocaleString('en-US')}x)`,
      target: '< 10 s',
      verdict: r.wallMs < SUITE_TARGET_MS ? 'met' : 'MISSED',
    });
    if (r.unexpected.length > 0) {
      rows.push({
        metric: 'suite outcomes differing from the catalogue',
        ours: String(r.unexpected.length),
        peer: '-',
        ratio: '-',
        target: '0',
        verdict: 'info',
      });
    }
  } catch (error) {
    errorRow(metric, '< 10 s', error);
  }
}

async function passThroughSection(): Promise<void> {
  section('5. Pass-through overhead per Task (one-Task executions, dynamodb:getItem against dynalite on loopback)');
  const metric = 'pass-through overhead per Task';
  try {
    const r = await measurePassThroughOverhead();
    const us = (v: number) => `${Math.round(v).toLocaleString('en-US')} µs`;
    console.log(
      `  ${r.tasks} executions each: handler-answered ${us(r.handlerUs)}, passed through ${us(r.passThroughUs)}, bare SDK GetItem ${us(r.bareSdkUs)} (medians)`,
    );
    rows.push({
      metric,
      ours: us(r.passThroughUs - r.bareSdkUs),
      peer: '-',
      ratio: `${us(r.passThroughUs)} vs bare SDK ${us(r.bareSdkUs)}`,
      target: '-',
      verdict: 'info',
    });
  } catch (error) {
    errorRow(metric, '-', error);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const reps = intFromEnv('BENCH_REPS', 5);
  console.log(`bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
  await interpreterSection(reps);
  await httpSection();
  await rssSection();
  await retainedHeapSection();
  await suiteSection();
  await passThroughSection();
  section(`Summary (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  printTable(rows);
  if (failures > 0) {
    console.error(`\n${failures} measurement(s) failed (see ERROR above)`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exitCode = 1;
});
