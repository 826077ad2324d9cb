/**
 * `npm run tenants -- <command>`: the operator CLI for the tenant management stack, against the local
 * cloud of a running `npm start` (its .local-cloud/endpoints.json) or any endpoints
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, --endpoint-url; the stack's outputs then come from
 * DescribeStacks of TenantManagementStack).
 *
 *   create <id>                 TenantCreated, then follows the create-tenant execution
 *   delete <id>                 TenantDeleted, then follows the delete-tenant execution
 *   list                        tenants: record status, template version, stack status
 *   show <id>                   record, stack (parameters, outputs), stack events, executions that touched it
 *   release [--template FILE] [--version V] [--release N] [--policy JSON|@FILE]
 *                               uploads a tenant template version (default: the current one with the next
 *                               patch TemplateVersion) with its release number and rollout policy, then
 *                               follows the rollout until it ends or waits for the operator
 *   rollout [status|pause|resume|abort] [N]
 *                               a rollout's waves, counters and state; the operator's commands
 *   executions                  every execution of the workflows
 *   events                      lifecycle events: what started each execution and what the workflows announced
 */
import { readFileSync } from 'node:fs';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { tenantIdViolation } from '../../template/tenant-id';
import { tenantTierViolation } from '../../template/tier';
import {
  createClients,
  endpointsFromEnvironment,
  LOCAL_REGION,
  SERVICES,
  type CloudClients,
  type ServiceEndpoints,
} from '../deploy/clients';
import { MANAGEMENT_STACK_NAME } from '../deploy';
import { duration, shorten, table } from './format';
import {
  currentTemplate,
  describeExecutions,
  clientsForCell,
  describeRecordedStack,
  describeTenantStack,
  listAllExecutions,
  listTenantRecords,
  nextPatchVersion,
  releaseTemplate,
  sendTenantEvent,
  sendTierChangedEvent,
  stackEvents,
  stackOutput,
  TEMPLATE_OBJECT_KEY,
  waitForExecutions,
  withTemplateVersion,
  type ExecutionRow,
  type StackInfo,
  type WorkflowKey,
} from './operations';
import {
  abortRollout,
  describeRollout,
  latestRelease,
  pauseRollout,
  resumeRollout,
  RolloutStateError,
  tenantsByRelease,
  type Rollout,
} from './rollouts';
import { ENDPOINTS_FILE, readStateFile } from './state-file';
import { RELEASE_NUMBER_PATTERN, rolloutPolicyProblems, type RolloutPolicy } from '../../statemachines/rollout-policy';

export class UsageError extends Error {}

interface Flags {
  readonly positional: string[];
  readonly values: Map<string, string>;
  readonly switches: Set<string>;
}

const VALUE_FLAGS = ['--template', '--version', '--release', '--policy', '--endpoint-url', '--region', '--state', '--timeout'];
const SWITCHES = ['--no-wait', '--aws'];

export function parseFlags(argv: readonly string[]): Flags {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (VALUE_FLAGS.includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      values.set(arg, value);
    } else if (SWITCHES.includes(arg)) switches.add(arg);
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  return { positional, values, switches };
}

/** Checks the tier with the tier rule (template/tier.ts) before anything is sent; `tier` needs one. */
function checkTier(value: string | undefined): string {
  if (value === undefined) throw new UsageError('a tier is required: tier <id> <tier>');
  const violation = tenantTierViolation(value);
  if (violation) throw new UsageError(violation);
  return value;
}

/** Checks the tenant id with the tenant-id rule before anything is sent. */
export function checkTenantId(value: string | undefined): string {
  if (value === undefined) throw new UsageError('a tenant id is required (tenantId)');
  const violation = tenantIdViolation(value);
  if (violation) throw new UsageError(violation);
  return value;
}

