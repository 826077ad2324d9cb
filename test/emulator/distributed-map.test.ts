// Distributed Map as AWS runs it: a Map Run of child executions with their own histories.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
// S3 reads and writes (ItemReader, ResultWriter) are answered by in-process handlers over an
// in-memory object store, through the same resolution chain a local S3 would answer later.
import {
  SFNClient,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  ListExecutionsCommand,
  UpdateMapRunCommand,
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StatesError } from '../../emulator/errors';
import { Engine } from '../../emulator/runtime/engine';
import { MockConfig } from '../../emulator/runtime/mock-config';
import { startServer } from '../../emulator/api/server';
import { parseDefinition } from '../../emulator/asl/parse';
import { eventChain, eventsOfType, runDefinition } from './engine-helpers';

const PASS_PROCESSOR = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'Work',
  States: { Work: { Type: 'Pass', End: true } },
};

function distributedMap(fields: object, processor: object = PASS_PROCESSOR): object {
  return { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor, End: true, ...fields } } };
}

/** A processor whose Task fails for items with `fail: true` (the handler throws). */
const FAILING_PROCESSOR = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
};

function failingEngine(): Engine {
  const engine = new Engine();
  engine.registerHandler('arn:aws:states:::lambda:invoke', ({ parameters }) => {
    const p = parameters as { fail?: boolean; id?: number };
    if (p.fail) throw new StatesError('Item.Failed', `item ${p.id} failed`);
    return { done: p.id };
  });
  return engine;
}

/** An in-memory S3 answering the ItemReader/ResultWriter resources. */
function s3Store(engine: Engine, objects: Record<string, string> = {}): Map<string, string> {
  const store = new Map(Object.entries(objects));
  engine.registerHandler('arn:aws:states:::s3:getObject', ({ parameters }) => {
    const { Bucket, Key } = parameters as { Bucket: string; Key: string };
    const body = store.get(`${Bucket}/${Key}`);
    if (body === undefined) throw new StatesError('S3.NoSuchKeyException', 'The specified key does not exist.');
    return { Body: body };
  });
  engine.registerHandler('arn:aws:states:::s3:putObject', ({ parameters }) => {
    const { Bucket, Key, Body } = parameters as { Bucket: string; Key: string; Body: string };
    store.set(`${Bucket}/${Key}`, Body);
    return { ETag: '"etag"' };
  });
  engine.registerHandler('arn:aws:states:::s3:listObjectsV2', ({ parameters }) => {
    const { Bucket, Prefix = '', ContinuationToken } = parameters as { Bucket: string; Prefix?: string; ContinuationToken?: string };
    const keys = [...store.keys()].filter((k) => k.startsWith(`${Bucket}/${Prefix}`)).map((k) => k.slice(Bucket.length + 1));
    const start = ContinuationToken ? Number(ContinuationToken) : 0;
    const pageKeys = keys.slice(start, start + 2); // pages of two, to exercise ContinuationToken
    return {
      Contents: pageKeys.map((Key) => ({
        Key,
        ETag: `"${Key}"`,
        Size: store.get(`${Bucket}/${Key}`)!.length,
        LastModified: new Date(0),
        StorageClass: 'STANDARD',
      })),
      IsTruncated: start + 2 < keys.length,
      NextContinuationToken: start + 2 < keys.length ? String(start + 2) : undefined,
    };
  });
  return store;
}

