/**
 * The project's four workflows run unmocked through the engine's pass-through: DynamoDB is dynalite,
 * EventBridge and CloudFormation are loopback responders (CloudFormation with a small stack status
 * model: every operation is *_IN_PROGRESS until the next DescribeStacks), and update-tenants runs
 * update-tenant as `.sync:2` children on the same engine.
 */
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Engine } from '../../emulator/runtime/engine';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LOCAL_ACCOUNT, LOCAL_CELL_ROLE_ARN, loadWorkflow, localSubstitutions } from '../../statemachines/local-substitutions';
import { LocalSts } from '../../local/sts';
import type { WorkflowFileName } from '../../statemachines/workflows';
import {
  json,
  LOCAL_CREDENTIALS,
  startDynalite,
  startResponder,
  xml,
  type LocalServer,
  type ResponderRequest,
} from './passthrough-helpers';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const START = Date.parse('2030-06-01T00:00:00.000Z');

interface Stack {
  name: string;
  id: string;
  status: string;
  templateUrl: string;
  version: string;
}

/** Stacks as CloudFormation keeps them: by name while live, DELETE_COMPLETE ones only by id. */
class StackModel {
  readonly stacks = new Map<string, Stack>();
  private seq = 0;

  handle(req: ResponderRequest) {
    const p = req.params as Record<string, string>;
    // StackName takes the stack's name or its id.
    const stack = this.stacks.get(p.StackName) ?? [...this.stacks.values()].find((s) => s.id === p.StackName);
    switch (p.Action) {
      case 'CreateStack': {
        if (stack) return error('AlreadyExistsException', `Stack [${p.StackName}] already exists`);
        const created: Stack = {
          name: p.StackName,
          id: `arn:aws:cloudformation:us-east-1:123456789012:stack/${p.StackName}/${++this.seq}`,
          status: 'CREATE_IN_PROGRESS',
          templateUrl: p.TemplateURL,
          version: versionOf(p.TemplateURL),
        };
        this.stacks.set(p.StackName, created);
        return ok('CreateStack', `<StackId>${created.id}</StackId>`);
      }
      case 'DescribeStacks': {
        if (!stack) return error('ValidationError', `Stack with id ${p.StackName} does not exist`);
        const shown = { ...stack };
        stack.status = stack.status.replace('_IN_PROGRESS', '_COMPLETE');
        if (stack.status === 'DELETE_COMPLETE') this.stacks.delete(stack.name);
        return ok(
          'DescribeStacks',
          `<Stacks><member><StackName>${shown.name}</StackName><StackId>${shown.id}</StackId><StackStatus>${shown.status}</StackStatus><Parameters><member><ParameterKey>TenantId</ParameterKey><ParameterValue>${shown.name.slice('tenant-'.length)}</ParameterValue></member></Parameters><CreationTime>2030-06-01T00:00:00Z</CreationTime><Outputs><member><OutputKey>TemplateVersion</OutputKey><OutputValue>${shown.version}</OutputValue></member></Outputs></member></Stacks>`,
        );
      }
      case 'UpdateStack': {
        if (!stack) return error('ValidationError', `Stack [${p.StackName}] does not exist`);
        if (stack.status.endsWith('_IN_PROGRESS'))
          return error('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
        if (p.TemplateURL === stack.templateUrl) return error('ValidationError', 'No updates are to be performed.');
        Object.assign(stack, { status: 'UPDATE_IN_PROGRESS', templateUrl: p.TemplateURL, version: versionOf(p.TemplateURL) });
        return ok('UpdateStack', `<StackId>${stack.id}</StackId>`);
      }
      case 'DeleteStack':
        if (stack) stack.status = 'DELETE_IN_PROGRESS';
        return ok('DeleteStack', '');
      default:
        return error('InvalidAction', `unsupported ${p.Action}`);
    }
  }
}

const versionOf = (url: string) => new URL(url).searchParams.get('versionId') ?? 'initial';
const ok = (action: string, result: string) =>
  xml(
    `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`,
  );
const error = (code: string, message: string) =>
  xml(
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>e</RequestId></ErrorResponse>`,
    400,
  );

let dynamo: LocalServer;
let cfn: LocalServer & { requests: ResponderRequest[] };
let events: LocalServer & { requests: ResponderRequest[] };
let s3: LocalServer & { requests: ResponderRequest[] };
let engine: Engine;
let ddb: DynamoDBClient;
let sts: LocalSts;
const stacks = new StackModel();
const arns = new Map<WorkflowFileName, string>();

beforeAll(async () => {
  dynamo = await startDynalite();
  ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'tenants',
      AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // update-tenant registers its wait for the stack's status event here (no event comes in this harness:
  // it falls back to DescribeStacks after StackEventWaitSeconds).
  await ddb.send(
    new CreateTableCommand({
      TableName: 'stack-waiters',
      AttributeDefinitions: [
        { AttributeName: 'stackId', AttributeType: 'S' },
        { AttributeName: 'clientRequestToken', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'stackId', KeyType: 'HASH' },
        { AttributeName: 'clientRequestToken', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // create-tenant reads LATEST from the release table (none recorded here: the template object is used).
  await ddb.send(
    new CreateTableCommand({
      TableName: localSubstitutions().ReleaseTableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  cfn = await startResponder((req) => stacks.handle(req));
  // update-tenant reads the TemplateVersion output from the pinned template version (S3 GetObject); the
  // template's body here names the version it was asked for.
  s3 = await startResponder((req) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      Outputs: { TemplateVersion: { Value: new URL(req.url, 'http://s3').searchParams.get('versionId') ?? 'initial' } },
    }),
  }));
  events = await startResponder((req) =>
    json({ Entries: (req.params.Entries as unknown[]).map((_, i) => ({ EventId: `e-${i}` })), FailedEntryCount: 0 }),
  );
  // The stack calls are made as the tenant's cell role (Task Credentials): assumed through STS.
  const timeline = new VirtualTimeline(START);
  sts = new LocalSts({ timeline, accountId: LOCAL_ACCOUNT });
  sts.addRole(LOCAL_CELL_ROLE_ARN, [LOCAL_ACCOUNT]);
  const stsEndpoint = await sts.listen();
  engine = new Engine({
    timeline,
    passThrough: {
      endpoints: {
        dynamodb: dynamo.endpoint,
        cloudformation: cfn.endpoint,
        eventbridge: events.endpoint,
        s3: s3.endpoint,
        sts: stsEndpoint,
      },
      credentials: LOCAL_CREDENTIALS,
    },
  });
  for (const name of ['create-tenant', 'delete-tenant', 'update-tenant', 'update-tenants'] as const) {
    const { stateMachineArn } = engine.createStateMachine({ name, definition: loadWorkflow(name, localSubstitutions()) });
    arns.set(name, stateMachineArn);
  }
});

afterAll(async () => {
  ddb.destroy();
  await Promise.all([dynamo.close(), cfn.close(), events.close(), s3.close(), sts.close()]);
});

async function run(name: WorkflowFileName, input: unknown) {
  const { executionArn } = engine.startExecution({ stateMachineArn: arns.get(name)!, input: JSON.stringify(input) });
  return engine.waitForExecution(executionArn);
}

async function tenantRecord(tenantId: string): Promise<Record<string, string> | undefined> {
  const { Item } = await ddb.send(new GetItemCommand({ TableName: 'tenants', Key: { tenantId: { S: tenantId } } }));
  return Item && Object.fromEntries(Object.entries(Item).map(([k, v]) => [k, v.S ?? JSON.stringify(v)]));
}

const sentDetailTypes = () => events.requests.flatMap((r) => (r.params.Entries as { DetailType: string }[]).map((e) => e.DetailType));

describe('the workflows against dynalite and local endpoints, unmocked', () => {
  test('create-tenant creates the stack, polls it to CREATE_COMPLETE, records the tenant ACTIVE and announces it', async () => {
    const d = await run('create-tenant', { detail: { tenantId: 'acme' } });
    expect(d.error).toBeUndefined();
    expect(d.status).toBe('SUCCEEDED');
    expect(stacks.stacks.get('tenant-acme')?.status).toBe('CREATE_COMPLETE');
    expect(await tenantRecord('acme')).toMatchObject({ status: 'ACTIVE', templateVersion: 'initial', stackName: 'tenant-acme' });
    expect(sentDetailTypes()).toContain('TenantProvisioned');
    // Two StackPollSeconds (15 s) waits: the first DescribeStacks still sees CREATE_IN_PROGRESS. Simulated time.
    expect(d.stopDate!.getTime() - d.startDate.getTime()).toBe(30_000);
  });

  test('a duplicate TenantCreated converges on the existing stack (AlreadyExistsException is caught)', async () => {
    const d = await run('create-tenant', { detail: { tenantId: 'acme' } });
    expect(d.status).toBe('SUCCEEDED');
    expect(await tenantRecord('acme')).toMatchObject({ status: 'ACTIVE' });
  });

  // The whole rollout (update-tenants) needs S3, the release table and the stack-event relay: it runs
  // on the local tenant cloud (test/local-cloud/rollout.test.ts). Here its per-tenant child.
  test('update-tenant updates one stack to a pinned template and, with no status event coming, learns the end from DescribeStacks', async () => {
    await run('create-tenant', { detail: { tenantId: 'beta' } });
    const s = localSubstitutions() as Record<string, string>;
    const d = await run('update-tenant', { tenantId: 'beta', release: 2, seq: 1, templateUrl: `${s.TemplateUrl}?versionId=v2` });
    expect(d.cause).toBeUndefined();
    expect(JSON.parse(d.output!)).toMatchObject({ tenantId: 'beta', outcome: 'updated', release: 2 });
    expect(stacks.stacks.get('tenant-beta')?.version).toBe('v2');
    expect(await tenantRecord('beta')).toMatchObject({
      targetSeq: '{"N":"1"}',
      release: '{"N":"2"}',
      releaseSeq: '{"N":"1"}',
      templateVersion: 'v2',
    });
    // The wait for the event timed out (StackEventWaitSeconds, simulated) before the one DescribeStacks.
    expect(d.stopDate!.getTime() - d.startDate.getTime()).toBeGreaterThanOrEqual(Number(s.StackEventWaitSeconds) * 1000);
  });

  test('delete-tenant deletes the stack and records the tenant deleted', async () => {
    const d = await run('delete-tenant', { detail: { tenantId: 'beta' } });
    expect(d.cause).toBeUndefined();
    expect(d.status).toBe('SUCCEEDED');
    expect(stacks.stacks.has('tenant-beta')).toBe(false);
    expect((await tenantRecord('beta'))?.status).toBe('DELETED');
  });
});
