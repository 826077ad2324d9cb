/** Fail: stops with Error/Cause (or ErrorPath/CausePath). https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html */
import { StatesError, States } from '../../errors';
import { evaluateTemplate, compileExpression, type CompiledTemplate } from '../../asl/jsonpath';
import { evaluateJsonataValue } from '../../asl/jsonata';
import type { FailState } from '../../asl/model';
import type { StateImplementation } from './types';

const compiled = new WeakMap<FailState, { error?: CompiledTemplate; cause?: CompiledTemplate }>();

export const runFail: StateImplementation<FailState> = async (run, state) => {
  let error: unknown = state.error;
  let cause: unknown = state.cause;
  if (state.queryLanguage === 'JSONata') {
    const env = run.jsonataEnv();
    if (error !== undefined) error = await evaluateJsonataValue(error, env, 'Error');
    if (cause !== undefined) cause = await evaluateJsonataValue(cause, env, 'Cause');
  } else {
    let c = compiled.get(state);
    if (!c) {
      c = {
        error: state.errorPath ? compileExpression(state.errorPath, 'ErrorPath', 'ErrorPath') : undefined,
        cause: state.causePath ? compileExpression(state.causePath, 'CausePath', 'CausePath') : undefined,
      };
      compiled.set(state, c);
    }
    const env = run.pathEnv(run.rawInput);
    if (c.error) error = evaluateTemplate(c.error, env);
    if (c.cause) cause = evaluateTemplate(c.cause, env);
  }
  if (error !== undefined && typeof error !== 'string') {
    throw new StatesError(States.Runtime, `The value of the field 'Error' must be a string, but was: ${JSON.stringify(error)}`);
  }
  if (cause !== undefined && typeof cause !== 'string') {
    throw new StatesError(States.Runtime, `The value of the field 'Cause' must be a string, but was: ${JSON.stringify(cause)}`);
  }
  throw new FailStateError(error as string | undefined, cause as string | undefined);
};

/** A Fail state's error: Error/Cause may both be absent (the event then has no such field). */
export class FailStateError extends StatesError {
  readonly hasError: boolean;
  constructor(error: string | undefined, cause: string | undefined) {
    super(error ?? '', cause);
    this.hasError = error !== undefined;
  }
}
