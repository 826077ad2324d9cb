/**
 * Regular expressions of JSONata expressions (`/re/` with $match, $replace, $contains, $split), run
 * where a catastrophic one cannot freeze the process: in a worker thread, with a deadline per call.
 *
 * JavaScript's regular expressions backtrack, and a match in progress cannot be interrupted on the
 * thread that runs it: `/(a+)+b/` against 30 "a"s never returns. jsonata lets its caller supply the
 * RegExp class (`RegexEngine`); this one sends each `exec` to a worker and waits synchronously
 * (Atomics.wait) for at most `regexCallMs` of the worker's CPU time. A worker that misses the
 * deadline is terminated (V8 stops a running match) and the call throws, which fails the
 * evaluation; the next call starts a new worker. The worker has its own heap limit
 * (`resourceLimits`), so a regex that exhausts memory takes only the worker down.
 *
 * Cost: one round trip (tens of microseconds) per call. `$match`/`$replace`/`$split` iterate exec
 * over the string; after the first call on a string the worker returns a batch of the following
 * matches, so a global replace over many matches costs a few round trips, not one per match.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'worker_threads';

/** One exec result: the match with its groups, where it was and where the next search starts. */
interface MatchRecord {
  readonly from: number;
  readonly values: (string | undefined)[];
  readonly index: number;
  readonly after: number;
}
type BatchEntry = MatchRecord | null;

export interface RegexBounds {
  /** CPU time one exec (or batch) may take in the worker before the evaluation fails. */
  regexCallMs: number;
  /** Wall-clock time one call may take however loaded the machine (the longest stall it may cause). */
  regexCallWallMs: number;
  /** How long the first call may wait for a worker that is still starting. */
  workerStartMs: number;
}

/**
 * The deadline is CPU time rather than wall time: on a loaded machine a harmless regex can take
 * tens of milliseconds of wall time while a catastrophic one burns CPU. The main thread sleeps in
 * Atomics.wait meanwhile, so the process's CPU time during the wait is the worker's.
 */
export const REGEX_BOUNDS: RegexBounds = { regexCallMs: 40, regexCallWallMs: 1000, workerStartMs: 2000 };
const WAIT_SLICE_MS = 5;

/** The error a regular expression past its deadline fails the evaluation with. */
class RegexDeadlineError extends Error {
  readonly code = 'RegexTimeout';
  constructor(source: string, ms: number) {
    super(`the regular expression /${source}/ did not finish within ${ms} ms of CPU time (catastrophic backtracking?)`);
  }
}

