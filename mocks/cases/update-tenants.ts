/** The mocked test cases of update-tenants: one per branch (see mocks/test-cases.ts). */
import {
  childExecution,
  ChildResult,
  continuationExecution,
  executionLimitExceeded,
  NEXT_TEMPLATE_VERSION,
  objectCreatedEvent,
  PINNED_VERSION_ID,
  scanPage,
  scanThrottled,
} from '../responses';
import { path, updateTenants } from '../paths';
import { pinnedUrl, UPDATE_FAILURE, result, type MockTestCase } from './common';

const child = (tenantId: string, outcome: ChildResult['outcome'], reason?: string, index = 0) =>
  childExecution(
    result(
      outcome,
      reason ?? (outcome === 'updated' ? `Stack updated to template version ${NEXT_TEMPLATE_VERSION}` : 'No updates are to be performed'),
      tenantId,
    ),
    index,
  );
const summary = (updated: number, unchanged: number, failed: string[], skipped: string[]) => ({ updated, unchanged, failed, skipped });
const continuationInput = {
  continuation: {
    templateUrl: pinnedUrl,
    templateVersion: PINNED_VERSION_ID,
    exclusiveStartKey: { tenantId: { S: 'tenant-i' } },
    progress: { updated: 7, unchanged: 1, failed: [], skipped: ['e'], pages: 3 },
  },
  AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: 'arn:aws:states:us-east-1:123456789012:execution:update-tenants:first',
};

