/**
 * The mocked test cases of update-tenants, the rollout (docs/rollouts.md): one per branch (see
 * mocks/test-cases.ts). The waves and pages are Distributed Maps whose children share the case's
 * mocked responses and invocation counters; the local window is 1, so one segment and one tenant
 * update run at a time and the responses are handed out in a fixed order. The rollback runs
 * ScanSegments (2) segments at once: its cases give both segments pages of the same shape.
 */
import {
  accountLimits,
  childExecution,
  ChildResult,
  conditionFailed,
  executionLimitExceeded,
  headObject,
  headObjectNotFound,
  latestClaimed,
  latestRelease,
  objectCreatedEvent,
  operatorAnswer,
  type PreviousRelease,
  rollbackClaimed,
  rolloutItem,
  rolloutState,
  rolloutUpdated,
  type RolloutCounts,
  scanThrottled,
  taskSuccessSent,
  taskTimedOut,
  tenantPage,
  tenantCountPage,
  throttled,
  updateItemOk,
} from '../responses';
import { path, type TenantItem, updateTenants as u } from '../paths';
import type { Expectation, MockTestCase, Step } from './common';

/** The release these cases roll out, and the one before it. */
export const RELEASE = 2;
export const PREVIOUS: PreviousRelease = { release: 1, seq: 4, versionId: 'Wq2P7cXn0bV5rT8yU3iO6lK9jH1gF4dS' };
const release = String(RELEASE);
/** One wave of every tenant, no canaries: the shortest plan, for cases about something else. */
export const ONE_WAVE = '{"canary":{"tenants":[],"count":0},"waves":[100]}';

const outcome = (tenantId: string, result: ChildResult['outcome'], index: number, reason = '') =>
  childExecution({ tenantId, outcome: result, reason, release: RELEASE }, index);
/** Child results for tenants in order (index = invocation). */
const children = (...results: [string, ChildResult['outcome']][]) => results.map(([id, o], i) => outcome(id, o, i));
const running = (c: RolloutCounts = {}) => rolloutItem(RELEASE, 'RUNNING', c);
const completed = (c: RolloutCounts = {}) => rolloutUpdated(RELEASE, 'COMPLETED', c);
/** The Succeed state after a completed rollout outputs the release and the rollout item's counters. */
const completedOutput = (c: RolloutCounts) => ({
  release: RELEASE,
  counts: { updated: 0, unchanged: 0, failed: 0, skipped: 0, superseded: 0, deferred: 0, ...c },
});

interface Start {
  metadata?: Record<string, string>;
  previous?: PreviousRelease;
  concurrentResources?: Step[];
  /** The counting scan's pages (default: one page of `tenantCount`). */
  countPages?: Step[];
  tenantCount?: number;
  /** The canary search's responses (canary.count > 0), page by page. */
  findCanaries?: Step[];
}
/** The mocks up to the rollout item: metadata, account limits, the fleet count, the canary search, the LATEST claim, the record. */
function started({
  metadata = { release, 'rollout-policy': ONE_WAVE },
  previous,
  concurrentResources,
  tenantCount = 10,
  countPages,
  findCanaries,
}: Start = {}) {
  return {
    'Read release metadata': [headObject(metadata)],
    'Read account limits': concurrentResources ?? [accountLimits(2500)],
    'Count tenants': countPages ?? [tenantCountPage(tenantCount)],
    ...(findCanaries ? { 'Find canaries': findCanaries } : {}),
    'Claim release': [latestClaimed(previous)],
    'Start rollout record': [updateItemOk],
  } satisfies Record<string, Step[]>;
}
/** Path of a valid release without canaries to find (canary.count 0) up to the first wave (an older rollout unfinished or not). */
const upToWave = path(u.readRelease, u.mergePolicy, u.checkPolicy, u.count(), u.noCanariesToFind, u.claim, u.plan);
/** The same with canary.count > 0: the canaries found over `pages` scan pages. */
const upToWaveFinding = (pages = 1) => path(u.readRelease, u.mergePolicy, u.checkPolicy, u.count(), u.findCanaries(pages), u.claim, u.plan);
/** A wave that runs segment children: started, its bucket range's segments, then the rollout item read. */
const wave = (...segments: string[][]) => path(u.startWave, u.anyBucketRange, u.runWave(...segments), u.checkState);
/** The canary wave of named tenants (listed or found): no bucket range, then the rollout item read. */
const canaryWave = (...tenants: TenantItem[]) => path(u.startWave, u.namedTenants(...tenants), u.anyBucketRange, u.checkState);
/** A wave whose segment's first Scan failed beyond its Retry: the Map Run fails, the halt, then the rollout item read. */
const scanFailedWave = path(u.startWave, u.anyBucketRange, u.runWaveFailed(u.segmentScanFailed), u.haltOnWaveError, u.checkState);
/** A rollout that completed with these counters. */
const completedWith = (counts: RolloutCounts): Expectation => ({ status: 'SUCCEEDED', output: completedOutput(counts) });

