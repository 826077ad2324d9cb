/**
 * The pass-through for services without a local package yet: small loopback responders speaking each
 * service's wire protocol, so that the real `@aws-sdk/client-*` serializes and parses as against AWS.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { createHash } from 'crypto';
import { Engine } from '../../emulator/runtime/engine';
import { eventsOfType, runDefinition } from './engine-helpers';
import { json, LOCAL_CREDENTIALS, startResponder, xml, type ResponderReply, type ResponderRequest } from './passthrough-helpers';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
type Responder = Awaited<ReturnType<typeof startResponder>>;
const servers: Responder[] = [];
let cfn: Responder, events: Responder, sns: Responder, sqs: Responder, lambda: Responder, sts: Responder, s3: Responder;
let engine: Engine;

const CFN_NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const queryError = (code: string, message: string, status = 400) =>
  xml(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>rid-err</RequestId></ErrorResponse>`,
    status,
  );

function cloudFormation(req: ResponderRequest) {
  const p = req.params as Record<string, string>;
  switch (p.Action) {
    case 'CreateStack':
      if (p.StackName === 'taken') return queryError('AlreadyExistsException', 'Stack [taken] already exists');
      return xml(
        `<CreateStackResponse xmlns="${CFN_NS}"><CreateStackResult><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${p.StackName}/1</StackId></CreateStackResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></CreateStackResponse>`,
      );
    case 'UpdateStack':
      return queryError('ValidationError', 'No updates are to be performed.');
    case 'DescribeStacks':
      return xml(
        `<DescribeStacksResponse xmlns="${CFN_NS}"><DescribeStacksResult><Stacks><member><StackName>${p.StackName}</StackName><StackId>id-1</StackId><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2030-01-02T03:04:05.678Z</CreationTime></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    default:
      return queryError('InvalidAction', `no ${p.Action}`);
  }
}

beforeAll(async () => {
  cfn = await startResponder(cloudFormation);
  events = await startResponder((req) => {
    const entries = (req.params.Entries as { Source?: string; Detail?: string }[]) ?? [];
    const results = entries.map((e, i) =>
      e.Source
        ? { EventId: `event-${i}` }
        : { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
    );
    return json({ Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length });
  });
  sns = await startResponder((req) =>
    String(req.params.TopicArn).endsWith(':missing')
      ? queryError('NotFound', 'Topic does not exist', 404)
      : xml(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-1</MessageId></PublishResult><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></PublishResponse>`,
        ),
  );
  sqs = await startResponder((req) =>
    req.params.MessageBody === undefined
      ? json(
          { __type: 'com.amazonaws.sqs#MissingParameter', message: 'The request must contain the parameter MessageBody.' },
          400,
          'application/x-amz-json-1.0',
        )
      : json({ MD5OfMessageBody: md5(String(req.params.MessageBody)), MessageId: 'sqs-1' }, 200, 'application/x-amz-json-1.0'),
  );
  lambda = await startResponder((req): ResponderReply => {
    const payload = req.body === '' ? null : JSON.parse(req.body);
    if (req.url.includes('/functions/failing/')) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
        body: JSON.stringify({ errorType: 'TenantError', errorMessage: 'tenant exploded' }),
      };
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' },
      body: JSON.stringify({ echo: payload }),
    };
  });
  sts = await startResponder(() =>
    xml(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ROLEKEY</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>roletoken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/Deployer/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r4</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    ),
  );
  s3 = await startResponder(() => ({
    status: 200,
    headers: { 'content-type': 'text/plain', etag: '"abc"', 'last-modified': 'Wed, 02 Jan 2030 03:04:05 GMT', 'content-length': '11' },
    body: 'hello world',
  }));
  servers.push(cfn, events, sns, sqs, lambda, sts, s3);
  engine = new Engine({
    passThrough: {
      endpoints: {
        cloudformation: cfn.endpoint,
        eventbridge: events.endpoint,
        sns: sns.endpoint,
        sqs: sqs.endpoint,
        lambda: lambda.endpoint,
        sts: sts.endpoint,
        s3: s3.endpoint,
      },
      credentials: LOCAL_CREDENTIALS,
    },
  });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const one = (resource: string, parameters: unknown, extra: object = {}) =>
  runDefinition(
    {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: `arn:aws:states:::${resource}`, Parameters: parameters, End: true, ...extra } },
    },
    {},
    { engine },
  );

describe('aws-sdk CloudFormation', () => {
  test('a modelled error is CloudFormation.AlreadyExistsException', async () => {
    const r = await one('aws-sdk:cloudformation:createStack', { StackName: 'taken', TemplateBody: '{}' });
    expect(r.error).toBe('CloudFormation.AlreadyExistsException');
    expect(r.cause).toMatch(
      /^Stack \[taken\] already exists \(Service: CloudFormation, Status Code: 400, Request ID: req-\d+\) \(SDK Attempt Count: 1\)$/,
    );
  });

  test('an unmodelled code (ValidationError) is CloudFormation.CloudFormationException with the message in Cause', async () => {
    const r = await one('aws-sdk:cloudformation:updateStack', { StackName: 'tenant-a', TemplateBody: '{}' });
    expect(r.error).toBe('CloudFormation.CloudFormationException');
    expect(r.cause).toMatch(
      /^No updates are to be performed\. \(Service: CloudFormation, Status Code: 400, Request ID: req-\d+\) \(SDK Attempt Count: 1\)$/,
    );
  });

  test('the answer is the SDK response without $metadata, timestamps as ISO-8601 text', async () => {
    const r = await one('aws-sdk:cloudformation:describeStacks', { StackName: 'tenant-a' });
    expect(r.outputValue).toEqual({
      Stacks: [{ StackName: 'tenant-a', StackId: 'id-1', StackStatus: 'CREATE_COMPLETE', CreationTime: '2030-01-02T03:04:05.678Z' }],
    });
    const request = cfn.requests[cfn.requests.length - 1];
    expect(request.params).toMatchObject({ Action: 'DescribeStacks', StackName: 'tenant-a' });
  });

  test('Task Credentials {RoleArn}: the role is assumed through STS first and its credentials sign the call', async () => {
    const before = sts.requests.length;
    const run = () =>
      one(
        'aws-sdk:cloudformation:describeStacks',
        { StackName: 'cross' },
        { Credentials: { RoleArn: 'arn:aws:iam::210987654321:role/Deployer' } },
      );
    expect((await run()).status).toBe('SUCCEEDED');
    expect((await run()).status).toBe('SUCCEEDED');
    // Assumed once, then cached per role.
    expect(sts.requests.length - before).toBe(1);
    expect(sts.requests[before].params).toMatchObject({ Action: 'AssumeRole', RoleArn: 'arn:aws:iam::210987654321:role/Deployer' });
    const signed = cfn.requests[cfn.requests.length - 1];
    expect(String(signed.headers.authorization)).toContain('Credential=ROLEKEY/');
    expect(signed.headers['x-amz-security-token']).toBe('roletoken');
  });

  test('Credentials {"RoleArn.$": path} is evaluated against the state input like Parameters', async () => {
    const before = sts.requests.length;
    const r = await runDefinition(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:cloudformation:describeStacks',
            Parameters: { StackName: 'cross' },
            Credentials: { 'RoleArn.$': '$.role' },
            End: true,
          },
        },
      },
      { role: 'arn:aws:iam::210987654321:role/Auditor' },
      { engine },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(sts.requests.slice(before).map((q) => q.params.RoleArn)).toEqual(['arn:aws:iam::210987654321:role/Auditor']);
  });
});

describe('aws-sdk SFN (a camelCase service model)', () => {
  test('PascalCase Parameters reach the service in the model’s camelCase; the answer comes back PascalCase', async () => {
    const sfn = await startResponder(() =>
      json({ executionArn: 'arn:x', status: 'SUCCEEDED', startDate: 1893553445.5, input: '{}' }, 200, 'application/x-amz-json-1.0'),
    );
    try {
      const e = new Engine({ passThrough: { endpoints: { sfn: sfn.endpoint }, credentials: LOCAL_CREDENTIALS } });
      const r = await runDefinition(
        {
          StartAt: 'D',
          States: {
            D: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:sfn:describeExecution',
              Parameters: { ExecutionArn: 'arn:x' },
              End: true,
            },
          },
        },
        {},
        { engine: e },
      );
      expect(sfn.requests[0].params).toEqual({ executionArn: 'arn:x' });
      expect(r.outputValue).toEqual({ ExecutionArn: 'arn:x', Status: 'SUCCEEDED', StartDate: '2030-01-02T03:04:05.500Z', Input: '{}' });
    } finally {
      await sfn.close();
    }
  });
});

describe('aws-sdk S3', () => {
  test('getObject: Body as its text, LastModified as ISO-8601', async () => {
    const r = await one('aws-sdk:s3:getObject', { Bucket: 'templates', Key: 'tenant.json' });
    const out = r.outputValue as Record<string, unknown>;
    expect(out.Body).toBe('hello world');
    expect(out.LastModified).toBe('2030-01-02T03:04:05.000Z');
    expect(out.ETag).toBe('"abc"');
    expect(s3.requests[s3.requests.length - 1].url).toMatch(/^\/templates\/tenant\.json(\?|$)/);
  });
});

describe('optimized integrations', () => {
  test('events:putEvents sends Detail objects as JSON text and answers Entries/FailedEntryCount', async () => {
    const r = await one('events:putEvents', { Entries: [{ Source: 'tenants', DetailType: 'TenantCreated', Detail: { id: 't1' } }] });
    expect(r.outputValue).toEqual({ Entries: [{ EventId: 'event-0' }], FailedEntryCount: 0 });
    const sent = events.requests[events.requests.length - 1];
    expect(sent.operation).toBe('PutEvents');
    expect((sent.params.Entries as { Detail: string }[])[0].Detail).toBe('{"id":"t1"}');
  });

  test('events:putEvents with FailedEntryCount > 0 fails with EventBridge.FailedEntry, the response as Cause', async () => {
    const r = await one('events:putEvents', {
      Entries: [
        { Source: 'ok', DetailType: 'x', Detail: {} },
        { DetailType: 'x', Detail: {} },
      ],
    });
    expect(r.error).toBe('EventBridge.FailedEntry');
    expect(JSON.parse(r.cause!)).toEqual({
      Entries: [
        { EventId: 'event-0' },
        { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      ],
      FailedEntryCount: 1,
    });
  });

  test('sns:publish answers MessageId with the response metadata; a missing topic is SNS.NotFoundException', async () => {
    const ok = await one('sns:publish', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:tenants', Message: { hello: 'world' } });
    expect(ok.outputValue).toMatchObject({ MessageId: 'msg-1', SdkResponseMetadata: { RequestId: expect.stringMatching(/^req-\d+$/) } });
    expect(sns.requests[sns.requests.length - 1].params.Message).toBe('{"hello":"world"}');
    const missing = await one('sns:publish', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:missing', Message: 'x' });
    expect(missing.error).toBe('SNS.NotFoundException');
    expect(missing.cause).toMatch(
      /^Topic does not exist \(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: req-\d+; Proxy: null\)$/,
    );
  });

  test('sqs:sendMessage: MessageBody objects as JSON text; an unmodelled code is SQS.AmazonSQSException', async () => {
    const ok = await one('sqs:sendMessage', { QueueUrl: 'http://q', MessageBody: { a: 1 } });
    expect(ok.cause).toBeUndefined();
    expect(ok.outputValue).toMatchObject({ MD5OfMessageBody: md5('{"a":1}'), MessageId: 'sqs-1' });
    expect(sqs.requests[sqs.requests.length - 1].params.MessageBody).toBe('{"a":1}');
    const bad = await one('sqs:sendMessage', { QueueUrl: 'http://q' });
    expect(bad.error).toBe('SQS.AmazonSQSException');
    expect(bad.cause).toMatch(
      /^The request must contain the parameter MessageBody\. \(Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; /,
    );
  });

  test('lambda:invoke parses the Payload; a function error fails with its errorType', async () => {
    const ok = await one('lambda:invoke', { FunctionName: 'echo', Payload: { n: 1 } });
    expect(ok.outputValue).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { echo: { n: 1 } }, StatusCode: 200 });
    const failed = await one('lambda:invoke', { FunctionName: 'failing', Payload: {} });
    expect(failed.error).toBe('TenantError');
    expect(JSON.parse(failed.cause!)).toEqual({ errorType: 'TenantError', errorMessage: 'tenant exploded' });
  });

  test('a Lambda function ARN as Resource invokes it with the state input; the result is its payload', async () => {
    const r = await runDefinition(
      { StartAt: 'F', States: { F: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:echo', End: true } } },
      { tenant: 't1' },
      { engine },
    );
    expect(r.outputValue).toEqual({ echo: { tenant: 't1' } });
    expect(eventsOfType(r.events, 'LambdaFunctionSucceeded')).toHaveLength(1);
  });
});

describe('states:startExecution on the same engine', () => {
  const child = (name: string, definition: object) => engine.createStateMachine({ name, definition }).stateMachineArn;
  const start = (resource: string, parameters: object) =>
    runDefinition(
      {
        StartAt: 'Start',
        States: { Start: { Type: 'Task', Resource: `arn:aws:states:::${resource}`, Parameters: parameters, End: true } },
      },
      {},
      { engine },
    );

  test('request-response answers ExecutionArn and StartDate without waiting for the child', async () => {
    const arn = child('slow-child', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } });
    const r = await start('states:startExecution', { StateMachineArn: arn, Name: 'rr-1' });
    const out = r.outputValue as { ExecutionArn: string; StartDate: number };
    expect(out.ExecutionArn).toBe(arn.replace(':stateMachine:', ':execution:') + ':rr-1');
    expect(typeof out.StartDate).toBe('number');
    expect(r.stopDate!.getTime()).toBe(r.startDate.getTime());
    expect(engine.describeExecution(out.ExecutionArn).status).toBe('RUNNING');
    await engine.waitForExecution(out.ExecutionArn);
  });

  test('.sync answers the child’s DescribeExecution with Input/Output as JSON text; .sync:2 parses them', async () => {
    const arn = child('echo-child', { StartAt: 'P', States: { P: { Type: 'Pass', Result: { Arg1: 'argument1' }, End: true } } });
    const sync = await start('states:startExecution.sync', { StateMachineArn: arn, Input: { x: 1 } });
    expect(sync.outputValue).toMatchObject({
      Input: '{"x":1}',
      Output: '{"Arg1":"argument1"}',
      Status: 'SUCCEEDED',
      InputDetails: { Included: true },
    });
    const sync2 = await start('states:startExecution.sync:2', { StateMachineArn: arn, Input: { x: 1 } });
    expect(sync2.outputValue).toMatchObject({ Input: { x: 1 }, Output: { Arg1: 'argument1' }, Status: 'SUCCEEDED' });
    const [submitted] = eventsOfType(sync2.events, 'TaskSubmitted');
    expect(JSON.parse((submitted.taskSubmittedEventDetails as { output: string }).output)).toHaveProperty('ExecutionArn');
  });

  test('a failed child fails the .sync task with States.TaskFailed and the child’s description as Cause', async () => {
    const arn = child('failing-child', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'TenantBroken', Cause: 'no quota' } } });
    const r = await start('states:startExecution.sync:2', { StateMachineArn: arn });
    expect(r.error).toBe('States.TaskFailed');
    expect(JSON.parse(r.cause!)).toMatchObject({ Status: 'FAILED', Error: 'TenantBroken', Cause: 'no quota' });
  });

  test('stopping the parent stops its .sync child', async () => {
    const arn = child('long-child', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 86400, End: true } } });
    const parent = engine.createStateMachine({
      name: 'stopped-parent',
      definition: {
        StartAt: 'Start',
        States: {
          Start: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution.sync',
            Parameters: { StateMachineArn: arn, Name: 'doomed' },
            End: true,
          },
        },
      },
    });
    const { executionArn } = engine.startExecution({ stateMachineArn: parent.stateMachineArn });
    const childArn = arn.replace(':stateMachine:', ':execution:') + ':doomed';
    for (let i = 0; i < 50 && engine.listExecutions(arn).length === 0; i++) await new Promise((r) => setImmediate(r));
    engine.stopExecution(executionArn);
    const c = await engine.waitForExecution(childArn);
    expect(c.status).toBe('ABORTED');
    expect(engine.describeExecution(executionArn).status).toBe('ABORTED');
  });

  test('an existing execution name is StepFunctions.ExecutionAlreadyExistsException', async () => {
    const arn = child('named-child', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    await start('states:startExecution.sync', { StateMachineArn: arn, Name: 'same' });
    const again = await start('states:startExecution', { StateMachineArn: arn, Name: 'same' });
    expect(again.error).toBe('StepFunctions.ExecutionAlreadyExistsException');
  });

  test('.waitForTaskToken: the child answers with SendTaskSuccess and its output is the task’s result', async () => {
    const childDef = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const arn = child('callback-child', childDef);
    const parent = engine.createStateMachine({
      name: 'callback-parent',
      definition: {
        StartAt: 'Start',
        States: {
          Start: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution.waitForTaskToken',
            Parameters: { StateMachineArn: arn, Input: { 'token.$': '$$.Task.Token' } },
            End: true,
          },
        },
      },
    });
    const { executionArn } = engine.startExecution({ stateMachineArn: parent.stateMachineArn });
    // The child runs a Pass and ends; the test plays the worker that calls back with the token.
    let token: string | undefined;
    for (let i = 0; i < 50 && token === undefined; i++) {
      await new Promise((r) => setImmediate(r));
      const started = engine.listExecutions(arn)[0];
      if (started) token = (JSON.parse(started.input) as { token: string }).token;
    }
    expect(token).toBeDefined();
    engine.sendTaskSuccess(token!, JSON.stringify({ done: true }));
    const d = await engine.waitForExecution(executionArn);
    expect(JSON.parse(d.output!)).toEqual({ done: true });
    const types = engine.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types).toContain('TaskSubmitted');
  });
});
