/**
 * Choice rules. https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import { stringMatches, parseTimestamp } from '../../emulator/asl/choice';
import { runDefinition } from './engine-helpers';

function choiceMachine(rule: object, defaultTo: string | null = 'No') {
  return {
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], ...(defaultTo ? { Default: defaultTo } : {}) },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  };
}

async function decide(rule: object, input: unknown): Promise<unknown> {
  const r = await runDefinition(choiceMachine(rule), input);
  if (r.status !== 'SUCCEEDED') throw new Error(`${r.error}: ${r.cause}`);
  return r.outputValue;
}

describe('Choice rules', () => {
  test.each([
    [{ Variable: '$.v', StringEquals: 'a' }, { v: 'a' }, 'yes'],
    [{ Variable: '$.v', StringEquals: 'a' }, { v: 1 }, 'no'],
    [{ Variable: '$.v', StringLessThan: 'b' }, { v: 'a' }, 'yes'],
    [{ Variable: '$.v', StringGreaterThanEquals: 'b' }, { v: 'b' }, 'yes'],
    [{ Variable: '$.v', NumericEquals: 1 }, { v: 1.0 }, 'yes'],
    [{ Variable: '$.v', NumericLessThan: 1 }, { v: '0' }, 'no'],
    [{ Variable: '$.v', NumericGreaterThanPath: '$.w' }, { v: 2, w: 1 }, 'yes'],
    [{ Variable: '$.v', BooleanEquals: true }, { v: true }, 'yes'],
    [{ Variable: '$.v', BooleanEqualsPath: '$.w' }, { v: null, w: true }, 'no'],
    [{ Variable: '$.v', TimestampLessThan: '2020-01-02T00:00:00Z' }, { v: '2020-01-01T00:00:00Z' }, 'yes'],
    [{ Variable: '$.v', TimestampEquals: '2020-01-01T00:00:00Z' }, { v: '2020-01-01T01:00:00+01:00' }, 'yes'],
    [{ Variable: '$.v', IsPresent: false }, {}, 'yes'],
    [{ Variable: '$.v', IsNull: true }, { v: null }, 'yes'],
    [{ Variable: '$.v', IsNumeric: true }, { v: '1' }, 'no'],
    [{ Variable: '$.v', IsString: true }, { v: '1' }, 'yes'],
    [{ Variable: '$.v', IsBoolean: true }, { v: false }, 'yes'],
    [{ Variable: '$.v', IsTimestamp: true }, { v: '2016-03-14T01:59:00Z' }, 'yes'],
    [{ Variable: '$.v', IsTimestamp: true }, { v: '2016-03-14 01:59:00Z' }, 'no'],
    [{ And: [{ Variable: '$.a', NumericEquals: 1 }, { Not: { Variable: '$.b', StringEquals: 'x' } }] }, { a: 1, b: 'y' }, 'yes'],
    [
      {
        Or: [
          { Variable: '$.a', NumericEquals: 2 },
          { Variable: '$.b', StringEquals: 'x' },
        ],
      },
      { a: 1, b: 'y' },
      'no',
    ],
  ])('%j on %j -> %s', async (rule, input, expected) => {
    expect(await decide(rule, input)).toBe(expected);
  });

  test('StringMatches: * is a wildcard, \\* a literal star, \\\\ a literal backslash', () => {
    expect(stringMatches('log-2024.txt', 'log-*.txt')).toBe(true);
    expect(stringMatches('a*b', 'a\\*b')).toBe(true);
    expect(stringMatches('axb', 'a\\*b')).toBe(false);
    expect(stringMatches('a\\b', 'a\\\\b')).toBe(true);
    expect(stringMatches('No updates are to be performed.', '*No updates are to be performed*')).toBe(true);
  });

  test('timestamps must be RFC 3339 with a zone', () => {
    expect(parseTimestamp('2016-12-05T21:29:29Z')).toBe(Date.UTC(2016, 11, 5, 21, 29, 29));
    expect(parseTimestamp('2016-12-05T21:29:29')).toBeUndefined();
    expect(parseTimestamp('2016-13-05T21:29:29Z')).toBeUndefined();
  });

  test('no match and no Default fails with States.NoChoiceMatched', async () => {
    const r = await runDefinition(choiceMachine({ Variable: '$.v', StringEquals: 'a' }, null), { v: 'b' });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.NoChoiceMatched');
  });

  test('a JSONata Condition picks the rule; non-boolean results are a QueryEvaluationError', async () => {
    const def = (cond: string) => ({
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: cond, Next: 'Yes' }], Default: 'No' },
        Yes: { Type: 'Pass', Output: 'yes', End: true },
        No: { Type: 'Pass', Output: 'no', End: true },
      },
    });
    expect((await runDefinition(def('{% $states.input.n > 3 %}'), { n: 5 })).outputValue).toBe('yes');
    expect((await runDefinition(def('{% $states.input.n > 3 %}'), { n: 1 })).outputValue).toBe('no');
    const bad = await runDefinition(def('{% $states.input.n %}'), { n: 1 });
    expect(bad.error).toBe('States.QueryEvaluationError');
  });
});
