/**
 * Definition validation. Error codes follow AWS's InvalidDefinition details
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#API_CreateStateMachine_Errors).
 */
import { AslDefinitionError, parseDefinition } from '../../emulator/asl/parse';

function problemsOf(def: unknown): string[] {
  try {
    parseDefinition(def as object);
  } catch (e) {
    if (e instanceof AslDefinitionError) return e.problems.map((p) => p.message);
    throw e;
  }
  return [];
}

describe('ASL definition validation', () => {
  test('YAML and JSON text parse to the same model', () => {
    const yamlText = 'StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n';
    const fromYaml = parseDefinition(yamlText);
    const fromJson = parseDefinition(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }));
    expect(fromYaml.startAt).toBe('A');
    expect(fromYaml.states.get('A')?.type).toBe('Pass');
    expect(fromJson.states.get('A')?.end).toBe(true);
  });

  test('a Next target that does not exist is MISSING_TRANSITION_TARGET at its location', () => {
    const problems = problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nope' } } });
    expect(problems).toEqual(["MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /States/A/Next"]);
  });

  test('StartAt must name a state', () => {
    expect(problemsOf({ StartAt: 'B', States: { A: { Type: 'Pass', End: true } } })[0]).toMatch(
      /^MISSING_TRANSITION_TARGET: .*B at \/StartAt$/,
    );
  });

  test('Next and End together, or neither, are schema errors', () => {
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', End: true, Next: 'A' } } })[0]).toMatch(
      /^SCHEMA_VALIDATION_FAILED: Only one of 'Next' or 'End'/,
    );
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass' } } })[0]).toMatch(
      /^SCHEMA_VALIDATION_FAILED: Exactly one of 'Next' or 'End'/,
    );
  });

  test('unknown state types and unknown fields are rejected', () => {
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Magic', End: true } } })[0]).toContain('at /States/A/Type');
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', End: true, Colour: 'red' } } })[0]).toContain(
      "Field 'Colour' is not supported at /States/A/Colour",
    );
  });

  test('Task requires Resource; Choice requires non-empty Choices', () => {
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Task', End: true } } })[0]).toContain('[Resource]');
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Choice', Choices: [] } } })[0]).toBe(
      'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/A/Choices',
    );
  });

  test('JSONata-only fields are rejected in JSONPath states and vice versa', () => {
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Output: {}, End: true } } })[0]).toContain(
      "'Output' is only supported for the JSONata query language",
    );
    expect(problemsOf({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', InputPath: '$', End: true } } })[0]).toContain(
      "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage",
    );
  });

  test('a JSONPath state is not allowed in a JSONata state machine', () => {
    expect(
      problemsOf({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } } })[0],
    ).toContain('QueryLanguage');
  });

  test('States.ALL must be alone and in the last Retrier/Catcher', () => {
    const def = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          End: true,
          Catch: [
            { ErrorEquals: ['States.ALL'], Next: 'B' },
            { ErrorEquals: ['X'], Next: 'B' },
          ],
        },
        B: { Type: 'Succeed' },
      },
    };
    expect(problemsOf(def)[0]).toContain('States.ALL must appear alone in the last Catcher');
  });

  test('a `.$` field must hold a path or an intrinsic function', () => {
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'x.$': 'not a path' }, End: true } } })[0]).toContain(
      '/States/A/Parameters/x.$',
    );
  });

  test('empty Branches reads like AWS ("Value cannot be empty")', () => {
    expect(problemsOf({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [], End: true } } })[0]).toBe(
      'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/P/Branches',
    );
  });

  test('duplicate state names across branches are rejected', () => {
    const branch = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    expect(problemsOf({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [branch, branch], End: true } } }).join()).toContain(
      'DUPLICATE_STATE_NAME',
    );
  });

  test('invalid JSONata is a definition error', () => {
    expect(
      problemsOf({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $$$( %}', End: true } } })[0],
    ).toContain('/States/A/Output');
  });
});
