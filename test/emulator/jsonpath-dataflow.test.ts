/**
 * JSONPath input/output processing, in AWS's order: InputPath -> Parameters -> (task) -> ResultSelector
 * -> ResultPath -> OutputPath.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
 */
import { runDefinition } from './engine-helpers';

const single = (state: object) => ({ StartAt: 'S', States: { S: { ...state, End: true } } });

describe('JSONPath data flow', () => {
  test('InputPath selects the effective input and OutputPath the output', async () => {
    const r = await runDefinition(single({ Type: 'Pass', InputPath: '$.a', OutputPath: '$.b' }), { a: { b: 42 } });
    expect(r.outputValue).toBe(42);
  });

  test('InputPath null gives {} and OutputPath null gives {}', async () => {
    expect((await runDefinition(single({ Type: 'Pass', InputPath: null }), { a: 1 })).outputValue).toEqual({});
    expect((await runDefinition(single({ Type: 'Pass', OutputPath: null }), { a: 1 })).outputValue).toEqual({});
  });

  test('Parameters builds a payload from `.$` paths, the context object and intrinsic functions', async () => {
    const r = await runDefinition(
      single({
        Type: 'Pass',
        Parameters: {
          'copy.$': '$.x',
          literal: 'lit',
          nested: { 'name.$': '$$.State.Name' },
          'joined.$': "States.Format('{}-{}', $.x, $.y)",
        },
      }),
      { x: 'a', y: 'b' },
    );
    expect(r.outputValue).toEqual({ copy: 'a', literal: 'lit', nested: { name: 'S' }, joined: 'a-b' });
  });

  test('Result replaces the input and its `.$` keys stay literal', async () => {
    const r = await runDefinition(single({ Type: 'Pass', Result: { 'k.$': '$.v' } }), { v: 1 });
    expect(r.outputValue).toEqual({ 'k.$': '$.v' });
  });

  test('ResultPath merges the result into the raw input, creating nested objects', async () => {
    const r = await runDefinition(single({ Type: 'Pass', InputPath: '$.keep', Result: 7, ResultPath: '$.deep.er.value' }), {
      keep: 1,
      other: 2,
    });
    expect(r.outputValue).toEqual({ keep: 1, other: 2, deep: { er: { value: 7 } } });
  });

  test('ResultPath null discards the result and passes the raw input on', async () => {
    const r = await runDefinition(single({ Type: 'Pass', Result: 'ignored', ResultPath: null }), { a: 1 });
    expect(r.outputValue).toEqual({ a: 1 });
  });

  test('ResultPath into a non-object input fails with States.ResultPathMatchFailure', async () => {
    const r = await runDefinition(single({ Type: 'Pass', Result: 1, ResultPath: '$.x' }), 'a string');
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.ResultPathMatchFailure');
  });

  test("a missing `.$` path fails with States.Runtime and AWS's message", async () => {
    const r = await runDefinition(single({ Type: 'Pass', Parameters: { 'value.$': '$.nope' } }), { a: 1 });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.Runtime');
    expect(r.cause).toBe(
      "An error occurred while executing the state 'S' (entered at the event id #2). The JSONPath '$.nope' specified for the field 'value.$' could not be found in the input '{\"a\":1}'",
    );
  });

  test('a missing InputPath fails with "Invalid path ... No results for path"', async () => {
    const r = await runDefinition(single({ Type: 'Pass', InputPath: '$.missing' }), { a: 1 });
    expect(r.cause).toBe(
      "An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']",
    );
  });

  test('JSONPath filters and wildcards return arrays', async () => {
    const r = await runDefinition(single({ Type: 'Pass', Parameters: { 'big.$': '$.items[?(@.n > 1)].n', 'all.$': '$.items[*].n' } }), {
      items: [{ n: 1 }, { n: 2 }, { n: 3 }],
    });
    expect(r.outputValue).toEqual({ big: [2, 3], all: [1, 2, 3] });
  });

  test('the context object carries execution, state machine and state facts', async () => {
    const r = await runDefinition(single({ Type: 'Pass', Parameters: { 'ctx.$': '$$' } }), { in: 1 }, { name: 'ctx-machine' });
    const ctx = (r.outputValue as { ctx: Record<string, Record<string, unknown>> }).ctx;
    expect(ctx.Execution.Id).toBe(r.executionArn);
    expect(ctx.Execution.Input).toEqual({ in: 1 });
    expect(ctx.Execution.Name).toBe(r.name);
    expect(ctx.StateMachine).toEqual({ Id: r.stateMachineArn, Name: 'ctx-machine' });
    expect(ctx.State.Name).toBe('S');
    expect(typeof ctx.State.EnteredTime).toBe('string');
  });

  test('outputs over 256 KiB fail with States.DataLimitExceeded', async () => {
    const r = await runDefinition(single({ Type: 'Pass', Parameters: { 'v.$': 'States.ArrayRange(1, 1000, 1)' } }), {});
    expect(r.status).toBe('SUCCEEDED');
    const big = 'x'.repeat(300 * 1024);
    const r2 = await runDefinition(single({ Type: 'Pass', Result: big }), {});
    expect(r2.status).toBe('FAILED');
    expect(r2.error).toBe('States.DataLimitExceeded');
    // Wording as AWS reports it (seen in user reports of this error).
    expect(r2.cause).toBe("The state/task 'S' returned a result with a size exceeding the maximum number of bytes service limit.");
  });
});
