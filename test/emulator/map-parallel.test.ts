/**
 * Map (inline) and Parallel, including how AWS links their history events.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 */
import { eventChain, eventsOfType, runDefinition } from './engine-helpers';

describe('Map', () => {
  test('runs the ItemProcessor per item and collects outputs in order; history links as AWS records', async () => {
    const r = await runDefinition(
      {
        StartAt: 'M',
        States: {
          M: { Type: 'Map', MaxConcurrency: 1, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true },
        },
      },
      [1, 2],
    );
    expect(r.outputValue).toEqual([1, 2]);
    // The next iteration links to the previous iteration's last state event; MapStateExited to the last MapIterationSucceeded.
    expect(eventChain(r.events)).toEqual([
      '1 0 ExecutionStarted',
      '2 0 MapStateEntered',
      '3 2 MapStateStarted',
      '4 3 MapIterationStarted',
      '5 4 PassStateEntered',
      '6 5 PassStateExited',
      '7 6 MapIterationSucceeded',
      '8 6 MapIterationStarted',
      '9 8 PassStateEntered',
      '10 9 PassStateExited',
      '11 10 MapIterationSucceeded',
      '12 11 MapStateSucceeded',
      '13 11 MapStateExited',
      '14 13 ExecutionSucceeded',
    ]);
    expect(eventsOfType(r.events, 'MapStateStarted')[0].mapStateStartedEventDetails).toEqual({ length: 2 });
  });

  test('ItemsPath, ItemSelector with $$.Map.Item and ResultPath', async () => {
    const r = await runDefinition(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.list',
            ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value', 'tag.$': '$.tag' },
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            ResultPath: '$.out',
            End: true,
          },
        },
      },
      { list: ['a', 'b'], tag: 't' },
    );
    expect(r.outputValue).toEqual({
      list: ['a', 'b'],
      tag: 't',
      out: [
        { i: 0, v: 'a', tag: 't' },
        { i: 1, v: 'b', tag: 't' },
      ],
    });
  });

  test('legacy Iterator and Parameters still work', async () => {
    const r = await runDefinition(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Parameters: { 'x.$': '$$.Map.Item.Value' },
            Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      [7],
    );
    expect(r.outputValue).toEqual([{ x: 7 }]);
  });

  test('an empty array gives [] without iterations', async () => {
    const r = await runDefinition(
      {
        StartAt: 'M',
        States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
      },
      [],
    );
    expect(r.outputValue).toEqual([]);
    expect(eventsOfType(r.events, 'MapIterationStarted')).toHaveLength(0);
  });

  test('a failing iteration fails the Map: MapIterationFailed then MapStateFailed', async () => {
    const r = await runDefinition(
      {
        StartAt: 'M',
        States: {
          M: { Type: 'Map', MaxConcurrency: 1, ItemProcessor: { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } }, End: true },
        },
      },
      [1, 2],
    );
    expect(r.status).toBe('FAILED');
    expect(eventChain(r.events)).toEqual([
      '1 0 ExecutionStarted',
      '2 0 MapStateEntered',
      '3 2 MapStateStarted',
      '4 3 MapIterationStarted',
      '5 4 FailStateEntered',
      '6 5 MapIterationFailed',
      '7 5 MapStateFailed',
      '8 7 ExecutionFailed',
    ]);
  });

  test('JSONata Items must evaluate to an array', async () => {
    const r = await runDefinition(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Items: '{% $states.input.n %}',
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      { n: 1 },
    );
    expect(r.error).toBe('States.QueryEvaluationError');
    expect(r.cause).toContain("returned an unexpected result type. Expected 'array', but was 'number' for value: 1");
  });

  test('MaxConcurrency bounds concurrent iterations', async () => {
    let running = 0;
    let peak = 0;
    const { Engine } = await import('../../emulator/runtime/engine');
    const engine = new Engine();
    engine.registerHandler('arn:aws:states:::lambda:invoke', async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((res) => setTimeout(res, 5));
      running--;
      return {};
    });
    const r = await runDefinition(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            MaxConcurrency: 3,
            ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
            End: true,
          },
        },
      },
      Array.from({ length: 10 }, (_, i) => i),
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(peak).toBe(3);
  });
});

describe('Parallel', () => {
  test('every branch gets the same input; the output is the array of branch outputs', async () => {
    const r = await runDefinition(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
            ],
            ResultSelector: { 'first.$': '$[0]', 'second.$': '$[1]' },
            End: true,
          },
        },
      },
      { in: 1 },
    );
    expect(r.outputValue).toEqual({ first: 'a', second: { in: 1 } });
    const types = r.events.map((e) => e.type);
    expect(types[2]).toBe('ParallelStateStarted');
    expect(types.slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
  });
});

describe('failure stops siblings', () => {
  test('when one Parallel branch fails, the other branch stops at its next state', async () => {
    const { Engine } = await import('../../emulator/runtime/engine');
    const engine = new Engine();
    const calls: string[] = [];
    engine.registerHandler('arn:aws:states:::lambda:invoke', async (req) => {
      calls.push(req.stateName);
      await new Promise((res) => setTimeout(res, 10));
      return {};
    });
    const task = (next?: string) => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      ...(next ? { Next: next } : { End: true }),
    });
    const r = await runDefinition(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Slow1', States: { Slow1: task('Slow2'), Slow2: task() } },
              { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Boom' } } },
            ],
            End: true,
          },
        },
      },
      {},
      { engine },
    );
    await new Promise((res) => setTimeout(res, 50));
    expect(r.error).toBe('Boom');
    expect(calls).toEqual(['Slow1']);
  });
});
