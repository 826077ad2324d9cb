/**
 * Time as a state sees it, and how waits are cancelled. Executions read the engine's one time line
 * (runtime/timeline.ts, which satisfies ExecutionClock); TestState, which runs a single state outside
 * any execution and never waits on other work, uses the instant VirtualClock below.
 */
import { RealTimeline } from './timeline';
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

/** Time that jumps ahead by every sleep at once: nothing else shares it. */
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

export function createClock(mode: ClockMode, start?: number): ExecutionClock {
  return mode === 'real' ? new RealTimeline() : new VirtualClock(start);
}