/** Endpoints and stack outputs: state file of a running `npm start`, overridden by flags and environment. */
export async function resolveTarget(
  flags: Flags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ info: StackInfo; clients: CloudClients; source: string }> {
  const fromEnv = endpointsFromEnvironment(env);
  const flagUrl = flags.values.get('--endpoint-url');
  const overrides: ServiceEndpoints = flagUrl ? Object.fromEntries(SERVICES.map((s) => [s, flagUrl])) : fromEnv;
  const statePath = flags.values.get('--state') ?? ENDPOINTS_FILE;
  const useAws = flags.switches.has('--aws');
  const state = !useAws && (Object.keys(overrides).length === 0 || flags.values.has('--state')) ? readStateFile(statePath) : undefined;
  if (state) {
    const clients = createClients({ endpoints: state.endpoints, region: state.region });
    try {
      await fetch(state.endpoints.stepfunctions!, { method: 'POST', signal: AbortSignal.timeout(2000) });
    } catch {
      clients.destroy();
      throw new UsageError(
        `the local cloud of ${statePath} (pid ${state.pid}, started ${state.startedAt}) does not answer; start it with \`npm start\``,
      );
    }
    return { info: state, clients, source: statePath };
  }
  if (Object.keys(overrides).length === 0 && !useAws) {
    throw new UsageError(
      `no local cloud found (${statePath} does not exist): run \`npm start\` in another terminal, name endpoints with AWS_ENDPOINT_URL / --endpoint-url, or use --aws`,
    );
  }
  const region = flags.values.get('--region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_REGION;
  const clients = createClients({ endpoints: overrides, region });
  const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: MANAGEMENT_STACK_NAME }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  const accountId = Stacks?.[0]?.StackId?.split(':')[4] ?? '';
  return {
    info: { region, accountId, endpoints: overrides, outputs, templateObjectKey: TEMPLATE_OBJECT_KEY },
    clients,
    source: `${MANAGEMENT_STACK_NAME} outputs (DescribeStacks)`,
  };
}

