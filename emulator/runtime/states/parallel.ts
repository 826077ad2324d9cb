/** Parallel: runs every branch on the same input; the result is the array of branch outputs. https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html */
import { evaluateTemplate } from '../../asl/jsonpath';
import { evaluateJsonataValue } from '../../asl/jsonata';
import type { ParallelState } from '../../asl/model';
import type { StateImplementation } from './types';

export const runParallel: StateImplementation<ParallelState> = async (run, state, services) => {
  const scope = run.scope;
  let branchInput: unknown;
  if (state.queryLanguage === 'JSONata') {
    branchInput = state.arguments !== undefined ? await evaluateJsonataValue(state.arguments, run.jsonataEnv(), 'Arguments') : run.rawInput;
  } else {
    const effective = run.effectiveInput();
    branchInput = state.parameters ? evaluateTemplate(state.parameters, run.pathEnv(effective)) : effective;
  }
  const startedId = services.record(scope, 'ParallelStateStarted');
  let results: unknown[];
  const cancellation = { cancelled: false };
  try {
    results = await Promise.all(
      state.branches.map((branch) =>
        services.runMachine(branch, branchInput, services.childScope(scope, startedId, undefined, cancellation)).catch((e) => {
          // The first failure fails the Parallel state; the other branches stop at their next state.
          cancellation.cancelled = true;
          throw e;
        }),
      ),
    );
  } catch (e) {
    // ParallelStateFailed (recorded by the execution) follows the branch's last event.
    scope.cursor.prev = services.lastEventId();
    throw e;
  }
  const last = services.lastEventId();
  services.recordLinked(scope, 'ParallelStateSucceeded', last, false);
  scope.cursor.prev = last;
  return run.finishResult(results, state);
};
