import type { RolloutPolicy } from '../statemachines/rollout-policy';

/** The number-kind substitutions: polling, waiting, paging, concurrency and retry limits. */
export interface WorkflowTuning {
  readonly StackPollSeconds: number;
  readonly MaxStackPolls: number;
  readonly StackEventWaitSeconds: number;
  readonly BusyWaitSeconds: number;
  readonly MaxBusyWaits: number;
  readonly ScanSegments: number;
  readonly SegmentConcurrency: number;
  readonly MinTenantsPerSegment: number;
  readonly RolloutPageSize: number;
  readonly RolloutRampSeconds: number;
  readonly DefaultConcurrentResources: number;
  readonly ApiRetryMaxAttempts: number;
  readonly ApiRetryMaxDelaySeconds: number;
}

export const DEFAULT_WORKFLOW_TUNING: WorkflowTuning = {
  StackPollSeconds: 15, // tenant stacks take about a minute; 15 s keeps history short and latency low
  MaxStackPolls: 240, // 240 x 15 s = 1 hour before a stack operation counts as timed out
  // update-tenant waits this long for its stack's status event before one DescribeStacks (a lost or
  // late event costs at most this much); each wait counts against MaxStackPolls.
  StackEventWaitSeconds: 300,
  BusyWaitSeconds: 30,
  MaxBusyWaits: 120, // 1 hour waiting for another operation on the same stack
  // A rollout wave scans the tenant table in parallel segments, each running about SegmentConcurrency
  // updates at once: a page waits for its slowest update before the next is read, and with 10 at a
  // time a page of 100 matching tenants is 10 rounds, so that wait costs about 6 % (a 30-120 s
  // update's tail, 45 s, over 10 x 75 s). An 833-stack window is 84 segments; at most 100.
  ScanSegments: 100,
  SegmentConcurrency: 10,
  MinTenantsPerSegment: 100, // a fleet of 5 is one segment, not 84 near-empty ones
  // Tenants per scan page; each page is one Distributed Map run of update-tenant executions. 1,000
  // ids of outcomes (~10 B each) stay far below the 256 KiB state payload limit.
  RolloutPageSize: 1000,
  // A wave's segments start one after another over this long (segment i after i x 60 s / segments),
  // so its first round of UpdateStacks comes at about the steady state's rate (window / mean update
  // time) instead of all at once: tenant stack updates take about a minute.
  RolloutRampSeconds: 60,
  // Planning figure when DescribeAccountLimits cannot be read (an assumption, not a documented AWS
  // default: the account's real ConcurrentResourcesLimit comes from DescribeAccountLimits).
  DefaultConcurrentResources: 2500,
  ApiRetryMaxAttempts: 6,
  ApiRetryMaxDelaySeconds: 30,
};

/** Rejects tuning values Step Functions would refuse, naming the field and the rule. */
export function validateWorkflowTuning(tuning: WorkflowTuning): void {
  const positive: (keyof WorkflowTuning)[] = [
    'StackPollSeconds',
    'MaxStackPolls',
    'StackEventWaitSeconds',
    'BusyWaitSeconds',
    'MaxBusyWaits',
    'ScanSegments',
    'SegmentConcurrency',
    'MinTenantsPerSegment',
    'RolloutPageSize',
    'DefaultConcurrentResources',
    'ApiRetryMaxDelaySeconds',
  ];
  for (const [field, value] of Object.entries(tuning) as [keyof WorkflowTuning, number][]) {
    if (!Number.isInteger(value)) throw new Error(`workflow tuning ${field} must be an integer, got ${value}`);
    if (value < 0 || (value === 0 && positive.includes(field))) {
      throw new Error(`workflow tuning ${field} must be ${positive.includes(field) ? 'at least 1' : 'at least 0'}, got ${value}`);
    }
  }
  if (tuning.ScanSegments > 1000) {
    // DynamoDB Scan TotalSegments is 1 to 1,000,000, but each segment is a child execution of the wave's Distributed Map.
    throw new Error(`workflow tuning ScanSegments must be at most 1000, got ${tuning.ScanSegments}`);
  }
  if (tuning.RolloutPageSize > 10_000) {
    throw new Error(
      `workflow tuning RolloutPageSize must be at most 10000 (one page is one Distributed Map run's items), got ${tuning.RolloutPageSize}`,
    );
  }
  if (tuning.RolloutRampSeconds > 3600) {
    throw new Error(
      `workflow tuning RolloutRampSeconds must be at most 3600 (a wave's segments start within an hour), got ${tuning.RolloutRampSeconds}`,
    );
  }
  if (tuning.ApiRetryMaxDelaySeconds > 500) {
    // The throttle back-off caps its delay with States.ArrayRange(1, 2 x cap), and ArrayRange returns
    // at most 1,000 items (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
    throw new Error(
      `workflow tuning ApiRetryMaxDelaySeconds must be at most 500 (States.ArrayRange limit in the throttle back-off), got ${tuning.ApiRetryMaxDelaySeconds}`,
    );
  }
}

