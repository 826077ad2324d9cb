/**
 * Bounded retention of closed executions and the per-state-machine index behind ListExecutions:
 * closed executions stay listable newest first, paged, until retention releases them (count or age);
 * running executions are never released. AWS keeps closed executions for 90 days
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); a long-running local
 * engine keeps a bounded number instead (runtime/execution-index.ts).
 */
import { Engine } from '../../emulator/runtime/engine';
import { SeqList } from '../../emulator/runtime/execution-index';

const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const WAIT_FOR_TOKEN = {
  StartAt: 'W',
  States: {
    W: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'f', Payload: { 'T.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

async function runMany(engine: Engine, arn: string, n: number, prefix = 'e'): Promise<string[]> {
  const arns: string[] = [];
  for (let i = 0; i < n; i++) {
    const { executionArn } = engine.startExecution({ stateMachineArn: arn, name: `${prefix}${i}` });
    await engine.waitForExecution(executionArn);
    arns.push(executionArn);
  }
  await new Promise((r) => setImmediate(r)); // the engine records a close after the execution's end
  return arns;
}

function names(page: { executions: { name: string }[] }): string[] {
  return page.executions.map((e) => e.name);
}

describe('retention of closed executions', () => {
  test('closed-execution statistics cover released executions: count, events, states entered, the largest history', async () => {
    const engine = new Engine({ retention: { maxClosedExecutions: 1 } });
    const { stateMachineArn: short } = engine.createStateMachine({ name: 'short', definition: JSON.stringify(PASS) });
    const long = {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Pass', End: true } },
    };
    const { stateMachineArn: longArn } = engine.createStateMachine({ name: 'long', definition: JSON.stringify(long) });
    const [longRun] = await runMany(engine, longArn, 1, 'long');
    const longEvents = engine.getExecutionHistory(longRun).length;
    await runMany(engine, short, 3, 'short');
    // The long one is released (retention keeps 1), its figures stay.
    expect(() => engine.describeExecution(longRun)).toThrow('Execution Does Not Exist');
    const stats = engine.closedExecutionStatistics;
    expect(stats.executions).toBe(4);
    expect(stats.largestHistory).toEqual({ executionArn: longRun, events: longEvents });
    // Pass-only histories: started, entered/exited per state, succeeded.
    expect(longEvents).toBe(2 + 2 * 3);
    expect(stats.historyEvents).toBe(longEvents + 3 * (2 + 2 * 1));
    expect(stats.statesEntered).toBe(3 + 3 * 1);
  });

  test('beyond maxClosedExecutions the oldest closed executions are released', async () => {
    const engine = new Engine({ retention: { maxClosedExecutions: 3 } });
    const { stateMachineArn } = engine.createStateMachine({ name: 'kept', definition: PASS });
    const arns = await runMany(engine, stateMachineArn, 5);
    expect(() => engine.describeExecution(arns[0])).toThrow(/Execution Does Not Exist/);
    expect(() => engine.getExecutionHistory(arns[1])).toThrow(/Execution Does Not Exist/);
    expect(engine.describeExecution(arns[2]).status).toBe('SUCCEEDED');
    expect(names(engine.listExecutionsPage(stateMachineArn))).toEqual(['e4', 'e3', 'e2']);
    // A released execution's name may be used again.
    expect(() => engine.startExecution({ stateMachineArn, name: 'e0' })).not.toThrow();
  });

  test('running executions are never released, whatever the retention', async () => {
    const engine = new Engine({
      retention: { maxClosedExecutions: 0 },
      handlers: [{ matcher: 'arn:aws:states:::lambda:invoke', handler: () => ({}) }],
    });
    const waiting = engine.createStateMachine({ name: 'waiting', definition: WAIT_FOR_TOKEN });
    const passing = engine.createStateMachine({ name: 'passing', definition: PASS });
    const { executionArn } = engine.startExecution({ stateMachineArn: waiting.stateMachineArn, name: 'open' });
    const closed = await runMany(engine, passing.stateMachineArn, 3);
    expect(engine.describeExecution(executionArn).status).toBe('RUNNING');
    expect(() => engine.describeExecution(closed[2])).toThrow(/Execution Does Not Exist/);
    expect(names(engine.listExecutionsPage(waiting.stateMachineArn, { statusFilter: 'RUNNING' }))).toEqual(['open']);
  });

  test('closed executions older than closedExecutionTtlMs are released', async () => {
    let now = 1_000_000;
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const engine = new Engine({ retention: { closedExecutionTtlMs: 60_000 } });
      const { stateMachineArn } = engine.createStateMachine({ name: 'aged', definition: PASS });
      const [old] = await runMany(engine, stateMachineArn, 1, 'old');
      now += 61_000;
      const [fresh] = await runMany(engine, stateMachineArn, 1, 'fresh');
      expect(() => engine.describeExecution(old)).toThrow(/Execution Does Not Exist/);
      expect(engine.describeExecution(fresh).status).toBe('SUCCEEDED');
      now += 61_000;
      expect(engine.listExecutionsPage(stateMachineArn).executions).toEqual([]); // listing releases what expired
    } finally {
      spy.mockRestore();
    }
  });

  test('retention options are checked', () => {
    expect(() => new Engine({ retention: { maxClosedExecutions: -1 } })).toThrow(/retention.maxClosedExecutions must be a number >= 0/);
  });
});

describe('ListExecutions pages from the index', () => {
  test('pages newest first; a token stays valid while older executions are released meanwhile', async () => {
    const engine = new Engine({ retention: { maxClosedExecutions: 1000 } });
    const { stateMachineArn } = engine.createStateMachine({ name: 'paged', definition: PASS });
    await runMany(engine, stateMachineArn, 250);
    const first = engine.listExecutionsPage(stateMachineArn, { maxResults: 100 });
    expect(first.executions).toHaveLength(100);
    expect(first.executions[0].name).toBe('e249');
    expect(first.executions[99].name).toBe('e150');
    const second = engine.listExecutionsPage(stateMachineArn, { maxResults: 100, nextToken: first.nextToken });
    expect(second.executions[0].name).toBe('e149');
    const third = engine.listExecutionsPage(stateMachineArn, { maxResults: 100, nextToken: second.nextToken });
    expect(third.executions.map((e) => e.name)).toEqual(Array.from({ length: 50 }, (_, i) => `e${49 - i}`));
    expect(third.nextToken).toBeUndefined();
  });

  test('a status filter pages that status only', async () => {
    const engine = new Engine();
    const ok = engine.createStateMachine({
      name: 'mixed',
      definition: {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'F' }], Default: 'P' },
          P: { Type: 'Pass', End: true },
          F: { Type: 'Fail', Error: 'E' },
        },
      },
    });
    for (let i = 0; i < 7; i++) {
      const { executionArn } = engine.startExecution({
        stateMachineArn: ok.stateMachineArn,
        name: `x${i}`,
        input: JSON.stringify({ fail: i % 2 === 0 }),
      });
      await engine.waitForExecution(executionArn);
    }
    await new Promise((r) => setImmediate(r));
    const failed = engine.listExecutionsPage(ok.stateMachineArn, { statusFilter: 'FAILED', maxResults: 3 });
    expect(names(failed)).toEqual(['x6', 'x4', 'x2']);
    expect(names(engine.listExecutionsPage(ok.stateMachineArn, { statusFilter: 'FAILED', nextToken: failed.nextToken }))).toEqual(['x0']);
    expect(names(engine.listExecutionsPage(ok.stateMachineArn, { statusFilter: 'SUCCEEDED' }))).toEqual(['x5', 'x3', 'x1']);
  });

  test('a forged token is InvalidToken', () => {
    const engine = new Engine();
    const { stateMachineArn } = engine.createStateMachine({ name: 'forged', definition: PASS });
    expect(() => engine.listExecutionsPage(stateMachineArn, { nextToken: 'abc' })).toThrow(/Invalid Token/);
  });
});

