/** Timing, statistics and the report table shared by the bench sections. */
import { readFileSync } from 'fs';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** Peak resident set size of this process (VmHWM), in bytes; falls back to the current RSS. */
export function peakRssBytes(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (kb) return Number(kb[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return process.memoryUsage().rss;
}

export const MiB = 1024 * 1024;

export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1);
}

export type Verdict = 'met' | 'MISSED' | 'skipped' | 'error' | 'info';

export interface ResultRow {
  metric: string;
  ours: string;
  peer: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

export function printTable(rows: readonly ResultRow[]): void {
  const header: ResultRow = {
    metric: 'metric',
    ours: 'ours',
    peer: 'peer',
    ratio: 'ratio',
    target: 'target',
    verdict: 'verdict' as Verdict,
  };
  const columns = Object.keys(header) as (keyof ResultRow)[];
  const widths = columns.map((c) => Math.max(...[header, ...rows].map((r) => String(r[c]).length)));
  const line = (r: ResultRow) =>
    columns
      .map((c, i) => String(r[c]).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Prints a section heading so progress is visible while the bench runs. */
export function section(title: string): void {
  console.log(`\n== ${title}`);
}