export async function runTenantsCli(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const flags = parseFlags(argv);
  const [command, ...rest] = flags.positional;
  if (!command || command === 'help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command '${command}' (commands: ${COMMANDS.join(', ')})`);
  const idArgument =
    command === 'create' || command === 'delete' || command === 'show' || command === 'tier' ? checkTenantId(rest[0]) : undefined;
  const tierArgument = command === 'tier' ? checkTier(rest[1]) : undefined;
  const { info, clients } = await resolveTarget(flags);
  const timeoutMs = Number(flags.values.get('--timeout') ?? 120) * 1000;
  try {
    switch (command) {
      case 'create':
      case 'delete':
        return await lifecycle(clients, info, command, idArgument!, !flags.switches.has('--no-wait'), timeoutMs, out);
      case 'tier':
        return await lifecycle(clients, info, command, idArgument!, !flags.switches.has('--no-wait'), timeoutMs, out, tierArgument);
      case 'list':
        return await list(clients, info, out);
      case 'show':
        return await show(clients, info, idArgument!, out);
      case 'release':
        return await release(clients, info, flags, timeoutMs, out);
      case 'rollout':
        return await rollout(clients, info, rest, out);
      case 'executions':
        return await executions(clients, info, out);
      case 'events':
        return await events(clients, info, out);
    }
    return 2;
  } finally {
    clients.destroy();
  }
}

const COMMANDS = ['create', 'delete', 'tier', 'list', 'show', 'release', 'rollout', 'executions', 'events'];
const USAGE = `usage: npm run tenants -- <command> [options]

  create <id>            send TenantCreated and follow the create-tenant execution
  delete <id>            send TenantDeleted and follow the delete-tenant execution
  tier <id> <tier>       send TenantTierChanged and follow the change-tier execution (record and stack)
  list                   tenants with record status, template version and stack status
  show <id>              record, stack, stack events and the executions that touched the tenant
  release [--template FILE] [--version V] [--release N] [--policy JSON|@FILE]
                         upload a tenant template version (default: the current template with the next
                         patch TemplateVersion) as release N (default: from TemplateVersion, 1.2.3 is
                         1002003) with a rollout policy override, and follow the rollout
  rollout [status] [N]   the rollout of release N (default: the latest): state, wave, counters, tenants per release
  rollout pause N        stop touching tenants; the rollout waits once in-flight updates end
  rollout resume N       run a paused or halted rollout on (the current wave again, then the next)
  rollout abort N        roll every tenant the rollout touched back to the previous release
  executions             every execution of the workflows
  events                 lifecycle events: what started each execution, what the workflows announced

options: --no-wait (do not follow), --timeout SECONDS (default 120), --endpoint-url URL (all services),
         --aws (AWS itself: your credentials and region), --region R, --state FILE (default ${ENDPOINTS_FILE})
Without --endpoint-url or AWS_ENDPOINT_URL[_<SERVICE>], the endpoints of a running \`npm start\` are used.`;

async function lifecycle(
  clients: CloudClients,
  info: StackInfo,
  command: 'create' | 'delete' | 'tier',
  tenantId: string,
  wait: boolean,
  timeoutMs: number,
  out: (line: string) => void,
  tier?: string,
): Promise<number> {
  const workflow: WorkflowKey = command === 'create' ? 'create-tenant' : command === 'delete' ? 'delete-tenant' : 'change-tier';
  const known = new Set((await listAllExecutions(clients, info)).map((e) => e.executionArn));
  const eventId =
    command === 'tier'
      ? await sendTierChangedEvent(clients, info, { tenantId, tier: tier! })
      : await sendTenantEvent(clients, info, command === 'create' ? 'created' : 'deleted', { tenantId });
  const detailType = command === 'create' ? 'TenantCreated' : command === 'delete' ? 'TenantDeleted' : `TenantTierChanged (${tier})`;
  out(`${detailType} for ${tenantId} accepted on ${info.outputs.EventBusName} (event ${eventId})`);
  if (!wait) return 0;
  out(`following ${workflow} …`);
  // Find the execution this event started (its input names the tenant) and follow it to its end.
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let rows: ExecutionRow[] = [];
  for (;;) {
    const fresh = (await listAllExecutions(clients, info)).filter((e) => e.workflow === workflow && !known.has(e.executionArn));
    rows = (await describeExecutions(clients, fresh)).filter((e) => e.tenantId === tenantId);
    const record = (await listTenantRecords(clients, info)).find((r) => r.tenantId === tenantId);
    const line = `  execution ${rows[0]?.status ?? 'not started yet'}; record ${record?.status ?? 'none'}`;
    if (line !== last) out((last = line));
    if (rows.length > 0 && rows.every((e) => e.status !== 'RUNNING')) break;
    if (Date.now() > deadline) throw new Error(`${workflow} for ${tenantId} did not end within ${timeoutMs / 1000} s (--timeout)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const [execution] = await describeExecutions(clients, rows);
  out(
    `${workflow} ${execution.name}: ${execution.status}${execution.error ? ` (${execution.error}: ${shorten(execution.cause, 160)})` : ''}`,
  );
  await list(clients, info, out, tenantId);
  return execution.status === 'SUCCEEDED' ? 0 : 1;
}

async function list(clients: CloudClients, info: StackInfo, out: (line: string) => void, only?: string): Promise<number> {
  const records = (await listTenantRecords(clients, info)).filter((r) => only === undefined || r.tenantId === only);
  const rows = await Promise.all(
    records.map(async (r) => {
      const stack = await describeRecordedStack(clients, info, r).catch((error: Error) => error);
      const stackStatus = stack instanceof Error ? `(unreadable: ${shorten(stack.message, 60)})` : (stack?.StackStatus ?? '(no stack)');
      return [r.tenantId, r.status ?? '', r.templateVersion ?? '', stackStatus, shorten(r.statusReason, 80)];
    }),
  );
  if (rows.length === 0) out(only ? `no tenant record for ${only}` : 'no tenants yet (npm run tenants -- create <id>)');
  else for (const line of table(['tenant', 'status', 'template version', 'stack status', 'reason'], rows)) out(line);
  // A stack that could not be read (its cell's role not assumable, the service down) is shown per row and fails the command.
  return rows.some((row) => row[3].startsWith('(unreadable: ')) ? 1 : 0;
}

async function show(clients: CloudClients, info: StackInfo, tenantId: string, out: (line: string) => void): Promise<number> {
  const record = (await listTenantRecords(clients, info)).find((r) => r.tenantId === tenantId);
  out(`Tenant ${tenantId}`);
  out(
    record
      ? `  record: ${JSON.stringify(Object.fromEntries(Object.entries(record.item).map(([k, v]) => [k, v.S ?? v.N ?? JSON.stringify(v)])))}`
      : '  record: none',
  );
  const inCell = await clientsForCell(clients, info, record?.cell);
  if (record?.cell?.name) out(`  cell: ${record.cell.name} (account ${record.cell.accountId}, ${record.cell.region})`);
  const stack = await describeTenantStack(inCell, tenantId, record?.stackId);
  if (stack) {
    out(`  stack: ${stack.StackName} ${stack.StackStatus}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}`);
    out(`         ${stack.StackId}`);
    out(`  parameters: ${(stack.Parameters ?? []).map((p) => `${p.ParameterKey}=${p.ParameterValue}`).join(', ')}`);
    out(`  outputs: ${(stack.Outputs ?? []).map((o) => `${o.OutputKey}=${o.OutputValue}`).join(', ')}`);
    out(`  template version: ${stackOutput(stack, 'TemplateVersion') ?? '?'}`);
    const evts = await stackEvents(inCell, stack.StackId!);
    out(`  stack events (${evts.length}, oldest first):`);
    for (const e of [...evts].reverse()) {
      out(
        `    ${e.Timestamp?.toISOString()}  ${(e.LogicalResourceId ?? '').padEnd(20)} ${(e.ResourceStatus ?? '').padEnd(20)} ${shorten(e.ResourceStatusReason, 90)}`,
      );
    }
  } else out('  stack: none');
  const touched = (await describeExecutions(clients, await listAllExecutions(clients, info))).filter((e) => e.tenantId === tenantId);
  out(`  executions (${touched.length}):`);
  for (const e of touched)
    out(`    ${e.workflow.padEnd(14)} ${(e.status ?? '').padEnd(9)} ${e.name}${e.error ? `  ${e.error}: ${shorten(e.cause, 100)}` : ''}`);
  return 0;
}

async function release(
  clients: CloudClients,
  info: StackInfo,
  flags: Flags,
  timeoutMs: number,
  out: (line: string) => void,
): Promise<number> {
  const file = flags.values.get('--template');
  let body: string;
  if (file) {
    try {
      body = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--template ${file}: cannot read it (${(error as Error).message})`);
    }
    try {
      JSON.parse(body);
    } catch (error) {
      throw new UsageError(`--template ${file}: not JSON (${(error as Error).message}); the tenant template is the synthesized JSON`);
    }
    if (flags.values.has('--version')) body = withTemplateVersion(body, flags.values.get('--version')!);
  } else {
    const current = await currentTemplate(clients, info);
    body = withTemplateVersion(current, flags.values.get('--version') ?? nextPatchVersion(current));
  }
  const known = new Set((await listAllExecutions(clients, info)).map((e) => e.executionArn));
  const releaseNumber = flags.values.has('--release') ? parseReleaseNumber(flags.values.get('--release')!) : undefined;
  const policy = flags.values.has('--policy') ? readPolicy(flags.values.get('--policy')!) : undefined;
  let versionId: string | undefined;
  try {
    versionId = await releaseTemplate(clients, info, body, { release: releaseNumber, policy });
  } catch (error) {
    if (/release|rollout policy|metadata/.test((error as Error).message)) throw new UsageError((error as Error).message);
    throw error;
  }
  out(
    `uploaded s3://${info.outputs.TemplateBucketName}/${info.templateObjectKey} (version ${versionId ?? 'none: is the bucket versioned?'})`,
  );
  if (flags.switches.has('--no-wait')) return 0;
  out('following update-tenants …');
  let printed = 0;
  let waiting: Rollout | undefined;
  const settled = await waitForExecutions(
    clients,
    info,
    (rows) => rows.some((e) => e.workflow === 'update-tenants' && !known.has(e.executionArn)),
    {
      timeoutMs,
      pollMs: 200,
      onPoll: async (rows) => {
        const children = rows.filter((e) => e.workflow === 'update-tenant' && !known.has(e.executionArn) && e.status !== 'RUNNING');
        if (children.length > printed) out(`  ${(printed = children.length)} tenant update(s) finished`);
        // A paused or halted rollout waits for the operator: stop following, say so.
        const latest = await latestRelease(clients, info);
        const current = latest?.rolloutId ? await describeRollout(clients, info, latest.release) : undefined;
        waiting = current && (current.state === 'PAUSED' || current.state === 'HALTED') && current.waiting ? current : undefined;
      },
      until: () => waiting !== undefined,
    },
  );
  if (waiting) {
    printRollout(waiting, out);
    out(`the rollout waits for the operator: npm run tenants -- rollout resume ${waiting.release}  (or: rollout abort ${waiting.release})`);
    return 3;
  }
  const runs = await describeExecutions(
    clients,
    settled.filter((e) => e.workflow === 'update-tenants' && !known.has(e.executionArn)),
  );
  for (const run of runs) {
    out(`update-tenants ${run.name}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
    if (run.output) out(`  summary: ${run.output}`);
  }
  await list(clients, info, out);
  return runs.every((r) => r.status === 'SUCCEEDED') ? 0 : 1;
}

function parseReleaseNumber(value: string): number {
  if (!RELEASE_NUMBER_PATTERN.test(value)) {
    throw new UsageError(`--release ${value}: must be a positive integer without leading zeros, at most 15 digits`);
  }
  return Number(value);
}

function readPolicy(value: string): Partial<RolloutPolicy> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`--policy ${value}: cannot read it (${(error as Error).message})`);
    }
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--policy: not JSON (${(error as Error).message})`);
  }
  const problems = rolloutPolicyProblems(policy, true);
  if (problems.length > 0) throw new UsageError(`--policy: ${problems.join('; ')}`);
  return policy as Partial<RolloutPolicy>;
}

