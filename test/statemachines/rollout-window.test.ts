/**
 * The rollout's window law (update-tenants' `Is the rollout still running?`, at a segment's page end)
 * at the deployed tuning: the state run alone through the engine's TestState with the segment's
 * variables and a mocked GetItem of the rollout item
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html). The local-cloud
 * test (test/local-cloud/rollout-window.test.ts) shows the same law on real throttling; this one
 * walks its two bands: cut by a quarter, grow.
 */
import { Engine } from '../../emulator/runtime/engine';
import { DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import { loadWorkflow, localSubstitutions } from '../../statemachines/local-substitutions';

const deployed = {
  ...localSubstitutions(),
  ...Object.fromEntries(Object.entries(DEFAULT_WORKFLOW_TUNING).map(([k, v]) => [k, String(v)])),
};

interface Look {
  /** The segment's window before the look, and its share (perSegment). */
  concurrency: number;
  perSegment: number;
  /** The counters as the segment saw them last (-1: a rollback's segment, which has not looked yet). */
  throttledSeen: number;
  finishedSeen: number;
  /** The rollout item now. */
  throttled: number;
  counts: Record<string, number>;
}

async function pageEnd(look: Look): Promise<{ concurrency: number; throttledSeen: number; finishedSeen: number }> {
  const definition = loadWorkflow('update-tenants', deployed) as {
    States: Record<string, { ItemProcessor?: { States: Record<string, unknown> } }>;
  };
  const state = definition.States['Run wave'].ItemProcessor!.States['Is the rollout still running?'];
  const engine = new Engine();
  try {
    const response = await engine.testState({
      definition: JSON.stringify({ QueryLanguage: 'JSONata', ...(state as object) }),
      variables: JSON.stringify({
        concurrency: look.concurrency,
        throttledSeen: look.throttledSeen,
        finishedSeen: look.finishedSeen,
        segment: { perSegment: look.perSegment, rolloutId: 'release-7' },
      }),
      mock: {
        result: JSON.stringify({
          Item: {
            state: { S: 'RUNNING' },
            throttled: { N: String(look.throttled) },
            counts: { M: Object.fromEntries(Object.entries(look.counts).map(([k, v]) => [k, { N: String(v) }])) },
          },
        }),
      },
      inspectionLevel: 'DEBUG',
    });
    expect([response.status, response.error, response.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
    const variables = JSON.parse(response.inspectionData!.variables!) as {
      concurrency: number;
      throttledSeen: number;
      finishedSeen: number;
    };
    return { concurrency: variables.concurrency, throttledSeen: variables.throttledSeen, finishedSeen: variables.finishedSeen };
  } finally {
    engine.close();
  }
}

const seen = { throttledSeen: 40, finishedSeen: 100 };

test('more throttled calls than finished updates since the last look: the window is cut by a quarter (at least 1)', async () => {
  // 21 throttled against 20 finished since the last look (the outcome counts now sum to 120).
  const counts = { updated: 110, failed: 5, unchanged: 5, skipped: 0 };
  expect(await pageEnd({ concurrency: 10, perSegment: 10, ...seen, throttled: 61, counts })).toEqual({
    concurrency: 7,
    throttledSeen: 61,
    finishedSeen: 120,
  });
  expect((await pageEnd({ concurrency: 1, perSegment: 10, ...seen, throttled: 61, counts })).concurrency).toBe(1);
});

test('at most one throttled call per finished update (bursts, the API rate still used): the window grows by an eighth of the share, up to the share', async () => {
  // 20 throttled against 20 finished: grows by max(1, floor(10 / 8)) = 1.
  expect((await pageEnd({ concurrency: 6, perSegment: 10, ...seen, throttled: 60, counts: { updated: 120 } })).concurrency).toBe(7);
  expect((await pageEnd({ concurrency: 6, perSegment: 10, ...seen, throttled: 40, counts: { updated: 120 } })).concurrency).toBe(7);
  expect((await pageEnd({ concurrency: 10, perSegment: 10, ...seen, throttled: 40, counts: { updated: 120 } })).concurrency).toBe(10);
  // A share of 40 grows by 5.
  expect((await pageEnd({ concurrency: 20, perSegment: 40, ...seen, throttled: 40, counts: { updated: 101 } })).concurrency).toBe(25);
});

test('a rollback’s segment (counters unknown at its start) keeps its window at its first look and records the counters', async () => {
  expect(
    await pageEnd({
      concurrency: 9,
      perSegment: 9,
      throttledSeen: -1,
      finishedSeen: -1,
      throttled: 500,
      counts: { updated: 900, failed: 9 },
    }),
  ).toEqual({ concurrency: 9, throttledSeen: 500, finishedSeen: 909 });
});
