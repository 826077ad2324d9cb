/**
 * A Distributed Map's ItemReader and ResultWriter reach S3 through the execution's resolution chain:
 * with no mock and no handler, the pass-through calls S3 (GetObject, PutObject) through
 * `@aws-sdk/client-s3`, here against a loopback responder speaking S3's REST protocol.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
import { Engine } from '../../emulator/runtime/engine';
import { runDefinition } from './engine-helpers';
import { LOCAL_CREDENTIALS, startResponder, type ResponderReply } from './passthrough-helpers';

type Responder = Awaited<ReturnType<typeof startResponder>>;
let s3: Responder;
let engine: Engine;
const objects = new Map<string, string>([['/data/items.json', '[{"n":1},{"n":2},{"n":3}]']]);

beforeAll(async () => {
  s3 = await startResponder((req): ResponderReply => {
    const path = req.url.split('?')[0];
    if (req.method === 'PUT') {
      objects.set(path, req.body);
      return { headers: { etag: '"put"' }, body: '' };
    }
    const body = objects.get(path);
    if (body === undefined) {
      return {
        status: 404,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      };
    }
    return { headers: { 'content-type': 'application/json', etag: '"get"' }, body };
  });
  engine = new Engine({ passThrough: { endpoints: { s3: s3.endpoint }, credentials: LOCAL_CREDENTIALS } });
});

afterAll(async () => {
  engine.close();
  await s3.close();
});

const double = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'Double',
  States: { Double: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } },
};

/** A Distributed Map whose items are the JSON object `data/<key>` of the S3 endpoint. */
const mapReadingJson = (key: string) => ({
  StartAt: 'M',
  States: {
    M: {
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: 'data', Key: key },
      },
      ItemProcessor: double,
      End: true,
    },
  },
});

test('ItemReader s3:getObject reads the items from the S3 endpoint', async () => {
  const r = await runDefinition(mapReadingJson('items.json'), {}, { engine });
  expect(r.status).toBe('SUCCEEDED');
  expect(r.outputValue).toEqual([{ twice: 2 }, { twice: 4 }, { twice: 6 }]);
  expect(s3.requests.some((q) => q.method === 'GET' && q.url.startsWith('/data/items.json'))).toBe(true);
});

test('a missing object fails the reader with States.ItemReaderFailed naming S3 error', async () => {
  const r = await runDefinition(mapReadingJson('missing.json'), {}, { engine });
  expect(r.status).toBe('FAILED');
  expect(r.error).toBe('States.ItemReaderFailed');
  expect(r.cause).toContain('NoSuchKey');
});

test('ResultWriter s3:putObject writes the results and the manifest to the S3 endpoint', async () => {
  const r = await runDefinition(
    {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: double,
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } },
          End: true,
        },
      },
    },
    [{ n: 5 }],
    { engine },
  );
  expect(r.status).toBe('SUCCEEDED');
  const puts = s3.requests.filter((q) => q.method === 'PUT').map((q) => q.url.split('?')[0]);
  expect(puts.some((u) => /^\/out\/runs\/.+\/manifest\.json$/.test(u))).toBe(true);
  const succeeded = puts.find((u) => /^\/out\/runs\/.+\/SUCCEEDED_0\.json$/.test(u));
  expect(succeeded).toBeDefined();
  expect(JSON.parse(objects.get(succeeded!)!)[0].Output).toBe('{"twice":10}');
});
