/** Pass: passes its input on, or a fixed Result / Parameters. https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html */
import { evaluateTemplate } from '../../asl/jsonpath';
import type { PassState } from '../../asl/model';
import type { StateImplementation } from './types';
import type { StateOutcome, StateRun } from '../state-run';

export const runPass: StateImplementation<PassState> = async (run, state) => {
  if (state.queryLanguage === 'JSONata') {
    const { output, assigned } = await run.finishJsonata(run.rawInput, undefined);
    return { output, next: state.next, assigned };
  }
  return passJsonPath(run, state);
};

/** JSONPath Pass is synchronous; the execution runs it without a promise. */
export function passJsonPath(run: StateRun, state: PassState): StateOutcome {
  const effective = run.effectiveInput();
  const result = state.hasResult ? state.result : state.parameters ? evaluateTemplate(state.parameters, run.pathEnv(effective)) : effective;
  const { output, assigned } = run.finishJsonPath(result, result, state.resultPath);
  return { output, next: state.next, assigned };
}
