/**
 * The hash-free SigV4 of in-process clients (local/in-process-signer.ts): the headers SigV4 adds, in
 * its format (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), with
 * the credential scope the real signer writes, and read by the local services that read it (LocalSts
 * names the caller by the access key; the cells' CloudFormation front end picks the account by it).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Engine } from '../../emulator/runtime/engine';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalCloudFormation } from '../../local/cloudformation';
import { CloudFormationAccounts } from '../../local/cloudformation/accounts';
import { InProcessNetwork } from '../../local/in-process';
import { inProcessSigning } from '../../local/in-process-signer';
import { LocalSts } from '../../local/sts';
import { credentialScopeOf } from '../../local/sts/service';
import { BASE, CELL_ROLE, HOME, ROLE_TEMPLATE, startCellAccounts } from './cell-accounts';

const SESSION = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' };

describe('the in-process signer writes what SigV4 writes, without the hashes', () => {
  const network = new InProcessNetwork();
  const url = 'http://127.0.0.1:1';
  let seen: IncomingMessage['headers'][] = [];
  network.serve(url, (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
  });

  type Maker = (config: object) => { send(command: never): Promise<unknown>; destroy(): void };
  const calls: [string, Maker, object][] = [
    ['DynamoDB', (c) => new DynamoDBClient(c), new ListTablesCommand({})],
    ['S3 (a body)', (c) => new S3Client({ ...c, forcePathStyle: true }), new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'hello' })],
    ['STS', (c) => new STSClient(c), new AssumeRoleCommand({ RoleArn: CELL_ROLE, RoleSessionName: 's' })],
    ['CloudFormation', (c) => new CloudFormationClient(c), new DescribeStacksCommand({})],
    ['EventBridge', (c) => new EventBridgeClient(c), new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })],
  ];

  /** The headers the service got from one call, real SigV4 (the requestHandler alone) or the in-process client config. */
  async function headersOf(make: Maker, command: object, inProcess: boolean): Promise<IncomingMessage['headers']> {
    seen = [];
    const extra = inProcess ? network.clientConfigFor(url)! : { requestHandler: network.requestHandlerFor(url) };
    const client = make({ region: 'eu-west-1', endpoint: url, credentials: SESSION, maxAttempts: 1, ...extra });
    await client.send(command as never).catch(() => undefined);
    client.destroy();
    expect(seen).toHaveLength(1);
    return seen[0];
  }

  it.each(calls)('%s: same credential scope, signed headers and session token; the signature is zeros', async (_name, make, command) => {
    const real = await headersOf(make, command, false);
    const ours = await headersOf(make, command, true);
    const parts = (h: IncomingMessage['headers']) => {
      const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(h.authorization));
      expect(m).not.toBeNull();
      return { credential: m![1], signedHeaders: m![2], signature: m![3] };
    };
    const r = parts(real);
    const o = parts(ours);
    expect(o.credential).toBe(r.credential);
    expect(o.signedHeaders).toBe(r.signedHeaders);
    expect(r.signature).not.toMatch(/^0+$/);
    expect(o.signature).toBe('0'.repeat(64));
    expect(ours['x-amz-security-token']).toBe('session-token');
    expect(ours['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(String(ours['x-amz-date']).slice(0, 8)).toBe(o.credential.split('/')[1]);
    expect(credentialScopeOf(String(ours.authorization))).toEqual(credentialScopeOf(String(real.authorization)));
    // Every header SignedHeaders names is on the request.
    for (const name of o.signedHeaders.split(';')) expect(ours[name]).toBeDefined();
  });

  it('operations without auth (AssumeRoleWithWebIdentity) stay unsigned', async () => {
    const command = new AssumeRoleWithWebIdentityCommand({ RoleArn: CELL_ROLE, RoleSessionName: 's', WebIdentityToken: 't' });
    const ours = await headersOf((c) => new STSClient(c), command, true);
    expect(ours.authorization).toBeUndefined();
    expect(ours['x-amz-date']).toBeUndefined();
  });

  it('no in-process route: no client config, so the SDK keeps its transport and SigV4', () => {
    expect(network.clientConfigFor('http://127.0.0.1:2')).toBeUndefined();
  });
});

