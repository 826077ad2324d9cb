/**
 * Distributed Map: a Map Run of child executions, each with its own history (STANDARD or EXPRESS),
 * started through the engine like any execution, with at most MaxConcurrency running at once (up to
 * 10,000), failing once the failed items exceed the tolerated count/percentage.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
 *
 * The parent records MapStateStarted, MapRunStarted {mapRunArn}, then MapRunSucceeded, MapRunFailed
 * {error, cause} or MapRunAborted; no iteration events (those are in the children's histories).
 * A Step Functions Local test case applies to the children as to the parent: their Task states are
 * looked up under the parent state machine's name and share its invocation counters
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html).
 */
import { randomUUID } from 'crypto';
import { StatesError, States } from '../errors';
import { evaluateTemplate, selectPath } from '../asl/jsonpath';
import { evaluateJsonataValue } from '../asl/jsonata';
import type { MapState, StateMachineModel } from '../asl/model';
import { finishMap, iterationInput, pathValueInvalid, readItems, readMaxConcurrency, readTolerance } from './states/map';
import type { Execution } from './execution';
import { batchItems, readItemSource, type S3Call } from './map-run-items';
import { plainResults, transformResults, writeResults, type ChildOutcome } from './map-run-results';
import { BranchCancelled, type RunScope, type StateOutcome, type StateRun } from './state-run';

/** Most child executions a Map Run runs at once (MaxConcurrency 0 means this many). */
export const MAX_DISTRIBUTED_CONCURRENCY = 10_000;
export const EXCEEDED_TOLERANCE_CAUSE = 'The specified tolerated failure threshold was exceeded';

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** What the engine is asked for to run a child execution. */
export interface ChildExecutionRequest {
  readonly parent: MapRunParent;
  readonly mapRunArn: string;
  /** The child's slot (item index) in its Map Run. */
  readonly slot: number;
  readonly executionArn: string;
  readonly name: string;
  /** `arn:...:stateMachine:<parent name>/<label>`: children run the ItemProcessor as their state machine. */
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly model: StateMachineModel;
  readonly input: unknown;
  readonly inputText: string;
  readonly type: 'STANDARD' | 'EXPRESS';
}

/** The engine's side of a Map Run: starting children (registered and listable) and keeping the run. */
export interface MapRunHost {
  startChildExecution(request: ChildExecutionRequest): Execution;
  registerMapRun(mapRun: MapRun): void;
}

export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

/** A child slot's status: PENDING (0, the initial value) until its child starts, RUNNING while it runs, then how it ended. */
const SLOT_STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
type SlotStatus = (typeof SLOT_STATUSES)[number];
const RUNNING = 1;

/**
 * A Map Run: the children, the settings UpdateMapRun may change, its status and counts.
 *
 * It holds a child's Execution only while the child runs. An ended child leaves its status (one byte
 * per item, for the counts DescribeMapRun answers), its outcome until the run's result is built, and
 * its ARN until the engine releases the execution (retention), so that a long run does not keep every
 * child execution and its history for as long as the parent runs.
 */
export class MapRun {
  status: MapRunStatus = 'RUNNING';
  stopDate?: Date;
  /** 0 = up to MAX_DISTRIBUTED_CONCURRENCY. */
  maxConcurrency: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  /** Set once a ResultWriter exported the results. */
  resultsWritten = false;
  /** Set while children are being scheduled: UpdateMapRun calls it to start more at once. */
  private reschedule?: () => void;
  private failedItems = 0;
  private onEnd?: (status: 'SUCCEEDED' | 'FAILED' | 'ABORTED') => void;

  /** The children's inputs (until the run's result is built) and how many items each carries (1 each without an ItemBatcher). */
  private inputs: readonly unknown[] = [];
  itemCounts: readonly number[] = [];
  /** Per child slot, an index into SLOT_STATUSES. */
  private statuses = new Uint8Array(0);
  /** Children still running, by slot. */
  private readonly running = new Map<number, Execution>();
  /** Ended children's outcomes, by slot, until the run's result is built. */
  private ended: (ChildOutcome | undefined)[] = [];
  /** Children's execution ARNs, by slot, until the engine releases them. */
  private childArns: (string | undefined)[] = [];

