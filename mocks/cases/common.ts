/**
 * What every workflow's test cases share: the shape of a test case, the tenant they run for, the
 * local substitution values and the event and stack helpers.
 */
import { describeStack, lifecycleEvent, MockedOutcome, PINNED_VERSION_ID, TEMPLATE_VERSION } from '../responses';
import type { WorkflowFileName } from '../../statemachines/workflows';
import { localSubstitutions } from '../../statemachines/local-substitutions';

/** One step of a mocked sequence: an outcome once, or [times, outcome]. */
export type Step = MockedOutcome | [number, MockedOutcome];

export interface Expectation {
  status: 'SUCCEEDED' | 'FAILED';
  /** Error of a FAILED execution. */
  error?: string;
  /** Output of a SUCCEEDED execution (compared exactly). */
  output?: unknown;
}

export interface MockTestCase {
  workflow: WorkflowFileName;
  name: string;
  description: string;
  input: unknown;
  /** Task state name -> the responses it gets, in invocation order (retries included). */
  mocks: Record<string, Step[]>;
  /**
   * The states entered, in history order (Map iterations included), spelled with the segments of
   * mocks/paths.ts. Not part of MockConfigFile.json: Step Functions Local has no such field.
   */
  path: string[];
  expect: Expectation;
}

export const local = localSubstitutions();
export const TENANT = 'acme';
export const pinnedUrl = `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`;
export const created = (tenantId: string) => lifecycleEvent('TenantCreated', { tenantId });
export const deleted = (tenantId: string) => lifecycleEvent('TenantDeleted', { tenantId });

export const ROLLBACK_REASON = 'The following resource(s) failed to create: [AppRole]. Rollback requested by user.';
export const UPDATE_FAILURE = 'The following resource(s) failed to update: [TenantDataTable]. ';

export const complete = (tenantId: string, status: string, version = TEMPLATE_VERSION) =>
  describeStack(tenantId, status, { templateVersion: version });
export const causeOf = (outcome: MockedOutcome) => ('Throw' in outcome ? outcome.Throw.Cause : '');
