/**
 * `npm run bench -- fleet`: a release across a simulated fleet on the local cloud (the engine, dynalite,
 * local S3 / EventBridge / CloudFormation, one virtual time line). Deploys the synthesized app as
 * `npm start` does, seeds N tenants (bench/fleet/fixture.ts), uploads a release (PutObject of the
 * template object with `x-amz-meta-release`), lets the deployed rollout workflow run until its
 * executions end (or nothing is left to run: a halted rollout waits for an operator), and reports
 * what issue 10 asks: simulated rollout time against the concurrency bound, the largest history,
 * state transitions and API calls per tenant, peak API calls per simulated second, wall time, RSS.
 */
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { startLocalCloud, type LocalCloud } from '../../local/cloud';
import { recordedTenantStackProviders } from '../../local/cloudformation';
import { currentTemplate, output, tenantStackName, workflowArn, withTemplateVersion } from '../../local/cli/operations';
import { resumeRollout } from '../../local/cli/rollouts';
import { runInChild } from '../child';
import { peakRssBytes } from '../measure';
import { fleetBehaviour, fleetTenantId, seedFleet, type FleetBehaviourOptions } from './fixture';

export interface FleetRunOptions extends Omit<FleetBehaviourOptions, 'tenants'> {
  readonly tenants: number;
  readonly log?: (line: string) => void;
  /** Wall-clock budget for the rollout to end (default 15 min). */
  readonly wallTimeoutMs?: number;
  /** The release's `rollout-policy` metadata (a JSON override of the deployed policy), if any. */
  readonly policyOverride?: string;
  /** Closed executions the engine keeps (default 2,000; statistics cover released ones too). */
  readonly retainClosedExecutions?: number;
}

export interface FleetRunReport {
  readonly tenants: number;
  readonly release: number;
  readonly badRelease: boolean;
  /** Simulated seconds from the release upload to the end of the rollout executions (or to a halted rollout's last work). */
  readonly simulatedSeconds: number;
  /** tenants x mean update time / concurrent stacks (ConcurrentResourcesLimit / resources per tenant stack). */
  readonly boundSeconds: number;
  readonly concurrentStacks: number;
  readonly resourcesPerStack: number;
  /** How the rollout's first execution ended (RUNNING: it waits, e.g. halted for an operator). */
  readonly rolloutStatus: string;
  /** The rollout item's state at the end (`HALTED`, `COMPLETED`, ...), when the release table has one. */
  readonly rolloutState?: string;
  /** How often the bench, as the operator, resumed a halted rollout. */
  readonly operatorResumes: number;
  readonly rolloutExecutions: number;
  readonly maxHistoryEvents: number;
  readonly statesEntered: number;
  readonly executions: number;
  /** API calls answered by the local services during the rollout, by service and action. */
  readonly apiCalls: Readonly<Record<string, number>>;
  readonly peakCallsPerSecond: number;
  /** Tenant stacks that saw an UpdateStack during the rollout. */
  readonly touched: number;
  readonly stackOutcomes: Readonly<Record<string, number>>;
  /** The rollout policy's error budget (rollout item `release-<N>` in the release table), when there is one. */
  readonly errorBudget?: number;
  readonly seedWallMs: number;
  readonly rolloutWallMs: number;
  readonly wallMs: number;
  readonly peakRssBytes: number;
  /** Heap in use at the end (after a full collection when node runs with --expose-gc), the cloud still up. */
  readonly heapUsedBytes: number;
}

