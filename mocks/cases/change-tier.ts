/** The mocked test cases of change-tier (a TenantTierChanged event): one per branch (see mocks/test-cases.ts). */
import { childExecution, conditionFailed, dynamoTableMissing, noTenantRecord, updateItemOk, type MockedOutcome } from '../responses';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../statemachines/local-substitutions';
import { TENANT, pinnedUrl, local, type Expectation, type MockTestCase } from './common';

const EVENT_TIME = '2026-01-05T10:00:00Z';
const METADATA = { SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: 'C4H6A8N0G2E4T6I8E0R2' } };

/** The TenantTierChanged event a producer sends. */
function tierChanged(detail: Record<string, unknown>, time: string | null = EVENT_TIME): Record<string, unknown> {
  return {
    version: '0',
    id: '0b3c6f7e-5a1d-4e2b-9c8f-7d6e5a4b3c2d',
    'detail-type': 'TenantTierChanged',
    source: local.EventSource,
    account: LOCAL_ACCOUNT,
    ...(time === null ? {} : { time }),
    region: LOCAL_REGION,
    resources: [],
    detail,
  };
}
const premium = tierChanged({ tenantId: TENANT, tier: 'premium' });

/** GetItem of the tenant record (DynamoDB JSON). */
function record(
  fields: { status?: string | null; version?: number | null; tier?: string; tierAt?: string; desiredAt?: string } = {},
): MockedOutcome {
  const item: Record<string, unknown> = { tenantId: { S: TENANT } };
  if (fields.status !== null) item.status = { S: fields.status ?? 'ACTIVE' };
  if (fields.version !== null) item.version = { N: String(fields.version ?? 3) };
  item.tier = { S: fields.tier ?? 'standard' };
  item.desiredAt = { S: fields.desiredAt ?? '2026-01-01T09:00:00Z' };
  if (fields.tierAt !== undefined) item.tierAt = { S: fields.tierAt };
  return { Return: { Item: item, ...METADATA } };
}
const latest: MockedOutcome = {
  Return: {
    Item: {
      id: { S: 'LATEST' },
      release: { N: '1001000' },
      templateRelease: { N: '1001000' },
      seq: { N: '3' },
      templateUrl: { S: pinnedUrl },
    },
    ...METADATA,
  },
};
const noLatest: MockedOutcome = { Return: { ...METADATA } };
const updated = childExecution({
  tenantId: TENANT,
  outcome: 'updated',
  reason: 'Stack on release 1001000 (template version 1.1.0)',
  release: 1_001_000,
});
const childFailed = childExecution({ tenantId: TENANT, outcome: 'failed', reason: 'UPDATE_ROLLBACK_COMPLETE: boom' });
const childSuperseded = childExecution({
  tenantId: TENANT,
  outcome: 'superseded',
  reason: 'A newer release (seq 4) is already the target of this tenant',
});
const childCouldNotRun: MockedOutcome = {
  Throw: { Error: 'StepFunctions.ExecutionLimitExceededException', Cause: 'Maximum number of running executions reached' },
};

const checked = ['Check tenant id', 'Is a tier given?', 'Look up tier', 'Is the tier known?', 'Does the event carry its time?'];
const start = [...checked, 'Prepare change', 'Read tenant record', 'What does the record say?'];
const readAgain = ['Read tenant record', 'What does the record say?'];
const toStack = ['Read latest release', 'Is a release recorded?', 'Update tenant stack', 'Did the stack take the tier?'];
const out = (outcome: string, reason: string, tier = 'premium') => ({ tenantId: TENANT, tier, outcome, reason });
const changed = out('changed', 'Stack on release 1001000 (template version 1.1.0)');
const stale = out('stale', `The event (${EVENT_TIME}) is older than the tenant record says (a newer tier change or the tenant creation)`);

/** A change-tier case that succeeds with `output` (ok) or fails with `error` (failed). */
function tierCase(
  name: string,
  description: string,
  input: unknown,
  mocks: MockTestCase['mocks'],
  path: string[],
  expect: Expectation,
): MockTestCase {
  return { workflow: 'change-tier', name, description, input, mocks, path, expect };
}
const ok = (name: string, description: string, input: unknown, mocks: MockTestCase['mocks'], path: string[], output: unknown) =>
  tierCase(name, description, input, mocks, path, { status: 'SUCCEEDED', output });
const failed = (name: string, description: string, input: unknown, mocks: MockTestCase['mocks'], path: string[], error: string) =>
  tierCase(name, description, input, mocks, path, { status: 'FAILED', error });