  constructor(
    readonly arn: string,
    readonly executionArn: string,
    readonly stateMachineArn: string,
    readonly childStateMachineArn: string,
    readonly startDate: Date,
    settings: { maxConcurrency: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number },
  ) {
    this.maxConcurrency = settings.maxConcurrency;
    this.toleratedFailureCount = settings.toleratedFailureCount;
    this.toleratedFailurePercentage = settings.toleratedFailurePercentage;
  }

  setItems(inputs: readonly unknown[], itemCounts: readonly number[]): void {
    this.inputs = inputs;
    this.itemCounts = itemCounts;
    this.statuses = new Uint8Array(inputs.length);
    this.ended = new Array<ChildOutcome | undefined>(inputs.length);
    this.childArns = new Array<string | undefined>(inputs.length);
  }

  get totalItems(): number {
    return this.itemCounts.reduce((a, b) => a + b, 0);
  }

  /** The ARNs of the children started so far that the engine still keeps, in item order, with their slots. */
  childExecutionArns(): { arn: string; slot: number }[] {
    const list: { arn: string; slot: number }[] = [];
    this.childArns.forEach((arn, slot) => {
      if (arn !== undefined) list.push({ arn, slot });
    });
    return list;
  }

  /** The engine released the child of `slot` (retention): ListExecutions by Map Run no longer lists it. */
  childReleased(slot: number, executionArn: string): void {
    if (this.childArns[slot] === executionArn) this.childArns[slot] = undefined;
  }

  /** UpdateMapRun: new limits apply to children started from now on. */
  update(changes: { maxConcurrency?: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number }): void {
    if (changes.maxConcurrency !== undefined) this.maxConcurrency = changes.maxConcurrency;
    if (changes.toleratedFailureCount !== undefined) this.toleratedFailureCount = changes.toleratedFailureCount;
    if (changes.toleratedFailurePercentage !== undefined) this.toleratedFailurePercentage = changes.toleratedFailurePercentage;
    this.reschedule?.();
  }

  /** Child executions by status (per child) or items by status (each child weighted by its item count). */
  counts(per: 'execution' | 'item'): MapRunCounts {
    const c: MapRunCounts = {
      pending: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      timedOut: 0,
      aborted: 0,
      total: 0,
      resultsWritten: 0,
      failuresNotRedrivable: 0,
      pendingRedrive: 0,
    };
    const statuses = this.statuses;
    for (let i = 0; i < statuses.length; i++) {
      const n = per === 'item' ? this.itemCounts[i] : 1;
      c.total += n;
      // A running child's own status: it may have ended a moment before its slot learns it.
      const status: SlotStatus = statuses[i] === RUNNING ? (this.running.get(i)?.status ?? 'RUNNING') : SLOT_STATUSES[statuses[i]];
      if (status === 'PENDING') c.pending += n;
      else if (status === 'RUNNING') c.running += n;
      else if (status === 'SUCCEEDED') c.succeeded += n;
      else if (status === 'FAILED') c.failed += n;
      else if (status === 'TIMED_OUT') c.timedOut += n;
      else c.aborted += n;
    }
    if (this.resultsWritten) c.resultsWritten = c.succeeded + c.failed + c.timedOut + c.aborted;
    return c;
  }

  /** Is the failure tolerance exceeded? With both thresholds given, only exceeding both fails the run. */
  private toleranceExceeded(): boolean {
    if (this.failedItems === 0) return false;
    const count = this.toleratedFailureCount;
    const percentage = this.toleratedFailurePercentage;
    if (count === undefined && percentage === undefined) return true;
    const overCount = count !== undefined && this.failedItems > count;
    const total = this.totalItems;
    const overPercentage = percentage !== undefined && total > 0 && (this.failedItems * 100) / total > percentage;
    if (count !== undefined && percentage !== undefined) return overCount && overPercentage;
    return overCount || overPercentage;
  }

