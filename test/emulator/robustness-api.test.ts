/**
 * The API answers bad input with AWS-shaped 400s, and the engine's records stay bounded: the real
 * Engine behind the HTTP server, driven by raw AWS JSON 1.0 requests.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { request as httpRequest } from 'http';
import { startServer, type RunningServer } from '../../emulator/api/server';
import { Engine } from '../../emulator/runtime/engine';

const ROLE = 'arn:aws:iam::123456789012:role/sfn';
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
const WAIT_FOREVER = JSON.stringify({
  StartAt: 'W',
  States: {
    W: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'f', Payload: { 'Token.$': '$$.Task.Token' } },
      End: true,
    },
  },
});

let server: RunningServer;
let engine: Engine;

beforeAll(async () => {
  engine = new Engine({ handlers: [{ matcher: 'arn:aws:states:::lambda:invoke', handler: () => ({}) }] });
  server = await startServer({ engine, port: 0 });
});
afterAll(() => server.close());

/** An AWS JSON 1.0 response body: an error carries `__type` and `message`. */
type JsonBody = { __type?: string; message?: string; [key: string]: unknown };

function call(operation: string, body: unknown): Promise<{ status: number; body: JsonBody }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${server.url}/`,
      { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${operation}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function createMachine(name: string, definition = PASS, type = 'STANDARD'): Promise<string> {
  const r = await call('CreateStateMachine', { name, definition, roleArn: ROLE, type });
  expect(r.status).toBe(200);
  return r.body.stateMachineArn as string;
}

describe('numeric members of the wrong type', () => {
  test('maxResults {"toString": 1} is a 400 SerializationException naming the field, not a 500', async () => {
    const arn = await createMachine('types-a');
    const r = await call('ListExecutions', { stateMachineArn: arn, maxResults: { toString: 1 } });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe('com.amazon.coral.service#SerializationException');
    expect(r.body.message).toBe("Expected an integer for 'maxResults', got an object");
  });

  test.each([
    ['"10"', 'a string'],
    ['1.5', 'the number 1.5'],
    ['true', 'a boolean'],
    ['[1]', 'an array'],
  ])('maxResults %s gets a type message (%s), not a range message', async (json, shown) => {
    const arn = await createMachine('types-b');
    const r = await call('ListExecutions', `{"stateMachineArn": "${arn}", "maxResults": ${json}}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(`Expected an integer for 'maxResults', got ${shown}`);
  });

  test('out of range maxResults names the bound that was crossed (0..1000)', async () => {
    const arn = await createMachine('types-c');
    const low = await call('GetExecutionHistory', { executionArn: `${arn.replace('stateMachine', 'execution')}:x`, maxResults: -1 });
    expect(low.body.message).toMatch(/at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0/);
    const high = await call('ListExecutions', { stateMachineArn: arn, maxResults: 1001 });
    expect(high.body.message).toMatch(/Member must have value less than or equal to 1000/);
  });
});

describe('payload members', () => {
  test('the input limit counts UTF-8 bytes: 100,000 three-byte characters are over 262,144 bytes', async () => {
    const arn = await createMachine('utf8');
    const input = JSON.stringify({ s: '€'.repeat(100_000) }); // about 100,000 UTF-16 units, 300,000 bytes
    const r = await call('StartExecution', { stateMachineArn: arn, input });
    expect(r.status).toBe(400);
    expect(r.body.__type).toMatch(/#ValidationException$/);
    expect(r.body.message).toMatch(/at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144/);
    const fits = await call('StartExecution', { stateMachineArn: arn, input: JSON.stringify({ s: '€'.repeat(80_000) }) });
    expect(fits.status).toBe(200);
  });

  test('TestState with an input nested 5,000 deep is a 400 naming the field and the rule', async () => {
    const input = '['.repeat(5000) + ']'.repeat(5000);
    const r = await call('TestState', { definition: JSON.stringify({ Type: 'Pass', End: true }), roleArn: ROLE, input });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(
      /at 'input' failed to satisfy constraint: Member must not nest objects and arrays deeper than 1000 levels/,
    );
  });

  test('StartExecution with an input nested 5,000 deep is a 400 too', async () => {
    const arn = await createMachine('deep-input');
    const r = await call('StartExecution', { stateMachineArn: arn, input: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/deeper than 1000 levels/);
  });
});

/** https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html (the name rules) */
describe('execution names', () => {
  test('the same name and input while the first still runs returns the original execution', async () => {
    const arn = await createMachine('idem', WAIT_FOREVER);
    const first = await call('StartExecution', { stateMachineArn: arn, name: 'once', input: '{"a":1}' });
    expect(first.status).toBe(200);
    const again = await call('StartExecution', { stateMachineArn: arn, name: 'once', input: '{"a":1}' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const listed = await call('ListExecutions', { stateMachineArn: arn });
    expect(listed.body.executions).toHaveLength(1);
  });

  test('the same name with another input is ExecutionAlreadyExists', async () => {
    const arn = await createMachine('idem-b', WAIT_FOREVER);
    await call('StartExecution', { stateMachineArn: arn, name: 'once', input: '{"a":1}' });
    const other = await call('StartExecution', { stateMachineArn: arn, name: 'once', input: '{"a":2}' });
    expect(other.status).toBe(400);
    expect(other.body.__type).toMatch(/#ExecutionAlreadyExists$/);
  });

  test('the same name and input after the first closed is ExecutionAlreadyExists', async () => {
    const arn = await createMachine('idem-c');
    const first = await call('StartExecution', { stateMachineArn: arn, name: 'once', input: '{}' });
    await engine.waitForExecution(first.body.executionArn as string);
    const again = await call('StartExecution', { stateMachineArn: arn, name: 'once', input: '{}' });
    expect(again.body.__type).toMatch(/#ExecutionAlreadyExists$/);
  });

  test('EXPRESS executions may share a name (https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html)', async () => {
    const arn = await createMachine('express-names', PASS, 'EXPRESS');
    const a = await call('StartSyncExecution', { stateMachineArn: arn, name: 'same' });
    const b = await call('StartSyncExecution', { stateMachineArn: arn, name: 'same' });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.status).toBe('SUCCEEDED');
    expect(a.body.name).toBe('same');
    expect(a.body.executionArn).not.toBe(b.body.executionArn);
  });
});

describe('ListExecutions over HTTP pages from the engine index', () => {
  test('newest first, nextToken to the end, a token of another listing is InvalidToken', async () => {
    const arn = await createMachine('paged-http');
    for (let i = 0; i < 150; i++) {
      const s = await call('StartExecution', { stateMachineArn: arn, name: `n${i}` });
      await engine.waitForExecution(s.body.executionArn as string);
    }
    const first = await call('ListExecutions', { stateMachineArn: arn, maxResults: 100 });
    const firstPage = first.body.executions as { name: string }[];
    expect(firstPage).toHaveLength(100);
    expect(firstPage[0].name).toBe('n149');
    const second = await call('ListExecutions', { stateMachineArn: arn, maxResults: 100, nextToken: first.body.nextToken });
    expect((second.body.executions as { name: string }[]).map((e) => e.name)).toEqual(Array.from({ length: 50 }, (_, i) => `n${49 - i}`));
    expect(second.body.nextToken).toBeUndefined();
    const filtered = await call('ListExecutions', { stateMachineArn: arn, statusFilter: 'SUCCEEDED', nextToken: first.body.nextToken });
    expect(filtered.status).toBe(400);
    expect(filtered.body.__type).toMatch(/#InvalidToken$/);
  });
});
