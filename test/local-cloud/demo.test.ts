/**
 * `npm start`'s demo on a fresh local cloud: it must end in the state it promises (checked by the
 * demo itself in the services: records, stacks, template versions, executions), and what it prints
 * must show the tenants and the executions.
 */
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { startLocalCloud, type LocalCloud } from '../../local/cloud';
import { runDemo } from '../../local/cli/demo';
import { TEMPLATE_VERSION } from '../../template/version';

/** The demo releases a patch of today's tenant template. */
const [MAJOR, MINOR, PATCH] = TEMPLATE_VERSION.split('.').map(Number);
const RELEASED = `${MAJOR}\\.${MINOR}\\.${PATCH + 1}`;

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
  expect(output).toMatch(new RegExp(`acme\\s+ACTIVE\\s+${RELEASED}\\s+UPDATE_COMPLETE\\s+${RELEASED}`));
  expect(output).toMatch(/initech\s+FAILED\s+ROLLBACK_COMPLETE/);
  expect(output).toMatch(/globex\s+DELETED\s+\S+\s+DELETE_COMPLETE/);
  expect(output).toMatch(/create-tenant\s+Not_A_Valid_Id\s+FAILED\s+\S+\s+InvalidTenantId/);
});

test('with two cells (`npm start -- --cells 2`) the demo reaches the same end state, reading each stack in its tenant’s cell', async () => {
  const cells = await startLocalCloud({ timeline: new VirtualTimeline(), cells: 2 });
  try {
    const lines: string[] = [];
    const report = await runDemo(cells, { log: (line) => lines.push(line) });
    expect(report.problems).toEqual([]);
    // At least one demo tenant lives in the second cell's account, so the check really read a cell stack.
    const placed = cells.services.cells.of(cells.tenantCells[1].accountId).listStackRecords();
    expect(placed.filter((stack) => stack.stackName.startsWith('tenant-')).length).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(new RegExp(`acme\\s+ACTIVE\\s+${RELEASED}\\s+UPDATE_COMPLETE\\s+${RELEASED}`));
  } finally {
    await cells.close();
  }
}, 120_000);
