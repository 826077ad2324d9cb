/**
 * The fleet rollout (update-tenants + update-tenant), unmocked, on the local tenant cloud: releases
 * ordered by their number, waves, the error budget halting, the operator's pause/resume/abort. End
 * state in the services: stacks (TemplateVersion output), tenant records, the rollout item.
 */
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { currentTemplate, output, releaseTemplate, stackOutput, withTemplateVersion } from '../../local/cli/operations';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
}, 120_000);
afterAll(() => cloud?.close());

async function rolloutItem(release: number): Promise<Record<string, AttributeValue> | undefined> {
  const table = output(cloud.info, 'ReleaseTableName');
  return (await cloud.clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: `release-${release}` } }, ConsistentRead: true })))
    .Item;
}

const FLEET = ['r-alpha', 'r-bravo', 'r-charlie', 'r-delta', 'r-echo'];

test('a release reaches every ACTIVE tenant wave by wave and the rollout item ends COMPLETED', async () => {
  await cloud.run(FLEET.map((tenantId) => ({ kind: 'created' as const, detail: { tenantId } })));
  const before = await cloud.executions();
  await releaseTemplate(cloud.clients, cloud.info, withTemplateVersion(await currentTemplate(cloud.clients, cloud.info), '2.0.0'));
  const executions = await cloud.settle('update-tenants', 1, before);
  const run = executions.find((e) => e.workflow === 'update-tenants');
  if (run?.status !== 'SUCCEEDED') console.log(await (await import('./support/debug-history')).dumpFailedChildren(cloud.clients.sfn, run!.executionArn));
  expect([run?.status, run?.error, run?.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
  for (const id of FLEET) expect([id, stackOutput(await cloud.tenantStack(id), 'TemplateVersion')]).toEqual([id, '2.0.0']);
  expect((await rolloutItem(2_000_000))?.state?.S).toBe('COMPLETED');
});
