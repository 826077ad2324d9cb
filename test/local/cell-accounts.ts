/**
 * The two accounts of the local cell tests (test/local/sts-accounts.test.ts, in-process-signer.test.ts):
 * the home (management) account, one cell account and its deployer role, the local base credentials,
 * and a stack template with nothing outside the local CloudFormation's own IAM registry.
 */
import type { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalCloudFormation } from '../../local/cloudformation';
import { CloudFormationAccounts } from '../../local/cloudformation/accounts';
import { LocalSts } from '../../local/sts';

export const HOME = '123456789012';
export const CELL = '210000000001';
export const CELL_ROLE = `arn:aws:iam::${CELL}:role/tenant-cell-deployer`;
export const BASE = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A trust policy letting Lambda assume a role (any valid one will do for a role-only stack). */
const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

export const ROLE_TEMPLATE = JSON.stringify({
  Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: LAMBDA_TRUST } } },
});

/** The local STS (the cell role trusting HOME) and a CloudFormation per account behind the accounts' front end, listening. */
export async function startCellAccounts(timeline: VirtualTimeline): Promise<{
  sts: LocalSts;
  home: LocalCloudFormation;
  cell: LocalCloudFormation;
  front: CloudFormationAccounts;
  close(): Promise<void>;
}> {
  const sts = new LocalSts({ timeline, accountId: HOME });
  sts.addRole(CELL_ROLE, [HOME]);
  await sts.listen();
  // No stack here provisions DynamoDB tables or reads templates from S3 (IAM roles live in-process).
  const endpoints = { s3: 'http://127.0.0.1:9', dynamodb: 'http://127.0.0.1:9' };
  const home = new LocalCloudFormation({ timeline, accountId: HOME, endpoints });
  const cell = new LocalCloudFormation({ timeline, accountId: CELL, endpoints });
  await home.listen();
  await cell.listen();
  const front = new CloudFormationAccounts({ accountOf: (key) => sts.accountOf(key), services: [home, cell] });
  await front.listen();
  return { sts, home, cell, front, close: async () => void (await Promise.all([front.close(), home.close(), cell.close(), sts.close()])) };
}
