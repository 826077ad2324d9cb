/**
 * Branch coverage of a workflow, computed from execution histories only (so it works against any
 * Step Functions endpoint: our engine, AWS's Step Functions Local, or AWS itself).
 *
 * Items a workflow can cover:
 *   state:<Name>                 the state was entered
 *   choice:<Name>#<i>            rule i (0-based) of a Choice state was the first to match
 *   choice:<Name>#Default        no rule matched and Default was taken
 *   retry:<Name>#<i>             Retrier i of a state fired (the state was attempted again)
 *   catch:<Name>#<i>             Catcher i of a state caught an error
 *
 * History events do not say which Choice rule matched, so JSONPath rules are evaluated again on the
 * recorded state input with the engine's own rule evaluator. JSONata rules (Condition) may read
 * variables, which the state input does not carry, so a JSONata Choice is attributed by the state
 * entered next (its rules and Default must then name distinct states). Retry and Catch are
 * attributed by the recorded error name and AWS's ErrorEquals matching rules.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { evaluateJsonPathRule } from '../../emulator/asl/choice';
import { errorEqualsMatches } from '../../emulator/errors';
import { selectPath } from '../../emulator/asl/jsonpath';
import { VariableScope } from '../../emulator/runtime/variables';

type Json = Record<string, unknown>;
interface RawState extends Json {
  Type: string;
  Choices?: Json[];
  Default?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  InputPath?: string | null;
}

export interface CoverageItem {
  id: string;
  kind: 'state' | 'choice' | 'retry' | 'catch';
  state: string;
  label: string;
}

/** Every coverable item of a definition, nested Map/Parallel states included. */
export function coverableItems(definition: Json): CoverageItem[] {
  const items: CoverageItem[] = [];
  for (const [name, state] of allStates(definition)) {
    items.push({ id: `state:${name}`, kind: 'state', state: name, label: `${state.Type} state entered` });
    if (state.Type === 'Choice') {
      (state.Choices ?? []).forEach((rule, i) =>
        items.push({ id: `choice:${name}#${i}`, kind: 'choice', state: name, label: `rule ${i} -> ${String(rule.Next)}` }),
      );
      if (state.Default) items.push({ id: `choice:${name}#Default`, kind: 'choice', state: name, label: `Default -> ${state.Default}` });
    }
    (state.Retry ?? []).forEach((r, i) =>
      items.push({ id: `retry:${name}#${i}`, kind: 'retry', state: name, label: `Retry [${r.ErrorEquals.join(', ')}]` }),
    );
    (state.Catch ?? []).forEach((c, i) =>
      items.push({ id: `catch:${name}#${i}`, kind: 'catch', state: name, label: `Catch [${c.ErrorEquals.join(', ')}] -> ${c.Next}` }),
    );
  }
  return items;
}

/** Items one execution's history covers. */
export function coveredItems(definition: Json, events: readonly HistoryEvent[]): Set<string> {
  const states = new Map(allStates(definition));
  const covered = new Set<string>();
  const byId = new Map<number, HistoryEvent>();
  const next = new Map<number, HistoryEvent[]>();
  // The state each event belongs to, following the previousEventId chain of its thread.
  const stateOf = new Map<number, string>();
  for (const e of events) {
    byId.set(e.id!, e);
    const prev = e.previousEventId ?? 0;
    if (!next.has(prev)) next.set(prev, []);
    next.get(prev)!.push(e);
    const entered = e.stateEnteredEventDetails?.name;
    const owner = /^(Map|Parallel)State(Failed|Aborted|Succeeded)$/.test(e.type ?? '') ? enclosing(e, byId, stateOf, states) : undefined;
    if (entered !== undefined) stateOf.set(e.id!, entered);
    else if (owner !== undefined) stateOf.set(e.id!, owner);
    else if (!e.type?.endsWith('StateExited') && stateOf.has(prev)) stateOf.set(e.id!, stateOf.get(prev)!);
  }

  for (const e of events) {
    const entered = e.stateEnteredEventDetails;
    if (entered?.name !== undefined) {
      covered.add(`state:${entered.name}`);
      const state = states.get(entered.name);
      if (state?.Type === 'Choice') {
        const jsonata = (state.Choices ?? []).some((rule) => 'Condition' in rule);
        const taken = jsonata
          ? choiceTakenByNext(entered.name, state, nextStateEntered(e, next))
          : choiceTaken(entered.name, state, entered.input);
        if (taken !== undefined) covered.add(taken);
      }
      continue;
    }
    const error = failureError(e, byId);
    const stateName = stateOf.get(e.id!);
    if (error === undefined || stateName === undefined) continue;
    const state = states.get(stateName);
    if (!state) continue;
    const followers = next.get(e.id!) ?? [];
    const retried = followers.some(
      (f) => f.type !== undefined && /Scheduled$|StateStarted$|IterationStarted$/.test(f.type) && stateOf.get(f.id!) === stateName,
    );
    if (retried) {
      const i = (state.Retry ?? []).findIndex((r) => errorEqualsMatches(r.ErrorEquals, error));
      if (i >= 0) covered.add(`retry:${stateName}#${i}`);
      continue;
    }
    const caughtBy = followers.find((f) => f.stateEnteredEventDetails?.name !== undefined || f.type?.endsWith('StateExited'));
    if (caughtBy) {
      const i = (state.Catch ?? []).findIndex((c) => errorEqualsMatches(c.ErrorEquals, error));
      if (i >= 0) covered.add(`catch:${stateName}#${i}`);
    }
  }
  return covered;
}

