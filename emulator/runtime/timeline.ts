/**
 * One time line for everything that runs in this process: every execution of the engine and, in the
 * local tenant cloud, the services beside it (a CloudFormation stack that takes 60 s to create, an
 * EventBridge retry after 30 s).
 *
 * Virtual mode is a discrete-event simulation: `now()` stands still while anything can make progress,
 * and jumps to the earliest pending timer only when nothing can. "Can make progress" means: no
 * microtask is pending (checked by waiting for a macrotask turn) and no work is held (`hold()`), which
 * is how a service call in flight over a socket keeps the clock where it is until its answer arrives.
 * Real mode is the wall clock; `hold()` is then a no-op.
 */
import type { StopSignal } from './clock';

export type TimelineMode = 'virtual' | 'real';

export interface Timeline {
  readonly mode: TimelineMode;
  /** Milliseconds since the epoch on this time line. */
  now(): number;
  /** Lets `ms` pass on this time line; resolves early with false when `signal` stops. */
  sleep(ms: number, signal?: StopSignal): Promise<boolean>;
  /** Marks work in flight: virtual time does not move until the returned release is called (idempotent). */
  hold(): () => void;
  /** Holds the time line while `work` is pending. */
  track<T>(work: Promise<T>): Promise<T>;
}

const resolvedTrue = Promise.resolve(true);
const resolvedFalse = Promise.resolve(false);

interface Timer {
  readonly due: number;
  readonly seq: number;
  resolve(done: boolean): void;
  settled: boolean;
}

/** What a settled timer still in the heap calls: nothing (it keeps no closure, signal or promise alive). */
const settledTimer = (): void => undefined;
/** Settled timers the heap may hold before it is rebuilt without them (and at least half of it). */
const COMPACT_SETTLED_TIMERS = 1024;

export class VirtualTimeline implements Timeline {
  readonly mode = 'virtual';
  private current: number;
  private holds = 0;
  private seq = 0;
  /** Min-heap on (due, seq): timers that end at the same instant fire in the order they were set. */
  private heap: Timer[] = [];
  /**
   * Timers stopped by their signal while in the heap. A stopped timer stays until it reaches the top;
   * an execution's or a Task's timeout is stopped long before it is due, so a long run kept many.
   */
  private settledInHeap = 0;
  private advanceScheduled = false;
  /** See limitJumps: the longest jump, and the wall-clock tick that runs time beyond it. */
  private maxJumpMs = Infinity;
  private wallTick: ReturnType<typeof setTimeout> | undefined;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  /**
   * From now on, time jumps to the next timer only when it is at most `maxJumpMs` away; a timer
   * further off is approached at wall-clock speed (and reached by a jump once within `maxJumpMs`).
   * For an interactive session: a workflow that waits for a person (a task token) with only its
   * execution timeout pending would otherwise see days pass in an instant and time out before anyone
   * could answer. Stack durations, bakes and retry delays below the limit still pass at once.
   */
  limitJumps(maxJumpMs: number): void {
    if (!(maxJumpMs >= 0)) throw new Error(`limitJumps: maxJumpMs must be a number >= 0, got ${maxJumpMs}`);
    this.maxJumpMs = maxJumpMs;
    this.scheduleAdvance();
  }

  now(): number {
    return this.current;
  }

  /** Number of timers waiting (for tests and diagnostics). */
  get pendingTimers(): number {
    return this.heap.length;
  }

  get heldWork(): number {
    return this.holds;
  }

  sleep(ms: number, signal?: StopSignal): Promise<boolean> {
    if (signal?.aborted) return resolvedFalse;
    if (!(ms > 0)) return resolvedTrue;
    return new Promise<boolean>((resolve) => {
      const timer: Timer = {
        due: this.current + ms,
        seq: this.seq++,
        settled: false,
        resolve: (done) => {
          if (timer.settled) return;
          timer.settled = true;
          timer.resolve = settledTimer;
          if (signal) signal.removeEventListener('abort', onStop);
          resolve(done);
        },
      };
      // Stopped while in the heap (a timer that fired was popped first and is settled by then).
      const onStop = (): void => {
        if (timer.settled) return;
        timer.resolve(false);
        this.settledInHeap++;
      };
      if (signal) signal.addEventListener('abort', onStop, { once: true });
      this.push(timer);
      this.scheduleAdvance();
    });
  }

  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.scheduleAdvance();
    };
  }

  track<T>(work: Promise<T>): Promise<T> {
    const release = this.hold();
    return work.finally(release);
  }

  private scheduleAdvance(): void {
    if (this.advanceScheduled || this.holds > 0 || this.heap.length === 0) return;
    this.advanceScheduled = true;
    setImmediate(this.advance);
  }

  /** Runs after a macrotask turn: pending microtasks and ready I/O callbacks have run by then. */
  private readonly advance = (): void => {
    this.advanceScheduled = false;
    this.dropSettled();
    if (this.holds > 0 || this.heap.length === 0) return;
    const due = this.heap[0].due;
    if (due - this.current > this.maxJumpMs) {
      this.runAtWallSpeed(due);
      return;
    }
    if (due > this.current) this.current = due;
    // Fire every timer due at this instant, in the order they were set.
    while (this.heap.length > 0 && this.heap[0].due <= this.current) this.pop().resolve(true);
    this.scheduleAdvance();
  };

  /** Beyond the jump limit: let wall time pass (at most a second per tick), then look again. */
  private runAtWallSpeed(due: number): void {
    if (this.wallTick !== undefined) return;
    const wallStart = Date.now();
    const from = this.current;
    this.wallTick = setTimeout(
      () => {
        this.wallTick = undefined;
        // Work that arrived meanwhile may have moved time already: never move it back.
        this.current = Math.max(this.current, from + (Date.now() - wallStart));
        this.scheduleAdvance();
      },
      Math.min(1000, Math.max(1, due - this.current - this.maxJumpMs)),
    );
    this.wallTick.unref();
  }

  private dropSettled(): void {
    while (this.heap.length > 0 && this.heap[0].settled) this.pop();
    if (this.settledInHeap > COMPACT_SETTLED_TIMERS && this.settledInHeap * 2 > this.heap.length) this.compact();
  }

  /** Rebuilds the heap without its settled timers; a sorted array is a heap, in the same (due, seq) order. */
  private compact(): void {
    this.heap = this.heap.filter((t) => !t.settled).sort((a, b) => (before(a, b) ? -1 : 1));
    this.settledInHeap = 0;
  }

  private push(timer: Timer): void {
    if (this.settledInHeap > COMPACT_SETTLED_TIMERS && this.settledInHeap * 2 > this.heap.length) this.compact();
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0];
    if (top.settled) this.settledInHeap--;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class RealTimeline implements Timeline {
  readonly mode = 'real';

  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: StopSignal): Promise<boolean> {
    if (signal?.aborted) return resolvedFalse;
    if (!(ms > 0)) return resolvedTrue;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onStop);
        resolve(true);
      }, ms);
      const onStop = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal?.addEventListener('abort', onStop, { once: true });
    });
  }

  hold(): () => void {
    return noop;
  }

  track<T>(work: Promise<T>): Promise<T> {
    return work;
  }
}

function noop(): void {}

export function createTimeline(mode: TimelineMode, start?: number): Timeline {
  return mode === 'real' ? new RealTimeline() : new VirtualTimeline(start);
}