export async function runFleetRollout(options: FleetRunOptions): Promise<FleetRunReport> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const timeline = new VirtualTimeline();
  const behaviour = fleetBehaviour(options);
  const cloud = await startLocalCloud({
    timeline,
    behaviour,
    // Lighter tenant stacks: record-only tables and roles, no per-resource events, a bounded event log,
    // the release's template read from S3 once.
    cloudformation: {
      providers: recordedTenantStackProviders(),
      resourceStatusEvents: false,
      maxEventsPerStack: 20,
      cacheVersionedTemplates: true, // one S3 read of the pinned release, not one per UpdateStack
    },
    // Closed executions beyond this are released; their statistics are kept (Engine.closedExecutionStatistics).
    engine: { retention: { maxClosedExecutions: options.retainClosedExecutions ?? 2_000 } },
  });
  try {
    cloud.services.eventbridge.setRecordLimit(1_000);
    await cloud.idle(); // the deployment's own template upload and what it started
    const { clients, info } = cloud;
    const templateBody = await currentTemplate(clients, info);
    const currentVersion = templateVersionOf(templateBody);
    const currentRelease = await latestRelease(cloud);
    const release = currentRelease + 1;

    const seedStarted = performance.now();
    await seedFleet(cloud, { tenants: options.tenants, templateBody, release: currentRelease, templateVersion: currentVersion });
    const seedWallMs = performance.now() - seedStarted;
    log(`  seeded ${options.tenants.toLocaleString('en-US')} tenants (records + stacks) in ${(seedWallMs / 1000).toFixed(1)} s`);

    const resourcesPerStack = await resourcesOf(cloud, tenantStackName(fleetTenantId(0)));
    const limits = cloud.services.cloudformation.behaviour.getLimits();
    const concurrentStacks = Math.floor(limits.concurrentResources / resourcesPerStack);
    const updateMs = options.updateMs ?? { min: 30_000, max: 120_000 };
    const boundSeconds = (options.tenants * ((updateMs.min + updateMs.max) / 2 / 1000)) / Math.min(concurrentStacks, options.tenants);

    // Count the calls the local services answer from here on, per simulated second too.
    const apiCalls: Record<string, number> = {};
    const perSecond = new Map<number, number>();
    // The bench's own reads of the rollout item are not the rollout's calls: counted, then taken off.
    let ownReads = 0;
    const count = (service: string) => (action: string) => {
      const key = `${service}:${action}`;
      apiCalls[key] = (apiCalls[key] ?? 0) + 1;
      const second = Math.floor(timeline.now() / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    };
    cloud.services.cloudformation.addCallListener(count('cloudformation'));
    cloud.services.dynamodb.addCallListener(count('dynamodb'));
    cloud.services.eventbridge.addCallListener(count('events'));
    const statsBefore = cloud.engine.closedExecutionStatistics;
    const rolloutArn = workflowArn(info, 'update-tenants');
    const known = new Set(cloud.engine.listExecutions(rolloutArn).map((e) => e.executionArn));

    const rolloutStarted = performance.now();
    const t0 = timeline.now();
    const body = releaseBody(templateBody, release);
    await timeline.track(
      clients.s3.send(
        new PutObjectCommand({
          Bucket: output(info, 'TemplateBucketName'),
          Key: info.templateObjectKey,
          Body: body,
          ContentType: 'application/json',
          Metadata: { release: String(release), ...(options.policyOverride ? { 'rollout-policy': options.policyOverride } : {}) },
        }),
      ),
    );
    log(
      `  release ${release} uploaded${options.policyOverride ? ` with rollout-policy ${options.policyOverride}` : ''}; the rollout runs on the simulated time line`,
    );
    const readRolloutItem = () => {
      ownReads++;
      return releaseItem(cloud, `release-${release}`);
    };
    // The bench is the operator: a release with a share of failing tenants halts when a failure
    // lands in the canary wave (it tolerates none); the operator resumes it. A bad release's halt is
    // the result.
    const onHalt = async (item: Record<string, AttributeValue>): Promise<'resume' | 'stop'> => {
      if (options.badRelease) return 'stop';
      log(`  rollout ${item.state?.S} in ${item.waveName?.S ?? 'a wave'} (${item.haltReason?.S ?? 'paused'}); the operator resumes it`);
      await resumeRollout(clients, info, release);
      return 'resume';
    };
    const ended = await waitForRollout(
      cloud,
      rolloutArn,
      known,
      readRolloutItem,
      options.wallTimeoutMs ?? 15 * 60_000,
      (line) => log(line),
      onHalt,
    );
    // The operator's own writes are not the rollout's calls either.
    if (ended.resumes > 0) apiCalls['dynamodb:UpdateItem'] = (apiCalls['dynamodb:UpdateItem'] ?? 0) - ended.resumes;
    const rolloutItem = await readRolloutItem();
    if (ownReads > 0 && cloud.info.outputs.ReleaseTableName) {
      apiCalls['dynamodb:GetItem'] = (apiCalls['dynamodb:GetItem'] ?? 0) - ownReads;
      if (apiCalls['dynamodb:GetItem'] <= 0) delete apiCalls['dynamodb:GetItem'];
    }
    const rolloutWallMs = performance.now() - rolloutStarted;
    const endedAt = Math.max(ended.lastStop ?? t0, ended.idleAt ?? t0);

    const stats = cloud.engine.closedExecutionStatistics;
    const runningHistories = runningMaxHistory(cloud, rolloutArn);
    const stackOutcomes: Record<string, number> = {};
    let touched = 0;
    for (const stack of cloud.services.cloudformation.listStackRecords()) {
      if (!stack.stackName.startsWith(tenantStackName(''))) continue;
      if (stack.lastUpdatedTime !== undefined && stack.lastUpdatedTime >= t0) touched++;
      stackOutcomes[stack.status] = (stackOutcomes[stack.status] ?? 0) + 1;
    }
    (globalThis as { gc?: () => void }).gc?.();
    const heapUsedBytes = process.memoryUsage().heapUsed;
    return {
      heapUsedBytes,
      tenants: options.tenants,
      release,
      badRelease: options.badRelease ?? false,
      simulatedSeconds: (endedAt - t0) / 1000,
      boundSeconds,
      concurrentStacks,
      resourcesPerStack,
      rolloutStatus: ended.status,
      rolloutState: rolloutItem?.state?.S,
      operatorResumes: ended.resumes,
      rolloutExecutions: ended.executions,
      maxHistoryEvents: Math.max(stats.largestHistory?.events ?? 0, runningHistories),
      statesEntered: stats.statesEntered - statsBefore.statesEntered,
      executions: stats.executions - statsBefore.executions,
      apiCalls,
      peakCallsPerSecond: Math.max(0, ...perSecond.values()),
      touched,
      stackOutcomes,
      errorBudget: errorBudgetOf(rolloutItem),
      seedWallMs,
      rolloutWallMs,
      wallMs: performance.now() - started,
      peakRssBytes: peakRssBytes(),
    };
  } finally {
    await cloud.close();
  }
}

