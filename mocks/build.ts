/**
 * Builds mocks/MockConfigFile.json (Step Functions Local mock configuration) from the catalogue in
 * mocks/test-cases.ts. Run `npx tsx mocks/build.ts` after changing the catalogue; a test fails when
 * the committed file is stale.
 *
 * Format: https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockedOutcome } from './responses';
import { MockTestCase, Step, TEST_CASES } from './test-cases';

export const MOCK_CONFIG_FILE = join(__dirname, 'MockConfigFile.json');

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');

/** Steps in invocation order -> {"0": ..., "1-3": ...}: a repeated step becomes an inclusive range. */
export function invocationKeys(steps: readonly Step[]): Record<string, MockedOutcome> {
  const out: Record<string, MockedOutcome> = {};
  let next = 0;
  for (const step of steps) {
    const [times, outcome] = Array.isArray(step) ? step : [1, step];
    if (!Number.isInteger(times) || times < 1) throw new Error(`a repeated step needs a positive count, got ${times}`);
    out[times === 1 ? String(next) : `${next}-${next + times - 1}`] = outcome;
    next += times;
  }
  return out;
}

export function mockedResponseName(testCase: MockTestCase, stateName: string): string {
  return `${pascal(testCase.workflow)}${testCase.name}${pascal(stateName)}`;
}

export function buildMockConfig(cases: readonly MockTestCase[] = TEST_CASES): Record<string, unknown> {
  const stateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }> = {};
  const mockedResponses: Record<string, Record<string, MockedOutcome>> = {};
  for (const testCase of cases) {
    const machine = (stateMachines[testCase.workflow] ??= { TestCases: {} });
    if (machine.TestCases[testCase.name]) throw new Error(`duplicate test case ${testCase.workflow}#${testCase.name}`);
    const mapping: Record<string, string> = {};
    for (const [stateName, steps] of Object.entries(testCase.mocks)) {
      const name = mockedResponseName(testCase, stateName);
      mapping[stateName] = name;
      mockedResponses[name] = invocationKeys(steps);
    }
    machine.TestCases[testCase.name] = mapping;
  }
  return { StateMachines: stateMachines, MockedResponses: mockedResponses };
}

export function mockConfigJson(): string {
  return `${JSON.stringify(buildMockConfig(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(MOCK_CONFIG_FILE, mockConfigJson());
  console.log(`wrote ${MOCK_CONFIG_FILE} (${TEST_CASES.length} test cases)`);
}