describe('SeqList (the index under ListExecutions)', () => {
  test('entries added out of order page in sequence order, holes skipped, compaction keeps the order', () => {
    const list = new SeqList<string>();
    for (const seq of [1, 2, 5, 3, 4, 7, 6]) list.add(seq, `s${seq}`);
    expect(list.pageDescending(undefined, 3)).toEqual({ items: ['s7', 's6', 's5'], lastSeq: 5, more: true });
    expect(list.pageDescending(5, 10)).toEqual({ items: ['s4', 's3', 's2', 's1'], lastSeq: 1, more: false });
    list.remove(4);
    list.remove(1);
    expect(list.pageDescending(5, 2)).toEqual({ items: ['s3', 's2'], lastSeq: 2, more: false });
    for (let seq = 8; seq < 500; seq++) list.add(seq, `s${seq}`);
    for (let seq = 8; seq < 400; seq++) list.remove(seq); // enough holes to compact
    expect(list.size).toBe(5 + 100);
    expect(list.pageDescending(undefined, 2).items).toEqual(['s499', 's498']);
    expect(list.pageDescending(400, 3).items).toEqual(['s7', 's6', 's5']);
    expect(list.values().slice(0, 5)).toEqual(['s2', 's3', 's5', 's6', 's7']);
  });
});