/** The lines issue 10 asks for at the end of each size. */
export function summaryLines(r: FleetRunReport): string[] {
  const n = r.tenants.toLocaleString('en-US');
  if (r.badRelease) {
    const budget = r.errorBudget === undefined ? 'n/a: no rollout item with an error budget' : String(r.errorBudget);
    const touched = r.touched.toLocaleString('en-US');
    // Only a rollout that really halted gets the line scripts look for.
    return r.rolloutState === 'HALTED'
      ? [`bad release: halted after ${touched} tenants touched (budget ${budget})`]
      : [
          `bad release: NOT halted (rollout ${r.rolloutStatus}, item state ${r.rolloutState ?? 'none'}): ${touched} tenants touched (budget ${budget})`,
        ];
  }
  return [
    `fleet rollout: ${n} tenants, ${Math.round(r.simulatedSeconds).toLocaleString('en-US')} s simulated, bound ${Math.round(r.boundSeconds).toLocaleString('en-US')} s, ratio ${(r.simulatedSeconds / r.boundSeconds).toFixed(2)}, max history ${r.maxHistoryEvents.toLocaleString('en-US')} events`,
  ];
}

/** The details printed before the summary line. */
export function detailLines(r: FleetRunReport): string[] {
  const total = Object.values(r.apiCalls).reduce((a, b) => a + b, 0);
  const byAction = Object.entries(r.apiCalls)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v / r.tenants).toFixed(2)}`)
    .join(', ');
  const outcomes = Object.entries(r.stackOutcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `  rollout (update-tenants): ${r.rolloutStatus}, ${r.rolloutExecutions} execution(s), rollout item ${r.rolloutState ?? 'none'}; ${r.executions.toLocaleString('en-US')} executions closed; the operator resumed ${r.operatorResumes} halt(s)`,
    `  concurrency budget: ${r.concurrentStacks} stacks (ConcurrentResourcesLimit / ${r.resourcesPerStack} resources per tenant stack)`,
    `  tenant stacks: ${r.touched.toLocaleString('en-US')} touched by UpdateStack; ${outcomes}`,
    `  per tenant: ${(r.statesEntered / r.tenants).toFixed(1)} state transitions, ${(total / r.tenants).toFixed(2)} API calls (${byAction})`,
    `  peak ${r.peakCallsPerSecond.toLocaleString('en-US')} API calls in one simulated second`,
    `  wall ${(r.wallMs / 1000).toFixed(1)} s (seed ${(r.seedWallMs / 1000).toFixed(1)} s, rollout ${(r.rolloutWallMs / 1000).toFixed(1)} s), peak RSS ${(r.peakRssBytes / 1024 / 1024).toFixed(0)} MiB`,
  ];
}

/**
 * The release: the template with its TemplateVersion output and a `release` tag on every resource
 * that takes Tags, so every stack update really updates resources (and holds the account's
 * concurrent-resources slots while it runs).
 */
export function releaseBody(templateBody: string, release: number): string {
  const template = JSON.parse(withTemplateVersion(templateBody, versionOfRelease(release))) as {
    Resources: Record<string, { Properties?: { Tags?: { Key: string; Value: unknown }[] } }>;
    Metadata?: Record<string, unknown>;
  };
  for (const resource of Object.values(template.Resources)) {
    const tags = resource.Properties?.Tags;
    if (!Array.isArray(tags)) continue;
    resource.Properties!.Tags = [...tags.filter((t) => t.Key !== 'release'), { Key: 'release', Value: String(release) }];
  }
  return JSON.stringify(template, null, 1);
}

/** major * 1,000,000 + minor * 1,000 + patch (docs/rollouts.md), back to `major.minor.patch`. */
function versionOfRelease(release: number): string {
  return `${Math.floor(release / 1_000_000)}.${Math.floor(release / 1000) % 1000}.${release % 1000}`;
}

function templateVersionOf(body: string): string {
  return String((JSON.parse(body) as { Outputs?: Record<string, { Value: unknown }> }).Outputs?.TemplateVersion?.Value ?? '0.0.0');
}

/** LATEST's release in the release table when there is one; else the deployed template's version as a release number. */
async function latestRelease(cloud: LocalCloud): Promise<number> {
  const latest = await releaseItem(cloud, 'LATEST');
  const n = Number(latest?.release?.N);
  if (Number.isInteger(n) && n > 0) return n;
  const [major, minor, patch] = templateVersionOf(await currentTemplate(cloud.clients, cloud.info))
    .split('.')
    .map(Number);
  return (major || 0) * 1_000_000 + (minor || 0) * 1000 + (patch || 0);
}

async function releaseItem(cloud: LocalCloud, id: string): Promise<Record<string, AttributeValue> | undefined> {
  const table = cloud.info.outputs.ReleaseTableName;
  if (!table) return undefined;
  try {
    const answer = await cloud.timeline.track(
      cloud.clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true })),
    );
    return answer.Item;
  } catch {
    return undefined; // no release table deployed (yet)
  }
}

/**
 * The error budget of a rollout's canary wave as the policy sets it: `errorBudget.count` of the
 * rollout item's `policy` (JSON). The canary wave runs at most that many updates at once and halts
 * at its first failure (docs/rollouts.md), so a release that fails everywhere touches at most that many.
 */
function errorBudgetOf(item: Record<string, AttributeValue> | undefined): number | undefined {
  const text = item?.policy?.S;
  if (text === undefined) return undefined;
  const count = Number((JSON.parse(text) as { errorBudget?: { count?: unknown } }).errorBudget?.count);
  return Number.isFinite(count) ? count : undefined;
}

async function resourcesOf(cloud: LocalCloud, stackName: string): Promise<number> {
  const answer = await cloud.timeline.track(cloud.clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: stackName })));
  return Math.max(1, answer.StackResources?.length ?? 1);
}

function runningMaxHistory(cloud: LocalCloud, rolloutArn: string): number {
  let max = 0;
  for (const e of cloud.engine.listExecutions(rolloutArn)) {
    if (e.status !== 'RUNNING') continue;
    max = Math.max(max, cloud.engine.getExecutionHistory(e.executionArn).length);
  }
  return max;
}

/** Rollout item states in which no more tenants are updated (docs/rollouts.md). */
const STOPPED_STATES = new Set(['ABORTED', 'COMPLETED', 'SUPERSEDED']);
/** Simulated time between the bench's looks at the rollout. */
const LOOK_EVERY_MS = 5_000;

/**
 * Waits until the rollout's executions (those started after the release) have all ended. It looks on
 * the simulated time line, every LOOK_EVERY_MS, holding the time line while it looks: a rollout that
 * waits for its operator must not run into its execution timeout while the bench reads. The bench is
 * the operator: a rollout waiting HALTED (or PAUSED) is resumed (`onHalt` returns 'resume'), or the
 * wait ends there ('stop': the bad release, whose halt is the result).
 */
async function waitForRollout(
  cloud: LocalCloud,
  rolloutArn: string,
  known: ReadonlySet<string>,
  readRolloutItem: () => Promise<Record<string, AttributeValue> | undefined>,
  timeoutMs: number,
  log: (line: string) => void,
  onHalt: (item: Record<string, AttributeValue>) => Promise<'resume' | 'stop'>,
): Promise<{ status: string; executions: number; lastStop?: number; idleAt?: number; resumes: number }> {
  const timeline = cloud.timeline as VirtualTimeline;
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  let resumes = 0;
  for (;;) {
    await timeline.sleep(LOOK_EVERY_MS);
    const hold = timeline.hold();
    try {
      const rollout = cloud.engine.listExecutions(rolloutArn).filter((e) => !known.has(e.executionArn));
      const running = rollout.filter((e) => e.status === 'RUNNING').length;
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const stats = cloud.engine.closedExecutionStatistics;
        log(
          `    … ${new Date(timeline.now()).toISOString()} simulated: ${rollout.length} rollout execution(s), ${running} running; ${stats.executions.toLocaleString('en-US')} executions closed`,
        );
      }
      const lastStop = Math.max(0, ...rollout.map((e) => e.stopDate?.getTime() ?? 0)) || undefined;
      if (rollout.length > 0 && running === 0) {
        const first = cloud.engine.describeExecution(rollout[0].executionArn);
        const why = first.error ? ` (${first.error}: ${(first.cause ?? '').slice(0, 300)})` : '';
        return { status: `${first.status}${why}`, executions: rollout.length, lastStop, resumes };
      }
      const item = rollout.length > 0 ? await readRolloutItem() : undefined;
      const state = item?.state?.S;
      if (item && (state === 'HALTED' || state === 'PAUSED') && item.operatorToken?.S) {
        if ((await onHalt(item)) === 'stop') {
          return {
            status: `${rollout[0].status} (rollout ${state})`,
            executions: rollout.length,
            lastStop,
            idleAt: timeline.now(),
            resumes,
          };
        }
        resumes++;
      } else if (state !== undefined && STOPPED_STATES.has(state) && running === 0) {
        return { status: `${rollout[0].status} (rollout ${state})`, executions: rollout.length, lastStop, idleAt: timeline.now(), resumes };
      }
      if (Date.now() > deadline)
        throw new Error(`the rollout did not end within ${timeoutMs} ms of wall time (${running} executions running)`);
    } finally {
      hold();
    }
  }
}

/**
 * The old-space cap of a fleet run's child: the run is measured against a 2 GiB budget, and Node's
 * guidance for a machine with 2 GiB is 1536 MiB, leaving the rest to memory outside V8's heap (the
 * store's item buffers, code) (https://nodejs.org/api/cli.html#--max-old-space-sizesize-in-mib). V8 lets
 * the heap grow towards its cap before it collects hard: with 1900 MiB a 100,000-tenant run peaked at
 * 2,202 MiB of RSS, with 1536 MiB at 1,753 MiB (and dynalite's iterators closed).
 */
export const FLEET_CHILD_OLD_SPACE_MIB = 1536;

/** Runs one fleet size in a child process of its own (its peak RSS is that run's alone). */
export function runFleetRolloutInChild(options: Omit<FleetRunOptions, 'log'>, log: (line: string) => void): Promise<FleetRunReport> {
  const wall = options.wallTimeoutMs ?? 15 * 60_000;
  return runInChild<FleetRunReport>(__filename, options, wall + 10 * 60_000, {
    nodeArgs: [`--max-old-space-size=${FLEET_CHILD_OLD_SPACE_MIB}`],
    onProgress: log,
  });
}

if (require.main === module) {
  process.once('message', (message) => {
    const options = message as FleetRunOptions;
    runFleetRollout({ ...options, log: (line) => process.send!({ progress: line }) }).then(
      (report) => process.send!({ ok: true, report }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