export const updateTenantsCases: MockTestCase[] = [
  {
    workflow: 'update-tenants',
    name: 'OnePage',
    description:
      'One page: two ACTIVE tenants (one updated, one unchanged), a PROVISIONING tenant updated too (its stack may run the previous template), a DEPROVISIONING one skipped',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
          { tenantId: 'c', status: 'PROVISIONING' },
          { tenantId: 'd', status: 'DEPROVISIONING' },
        ]),
      ],
      'Update one tenant': [child('a', 'updated'), child('b', 'unchanged', undefined, 1), child('c', 'updated', undefined, 2)],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active', 'notActive'),
      updateTenants.summarize,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(2, 1, [], ['d']) },
  },
  {
    workflow: 'update-tenants',
    name: 'ThreePages',
    description: 'Three pages chained by LastEvaluatedKey/ExclusiveStartKey; every tenant accounted for',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage(
          [
            { tenantId: 'a', status: 'ACTIVE' },
            { tenantId: 'b', status: 'ACTIVE' },
            { tenantId: 'c', status: 'ACTIVE' },
          ],
          'c',
        ),
      ],
      'Read next tenant page': [
        scanPage([{ tenantId: 'd', status: 'ACTIVE' }, { tenantId: 'e', status: 'FAILED' }, { tenantId: 'f' }], 'f'),
        scanPage([{ tenantId: 'g', status: 'ACTIVE' }]),
      ],
      'Update one tenant': [
        child('a', 'updated'),
        child('b', 'updated', undefined, 1),
        child('c', 'unchanged', undefined, 2),
        child('d', 'updated', undefined, 3),
        child('g', 'unchanged', undefined, 4),
      ],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.nextPage,
      updateTenants.page('active', 'notActive', 'notActive'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.summarize,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(3, 2, [], ['e', 'f']) },
  },
  {
    workflow: 'update-tenants',
    name: 'EmptyTable',
    description: 'No tenants at all: an empty summary, success',
    input: objectCreatedEvent(),
    mocks: { 'Read first tenant page': [scanPage([])] },
    path: path(updateTenants.firstPage, updateTenants.page(), updateTenants.summarize, updateTenants.fleetUpdated),
    expect: { status: 'SUCCEEDED', output: summary(0, 0, [], []) },
  },
  {
    workflow: 'update-tenants',
    name: 'OneTenantRollsBack',
    description: 'One tenant rolls back (UPDATE_ROLLBACK_COMPLETE) while the others update: the run fails after all are done',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
          { tenantId: 'c', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [
        child('a', 'updated'),
        child('b', 'failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`, 1),
        child('c', 'updated', undefined, 2),
      ],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.summarize,
      updateTenants.someTenantsFailed,
    ),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'TenantNotUpdatable',
    description: 'A tenant whose stack is in ROLLBACK_COMPLETE is reported failed; the others still update',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [
        child('a', 'failed', 'Stack tenant-a is in ROLLBACK_COMPLETE and can not be updated'),
        child('b', 'updated', undefined, 1),
      ],
    },
    path: path(updateTenants.firstPage, updateTenants.page('active', 'active'), updateTenants.summarize, updateTenants.someTenantsFailed),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'ThrottlingRetried',
    description: 'Both Scan calls are throttled once and succeed on retry',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [scanThrottled, scanPage([{ tenantId: 'a', status: 'ACTIVE' }], 'a')],
      'Read next tenant page': [scanThrottled, scanPage([{ tenantId: 'b', status: 'ACTIVE' }])],
      'Update one tenant': [child('a', 'updated'), child('b', 'updated', undefined, 1)],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.summarize,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(2, 0, [], []) },
  },
  {
    workflow: 'update-tenants',
    name: 'ChildCouldNotStart',
    description: 'StartExecution of one child fails (execution limit): that tenant is failed, the other still updates',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage([
          { tenantId: 'a', status: 'ACTIVE' },
          { tenantId: 'b', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [child('a', 'updated'), executionLimitExceeded],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'childCouldNotStart'),
      updateTenants.summarize,
      updateTenants.someTenantsFailed,
    ),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'ContinuesInNewExecution',
    description: 'After MaxPagesPerExecution pages with more to read, the run continues in a new execution and reports its summary',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [
        scanPage(
          [
            { tenantId: 'a', status: 'ACTIVE' },
            { tenantId: 'b', status: 'ACTIVE' },
            { tenantId: 'c', status: 'ACTIVE' },
          ],
          'c',
        ),
      ],
      'Read next tenant page': [
        scanPage(
          [
            { tenantId: 'd', status: 'ACTIVE' },
            { tenantId: 'e', status: 'DEPROVISIONING' },
            { tenantId: 'f', status: 'ACTIVE' },
          ],
          'f',
        ),
        scanPage(
          [
            { tenantId: 'g', status: 'ACTIVE' },
            { tenantId: 'h', status: 'ACTIVE' },
            { tenantId: 'i', status: 'ACTIVE' },
          ],
          'i',
        ),
      ],
      'Update one tenant': [
        ...['a', 'b', 'c', 'd', 'f', 'g'].map((id, i) => child(id, 'updated', undefined, i)),
        child('h', 'unchanged', undefined, 6),
        child('i', 'updated', undefined, 7),
      ],
      // The continuation reads the rest (j updated, k unchanged) and returns the whole run's summary.
      'Continue in a new execution': [continuationExecution(summary(8, 2, [], ['e']))],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.nextPage,
      updateTenants.page('active', 'notActive', 'active'),
      updateTenants.nextPage,
      updateTenants.page('active', 'active', 'active'),
      updateTenants.continueInNewExecution,
      updateTenants.fleetUpdated,
    ),
    expect: { status: 'SUCCEEDED', output: summary(8, 2, [], ['e']) },
  },
  {
    workflow: 'update-tenants',
    name: 'ContinuationReportsFailure',
    description: 'The continuation reports a failed tenant: the first execution fails',
    input: objectCreatedEvent(),
    mocks: {
      'Read first tenant page': [scanPage([{ tenantId: 'a', status: 'ACTIVE' }], 'a')],
      'Read next tenant page': [scanPage([{ tenantId: 'b', status: 'ACTIVE' }], 'b'), scanPage([{ tenantId: 'c', status: 'ACTIVE' }], 'c')],
      'Update one tenant': [child('a', 'updated'), child('b', 'updated', undefined, 1), child('c', 'updated', undefined, 2)],
      'Continue in a new execution': [continuationExecution(summary(3, 0, ['z'], []))],
    },
    path: path(
      updateTenants.firstPage,
      updateTenants.page('active'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.nextPage,
      updateTenants.page('active'),
      updateTenants.continueInNewExecution,
      updateTenants.someTenantsFailed,
    ),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  },
  {
    workflow: 'update-tenants',
    name: 'ResumedContinuation',
    description: 'A continuation resumes from the cursor with the totals so far and hands the summary back',
    input: continuationInput,
    mocks: {
      'Read next tenant page': [
        scanPage([
          { tenantId: 'j', status: 'ACTIVE' },
          { tenantId: 'k', status: 'ACTIVE' },
        ]),
      ],
      'Update one tenant': [child('j', 'updated'), child('k', 'unchanged', undefined, 1)],
    },
    path: path(updateTenants.resumedPage, updateTenants.page('active', 'active'), updateTenants.summarize, updateTenants.handSummaryBack),
    expect: { status: 'SUCCEEDED', output: summary(8, 2, [], ['e']) },
  },
  {
    workflow: 'update-tenants',
    name: 'ResumedContinuationWithFailure',
    description: 'A continuation succeeds even when a tenant failed: only the first execution decides the outcome',
    input: continuationInput,
    mocks: {
      'Read next tenant page': [scanPage([{ tenantId: 'j', status: 'ACTIVE' }])],
      'Update one tenant': [child('j', 'failed', `UPDATE_ROLLBACK_COMPLETE: ${UPDATE_FAILURE}`)],
    },
    path: path(updateTenants.resumedPage, updateTenants.page('active'), updateTenants.summarize, updateTenants.handSummaryBack),
    expect: { status: 'SUCCEEDED', output: summary(7, 1, ['j'], ['e']) },
  },
  {
    workflow: 'update-tenants',
    name: 'NotTheTenantTemplate',
    description: 'Another object in the template bucket: nothing is touched',
    input: objectCreatedEvent({ key: 'README.txt' }),
    mocks: {},
    path: path(updateTenants.ignored),
    expect: { status: 'SUCCEEDED', output: objectCreatedEvent({ key: 'README.txt' }) },
  },
  {
    workflow: 'update-tenants',
    name: 'TemplateVersionMissing',
    description: 'An event without version-id (unversioned bucket): fails before touching any tenant',
    input: objectCreatedEvent({ versionId: null }),
    mocks: {},
    path: path(updateTenants.versionMissing),
    expect: { status: 'FAILED', error: 'TemplateVersionMissing' },
  },
];
