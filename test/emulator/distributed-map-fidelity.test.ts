// Runtime-failure rules that hold for every field of their kind, worded as AWS words them; one test per rule.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
import { parseDefinition } from '../../emulator/asl/parse';
import { runDefinition } from './engine-helpers';

const PROCESSOR = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const PREFIX = (state: string) => `An error occurred while executing the state '${state}' (entered at the event id #2). `;

describe('Wait SecondsPath must read a non-negative whole number (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html)', () => {
  const wait = { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } };
  test.each([
    [{}, 'The SecondsPath parameter does not reference an input value: $.s'],
    [{ s: 1.5 }, 'The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5'],
    [{ s: 'ten' }, 'The SecondsPath parameter cannot be parsed as a long value: $.s == ten'],
    [{ s: -1 }, 'The SecondsPath parameter references a negative value: $.s == -1'],
  ])('input %j fails with States.Runtime', async (input, cause) => {
    const r = await runDefinition(wait, input);
    expect(r.error).toBe('States.Runtime');
    expect(r.cause).toBe(PREFIX('W') + cause);
  });

  test('0 and positive integers wait', async () => {
    expect((await runDefinition(wait, { s: 0 })).status).toBe('SUCCEEDED');
    expect((await runDefinition(wait, { s: 3 })).status).toBe('SUCCEEDED');
  });
});

describe('a Map *Path that must read a number: one wording for every such field', () => {
  const map = (fields: object, mode = 'INLINE') => ({
    StartAt: 'M',
    States: {
      M: { Type: 'Map', ItemsPath: '$.xs', ItemProcessor: { ...PROCESSOR, ProcessorConfig: { Mode: mode } }, End: true, ...fields },
    },
  });
  test.each([
    ['MaxConcurrencyPath', 'INLINE', 'integer'],
    ['ToleratedFailureCountPath', 'DISTRIBUTED', 'integer'],
    ['ToleratedFailurePercentagePath', 'DISTRIBUTED', 'float'],
  ])('%s reading a string or an object', async (field, mode, kind) => {
    for (const [value, text] of [
      ['many', 'many'],
      [{ a: 1 }, '{"a":1}'],
    ] as const) {
      const r = await runDefinition(map({ [field]: '$.v' }, mode), { xs: [1], v: value });
      expect(r.error).toBe('States.Runtime');
      expect(r.cause).toBe(`${PREFIX('M')}The ${field} field refers to value "${text}" which is not a valid ${kind}: $.v`);
    }
  });

  test('a MaxConcurrencyPath reading a negative integer, and one reading nothing', async () => {
    const negative = await runDefinition(map({ MaxConcurrencyPath: '$.v' }), { xs: [1], v: -2 });
    expect(negative.cause).toBe(`${PREFIX('M')}Expected non-negative integer for MaxConcurrency, got '-2' instead.`);
    const missing = await runDefinition(map({ MaxConcurrencyPath: '$.none' }), { xs: [1] });
    expect(missing.cause).toBe(`${PREFIX('M')}Invalid path '$.none' : No results for path: $['none']`);
  });
});

describe('States.Runtime is never handled (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)', () => {
  test('not by States.ALL, and not by a Catcher or Retrier naming it', async () => {
    for (const names of [['States.ALL'], ['States.Runtime']]) {
      const def = {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            MaxConcurrencyPath: '$.none',
            ItemProcessor: PROCESSOR,
            Retry: [{ ErrorEquals: names, MaxAttempts: 2 }],
            Catch: [{ ErrorEquals: names, Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Succeed' },
        },
      };
      const r = await runDefinition(def, []);
      expect(r.status).toBe('FAILED');
      expect(r.error).toBe('States.Runtime');
      expect(r.events.filter((e) => e.type === 'MapStateEntered')).toHaveLength(1);
    }
  });
});

describe('a JSONata expression that throws: AWS sentence, then the JSONata code and message', () => {
  // Measured against AWS across 101 failing expressions: https://github.com/floci-io/floci/pull/2783
  test('a coded JSONata error follows a full stop and is recorded by EvaluationFailed', async () => {
    const def = { QueryLanguage: 'JSONata', StartAt: 'B', States: { B: { Type: 'Pass', Output: { r: "{% $number('x') %}" }, End: true } } };
    const r = await runDefinition(def, {});
    expect(r.error).toBe('States.QueryEvaluationError');
    expect(r.cause).toBe(
      `${PREFIX('B')}The JSONata expression '$number('x')' specified for the field 'Output/r' threw an error during evaluation. D3030: Unable to cast value to a number: "x"`,
    );
    const failed = r.events.find((e) => e.type === 'EvaluationFailed')!;
    expect(failed.evaluationFailedEventDetails).toMatchObject({ error: 'States.QueryEvaluationError', location: 'Output/r', state: 'B' });
  });
});

describe("a Catcher's and a Choice rule's own fields are named under their index", () => {
  // Recorded on AWS: Choices[1]/Output/v, Choices[0]/Assign/x, Catch[1]/Output (https://github.com/floci-io/floci/pull/2689)
  test('Choices[i]/Output and Choices[i]/Assign; the state-level Output keeps its plain name', async () => {
    const choice = (rule: object, state: object = {}) => ({
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Condition: '{% false %}', Next: 'D' },
            { Condition: '{% true %}', Next: 'D', ...rule },
          ],
          ...state,
        },
        D: { Type: 'Succeed' },
      },
    });
    const out = await runDefinition(choice({ Output: { v: '{% $nope %}' } }), {});
    expect(out.cause).toContain("specified for the field 'Choices[1]/Output/v' returned nothing");
    const assign = await runDefinition(choice({ Assign: { x: '{% $nope %}' } }), {});
    expect(assign.cause).toContain("specified for the field 'Choices[1]/Assign/x' returned nothing");
    const stateLevel = await runDefinition(choice({}, { Output: '{% $nope %}' }), {});
    expect(stateLevel.cause).toContain("specified for the field 'Output' returned nothing");
  });

  test('Catch[i]/Output: the failed Catcher fails the state, prefixed and recorded by EvaluationFailed', async () => {
    const def = {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'X', States: { X: { Type: 'Fail', Error: 'E' } } }],
          Catch: [
            { ErrorEquals: ['Other'], Next: 'D' },
            { ErrorEquals: ['States.ALL'], Output: '{% $nope %}', Next: 'D' },
          ],
          End: true,
        },
        D: { Type: 'Succeed' },
      },
    };
    const r = await runDefinition(def, {});
    expect(r.error).toBe('States.QueryEvaluationError');
    expect(r.cause).toBe(
      `${PREFIX('P')}The JSONata expression '$nope' specified for the field 'Catch[1]/Output' returned nothing (undefined).`,
    );
    expect(r.events.slice(-2).map((e) => e.type)).toEqual(['EvaluationFailed', 'ExecutionFailed']);
    expect(r.events[r.events.length - 2].evaluationFailedEventDetails).toMatchObject({ location: 'Catch[1]/Output', state: 'P' });
  });
});

