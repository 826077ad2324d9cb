/**
 * JSONata states and workflow variables.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import { eventsOfType, runDefinition } from './engine-helpers';

describe('JSONata query language', () => {
  test('Output templates are evaluated with $states.input, nested and in strings', async () => {
    const r = await runDefinition(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'P',
        States: {
          P: {
            Type: 'Pass',
            Output: { sum: '{% $states.input.a + $states.input.b %}', list: ['{% $states.input.a %}', 'lit'] },
            End: true,
          },
        },
      },
      { a: 1, b: 2 },
    );
    expect(r.outputValue).toEqual({ sum: 3, list: [1, 'lit'] });
  });

  test('a string that only contains {% %} with surrounding spaces is a literal', async () => {
    const r = await runDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: { P: { Type: 'Pass', Output: { v: ' {% 1 %} ' }, End: true } },
    });
    expect(r.outputValue).toEqual({ v: ' {% 1 %} ' });
  });

  test('per-state QueryLanguage overrides the JSONPath default', async () => {
    const r = await runDefinition(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Parameters: { 'x.$': '$.v' }, Next: 'B' },
          B: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input.x * 2 %}', End: true },
        },
      },
      { v: 21 },
    );
    expect(r.outputValue).toBe(42);
  });

  test('an expression returning nothing fails with States.QueryEvaluationError and an EvaluationFailed event', async () => {
    const r = await runDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: { P: { Type: 'Pass', Output: { result: '{% $nothing %}' }, End: true } },
    });
    expect(r.error).toBe('States.QueryEvaluationError');
    expect(r.cause).toBe(
      "An error occurred while executing the state 'P' (entered at the event id #2). The JSONata expression '$nothing' specified for the field 'Output/result' returned nothing (undefined).",
    );
    const [evaluation] = eventsOfType(r.events, 'EvaluationFailed');
    expect(evaluation.evaluationFailedEventDetails).toMatchObject({
      location: 'Output/result',
      state: 'P',
      error: 'States.QueryEvaluationError',
    });
    // AWS links EvaluationFailed to the event before the state was entered.
    expect(evaluation.previousEventId).toBe(0);
  });

  test('Step Functions JSONata functions: $partition, $range, $hash, $parse, $uuid', async () => {
    const r = await runDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Pass',
          Output: {
            p: '{% $partition([1,2,3], 2) %}',
            r: '{% $range(0, 4, 2) %}',
            h: "{% $hash('abc', 'SHA-256') %}",
            j: '{% $parse(\'{"a":1}\') %}',
            u: '{% $uuid() %}',
          },
          End: true,
        },
      },
    });
    const out = r.outputValue as Record<string, unknown>;
    expect(out.p).toEqual([[1, 2], [3]]);
    expect(out.r).toEqual([0, 2, 4]);
    expect(out.h).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(out.j).toEqual({ a: 1 });
    expect(out.u).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('workflow variables', () => {
  test("Assign values are visible in later states, not in the same state's Output", async () => {
    const r = await runDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { x: 1 }, Next: 'B' },
        B: { Type: 'Pass', Assign: { x: '{% $x + 1 %}' }, Output: { seen: '{% $x %}' }, Next: 'C' },
        C: { Type: 'Pass', Output: { now: '{% $x %}', prev: '{% $states.input.seen %}' }, End: true },
      },
    });
    expect(r.outputValue).toEqual({ now: 2, prev: 1 });
  });

  test('StateExited records assignedVariables as JSON text', async () => {
    const r = await runDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Assign: { s: 'text', n: 1 }, End: true } } });
    const [exited] = eventsOfType(r.events, 'PassStateExited');
    expect(exited.stateExitedEventDetails).toMatchObject({
      assignedVariables: { s: '"text"', n: '1' },
      assignedVariablesDetails: { truncated: false },
    });
  });

  test('JSONPath Assign reads `$` (the state result) and `$var` references', async () => {
    const r = await runDefinition({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: { v: 5 }, Assign: { 'five.$': '$.v' }, Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'got.$': '$five' }, End: true },
      },
    });
    expect(r.outputValue).toEqual({ got: 5 });
  });

  test('Map iterations read outer variables but their assignments stay inside the iteration', async () => {
    const r = await runDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { outer: 10 }, Next: 'M' },
        M: {
          Type: 'Map',
          Items: [1, 2],
          ItemProcessor: {
            StartAt: 'Inner',
            States: {
              Inner: { Type: 'Pass', Assign: { inner: '{% $states.input %}' }, Next: 'Use' },
              Use: { Type: 'Pass', Output: '{% $outer + $inner %}', End: true },
            },
          },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: { results: '{% $states.input %}', innerVisible: '{% $exists($inner) %}' }, End: true },
      },
    });
    expect(r.outputValue).toEqual({ results: [11, 12], innerVisible: false });
  });

  test('Catch Assign and Output see $states.errorOutput', async () => {
    const r = await runDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'why' } } }],
          Catch: [
            {
              ErrorEquals: ['Boom'],
              Assign: { err: '{% $states.errorOutput.Error %}' },
              Output: { caught: '{% $states.errorOutput %}' },
              Next: 'Done',
            },
          ],
          End: true,
        },
        Done: { Type: 'Pass', Output: { err: '{% $err %}', input: '{% $states.input %}' }, End: true },
      },
    });
    expect(r.outputValue).toEqual({ err: 'Boom', input: { caught: { Error: 'Boom', Cause: 'why' } } });
  });
});
