/**
 * The catalogue of mocked executions: for each workflow, one test case per branch, with its input,
 * the mocked Task responses (in invocation order), the expected outcome and the exact path of states
 * (built from the named segments of mocks/paths.ts). mocks/build.ts turns the mocks into
 * MockConfigFile.json (Step Functions Local format); the suites and `npm start` use the inputs and
 * expectations.
 *
 * Numbers below follow statemachines/local-substitutions.ts: MaxStackPolls 5, MaxBusyWaits 3,
 * ApiRetryMaxAttempts 2 (so 3 invocations exhaust a retrier, and 3 throttled answers exhaust a
 * throttling back-off loop within one round), ScanSegments 2, RolloutPageSize 3 and the local rollout policy.
 *
 * CloudFormation throttling arrives as the generic CloudFormation.CloudFormationException (see
 * `throttled` in responses.ts). Calls without an expected ValidationError retry that name, so a
 * ValidationError there is retried too (3 invocations before it is caught); calls whose
 * ValidationErrors are answers (UpdateStack, DeleteStack, DescribeStacks by name in delete-tenant
 * and update-tenant) recognise throttling by its Cause and loop through "Retry after throttling?".
 */

import type { MockTestCase } from './cases/common';
import { createTenantCases } from './cases/create-tenant';
import { deleteTenantCases } from './cases/delete-tenant';
import { updateTenantCases } from './cases/update-tenant';
import { updateTenantsCases } from './cases/update-tenants';
import { stackEventsCases } from './cases/stack-events';
import { changeTierCases } from './cases/change-tier';

export type { MockTestCase, Step } from './cases/common';

export const TEST_CASES: readonly MockTestCase[] = [
  ...createTenantCases,
  ...deleteTenantCases,
  ...updateTenantCases,
  ...updateTenantsCases,
  ...stackEventsCases,
  ...changeTierCases,
];
