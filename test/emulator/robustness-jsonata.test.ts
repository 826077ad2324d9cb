/**
 * Bounded JSONata evaluation: an expression that loops, recurses without end, builds a huge string or
 * runs a catastrophic regular expression fails its state with States.QueryEvaluationError (the error
 * AWS raises for a failed JSONata evaluation,
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html) instead of
 * freezing or killing the process, and other executions keep running meanwhile.
 */
import { Engine } from '../../emulator/runtime/engine';
import { JSONATA_BOUNDS } from '../../emulator/asl/jsonata-bounds';
import { REGEX_BOUNDS } from '../../emulator/asl/bounded-regex';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { runDefinition } from './engine-helpers';

function outputMachine(expression: string) {
  return { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: `{% ${expression} %}`, End: true } } };
}

const saved = { ...JSONATA_BOUNDS };
beforeAll(() => {
  JSONATA_BOUNDS.timeoutMs = 400; // the default (5 s) would only make the suite slower
});
afterAll(() => Object.assign(JSONATA_BOUNDS, saved));

async function failureOf(expression: string, input: unknown = {}) {
  const r = await runDefinition(outputMachine(expression), input);
  expect(r.status).toBe('FAILED');
  expect(r.error).toBe('States.QueryEvaluationError');
  expect(r.cause).toContain("An error occurred while executing the state 'P'");
  expect(r.cause).toContain("specified for the field 'Output' threw an error during evaluation");
  const failed = r.events.find((e) => e.type === 'EvaluationFailed');
  expect(failed).toBeDefined();
  return r.cause as string;
}

const CATASTROPHIC = '/^(a+)+b$/';
const AS = `"${'a'.repeat(40)}"`;

describe('JSONata evaluation bounds', () => {
  test('an endless tail-recursive loop fails with an evaluation timeout', async () => {
    expect(await failureOf('( $f := function($n){ $f($n + 1) }; $f(0) )')).toContain('Evaluation timeout after 400 milliseconds');
  });

  test('unbounded (non-tail) recursion fails on the depth bound', async () => {
    JSONATA_BOUNDS.timeoutMs = 60_000; // so that only the depth can end it, however loaded the machine
    try {
      expect(await failureOf('( $f := function($n){ 1 + $f($n + 1) }; $f(0) )')).toContain('nested deeper than 1000 steps');
    } finally {
      JSONATA_BOUNDS.timeoutMs = 400;
    }
  });

  test('$pad("", 150000000, "a") fails before building the string (it aborted Node 20)', async () => {
    expect(await failureOf('$pad("", 150000000, "a")')).toMatch(/padded string of 150,000,000 .* over the bound/);
  });

  test('a string that doubles itself fails at the size bound', async () => {
    expect(await failureOf('( $s := function($x, $n){ $n = 0 ? $x : $s($x & $x, $n - 1) }; $s("ab", 40) )')).toContain(
      'over the bound of 10,485,760',
    );
  });

  test.each([
    `$match(${AS}, ${CATASTROPHIC})`,
    `$contains(${AS}, ${CATASTROPHIC})`,
    `$replace(${AS}, ${CATASTROPHIC}, "x")`,
    `$split(${AS}, ${CATASTROPHIC})`,
  ])('a catastrophic regular expression fails at its deadline: %s', async (expression) => {
    expect(await failureOf(expression)).toContain(`did not finish within ${REGEX_BOUNDS.regexCallMs} ms of CPU time`);
  });

  test('regular expressions still give jsonata results', async () => {
    const r = await runDefinition(
      outputMachine(
        '{"m": $match("ab12cd345", /[0-9]+/).match, "r": $replace("John Smith", /(\\w+)\\s(\\w+)/, "$2, $1"), "s": $split("a1b2c3", /[0-9]/), "c": $contains("hello", /l+/), "i": $match("aAbB", /a/i).index, "many": $length($replace($states.input.text, /-/, "+"))}',
      ),
      { text: 'x-'.repeat(30_000) },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual({ m: ['12', '345'], r: 'Smith, John', s: ['a', 'b', 'c', ''], c: true, i: [0, 1], many: 60_000 });
  });

  test('$pad within the bound pads as jsonata does', async () => {
    const r = await runDefinition(outputMachine('[$pad("x", 5), $pad("x", -5, "#"), $pad("ab", 6, "xy"), $pad("abc", 2)]'));
    expect(r.outputValue).toEqual(['x    ', '####x', 'abxyxy', 'abc']);
  });

  test('an evaluation that yields holds the shared time line: a sibling branch’s 10 s Wait does not pass during it', async () => {
    const START = Date.parse('2030-01-01T00:00:00.000Z');
    const engine = new Engine({ timeline: new VirtualTimeline(START) });
    const branches = [
      {
        StartAt: 'Heavy',
        States: {
          Heavy: { Type: 'Pass', Output: '{% $sum([1..2000].($ * 2)) %}', Next: 'After' },
          After: { Type: 'Pass', Output: '{% $states.context.State.EnteredTime %}', End: true },
        },
      },
      { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } },
    ];
    JSONATA_BOUNDS.yieldAfterMs = 0; // yield every few steps, so the evaluation surely yields
    try {
      const r = await runDefinition(
        { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Parallel', Branches: branches, End: true } } },
        {},
        { engine },
      );
      expect([r.status, r.cause]).toEqual(['SUCCEEDED', undefined]);
      expect(r.outputValue).toEqual([new Date(START).toISOString(), {}]);
      expect(r.stopDate!.getTime()).toBe(START + 10_000);
    } finally {
      JSONATA_BOUNDS.yieldAfterMs = saved.yieldAfterMs;
    }
  });

  test('while an endless JSONata loop runs, another execution runs to its end', async () => {
    const engine = new Engine();
    const heavy = engine.createStateMachine({ name: 'heavy', definition: outputMachine('( $f := function($n){ $f($n + 1) }; $f(0) )') });
    const light = engine.createStateMachine({
      name: 'light',
      // No Wait: the heavy evaluation holds the simulated time line (it is making progress), so a Wait would end only after it.
      definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } },
    });
    const { executionArn: heavyArn } = engine.startExecution({ stateMachineArn: heavy.stateMachineArn });
    // Let the heavy evaluation begin before the light execution starts.
    await new Promise((r) => setImmediate(r));
    const { executionArn: lightArn } = engine.startExecution({ stateMachineArn: light.stateMachineArn });
    const lightDone = await engine.waitForExecution(lightArn);
    expect(lightDone.status).toBe('SUCCEEDED');
    expect(engine.describeExecution(heavyArn).status).toBe('RUNNING');
    const heavyDone = await engine.waitForExecution(heavyArn);
    expect(heavyDone.error).toBe('States.QueryEvaluationError');
  });
});

// A catastrophic regex cannot reach the evaluator as text either: `$eval` is left out, as on AWS
// (https://github.com/floci-io/floci/issues/2737), so the call fails at once instead of matching.
test('a regex inside $eval never runs: $eval is not a function (T1006)', async () => {
  const r = await runDefinition(outputMachine(`$eval("$contains('${'a'.repeat(40)}', /^(a+)+b$/)")`));
  expect(r.error).toBe('States.QueryEvaluationError');
  expect(r.cause).toContain('T1006: Attempted to invoke a non-function');
});