function printRollout(rollout: Rollout, out: (line: string) => void): void {
  out(
    `rollout of release ${rollout.release}: ${rollout.state}, wave ${rollout.wave + 1} of ${rollout.waveCount}${rollout.waveName ? ` (${rollout.waveName})` : ''}, window ${rollout.window} updates${
      Object.keys(rollout.cellWindows).length > 0
        ? ` (${Object.entries(rollout.cellWindows)
            .map(([name, w]) => `${name} ${w}`)
            .join(', ')})`
        : ''
    }${rollout.fleetCount !== undefined ? `, fleet of ${rollout.fleetCount} counted at start` : ''}`,
  );
  out(
    `  failures in this wave ${rollout.waveFailed} (budget ${rollout.waveBudget}); ${Object.entries(rollout.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (rollout.throttled > 0)
    out(`  throttled CloudFormation calls so far: ${rollout.throttled} (the segments' windows halve after each throttled page)`);
  if (rollout.haltReason) out(`  ${rollout.state === 'HALTED' ? 'halted' : 'halted earlier'}: ${rollout.haltReason}`);
  if (rollout.previousRelease) out(`  previous release ${rollout.previousRelease} (abort rolls touched tenants back to it)`);
}

async function rollout(clients: CloudClients, info: StackInfo, args: readonly string[], out: (line: string) => void): Promise<number> {
  const [verb = 'status', number] = /^\d/.test(args[0] ?? '') ? ['status', args[0]] : args;
  if (!['status', 'pause', 'resume', 'abort'].includes(verb))
    throw new UsageError(`rollout ${verb}: unknown (rollout status|pause|resume|abort [N])`);
  if (verb !== 'status' && number === undefined) throw new UsageError(`rollout ${verb} needs the release number: rollout ${verb} N`);
  const release = number === undefined ? undefined : parseReleaseNumber(number);
  try {
    if (verb === 'pause') await pauseRollout(clients, info, release!);
    if (verb === 'resume')
      out(
        (await resumeRollout(clients, info, release!)).woke
          ? 'resumed; the workflow was waiting and goes on'
          : 'resumed; the workflow reads it when it next looks',
      );
    if (verb === 'abort')
      out(
        (await abortRollout(clients, info, release!)).woke
          ? 'aborting; the workflow was waiting and rolls back now'
          : 'aborting; the workflow rolls back when it next looks',
      );
  } catch (error) {
    if (error instanceof RolloutStateError) throw new UsageError(error.message);
    throw error;
  }
  const latest = await latestRelease(clients, info);
  const current = await describeRollout(clients, info, release);
  if (!current) {
    out(release === undefined ? 'no release recorded yet' : `there is no rollout of release ${release}`);
    return release === undefined ? 0 : 1;
  }
  printRollout(current, out);
  if (latest)
    out(
      `fleet: release ${latest.release}${latest.templateRelease !== latest.release ? ` (running release ${latest.templateRelease}'s template after an abort)` : ''}, desired-template seq ${latest.seq}`,
    );
  const byRelease = [...(await tenantsByRelease(clients, info))].sort();
  for (const line of table(
    ['release', 'tenants'],
    byRelease.map(([r, n]) => [r, String(n)]),
  ))
    out(line);
  return 0;
}

async function executions(clients: CloudClients, info: StackInfo, out: (line: string) => void): Promise<number> {
  const rows = await describeExecutions(clients, await listAllExecutions(clients, info));
  const cells = rows.map((e) => [
    e.startDate?.toISOString() ?? '',
    e.workflow,
    typeof e.tenantId === 'string' ? e.tenantId : '',
    e.status ?? '',
    e.stopDate && e.startDate ? duration(e.stopDate.getTime() - e.startDate.getTime()) : '',
    e.error ? `${e.error}: ${shorten(e.cause, 70)}` : '',
  ]);
  if (cells.length === 0) out('no executions yet');
  else for (const line of table(['started', 'workflow', 'tenant', 'status', 'took', 'error'], cells)) out(line);
  return 0;
}

/**
 * Lifecycle events as the workflows saw them: each execution's input (the event that started it) and
 * every PutEvents its history shows succeeding (TenantProvisioned, ...). Works against any Step
 * Functions endpoint, since it reads only execution histories.
 */
async function events(clients: CloudClients, info: StackInfo, out: (line: string) => void): Promise<number> {
  const rows = await describeExecutions(clients, await listAllExecutions(clients, info));
  const lines: { at: number; cells: string[] }[] = [];
  for (const e of rows) {
    if (e.workflow === 'update-tenant') continue; // started by update-tenants, not by an event
    try {
      const input = JSON.parse(e.input ?? '{}') as { 'detail-type'?: string; source?: string; detail?: Record<string, unknown> };
      if (input['detail-type']) {
        lines.push({
          at: e.startDate?.getTime() ?? 0,
          cells: [
            e.startDate?.toISOString() ?? '',
            'in',
            `${input.source} ${input['detail-type']}`,
            shorten(JSON.stringify(input.detail), 90),
            `→ ${e.workflow}`,
          ],
        });
      }
    } catch {
      /* not an event input */
    }
    for (const sent of await putEventsOf(clients, e.executionArn!)) {
      lines.push({
        at: sent.at,
        cells: [new Date(sent.at).toISOString(), 'out', `${sent.source} ${sent.detailType}`, shorten(sent.detail, 90), `← ${e.workflow}`],
      });
    }
  }
  lines.sort((a, b) => a.at - b.at);
  if (lines.length === 0) out('no lifecycle events yet');
  else
    for (const line of table(
      ['time', 'dir', 'event', 'detail', 'workflow'],
      lines.map((l) => l.cells),
    ))
      out(line);
  return 0;
}

async function putEventsOf(
  clients: CloudClients,
  executionArn: string,
): Promise<{ at: number; source: string; detailType: string; detail: string }[]> {
  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    history.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const sent: { at: number; source: string; detailType: string; detail: string }[] = [];
  const scheduled = new Map<number, string>();
  for (const event of history) {
    if (event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resource === 'putEvents') {
      scheduled.set(event.id!, event.taskScheduledEventDetails.parameters ?? '{}');
    }
    if (event.type === 'TaskSucceeded' && event.taskSucceededEventDetails?.resource === 'putEvents') {
      // The TaskScheduled of this task is the closest one before it.
      const ids = [...scheduled.keys()].filter((id) => id < event.id!);
      const parameters = ids.length > 0 ? scheduled.get(Math.max(...ids))! : '{}';
      const entries = (JSON.parse(parameters) as { Entries?: { Source?: string; DetailType?: string; Detail?: unknown }[] }).Entries ?? [];
      for (const entry of entries) {
        sent.push({
          at: event.timestamp?.getTime() ?? 0,
          source: entry.Source ?? '',
          detailType: entry.DetailType ?? '',
          detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail),
        });
      }
    }
  }
  return sent;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runTenantsCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      if (error instanceof UsageError) {
        console.error(`tenants: ${error.message}`);
        process.exitCode = 2;
      } else {
        console.error(`tenants: ${(error as Error).name}: ${(error as Error).message}`);
        process.exitCode = 1;
      }
    },
  );
}
