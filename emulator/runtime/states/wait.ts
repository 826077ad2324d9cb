/** Wait: Seconds, SecondsPath, Timestamp, TimestampPath. https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html */
import { StatesError, States } from '../../errors';
import { resolveReference, selectPath } from '../../asl/jsonpath';
import { evaluateJsonataValue } from '../../asl/jsonata';
import { parseTimestamp } from '../../asl/choice';
import type { WaitState } from '../../asl/model';
import type { StateImplementation } from './types';

/**
 * A JSONata Seconds "must evaluate to an integer in the stated range", 0 to 99999999
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html).
 */
const MAX_WAIT_SECONDS = 99_999_999;

export const runWait: StateImplementation<WaitState> = async (run, state, services) => {
  const now = run.facts.clock.now();
  let waitMs = 0;
  if (state.queryLanguage === 'JSONata') {
    const env = run.jsonataEnv();
    if (state.seconds !== undefined) {
      const s = await evaluateJsonataValue(state.seconds, env, 'Seconds');
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > MAX_WAIT_SECONDS) {
        throw new StatesError(
          States.QueryEvaluationError,
          `The JSONata expression specified for the field 'Seconds' returned an unexpected result: ${JSON.stringify(s)}. Expected a non-negative integer.`,
        );
      }
      waitMs = s * 1000;
    } else if (state.timestamp !== undefined) {
      const t = await evaluateJsonataValue(state.timestamp, env, 'Timestamp');
      const ms = parseTimestamp(t);
      if (ms === undefined) {
        throw new StatesError(
          States.QueryEvaluationError,
          `The JSONata expression specified for the field 'Timestamp' returned an invalid timestamp: ${JSON.stringify(t)}`,
        );
      }
      waitMs = ms - now;
    }
  } else {
    const effective = run.effectiveInput();
    const env = run.pathEnv(effective);
    if (typeof state.seconds === 'number') waitMs = state.seconds * 1000;
    else if (state.secondsPath !== undefined) {
      waitMs = secondsFromPath(resolveReference(state.secondsPath, env), state.secondsPath) * 1000;
    } else if (state.timestamp !== undefined) {
      const ms = parseTimestamp(state.timestamp);
      waitMs = ms === undefined ? 0 : ms - now;
    } else if (state.timestampPath !== undefined) {
      const t = resolveReference(state.timestampPath, env);
      const ms = parseTimestamp(t);
      if (ms === undefined) {
        throw new StatesError(
          States.Runtime,
          `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${state.timestampPath} == ${typeof t === 'string' ? t : JSON.stringify(t)}`,
        );
      }
      waitMs = ms - now;
    }
    if (waitMs > 0) await services.sleep(waitMs);
    const assigned = state.assign ? run.assignJsonPath(state.assign, effective) : undefined;
    return {
      output: state.outputPath === undefined ? effective : selectPath(effective, state.outputPath, run.pathEnv(effective)),
      next: state.next,
      assigned,
    };
  }
  if (waitMs > 0) await services.sleep(waitMs);
  const { output, assigned } = await run.finishJsonata(run.rawInput, undefined);
  return { output, next: state.next, assigned };
};

/**
 * SecondsPath must reference a non-negative integer (a long). AWS words the three ways it can fail
 * differently: nothing there, not a whole number, a negative number.
 */
export function secondsFromPath(value: unknown, path: string): number {
  if (value === undefined) throw new StatesError(States.Runtime, `The SecondsPath parameter does not reference an input value: ${path}`);
  const shown = `${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new StatesError(States.Runtime, `The SecondsPath parameter cannot be parsed as a long value: ${shown}`);
  }
  if (value < 0) throw new StatesError(States.Runtime, `The SecondsPath parameter references a negative value: ${shown}`);
  return value;
}
