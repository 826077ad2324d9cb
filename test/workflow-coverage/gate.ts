/**
 * The workflow coverage gate, run by `npm test` after jest: every state, Choice rule/Default and
 * Catch clause of every workflow must have been exercised by some mocked execution, unless
 * test/workflow-coverage/allowlist.json (workflow -> item -> reason) says why not. Retries are reported, not gated.
 *
 * Prints a table per workflow and writes reports/workflow-coverage.json.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { loadWorkflow } from '../../statemachines/local-substitutions';
import { coverableItems, coveredItems, type CoverageItem } from './analysis';
import { HISTORY_DIR, SUITE_MODE_FILE } from '../support/workflow-harness';
import { WORKFLOW_NAMES } from '../../statemachines/workflows';

const ROOT = join(__dirname, '..', '..');
const ALLOWLIST_PATH = join(__dirname, 'allowlist.json');
const REPORT_PATH = join(ROOT, 'reports', 'workflow-coverage.json');
const GATED: ReadonlySet<CoverageItem['kind']> = new Set(['state', 'choice', 'catch']);

type Allowlist = Record<string, Record<string, string>>;

interface WorkflowReport {
  workflow: string;
  executions: number;
  items: (CoverageItem & { covered: boolean; allowed?: string })[];
}

function main(): number {
  if (!existsSync(HISTORY_DIR)) {
    const mode = existsSync(SUITE_MODE_FILE) ? (JSON.parse(readFileSync(SUITE_MODE_FILE, 'utf8')) as { skipReason?: string }) : {};
    const why = mode.skipReason ? `the workflow suites were skipped: ${mode.skipReason}` : 'no workflow suite ran';
    console.error(`coverage gate: FAILED, no workflow executions were recorded (${why})`);
    return 1;
  }
  const allowlist = loadAllowlist();
  const reports: WorkflowReport[] = WORKFLOW_NAMES.map((workflow) => analyse(workflow, allowlist[workflow] ?? {}));
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(REPORT_PATH, `${JSON.stringify(reports, null, 2)}\n`);

  let gaps = 0;
  for (const report of reports) {
    printTable(report);
    gaps += report.items.filter((i) => GATED.has(i.kind) && !i.covered && !i.allowed).length;
  }
  const stale = staleAllowlistEntries(allowlist, reports);
  for (const s of stale) console.error(`coverage gate: allow-list entry ${s} names an item that is covered or does not exist; remove it`);
  console.log(`\nwritten ${REPORT_PATH}`);
  if (gaps > 0 || stale.length > 0) {
    console.error(`coverage gate: FAILED, ${gaps} state/choice/catch item(s) never exercised (marked ✗ above)`);
    return 1;
  }
  console.log('coverage gate: every state, Choice branch and Catch clause of every workflow was exercised');
  return 0;
}

function analyse(workflow: (typeof WORKFLOW_NAMES)[number], allowed: Record<string, string>): WorkflowReport {
  const definition = loadWorkflow(workflow);
  const dir = join(HISTORY_DIR, workflow);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const covered = new Set<string>();
  for (const file of files) {
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as HistoryEvent[];
    for (const id of coveredItems(definition, events)) covered.add(id);
  }
  return {
    workflow,
    executions: files.length,
    items: coverableItems(definition).map((item) => ({ ...item, covered: covered.has(item.id), allowed: allowed[item.id] })),
  };
}

function printTable(report: WorkflowReport): void {
  const gated = report.items.filter((i) => GATED.has(i.kind));
  const hit = gated.filter((i) => i.covered).length;
  const retries = report.items.filter((i) => i.kind === 'retry');
  console.log(
    `\n${report.workflow}: ${hit}/${gated.length} gated items covered by ${report.executions} executions; retries fired ${retries.filter((r) => r.covered).length}/${retries.length}`,
  );
  const width = Math.max(...report.items.map((i) => i.state.length), 5);
  for (const item of report.items) {
    const mark = item.covered ? '✓' : item.allowed ? '~' : GATED.has(item.kind) ? '✗' : '·';
    const note = !item.covered && item.allowed ? `  (allowed: ${item.allowed})` : '';
    console.log(`  ${mark} ${item.kind.padEnd(6)} ${item.state.padEnd(width)}  ${item.label}${note}`);
  }
}

function loadAllowlist(): Allowlist {
  if (!existsSync(ALLOWLIST_PATH)) return {};
  const parsed = JSON.parse(readFileSync(ALLOWLIST_PATH, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${ALLOWLIST_PATH}: must be {"<workflow>": {"<item id>": "<why it cannot be exercised>"}}`);
  }
  for (const [workflow, entries] of Object.entries(parsed as Allowlist)) {
    for (const [id, why] of Object.entries(entries)) {
      if (typeof why !== 'string' || why.trim().length < 10) {
        throw new Error(`${ALLOWLIST_PATH}: ${workflow}.${id} must give a reason (a sentence, at least 10 characters)`);
      }
    }
  }
  return parsed as Allowlist;
}

function staleAllowlistEntries(allowlist: Allowlist, reports: WorkflowReport[]): string[] {
  const stale: string[] = [];
  for (const [workflow, entries] of Object.entries(allowlist)) {
    const report = reports.find((r) => r.workflow === workflow);
    for (const id of Object.keys(entries)) {
      const item = report?.items.find((i) => i.id === id);
      if (!item || item.covered) stale.push(`${workflow}.${id}`);
    }
  }
  return stale;
}

process.exitCode = main();
