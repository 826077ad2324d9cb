/**
 * The operator CLI (`npm run tenants`) against a local cloud, found through a state file as a running
 * `npm start` writes it. End state is checked in the services, not in what the CLI prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTenantsCli, UsageError } from '../../local/cli/tenants';
import { writeStateFile } from '../../local/cli/state-file';
import { stackOutput } from '../../local/cli/operations';
import { startTestCloud, type TestCloud } from './support/test-cloud';

let cloud: TestCloud;
let dir: string;
let state: string;
beforeAll(async () => {
  cloud = await startTestCloud();
  dir = mkdtempSync(join(tmpdir(), 'tenants-cli-'));
  state = writeStateFile(cloud.info, {}, join(dir, 'endpoints.json'));
}, 120_000);
afterAll(async () => {
  await cloud?.close();
  rmSync(dir, { recursive: true, force: true });
});

const S = (item: Record<string, { S?: string }> | undefined, key: string) => item?.[key]?.S;

async function cli(...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runTenantsCli([...args, '--state', state], (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

test('create <id> sends TenantCreated and follows the execution until the tenant is ACTIVE', async () => {
  const { code, output } = await cli('create', 'cli-one');
  expect(code).toBe(0);
  expect(output).toContain('create-tenant');
  expect(S(await cloud.record('cli-one'), 'status')).toBe('ACTIVE');
  expect((await cloud.tenantStack('cli-one'))?.StackStatus).toBe('CREATE_COMPLETE');
});

test('list and show read the record, the stack, its events and the executions that touched the tenant', async () => {
  const list = await cli('list');
  expect(list.output).toMatch(/cli-one\s+ACTIVE\s+\S+\s+CREATE_COMPLETE/);
  const show = await cli('show', 'cli-one');
  const stack = await cloud.tenantStack('cli-one');
  expect(show.output).toContain(stack!.StackId!);
  expect(show.output).toContain('TenantId=cli-one');
  expect(show.output).toMatch(/tenant-cli-one\s+CREATE_COMPLETE/); // the stack's own event
  expect(show.output).toMatch(/create-tenant\s+SUCCEEDED/);
});

test('an invalid tenant id is refused before anything is sent, naming the field and the rule', async () => {
  const before = (await cloud.executions()).length;
  await expect(cli('create', 'Not_Valid')).rejects.toThrow(
    "tenantId 'Not_Valid' breaks the rule: 1-32 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit",
  );
  await expect(cli('delete', 'x'.repeat(33))).rejects.toThrow('tenantId is 33 characters long; at most 32 allowed');
  await expect(cli('create')).rejects.toThrow(UsageError);
  expect((await cloud.executions()).length).toBe(before);
});

test('release uploads a template version and follows the fleet update to the end', async () => {
  const { code, output } = await cli('release', '--version', '9.5.0');
  expect(code).toBe(0);
  expect(output).toContain('update-tenants');
  expect(stackOutput(await cloud.tenantStack('cli-one'), 'TemplateVersion')).toBe('9.5.0');
  expect(S(await cloud.record('cli-one'), 'templateVersion')).toBe('9.5.0');
});

test('release --template FILE refuses a file that is not a JSON template', async () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, 'Resources: yaml is not what the bucket holds');
  await expect(cli('release', '--template', file)).rejects.toThrow(`--template ${file}: not JSON`);
});

test('delete <id>, then executions and events show the lifecycle', async () => {
  expect((await cli('delete', 'cli-one')).code).toBe(0);
  expect(S(await cloud.record('cli-one'), 'status')).toBe('DELETED');
  const executions = await cli('executions');
  expect(executions.output).toMatch(/delete-tenant\s+cli-one\s+SUCCEEDED/);
  const events = await cli('events');
  expect(events.output).toMatch(/in\s+saas\.tenants TenantCreated/);
  expect(events.output).toMatch(/out\s+saas\.tenants TenantProvisioned/);
  expect(events.output).toMatch(/out\s+saas\.tenants TenantDeprovisioned/);
});

test('a state file whose cloud does not answer says how to start one', async () => {
  const stale = join(dir, 'stale.json');
  writeStateFile({ ...cloud.info, endpoints: { ...cloud.info.endpoints, stepfunctions: 'http://127.0.0.1:1' } }, {}, stale);
  await expect(runTenantsCli(['list', '--state', stale], () => undefined)).rejects.toThrow('does not answer; start it with `npm start`');
  await expect(runTenantsCli(['list', '--state', join(dir, 'missing.json')], () => undefined)).rejects.toThrow('no local cloud found');
});