describe('Map number fields are checked at creation, one rule for all of them (https://github.com/floci-io/floci/issues/3733)', () => {
  const problems = (fields: object, lang: 'JSONPath' | 'JSONata' = 'JSONPath', mapFields: object = {}) => {
    try {
      parseDefinition({
        QueryLanguage: lang,
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'P',
              States: { P: { Type: 'Pass', End: true } },
            },
            End: true,
            ...mapFields,
            ...fields,
          },
        },
      });
      return [];
    } catch (e) {
      return (e as { problems: { message: string }[] }).problems.map((p) => p.message);
    }
  };
  test.each(['MaxConcurrency', 'ToleratedFailureCount'])('%s: a literal below 0, or together with its Path', (field) => {
    expect(problems({ [field]: -1 })).toEqual([`SCHEMA_VALIDATION_FAILED: Minimum value is 0 at /States/M/${field}`]);
    expect(problems({ [field]: 1, [`${field}Path`]: '$.n' })).toEqual([
      `SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [${field}, ${field}Path] at /States/M`,
    ]);
    expect(problems({ [`${field}Path`]: '$$.Execution.Input.n' })).toEqual([
      `SCHEMA_VALIDATION_FAILED: Value is not a Reference Path at /States/M/${field}Path`,
    ]);
  });
  test('ToleratedFailurePercentage is a float from 0.0 to 100.0', () => {
    expect(problems({ ToleratedFailurePercentage: -0.5 })).toEqual([
      'SCHEMA_VALIDATION_FAILED: Minimum value is 0.0 at /States/M/ToleratedFailurePercentage',
    ]);
    expect(problems({ ToleratedFailurePercentage: 100.5 })).toEqual([
      'SCHEMA_VALIDATION_FAILED: Maximum value is 100.0 at /States/M/ToleratedFailurePercentage',
    ]);
    expect(problems({ ToleratedFailurePercentage: 100 })).toEqual([]);
  });
  test('the ItemBatcher and ReaderConfig numbers follow the same rule; their Paths are JSONPath only', () => {
    expect(problems({ ItemBatcher: { MaxItemsPerBatch: -2 } })).toEqual([
      'SCHEMA_VALIDATION_FAILED: Minimum value is 0 at /States/M/ItemBatcher/MaxItemsPerBatch',
    ]);
    const reader = (config: object) => ({
      ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', ReaderConfig: config, Parameters: { Bucket: 'b' } },
    });
    expect(problems(reader({ MaxItems: 100_000_001 }))).toEqual([
      'SCHEMA_VALIDATION_FAILED: Maximum value is 100000000 at /States/M/ItemReader/ReaderConfig/MaxItems',
    ]);
    expect(problems({ ItemBatcher: { MaxItemsPerBatchPath: '$.n' } }, 'JSONata')).toEqual([
      "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'MaxItemsPerBatchPath' is only supported for the 'JSONPath' QueryLanguage at /States/M/ItemBatcher/MaxItemsPerBatchPath",
    ]);
  });
});

describe('intrinsic arguments that are variables', () => {
  test('a variable can be any argument of an intrinsic, the States.Format template included', async () => {
    const def = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { tpl: 'Hello {} and {}', who: { n: 'x' }, items: [3, 1] }, Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'greeting.$': 'States.Format($tpl, $who.n, States.ArrayLength($items))' }, End: true },
      },
    };
    const r = await runDefinition(def, {});
    expect(r.outputValue).toEqual({ greeting: 'Hello x and 2' });
  });
});

describe('$eval is not available in Step Functions JSONata (https://github.com/floci-io/floci/issues/2737)', () => {
  test('calling it fails the state with T1006', async () => {
    const def = { QueryLanguage: 'JSONata', StartAt: 'B', States: { B: { Type: 'Pass', Output: { r: '{% $eval("1+1") %}' }, End: true } } };
    const r = await runDefinition(def, {});
    expect(r.error).toBe('States.QueryEvaluationError');
    expect(r.cause).toMatch(/threw an error during evaluation\. T1006: Attempted to invoke a non-function$/);
  });
});
