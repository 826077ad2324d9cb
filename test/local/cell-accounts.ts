/**
 * The two accounts of the local cell tests (test/local/sts-accounts.test.ts, in-process-signer.test.ts):
 * the home (management) account, one cell account and its deployer role, the local base credentials,
 * and a stack template with nothing outside the local CloudFormation's own IAM registry.
 */
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