  /**
   * Starts children while slots are free, until every item has run, the tolerance is exceeded or the
   * run is aborted; resolves once no child is running.
   */
  run(start: (index: number) => Execution, cancelled: () => boolean): Promise<'SUCCEEDED' | 'FAILED' | 'ABORTED'> {
    return new Promise((resolve) => {
      let next = 0;
      let outcome: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | undefined;
      const limit = () =>
        this.maxConcurrency === 0 ? MAX_DISTRIBUTED_CONCURRENCY : Math.min(this.maxConcurrency, MAX_DISTRIBUTED_CONCURRENCY);
      const finish = () => {
        if (this.running.size > 0) return;
        this.reschedule = undefined;
        resolve(outcome ?? 'SUCCEEDED');
      };
      const stopAll = (why: 'FAILED' | 'ABORTED') => {
        outcome ??= why;
        for (const child of [...this.running.values()]) if (child.status === 'RUNNING') child.stop();
      };
      this.onEnd = (why) => stopAll(why === 'SUCCEEDED' ? 'ABORTED' : why);
      const schedule = () => {
        if (outcome === undefined && cancelled()) stopAll('ABORTED');
        while (outcome === undefined && next < this.inputs.length && this.running.size < limit()) {
          const index = next++;
          // On the shared time line the next child starts when the slot was freed: now.
          const child = start(index);
          this.running.set(index, child);
          this.statuses[index] = RUNNING;
          this.childArns[index] = child.executionArn;
          void child.done.then(() => {
            this.childEnded(index, child);
            if (child.status !== 'SUCCEEDED' && outcome === undefined) {
              this.failedItems += this.itemCounts[index];
              if (this.toleranceExceeded()) stopAll('FAILED');
            }
            schedule();
          });
        }
        if (outcome !== undefined || next >= this.inputs.length) finish();
      };
      this.reschedule = schedule;
      schedule();
    });
  }

  /** A child ended: keep what the counts and the result need of it, not the execution. */
  private childEnded(slot: number, child: Execution): void {
    this.running.delete(slot);
    this.statuses[slot] = SLOT_STATUSES.indexOf(child.status);
    this.ended[slot] = outcomeOf(child);
  }

  /** The parent stopped or timed out: stop the children. */
  abort(): void {
    this.onEnd?.('ABORTED');
  }

  /** Each child's outcome, in item order (PENDING for items that never got a child). */
  outcomes(): ChildOutcome[] {
    const list: ChildOutcome[] = new Array(this.statuses.length);
    for (let i = 0; i < list.length; i++) {
      const child = this.running.get(i);
      if (child) list[i] = outcomeOf(child);
      else list[i] = this.ended[i] ?? { status: 'PENDING', input: JSON.stringify(this.inputs[i]) };
    }
    return list;
  }

  /** The run's result is built: its inputs and the children's outcomes are no longer needed. */
  releaseOutcomes(): void {
    this.inputs = [];
    this.ended = [];
  }
}

function outcomeOf(child: Execution): ChildOutcome {
  return {
    status: child.status === 'RUNNING' ? 'ABORTED' : child.status,
    input: child.init.inputText,
    executionArn: child.executionArn,
    name: child.init.name,
    stateMachineArn: child.init.stateMachineArn,
    startDate: child.startDate,
    stopDate: child.stopDate,
    output: child.output,
    error: child.error,
    cause: child.cause,
  };
}

