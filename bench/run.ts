/**
 * `npm run bench`: throughput and memory of the local engine, against aws-local-stepfunctions where
 * a comparison is possible. Prints each section as it runs, then one table.
 * Exits non-zero only when a section could not be measured; missed targets are reported, not fatal.
 *
 * Knobs (environment): BENCH_REPS (timed repetitions per engine, default 5), BENCH_HTTP_COUNT
 * (executions per HTTP run with the raw client, default 5000), BENCH_HTTP_SDK_COUNT (with the SDK
 * client, default 2000), BENCH_HTTP_CONCURRENCY (default 32), BENCH_RSS_EXECUTIONS (default 10000),
 * BENCH_RETAINED_EXECUTIONS (default 10000), BENCH_SOAK_EXECUTIONS (robustness soak, default 1000000).
 *
 * `npm run bench -- <section> ...` runs only the named sections: interpreter, http, rss, retained,
 * suite, robustness, pass-through, fleet. `fleet` takes its options after it
 * (`npm run bench -- fleet --tenants 1000`; bench/fleet/section.ts lists them).
 */
import { cpus, loadavg } from 'os';
import { measureConcurrentRss } from './concurrent-rss';
import { measureRetainedHeap } from './retained-heap';
import { measureHttpThroughput } from './http-throughput';
import { compareEngines, counterLoopWorkload, passChoiceMapWorkload, type Comparison } from './interpreter-vs-peer';
import { formatRate, median, MiB, printTable, section, type ResultRow } from './measure';
import { runWorkflowSuite } from './workflow-suite';
import { measurePathologicalStalls, measureSoak } from './robustness';
import { measurePassThroughOverhead } from './pass-through-overhead';
import { fleetSection, parseFleetArguments, type FleetArguments } from './fleet/section';

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

const STALL_TARGET_MS = 100;

async function robustnessSection(): Promise<void> {
  section(
    '5a. Longest event-loop stall while each pathological definition runs (child process; short executions and API reads over HTTP beside it)',
  );
  const stallTarget = `< ${STALL_TARGET_MS} ms`;
  try {
    // On a shared machine a stall is CPU work stretched by the other processes: print the load beside it.
    console.log(
      `  load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} CPUs`,
    );
    const stalls = await measurePathologicalStalls((line) => console.log(line));
    for (const r of stalls) {
      rows.push({
        metric: `stall: ${r.name}`,
        ours: `${r.maxStallMs.toFixed(0)} ms`,
        peer: '-',
        ratio: `${r.outcome}; ${(r.wallMs / 1000).toFixed(1)} s, ${r.lightExecutions} executions + ${r.apiRequests} API calls answered meanwhile`,
        target: stallTarget,
        verdict: r.maxStallMs < STALL_TARGET_MS ? 'met' : 'MISSED',
      });
    }
  } catch (error) {
    errorRow('event-loop stall under pathological definitions', stallTarget, error);
  }
  const executions = intFromEnv('BENCH_SOAK_EXECUTIONS', 1_000_000);
  section(
    `5b/5c. Soak: ${executions.toLocaleString('en-US')} mocked 5-state executions (default retention: 10,000 closed), then ListExecutions pages over HTTP`,
  );
  try {
    const r = await measureSoak(executions, (line) => console.log(line));
    const last = r.samples[r.samples.length - 1];
    const rate = r.executions / (r.wallMs / 1000);
    console.log(
      `  ${r.executions.toLocaleString('en-US')} executions in ${(r.wallMs / 1000).toFixed(0)} s (${formatRate(rate)}/s); RSS ${r.rssAtRetentionMiB.toFixed(0)} MiB at 20,000 (retention reached), ${last?.rssMiB.toFixed(0)} MiB at the end, peak ${r.peakRssMiB.toFixed(0)} MiB; ${r.retained.toLocaleString('en-US')} retained`,
    );
    rows.push({
      metric: `peak RSS, ${r.executions.toLocaleString('en-US')}-execution soak`,
      ours: `${r.peakRssMiB.toFixed(0)} MiB`,
      peer: '-',
      ratio: `${r.rssAtRetentionMiB.toFixed(0)} MiB at 20,000 -> ${last?.rssMiB.toFixed(0)} MiB at the end`,
      target: 'flat after retention',
      verdict: last !== undefined && last.rssMiB < r.rssAtRetentionMiB * 1.5 + 64 ? 'met' : 'MISSED',
    });
    const first = median(r.firstPageMs);
    const deep = median(r.deepPageMs);
    rows.push({
      metric: `ListExecutions page of ${r.pageSize} over HTTP, ${r.retained.toLocaleString('en-US')} retained of ${r.executions.toLocaleString('en-US')}`,
      ours: `${first.toFixed(2)} ms first, ${deep.toFixed(2)} ms deep (median)`,
      peer: '-',
      ratio: `max ${Math.max(...r.firstPageMs, ...r.deepPageMs).toFixed(1)} ms`,
      target: '-',
      verdict: 'info',
    });
  } catch (error) {
    errorRow('soak', 'flat after retention', error);
  }
}

async function passThroughSection(): Promise<void> {
  section('6. Pass-through overhead per Task (one-Task executions, dynamodb:getItem against dynalite on loopback)');
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

let fleetArguments: FleetArguments = parseFleetArguments([]);

async function fleetRolloutSection(): Promise<void> {
  section(
    `7. Fleet rollout on the local cloud (simulated time line; sizes ${fleetArguments.sizes.map((n) => n.toLocaleString('en-US')).join(', ')}; each in a child process)`,
  );
  failures += await fleetSection(fleetArguments, rows, (line) => console.log(line));
}

const SECTIONS: Record<string, (reps: number) => Promise<void>> = {
  interpreter: (reps) => interpreterSection(reps),
  http: () => httpSection(),
  rss: () => rssSection(),
  retained: () => retainedHeapSection(),
  suite: () => suiteSection(),
  robustness: () => robustnessSection(),
  'pass-through': () => passThroughSection(),
  fleet: () => fleetRolloutSection(),
};

async function main(): Promise<void> {
  const started = performance.now();
  const reps = intFromEnv('BENCH_REPS', 5);
  const argv = process.argv.slice(2);
  const fleetAt = argv.indexOf('fleet');
  // Options after `fleet` (up to the next section name) are the fleet section's.
  let fleetEnd = fleetAt + 1;
  while (fleetAt >= 0 && fleetEnd < argv.length && !(argv[fleetEnd] in SECTIONS)) fleetEnd++;
  if (fleetAt >= 0) fleetArguments = parseFleetArguments(argv.slice(fleetAt + 1, fleetEnd));
  const selected = fleetAt >= 0 ? [...argv.slice(0, fleetAt + 1), ...argv.slice(fleetEnd)] : argv;
  for (const name of selected) {
    if (!(name in SECTIONS)) throw new Error(`unknown bench section '${name}' (sections: ${Object.keys(SECTIONS).join(', ')})`);
  }
  console.log(`bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
  for (const [name, run] of Object.entries(SECTIONS)) {
    // The fleet section (tens of minutes at all sizes) runs only when named.
    if ((selected.length === 0 && name !== 'fleet') || selected.includes(name)) await run(reps);
  }
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