describe('Map Run: child executions with their own histories', () => {
  test('each item runs as a child execution; the parent records MapRunStarted/Succeeded, not iterations', async () => {
    const r = await runDefinition(distributedMap({ Label: 'Batch' }), ['a', 'b', 'c']);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual(['a', 'b', 'c']);
    // As recorded on AWS (conformance corpus): MapStateSucceeded and MapStateExited both follow MapRunSucceeded.
    expect(eventChain(r.events)).toEqual([
      '1 0 ExecutionStarted',
      '2 0 MapStateEntered',
      '3 2 MapStateStarted',
      '4 3 MapRunStarted',
      '5 4 MapRunSucceeded',
      '6 5 MapStateSucceeded',
      '7 5 MapStateExited',
      '8 7 ExecutionSucceeded',
    ]);
    const mapRunArn = (r.events[3].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn;
    // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html: <stateMachine>/<label>:<id>
    expect(mapRunArn).toMatch(/^arn:aws:states:us-east-1:123456789012:mapRun:sm-\d+\/Batch:[0-9a-f-]{36}$/);

    const children = r.engine.listMapRunExecutions(mapRunArn);
    expect(children).toHaveLength(3);
    for (const child of children) {
      expect(child.status).toBe('SUCCEEDED');
      expect(child.mapRunArn).toBe(mapRunArn);
      expect(child.itemCount).toBe(1);
      expect(child.executionArn).toMatch(/:execution:sm-\d+\/Batch:[0-9a-f-]{36}$/);
      const history = r.engine.getExecutionHistory(child.executionArn);
      expect(history.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
      expect(JSON.parse(child.output!)).toBe(JSON.parse(child.input));
    }
    expect(children.map((c) => JSON.parse(c.input)).sort()).toEqual(['a', 'b', 'c']);
    expect(r.engine.listMapRuns(r.executionArn).map((m) => m.mapRunArn)).toEqual([mapRunArn]);
    const d = r.engine.describeMapRun(mapRunArn);
    expect(d).toMatchObject({ status: 'SUCCEEDED', executionArn: r.executionArn, maxConcurrency: 0 });
    expect(d.executionCounts).toMatchObject({ succeeded: 3, total: 3, failed: 0, pending: 0, running: 0 });
  });

  test('ItemSelector runs in the parent with $$.Map.Item; the child sees the selected value as its execution input', async () => {
    const processor = {
      ...PASS_PROCESSOR,
      States: { Work: { Type: 'Pass', Parameters: { 'in.$': '$$.Execution.Input', 'sm.$': '$$.StateMachine.Name' }, End: true } },
    };
    const r = await runDefinition(
      distributedMap(
        { Label: 'L', ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value', 'all.$': '$.k' }, ItemsPath: '$.xs' },
        processor,
      ),
      { xs: [10, 20], k: 'K' },
    );
    expect(r.outputValue).toEqual([
      { in: { i: 0, v: 10, all: 'K' }, sm: expect.stringMatching(/^sm-\d+\/L$/) },
      { in: { i: 1, v: 20, all: 'K' }, sm: expect.stringMatching(/^sm-\d+\/L$/) },
    ]);
  });

  test('EXPRESS children run too and get express ARNs', async () => {
    const r = await runDefinition(
      distributedMap({}, { ...PASS_PROCESSOR, ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } }),
      [1, 2],
    );
    expect(r.outputValue).toEqual([1, 2]);
    const arn = (r.events[3].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn;
    for (const c of r.engine.listMapRunExecutions(arn)) expect(c.executionArn).toContain(':express:');
  });

  test('an empty item list still starts and ends a Map Run', async () => {
    const r = await runDefinition(distributedMap({}), []);
    expect(r.outputValue).toEqual([]);
    expect(r.events.map((e) => e.type)).toContain('MapRunSucceeded');
  });

  test("children's waits are on the engine's one time line: the parent resumes when the last child ended", async () => {
    const processor = { ...PASS_PROCESSOR, States: { Work: { Type: 'Wait', SecondsPath: '$', End: true } } };
    const r = await runDefinition(distributedMap({ MaxConcurrency: 1 }, processor), [100, 200]);
    expect(r.status).toBe('SUCCEEDED');
    // MaxConcurrency 1: the second child starts when the first ended, so the run takes 300 s.
    expect(r.stopDate!.getTime() - r.startDate.getTime()).toBe(300_000);
    const children = r.engine.listMapRunExecutions((r.events[3].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn);
    const [first, second] = [...children].sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
    expect(second.startDate.getTime()).toBe(first.stopDate!.getTime());
  });

  test('children running side by side wait at the same time: the run lasts as long as its longest child', async () => {
    const processor = { ...PASS_PROCESSOR, States: { Work: { Type: 'Wait', SecondsPath: '$', End: true } } };
    const r = await runDefinition(distributedMap({}, processor), [100, 200, 150]);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.stopDate!.getTime() - r.startDate.getTime()).toBe(200_000);
  });
});

describe('Map Run children and the retention of closed executions (runtime/execution-index.ts)', () => {
  test('children released while the run goes on still give their results; the run lists only the children still kept', async () => {
    const processor = {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: 'Work',
      States: { Work: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, End: true } },
    };
    // Retention keeps the 2 newest closed executions: the first children are released before the run ends.
    const r = await runDefinition(
      distributedMap({ MaxConcurrency: 1 }, processor),
      [1, 2, 3, 4, 5].map((n) => ({ n })),
      { retention: { maxClosedExecutions: 2 } },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual([2, 4, 6, 8, 10].map((doubled) => ({ doubled })));
    const mapRunArn = (r.events[3].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn;
    // The counts cover every child, released or not.
    expect(r.engine.describeMapRun(mapRunArn).executionCounts).toMatchObject({ succeeded: 5, total: 5, running: 0, pending: 0 });
    expect(r.engine.describeMapRun(mapRunArn).itemCounts).toMatchObject({ succeeded: 5, total: 5 });
    // The parent and the last child are the two kept: a released child is gone for every API.
    const listed = r.engine.listMapRunExecutions(mapRunArn);
    expect(listed).toHaveLength(1);
    expect(JSON.parse(listed[0].input)).toEqual({ n: 5 });
    expect(r.engine.describeExecution(listed[0].executionArn).status).toBe('SUCCEEDED');
  });
});

describe('Failure tolerance (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html)', () => {
  const items = [{ id: 1 }, { id: 2, fail: true }, { id: 3 }, { id: 4, fail: true }];

  test('without a tolerance the first failed child fails the Map Run with States.ExceedToleratedFailureThreshold', async () => {
    const r = await runDefinition(distributedMap({}, FAILING_PROCESSOR), items, { engine: failingEngine() });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(r.cause).toBe('The specified tolerated failure threshold was exceeded');
    const types = r.events.map((e) => e.type);
    expect(types.slice(-4)).toEqual(['MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed'].slice(-4));
    const failed = eventsOfType(r.events, 'MapRunFailed')[0];
    expect(failed.mapRunFailedEventDetails).toEqual({
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'The specified tolerated failure threshold was exceeded',
    });
    const started = eventsOfType(r.events, 'MapRunStarted')[0];
    expect(failed.previousEventId).toBe(started.id);
  });

  test('failures within ToleratedFailureCount: the run succeeds; a failed child leaves null in the result', async () => {
    const r = await runDefinition(distributedMap({ ToleratedFailureCount: 2 }, FAILING_PROCESSOR), items, { engine: failingEngine() });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual([{ done: 1 }, null, { done: 3 }, null]);
    const mapRunArn = (eventsOfType(r.events, 'MapRunStarted')[0].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn;
    expect(r.engine.describeMapRun(mapRunArn)).toMatchObject({
      toleratedFailureCount: 2,
      itemCounts: { succeeded: 2, failed: 2, total: 4 },
    });
  });

  test('one failure more than ToleratedFailureCount fails the run; a Catch on the Map catches it', async () => {
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: FAILING_PROCESSOR,
          ToleratedFailureCount: 1,
          MaxConcurrency: 1,
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const r = await runDefinition(def, items, { engine: failingEngine() });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual({
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: 'The specified tolerated failure threshold was exceeded',
    });
  });

  test('ToleratedFailurePercentage compares the share of failed items', async () => {
    const ok = await runDefinition(distributedMap({ ToleratedFailurePercentage: 50 }, FAILING_PROCESSOR), items, {
      engine: failingEngine(),
    });
    expect(ok.status).toBe('SUCCEEDED');
    const over = await runDefinition(distributedMap({ ToleratedFailurePercentage: 49.9 }, FAILING_PROCESSOR), items, {
      engine: failingEngine(),
    });
    expect(over.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  test('a child that loops fails at 25,000 history events like any Standard execution', async () => {
    const processor = {
      ...PASS_PROCESSOR,
      StartAt: 'Loop',
      States: { Loop: { Type: 'Pass', Next: 'Loop' } },
    };
    const r = await runDefinition(distributedMap({}, processor), [1]);
    expect(r.error).toBe('States.ExceedToleratedFailureThreshold');
    const arn = (eventsOfType(r.events, 'MapRunStarted')[0].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn;
    const [child] = r.engine.listMapRunExecutions(arn);
    expect(child.status).toBe('FAILED');
    expect(child.error).toBe('States.Runtime');
    expect(r.engine.getExecutionHistory(child.executionArn)).toHaveLength(25000);
  });
});

describe('MaxConcurrency and UpdateMapRun', () => {
  /** A Task whose invocations wait until released, counting how many are in flight. */
  function gatedEngine() {
    const engine = new Engine();
    const waiting: (() => void)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    engine.registerHandler('arn:aws:states:::lambda:invoke', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      return 'ok';
    });
    return {
      engine,
      waiting,
      get inFlight() {
        return inFlight;
      },
      get maxInFlight() {
        return maxInFlight;
      },
    };
  }
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };

  test('no more than MaxConcurrency children run at once; UpdateMapRun raises the limit of a running Map Run', async () => {
    const g = gatedEngine();
    const { stateMachineArn } = g.engine.createStateMachine({
      name: 'gated',
      definition: distributedMap({ MaxConcurrency: 2 }, FAILING_PROCESSOR),
    });
    const { executionArn } = g.engine.startExecution({ stateMachineArn, input: JSON.stringify([1, 2, 3, 4, 5, 6].map((id) => ({ id }))) });
    await settle();
    expect(g.inFlight).toBe(2);
    const [run] = g.engine.listMapRuns(executionArn);
    expect(g.engine.describeMapRun(run.mapRunArn).executionCounts).toMatchObject({ running: 2, pending: 4, total: 6 });
    g.engine.updateMapRun(run.mapRunArn, { maxConcurrency: 4 });
    await settle();
    expect(g.inFlight).toBe(4);
    while (g.waiting.length > 0) {
      g.waiting.shift()!();
      await settle();
    }
    const d = await g.engine.waitForExecution(executionArn);
    expect(d.status).toBe('SUCCEEDED');
    expect(g.maxInFlight).toBe(4);
    expect(g.engine.describeMapRun(run.mapRunArn)).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 4 });
  });

  test('StopExecution of the parent aborts the children; MapRunAborted lands before ExecutionAborted', async () => {
    const g = gatedEngine();
    const { stateMachineArn } = g.engine.createStateMachine({ name: 'stopped', definition: distributedMap({}, FAILING_PROCESSOR) });
    const { executionArn } = g.engine.startExecution({ stateMachineArn, input: '[{"id":1},{"id":2}]' });
    await settle();
    g.engine.stopExecution(executionArn, 'Stop', 'by test');
    const d = await g.engine.waitForExecution(executionArn);
    expect(d.status).toBe('ABORTED');
    const events = g.engine.getExecutionHistory(executionArn);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['MapRunAborted', 'ExecutionAborted']);
    expect(events[events.length - 1].previousEventId).toBe(events[events.length - 2].id);
    const [run] = g.engine.listMapRuns(executionArn);
    expect(g.engine.describeMapRun(run.mapRunArn).status).toBe('ABORTED');
    for (const c of g.engine.listMapRunExecutions(run.mapRunArn)) expect(c.status).toBe('ABORTED');
    for (const release of g.waiting) release();
  });
});

describe('StopExecution while the ItemReader reads', () => {
  test('MapRunAborted still precedes ExecutionAborted and no child starts', async () => {
    const engine = new Engine();
    let release!: (body: unknown) => void;
    engine.registerHandler('arn:aws:states:::s3:getObject', () => new Promise((resolve) => (release = resolve)));
    const def = distributedMap({
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'b', Key: 'k' } },
    });
    const { stateMachineArn } = engine.createStateMachine({ name: 'reading', definition: def });
    const { executionArn } = engine.startExecution({ stateMachineArn, input: '{}' });
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    engine.stopExecution(executionArn);
    release({ Body: '[1,2]' });
    await engine.waitForExecution(executionArn);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    const types = engine.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['MapRunStarted', 'MapRunAborted', 'ExecutionAborted']);
    const [run] = engine.listMapRuns(executionArn);
    expect(engine.listMapRunExecutions(run.mapRunArn)).toEqual([]);
    expect(engine.describeMapRun(run.mapRunArn).status).toBe('ABORTED');
  });
});

describe('ItemReader (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html)', () => {
  const reader = (inputType: string, extra: object = {}) => ({
    Resource: 'arn:aws:states:::s3:getObject',
    ReaderConfig: { InputType: inputType, ...extra },
    Parameters: { Bucket: 'data', 'Key.$': '$.key' },
  });

  test('JSON: the object is a JSON array of items; MaxItems limits them; they are read inside the Map Run', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/items.json': '[{"n":1},{"n":2},{"n":3}]' });
    const r = await runDefinition(distributedMap({ ItemReader: reader('JSON', { MaxItems: 2 }) }), { key: 'items.json' }, { engine });
    expect(r.outputValue).toEqual([{ n: 1 }, { n: 2 }]);
    // AWS records MapStateStarted with length 0 when an ItemReader supplies the items (read after MapRunStarted).
    expect(eventsOfType(r.events, 'MapStateStarted')[0].mapStateStartedEventDetails).toEqual({ length: 0 });
  });

  test('JSONL: one item per non-empty line', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/items.jsonl': '{"n":1}\n\n"two"\n3\n' });
    const r = await runDefinition(distributedMap({ ItemReader: reader('JSONL') }), { key: 'items.jsonl' }, { engine });
    expect(r.outputValue).toEqual([{ n: 1 }, 'two', 3]);
  });

  test('CSV with the header in the first row: rows become objects of strings (quoted fields allowed)', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/t.csv': 'id,name\r\n1,"Smith, J."\r\n2,"say ""hi"""\r\n' });
    const r = await runDefinition(
      distributedMap({ ItemReader: reader('CSV', { CSVHeaderLocation: 'FIRST_ROW' }) }),
      { key: 't.csv' },
      { engine },
    );
    expect(r.outputValue).toEqual([
      { id: '1', name: 'Smith, J.' },
      { id: '2', name: 'say "hi"' },
    ]);
  });

  test('CSV with GIVEN headers and another delimiter', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/t.csv': 'a|b\nc|d\n' });
    const r = await runDefinition(
      distributedMap({ ItemReader: reader('CSV', { CSVHeaderLocation: 'GIVEN', CSVHeaders: ['x', 'y'], CSVDelimiter: 'PIPE' }) }),
      { key: 't.csv' },
      { engine },
    );
    expect(r.outputValue).toEqual([
      { x: 'a', y: 'b' },
      { x: 'c', y: 'd' },
    ]);
  });

  test('listObjectsV2: one item per object under the prefix, across pages', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/in/a': 'A', 'data/in/b': 'BB', 'data/in/c': 'CCC', 'data/other': 'x' });
    const r = await runDefinition(
      distributedMap({ ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'data', Prefix: 'in/' } } }),
      {},
      { engine },
    );
    expect(r.outputValue).toEqual([
      { Etag: '"in/a"', Key: 'in/a', LastModified: 0, Size: 1, StorageClass: 'STANDARD' },
      { Etag: '"in/b"', Key: 'in/b', LastModified: 0, Size: 2, StorageClass: 'STANDARD' },
      { Etag: '"in/c"', Key: 'in/c', LastModified: 0, Size: 3, StorageClass: 'STANDARD' },
    ]);
  });

  test('a failed read fails the Map Run with States.ItemReaderFailed naming what S3 said', async () => {
    const engine = new Engine();
    s3Store(engine);
    const r = await runDefinition(distributedMap({ ItemReader: reader('JSON') }), { key: 'missing.json' }, { engine });
    expect(r.error).toBe('States.ItemReaderFailed');
    expect(r.cause).toContain('S3.NoSuchKeyException');
    expect(r.events.slice(-4).map((e) => e.type)).toEqual(['MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
    expect(eventsOfType(r.events, 'MapRunFailed')[0].mapRunFailedEventDetails).toEqual({
      error: 'States.ItemReaderFailed',
      cause: r.cause,
    });
  });

  test('JSONata Arguments name the object', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/k.json': '[1,2]' });
    const def = {
      QueryLanguage: 'JSONata',
      ...distributedMap({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Arguments: { Bucket: 'data', Key: '{% $states.input.key %}' },
        },
      }),
    };
    const r = await runDefinition(def, { key: 'k.json' }, { engine });
    expect(r.outputValue).toEqual([1, 2]);
  });
});

