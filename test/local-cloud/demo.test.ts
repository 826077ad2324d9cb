/**
 * `npm start`'s demo on a fresh local cloud: it must end in the state it promises (checked by the
 * demo itself in the services: records, stacks, template versions, executions), and what it prints
 * must show the tenants and the executions.
 */
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { startLocalCloud, type LocalCloud } from '../../local/cloud';
import { runDemo } from '../../local/cli/demo';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ timeline: new VirtualTimeline() });
}, 120_000);
afterAll(() => cloud?.close());

test('the demo creates, fails, releases and deletes as it says, and the end state is the expected one', async () => {
  const lines: string[] = [];
  const report = await runDemo(cloud, { log: (line) => lines.push(line) });
  expect(report.problems).toEqual([]);
  const output = lines.join('\n');
  expect(output).toMatch(/acme\s+ACTIVE\s+1\.0\.1\s+UPDATE_COMPLETE\s+1\.0\.1/);
  expect(output).toMatch(/initech\s+FAILED\s+ROLLBACK_COMPLETE/);
  expect(output).toMatch(/globex\s+DELETED\s+\S+\s+DELETE_COMPLETE/);
  expect(output).toMatch(/create-tenant\s+Not_A_Valid_Id\s+FAILED\s+\S+\s+InvalidTenantId/);
});
