// The Step Functions API over AWS JSON 1.0, driven by an unmodified @aws-sdk/client-sfn, against the
// real Engine (a mock configuration answers the one Task that must fail; a handler the one that waits for a token).
// API reference: https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
import { request as httpRequest } from 'http';
import {
  SFNClient,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  GetExecutionHistoryCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
  DeleteStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  DescribeStateMachineForExecutionCommand,
  SendTaskSuccessCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startServer, type RunningServer } from '../../emulator/api/server';
import { Engine } from '../../emulator/runtime/engine';
import { MockConfig } from '../../emulator/runtime/mock-config';

const ROLE = 'arn:aws:iam::123456789012:role/sfn';
const DEFINITION = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
const TASK_DEFINITION = JSON.stringify({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
});
const TOKEN_RESOURCE = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const WAITING_DEFINITION = JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: TOKEN_RESOURCE, End: true } } });
const MOCKS = MockConfig.fromObject({
  StateMachines: { 'tc-sm': { TestCases: { HappyPath: { T: 'Boom' } } } },
  MockedResponses: { Boom: { '0': { Throw: { Error: 'Boom', Cause: 'test case HappyPath' } } } },
});

let server: RunningServer;
let engine: Engine;
let sfn: SFNClient;

beforeAll(async () => {
  // The token task's message is "sent" by a handler; the task then waits for SendTaskSuccess/Failure.
  engine = new Engine({ mockConfig: MOCKS, handlers: [{ matcher: TOKEN_RESOURCE, handler: () => ({}) }] });
  server = await startServer({ engine, port: 0 });
  sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
});
afterAll(async () => {
  sfn.destroy();
  await server.close();
});

/** An AWS JSON 1.0 response body: an error carries `__type` and `message`. */
type JsonBody = { __type?: string; message?: string; [key: string]: unknown };

