/** Succeed: ends the machine (or branch/iteration) successfully. https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html */
import { selectPath } from '../../asl/jsonpath';
import type { SucceedState } from '../../asl/model';
import type { StateImplementation } from './types';
import type { StateOutcome, StateRun } from '../state-run';

export const runSucceed: StateImplementation<SucceedState> = async (run, state) => {
  if (state.queryLanguage === 'JSONata') {
    const { output } = await run.finishJsonata(run.rawInput, undefined);
    return { output, next: undefined };
  }
  return succeedJsonPath(run, state);
};

export function succeedJsonPath(run: StateRun, state: SucceedState): StateOutcome {
  const effective = run.effectiveInput();
  return {
    output: state.outputPath === undefined ? effective : selectPath(effective, state.outputPath, run.pathEnv(effective)),
    next: undefined,
  };
}