type TierWrite = 'Record first tier change' | 'Record tier change';
/** The record read as `read`, the tier recorded by `write` (none: the record has the tier already), LATEST read, update-tenant answers `child`. */
function throughStack(child: MockedOutcome, read = record(), write: TierWrite | null = 'Record first tier change'): MockTestCase['mocks'] {
  return {
    'Read tenant record': [read],
    ...(write && { [write]: [updateItemOk] }),
    'Read latest release': [latest],
    'Update tenant stack': [child],
  };
}

/** The record read decides (stale, unknown, not active): nothing written; `decision` is the last state. */
const nothingWrittenCase = (name: string, description: string, read: MockedOutcome, decision: string, output: unknown) =>
  ok(name, description, premium, { 'Read tenant record': [read] }, [...start, decision], output);
const notActive = out('skipped', 'Tenant is not ACTIVE: the tier is not changed');

/** An input the first checks reject, nothing read: `rejectedAt` are the states up to the rejection. */
const rejected = (name: string, description: string, detail: Record<string, unknown>, rejectedAt: string[], error: string) =>
  failed(name, description, tierChanged(detail), {}, rejectedAt, error);
const tenantIdRejected = ['Check tenant id', 'Reject invalid tenant id'];
const tierRejected = ['Check tenant id', 'Is a tier given?', 'Reject invalid tier'];

