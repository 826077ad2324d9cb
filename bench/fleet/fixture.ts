/**
 * The fleet fixture: a local tenant cloud configured for a simulated release across a large fleet,
 * and N tenants seeded quickly and faithfully (a tenant record as create-tenant leaves it, ACTIVE,
 * and its tenant stack in CREATE_COMPLETE / UPDATE_COMPLETE in the local CloudFormation).
 *
 * - Stack updates take 30-120 s (uniform, seeded): a behaviour rule with a range.
 * - CloudFormation throttles per API action (ASSUMED_API_RATE_LIMITS: AWS publishes no rates, see there).
 * - The concurrent-resources limit (DescribeAccountLimits ConcurrentResourcesLimit) holds every resource step.
 * - A share of the tenants fails its update (and rolls back); a bad release fails every update.
 * - Record-only providers for the tenant stacks' tables and roles (no real dynalite table per stack).
 */
import { BatchWriteItemCommand, type AttributeValue, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { ASSUMED_API_RATE_LIMITS, DEFAULT_LIMITS, type CloudFormationBehaviour, type StackBehaviourRule } from '../../local/cloudformation';
import type { LocalCloud } from '../../local/cloud';
import { output, tenantStackName } from '../../local/cli/operations';
import { TENANT_ID_PARAMETER } from '../../template/tenant-stack';

export interface FleetBehaviourOptions {
  /** Tenants the bench seeds: the account's stack limit is raised to fit them. */
  readonly tenants: number;
  /** Update durations, ms (default 30-120 s uniform). */
  readonly updateMs?: { readonly min: number; readonly max: number };
  /** Share (0-1) of tenant stacks whose update fails and rolls back (default 0). */
  readonly failingShare?: number;
  /** Every tenant stack update fails (a bad release). */
  readonly badRelease?: boolean;
  /** CloudFormation API throttling model (default ASSUMED_API_RATE_LIMITS); `false`: none. */
  readonly throttling?: boolean;
  /** ConcurrentResourcesLimit (default the local CloudFormation's default). */
  readonly concurrentResources?: number;
  readonly seed?: number;
}

export const FAILURE_REASON =
  'Resource handler returned message: "Simulated failure of a failing tenant (fleet bench)" (RequestToken: fleet-bench, HandlerErrorCode: InternalFailure)';
export const BAD_RELEASE_REASON =
  'Resource handler returned message: "Simulated bad release: every tenant update fails (fleet bench)" (RequestToken: fleet-bench, HandlerErrorCode: InternalFailure)';

/** The local CloudFormation's behaviour for a fleet run. */
export function fleetBehaviour(options: FleetBehaviourOptions): CloudFormationBehaviour {
  const updateMs = options.updateMs ?? { min: 30_000, max: 120_000 };
  const stackRules: StackBehaviourRule[] = [];
  const tenantStacks = tenantStackName('*');
  if (options.badRelease) {
    stackRules.push({ stackName: tenantStacks, operations: ['update'], failResource: '*', failureReason: BAD_RELEASE_REASON });
  } else if (options.failingShare) {
    stackRules.push({
      stackName: tenantStacks,
      operations: ['update'],
      share: options.failingShare,
      failResource: '*',
      failureReason: FAILURE_REASON,
    });
  }
  stackRules.push({ stackName: tenantStacks, operations: ['update'], duration: updateMs });
  return {
    seed: options.seed ?? 1,
    stackRules,
    rateLimits: options.throttling === false ? [] : ASSUMED_API_RATE_LIMITS,
    limits: {
      concurrentResources: options.concurrentResources ?? DEFAULT_LIMITS.concurrentResources,
      // AWS's default is 2,000 stacks per account and region (cloudformation-limits.html). The bench
      // puts the whole fleet in one account to measure the workflow; a real fleet this size needs
      // cells (accounts) of at most a quota's worth of tenants each.
      stacks: Math.max(DEFAULT_LIMITS.stacks, options.tenants + 100),
    },
  };
}

export interface SeedOptions {
  readonly tenants: number;
  /** The tenant template the stacks run (the template object's current body). */
  readonly templateBody: string;
  /** The release the fleet is on (tenant records' `release`). */
  readonly release: number;
  /** Template version (TemplateVersion output) the records say they run. */
  readonly templateVersion: string;
  /** Tiers dealt round-robin (default standard and premium, 9:1). */
  readonly tiers?: readonly string[];
  /** Stacks and record batches in flight at once (default 16). */
  readonly concurrency?: number;
  /** Time of the records' updatedAt (default the time line's now). */
  readonly now?: number;
}

/** Tenant ids of a seeded fleet: `t000000`, `t000001`, ... (valid tenant ids, sortable). */
export function fleetTenantId(index: number): string {
  return `t${String(index).padStart(6, '0')}`;
}

/** The bucket (0-9999, as create-tenant draws it) of a tenant's place in percent waves: spread evenly over the fleet. */
export function fleetBucket(index: number): number {
  return (index * 7919) % 10_000;
}

/** Seeds `tenants` ACTIVE tenants: their stacks in the local CloudFormation, then their records (BatchWriteItem). */
export async function seedFleet(cloud: LocalCloud, options: SeedOptions): Promise<{ stackIds: string[] }> {
  const concurrency = options.concurrency ?? 16;
  const tiers = options.tiers ?? [
    'standard',
    'standard',
    'standard',
    'standard',
    'standard',
    'standard',
    'standard',
    'standard',
    'standard',
    'premium',
  ];
  const cfn = cloud.services.cloudformation;
  const stackIds: string[] = new Array(options.tenants);
  await inBatches(options.tenants, concurrency, async (i) => {
    const tenantId = fleetTenantId(i);
    stackIds[i] = await cfn.seedStack({
      stackName: tenantStackName(tenantId),
      templateBody: options.templateBody,
      // The tier the record says (create-tenant passes it as the Tier parameter).
      parameters: { [TENANT_ID_PARAMETER]: tenantId, Tier: tiers[i % tiers.length] },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      tags: [{ key: 'TenantId', value: tenantId }],
    });
  });
  const table = output(cloud.info, 'TenantTableName');
  const at = new Date(options.now ?? cloud.timeline.now()).toISOString();
  // The seeded stacks are in the home cell's CloudFormation; create-tenant records the cell (docs/rollouts.md "Cells").
  const home = cloud.tenantCells[0];
  const homeCell: AttributeValue = {
    M: { name: { S: home.name }, accountId: { S: home.accountId }, region: { S: home.region }, roleArn: { S: home.roleArn } },
  };
  const batches = Math.ceil(options.tenants / 25);
  await inBatches(batches, concurrency, async (b) => {
    const requests: WriteRequest[] = [];
    for (let i = b * 25; i < Math.min(options.tenants, (b + 1) * 25); i++) {
      requests.push({ PutRequest: { Item: { ...tenantRecord(i, stackIds[i], options, tiers[i % tiers.length], at), cell: homeCell } } });
    }
    await writeAll(cloud, table, requests);
  });
  return { stackIds };
}

/** A tenant record as create-tenant leaves an ACTIVE tenant (docs/rollouts.md adds release, bucket, tier). */
function tenantRecord(index: number, stackId: string, options: SeedOptions, tier: string, at: string): Record<string, AttributeValue> {
  const tenantId = fleetTenantId(index);
  return {
    tenantId: { S: tenantId },
    desired: { S: 'PRESENT' },
    status: { S: 'ACTIVE' },
    stackName: { S: tenantStackName(tenantId) },
    stackId: { S: stackId },
    templateVersion: { S: options.templateVersion },
    release: { N: String(options.release) },
    bucket: { N: String(fleetBucket(index)) },
    tier: { S: tier },
    version: { N: '2' },
    generation: { N: '1' },
    updatedAt: { S: at },
  };
}

/** BatchWriteItem until DynamoDB has taken every request (UnprocessedItems are sent again). */
async function writeAll(cloud: LocalCloud, table: string, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after 10 attempts`);
    const answer = await cloud.clients.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = answer.UnprocessedItems?.[table] ?? [];
  }
}

/** Runs `work(0..count-1)` with at most `concurrency` in flight. */
async function inBatches(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
