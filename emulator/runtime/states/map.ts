/**
 * Map, inline mode: one iteration of the ItemProcessor per item, recorded in the execution's own
 * history (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html). Distributed
 * mode runs child executions: runtime/map-run.ts. The item, concurrency and tolerance readers here
 * are shared by both.
 */
import { StatesError, States } from '../../errors';
import { evaluateTemplate, resolveReference, selectPath } from '../../asl/jsonpath';
import { evaluateJsonataValue, jsonTypeName, jsonataExpressionText } from '../../asl/jsonata';
import type { MapState } from '../../asl/model';
import { BranchCancelled, type Cancellation, type RunScope, type StateOutcome, type StateRun } from '../state-run';
import type { StateImplementation, StateServices } from './types';

/** AWS runs at most 40 inline iterations at once. */
const INLINE_CONCURRENCY_LIMIT = 40;

export const runMap: StateImplementation<MapState> = async (run, state, services) => {
  // A Distributed Map runs child executions (a Map Run): runtime/map-run.ts.
  if (state.mode === 'DISTRIBUTED') return services.runMapRun(run, state);
  const jsonata = state.queryLanguage === 'JSONata';
  const effective = jsonata ? run.rawInput : run.effectiveInput();
  // MaxConcurrency is evaluated before the items (as for a Distributed Map: runtime/map-run.ts).
  const maxConcurrency = await readMaxConcurrency(run, state, effective);
  const items = await readItems(run, state, effective);
  const selectorInput = effective;

  const scope = run.scope;
  services.record(scope, 'MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
  // AWS evaluates the tolerance fields of every Map after MapStateStarted (an invalid one fails the
  // state there), though only a Map Run applies them.
  await readTolerance(run, state, effective);

  const results: unknown[] = new Array(items.length);
  const cancellation = { cancelled: false };
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        const r = runIteration(run, state, services, items, index, selectorInput, cancellation);
        results[index] = r instanceof Promise ? await r : r;
      } catch (e) {
        // The first failed iteration fails the Map; the others stop at their next state.
        if (failure === undefined && !(e instanceof BranchCancelled)) {
          failure = e;
          cancellation.cancelled = true;
        }
      }
    }
  };
  const workers = Math.max(
    1,
    Math.min(items.length, maxConcurrency === 0 ? INLINE_CONCURRENCY_LIMIT : maxConcurrency, INLINE_CONCURRENCY_LIMIT),
  );
  await Promise.all(Array.from({ length: items.length === 0 ? 0 : workers }, worker));

  if (failure !== undefined) throw failure;
  const last = services.lastEventId();
  services.recordLinked(scope, 'MapStateSucceeded', last, false);
  scope.cursor.prev = last;
  return finishMap(run, state, results);
};

/** ResultSelector/ResultPath/OutputPath (JSONPath) or Output/Assign (JSONata) over the Map's results. */
export function finishMap(run: StateRun, state: MapState, results: unknown): Promise<StateOutcome> {
  return run.finishResult(results, state);
}

/** The input of iteration `index`: the item through ItemSelector (evaluated with `$$.Map.Item`). */
export function iterationInput(
  run: StateRun,
  state: MapState,
  item: unknown,
  index: number,
  selectorInput: unknown,
): unknown | Promise<unknown> {
  if (state.queryLanguage === 'JSONata' && state.itemSelectorJsonata !== undefined) {
    run.mapItem = { Index: index, Value: item };
    const env = run.jsonataEnv();
    run.mapItem = undefined;
    return evaluateJsonataValue(state.itemSelectorJsonata, env, 'ItemSelector');
  }
  if (state.queryLanguage === 'JSONPath' && state.itemSelector) {
    run.mapItem = { Index: index, Value: item };
    try {
      return evaluateTemplate(state.itemSelector, run.pathEnv(selectorInput));
    } finally {
      run.mapItem = undefined;
    }
  }
  return item;
}

/**
 * One iteration. Synchronous when its ItemSelector and all its states are, so quick iterations run
 * one after another (as AWS records them) without a promise each.
 */
function runIteration(
  run: StateRun,
  state: MapState,
  services: StateServices,
  items: unknown[],
  index: number,
  selectorInput: unknown,
  cancellation: Cancellation,
): unknown | Promise<unknown> {
  services.checkAlive();
  const input = iterationInput(run, state, items[index], index, selectorInput);
  if (input instanceof Promise) return input.then((i) => runIterationBody(run, state, services, index, i, cancellation));
  return runIterationBody(run, state, services, index, input, cancellation);
}

function runIterationBody(
  run: StateRun,
  state: MapState,
  services: StateServices,
  index: number,
  iterationInput: unknown,
  cancellation: Cancellation,
): unknown | Promise<unknown> {
  const scope = run.scope;
  const details = { index, name: state.name };
  services.record(scope, 'MapIterationStarted', 'mapIterationStartedEventDetails', details);
  const child = services.childScope(scope, scope.cursor.prev, undefined, cancellation);
  let result: unknown;
  try {
    result = services.runMachineMaybeSync(state.processor, iterationInput, child);
  } catch (e) {
    return iterationFailed(scope, child, services, details, e);
  }
  if (result instanceof Promise) {
    return result.then(
      (out) => iterationSucceeded(scope, child, services, details, out),
      (e) => iterationFailed(scope, child, services, details, e),
    );
  }
  return iterationSucceeded(scope, child, services, details, result);
}

