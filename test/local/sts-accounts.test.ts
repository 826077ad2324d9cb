/**
 * LocalSts (AssumeRole, GetCallerIdentity) and the CloudFormation front end that serves each account
 * from its own LocalCloudFormation, through the SDK clients. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import { CloudFormationClient, DescribeStacksCommand, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalCloudFormation } from '../../local/cloudformation';
import { CloudFormationAccounts } from '../../local/cloudformation/accounts';
import { LocalSts } from '../../local/sts';
import { BASE, CELL, CELL_ROLE, HOME, ROLE_TEMPLATE, startCellAccounts } from './cell-accounts';

let timeline: VirtualTimeline;
let sts: LocalSts;
let stsClient: STSClient;
let home: LocalCloudFormation;
let cell: LocalCloudFormation;
let front: CloudFormationAccounts;
let close: () => Promise<void>;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  timeline = new VirtualTimeline(Date.UTC(2026, 0, 1));
  ({ sts, home, cell, front, close } = await startCellAccounts(timeline));
  stsClient = new STSClient({ endpoint: sts.endpoint, region: 'us-east-1', credentials: BASE, maxAttempts: 1 });
  clients.push(stsClient);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await close();
});

const assume = async (roleArn: string, credentials = BASE) => {
  const client = new STSClient({ endpoint: sts.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(client);
  return client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'StepFunctionsPassThrough' }));
};
const cfnAs = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
  const client = new CloudFormationClient({ endpoint: front.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
};

test('AssumeRole of a registered role hands out credentials of the role account; GetCallerIdentity names the assumed role', async () => {
  const { Credentials, AssumedRoleUser } = await assume(CELL_ROLE);
  expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
  expect(Credentials?.Expiration!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  expect(AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${CELL}:assumed-role/tenant-cell-deployer/StepFunctionsPassThrough`);
  expect(sts.accountOf(Credentials!.AccessKeyId)).toBe(CELL);
  const asRole = new STSClient({
    endpoint: sts.endpoint,
    region: 'us-east-1',
    credentials: {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken,
    },
  });
  clients.push(asRole);
  expect((await asRole.send(new GetCallerIdentityCommand({}))).Account).toBe(CELL);
  expect((await stsClient.send(new GetCallerIdentityCommand({}))).Account).toBe(HOME);
});

test('a role not registered, or one whose trust leaves out the caller account, is AccessDenied naming caller and role', async () => {
  const unknown = `arn:aws:iam::${CELL}:role/nobody`;
  await expect(assume(unknown)).rejects.toMatchObject({
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${HOME}:root is not authorized to perform: sts:AssumeRole on resource: ${unknown}`,
  });
  const { Credentials } = await assume(CELL_ROLE);
  const asCell = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken,
  };
  // The cell role trusts the home account only, not its own assumed sessions.
  await expect(assume(CELL_ROLE, asCell)).rejects.toMatchObject({ name: 'AccessDenied' });
  await expect(stsClient.send(new AssumeRoleCommand({ RoleArn: CELL_ROLE, RoleSessionName: 'bad name!' }))).rejects.toMatchObject({
    name: 'ValidationError',
  });
});

test('the front end serves each account from its own CloudFormation, by the access key of the request', async () => {
  const { Credentials } = await assume(CELL_ROLE);
  const asCell = cfnAs({
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken,
  });
  const asHome = cfnAs(BASE);
  const stackId = await cell.seedStack({ stackName: 'tenant-routed', templateBody: ROLE_TEMPLATE });
  expect(stackId).toContain(`:${CELL}:stack/tenant-routed/`);
  expect((await asCell.send(new DescribeStacksCommand({ StackName: 'tenant-routed' }))).Stacks?.[0]?.StackId).toBe(stackId);
  await expect(asHome.send(new DescribeStacksCommand({ StackName: 'tenant-routed' }))).rejects.toThrow(
    'Stack with id tenant-routed does not exist',
  );
  expect(home.getStack('tenant-routed')).toBeUndefined();
});

test('a service role (RoleARN) of another account is refused as CloudFormation refuses a role it cannot use', async () => {
  await home.seedStack({ stackName: 'tenant-home', templateBody: ROLE_TEMPLATE });
  await expect(cfnAs(BASE).send(new DeleteStackCommand({ StackName: 'tenant-home', RoleARN: CELL_ROLE }))).rejects.toMatchObject({
    name: 'ValidationError',
    message: `Role ${CELL_ROLE} is invalid or cannot be assumed`,
  });
  expect(home.getStack('tenant-home')?.status).toBe('CREATE_COMPLETE');
});