/** Sends a raw request and returns status, headers and parsed body. */
function raw(
  body: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; headers: Record<string, unknown>; body: JsonBody }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/`, { method, headers: { 'content-type': 'application/x-amz-json-1.0', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function sdkError(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

test('the server listens on loopback by default and reports its http URL, port 0 picking a free port', () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(Number(new URL(server.url).port)).toBeGreaterThan(0);
});

test('state machine lifecycle: create, describe, list, update, delete', async () => {
  const created = await sfn.send(new CreateStateMachineCommand({ name: 'life', definition: DEFINITION, roleArn: ROLE }));
  expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:life');
  expect(created.creationDate).toBeInstanceOf(Date); // the SDK parsed epoch seconds

  const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
  expect(described).toMatchObject({ name: 'life', definition: DEFINITION, roleArn: ROLE, type: 'STANDARD', status: 'ACTIVE' });

  const list = await sfn.send(new ListStateMachinesCommand({}));
  expect(list.stateMachines?.map((s) => s.name)).toContain('life');

  const updated = await sfn.send(
    new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, roleArn: 'arn:aws:iam::123456789012:role/other' }),
  );
  expect(updated.updateDate).toBeInstanceOf(Date);
  expect(engine.describeStateMachine(created.stateMachineArn!).roleArn).toBe('arn:aws:iam::123456789012:role/other');

  await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
  const gone = await sdkError(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn })));
  expect(gone).toMatchObject({ name: 'StateMachineDoesNotExist', status: 400 });
  expect(gone.message).toContain(created.stateMachineArn);
});

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html: idempotent for the
// same name and configuration; the same name with another definition is StateMachineAlreadyExists.
test('CreateStateMachine again: the same ARN for the same definition, StateMachineAlreadyExists for another', async () => {
  const first = await sfn.send(new CreateStateMachineCommand({ name: 'dup', definition: DEFINITION, roleArn: ROLE }));
  const again = await sfn.send(new CreateStateMachineCommand({ name: 'dup', definition: DEFINITION, roleArn: ROLE }));
  expect(again.stateMachineArn).toBe(first.stateMachineArn);
  const other = JSON.stringify({ StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } });
  expect((await sdkError(sfn.send(new CreateStateMachineCommand({ name: 'dup', definition: other, roleArn: ROLE })))).name).toBe(
    'StateMachineAlreadyExists',
  );
});

test('names with forbidden characters are InvalidName', async () => {
  const e = await sdkError(sfn.send(new CreateStateMachineCommand({ name: 'has space', definition: DEFINITION, roleArn: ROLE })));
  expect(e).toMatchObject({ name: 'InvalidName', message: "Invalid Name: 'has space'" });
  expect(
    (await sdkError(sfn.send(new CreateStateMachineCommand({ name: 'x'.repeat(81), definition: DEFINITION, roleArn: ROLE })))).name,
  ).toBe('InvalidName');
});

test('malformed ARNs are InvalidArn, including the wrong resource type', async () => {
  expect((await sdkError(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })))).name).toBe('InvalidArn');
  const wrongType = await sdkError(
    sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' })),
  );
  expect(wrongType).toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Resource type not valid in this context: stateMachine'" });
  expect((await sdkError(sfn.send(new CreateStateMachineCommand({ name: 'r', definition: DEFINITION, roleArn: 'role' })))).name).toBe(
    'InvalidArn',
  );
});

test('ValidateStateMachineDefinition returns OK or FAIL with diagnostics', async () => {
  expect(await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: DEFINITION }))).toMatchObject({
    result: 'OK',
    diagnostics: [],
  });
  const bad = JSON.stringify({ StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } });
  const result = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: bad }));
  expect(result.result).toBe('FAIL');
  expect(result.diagnostics?.[0]).toMatchObject({ severity: 'ERROR' });
  expect(result.diagnostics?.[0].code).toBeTruthy();
});

describe('executions', () => {
  let smArn: string;
  let testCaseArn: string;
  let waitingArn: string;
  let expressArn: string;
  const create = async (name: string, definition: string, type: 'STANDARD' | 'EXPRESS' = 'STANDARD') =>
    (await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE, type }))).stateMachineArn!;
  beforeAll(async () => {
    smArn = await create('exec-sm', DEFINITION);
    testCaseArn = await create('tc-sm', TASK_DEFINITION);
    waitingArn = await create('waiting-sm', WAITING_DEFINITION);
    expressArn = await create('express-sm', DEFINITION, 'EXPRESS');
  });

  test('StartExecution and DescribeExecution round-trip input/output as JSON strings', async () => {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'one', input: '{"a":1}' }));
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:exec-sm:one');
    expect(started.startDate).toBeInstanceOf(Date);
    await engine.waitForExecution(started.executionArn!);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(d).toMatchObject({ status: 'SUCCEEDED', input: '{"a":1}', output: '{"a":1}', name: 'one', stateMachineArn: smArn });
    expect(d.stopDate?.getTime()).toBe(d.startDate?.getTime());
  });

  test('the #TestCase suffix is passed to the engine and the name must be unique', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${testCaseArn}#HappyPath`, name: 'fail-tc' }));
    expect(executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:tc-sm:fail-tc');
    await engine.waitForExecution(executionArn!);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(d).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'test case HappyPath' });
    expect((await sdkError(sfn.send(new StartExecutionCommand({ stateMachineArn: testCaseArn, name: 'fail-tc' })))).name).toBe(
      'ExecutionAlreadyExists',
    );
  });

  test('input that is not JSON is InvalidExecutionInput', async () => {
    const e = await sdkError(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, input: '{nope' })));
    expect(e.name).toBe('InvalidExecutionInput');
    expect(e.message).toMatch(/^Invalid State Machine Execution Input: /);
  });

  test('input over 256 KiB is a ValidationException', async () => {
    const e = await sdkError(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, input: JSON.stringify('x'.repeat(262_144)) })));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toMatch(/at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144/);
  });

  test('starting an execution of a missing state machine is StateMachineDoesNotExist', async () => {
    expect((await sdkError(sfn.send(new StartExecutionCommand({ stateMachineArn: `${smArn}-missing` })))).name).toBe(
      'StateMachineDoesNotExist',
    );
  });

  test('describing a missing execution is ExecutionDoesNotExist', async () => {
    expect(
      (
        await sdkError(
          sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:exec-sm:nope' })),
        )
      ).name,
    ).toBe('ExecutionDoesNotExist');
  });

  test('StopExecution aborts with error and cause', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: waitingArn, name: 'running-1' }));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn, error: 'E', cause: 'C' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'ABORTED', error: 'E', cause: 'C' });
  });

  test('StartSyncExecution returns the finished execution with billing details', async () => {
    // The SDK prefixes the host with "sync-" for this operation; against a local endpoint turn that off.
    const syncClient = new SFNClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      disableHostPrefix: true,
    });
    const r = await syncClient.send(new StartSyncExecutionCommand({ stateMachineArn: expressArn, name: 'sync-1', input: '{"s":true}' }));
    syncClient.destroy();
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: '{"s":true}', billingDetails: { billedMemoryUsedInMB: 64 } });
  });

  test('DescribeStateMachineForExecution returns the definition the execution ran', async () => {
    const r = await sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:exec-sm:one' }),
    );
    expect(r).toMatchObject({ stateMachineArn: smArn, definition: DEFINITION, roleArn: ROLE });
  });

  test('ListExecutions filters by status and pages with nextToken, newest first', async () => {
    for (let i = 0; i < 5; i++) {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: `page-${i}` }));
      await engine.waitForExecution(executionArn!);
    }
    const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: testCaseArn, statusFilter: 'FAILED' }));
    expect(failed.executions?.map((e) => e.name)).toEqual(['fail-tc']);

    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const p = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, statusFilter: 'SUCCEEDED', maxResults: 2, nextToken }));
      names.push(...p.executions!.map((e) => e.name!));
      nextToken = p.nextToken;
      pages++;
    } while (nextToken);
    expect(names.slice(0, 5)).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect(pages).toBe(Math.ceil(names.length / 2));
  });

  test('a forged nextToken is InvalidToken; a bad statusFilter is a ValidationException', async () => {
    expect((await sdkError(sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, nextToken: 'Zm9yZ2Vk' })))).name).toBe(
      'InvalidToken',
    );
    expect((await sdkError(sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, statusFilter: 'DONE' as never })))).name).toBe(
      'ValidationException',
    );
  });

  test('GetExecutionHistory pages, reverses, and omits data when includeExecutionData is false', async () => {
    const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:exec-sm:one';
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
    expect(first.events?.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(first.events?.[0].timestamp).toBeInstanceOf(Date);
    expect(first.events?.[0].executionStartedEventDetails?.input).toBe('{"a":1}');
    const second = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, nextToken: first.nextToken }));
    expect(second.events?.map((e) => e.id)).toEqual([4]);
    expect(second.nextToken).toBeUndefined();

    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(reversed.events?.map((e) => e.id)).toEqual([4, 3, 2, 1]);

    const noData = await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    expect(noData.events?.[0].executionStartedEventDetails).toEqual({ inputDetails: { truncated: false }, roleArn: ROLE });
    expect(noData.events?.[3].executionSucceededEventDetails?.output).toBeUndefined();
  });

  test('a paging token of one execution is refused for another', async () => {
    const first = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:exec-sm:one', maxResults: 1 }),
    );
    const e = await sdkError(
      sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:exec-sm:page-0',
          nextToken: first.nextToken,
        }),
      ),
    );
    expect(e.name).toBe('InvalidToken');
  });
});