describe('ItemBatcher (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html)', () => {
  test("children get {BatchInput, Items}; ListExecutions reports each child's itemCount", async () => {
    const r = await runDefinition(
      distributedMap({ ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'tag.$': '$.tag' } }, ItemsPath: '$.xs' }),
      {
        xs: [1, 2, 3, 4, 5],
        tag: 'T',
      },
    );
    expect(r.outputValue).toEqual([
      { BatchInput: { tag: 'T' }, Items: [1, 2] },
      { BatchInput: { tag: 'T' }, Items: [3, 4] },
      { BatchInput: { tag: 'T' }, Items: [5] },
    ]);
    const arn = (eventsOfType(r.events, 'MapRunStarted')[0].mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn;
    expect(
      r.engine
        .listMapRunExecutions(arn)
        .map((c) => c.itemCount)
        .sort(),
    ).toEqual([1, 2, 2]);
    expect(r.engine.describeMapRun(arn)).toMatchObject({
      itemCounts: { total: 5, succeeded: 5 },
      executionCounts: { total: 3, succeeded: 3 },
    });
  });

  test('MaxInputBytesPerBatch bounds the JSON size of a batch', async () => {
    const item = 'x'.repeat(40); // 42 bytes as JSON
    const r = await runDefinition(distributedMap({ ItemBatcher: { MaxInputBytesPerBatch: 100 } }), [item, item, item]);
    // {"Items":[...]} is 12 bytes: two items (12 + 42 + 1 + 42 = 97) fit, a third does not.
    expect((r.outputValue as { Items: unknown[] }[]).map((b) => b.Items.length)).toEqual([2, 1]);
  });

  test('a MaxItemsPerBatchPath that reads no integer fails the state as the tolerance paths do', async () => {
    const r = await runDefinition(distributedMap({ ItemBatcher: { MaxItemsPerBatchPath: '$.n' }, ItemsPath: '$.xs' }), {
      xs: [1],
      n: 'two',
    });
    expect(r.error).toBe('States.Runtime');
    expect(r.cause).toMatch(/The MaxItemsPerBatchPath field refers to value "two" which is not a valid integer: \$\.n$/);
  });
});

