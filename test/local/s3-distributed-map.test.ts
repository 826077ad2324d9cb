/**
 * A Distributed Map on the engine reading and writing the local S3 through the pass-through: the
 * ItemReader's `s3:getObject` and `s3:listObjectsV2` and the ResultWriter's `s3:putObject` go over
 * S3's REST protocol to LocalS3, on the one time line both share.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Engine } from '../../emulator/runtime/engine';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalS3 } from '../../local/s3';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
let s3: LocalS3;
let client: S3Client;
let engine: Engine;

beforeAll(async () => {
  const timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
  s3 = new LocalS3({ timeline });
  const endpoint = await s3.listen();
  client = new S3Client({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, forcePathStyle: true });
  engine = new Engine({ timeline, passThrough: { endpoints: { s3: endpoint }, credentials: CREDENTIALS } });
  await client.send(new CreateBucketCommand({ Bucket: 'items' }));
  await client.send(new PutObjectCommand({ Bucket: 'items', Key: 'list.json', Body: '[{"n":1},{"n":2},{"n":3}]' }));
  for (const key of ['in/a.txt', 'in/b.txt', 'other/c.txt'])
    await client.send(new PutObjectCommand({ Bucket: 'items', Key: key, Body: key }));
});

afterAll(async () => {
  engine.close();
  client.destroy();
  await s3.close();
});

const PROCESSOR = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'Echo',
  States: { Echo: { Type: 'Pass', End: true } },
};

async function run(map: object, input: unknown = {}) {
  const { stateMachineArn } = engine.createStateMachine({
    name: `m-${Math.random().toString(36).slice(2)}`,
    definition: { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: PROCESSOR, End: true, ...map } } },
  });
  const { executionArn } = engine.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  return engine.waitForExecution(executionArn);
}

test('ItemReader s3:getObject reads a JSON array of items from the local S3', async () => {
  const r = await run({
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: 'items', Key: 'list.json' },
    },
  });
  expect(r.status).toBe('SUCCEEDED');
  expect(JSON.parse(r.output!)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
});

test('ItemReader s3:listObjectsV2 lists the objects under a prefix, one item per object', async () => {
  const r = await run({
    ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'items', Prefix: 'in/' } },
    ItemSelector: { 'key.$': '$$.Map.Item.Value.Key' },
  });
  expect(r.status).toBe('SUCCEEDED');
  expect(JSON.parse(r.output!)).toEqual([{ key: 'in/a.txt' }, { key: 'in/b.txt' }]);
});

test('ResultWriter s3:putObject leaves the manifest and the results in the local S3', async () => {
  const r = await run({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'items', Prefix: 'results' } } }, [
    { v: 7 },
  ]);
  expect(r.status).toBe('SUCCEEDED');
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'items', Prefix: 'results/' }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  expect(keys.some((k) => k.endsWith('/manifest.json'))).toBe(true);
  const succeeded = keys.find((k) => k.endsWith('/SUCCEEDED_0.json'));
  expect(succeeded).toBeDefined();
  const body = await (await client.send(new GetObjectCommand({ Bucket: 'items', Key: succeeded }))).Body!.transformToString();
  expect(JSON.parse(body)[0].Output).toBe('{"v":7}');
});
