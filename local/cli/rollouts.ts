/**
 * The operator's view of and hand on fleet rollouts (docs/rollouts.md): the fleet's desired release
 * (LATEST in the release table), a rollout's item (`release-<N>`), and pause / resume / abort.
 *
 * Each command is one conditional write on the rollout item, so it acts only on a rollout in a state
 * it applies to (and says which state it found otherwise). resume and abort then hand the workflow
 * the task token it stored while waiting; the workflow stores that token on condition that the
 * rollout still waits, so a command landing before the token is stored is not lost either.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { CloudClients } from '../deploy/clients';
import { output, type StackInfo } from './operations';

export type RolloutState = 'RUNNING' | 'PAUSED' | 'HALTED' | 'ABORTING' | 'ABORTED' | 'COMPLETED' | 'SUPERSEDED';

export interface LatestRelease {
  /** The highest release number accepted (the order guard). */
  readonly release: number;
  /** The release whose template the fleet should run (lower than `release` after an abort). */
  readonly templateRelease: number;
  readonly seq: number;
  readonly templateUrl: string;
  readonly rolloutId?: string;
}

export interface Rollout {
  readonly id: string;
  readonly release: number;
  readonly state: RolloutState;
  readonly wave: number;
  readonly waveName?: string;
  readonly waveCount: number;
  readonly waveFailed: number;
  readonly waveBudget: number;
  readonly window: number;
  /** With more than one cell: each cell's own window (its account's budget); `window` is their sum. */
  readonly cellWindows: Readonly<Record<string, number>>;
  /** The ACTIVE or PROVISIONING tenants the rollout counted when it started (its percent budgets' base). */
  readonly fleetCount?: number;
  /** Throttled CloudFormation calls the rollout's children reported (the segments' windows adapt to it). */
  readonly throttled: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly haltReason?: string;
  readonly previousRelease?: number;
  readonly waiting: boolean;
  readonly startedAt?: string;
  readonly updatedAt?: string;
  readonly executionArn?: string;
}

const num = (v: AttributeValue | undefined): number | undefined => (v?.N === undefined ? undefined : Number(v.N));

function releaseTable(info: StackInfo): string {
  return output(info, 'ReleaseTableName');
}

export function rolloutId(release: number): string {
  return `release-${release}`;
}

/** LATEST, or undefined before the first release was recorded. */
export async function latestRelease(clients: CloudClients, info: StackInfo): Promise<LatestRelease | undefined> {
  const item = (
    await clients.dynamodb.send(new GetItemCommand({ TableName: releaseTable(info), Key: { id: { S: 'LATEST' } }, ConsistentRead: true }))
  ).Item;
  if (!item) return undefined;
  return {
    release: num(item.release) ?? 0,
    templateRelease: num(item.templateRelease) ?? num(item.release) ?? 0,
    seq: num(item.seq) ?? 0,
    templateUrl: item.templateUrl?.S ?? '',
    rolloutId: item.rolloutId?.S,
  };
}

/** The rollout item's cellWindows (a JSON list of {name, window}; absent or [] with one cell). */
function cellWindowsOf(text: string | undefined): Record<string, number> {
  if (!text) return {};
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return {};
  }
  if (!Array.isArray(list)) return {};
  return Object.fromEntries(
    list.flatMap((entry: { name?: unknown; window?: unknown }) =>
      typeof entry?.name === 'string' && typeof entry.window === 'number' ? [[entry.name, entry.window]] : [],
    ),
  );
}

function toRollout(item: Record<string, AttributeValue>): Rollout {
  const counts = Object.fromEntries(Object.entries(item.counts?.M ?? {}).map(([k, v]) => [k, Number(v.N ?? 0)]));
  return {
    id: item.id.S!,
    release: num(item.release) ?? 0,
    state: item.state?.S as RolloutState,
    wave: num(item.wave) ?? 0,
    waveName: item.waveName?.S,
    waveCount: num(item.waveCount) ?? 0,
    waveFailed: num(item.waveFailed) ?? 0,
    waveBudget: num(item.waveBudget) ?? 0,
    window: num(item.window) ?? 0,
    cellWindows: cellWindowsOf(item.cellWindows?.S),
    fleetCount: num(item.fleetCount),
    throttled: num(item.throttled) ?? 0,
    counts,
    haltReason: item.haltReason?.S,
    previousRelease: num(item.previousRelease) || undefined,
    waiting: Boolean(item.operatorToken?.S),
    startedAt: item.startedAt?.S,
    updatedAt: item.updatedAt?.S,
    executionArn: item.executionArn?.S,
  };
}