describe('ResultWriter (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html)', () => {
  test('results go to <Prefix>/<map run id>/SUCCEEDED_0.json and FAILED_0.json with a manifest; the state returns where', async () => {
    const engine = failingEngine();
    const store = s3Store(engine);
    const r = await runDefinition(
      distributedMap(
        {
          ToleratedFailureCount: 5,
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } },
        },
        FAILING_PROCESSOR,
      ),
      [{ id: 1 }, { id: 2, fail: true }],
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    const out = r.outputValue as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const runId = out.MapRunArn.split(':').pop();
    expect(out.ResultWriterDetails).toEqual({ Bucket: 'out', Key: `runs/${runId}/manifest.json` });
    const manifest = JSON.parse(store.get(`out/runs/${runId}/manifest.json`)!);
    const succeededBody = store.get(`out/runs/${runId}/SUCCEEDED_0.json`)!;
    expect(manifest).toEqual({
      DestinationBucket: 'out',
      MapRunArn: out.MapRunArn,
      ResultFiles: {
        FAILED: [{ Key: `runs/${runId}/FAILED_0.json`, Size: Buffer.byteLength(store.get(`out/runs/${runId}/FAILED_0.json`)!) }],
        PENDING: [],
        SUCCEEDED: [{ Key: `runs/${runId}/SUCCEEDED_0.json`, Size: Buffer.byteLength(succeededBody) }],
      },
    });
    const [succeeded] = JSON.parse(succeededBody);
    expect(succeeded).toMatchObject({ Status: 'SUCCEEDED', Input: '{"id":1}', Output: '{"done":1}', Name: expect.any(String) });
    const [failed] = JSON.parse(store.get(`out/runs/${runId}/FAILED_0.json`)!);
    expect(failed).toMatchObject({ Status: 'FAILED', Error: 'Item.Failed', Cause: 'item 2 failed' });
    expect(r.engine.describeMapRun(out.MapRunArn).itemCounts.resultsWritten).toBe(2);
  });

  test('WriterConfig alone formats the state result: FLATTEN spreads array outputs', async () => {
    const processor = {
      ...PASS_PROCESSOR,
      States: { Work: { Type: 'Pass', Parameters: { 'pair.$': 'States.Array($, $)' }, OutputPath: '$.pair', End: true } },
    };
    const r = await runDefinition(
      distributedMap({ ResultWriter: { WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSON' } } }, processor),
      [1, 2],
    );
    expect(r.outputValue).toEqual([1, 1, 2, 2]);
  });
});

describe('mock configuration applies to the children', () => {
  test("a child's Task is answered under the parent's state machine name and test case, sharing its counter", async () => {
    const mockConfig = MockConfig.fromObject({
      StateMachines: { parent: { TestCases: { Happy: { Work: 'WorkResponses' } } } },
      MockedResponses: { WorkResponses: { '0': { Return: { n: 'first' } }, '1': { Return: { n: 'second' } } } },
    });
    const r = await runDefinition(distributedMap({ MaxConcurrency: 1 }, FAILING_PROCESSOR), [{ id: 1 }, { id: 2 }], {
      mockConfig,
      testCase: 'Happy',
      name: 'parent',
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.outputValue).toEqual([{ n: 'first' }, { n: 'second' }]);
  });
});

describe('definition checks for the Distributed fields', () => {
  const rejects = (def: object, message: RegExp) => expect(() => parseDefinition(def)).toThrow(message);

  test('getObject needs ReaderConfig.InputType; GIVEN needs CSVHeaders', () => {
    rejects(
      distributedMap({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } } }),
      /InputType is required/,
    );
    rejects(
      distributedMap({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN' },
          Parameters: {},
        },
      }),
      /CSVHeaders/,
    );
  });

  test('unknown reader resources, empty ResultWriters, bad labels and batchers without limits are refused', () => {
    rejects(distributedMap({ ItemReader: { Resource: 'arn:aws:states:::s3:getObjects', Parameters: {} } }), /ItemReader Resource must be/);
    rejects(distributedMap({ ResultWriter: {} }), /ResultWriter cannot be empty/);
    rejects(distributedMap({ Label: 'has space' }), /Label must be/);
    rejects(distributedMap({ ItemBatcher: { BatchInput: {} } }), /ItemBatcher needs at least one of/);
    rejects(
      distributedMap({}, { ...PASS_PROCESSOR, ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'FAST' } }),
      /not a valid execution type/,
    );
  });
});