/** A valid release's rollout: the S3 event, the mocks up to the rollout item (`start`, see `started`), then the case's own. */
function rolloutCase(c: {
  name: string;
  description: string;
  start?: Start;
  mocks: MockTestCase['mocks'];
  path: string[];
  expect: Expectation;
}): MockTestCase {
  return {
    workflow: 'update-tenants',
    name: c.name,
    description: c.description,
    input: objectCreatedEvent(),
    mocks: { ...started(c.start), ...c.mocks },
    path: c.path,
    expect: c.expect,
  };
}

/** A policy of named canaries plus `count` found ones, then one 100 % wave. */
const canaryPolicy = (count: number, tenants: string[] = []) => JSON.stringify({ canary: { tenants, count }, waves: [100] });

const rejected = (name: string, description: string, metadata: Record<string, string>, error: string, route: string[]): MockTestCase => ({
  workflow: 'update-tenants',
  name,
  description,
  input: objectCreatedEvent(),
  mocks: { 'Read release metadata': [headObject(metadata)] },
  path: path(u.readRelease, route),
  expect: { status: 'FAILED', error },
});
const invalidNumber = (name: string, description: string, metadata: Record<string, string>) =>
  rejected(name, description, metadata, 'ReleaseNumberInvalid', u.releaseNumberInvalid);
const invalidPolicy = (name: string, description: string, policy: string) =>
  rejected(
    name,
    description,
    { release, 'rollout-policy': policy },
    'RolloutPolicyInvalid',
    path(u.mergePolicy, u.checkPolicy, u.policyInvalid),
  );

/** Why each rejected release failed (asserted on the execution's cause in mocked-executions.test.ts). */
export const REJECTION_CAUSES: Record<string, RegExp> = {
  ReleaseObjectUnreadable: /^HeadObject of the template version failed: S3\.NoSuchKeyException: /,
  ReleaseNumberMissing: /has no release metadata; x-amz-meta-release must be a positive integer without leading zeros/,
  ReleaseNumberLeadingZero: /has release metadata "0042"/,
  ReleaseNumberWithLetters: /has release metadata "12a"/,
  ReleaseNumberZero: /has release metadata "0"/,
  RolloutPolicyNotJson: /^rollout-policy metadata is not a JSON object: /,
  RolloutPolicyCanaryInvalid: /^rollout policy canary must be \{tenants: \[ids\], count\}$/,
  RolloutPolicyCanaryCountInvalid: /^rollout policy canary.count must be an integer from 0 to 100$/,
  RolloutPolicyWavesEmpty: /^rollout policy waves must be a list of 1 to 20 percents$/,
  RolloutPolicyWavesNotIntegers: /^rollout policy waves must be integers from 1 to 100$/,
  RolloutPolicyWavesNotRising: /^rollout policy waves must rise strictly$/,
  RolloutPolicyWavesNotEndingAt100: /^rollout policy waves must end at 100 \(every tenant\)$/,
  RolloutPolicyBakeInvalid: /^rollout policy bakeSeconds must be an integer from 0 to 604800$/,
  RolloutPolicyErrorBudgetCountInvalid: /^rollout policy errorBudget.count must be an integer from 1 to 1000000$/,
  RolloutPolicyErrorBudgetPercentInvalid: /^rollout policy errorBudget.percent must be an integer from 0 to 100$/,
  RolloutPolicyMaxConcurrencyInvalid: /^rollout policy maxConcurrency must be an integer from 0 to 10000$/,
};