test('SendTaskSuccess with an unknown token is TaskDoesNotExist; with non-JSON output InvalidOutput', async () => {
  expect((await sdkError(sfn.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' })))).name).toBe('TaskDoesNotExist');
  expect((await sdkError(sfn.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{' })))).name).toBe('InvalidOutput');
});

describe('protocol errors never take the server down', () => {
  test('malformed JSON is a SerializationException (400, AWS error shape)', async () => {
    const r = await raw('{not json', { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe('com.amazon.coral.service#SerializationException');
    expect(typeof r.body.message).toBe('string');
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.0');
  });

  test('a body that is JSON but not an object is a SerializationException', async () => {
    const r = await raw('[1]', { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' });
    expect(r.body.__type).toMatch(/#SerializationException$/);
  });

  test('an unknown operation, or none, is UnknownOperationException', async () => {
    const r = await raw('{}', { 'x-amz-target': 'AWSStepFunctions.FlyToTheMoon' });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe('com.amazon.coral.service#UnknownOperationException');
    expect((await raw('{}')).body.__type).toMatch(/#UnknownOperationException$/);
    expect((await raw('{}', { 'x-amz-target': 'AWSStepFunctions.toString' })).body.__type).toMatch(/#UnknownOperationException$/);
    expect((await raw('', { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, 'GET')).body.__type).toMatch(
      /#UnknownOperationException$/,
    );
  });

  test('modelled errors carry the Step Functions namespace and x-amzn-ErrorType', async () => {
    const r = await raw('{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:zzz"}', {
      'x-amz-target': 'AWSStepFunctions.DescribeStateMachine',
    });
    expect(r.body).toEqual({
      __type: 'com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist',
      message: "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:zzz'",
    });
    expect(r.headers['x-amzn-errortype']).toBe('StateMachineDoesNotExist');
  });

  test('a missing required member is a ValidationException naming it', async () => {
    const r = await raw('{}', { 'x-amz-target': 'AWSStepFunctions.DescribeExecution' });
    expect(r.body.__type).toMatch(/#ValidationException$/);
    expect(r.body.message).toBe(
      "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
    );
  });

  test('an oversized body is refused with 413 and the server keeps serving', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const r = await raw(big, { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }).catch((e) => ({
      status: -1,
      body: { message: String(e) } as JsonBody,
      headers: {},
    }));
    if (r.status !== -1) {
      expect(r.status).toBe(413);
      expect(r.body.__type).toMatch(/#RequestEntityTooLargeException$/);
    }
    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(Array.isArray(list.stateMachines)).toBe(true);
  });

  test('an engine failure that is not an AWS error is a 500 InternalFailure', async () => {
    const original = engine.listStateMachines;
    engine.listStateMachines = () => {
      throw new TypeError('kaboom');
    };
    try {
      const r = await raw('{}', { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' });
      expect(r.status).toBe(500);
      expect(r.body.__type).toMatch(/#InternalFailure$/);
    } finally {
      engine.listStateMachines = original;
    }
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines).toBeDefined();
  });
});
