/**
 * Section 5 (`npm run bench -- robustness`): the engine stays up and answers everyone.
 *
 * 5a. For each pathological definition (each once froze or killed the server): the longest event-loop
 *     stall while it runs (perf_hooks.monitorEventLoopDelay, 10 ms resolution), how it ended, and how
 *     many short executions and API requests were answered meanwhile. Server and client in one child
 *     process, so a stall delays the answers too. Target: every stall under 100 ms.
 * 5b. Soak: BENCH_SOAK_EXECUTIONS (default 1,000,000) mocked 5-state executions one after another
 *     through the in-process engine with the default retention (10,000 closed executions kept); RSS
 *     sampled as it goes. Target: flat once retention is reached.
 * 5c. ListExecutions page latency over HTTP at the end of the soak (first page and deep pages).
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import { request as httpRequest, Agent } from 'http';
import { Engine } from '../emulator/runtime/engine';
import { MockConfig } from '../emulator/runtime/mock-config';
import { startServer } from '../emulator/api/server';
import { runInChild } from './child';
import { MOCKED_FIVE_STATE, MOCKED_FIVE_STATE_CONFIG, MOCKED_FIVE_STATE_NAME, MOCKED_FIVE_STATE_TEST_CASE } from './definitions';
import { MiB, peakRssBytes } from './measure';

const AS = `"${'a'.repeat(40)}"`;
const CATASTROPHIC = '/^(a+)+b$/';

function jsonataPass(expression: string): object {
  return { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: `{% ${expression} %}`, End: true } } };
}

/** The definitions that froze or killed the server before (issue: the engine stays up). */
export const PATHOLOGICAL: readonly { name: string; definition: object; input?: unknown; type?: 'EXPRESS' }[] = [
  {
    name: 'Choice StringMatches, 8 stars against 100,000 "a"',
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.v', StringMatches: '*a*a*a*a*a*a*a*a*b', Next: 'Y' }], Default: 'N' },
        Y: { Type: 'Succeed' },
        N: { Type: 'Succeed' },
      },
    },
    input: { v: 'a'.repeat(100_000) },
  },
  { name: 'JSONata endless tail loop', definition: jsonataPass('( $f := function($n){ $f($n + 1) }; $f(0) )') },
  { name: 'JSONata unbounded recursion', definition: jsonataPass('( $f := function($n){ 1 + $f($n + 1) }; $f(0) )') },
  { name: 'JSONata $match, catastrophic regex', definition: jsonataPass(`$match(${AS}, ${CATASTROPHIC})`) },
  { name: 'JSONata $replace, catastrophic regex', definition: jsonataPass(`$replace(${AS}, ${CATASTROPHIC}, "x")`) },
  { name: 'JSONata $contains, catastrophic regex', definition: jsonataPass(`$contains(${AS}, ${CATASTROPHIC})`) },
  { name: 'JSONata $split, catastrophic regex', definition: jsonataPass(`$split(${AS}, ${CATASTROPHIC})`) },
  { name: 'JSONata $pad("", 150000000, "a")', definition: jsonataPass('$pad("", 150000000, "a")') },
  {
    name: 'JSONata string doubling',
    definition: jsonataPass('( $s := function($x, $n){ $n = 0 ? $x : $s($x & $x, $n - 1) }; $s("ab", 40) )'),
  },
  {
    name: 'Pass {"a.$": "$"} wrapping loop',
    definition: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'a.$': '$' }, Next: 'P' } } },
  },
  {
    name: 'Parallel whose Next is itself',
    definition: {
      StartAt: 'Par',
      States: { Par: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], Next: 'Par' } },
    },
  },
  { name: 'EXPRESS Pass loop', definition: { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'P' } } }, type: 'EXPRESS' },
  { name: 'Wait Seconds: 1e300', definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1e300, End: true } } } },
];

/**
 * Run once before measuring, so a stall measures the definition and not the first use of a code path
 * (module loading and compilation took 40-50 ms on the first JSONata evaluation).
 */