describe('the local services read the in-process signer’s credential scope', () => {
  let timeline: VirtualTimeline;
  let sts: LocalSts;
  let cell: LocalCloudFormation;
  let front: CloudFormationAccounts;
  let close: () => Promise<void>;
  const clients: { destroy(): void }[] = [];
  // The signer alone (over sockets): what these services read does not depend on the transport.
  const signing = { extensions: [inProcessSigning] };

  beforeAll(async () => {
    timeline = new VirtualTimeline(Date.UTC(2026, 0, 1));
    ({ sts, cell, front, close } = await startCellAccounts(timeline));
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await close();
  });

  it('LocalSts names the caller, and assumed-role credentials reach the cell account’s CloudFormation', async () => {
    const stsClient = new STSClient({ endpoint: sts.endpoint, region: 'us-east-1', credentials: BASE, maxAttempts: 1, ...signing });
    clients.push(stsClient);
    expect((await stsClient.send(new GetCallerIdentityCommand({}))).Account).toBe(HOME);
    const { Credentials } = await stsClient.send(new AssumeRoleCommand({ RoleArn: CELL_ROLE, RoleSessionName: 'signer-test' }));
    const asCell = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken,
    };
    const cellCfn = new CloudFormationClient({
      endpoint: front.endpoint,
      region: 'us-east-1',
      credentials: asCell,
      maxAttempts: 1,
      ...signing,
    });
    const homeCfn = new CloudFormationClient({
      endpoint: front.endpoint,
      region: 'us-east-1',
      credentials: BASE,
      maxAttempts: 1,
      ...signing,
    });
    clients.push(cellCfn, homeCfn);
    const stackId = await cell.seedStack({ stackName: 'tenant-signed', templateBody: ROLE_TEMPLATE });
    expect((await cellCfn.send(new DescribeStacksCommand({ StackName: 'tenant-signed' }))).Stacks?.[0]?.StackId).toBe(stackId);
    await expect(homeCfn.send(new DescribeStacksCommand({ StackName: 'tenant-signed' }))).rejects.toThrow(
      'Stack with id tenant-signed does not exist',
    );
    // The region of the scope counts too: a region no cell serves is refused as AWS refuses unknown credentials.
    const elsewhere = new CloudFormationClient({
      endpoint: front.endpoint,
      region: 'eu-west-1',
      credentials: asCell,
      maxAttempts: 1,
      ...signing,
    });
    clients.push(elsewhere);
    await expect(elsewhere.send(new DescribeStacksCommand({ StackName: 'tenant-signed' }))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });

  it('the engine’s pass-through with the signer: a Task with Credentials {RoleArn} assumes the role and reads the cell’s stack', async () => {
    const stackId = await cell.seedStack({ stackName: 'tenant-engine', templateBody: ROLE_TEMPLATE });
    const configured: string[] = [];
    const engine = new Engine({
      timeline,
      passThrough: {
        endpoints: { sts: sts.endpoint, cloudformation: front.endpoint },
        credentials: BASE,
        clientConfigFor: (endpoint) => {
          configured.push(endpoint);
          return signing;
        },
      },
    });
    try {
      const { stateMachineArn } = engine.createStateMachine({
        name: 'signed',
        roleArn: `arn:aws:iam::${HOME}:role/sfn`,
        definition: JSON.stringify({
          StartAt: 'Describe',
          States: {
            Describe: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:cloudformation:describeStacks',
              Parameters: { StackName: 'tenant-engine' },
              Credentials: { RoleArn: CELL_ROLE },
              OutputPath: '$.Stacks[0].StackId',
              End: true,
            },
          },
        }),
      });
      const { executionArn } = engine.startExecution({ stateMachineArn });
      const done = await engine.waitForExecution(executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toBe(stackId);
      // Both clients (STS for the role, CloudFormation as the role) were built with the signer.
      expect(configured.sort()).toEqual([front.endpoint, sts.endpoint].sort());
    } finally {
      engine.close();
    }
  });
});
