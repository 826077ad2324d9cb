/**
 * Time as an execution sees it. The virtual clock makes waits, retry intervals and timeouts advance
 * the execution's own time instantly, so a workflow that waits for hours finishes in milliseconds;
 * history timestamps and `$$` read the same clock.
 */
export interface ExecutionClock {
  /** Milliseconds since the epoch, in this execution's time. */
  now(): number;
  /** Lets `ms` pass; resolves early (false) when `signal` aborts. */
  sleep(ms: number, signal?: StopSignal): Promise<boolean>;
  readonly mode: ClockMode;
}

export type ClockMode = 'virtual' | 'real';

/** What a sleep needs of a cancellation signal; an AbortSignal fits. */
export interface StopSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A StopSignal without AbortController's EventTarget machinery (about 1 KiB per waiting execution
 * with its maps and listener records). Listeners run once, on `stop()`.
 */
export class ExecutionStopSignal implements StopSignal {
  private stopped = false;
  private listeners: (() => void)[] | undefined;

  get aborted(): boolean {
    return this.stopped;
  }

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (this.stopped) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const l of listeners) l();
  }
}

const resolvedTrue = Promise.resolve(true);

export class VirtualClock implements ExecutionClock {
  readonly mode = 'virtual';
  private current: number;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: StopSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (ms > 0) this.current += ms;
    return resolvedTrue;
  }
}

export class RealClock implements ExecutionClock {
  readonly mode = 'real';

  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: StopSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (ms <= 0) return resolvedTrue;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export function createClock(mode: ClockMode, start?: number): ExecutionClock {
  return mode === 'real' ? new RealClock() : new VirtualClock(start);
}
