/**
 * The engine's record of executions: per state machine, in start order (so ListExecutions pages
 * newest first at the cost of the page), per status, and a bounded retention of closed executions.
 *
 * AWS keeps closed executions listable for 90 days
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). A local engine that
 * runs for days (the local tenant cloud, `npm start`) cannot keep every execution in memory, so it
 * keeps the newest `maxClosedExecutions` closed executions and releases closed executions older than
 * `closedExecutionTtlMs` (wall clock since they closed). Running executions are never released.
 * A released execution is gone for every API: Describe/GetExecutionHistory answer
 * ExecutionDoesNotExist and its name may be used again.
 */

export interface RetentionOptions {
  /** Closed executions kept, newest first (engine-wide). Default 10,000. */
  maxClosedExecutions?: number;
  /** Closed executions older than this (ms since they closed, wall clock) are released. Default 24 h. */
  closedExecutionTtlMs?: number;
}

export const DEFAULT_RETENTION: Required<RetentionOptions> = {
  maxClosedExecutions: 10_000,
  closedExecutionTtlMs: 24 * 60 * 60 * 1000,
};

/**
 * Entries ordered by an increasing sequence number, with removal in any order: removed slots become
 * holes, compacted once they outnumber the live entries. Pages read backwards from a sequence number.
 */
export class SeqList<T> {
  private seqs: number[] = [];
  private items: (T | undefined)[] = [];
  private holes = 0;

  get size(): number {
    return this.items.length - this.holes;
  }

  /** Adds an entry; `seq` is usually the largest yet (then it is a push). */
  add(seq: number, item: T): void {
    const n = this.seqs.length;
    if (n === 0 || this.seqs[n - 1] < seq) {
      this.seqs.push(seq);
      this.items.push(item);
      return;
    }
    const at = this.lowerBound(seq);
    this.seqs.splice(at, 0, seq);
    this.items.splice(at, 0, item);
  }

  remove(seq: number): boolean {
    const at = this.lowerBound(seq);
    if (at >= this.seqs.length || this.seqs[at] !== seq || this.items[at] === undefined) return false;
    this.items[at] = undefined;
    this.holes++;
    if (this.holes > 64 && this.holes * 2 > this.items.length) this.compact();
    return true;
  }

  /**
   * Up to `size` entries with a sequence number below `before` (all when undefined), newest first,
   * and whether more remain.
   */
  pageDescending(before: number | undefined, size: number): { items: T[]; lastSeq?: number; more: boolean } {
    let i = (before === undefined ? this.seqs.length : this.lowerBound(before)) - 1;
    const out: T[] = [];
    let lastSeq: number | undefined;
    for (; i >= 0 && out.length < size; i--) {
      const item = this.items[i];
      if (item === undefined) continue;
      out.push(item);
      lastSeq = this.seqs[i];
    }
    while (i >= 0 && this.items[i] === undefined) i--;
    return { items: out, lastSeq, more: i >= 0 };
  }

  /** Every entry, oldest first. */
  values(): T[] {
    return this.items.filter((x): x is T => x !== undefined);
  }

  /** First index whose sequence number is >= seq. */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    const seqs: number[] = [];
    const items: T[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i];
      if (item === undefined) continue;
      seqs.push(this.seqs[i]);
      items.push(item);
    }
    this.seqs = seqs;
    this.items = items;
    this.holes = 0;
  }
}

/** A first-in first-out queue with O(1) amortized shift (Array#shift is O(n) on long arrays). */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
