/**
 * StringMatches in linear time: a pattern with many stars against a long non-matching value must not
 * backtrack exponentially (it froze the server before). https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import { stringMatches } from '../../emulator/asl/choice';
import { runDefinition } from './engine-helpers';

describe('StringMatches globs', () => {
  test.each([
    ['', '', true],
    ['', '*', true],
    ['abc', '*', true],
    ['abc', 'a*', true],
    ['abc', '*c', true],
    ['abc', 'a*c', true],
    ['ac', 'a*c', true],
    ['a', 'a*a', false],
    ['aa', 'a*a', true],
    ['abcabc', '*bc*bc', true],
    ['abcab', '*bc*bc', false],
    ['xaybzc', '*a*b*c', true],
    ['xaybz', '*a*b*c', false],
    ['a*b', 'a\\*b', true],
    ['aXb', 'a\\*b', false],
    ['a\\b', 'a\\\\b', true],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['(x)', '(*)', true],
    ['trailing\\', 'trailing\\', true],
  ])('%j against %j is %s', (value, pattern, expected) => {
    expect(stringMatches(value, pattern)).toBe(expected);
  });

  test('eight stars against 20,000 characters that almost match answer false (a backtracking regex never finished)', () => {
    const value = 'a'.repeat(20_000);
    expect(stringMatches(value, '*a*a*a*a*a*a*a*a*b')).toBe(false);
    expect(stringMatches(value + 'b', '*a*a*a*a*a*a*a*a*b')).toBe(true);
  });

  test('a Choice with a many-star pattern runs to its Default', async () => {
    const r = await runDefinition(
      {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.v', StringMatches: '*a*a*a*a*a*a*a*a*a*a*c', Next: 'Yes' }], Default: 'No' },
          Yes: { Type: 'Pass', Result: 'yes', End: true },
          No: { Type: 'Pass', Result: 'no', End: true },
        },
      },
      { v: 'a'.repeat(5000) },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toBe('no');
  });
});
