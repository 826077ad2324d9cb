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
  pageSize: number;
}
interface Wave {
  name: string;
  segments: number;
  perSegment: number;
  cells?: CellPlan[];
}

async function planWaves(tenantCount: number, window: number, cellWindows: { name: string; window: number }[]): Promise<Wave[]> {
  const engine = new Engine();
  try {
    const response = await engine.testState({
      definition: JSON.stringify({ QueryLanguage: 'JSONata', ...definition.States['Plan waves'] }),
      variables: JSON.stringify({
        policy: { ...DEFAULT_ROLLOUT_POLICY, canary: { tenants: [], count: 0 }, waves: [10, 100] },
        tenantCount,
        window,
        canaries: [],
        cellWindows,
      }),
      inspectionLevel: 'DEBUG',
    });
    expect([response.status, response.error, response.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    return (JSON.parse(response.inspectionData!.variables!) as { waves: Wave[] }).waves;
  } finally {
    engine.close();
  }
}

test('two cells: each percent wave has segments of its own per cell, from that cell’s window, numbered one after the other', async () => {
  // home: 833 stacks at once (2,500 resources / 3); cell-1: 10 (30 / 3). 100,000 tenants.
  const waves = await planWaves(100_000, 10, [
    { name: 'home', window: 833 },
    { name: 'cell-1', window: 10 },
  ]);
  expect(waves.map((wave) => [wave.name, wave.segments, wave.cells])).toEqual(
    ['wave 1 (10 %)', 'wave 2 (100 %)'].map((name, i) => [
      name,
      // SegmentConcurrency 10: ceil(833 / 10) = 84 segments of 10 (ceil(833 / 84)); cell-1 one of 10.
      85,
      [
        { name: 'home', first: 0, segments: 84, perSegment: 10, pageSize: i === 0 ? 1000 : 112 },
        { name: 'cell-1', first: 84, segments: 1, perSegment: 10, pageSize: i === 0 ? 1000 : 112 },
      ],
    ]),
  );
});

test('one cell: waves are planned as before, from the one window, without a cell plan', async () => {
  const waves = await planWaves(100_000, 833, []);
  expect(waves.map((wave) => [wave.segments, wave.perSegment, 'cells' in wave])).toEqual([
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
