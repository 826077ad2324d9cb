/**
 * Section 4: every mock-config test case of the real workflows, run once on our Engine in-process,
 * sequentially. Wall time is printed next to the virtual time the executions spent (stopDate -
 * startDate on each execution's virtual clock), which is mostly the workflows' Waits and retry
 * intervals: the point of the virtual clock is that the former stays small however large the latter.
 *
 * Reads the catalogue (mocks/test-cases.ts: workflow, test case name, input,
 * expected status) and mocks/MockConfigFile.json; skips, saying why, when either is missing.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { Engine } from '../emulator/runtime/engine';
import { MockConfig } from '../emulator/runtime/mock-config';
import { loadWorkflow } from '../statemachines/local-substitutions';
import { WORKFLOW_NAMES, type WorkflowFileName } from '../statemachines/workflows';

const MOCKS_DIR = join(__dirname, '..', 'mocks');
export const MOCK_CONFIG_FILE = join(MOCKS_DIR, 'MockConfigFile.json');
export const CATALOGUE_MODULE = join(MOCKS_DIR, 'test-cases.ts');

/** The part of a catalogue entry the bench needs (kept structural so the bench compiles without it). */
interface CatalogueCase {
  workflow: string;
  name: string;
  input: unknown;
  expect: { status: string; error?: string };
}

export interface SuiteReport {
  /** Test cases that ran (a catalogue entry the mock file lacks cannot start; it is listed in `unexpected`). */
  cases: number;
  wallMs: number;
  virtualMs: number;
  statesEntered: number;
  /** Test cases whose status (or error) differs from the catalogue's expectation. */
  unexpected: string[];
}

export type SuiteOutcome = { skipped: string } | { report: SuiteReport };

function loadCatalogue(): CatalogueCase[] | string {
  if (!existsSync(MOCK_CONFIG_FILE)) return `${MOCK_CONFIG_FILE} does not exist yet`;
  if (!existsSync(CATALOGUE_MODULE)) return `${CATALOGUE_MODULE} (the test cases with their inputs) does not exist yet`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cases: unknown = require(CATALOGUE_MODULE).TEST_CASES;
  if (!Array.isArray(cases) || cases.length === 0) return `${CATALOGUE_MODULE} exports no TEST_CASES`;
  return cases as CatalogueCase[];
}

export async function runWorkflowSuite(): Promise<SuiteOutcome> {
  const catalogue = loadCatalogue();
  if (typeof catalogue === 'string') return { skipped: catalogue };
  const engine = new Engine({ clock: 'virtual', mockConfig: MockConfig.fromFile(MOCK_CONFIG_FILE) });
  const arns = new Map<string, string>();
  for (const name of WORKFLOW_NAMES) {
    arns.set(name, engine.createStateMachine({ name, definition: loadWorkflow(name as WorkflowFileName) }).stateMachineArn);
  }
  const unexpected: string[] = [];
  let virtualMs = 0;
  let statesEntered = 0;
  let ran = 0;
  const started = performance.now();
  for (const testCase of catalogue) {
    const arn = arns.get(testCase.workflow);
    if (!arn) throw new Error(`test case ${testCase.name} names unknown workflow ${testCase.workflow}`);
    let executionArn: string;
    try {
      ({ executionArn } = engine.startExecution({
        stateMachineArn: `${arn}#${testCase.name}`,
        input: JSON.stringify(testCase.input ?? {}),
      }));
    } catch (error) {
      unexpected.push(`${testCase.workflow}#${testCase.name}: could not start: ${(error as Error).message}`);
      continue;
    }
    ran++;
    const result = await engine.waitForExecution(executionArn);
    virtualMs += (result.stopDate?.getTime() ?? result.startDate.getTime()) - result.startDate.getTime();
    for (const event of engine.getExecutionHistory(executionArn)) if (event.type.endsWith('StateEntered')) statesEntered++;
    const wanted = testCase.expect;
    if (result.status !== wanted.status || (wanted.error !== undefined && result.error !== wanted.error)) {
      unexpected.push(
        `${testCase.workflow}#${testCase.name}: ${result.status}${result.error ? ` ${result.error}` : ''} (expected ${wanted.status}${wanted.error ? ` ${wanted.error}` : ''})`,
      );
    }
  }
  const wallMs = performance.now() - started;
  return { report: { cases: ran, wallMs, virtualMs, statesEntered, unexpected } };
}