const WARM_UP: readonly object[] = [
  jsonataPass(
    '( $f := function($n){ $n < 200 ? $f($n + 1) : $n }; [$f(0), $match("a1b2", /[0-9]/), $replace("a-b", /-/, "+"), $split("a1b", /[0-9]/), $contains("ab", /b/), $pad("x", 4)] )',
  ),
  {
    StartAt: 'P',
    States: {
      P: { Type: 'Pass', Parameters: { 'a.$': '$' }, Next: 'C' },
      C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, StringMatches: 'x', Next: 'P' }], Default: 'Par' },
      Par: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }], End: true },
    },
  },
];

/** A short execution that keeps running beside the pathological one: its count shows who was answered. */
const LIGHT = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', End: true } } };

export interface StallRow {
  name: string;
  maxStallMs: number;
  wallMs: number;
  outcome: string;
  lightExecutions: number;
  apiRequests: number;
}

export interface SoakReport {
  executions: number;
  wallMs: number;
  samples: { executions: number; rssMiB: number; heapMiB: number }[];
  peakRssMiB: number;
  rssAtRetentionMiB: number;
  retained: number;
  firstPageMs: number[];
  deepPageMs: number[];
  pageSize: number;
}

export interface RobustnessRequest {
  part: 'stalls' | 'soak';
  soakExecutions: number;
}

// ---------------------------------------------------------------- 5a stalls

/** An AWS JSON 1.0 response body: an error carries `__type` and `message`. */
type JsonBody = { __type?: string; message?: string; [key: string]: unknown };

