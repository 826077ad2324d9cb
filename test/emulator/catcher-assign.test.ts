/**
 * A JSONata Catcher's Assign and Output replace the state's own: a state's top-level Assign is
 * evaluated only when the state succeeds (it reads $states.result, which a caught error does not
 * have). https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import { runDefinition } from './engine-helpers';

const definition = (catcher: Record<string, unknown>) => ({
  QueryLanguage: 'JSONata',
  StartAt: 'Try',
  States: {
    Try: {
      Type: 'Parallel',
      Branches: [{ StartAt: 'Parse', States: { Parse: { Type: 'Pass', Output: "{% $parse('not json') %}", End: true } } }],
      Assign: { parsed: '{% $states.result[0].value %}' },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', ...catcher }],
      Next: 'Report',
    },
    Report: {
      Type: 'Pass',
      Output: "{% {'parsed': $exists($parsed) ? $parsed : 'unset', 'note': $exists($note) ? $note : 'unset'} %}",
      End: true,
    },
  },
});

test('a Catcher without Assign assigns nothing (the state’s Assign is not evaluated on the catch path)', async () => {
  const run = await runDefinition(definition({}));
  expect({ status: run.status, error: run.error, output: run.outputValue }).toEqual({
    status: 'SUCCEEDED',
    error: undefined,
    output: { parsed: 'unset', note: 'unset' },
  });
});

test('a Catcher with Assign assigns its own variables only', async () => {
  const run = await runDefinition(definition({ Assign: { note: '{% $states.errorOutput.Error %}' } }));
  expect(run.outputValue).toEqual({ parsed: 'unset', note: 'States.QueryEvaluationError' });
});