/** What a Map Run needs of the parent execution (implemented by Execution). */
export interface MapRunParent {
  readonly executionArn: string;
  readonly init: Execution['init'];
  readonly clock: Execution['clock'];
  /** The execution's Task resolution chain (mocks, handlers, pass-through): ItemReader/ResultWriter call S3 through it. */
  readonly resolver: Execution['resolver'];
  /** Aborts when the parent ends, so an S3 call in flight stops waiting. */
  readonly stopSignal: Execution['stopSignal'];
  record(scope: RunScope, type: string, detailsKey?: string, details?: object): number;
  recordLinked(scope: RunScope, type: string, previousEventId: number, moveCursor: boolean, detailsKey?: string, details?: object): number;
  checkAlive(): void;
  /** Map Runs in progress, so that StopExecution can abort them before the execution ends. */
  readonly activeMapRuns: Set<{ abort(): void }>;
  /** Per state name, how many times its Task was invoked (mock responses are numbered by it); children share it. */
  readonly invocationCounters: Map<string, number>;
}

/** Runs a Distributed Map state: items, Map Run, children, results. */
export async function runMapRun(parent: MapRunParent, run: StateRun, state: MapState): Promise<StateOutcome> {
  const host = parent.init.mapRunHost;
  if (!host) throw new StatesError(States.Runtime, 'Distributed Map needs an engine to run its child executions');
  const jsonata = state.queryLanguage === 'JSONata';
  const effective = jsonata ? run.rawInput : run.effectiveInput();
  let serviceCalls = 0;
  const call: S3Call = async (resource, parameters) => {
    const outcome = await parent.resolver.resolve({
      resource,
      parameters,
      stateName: state.name,
      executionArn: parent.executionArn,
      invocationIndex: serviceCalls++,
      stateMachineName: parent.init.mockStateMachineName ?? parent.init.stateMachineName,
      testCase: parent.init.testCase,
      stopSignal: parent.stopSignal,
    });
    if (outcome.kind === 'throw') throw new StatesError(outcome.error, outcome.cause);
    return outcome.value;
  };

  // As AWS orders it: MaxConcurrency, the items, MapStateStarted, the tolerance, MapRunStarted; an
  // ItemReader reads inside the Map Run (MapStateStarted then says length 0). Order and quirk as
  // LocalStack's AWS-validated implementation has them (github.com/localstack/localstack,
  // stepfunctions/asl/component/state/state_execution/state_map/state_map.py).
  const maxConcurrency = await readMaxConcurrency(run, state, effective);
  const items = state.itemReader ? undefined : await readItems(run, state, effective);
  const scope = run.scope;
  parent.record(scope, 'MapStateStarted', 'mapStateStartedEventDetails', { length: items?.length ?? 0 });
  const tolerance = await readTolerance(run, state, effective);

  const sm = parent.init.stateMachineName;
  const label = state.label ?? randomUUID();
  const { region, accountId } = parent.init;
  const mapRunArn = `arn:aws:states:${region}:${accountId}:mapRun:${sm}/${label}:${randomUUID()}`;
  const childSmName = `${sm}/${label}`;
  const childSmArn = `arn:aws:states:${region}:${accountId}:stateMachine:${childSmName}`;
  const mapRun = new MapRun(mapRunArn, parent.executionArn, parent.init.stateMachineArn, childSmArn, new Date(parent.clock.now()), {
    maxConcurrency,
    toleratedFailureCount: tolerance.count,
    toleratedFailurePercentage: tolerance.percentage,
  });
  host.registerMapRun(mapRun);
  const startedId = parent.record(scope, 'MapRunStarted', 'mapRunStartedEventDetails', { mapRunArn });

  const abortHandle = {
    abort: () => {
      if (mapRun.status !== 'RUNNING') return;
      mapRun.status = 'ABORTED';
      mapRun.stopDate = new Date(parent.clock.now());
      parent.recordLinked(scope, 'MapRunAborted', startedId, true);
      mapRun.abort();
    },
  };
  parent.activeMapRuns.add(abortHandle);
  // Inside the Map Run: read the items, ItemSelector per item (with $$.Map.Item), ItemBatcher.
  let inputs: unknown[];
  try {
    const all = items ?? (await readerItems(run, state, effective, call));
    const selected: unknown[] = new Array(all.length);
    for (let i = 0; i < all.length; i++) {
      const v = iterationInput(run, state, all[i], i, effective);
      selected[i] = v instanceof Promise ? await v : v;
    }
    inputs = selected;
    let itemCounts: number[] = selected.map(() => 1);
    if (state.itemBatcher) {
      const batches = batchItems(selected, await readBatchLimits(run, state, effective), await readBatchInput(run, state, effective));
      inputs = batches.map((b) => b.input);
      itemCounts = batches.map((b) => b.itemCount);
    }
    mapRun.setItems(inputs, itemCounts);
  } catch (e) {
    parent.activeMapRuns.delete(abortHandle);
    parent.checkAlive();
    return fail(parent, scope, mapRun, e instanceof StatesError ? e : new StatesError(States.Runtime, String((e as Error).message ?? e)));
  }

  let outcome: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  try {
    parent.checkAlive(); // stopped while the items were read
    const type = state.executionType;
    const kind = type === 'EXPRESS' ? 'express' : 'execution';
    outcome = await mapRun.run(
      (index) => {
        const name = randomUUID();
        const input = inputs[index];
        return host.startChildExecution({
          parent,
          mapRunArn,
          slot: index,
          executionArn: `arn:aws:states:${region}:${accountId}:${kind}:${childSmName}:${name}`,
          name,
          stateMachineArn: childSmArn,
          stateMachineName: childSmName,
          model: state.processor,
          input,
          inputText: JSON.stringify(input),
          type,
        });
      },
      () => scope.cancellation?.cancelled === true,
    );
  } finally {
    parent.activeMapRuns.delete(abortHandle);
  }
  try {
    return await finishMapRun(parent, run, state, effective, scope, mapRun, abortHandle, startedId, outcome, call);
  } finally {
    mapRun.releaseOutcomes();
  }
}

