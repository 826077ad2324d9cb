/** Choice: the first matching rule picks Next, else Default, else States.NoChoiceMatched. https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html */
import { StatesError, States } from '../../errors';
import { evaluateJsonPathRule } from '../../asl/choice';
import { evaluateJsonataValue } from '../../asl/jsonata';
import { selectPath } from '../../asl/jsonpath';
import type { ChoiceRuleModel, ChoiceState } from '../../asl/model';
import type { StateImplementation } from './types';
import type { StateOutcome, StateRun } from '../state-run';

export const runChoice: StateImplementation<ChoiceState> = async (run, state) => {
  if (state.queryLanguage === 'JSONata') {
    const env = run.jsonataEnv();
    for (let i = 0; i < state.choices.length; i++) {
      const rule = state.choices[i];
      const v = await evaluateJsonataValue(rule.rule.Condition, env, `Choices[${i}]/Condition`);
      if (typeof v !== 'boolean') {
        throw new StatesError(
          States.QueryEvaluationError,
          `The JSONata expression '${String(rule.rule.Condition)}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}' for value: ${JSON.stringify(v)}`,
        );
      }
      if (v) return jsonataExit(rule, i);
    }
    if (state.default !== undefined) {
      const { output, assigned } = await run.finishJsonata(run.rawInput, undefined);
      return { output, next: state.default, assigned };
    }
    throw noMatch();
  }

  async function jsonataExit(rule: ChoiceRuleModel, index: number) {
    const assign = rule.assign ?? state.assign;
    const output = rule.hasOutput ? { value: rule.output, given: true } : { value: state.output, given: state.hasOutput };
    // A rule's own Assign/Output are reported as Choices[i]/Assign/..., Choices[i]/Output.
    const at = `Choices[${index}]/`;
    const fields = { assign: rule.assign ? at : undefined, output: rule.hasOutput ? at : undefined };
    const r = await run.finishJsonata(run.rawInput, undefined, assign, output, fields);
    return { output: r.output, next: rule.next, assigned: r.assigned };
  }

  return choiceJsonPath(run, state);
};

export function choiceJsonPath(run: StateRun, state: ChoiceState): StateOutcome {
  const effective = run.effectiveInput();
  const env = run.pathEnv(effective);
  let next = state.default;
  let assign = state.assign;
  const matched = state.choices.find((c) => evaluateJsonPathRule(c.rule, env));
  if (matched) {
    next = matched.next;
    assign = matched.assign ?? state.assign;
  }
  if (next === undefined) throw noMatch();
  const assigned = assign ? run.assignJsonPath(assign, effective) : undefined;
  return { output: state.outputPath === undefined ? effective : selectPath(effective, state.outputPath, env), next, assigned };
}

function noMatch(): StatesError {
  return new StatesError(States.NoChoiceMatched, 'No Matches!');
}
