/** `run --endpoint-url`: the CLI's Tasks go through the pass-through to a local endpoint (dynalite). */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCommand } from '../../emulator/cli';
import { createTable, startDynalite, type LocalServer } from './passthrough-helpers';

let dynamo: LocalServer;
let file: string;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  dynamo = await startDynalite();
  await createTable(dynamo.endpoint, 'cli');
  file = join(mkdtempSync(join(tmpdir(), 'pt-cli-')), 'put-get.asl.json');
  writeFileSync(
    file,
    JSON.stringify({
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 'cli', Item: { pk: { S: 'a' }, n: { N: '1' } } },
          ResultPath: null,
          Next: 'Get',
        },
        Get: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
          Parameters: { TableName: 'cli', Key: { pk: { S: 'a' } } },
          OutputPath: '$.Item',
          End: true,
        },
      },
    }),
  );
  // The CLI reads credentials the standard way; for a local endpoint any will do.
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
});

afterAll(async () => {
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  else process.env.AWS_ACCESS_KEY_ID = saved.id;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  await dynamo.close();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

test('run --endpoint-url calls the service there', async () => {
  const c = capture();
  const code = await runCommand(['run', file, '--endpoint-url', dynamo.endpoint], c.io);
  expect(c.err).toEqual([]);
  expect(code).toBe(0);
  expect(c.out).toContain('output: {"pk":{"S":"a"},"n":{"N":"1"}}');
});

test('without an endpoint the run fails saying how to configure one', async () => {
  const c = capture();
  const code = await runCommand(['run', file], c.io);
  expect(code).toBe(1);
  expect(c.out.join('\n')).toContain('AWS_ENDPOINT_URL_DYNAMODB');
});

test('--endpoint-url must be a URL', async () => {
  const c = capture();
  const code = await runCommand(['run', file, '--endpoint-url', 'localhost:8000'], c.io);
  expect(code).toBe(2);
  expect(c.err.join('\n')).toContain('--endpoint-url must be an http(s) URL');
});
