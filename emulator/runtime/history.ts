/**
 * Execution history as AWS records it: sequential ids, a previousEventId chain, detail objects keyed
 * `<camelCasedType>EventDetails`, payloads as JSON strings with `truncated` flags.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
import { StatesError, States } from '../errors';

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [detailsKey: string]: unknown;
}

/** Maximum events in a Standard execution's history. https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html */
export const MAX_HISTORY_EVENTS = 25000;
/** Maximum payload size (input, output, state data). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export interface PayloadText {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * JSON text of a payload. Over 256 KiB it is States.DataLimitExceeded, worded as AWS words it
 * ("The state/task 'X' returned a result with a size exceeding the maximum number of bytes service limit.").
 */
export function payloadText(value: unknown, stateName: string): string {
  const text = JSON.stringify(value) ?? 'null';
  if (text.length * 3 > MAX_PAYLOAD_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new StatesError(
      States.DataLimitExceeded,
      `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  return text;
}

/** Per-scope link: the id the next event in this scope points at. */
export interface Cursor {
  prev: number;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly listeners: ((e: HistoryEvent) => void)[] = [];
  private lastDate?: Date;

  constructor(private readonly now: () => number, private readonly limit = MAX_HISTORY_EVENTS) {}

  get lastId(): number {
    return this.events.length;
  }

  onEvent(listener: (e: HistoryEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Appends an event pointing at `previousEventId`. Throws States.Runtime beyond the history limit
   * (the terminal event of the execution itself is always recorded).
   */
  add(type: string, previousEventId: number, detailsKey?: string, details?: object, terminal = false): number {
    if (!terminal && this.events.length >= this.limit - 1) {
      throw new StatesError(
        States.Runtime,
        `The execution reached the maximum number of history events (${this.limit}).`,
      );
    }
    const id = this.events.length + 1;
    const now = this.now();
    // Consecutive events usually share a time (virtual clock): share the Date too.
    if (this.lastDate === undefined || this.lastDate.getTime() !== now) this.lastDate = new Date(now);
    const event: Record<string, unknown> = { id, previousEventId, timestamp: this.lastDate, type };
    if (detailsKey) event[detailsKey] = details ?? {};
    this.events.push(event as HistoryEvent);
    for (const l of this.listeners) l(event as HistoryEvent);
    return id;
  }

  /** Appends at the cursor and moves the cursor to the new event. */
  addAt(cursor: Cursor, type: string, detailsKey?: string, details?: object): number {
    const id = this.add(type, cursor.prev, detailsKey, details);
    cursor.prev = id;
    return id;
  }
}

/** `{input, inputDetails}`-style pair for a payload field. */
export function payloadDetails(field: 'input' | 'output', text: string): Record<string, unknown> {
  return { [field]: text, [`${field}Details`]: { truncated: false } };
}
