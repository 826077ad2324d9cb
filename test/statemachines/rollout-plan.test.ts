/**
 * The rollout's plan arithmetic (update-tenants' `Plan waves`) at the deployed tuning and policy, for
 * fleets too large to mock page by page: the state run alone through the engine's TestState with the
 * variables the states before it assign (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html).
 */
import { Engine } from '../../emulator/runtime/engine';
import { DEFAULT_ROLLOUT_POLICY, DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import { loadWorkflow, localSubstitutions } from '../../statemachines/local-substitutions';

interface PlannedWave {
  name: string;
  from: number;
  to: number;
  budget: number;
  segments: number;
  perSegment: number;
  pageSize: number;
  tenants: string[];
}

const deployed = {
  ...localSubstitutions(),
  ...Object.fromEntries(Object.entries(DEFAULT_WORKFLOW_TUNING).map(([k, v]) => [k, String(v)])),
};

async function plan(tenantCount: number, window: number, canaries: string[]): Promise<PlannedWave[]> {
  const definition = loadWorkflow('update-tenants', deployed) as { States: Record<string, unknown> };
  const engine = new Engine();
  try {
    const response = await engine.testState({
      definition: JSON.stringify({ QueryLanguage: 'JSONata', ...(definition.States['Plan waves'] as object) }),
      variables: JSON.stringify({ tenantCount, window, canaries, policy: DEFAULT_ROLLOUT_POLICY }),
      inspectionLevel: 'DEBUG',
    });
    expect([response.status, response.error, response.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    return JSON.parse(response.inspectionData!.variables!).waves as PlannedWave[];
  } finally {
    engine.close();
  }
}

test('100,000 tenants, window 833: 84 segments of 10, pages sized for ten rounds of the wave’s share, percent budgets from the count', async () => {
  const canaries = Array.from({ length: 10 }, (_, i) => `c-${i}`);
  const waves = await plan(100_000, 833, canaries);
  expect(waves.map((w) => [w.name, w.from, w.to, w.segments, w.perSegment, w.pageSize, w.budget])).toEqual([
    // The canaries: one list, at most errorBudget.count (2) at once, halting at the first failure.
    ['canary', 0, 0, 1, 2, undefined, 1],
    // min(ScanSegments 100, ceil(833 / 10), ceil(100,000 / 100)) = 84 segments of ceil(833 / 84) = 10.
    // Pages: 10 rounds of 10 among the wave's share of the buckets (10 %, 40 %, 50 %), capped at 1,000 read.
    // Budgets: max(2, ceil(1 % of the counted fleet's share)): 100, 400, 500.
    ['wave 1 (10 %)', 0, 1000, 84, 10, 1000, 100],
    ['wave 2 (50 %)', 1000, 5000, 84, 10, 250, 400],
    ['wave 3 (100 %)', 5000, 10000, 84, 10, 200, 500],
  ]);
  expect(waves[0].tenants).toEqual(canaries);
});

test('a fleet of 5: one segment, the whole window in it, pages of at least 100 read, budgets by count', async () => {
  const waves = await plan(5, 833, []);
  expect(waves.map((w) => [w.name, w.segments, w.perSegment, w.pageSize, w.budget])).toEqual([
    ['wave 1 (10 %)', 1, 833, 1000, 2],
    ['wave 2 (50 %)', 1, 833, 1000, 2],
    ['wave 3 (100 %)', 1, 833, 1000, 2],
  ]);
});