/** After the children: the Map Run's end events and the state's result. */
async function finishMapRun(
  parent: MapRunParent,
  run: StateRun,
  state: MapState,
  effective: unknown,
  scope: RunScope,
  mapRun: MapRun,
  abortHandle: { abort(): void },
  startedId: number,
  outcome: 'SUCCEEDED' | 'FAILED' | 'ABORTED',
  call: S3Call,
): Promise<StateOutcome> {
  const mapRunArn = mapRun.arn;
  // The children ran on the parent's time line: it resumes when the last child ended, with no catch-up.
  parent.checkAlive();
  if (outcome === 'ABORTED' && mapRun.status === 'RUNNING') {
    // A sibling branch failed (the parent is still running): the run is aborted with it.
    abortHandle.abort();
    throw new BranchCancelled();
  }

  const outcomes = mapRun.outcomes();
  let result: unknown;
  try {
    result = await collectResults(run, state, effective, mapRunArn, outcomes, call);
    mapRun.resultsWritten = state.resultWriter?.resource !== undefined;
  } catch (e) {
    if (outcome === 'SUCCEEDED') return fail(parent, scope, mapRun, e as StatesError);
    throw e;
  }
  if (outcome === 'FAILED') {
    return fail(parent, scope, mapRun, new StatesError(States.ExceedToleratedFailureThreshold, EXCEEDED_TOLERANCE_CAUSE));
  }
  mapRun.status = 'SUCCEEDED';
  mapRun.stopDate = new Date(parent.clock.now());
  const succeededId = parent.record(scope, 'MapRunSucceeded');
  parent.recordLinked(scope, 'MapStateSucceeded', succeededId, false);
  return finishMap(run, state, result);
}

function fail(parent: MapRunParent, scope: RunScope, mapRun: MapRun, err: StatesError): never {
  mapRun.status = 'FAILED';
  mapRun.stopDate = new Date(parent.clock.now());
  parent.record(scope, 'MapRunFailed', 'mapRunFailedEventDetails', { error: err.error, cause: err.cause });
  throw err;
}

