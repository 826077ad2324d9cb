/**
 * Execution history as AWS records it: sequential ids, a previousEventId chain, detail objects keyed
 * `<camelCasedType>EventDetails`, payloads as JSON strings with `truncated` flags.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
import { StatesError, States } from '../errors';
import { jsonTextTooDeep, MAX_PAYLOAD_DEPTH } from './payload-limits';

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

/**
 * JSON text of a payload. Over 256 KiB it is States.DataLimitExceeded, worded as AWS words it
 * ("The state/task 'X' returned a result with a size exceeding the maximum number of bytes service limit.").
 */
export function payloadText(value: unknown, stateName: string): string {
  return checkedPayloadText(JSON.stringify(value) ?? 'null', stateName);
}

/** `text` (already the JSON text of a payload) after the same size (and depth) check as payloadText. */
export function checkedPayloadText(text: string, stateName: string): string {
  if (text.length * 3 > MAX_PAYLOAD_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new StatesError(
      States.DataLimitExceeded,
      `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  if (jsonTextTooDeep(text)) {
    throw new StatesError(
      States.DataLimitExceeded,
      `The state/task '${stateName}' returned a result nested deeper than ${MAX_PAYLOAD_DEPTH} levels (the engine's bound on payload depth).`,
    );
  }
  return text;
}

/** Per-scope link: the id the next event in this scope points at. */
export interface Cursor {
  prev: number;
}

/**
 * Records events compactly: one slot per event in each of a few parallel arrays, no object per
 * event. A long execution retains tens of thousands of events and a server thousands of executions;
 * copying per-event objects was the engine's largest garbage-collection cost. (Parallel arrays
 * append about 2.5x faster than one strided array.) AWS-shaped event objects are built when the
 * history is read.
 */
export class HistoryRecorder {
  private previousIds: number[] = [];
  private times: number[] = [];
  private types: string[] = [];
  private detailKeys: (string | undefined)[] = [];
  /** The details object, or for a compact state event (see `addStateEvent`) the state's name. */
  private detailsOrName: unknown[] = [];
  /** The payload text of a compact state event; undefined for every other event. */
  private stateTexts: (string | undefined)[] = [];
  /** The last long state text stored whole: later ones are stored as their difference to it (`compactText`). */
  private base?: string;
  /** The last materialized `events`, kept only while something else holds on to it. */
  private materialized?: WeakRef<HistoryEvent[]>;

  constructor(
    private readonly clock: { now(): number },
    private readonly limit = MAX_HISTORY_EVENTS,
  ) {}

  get lastId(): number {
    return this.types.length;
  }

  /** How many events of the history are `*StateEntered` (Step Functions' state transitions, as the bench counts them). */
  get statesEntered(): number {
    let n = 0;
    for (const type of this.types) if (type.endsWith('StateEntered')) n++;
    return n;
  }

  /** The events in AWS's shape, oldest first. */
  get events(): readonly HistoryEvent[] {
    const cached = this.materialized?.deref();
    if (cached !== undefined && cached.length === this.types.length) return cached;
    const events: HistoryEvent[] = new Array(this.types.length);
    let date: Date | undefined;
    for (let i = 0; i < events.length; i++) {
      // Consecutive events usually share a time (the simulated time line): share the Date too.
      if (date === undefined || date.getTime() !== this.times[i]) date = new Date(this.times[i]);
      events[i] = this.eventAt(i, date);
    }
    this.materialized = new WeakRef(events);
    return events;
  }

  /**
   * Appends an event pointing at `previousEventId`. Throws States.Runtime beyond the history limit
   * (the terminal event of the execution itself is always recorded).
   */
  add(type: string, previousEventId: number, detailsKey?: string, details?: object, terminal = false): number {
    const id = this.append(type, previousEventId, detailsKey, detailsKey ? (details ?? {}) : undefined, undefined, terminal);
    if (terminal && this.types.length <= TRIM_MAX_EVENTS) this.trim();
    return id;
  }

  /** Appends at the cursor and moves the cursor to the new event. */
  addAt(cursor: Cursor, type: string, detailsKey?: string, details?: object): number {
    const id = this.add(type, cursor.prev, detailsKey, details);
    cursor.prev = id;
    return id;
  }

  /**
   * `<Type>StateEntered` ({name, input, inputDetails}) or `<Type>StateExited` ({name, output,
   * outputDetails}) with an untruncated payload, at the cursor; stored without a details object.
   */
  addStateEvent(cursor: Cursor, type: string, entered: boolean, stateName: string, text: string): number {
    const id = this.append(type, cursor.prev, entered ? ENTERED_KEY : EXITED_KEY, stateName, this.compactText(text), false);
    cursor.prev = id;
    return id;
  }

  /**
   * A state's payload text, stored as the part it shares with the previous long text kept whole (the
   * base) plus what differs: consecutive states of a workflow mostly carry the same state data with a
   * field changed, and a long execution's history was mostly copies of that text. The stored string
   * has the same characters (a V8 cons of slices of the base around a copy of the middle).
   */
  private compactText(text: string): string {
    if (text.length < COMPACT_MIN_CHARS) return text;
    const base = this.base;
    if (base === undefined) {
      this.base = text;
      return text;
    }
    if (text === base) return base;
    const n = Math.min(text.length, base.length);
    let prefix = 0;
    while (prefix < n && text.charCodeAt(prefix) === base.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < n - prefix && text.charCodeAt(text.length - 1 - suffix) === base.charCodeAt(base.length - 1 - suffix)) suffix++;
    if ((prefix + suffix) * 2 < text.length) {
      this.base = text;
      return text;
    }
    // The middle is copied (structuredClone makes a flat string): a slice would keep all of `text`.
    const middle = structuredClone(text.slice(prefix, text.length - suffix));
    return base.slice(0, prefix) + middle + base.slice(base.length - suffix);
  }

  private append(
    type: string,
    previousEventId: number,
    detailsKey: string | undefined,
    detailsOrName: unknown,
    text: string | undefined,
    terminal: boolean,
  ): number {
    if (!terminal && this.types.length >= this.limit - 1) {
      throw new StatesError(States.Runtime, `The execution reached the maximum number of history events (${this.limit}).`);
    }
    this.previousIds.push(previousEventId);
    this.times.push(this.clock.now());
    this.types.push(type);
    this.detailKeys.push(detailsKey);
    this.detailsOrName.push(detailsOrName);
    this.stateTexts.push(text);
    return this.types.length;
  }

  /**
   * The history of an ended execution no longer grows: drop the arrays' spare capacity (up to a
   * third of it). Only for short histories, where that slack is much of what an execution keeps;
   * copying long ones cost as much as recording them.
   */
  private trim(): void {
    this.previousIds = this.previousIds.slice();
    this.times = this.times.slice();
    this.types = this.types.slice();
    this.detailKeys = this.detailKeys.slice();
    this.detailsOrName = this.detailsOrName.slice();
    this.stateTexts = this.stateTexts.slice();
  }

  private eventAt(i: number, timestamp: Date): HistoryEvent {
    const event: Record<string, unknown> = { id: i + 1, previousEventId: this.previousIds[i], timestamp, type: this.types[i] };
    const key = this.detailKeys[i];
    if (key !== undefined) {
      const text = this.stateTexts[i];
      if (text === undefined) event[key] = this.detailsOrName[i];
      else if (key === ENTERED_KEY) event[key] = { name: this.detailsOrName[i], input: text, inputDetails: NOT_TRUNCATED };
      else event[key] = { name: this.detailsOrName[i], output: text, outputDetails: NOT_TRUNCATED };
    }
    return event as HistoryEvent;
  }
}

const TRIM_MAX_EVENTS = 4096;
/** State texts shorter than this are stored as they are (the bookkeeping of a difference costs about 100 bytes). */
const COMPACT_MIN_CHARS = 512;
const ENTERED_KEY = 'stateEnteredEventDetails';
const EXITED_KEY = 'stateExitedEventDetails';
/** Shared, immutable `{truncated: false}`. */
const NOT_TRUNCATED = Object.freeze({ truncated: false });
