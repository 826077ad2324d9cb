/**
 * Per-cell windows in update-tenants at the deployed tuning: `Plan waves` (run alone through the
 * engine's TestState, https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html)
 * plans a percent wave's scan segments per cell from each cell's own window, and `Run wave`'s
 * ItemSelector (its JSONata evaluated as written in the definition) gives each segment child its
 * cell's segment number, window, page size and a scan filter for that cell's tenants only. The
 * local-cloud test (test/local-cloud/cells.test.ts) shows the end state: no account had more stack
 * updates in progress than its own budget.
 */
import jsonata from 'jsonata';
import { Engine } from '../../emulator/runtime/engine';
import { DEFAULT_ROLLOUT_POLICY, DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import { loadWorkflow, localSubstitutions } from '../../statemachines/local-substitutions';

const deployed = {
  ...localSubstitutions(),
  ...Object.fromEntries(Object.entries(DEFAULT_WORKFLOW_TUNING).map(([k, v]) => [k, String(v)])),
};
type States = Record<string, { ItemSelector?: Record<string, string>; Assign?: Record<string, string> }>;
const definition = loadWorkflow('update-tenants', deployed) as { States: States };

interface CellPlan {
  name: string;
  first: number;
  segments: number;
  perSegment: number;
}
interface Wave {
  name: string;
  segments: number;
  perSegment: number;
  cellPageSizes?: number[];
}

/** One state of update-tenants run alone through TestState; its variables afterwards. */
async function runAlone(name: string, variables: Record<string, unknown>, result?: unknown): Promise<Record<string, unknown>> {
  const engine = new Engine();
  try {
    const response = await engine.testState({
      definition: JSON.stringify({ QueryLanguage: 'JSONata', ...definition.States[name], Retry: undefined, Catch: undefined }),
      variables: JSON.stringify(variables),
      ...(result === undefined ? {} : { mock: { result: JSON.stringify(result) } }),
      inspectionLevel: 'DEBUG',
    });
    expect([response.status, response.error, response.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    return JSON.parse(response.inspectionData!.variables!) as Record<string, unknown>;
  } finally {
    engine.close();
  }
}

const POLICY = { ...DEFAULT_ROLLOUT_POLICY, canary: { tenants: [], count: 0 }, waves: [10, 100] };
const claimRelease = async (tenantCount: number, cellWindows: { name: string; window: number }[]) =>
  (await runAlone('Claim release', { tenantCount, cellWindows, release: 7, versionId: 'v7' }, { Attributes: {} })).cellPlan as CellPlan[];
const planWaves = async (tenantCount: number, window: number, cellPlan: CellPlan[]) =>
  (await runAlone('Plan waves', { policy: POLICY, tenantCount, window, canaries: [], cellPlan })).waves as Wave[];

test('two cells: Claim release plans each cell’s scan segments from its own window, numbered one after the other; each wave gets their page sizes', async () => {
  // home: 833 stacks at once (2,500 resources / 3); cell-1: 10 (30 / 3). 100,000 tenants.
  const cellPlan = await claimRelease(100_000, [
    { name: 'home', window: 833 },
    { name: 'cell-1', window: 10 },
  ]);
  // SegmentConcurrency 10: ceil(833 / 10) = 84 segments of ceil(833 / 84) = 10; cell-1 one of 10.
  expect(cellPlan).toEqual([
    { name: 'home', first: 0, segments: 84, perSegment: 10 },
    { name: 'cell-1', first: 84, segments: 1, perSegment: 10 },
  ]);
  const waves = await planWaves(100_000, 10, cellPlan);
  // Pages of about ten rounds of a segment's window in the wave's share of the buckets: 10 x 10 x
  // 10,000 / 1,000 buckets = 1,000 for the 10 % wave, / 9,000 = 112 for the rest.
  expect(waves.map((wave) => [wave.name, wave.segments, wave.cellPageSizes])).toEqual([
    ['wave 1 (10 %)', 85, [1000, 1000]],
    ['wave 2 (100 %)', 85, [112, 112]],
  ]);
  // Start wave hands the run each cell's plan with the wave's page size.
  const started = await runAlone(
    'Start wave',
    { waves, waveIndex: 1, cellPlan, release: 7, seq: 3, templateUrl: 'https://bucket/key?versionId=v7', rolloutId: 'release-7' },
    { Attributes: {} },
  );
  expect((started.run as { cells: unknown }).cells).toEqual([
    { name: 'home', first: 0, segments: 84, perSegment: 10, pageSize: 112 },
    { name: 'cell-1', first: 84, segments: 1, perSegment: 10, pageSize: 112 },
  ]);
});

test('a small fleet caps each cell’s segments (MinTenantsPerSegment); 10,000 segments at most in all', async () => {
  expect(
    (
      await claimRelease(250, [
        { name: 'home', window: 833 },
        { name: 'cell-1', window: 5 },
      ])
    ).map((c) => c.segments),
  ).toEqual([3, 1]);
  const many = Array.from({ length: 200 }, (_, i) => ({ name: `cell-${i}`, window: 833 }));
  const plan = await claimRelease(1_000_000, many);
  // 84 segments each would be 16,800: each cell gets floor(10,000 / 200) = 50 segments of ceil(833 / 50) = 17.
  expect([plan.length, plan[0].segments, plan[0].perSegment, plan[199].first + plan[199].segments]).toEqual([200, 50, 17, 10_000]);
});

test('one cell: no cell plan, and waves are planned as before, from the one window', async () => {
  expect(await claimRelease(100_000, [])).toEqual([]);
  const waves = await planWaves(100_000, 833, []);
  expect(waves.map((wave) => [wave.segments, wave.perSegment, 'cellPageSizes' in wave])).toEqual([
    [84, 10, false],
    [84, 10, false],
  ]);
});

const selector = definition.States['Run wave'].ItemSelector!;
async function segmentInput(k: number, run: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(selector).map(async ([key, text]) => {
      const expression = jsonata(String(text).replace(/^\{%|%\}$/g, ''));
      return [key, await expression.evaluate({}, { run, states: { context: { Map: { Item: { Value: k } } } }, rolloutId: 'release-7' })];
    }),
  );
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

test('Run wave hands segment k its cell’s segment number, window, page size and a filter for that cell’s tenants (the home cell also keeps records from before cells)', async () => {
  const run = {
    segments: 5,
    perSegment: 1,
    pageSize: 100,
    filter: '#status = :active',
    names: { '#status': 'status' },
    values: { ':active': { S: 'ACTIVE' } },
    cells: [
      { name: 'home', first: 0, segments: 3, perSegment: 7, pageSize: 300 },
      { name: 'cell-1', first: 3, segments: 2, perSegment: 4, pageSize: 200 },
    ],
  };
  const pick = (input: Record<string, unknown>) => [
    input.segment,
    input.totalSegments,
    input.perSegment,
    input.pageSize,
    input.filter,
    input.values,
  ];
  expect(pick(await segmentInput(2, run))).toEqual([
    2,
    3,
    7,
    300,
    '#status = :active AND (#cell.#cellName = :cell OR attribute_not_exists(#cell))',
    { ':active': { S: 'ACTIVE' }, ':cell': { S: 'home' } },
  ]);
  expect(pick(await segmentInput(3, run))).toEqual([
    0,
    2,
    4,
    200,
    '#status = :active AND #cell.#cellName = :cell',
    { ':active': { S: 'ACTIVE' }, ':cell': { S: 'cell-1' } },
  ]);
  expect((await segmentInput(4, run)).names).toEqual({ '#status': 'status', '#cell': 'cell', '#cellName': 'name' });
  // Without cells, as before: the wave's own segments and filter.
  const { cells: _cells, ...single } = run;
  expect(pick(await segmentInput(4, single))).toEqual([4, 5, 1, 100, '#status = :active', { ':active': { S: 'ACTIVE' } }]);
});