// Plain JavaScript so the worker needs no TypeScript loader. It keeps the last compiled expression.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
let last = { source: undefined, flags: undefined, re: undefined };
parentPort.on('message', (m) => {
  let out;
  try {
    if (last.source !== m.source || last.flags !== m.flags) last = { source: m.source, flags: m.flags, re: new RegExp(m.source, m.flags) };
    const re = last.re;
    const results = [];
    let from = m.from;
    const started = Date.now();
    for (;;) {
      re.lastIndex = from;
      const x = re.exec(m.str);
      if (x === null) { results.push(null); break; }
      results.push({ from, values: Array.from(x), index: x.index, after: re.lastIndex });
      if (results.length >= m.want || x[0] === '' || !re.global || re.lastIndex >= m.str.length || Date.now() - started > 2) break;
      from = re.lastIndex;
    }
    out = { results };
  } catch (e) {
    out = { error: String(e && e.message || e) };
  }
  port.postMessage(out);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

class RegexWorker {
  private worker?: Worker;
  private port?: MessagePort;
  private flag?: Int32Array;
  private online = false;

  private started?: Promise<void>;

  /** Starts the worker ahead of its first use (when an expression with a regex is compiled). */
  warm(): void {
    if (this.worker === undefined) this.spawn();
  }

  /** undefined when the worker runs; else a promise of it running (a call never waits for a start-up). */
  ready(): Promise<void> | undefined {
    if (this.worker === undefined) this.spawn();
    return this.online ? undefined : this.started;
  }

  run(source: string, flags: string, str: string, from: number, want: number): BatchEntry[] {
    if (this.worker === undefined) this.spawn();
    const flag = this.flag!;
    Atomics.store(flag, 0, 0);
    this.worker!.postMessage({ source, flags, str, from, want });
    if (!this.waitForAnswer(flag)) {
      this.discard();
      throw new RegexDeadlineError(source, REGEX_BOUNDS.regexCallMs);
    }
    this.online = true;
    const reply = receiveMessageOnPort(this.port!)?.message as { results?: BatchEntry[]; error?: string } | undefined;
    if (reply === undefined) throw new Error('the regular expression worker gave no answer');
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply.results!;
  }

  /** Sleeps until the worker answers; false when it used up its CPU time (or the wall-clock cap). */
  private waitForAnswer(flag: Int32Array): boolean {
    if (!this.online) return Atomics.wait(flag, 0, 0, REGEX_BOUNDS.workerStartMs + REGEX_BOUNDS.regexCallWallMs) !== 'timed-out';
    const cpuAtStart = process.cpuUsage();
    const wallAtStart = performance.now();
    for (;;) {
      if (Atomics.wait(flag, 0, 0, WAIT_SLICE_MS) !== 'timed-out') return true;
      const cpu = process.cpuUsage(cpuAtStart);
      if ((cpu.user + cpu.system) / 1000 > REGEX_BOUNDS.regexCallMs) return false;
      if (performance.now() - wallAtStart > REGEX_BOUNDS.regexCallWallMs) return false;
    }
  }

  private spawn(): void {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { flag: flag.buffer, port: port2 },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    port1.unref();
    this.started = new Promise<void>((resolve) => {
      worker.once('online', () => {
        if (this.worker === worker) this.online = true;
        resolve();
      });
      worker.once('exit', () => resolve());
    });
    // A worker that died (out of memory, terminated) is replaced on the next call.
    worker.on('error', () => this.worker === worker && this.discard());
    worker.on('exit', () => this.worker === worker && this.discard());
    this.worker = worker;
    this.port = port1;
    this.flag = flag;
    this.online = false;
  }

  private discard(): void {
    const worker = this.worker;
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
    this.flag = undefined;
    this.online = false;
    void worker?.terminate();
  }
}

const regexWorker = new RegexWorker();

/** Starts the regex worker early, so the first evaluation does not wait for it. */
export function warmRegexWorker(): void {
  regexWorker.warm();
}

/** Resolves once the regex worker runs (undefined: it already does). Awaited before evaluating a regex. */
export function regexWorkerReady(): Promise<void> | undefined {
  return regexWorker.ready();
}

/**
 * A RegExp look-alike for jsonata's `RegexEngine` option: what jsonata uses of it is the
 * constructor (given the parsed RegExp), `lastIndex` and `exec`.
 */
export class BoundedRegExp {
  lastIndex = 0;
  private readonly source: string;
  private readonly flags: string;
  /** Matches the worker found ahead, for the string being iterated. */
  private batch?: { str: string; entries: BatchEntry[]; next: number };
  private lastString?: string;

  constructor(pattern: RegExp | string, flags?: string) {
    const re = pattern instanceof RegExp ? pattern : new RegExp(pattern, flags);
    this.source = re.source;
    this.flags = re.flags;
  }

  exec(str: string): RegExpExecArray | null {
    const from = this.lastIndex;
    const b = this.batch;
    let entry: BatchEntry | undefined;
    if (b !== undefined && b.str === str && b.next < b.entries.length) {
      const candidate = b.entries[b.next];
      if (candidate === null || candidate.from === from) {
        entry = candidate;
        b.next++;
      }
    }
    if (entry === undefined) {
      // The first call on a string asks for one match ($contains needs no more); later ones for a batch.
      const want = this.lastString === str ? 10_000 : 1;
      const entries = regexWorker.run(this.source, this.flags, str, from, want);
      this.batch = { str, entries, next: 1 };
      entry = entries[0];
    }
    this.lastString = str;
    if (entry === null) {
      this.lastIndex = 0;
      return null;
    }
    this.lastIndex = entry.after;
    const result = entry.values.slice() as unknown as RegExpExecArray;
    result.index = entry.index;
    result.input = str;
    return result;
  }
}
