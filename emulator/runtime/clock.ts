/**
 * Time as an execution sees it. The virtual clock makes waits, retry intervals and timeouts advance
 * the execution's own time instantly, so a workflow that waits for hours finishes in milliseconds;
 * history timestamps and `$$` read the same clock.
 */
export interface ExecutionClock {
  /** Milliseconds since the epoch, in this execution's time. */
  now(): number;
  /** Lets `ms` pass; resolves early (false) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
  readonly mode: ClockMode;
}

export type ClockMode = 'virtual' | 'real';

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

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
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

  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
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