function post(url: string, agent: Agent, operation: string, body: object): Promise<{ status: number; body: JsonBody }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${operation}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function measureStalls(): Promise<StallRow[]> {
  const engine = new Engine();
  const server = await startServer({ engine, port: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const rows: StallRow[] = [];
  const role = 'arn:aws:iam::123456789012:role/bench';
  const light = (await post(server.url, agent, 'CreateStateMachine', { name: 'light', definition: JSON.stringify(LIGHT), roleArn: role }))
    .body.stateMachineArn as string;
  try {
    for (const [w, definition] of WARM_UP.entries()) {
      const created = await post(server.url, agent, 'CreateStateMachine', {
        name: `warm-up-${w}`,
        definition: JSON.stringify(definition),
        roleArn: role,
      });
      const s = await post(server.url, agent, 'StartExecution', { stateMachineArn: created.body.stateMachineArn });
      await engine.waitForExecution(s.body.executionArn as string);
    }
    let i = 0;
    for (const p of PATHOLOGICAL) {
      const name = `pathological-${++i}`;
      const created = await post(server.url, agent, 'CreateStateMachine', {
        name,
        definition: JSON.stringify(p.definition),
        roleArn: role,
        type: p.type ?? 'STANDARD',
      });
      if (created.status !== 200) throw new Error(`${p.name}: CreateStateMachine ${JSON.stringify(created.body)}`);
      const arn = created.body.stateMachineArn as string;
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      const started = performance.now();
      let running = true;
      let lightExecutions = 0;
      let apiRequests = 0;
      // Beside it: short executions one after another, and API reads, all over HTTP.
      const lightLoop = (async () => {
        while (running) {
          const s = await post(server.url, agent, 'StartExecution', { stateMachineArn: light });
          await engine.waitForExecution(s.body.executionArn as string);
          lightExecutions++;
        }
      })();
      const apiLoop = (async () => {
        while (running) {
          await post(server.url, agent, 'ListStateMachines', {});
          apiRequests++;
        }
      })();
      let outcome: string;
      const input = JSON.stringify(p.input ?? {});
      if (p.type === 'EXPRESS') {
        const r = await post(server.url, agent, 'StartSyncExecution', { stateMachineArn: arn, input });
        outcome = `${r.body.status} ${r.body.error ?? ''}`.trim();
      } else {
        const s = await post(server.url, agent, 'StartExecution', { stateMachineArn: arn, input });
        if (s.status !== 200) throw new Error(`${p.name}: StartExecution ${JSON.stringify(s.body)}`);
        const d = await engine.waitForExecution(s.body.executionArn as string);
        outcome = `${d.status} ${d.error ?? ''}`.trim();
      }
      const wallMs = performance.now() - started;
      running = false;
      await Promise.all([lightLoop, apiLoop]);
      histogram.disable();
      rows.push({ name: p.name, maxStallMs: histogram.max / 1e6, wallMs, outcome, lightExecutions, apiRequests });
      process.send?.({ progress: `  ${p.name}: ${outcome}, longest stall ${(histogram.max / 1e6).toFixed(0)} ms` });
    }
  } finally {
    agent.destroy();
    await server.close();
  }
  return rows;
}

// ---------------------------------------------------------------- 5b soak, 5c paging

async function soak(executions: number): Promise<SoakReport> {
  const engine = new Engine({ mockConfig: MockConfig.fromObject(MOCKED_FIVE_STATE_CONFIG, 'bench mock configuration') });
  const { stateMachineArn } = engine.createStateMachine({ name: MOCKED_FIVE_STATE_NAME, definition: MOCKED_FIVE_STATE });
  const target = `${stateMachineArn}#${MOCKED_FIVE_STATE_TEST_CASE}`;
  const retention = 10_000; // the engine's default (runtime/execution-index.ts)
  const samples: SoakReport['samples'] = [];
  const sampleEvery = Math.max(1000, Math.floor(executions / 40));
  let rssAtRetention = 0;
  const started = performance.now();
  const inFlight = 16;
  let started_ = 0;
  let completed = 0;
  const worker = async () => {
    while (started_ < executions) {
      started_++;
      const { executionArn } = engine.startExecution({ stateMachineArn: target, input: '{"orderId":"o-1"}' });
      const done = await engine.waitForExecution(executionArn);
      if (done.status !== 'SUCCEEDED') throw new Error(`mocked execution ${done.status}: ${done.error} ${done.cause}`);
      completed++;
      if (completed % sampleEvery === 0) {
        const m = process.memoryUsage();
        samples.push({ executions: completed, rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB });
        process.send?.({
          progress: `  ${completed.toLocaleString('en-US')} executions, RSS ${(m.rss / MiB).toFixed(0)} MiB, heap ${(m.heapUsed / MiB).toFixed(0)} MiB`,
        });
      }
      if (completed === retention * 2) rssAtRetention = process.memoryUsage().rss / MiB;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wallMs = performance.now() - started;

  // 5c: ListExecutions pages over HTTP at this size.
  const server = await startServer({ engine, port: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const firstPageMs: number[] = [];
  const deepPageMs: number[] = [];
  const pageSize = 100;
  try {
    await post(server.url, agent, 'ListExecutions', { stateMachineArn, maxResults: pageSize }); // warm-up (connection, code paths)
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await post(server.url, agent, 'ListExecutions', { stateMachineArn, maxResults: pageSize });
      firstPageMs.push(performance.now() - t);
      const executions = r.body.executions as unknown[];
      if (executions.length !== pageSize) throw new Error(`ListExecutions gave ${executions.length} executions`);
    }
    let token: string | undefined;
    let pages = 0;
    do {
      const t = performance.now();
      const r = await post(server.url, agent, 'ListExecutions', { stateMachineArn, maxResults: pageSize, nextToken: token });
      deepPageMs.push(performance.now() - t);
      token = r.body.nextToken as string | undefined;
      pages++;
    } while (token !== undefined && pages < 200);
  } finally {
    agent.destroy();
    await server.close();
  }
  return {
    executions,
    wallMs,
    samples,
    peakRssMiB: peakRssBytes() / MiB,
    rssAtRetentionMiB: rssAtRetention,
    retained: engine.listExecutions(stateMachineArn).length,
    firstPageMs,
    deepPageMs,
    pageSize,
  };
}

// ---------------------------------------------------------------- entry points

export function measurePathologicalStalls(onProgress: (line: string) => void): Promise<StallRow[]> {
  return runInChild<StallRow[]>(__filename, { part: 'stalls', soakExecutions: 0 } satisfies RobustnessRequest, 300_000, { onProgress });
}

export function measureSoak(executions: number, onProgress: (line: string) => void): Promise<SoakReport> {
  return runInChild<SoakReport>(__filename, { part: 'soak', soakExecutions: executions } satisfies RobustnessRequest, 900_000, {
    onProgress,
  });
}

if (require.main === module) {
  process.once('message', (message) => {
    const req = message as RobustnessRequest;
    const work: Promise<unknown> = req.part === 'stalls' ? measureStalls() : soak(req.soakExecutions);
    work.then(
      (report) => process.send!({ ok: true, report }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