describe('the Map Run API over HTTP, driven by @aws-sdk/client-sfn', () => {
  test('DescribeMapRun, ListMapRuns, ListExecutions(mapRunArn), UpdateMapRun, DescribeExecution.mapRunArn', async () => {
    const engine = new Engine();
    const server = await startServer({ engine, port: 0 });
    const sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const r = await runDefinition(distributedMap({ Label: 'api', MaxConcurrency: 3 }), [1, 2], { engine });
      const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn: r.executionArn }));
      expect(mapRuns).toHaveLength(1);
      const mapRunArn = mapRuns![0].mapRunArn!;
      expect(mapRuns![0].stopDate).toBeInstanceOf(Date);
      const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
      expect(described).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 3, executionArn: r.executionArn });
      expect(described.itemCounts).toMatchObject({ succeeded: 2, total: 2 });
      const { executions } = await sfn.send(new ListExecutionsCommand({ mapRunArn }));
      expect(executions).toHaveLength(2);
      expect(executions![0]).toMatchObject({ mapRunArn, itemCount: 1, status: 'SUCCEEDED' });
      const child = await sfn.send(new DescribeExecutionCommand({ executionArn: executions![0].executionArn }));
      expect(child.mapRunArn).toBe(mapRunArn);
      // https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html: mapRunArn and label for children
      const ran = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: executions![0].executionArn }));
      expect(ran).toMatchObject({ mapRunArn, label: 'api', name: expect.stringMatching(/\/api$/) });
      await expect(sfn.send(new UpdateMapRunCommand({ mapRunArn, toleratedFailurePercentage: 101 }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await sfn.send(new UpdateMapRunCommand({ mapRunArn, toleratedFailureCount: 3 }));
      expect((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).toleratedFailureCount).toBe(3);
      await expect(sfn.send(new DescribeMapRunCommand({ mapRunArn: `${mapRunArn}x` }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
    } finally {
      sfn.destroy();
      await server.close();
    }
  });
});

describe('ItemReader failures, worded as AWS words them', () => {
  const reader = (inputType: string, extra: object = {}) => ({
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: inputType, ...extra },
      Parameters: { Bucket: 'data', Key: 'k' },
    },
  });
  test.each([
    ['JSON', {}, '{"not":"an array"}', 'Attempting to map over non-iterable node.'],
    ['CSV', { CSVHeaderLocation: 'FIRST_ROW' }, 'a,a\n1,2\n', 'CSV headers cannot contain duplicates.'],
  ])('%s', async (inputType, extra, body, cause) => {
    const engine = new Engine();
    s3Store(engine, { 'data/k': body });
    const r = await runDefinition(distributedMap(reader(inputType, extra)), {}, { engine });
    expect(r.error).toBe('States.ItemReaderFailed');
    expect(r.cause).toBe(cause);
  });

  test('a CSV row shorter than the header gets "" for the missing fields; extra fields are dropped', async () => {
    const engine = new Engine();
    s3Store(engine, { 'data/k': 'a,b\n1\n2,3,4\n' });
    const r = await runDefinition(distributedMap(reader('CSV', { CSVHeaderLocation: 'FIRST_ROW' })), {}, { engine });
    expect(r.outputValue).toEqual([
      { a: '1', b: '' },
      { a: '2', b: '3' },
    ]);
  });
});