// Module-level functions rather than per-iteration closures: the hot path allocates less.
function iterationSucceeded(scope: RunScope, child: RunScope, services: StateServices, details: object, out: unknown): unknown {
  scope.cursor.prev = child.cursor.prev;
  services.recordLinked(scope, 'MapIterationSucceeded', child.cursor.prev, false, 'mapIterationSucceededEventDetails', details);
  return out;
}

function iterationFailed(scope: RunScope, child: RunScope, services: StateServices, details: object, e: unknown): never {
  scope.cursor.prev = child.cursor.prev;
  if (e instanceof BranchCancelled) {
    services.recordLinked(scope, 'MapIterationAborted', child.cursor.prev, false, 'mapIterationAbortedEventDetails', details);
  } else {
    services.recordLinked(scope, 'MapIterationFailed', child.cursor.prev, false, 'mapIterationFailedEventDetails', details);
  }
  throw e;
}

/** ToleratedFailureCount/Percentage(Path), undefined where not given (Distributed Map only). */
export async function readTolerance(run: StateRun, state: MapState, effective: unknown): Promise<{ count?: number; percentage?: number }> {
  const read = async (value: unknown, path: string | undefined, name: string, kind: 'integer' | 'float'): Promise<number | undefined> => {
    let v = value;
    if (state.queryLanguage === 'JSONata' && typeof v === 'string') v = await evaluateJsonataValue(v, run.jsonataEnv(), name);
    if (path !== undefined) {
      v = selectPath(effective, path, run.pathEnv(effective));
      const ok = typeof v === 'number' && (kind === 'float' || Number.isInteger(v));
      if (!ok) throw pathValueInvalid(name, v, path, kind);
    }
    if (v === undefined) return undefined;
    if (typeof v !== 'number') throw new StatesError(States.Runtime, `${name} must be a number.`);
    return v;
  };
  const count = await read(state.toleratedFailureCount, state.toleratedFailureCountPath, 'ToleratedFailureCount', 'integer');
  if (count !== undefined && count < 0) throw new StatesError(States.Runtime, 'ToleratedFailureCount cannot be negative.');
  const percentage = await read(
    state.toleratedFailurePercentage,
    state.toleratedFailurePercentagePath,
    'ToleratedFailurePercentage',
    'float',
  );
  if (percentage !== undefined && (percentage < 0 || percentage > 100)) {
    throw new StatesError(States.Runtime, 'ToleratedFailurePercentage must be between 0 and 100.');
  }
  return { count, percentage };
}

export async function readItems(run: StateRun, state: MapState, effective: unknown): Promise<unknown[]> {
  if (state.queryLanguage === 'JSONata') {
    const value = state.items !== undefined ? await evaluateJsonataValue(state.items, run.jsonataEnv(), 'Items') : run.rawInput;
    if (!Array.isArray(value)) {
      const text = jsonataExpressionText(state.items);
      throw new StatesError(
        States.QueryEvaluationError,
        text !== undefined
          ? `The JSONata expression '${text}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${jsonTypeName(value)}' for value: ${JSON.stringify(value)}`
          : `The field 'Items' must be an array, but was '${jsonTypeName(value)}'`,
      );
    }
    return value;
  }
  const path = state.itemsPath ?? '$';
  const value = resolveReference(path, run.pathEnv(effective));
  if (value === undefined) {
    throw new StatesError(States.Runtime, `Invalid path '${path}' : No results for path: ${path}`);
  }
  if (!Array.isArray(value)) {
    throw new StatesError(States.Runtime, `Item must be an array: the ItemsPath '${path}' references ${JSON.stringify(value)}`);
  }
  return value;
}

export async function readMaxConcurrency(run: StateRun, state: MapState, effective: unknown): Promise<number> {
  let v: unknown = state.maxConcurrency;
  if (state.queryLanguage === 'JSONata' && typeof v === 'string') {
    v = await evaluateJsonataValue(v, run.jsonataEnv(), 'MaxConcurrency');
  } else if (state.maxConcurrencyPath !== undefined) {
    // A path that reads nothing fails as every *Path does ("Invalid path ... No results for path").
    v = selectPath(effective, state.maxConcurrencyPath, run.pathEnv(effective));
    if (typeof v !== 'number' || !Number.isInteger(v)) throw pathValueInvalid('MaxConcurrency', v, state.maxConcurrencyPath, 'integer');
    if (v < 0) throw new StatesError(States.Runtime, `Expected non-negative integer for MaxConcurrency, got '${v}' instead.`);
  }
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new StatesError(States.Runtime, `MaxConcurrency must be a non-negative integer, but was ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * A `<Field>Path` that must read a number read something else: AWS's one wording for every such
 * field of a Map (MaxConcurrencyPath, ToleratedFailureCountPath, ToleratedFailurePercentagePath, and
 * the Distributed Map's MaxItemsPath and ItemBatcher paths): the value as text, then the path.
 */
export function pathValueInvalid(field: string, value: unknown, path: string, kind: 'integer' | 'float'): StatesError {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return new StatesError(States.Runtime, `The ${field}Path field refers to value "${text}" which is not a valid ${kind}: ${path}`);
}