/**
 * How a release reaches the fleet by default (statemachines/rollout-policy.ts, docs/rollouts.md):
 * about 10 canary tenants, then 10 %, 50 % and the rest, baking 10 minutes after each wave; a wave
 * halts at 2 failures or 1 % of its tenants, whichever is more. A release's `rollout-policy`
 * metadata overrides any field.
 */
export const DEFAULT_ROLLOUT_POLICY: RolloutPolicy = {
  canary: { tenants: [], count: 10 },
  waves: [10, 50, 100],
  bakeSeconds: 600,
  errorBudget: { count: 2, percent: 1 },
  maxConcurrency: 0,
};

/**
 * A tenant cell: an account (in the management region) whose CloudFormation holds tenant stacks, and
 * the role the workflows assume there (Task `Credentials`), which is also the stack operations'
 * service role (RoleARN). docs/rollouts.md "Cells".
 */
export interface TenantCell {
  /** Unique, 1-32 of a-z, 0-9 and hyphens: recorded on every tenant record placed in the cell. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** Default `arn:aws:iam::<accountId>:role/<CELL_DEPLOYER_ROLE_NAME>` (what the cell stack creates). */
  readonly roleArn?: string;
  /**
   * New tenants are placed only in open cells (default true). An operator closes a cell that nears its
   * quotas and opens new ones: existing tenants never move (their record names their cell).
   */
  readonly open?: boolean;
}

/** The cell as the workflows see it (the TenantCells substitution; the `cell` of a tenant record). */
export interface ResolvedCell {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string;
  readonly open: boolean;
}

/** The home cell: the management account itself, always first (records written before cells existed belong to it). */
export const HOME_CELL_NAME = 'home';

/** Name of the deployer role in every cell account (the cell stack creates it; the management stack in the home cell). */
export const CELL_DEPLOYER_ROLE_NAME = 'tenant-cell-deployer';

/**
 * Cells beyond the home cell. Empty by default: one cell, the management account (every tenant in it,
 * as before cells existed). An entry here (or the `cells` stack prop) adds an account; deploy its
 * cell stack (infra/cell-stack.ts) first.
 */
export const TENANT_CELLS: readonly TenantCell[] = [];

const CELL_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/**
 * Checks the cells at synthesis and fills in their defaults, naming the field and the rule. All cells
 * are in the management region (`managementRegion`, when the stack's region is known): the AWS SDK
 * integrations of Step Functions call services in the state machine's own region (CDK's
 * CallAwsServiceCrossRegion exists because they cannot target another one:
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_stepfunctions_tasks.CallAwsServiceCrossRegion.html).
 */
export function validateCells(cells: readonly TenantCell[], managementRegion?: string): ResolvedCell[] {
  const names = new Set<string>();
  const accounts = new Set<string>();
  return cells.map((cell, index) => {
    const at = `cells[${index}]`;
    if (typeof cell.name !== 'string' || !CELL_NAME.test(cell.name)) {
      throw new Error(
        `${at}.name must be 1-32 characters of a-z, 0-9 and hyphens, not starting or ending with a hyphen, got ${JSON.stringify(cell.name)}`,
      );
    }
    if (names.has(cell.name)) throw new Error(`${at}.name must be unique, '${cell.name}' is used twice`);
    names.add(cell.name);
    if (typeof cell.accountId !== 'string' || !ACCOUNT_ID.test(cell.accountId)) {
      throw new Error(`${at}.accountId must be 12 digits, got ${JSON.stringify(cell.accountId)}`);
    }
    if (accounts.has(cell.accountId))
      throw new Error(`${at}.accountId must be unique (one cell per account), ${cell.accountId} is used twice`);
    accounts.add(cell.accountId);
    if (typeof cell.region !== 'string' || !REGION.test(cell.region)) {
      throw new Error(`${at}.region must be a region name like us-east-1, got ${JSON.stringify(cell.region)}`);
    }
    if (managementRegion !== undefined && cell.region !== managementRegion) {
      throw new Error(
        `${at}.region must be the management region ${managementRegion} (Step Functions SDK integrations call the state machine's own region), got ${cell.region}`,
      );
    }
    const roleArn = cell.roleArn ?? `arn:aws:iam::${cell.accountId}:role/${CELL_DEPLOYER_ROLE_NAME}`;
    const roleAccount = ROLE_ARN.exec(roleArn)?.[1];
    if (roleAccount === undefined)
      throw new Error(`${at}.roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(roleArn)}`);
    if (roleAccount !== cell.accountId)
      throw new Error(`${at}.roleArn must be a role of the cell's account ${cell.accountId}, got ${roleArn}`);
    if (cell.open !== undefined && typeof cell.open !== 'boolean')
      throw new Error(`${at}.open must be true or false, got ${JSON.stringify(cell.open)}`);
    return { name: cell.name, accountId: cell.accountId, region: cell.region, roleArn, open: cell.open ?? true };
  });
}

/** Cells from a JSON list (the TENANT_CELLS environment variable of infra/app.ts); undefined when unset. Validated by the stack. */
export function cellsFromEnvironment(text: string | undefined): TenantCell[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`TENANT_CELLS must be a JSON list of cells ({name, accountId, region, roleArn?, open?}): ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error('TENANT_CELLS must be a JSON list of cells ({name, accountId, region, roleArn?, open?})');
  return parsed as TenantCell[];
}