/** The rollout of `release` (default: the fleet's latest), or undefined when there is none. */
export async function describeRollout(clients: CloudClients, info: StackInfo, release?: number): Promise<Rollout | undefined> {
  const id = release !== undefined ? rolloutId(release) : (await latestRelease(clients, info))?.rolloutId;
  if (!id) return undefined;
  const item = (
    await clients.dynamodb.send(new GetItemCommand({ TableName: releaseTable(info), Key: { id: { S: id } }, ConsistentRead: true }))
  ).Item;
  return item ? toRollout(item) : undefined;
}

/** Every rollout item, newest release first. */
export async function listRollouts(clients: CloudClients, info: StackInfo): Promise<Rollout[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await clients.dynamodb.send(
      new ScanCommand({ TableName: releaseTable(info), ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []).filter((item) => item.id?.S !== 'LATEST'));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.map(toRollout).sort((a, b) => b.release - a.release);
}

/** How many tenants run each release (the records' observed `release`; `none` when a record has none). */
export async function tenantsByRelease(clients: CloudClients, info: StackInfo): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await clients.dynamodb.send(
      new ScanCommand({
        TableName: output(info, 'TenantTableName'),
        ProjectionExpression: '#release, #status',
        ExpressionAttributeNames: { '#release': 'release', '#status': 'status' },
        FilterExpression: '#status = :active OR #status = :provisioning',
        ExpressionAttributeValues: { ':active': { S: 'ACTIVE' }, ':provisioning': { S: 'PROVISIONING' } },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const key = item.release?.N ?? 'none';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return counts;
}

export class RolloutStateError extends Error {}

/**
 * One conditional write on the rollout item: `from` are the states it applies to. Returns the item
 * as it was (its operator token, if the workflow was waiting). Throws RolloutStateError naming the
 * state found when the rollout is in none of them, or when there is no such rollout.
 */
async function transition(
  clients: CloudClients,
  info: StackInfo,
  release: number,
  to: RolloutState,
  from: readonly RolloutState[],
  verb: string,
): Promise<Record<string, AttributeValue>> {
  const values: Record<string, AttributeValue> = { ':to': { S: to }, ':now': { S: new Date().toISOString() } };
  from.forEach((state, i) => (values[`:from${i}`] = { S: state }));
  try {
    const updated = await clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: releaseTable(info),
        Key: { id: { S: rolloutId(release) } },
        UpdateExpression: 'SET #state = :to, updatedAt = :now REMOVE operatorToken',
        ConditionExpression: `#state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    return updated.Attributes ?? {};
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = await describeRollout(clients, info, release);
    if (!current) throw new RolloutStateError(`there is no rollout of release ${release}`);
    throw new RolloutStateError(
      `cannot ${verb} the rollout of release ${release}: it is ${current.state}; ${verb} applies to ${from.join(' or ')}`,
    );
  }
}

async function wake(clients: CloudClients, previous: Record<string, AttributeValue>, action: 'resume' | 'abort'): Promise<boolean> {
  const token = previous.operatorToken?.S;
  if (!token) return false; // not waiting yet: it reads the new state when it looks
  try {
    await clients.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ action }) }));
    return true;
  } catch (error) {
    // The wait ended already (TaskTimedOut, TaskDoesNotExist): the state written above still holds.
    if (['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes((error as Error).name)) return false;
    throw error;
  }
}

/** RUNNING -> PAUSED: no tenant is touched from now on; the workflow waits after the current wave's in-flight updates. */
export async function pauseRollout(clients: CloudClients, info: StackInfo, release: number): Promise<void> {
  await transition(clients, info, release, 'PAUSED', ['RUNNING'], 'pause');
}

/** PAUSED or HALTED -> RUNNING: the current wave runs again (tenants already on the release are unchanged), then the next. */
export async function resumeRollout(clients: CloudClients, info: StackInfo, release: number): Promise<{ woke: boolean }> {
  const previous = await transition(clients, info, release, 'RUNNING', ['PAUSED', 'HALTED'], 'resume');
  return { woke: await wake(clients, previous, 'resume') };
}

/** RUNNING, PAUSED or HALTED -> ABORTING: the workflow rolls every tenant this rollout touched back to the previous release. */
export async function abortRollout(clients: CloudClients, info: StackInfo, release: number): Promise<{ woke: boolean }> {
  const previous = await transition(clients, info, release, 'ABORTING', ['RUNNING', 'PAUSED', 'HALTED'], 'abort');
  return { woke: await wake(clients, previous, 'abort') };
}