/** The Map's result: the children's results, or where the ResultWriter put them. */
async function collectResults(
  run: StateRun,
  state: MapState,
  effective: unknown,
  mapRunArn: string,
  outcomes: ChildOutcome[],
  call: S3Call,
): Promise<unknown> {
  const writer = state.resultWriter;
  if (!writer) return plainResults(outcomes);
  if (writer.resource === undefined) return transformResults(outcomes, writer.transformation);
  const parameters =
    state.queryLanguage === 'JSONata'
      ? await evaluateJsonataValue(writer.arguments, run.jsonataEnv(), 'ResultWriter/Arguments')
      : writer.parameters
        ? evaluateTemplate(writer.parameters, run.pathEnv(effective))
        : {};
  const details = await writeResults(writer, parameters, mapRunArn, outcomes, call);
  return { MapRunArn: mapRunArn, ResultWriterDetails: details };
}

async function readerItems(run: StateRun, state: MapState, effective: unknown, call: S3Call): Promise<unknown[]> {
  const reader = state.itemReader!;
  const parameters =
    state.queryLanguage === 'JSONata'
      ? await evaluateJsonataValue(reader.arguments, run.jsonataEnv(), 'ItemReader/Arguments')
      : reader.parameters
        ? evaluateTemplate(reader.parameters, run.pathEnv(effective))
        : {};
  const maxItems = await readPositiveInteger(run, state, effective, reader.maxItems, reader.maxItemsPath, 'MaxItems', true);
  try {
    return await readItemSource(reader, parameters, call, maxItems);
  } catch (e) {
    const err = e as StatesError;
    if (err instanceof StatesError && err.error === States.ItemReaderFailed) throw err;
    // A failed S3 call fails the reader, naming what the service said.
    throw new StatesError(States.ItemReaderFailed, `${err.error ?? 'Error'}: ${err.cause ?? String(e)}`);
  }
}

/**
 * A count field given as a number, a JSONata expression or a *Path (MaxItems, MaxItemsPerBatch,
 * MaxInputBytesPerBatch). A Path that reads anything but an integer in range fails the state with
 * the same wording as the tolerance paths.
 */
async function readPositiveInteger(
  run: StateRun,
  state: MapState,
  effective: unknown,
  value: unknown,
  path: string | undefined,
  field: string,
  zeroAllowed: boolean,
): Promise<number | undefined> {
  let v = value;
  if (state.queryLanguage === 'JSONata' && typeof v === 'string') v = await evaluateJsonataValue(v, run.jsonataEnv(), field);
  if (path !== undefined) {
    v = selectPath(effective, path, run.pathEnv(effective));
    if (typeof v !== 'number' || !Number.isInteger(v)) throw pathValueInvalid(field, v, path, 'integer');
  }
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (zeroAllowed ? 0 : 1)) {
    throw new StatesError(
      States.Runtime,
      `${field} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, but was ${JSON.stringify(v)}`,
    );
  }
  // MaxItems 0 means "no limit".
  return zeroAllowed && v === 0 ? undefined : v;
}

async function readBatchLimits(run: StateRun, state: MapState, effective: unknown): Promise<{ maxItems?: number; maxBytes?: number }> {
  const b = state.itemBatcher!;
  return {
    maxItems: await readPositiveInteger(run, state, effective, b.maxItemsPerBatch, b.maxItemsPerBatchPath, 'MaxItemsPerBatch', false),
    maxBytes: await readPositiveInteger(
      run,
      state,
      effective,
      b.maxInputBytesPerBatch,
      b.maxInputBytesPerBatchPath,
      'MaxInputBytesPerBatch',
      false,
    ),
  };
}

async function readBatchInput(run: StateRun, state: MapState, effective: unknown): Promise<unknown> {
  const b = state.itemBatcher!;
  if (state.queryLanguage === 'JSONata') {
    return b.batchInputJsonata === undefined
      ? undefined
      : evaluateJsonataValue(b.batchInputJsonata, run.jsonataEnv(), 'ItemBatcher/BatchInput');
  }
  return b.batchInput ? evaluateTemplate(b.batchInput, run.pathEnv(effective)) : undefined;
}