export const updateTenantsCases: MockTestCase[] = [
  rolloutCase({
    name: 'HappyPath',
    description:
      'The local policy: a canary wave (the first of the three tenants on the first page found, canary.count 1), then 50 % and 100 % waves from bucket 0 (which skip the canary: it ran already); the 50 % wave pages three times (the last page empty), every wave completes',
    start: { metadata: { release }, findCanaries: [tenantPage(['a', 'b', 'c'], 'c')] },
    mocks: {
      'Start wave': [[3, updateItemOk]],
      'Update named tenant': [outcome('a', 'updated', 0)],
      'Scan first page': [tenantPage(['a', 'b', 'c'], 'c'), tenantPage(['f', 'g'])],
      'Scan next page': [tenantPage(['d'], 'e'), tenantPage([], undefined, 2)],
      'Is the rollout still running?': [[2, rolloutState('RUNNING')]],
      'Update one tenant': children(['b', 'updated'], ['c', 'skipped'], ['d', 'updated'], ['f', 'updated'], ['g', 'updated']),
      'Check rollout state': [running({ updated: 1 }), running({ updated: 3, skipped: 1 }), running()],
      'Complete rollout': [completed({ updated: 5, skipped: 1 })],
    },
    path: path(
      upToWaveFinding(),
      canaryWave('ran'),
      u.bake,
      wave(u.segment([['ran', 'ran'], ['ran'], []])),
      u.bake,
      wave(u.segment([['ran', 'ran']])),
      u.fleetUpdated,
    ),
    expect: completedWith({ updated: 5, skipped: 1 }),
  }),
  rolloutCase({
    name: 'OneWaveHappyPath',
    description: 'A release whose policy has one 100 % wave and no canaries: one segment reads four pages, every tenant updated',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a', 'b', 'c'], 'c')],
      'Scan next page': [tenantPage(['d', 'e', 'f'], 'f'), tenantPage(['g'], 'h', 3), tenantPage(['i'])],
      'Is the rollout still running?': [[3, rolloutState('RUNNING')]],
      'Update one tenant': children(...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'i'].map((id) => [id, 'updated'] as [string, 'updated'])),
      'Check rollout state': [running({ updated: 8 })],
      'Complete rollout': [completed({ updated: 8 })],
    },
    path: path(upToWave, wave(u.segment([['ran', 'ran', 'ran'], ['ran', 'ran', 'ran'], ['ran'], ['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 8 }),
  }),
  {
    workflow: 'update-tenants',
    name: 'NotTheTenantTemplate',
    description: 'Another object in the template bucket: nothing is read or touched',
    input: objectCreatedEvent({ key: 'README.txt' }),
    mocks: {},
    path: path(u.ignored),
    expect: { status: 'SUCCEEDED', output: objectCreatedEvent({ key: 'README.txt' }) },
  },
  {
    workflow: 'update-tenants',
    name: 'TemplateVersionMissing',
    description: 'An event without version-id (unversioned bucket): fails before reading anything',
    input: objectCreatedEvent({ versionId: null }),
    mocks: {},
    path: path(u.versionMissing),
    expect: { status: 'FAILED', error: 'TemplateVersionMissing' },
  },
  {
    workflow: 'update-tenants',
    name: 'ReleaseObjectUnreadable',
    description: 'HeadObject of the event’s version fails (the version was deleted meanwhile): the release is refused, nothing claimed',
    input: objectCreatedEvent(),
    mocks: { 'Read release metadata': [headObjectNotFound] },
    path: path(u.readRelease, u.objectUnreadable),
    expect: { status: 'FAILED', error: 'ReleaseObjectUnreadable' },
  },
  invalidNumber('ReleaseNumberMissing', 'The template version has no release metadata', {}),
  invalidNumber('ReleaseNumberLeadingZero', 'Release metadata with a leading zero ("0042")', { release: '0042' }),
  invalidNumber('ReleaseNumberWithLetters', 'Release metadata with letters ("12a")', { release: '12a' }),
  invalidNumber('ReleaseNumberZero', 'Release metadata "0" (not positive)', { release: '0' }),
  rejected(
    'RolloutPolicyNotJson',
    'rollout-policy metadata that is not JSON: caught in the Parallel and named',
    { release, 'rollout-policy': '{waves: [100]}' },
    'RolloutPolicyInvalid',
    path(u.mergePolicy, u.policyInvalid),
  ),
  invalidPolicy('RolloutPolicyCanaryInvalid', 'canary.tenants is not a list', '{"canary":{"tenants":"acme","count":1}}'),
  invalidPolicy('RolloutPolicyCanaryCountInvalid', 'canary.count is negative', '{"canary":{"tenants":[],"count":-1}}'),
  invalidPolicy('RolloutPolicyWavesEmpty', 'waves is an empty list', '{"waves":[]}'),
  invalidPolicy('RolloutPolicyWavesNotIntegers', 'a wave of 0.5 %', '{"waves":[0.5,100]}'),
  invalidPolicy('RolloutPolicyWavesNotRising', 'waves that fall (50, 20, 100)', '{"waves":[50,20,100]}'),
  invalidPolicy('RolloutPolicyWavesNotEndingAt100', 'waves that stop at 50 % (the rest would never be updated)', '{"waves":[10,50]}'),
  invalidPolicy('RolloutPolicyBakeInvalid', 'bakeSeconds as a string', '{"bakeSeconds":"600"}'),
  invalidPolicy('RolloutPolicyErrorBudgetCountInvalid', 'an error budget of 0 failures', '{"errorBudget":{"count":0,"percent":0}}'),
  invalidPolicy('RolloutPolicyErrorBudgetPercentInvalid', 'an error budget of 101 %', '{"errorBudget":{"count":1,"percent":101}}'),
  invalidPolicy('RolloutPolicyMaxConcurrencyInvalid', 'a negative maxConcurrency', '{"maxConcurrency":-1}'),
  rolloutCase({
    name: 'AccountLimitsUnreadable',
    description:
      'DescribeAccountLimits stays throttled beyond its Retry: the window comes from the planning default of 2,500 concurrent resources (DefaultConcurrentResources) (policy maxConcurrency 0), so two segments scan at once; the fleet is counted over two Select COUNT pages (five tenants, deleted before the wave scans)',
    start: {
      metadata: { release, 'rollout-policy': '{"canary":{"tenants":[],"count":0},"waves":[100],"maxConcurrency":0}' },
      concurrentResources: [[3, throttled]],
      countPages: [tenantCountPage(3, 'c'), tenantCountPage(2)],
    },
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [[2, tenantPage([])]],
      'Check rollout state': [running()],
      'Complete rollout': [completed()],
    },
    path: path(
      u.readRelease,
      u.mergePolicy,
      u.checkPolicy,
      u.count(2),
      u.noCanariesToFind,
      u.claim,
      u.plan,
      wave(u.segment([[]]), u.segment([[]])),
      u.fleetUpdated,
    ),
    expect: completedWith({}),
  }),
  rolloutCase({
    name: 'ReleaseAlreadyRecorded',
    description: 'A repeated event for the release LATEST already holds: the claim is refused and nothing changes',
    mocks: {
      'Claim release': [conditionFailed],
      'Read latest release': [latestRelease(RELEASE, 5)],
    },
    path: path(u.readRelease, u.mergePolicy, u.checkPolicy, u.count(), u.noCanariesToFind, u.claim, u.alreadyRecorded),
    expect: { status: 'SUCCEEDED', output: { release: RELEASE, latestRelease: RELEASE } },
  }),
  rolloutCase({
    name: 'ReleaseSuperseded',
    description: 'An older release arriving after a newer one: the claim is refused and the newer release stays the fleet’s',
    mocks: {
      'Claim release': [conditionFailed],
      'Read latest release': [latestRelease(RELEASE + 1, 6)],
    },
    path: path(u.readRelease, u.mergePolicy, u.checkPolicy, u.count(), u.noCanariesToFind, u.claim, u.superseded),
    expect: { status: 'SUCCEEDED', output: { release: RELEASE, latestRelease: RELEASE + 1 } },
  }),
  rolloutCase({
    name: 'SupersedesOlderRollout',
    description:
      'The previous release’s rollout is still running: it is marked SUPERSEDED (no operator waits on it), then this release rolls out',
    start: { previous: PREVIOUS },
    mocks: {
      'Supersede older rollout': [rolloutUpdated(PREVIOUS.release, 'SUPERSEDED')],
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a'])],
      'Update one tenant': children(['a', 'updated']),
      'Check rollout state': [running({ updated: 1 })],
      'Complete rollout': [completed({ updated: 1 })],
    },
    path: path(upToWave, u.supersedeOlder, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 1 }),
  }),
  rolloutCase({
    name: 'SupersedesWaitingRollout',
    description:
      'The previous rollout waits for its operator (halted): it is superseded and its stored task token released with SendTaskSuccess',
    start: { previous: PREVIOUS },
    mocks: {
      'Supersede older rollout': [rolloutUpdated(PREVIOUS.release, 'SUPERSEDED', { failed: 1 }, 'AAAAKgAAAAIAAAAAAAAAAQ-release-1-token')],
      "Release older rollout's wait": [taskSuccessSent],
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a'])],
      'Update one tenant': children(['a', 'updated']),
      'Check rollout state': [running({ updated: 1 })],
      'Complete rollout': [completed({ updated: 1 })],
    },
    path: path(upToWave, u.supersedeOlder, u.releaseOlderWait, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 1 }),
  }),
  rolloutCase({
    name: 'SupersedesWaitingRolloutTokenExpired',
    description: 'SendTaskSuccess for the older rollout’s token fails (its wait ended already): this rollout goes on',
    start: { previous: PREVIOUS },
    mocks: {
      'Supersede older rollout': [rolloutUpdated(PREVIOUS.release, 'SUPERSEDED', {}, 'AAAAKgAAAAIAAAAAAAAAAQ-release-1-token')],
      "Release older rollout's wait": [taskTimedOut],
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage([])],
      'Check rollout state': [running()],
      'Complete rollout': [completed()],
    },
    path: path(upToWave, u.supersedeOlder, u.releaseOlderWait, wave(u.segment([[]])), u.fleetUpdated),
    expect: completedWith({}),
  }),
  rolloutCase({
    name: 'OlderRolloutFinished',
    description:
      'The previous release’s rollout completed already: the SUPERSEDED mark is refused (ConditionalCheckFailed) and this rollout goes on',
    start: { previous: PREVIOUS },
    mocks: {
      'Supersede older rollout': [conditionFailed],
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage([])],
      'Check rollout state': [running()],
      'Complete rollout': [completed()],
    },
    path: path(upToWave, u.supersedeOlderRefused, wave(u.segment([[]])), u.fleetUpdated),
    expect: completedWith({}),
  }),
  rolloutCase({
    name: 'NamedCanaries',
    description:
      'Named canaries (canary.count 0): wave 0 runs them from the list without a scan (one child cannot start), has no bucket range, then the 100 % wave scans',
    start: { metadata: { release, 'rollout-policy': '{"canary":{"tenants":["acme","globex"],"count":0},"waves":[100]}' } },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Update named tenant': [outcome('acme', 'updated', 0), executionLimitExceeded],
      'Scan first page': [tenantPage(['initech'])],
      'Update one tenant': [outcome('initech', 'updated', 0)],
      'Check rollout state': [running({ updated: 1 }), running({ updated: 2 })],
      'Complete rollout': [completed({ updated: 2 })],
    },
    path: path(upToWave, canaryWave('ran', 'couldNotRun'), u.bake, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 2 }),
  }),
  rolloutCase({
    name: 'EmptyPage',
    description: 'A page the filter emptied (Limit counts scanned items) still has a next page: the segment reads on',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage([], 'c', 3)],
      'Is the rollout still running?': [rolloutState('RUNNING')],
      'Scan next page': [tenantPage(['d'])],
      'Update one tenant': children(['d', 'unchanged']),
      'Check rollout state': [running({ unchanged: 1 })],
      'Complete rollout': [completed({ unchanged: 1 })],
    },
    path: path(upToWave, wave(u.segment([[], ['ran']])), u.fleetUpdated),
    expect: completedWith({ unchanged: 1 }),
  }),
  rolloutCase({
    name: 'SegmentScanFails',
    description:
      'A segment’s Scan stays throttled beyond its Retry: the Map Run fails, the rollout halts for the operator (no tenant skipped), who resumes; the wave runs again',
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Scan first page': [[3, scanThrottled], tenantPage(['a'])],
      'Halt on wave error': [updateItemOk],
      'Check rollout state': [
        rolloutItem(RELEASE, 'HALTED', {}, 'The wave could not run: States.ExceedToleratedFailureThreshold'),
        running(),
        running({ updated: 1 }),
      ],
      'Wait for the operator': [operatorAnswer('resume')],
      'Update one tenant': children(['a', 'updated']),
      'Complete rollout': [completed({ updated: 1 })],
    },
    path: path(upToWave, scanFailedWave, u.waitForOperator, u.checkState, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 1 }),
  }),
  rolloutCase({
    name: 'WaveErrorWhileAborting',
    description:
      'A segment fails while the operator aborts: the halt is refused (the rollout is not RUNNING), the rollout item says ABORTING, and the first release has nothing to go back to',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [[3, scanThrottled]],
      'Halt on wave error': [conditionFailed],
      'Check rollout state': [rolloutItem(RELEASE, 'ABORTING')],
      'Record rollout aborted': [updateItemOk],
    },
    path: path(upToWave, scanFailedWave, u.abort, u.aborted),
    expect: { status: 'SUCCEEDED' },
  }),
  rolloutCase({
    name: 'PausedBetweenWaves',
    description:
      'The local policy; the operator pauses during the bake after the canary wave: the next wave does not start (refused), the workflow stores its token and waits; resumed, the wave starts and the rollout completes',
    start: { metadata: { release }, findCanaries: [tenantPage(['a'], 'a')] },
    mocks: {
      'Start wave': [updateItemOk, conditionFailed, updateItemOk, updateItemOk],
      'Update named tenant': [outcome('a', 'updated', 0)],
      'Scan first page': [tenantPage(['b']), tenantPage(['c'])],
      'Update one tenant': children(['b', 'updated'], ['c', 'updated']),
      'Check rollout state': [
        running({ updated: 1 }),
        rolloutItem(RELEASE, 'PAUSED', { updated: 1 }),
        running({ updated: 1 }),
        running({ updated: 2 }),
        running({ updated: 3 }),
      ],
      'Wait for the operator': [operatorAnswer('resume')],
      'Complete rollout': [completed({ updated: 3 })],
    },
    path: path(
      upToWaveFinding(),
      canaryWave('ran'),
      u.bake,
      u.startWaveRefused,
      u.checkState,
      u.waitForOperator,
      u.checkState,
      wave(u.segment([['ran']])),
      u.bake,
      wave(u.segment([['ran']])),
      u.fleetUpdated,
    ),
    expect: completedWith({ updated: 3 }),
  }),
  rolloutCase({
    name: 'PausedAndResumedDuringBake',
    description:
      'Two waves; the operator pauses and resumes during the bake: the last wave’s start is refused while paused, the item says RUNNING again when read, so that wave runs (it is not skipped)',
    start: { metadata: { release, 'rollout-policy': '{"canary":{"tenants":[],"count":0},"waves":[50,100]}' } },
    mocks: {
      'Start wave': [updateItemOk, conditionFailed, updateItemOk],
      'Scan first page': [tenantPage(['a']), tenantPage(['b'])],
      'Update one tenant': children(['a', 'updated'], ['b', 'updated']),
      'Check rollout state': [running({ updated: 1 }), running({ updated: 1 }), running({ updated: 2 })],
      'Complete rollout': [completed({ updated: 2 })],
    },
    path: path(upToWave, wave(u.segment([['ran']])), u.bake, u.startWaveRefused, u.checkState, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 2 }),
  }),
  rolloutCase({
    name: 'ResumedBeforeHaltWasRead',
    description:
      'A segment fails and the rollout halts, but the operator resumes before the workflow reads the item: the failed wave runs again',
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Scan first page': [[3, scanThrottled], tenantPage(['a'])],
      'Halt on wave error': [updateItemOk],
      'Check rollout state': [running(), running({ updated: 1 })],
      'Update one tenant': children(['a', 'updated']),
      'Complete rollout': [completed({ updated: 1 })],
    },
    path: path(upToWave, scanFailedWave, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 1 }),
  }),
  rolloutCase({
    name: 'PausedMidWaveResumedBeforeRead',
    description:
      'Paused while a segment pages: it stops with pages unread; resumed before the workflow reads the item, the wave runs again and reads the segment to its end',
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Scan first page': [tenantPage(['a', 'b'], 'b'), tenantPage(['a', 'b'], 'b')],
      'Is the rollout still running?': [rolloutState('PAUSED'), rolloutState('RUNNING')],
      'Scan next page': [tenantPage(['c'])],
      'Update one tenant': children(['a', 'updated'], ['b', 'updated'], ['a', 'unchanged'], ['b', 'unchanged'], ['c', 'updated']),
      'Check rollout state': [running({ updated: 2 }), running({ updated: 3, unchanged: 2 })],
      'Complete rollout': [completed({ updated: 3, unchanged: 2 })],
    },
    path: path(upToWave, wave(u.segment([['ran', 'ran']], true)), wave(u.segment([['ran', 'ran'], ['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 3, unchanged: 2 }),
  }),
  rolloutCase({
    name: 'OperatorActedFirst',
    description:
      'Paused after the wave, but the operator resumed before the token was stored: the token write is refused (ConditionalCheckFailed), the state is read again and the wave runs again',
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Scan first page': [tenantPage(['a']), tenantPage(['a'])],
      'Update one tenant': children(['a', 'updated'], ['a', 'unchanged']),
      'Check rollout state': [
        rolloutItem(RELEASE, 'PAUSED', { updated: 1 }),
        running({ updated: 1 }),
        running({ updated: 1, unchanged: 1 }),
      ],
      'Wait for the operator': [conditionFailed],
      'Complete rollout': [completed({ updated: 1, unchanged: 1 })],
    },
    path: path(upToWave, wave(u.segment([['ran']])), u.waitForOperator, u.checkState, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 1, unchanged: 1 }),
  }),
  rolloutCase({
    name: 'HaltedThenAborted',
    description:
      'The first tenant fails and its child halts the rollout (error budget 1): the segment stops scanning, the operator aborts, LATEST goes back to the previous release and both segments roll the touched tenants back',
    start: { previous: PREVIOUS },
    mocks: {
      'Supersede older rollout': [conditionFailed],
      'Start wave': [updateItemOk],
      // Wave: a page of two (a fails and halts, b is deferred), more to read; the rollback: one touched tenant per segment.
      'Scan first page': [tenantPage(['a', 'b'], 'b'), [2, tenantPage(['a'])]],
      'Update one tenant': [
        outcome('a', 'failed', 0, 'UPDATE_ROLLBACK_COMPLETE: The following resource(s) failed to update: [TenantDataTable]. '),
        outcome('b', 'deferred', 1, 'rollout release-2 is HALTED'),
        [2, childExecution({ tenantId: 'a', outcome: 'updated', reason: 'Stack updated', release: PREVIOUS.release }, 2)],
      ],
      'Is the rollout still running?': [rolloutState('HALTED')],
      'Check rollout state': [
        rolloutItem(RELEASE, 'HALTED', { failed: 1, deferred: 1 }, 'error budget spent: 1 failed in wave 0 (budget 1)'),
        rolloutItem(RELEASE, 'ABORTING', { failed: 1, deferred: 1 }),
      ],
      'Wait for the operator': [operatorAnswer('abort')],
      'Claim rollback': [rollbackClaimed(PREVIOUS.seq + 2, PREVIOUS.release, PREVIOUS.versionId, RELEASE)],
      'Record rollout aborted': [updateItemOk],
    },
    path: path(
      upToWave,
      u.supersedeOlderRefused,
      wave(u.segment([['ran', 'ran']], true)),
      u.waitForOperator,
      u.checkState,
      u.abort,
      u.claimRollback,
      u.runWave(u.segment([['ran']]), u.segment([['ran']])),
      u.aborted,
    ),
    expect: { status: 'SUCCEEDED' },
  }),
  rolloutCase({
    name: 'AbortWithoutPreviousRelease',
    description:
      'The first release ever is aborted after its wave: there is no release to go back to, so the rollout is only recorded ABORTED',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a'])],
      'Update one tenant': children(['a', 'updated']),
      'Check rollout state': [rolloutItem(RELEASE, 'ABORTING', { updated: 1 })],
      'Record rollout aborted': [updateItemOk],
    },
    path: path(upToWave, wave(u.segment([['ran']])), u.abort, u.aborted),
    expect: { status: 'SUCCEEDED' },
  }),
  rolloutCase({
    name: 'RollbackSuperseded',
    description:
      'Aborted, but a newer release claimed LATEST meanwhile: the rollback claim is refused and the newer release moves the fleet on',
    start: { previous: PREVIOUS },
    mocks: {
      'Supersede older rollout': [conditionFailed],
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a'])],
      'Update one tenant': children(['a', 'updated']),
      'Check rollout state': [rolloutItem(RELEASE, 'ABORTING', { updated: 1 })],
      'Claim rollback': [conditionFailed],
    },
    path: path(upToWave, u.supersedeOlderRefused, wave(u.segment([['ran']])), u.abort, u.claimRollback, u.rolloutSuperseded),
    expect: { status: 'SUCCEEDED' },
  }),
  rolloutCase({
    name: 'CompleteRefusedThenSuperseded',
    description:
      'A newer release superseded this rollout just before it completed: the completion is refused, the item says SUPERSEDED, the run stops',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a'])],
      'Update one tenant': children(['a', 'updated']),
      'Check rollout state': [running({ updated: 1 }), rolloutItem(RELEASE, 'SUPERSEDED', { updated: 1 })],
      'Complete rollout': [conditionFailed],
    },
    path: path(upToWave, wave(u.segment([['ran']])), u.completeRefused, u.checkState, u.rolloutSuperseded),
    expect: { status: 'SUCCEEDED', output: { state: 'SUPERSEDED', counts: completedOutput({ updated: 1 }).counts, haltReason: '' } },
  }),
  rolloutCase({
    name: 'RolloutEndedElsewhere',
    description: 'The rollout item says COMPLETED when the wave ends (an operator edit): nothing is left to do',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage([])],
      'Check rollout state': [rolloutItem(RELEASE, 'COMPLETED')],
    },
    path: path(upToWave, wave(u.segment([[]])), u.endedElsewhere),
    expect: { status: 'SUCCEEDED', output: { state: 'COMPLETED', counts: completedOutput({}).counts, haltReason: '' } },
  }),
  rolloutCase({
    name: 'SomeTenantsFailed',
    description: 'An error budget of 5: one tenant fails without halting, the rollout completes and the run fails with TenantUpdatesFailed',
    start: {
      metadata: { release, 'rollout-policy': '{"canary":{"tenants":[],"count":0},"waves":[100],"errorBudget":{"count":5,"percent":0}}' },
    },
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a', 'b'])],
      'Update one tenant': [
        outcome('a', 'failed', 0, 'UPDATE_ROLLBACK_COMPLETE: The following resource(s) failed to update: [TenantDataTable]. '),
        outcome('b', 'updated', 1),
      ],
      'Check rollout state': [running({ updated: 1, failed: 1 })],
      'Complete rollout': [completed({ updated: 1, failed: 1 })],
    },
    path: path(upToWave, wave(u.segment([['ran', 'ran']])), u.someTenantsFailed),
    expect: { status: 'FAILED', error: 'TenantUpdatesFailed' },
  }),
  rolloutCase({
    name: 'ChildCouldNotRun',
    description:
      'StartExecution of one tenant’s child fails (execution limit): the page’s Map tolerates it and the other tenant still updates (the rollout item only counts what children wrote)',
    mocks: {
      'Start wave': [updateItemOk],
      'Scan first page': [tenantPage(['a', 'b'])],
      'Update one tenant': [executionLimitExceeded, outcome('b', 'updated', 1)],
      'Check rollout state': [running({ updated: 1 })],
      'Complete rollout': [completed({ updated: 1 })],
    },
    path: path(upToWave, wave(u.segment([['couldNotRun', 'ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 1 }),
  }),
  rolloutCase({
    name: 'CanariesOverTwoPages',
    description:
      'canary.count 2: the filter left one tenant on the first page (Limit counts scanned items), so the search reads on from its LastEvaluatedKey and stops once two are found, more pages unread; the canaries run from the list, then the 100 % wave',
    start: {
      metadata: { release, 'rollout-policy': canaryPolicy(2) },
      findCanaries: [tenantPage(['a'], 'b', 3), tenantPage(['c', 'd', 'e'], 'e')],
    },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Update named tenant': [outcome('a', 'updated', 0), outcome('c', 'updated', 1)],
      'Scan first page': [tenantPage(['a', 'c', 'd'])],
      'Update one tenant': children(['d', 'updated']),
      'Check rollout state': [running({ updated: 2 }), running({ updated: 3 })],
      'Complete rollout': [completed({ updated: 3 })],
    },
    path: path(upToWaveFinding(2), canaryWave('ran', 'ran'), u.bake, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 3 }),
  }),
  rolloutCase({
    name: 'FewerTenantsThanCanaries',
    description:
      'canary.count 3 in a fleet of two: the search reads the table to its end (no LastEvaluatedKey) and the canary wave runs the two it found',
    start: {
      metadata: { release, 'rollout-policy': canaryPolicy(3) },
      tenantCount: 2,
      findCanaries: [tenantPage(['a'], 'a'), tenantPage(['b'])],
    },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Update named tenant': [outcome('a', 'updated', 0), outcome('b', 'updated', 1)],
      'Scan first page': [tenantPage(['a', 'b'])],
      'Check rollout state': [running({ updated: 2 }), running({ updated: 2 })],
      'Complete rollout': [completed({ updated: 2 })],
    },
    path: path(upToWaveFinding(2), canaryWave('ran', 'ran'), u.bake, wave(u.segment([[]])), u.fleetUpdated),
    expect: completedWith({ updated: 2 }),
  }),
  rolloutCase({
    name: 'NamedAndFoundCanaries',
    description:
      'Named canaries acme and globex plus canary.count 2 found (globex again, then initech): the canary wave runs acme, globex and initech once each, named ones first',
    start: {
      metadata: { release, 'rollout-policy': canaryPolicy(2, ['acme', 'globex']) },
      findCanaries: [tenantPage(['globex', 'initech', 'hooli'], 'hooli')],
    },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Update named tenant': [outcome('acme', 'updated', 0), outcome('globex', 'updated', 1), outcome('initech', 'updated', 2)],
      'Scan first page': [tenantPage(['hooli'])],
      'Update one tenant': children(['hooli', 'updated']),
      'Check rollout state': [running({ updated: 3 }), running({ updated: 4 })],
      'Complete rollout': [completed({ updated: 4 })],
    },
    path: path(upToWaveFinding(), canaryWave('ran', 'ran', 'ran'), u.bake, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 4 }),
  }),
  rolloutCase({
    name: 'FindCanariesThrottled',
    description: 'The canary search’s Scan is throttled once: its Retry reads the page again and the canary it finds runs',
    start: { metadata: { release, 'rollout-policy': canaryPolicy(1) }, findCanaries: [scanThrottled, tenantPage(['a', 'b'])] },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Update named tenant': [outcome('a', 'updated', 0)],
      'Scan first page': [tenantPage(['a', 'b'])],
      'Update one tenant': children(['b', 'updated']),
      'Check rollout state': [running({ updated: 1 }), running({ updated: 2 })],
      'Complete rollout': [completed({ updated: 2 })],
    },
    path: path(upToWaveFinding(), canaryWave('ran'), u.bake, wave(u.segment([['ran']])), u.fleetUpdated),
    expect: completedWith({ updated: 2 }),
  }),
  rolloutCase({
    name: 'CanariesAfterEmptyPage',
    description:
      'The canary search’s first page holds no tenant the filter kept (Limit counts scanned items) but has a LastEvaluatedKey: the search reads on and finds its canary on the next page',
    start: {
      metadata: { release, 'rollout-policy': canaryPolicy(1) },
      findCanaries: [tenantPage([], 'c', 3), tenantPage(['d'])],
    },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Update named tenant': [outcome('d', 'updated', 0)],
      'Scan first page': [tenantPage(['d'])],
      'Check rollout state': [running({ updated: 1 }), running({ updated: 1 })],
      'Complete rollout': [completed({ updated: 1 })],
    },
    path: path(upToWaveFinding(2), canaryWave('ran'), u.bake, wave(u.segment([[]])), u.fleetUpdated),
    expect: completedWith({ updated: 1 }),
  }),
  rolloutCase({
    name: 'EmptyTable',
    description:
      'The local policy on an empty table (counted 0): the canary search finds nobody, so there is no canary wave; the 50 % and 100 % waves scan one empty segment each (budgets by count only)',
    start: { metadata: { release }, tenantCount: 0, findCanaries: [tenantPage([])] },
    mocks: {
      'Start wave': [[2, updateItemOk]],
      'Scan first page': [[2, tenantPage([])]],
      'Check rollout state': [[2, running()]],
      'Complete rollout': [completed()],
    },
    path: path(upToWaveFinding(), wave(u.segment([[]])), u.bake, wave(u.segment([[]])), u.fleetUpdated),
    expect: completedWith({}),
  }),
];