/**
 * The Map or Parallel state a MapStateFailed (Succeeded, Aborted) or ParallelState... event closes: the innermost state of that
 * type on its thread. (A failed iteration's MapStateFailed may follow the failed Task inside it.)
 */
function enclosing(
  e: HistoryEvent,
  byId: ReadonlyMap<number, HistoryEvent>,
  stateOf: ReadonlyMap<number, string>,
  states: ReadonlyMap<string, RawState>,
): string | undefined {
  const type = e.type!.startsWith('Map') ? 'Map' : 'Parallel';
  for (let id = e.previousEventId ?? 0; id > 0; id = byId.get(id)?.previousEventId ?? 0) {
    const name = stateOf.get(id);
    if (name !== undefined && states.get(name)?.Type === type) return name;
  }
  return undefined;
}

/** The state entered after a Choice: its ChoiceStateExited, then the event that follows it. */
function nextStateEntered(entered: HistoryEvent, next: ReadonlyMap<number, HistoryEvent[]>): string | undefined {
  const exited = (next.get(entered.id!) ?? []).find((f) => f.type === 'ChoiceStateExited');
  if (!exited) return undefined;
  return (next.get(exited.id!) ?? []).find((f) => f.stateEnteredEventDetails?.name !== undefined)?.stateEnteredEventDetails?.name;
}

/** The rule (or Default) whose Next is the state entered after the Choice; undefined if the execution ended there. */
function choiceTakenByNext(name: string, state: RawState, nextState: string | undefined): string | undefined {
  if (nextState === undefined) return undefined;
  const targets = [...(state.Choices ?? []).map((rule, i) => [String(i), rule.Next] as const), ['Default', state.Default] as const];
  const matching = targets.filter(([, target]) => target === nextState);
  if (matching.length > 1) {
    throw new Error(
      `Choice "${name}": ${matching.map(([i]) => i).join(', ')} all go to "${nextState}"; a JSONata Choice needs distinct Next states to be attributed`,
    );
  }
  return matching.length === 1 ? `choice:${name}#${matching[0][0]}` : undefined;
}

function choiceTaken(name: string, state: RawState, inputText: string | undefined): string {
  const raw = inputText === undefined ? null : JSON.parse(inputText);
  const env = { input: raw, context: {}, variables: new VariableScope() };
  const input = state.InputPath === undefined ? raw : selectPath(raw, state.InputPath, env);
  const ruleEnv = { ...env, input };
  const i = (state.Choices ?? []).findIndex((rule) => evaluateJsonPathRule(rule, ruleEnv));
  return i >= 0 ? `choice:${name}#${i}` : `choice:${name}#Default`;
}

/**
 * The error name of an event that reports a failure (TaskFailed, MapRunFailed, ...). MapStateFailed and
 * ParallelStateFailed carry no details: their error is that of the failure they follow (MapRunFailed,
 * an inline Map's MapIterationFailed, or a branch's EvaluationFailed / TaskFailed).
 */
function failureError(e: HistoryEvent, byId: ReadonlyMap<number, HistoryEvent>): string | undefined {
  if (!e.type || !/(Failed|TimedOut)$/.test(e.type) || e.type.startsWith('Execution')) return undefined;
  // MapIterationFailed names the iteration (name, index) but not the error: an inline Map's failure
  // follows it, and it follows the failure inside the iteration.
  const detailsWithError = Object.entries(e).some(([k, v]) => k.endsWith('EventDetails') && v && typeof v === 'object' && 'error' in v);
  if (
    (/^(Map|Parallel)StateFailed$/.test(e.type) && !Object.keys(e).some((k) => k.endsWith('EventDetails'))) ||
    (e.type === 'MapIterationFailed' && !detailsWithError)
  ) {
    const previous = byId.get(e.previousEventId ?? 0);
    return previous ? failureError(previous, byId) : undefined;
  }
  for (const [key, value] of Object.entries(e)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object' && 'error' in value) {
      return String((value as { error?: string }).error);
    }
  }
  return e.type.endsWith('TimedOut') ? 'States.Timeout' : undefined;
}

function allStates(definition: Json): [string, RawState][] {
  const out: [string, RawState][] = [];
  const visit = (machine: Json | undefined) => {
    for (const [name, state] of Object.entries((machine?.States ?? {}) as Record<string, RawState>)) {
      out.push([name, state]);
      for (const branch of (state.Branches as Json[] | undefined) ?? []) visit(branch);
      visit((state.ItemProcessor ?? state.Iterator) as Json | undefined);
    }
  };
  visit(definition);
  return out;
}
