/** The rollout policy's rules (statemachines/rollout-policy.ts), which the CLI applies before upload and infra to its defaults. */
import { DEFAULT_ROLLOUT_POLICY } from '../../infra/config';
import { mergeRolloutPolicy, releaseNumberOf, rolloutPolicyProblems, validateRolloutPolicy } from '../../statemachines/rollout-policy';
import { LOCAL_ROLLOUT_POLICY } from '../../statemachines/local-substitutions';

test('the default and local policies are valid', () => {
  expect(() => validateRolloutPolicy(DEFAULT_ROLLOUT_POLICY)).not.toThrow();
  expect(() => validateRolloutPolicy(LOCAL_ROLLOUT_POLICY)).not.toThrow();
});

test.each([
  [{ waves: [50, 40] }, 'rollout policy waves must rise strictly'],
  [{ waves: [10, 50] }, 'rollout policy waves must end at 100 (every tenant)'],
  [{ waves: [] }, 'rollout policy waves must be a list of 1 to 20 percents'],
  [{ waves: [0, 100] }, 'rollout policy waves[0] must be an integer from 1 to 100, got 0'],
  [{ bakeSeconds: -1 }, 'rollout policy bakeSeconds must be an integer from 0 to 604800, got -1'],
  [{ errorBudget: { count: 0, percent: 1 } }, 'rollout policy errorBudget.count must be an integer from 1 to 1000000, got 0'],
  [{ errorBudget: { count: 1, percent: 101 } }, 'rollout policy errorBudget.percent must be an integer from 0 to 100, got 101'],
  [{ canary: { tenants: 'acme', count: 1 } }, 'rollout policy canary.tenants must be a list of at most 100 tenant ids'],
  [{ maxConcurrency: 10_001 }, 'rollout policy maxConcurrency must be an integer from 0 to 10000, got 10001'],
  [{ tierOrder: ['free', 'free'] }, 'rollout policy tierOrder must not repeat a tier'],
  [{ tierOrder: ['Free'] }, 'rollout policy tierOrder must be a list of at most 10 tier names (lowercase letters, digits, hyphens)'],
  [{ wave: [100] }, "rollout policy field 'wave' is unknown (fields: canary, waves, bakeSeconds, errorBudget, maxConcurrency, tierOrder)"],
])('an override %j is refused: %s', (override, problem) => {
  expect(rolloutPolicyProblems(override, true)).toContain(problem);
  expect(() => mergeRolloutPolicy(DEFAULT_ROLLOUT_POLICY, override as never)).toThrow(problem);
});

test('an override replaces whole fields over the defaults; a full policy needs every field', () => {
  expect(mergeRolloutPolicy(DEFAULT_ROLLOUT_POLICY, { waves: [100], bakeSeconds: 0 })).toEqual({
    ...DEFAULT_ROLLOUT_POLICY,
    waves: [100],
    bakeSeconds: 0,
  });
  expect(rolloutPolicyProblems({ waves: [100] })).toContain("rollout policy field 'canary' is required");
  expect(rolloutPolicyProblems('[]')).toEqual(['rollout policy must be a JSON object']);
});

test('release numbers rise with the template version: major x 1,000,000 + minor x 1,000 + patch', () => {
  expect(releaseNumberOf('1.2.0')).toBe(1_002_000);
  expect(releaseNumberOf('1.10.3')).toBe(1_010_003);
  expect(releaseNumberOf('2.0.0')).toBeGreaterThan(releaseNumberOf('1.999.999'));
  expect(() => releaseNumberOf('1.1000.0')).toThrow(/minor and patch below 1000/);
  expect(() => releaseNumberOf('0.0.0')).toThrow(/not a positive integer/);
  expect(() => releaseNumberOf('v1')).toThrow(/major.minor.patch/);
});
