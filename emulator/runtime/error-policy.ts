/**
 * Retry and Catch as AWS applies them, shared by executions (execution.ts) and TestState
 * (test-state.ts), which reports the same decisions in its inspection data instead of waiting.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { StatesError, States, errorEqualsMatches, errorOutput } from '../errors';
import { applyResultPath } from '../asl/jsonpath';
import type { Catcher, Retrier, State } from '../asl/model';
import type { StateOutcome, StateRun } from './state-run';

/** States.Runtime and States.DataLimitExceeded are terminal: no Retrier retries them. */
export function isRetryable(err: StatesError): boolean {
  return err.error !== States.Runtime && err.error !== States.DataLimitExceeded;
}

/** The index of the first Retrier whose ErrorEquals matches, or -1 (also for a terminal error). */
export function matchingRetrier(state: State, err: StatesError): number {
  if (!('retry' in state) || !isRetryable(err)) return -1;
  return state.retry.findIndex((r: Retrier) => errorEqualsMatches(r.errorEquals, err.error));
}

/** IntervalSeconds × BackoffRate^attempts, capped by MaxDelaySeconds (before any jitter). */
export function backoffSeconds(r: Retrier, attempts: number): number {
  const delay = r.intervalSeconds * Math.pow(r.backoffRate, attempts);
  return r.maxDelaySeconds !== undefined ? Math.min(delay, r.maxDelaySeconds) : delay;
}

/** The index of the first Catcher whose ErrorEquals matches, or -1. */
export function matchingCatcher(state: State, err: StatesError): number {
  return 'catch' in state ? state.catch.findIndex((c: Catcher) => errorEqualsMatches(c.errorEquals, err.error)) : -1;
}

/**
 * Catch: the error output through ResultPath (JSONPath) or Output (JSONata), Assign, then Next.
 * `fieldPrefix` names where the Catcher's fields are in failure messages (`Catch[i]/`).
 */
export async function applyCatcher(run: StateRun, catcher: Catcher, err: StatesError, fieldPrefix?: string): Promise<StateOutcome> {
  const errOut = errorOutput(err);
  if (run.state.queryLanguage === 'JSONata') {
    const fields = fieldPrefix === undefined ? {} : { assign: fieldPrefix, output: fieldPrefix };
    const { output, assigned } = await run.finishJsonata(
      errOut,
      { errorOutput: errOut },
      // A Catcher without Assign assigns nothing: the state's own Assign reads $states.result, which a caught error has not.
      catcher.assign ?? null,
      { value: catcher.output, given: catcher.output !== undefined },
      fields,
    );
    return { output, next: catcher.next, assigned };
  }
  const assigned = catcher.assign ? run.assignJsonPath(catcher.assign, errOut) : undefined;
  const output = applyResultPath(run.rawInput, catcher.resultPath, errOut);
  return { output, next: catcher.next, assigned };
}