export const changeTierCases: MockTestCase[] = [
  ok(
    'FirstChange',
    'The first tier change of an ACTIVE tenant: recorded (no tierAt yet), the stack updated at LATEST by update-tenant (reason tier)',
    premium,
    throughStack(updated),
    [...start, 'Record first tier change', ...toStack, 'Tier changed'],
    changed,
  ),
  ok(
    'LaterChange',
    'A change after an older one: recorded on the tierAt that was read',
    premium,
    throughStack(updated, record({ tier: 'free', tierAt: '2026-01-04T10:00:00Z' }), 'Record tier change'),
    [...start, 'Record tier change', ...toStack, 'Tier changed'],
    changed,
  ),
  ok(
    'SameTier',
    'The record has this tier already (a repeated event): nothing written, the stack updated anyway ("No updates" when it has it)',
    premium,
    throughStack(updated, record({ tier: 'premium', tierAt: '2026-01-04T10:00:00Z' }), null),
    [...start, ...toStack, 'Tier changed'],
    changed,
  ),
  ok(
    'WithoutTime',
    'An input without time (started by hand): the execution start time orders it',
    tierChanged({ tenantId: TENANT, tier: 'premium' }, null),
    throughStack(updated),
    [
      ...checked,
      'Use execution start time',
      'Prepare change',
      'Read tenant record',
      'What does the record say?',
      'Record first tier change',
      ...toStack,
      'Tier changed',
    ],
    changed,
  ),
  nothingWrittenCase(
    'OlderThanCreation',
    'The event is older than the tenant creation (desiredAt): stale, nothing written',
    record({ desiredAt: '2026-01-06T10:00:00Z' }),
    'Stale event',
    stale,
  ),
  nothingWrittenCase(
    'OlderThanLastChange',
    'The event is not newer than the last recorded change (a tie included): stale, nothing written',
    record({ tier: 'free', tierAt: EVENT_TIME }),
    'Stale event',
    stale,
  ),
  nothingWrittenCase(
    'UnknownTenant',
    'No tenant record: reported unknown, nothing written',
    noTenantRecord,
    'Unknown tenant',
    out('unknown', 'No tenant record'),
  ),
  nothingWrittenCase(
    'NotActive',
    'A DELETED tenant: skipped, nothing written',
    record({ status: 'DELETED' }),
    'Tenant not active',
    notActive,
  ),
  nothingWrittenCase('RecordWithoutStatus', 'A record without a status: skipped', record({ status: null }), 'Tenant not active', notActive),
  nothingWrittenCase(
    'RecordWithoutVersion',
    'A record written before records had versions: skipped (the write could not be made conditional)',
    record({ version: null }),
    'Tenant not active',
    notActive,
  ),
  ok(
    'RecordRaced',
    'The write is refused (a newer change was recorded since the read): read again, stale',
    premium,
    {
      'Read tenant record': [record(), record({ tier: 'free', tierAt: '2026-01-05T11:00:00Z' })],
      'Record first tier change': [conditionFailed],
    },
    [...start, 'Record first tier change', ...readAgain, 'Stale event'],
    stale,
  ),
  ok(
    'LaterChangeRaced',
    'The write on the tierAt read is refused: read again, the tenant is gone',
    premium,
    { 'Read tenant record': [record({ tierAt: '2026-01-04T10:00:00Z' }), noTenantRecord], 'Record tier change': [conditionFailed] },
    [...start, 'Record tier change', ...readAgain, 'Unknown tenant'],
    out('unknown', 'No tenant record'),
  ),
  ok(
    'NoReleaseRecorded',
    'No release recorded yet: the tier is recorded, the stack takes it with the first release',
    premium,
    { 'Read tenant record': [record()], 'Record first tier change': [updateItemOk], 'Read latest release': [noLatest] },
    [...start, 'Record first tier change', 'Read latest release', 'Is a release recorded?', 'No release recorded'],
    out('recorded', 'The tier is recorded; no release is recorded yet, the stack takes it with the first one'),
  ),
  ok(
    'Superseded',
    'update-tenant reports superseded (a newer release is the target): its update carries the recorded tier, so changed',
    premium,
    throughStack(childSuperseded),
    [...start, 'Record first tier change', ...toStack, 'Tier changed'],
    out('changed', 'A newer release (seq 4) is already the target of this tenant'),
  ),
  failed(
    'StackUpdateFailed',
    'update-tenant reports failed: TierChangeNotApplied (the tier stays recorded)',
    premium,
    throughStack(childFailed),
    [...start, 'Record first tier change', ...toStack, 'Note update outcome', 'Stack not updated'],
    'TierChangeNotApplied',
  ),
  failed(
    'ChildCouldNotRun',
    'update-tenant could not be started: TierChangeNotApplied',
    premium,
    throughStack(childCouldNotRun),
    [...start, 'Record first tier change', 'Read latest release', 'Is a release recorded?', 'Update tenant stack', 'Stack not updated'],
    'TierChangeNotApplied',
  ),
  failed(
    'LatestUnreadable',
    'The release table cannot be read: TierChangeNotApplied',
    premium,
    { 'Read tenant record': [record()], 'Record first tier change': [updateItemOk], 'Read latest release': [dynamoTableMissing] },
    [...start, 'Record first tier change', 'Read latest release', 'Stack not updated'],
    'TierChangeNotApplied',
  ),
  failed(
    'FirstChangeNotWritten',
    'The first tier write fails otherwise: TierNotRecorded',
    premium,
    { 'Read tenant record': [record()], 'Record first tier change': [dynamoTableMissing] },
    [...start, 'Record first tier change', 'Tier not recorded'],
    'TierNotRecorded',
  ),
  failed(
    'LaterChangeNotWritten',
    'A later tier write fails otherwise: TierNotRecorded',
    premium,
    { 'Read tenant record': [record({ tierAt: '2026-01-04T10:00:00Z' })], 'Record tier change': [dynamoTableMissing] },
    [...start, 'Record tier change', 'Tier not recorded'],
    'TierNotRecorded',
  ),
  failed(
    'RecordUnreadable',
    'The tenant table cannot be read: TenantRecordUnreadable',
    premium,
    { 'Read tenant record': [dynamoTableMissing] },
    [...start.slice(0, -1), 'Record unreadable'],
    'TenantRecordUnreadable',
  ),
  rejected('TenantIdMissing', 'No tenantId: InvalidTenantId, nothing read', { tier: 'premium' }, tenantIdRejected, 'InvalidTenantId'),
  rejected(
    'TenantIdNotString',
    'tenantId a number: InvalidTenantId',
    { tenantId: 7, tier: 'premium' },
    tenantIdRejected,
    'InvalidTenantId',
  ),
  rejected('TenantIdEmpty', 'tenantId empty: InvalidTenantId', { tenantId: '', tier: 'premium' }, tenantIdRejected, 'InvalidTenantId'),
  rejected('TierMissing', 'No tier: InvalidTier, nothing read', { tenantId: TENANT }, tierRejected, 'InvalidTier'),
  rejected('TierNotString', 'tier a number: InvalidTier', { tenantId: TENANT, tier: 3 }, tierRejected, 'InvalidTier'),
  rejected(
    'TierUnknown',
    'A tier that is not one of the tiers: InvalidTier',
    { tenantId: TENANT, tier: 'gold' },
    ['Check tenant id', 'Is a tier given?', 'Look up tier', 'Is the tier known?', 'Reject invalid tier'],
    'InvalidTier',
  ),
];
