/**
 * Substitution values for local runs (the engine, `npm start`, tests) and the loader that turns a
 * workflow's YAML into a definition object the way CloudFormation would: `${Key}` replaced
 * textually first, then parsed. Number-kind keys therefore become real numbers.
 *
 * `npx tsx statemachines/local-substitutions.ts` rewrites local-substitutions.json (for the CLI's
 * `--substitutions`); a test keeps the two in step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TENANT_ID_CHARACTERS } from '../template/tenant-id';
import { DEFAULT_TENANT_TIER, TENANT_TIERS_LIST } from '../template/tier';
// The deployed event contract and naming, so local runs exercise the same values.
import { DEFAULT_EVENT_BUS_NAME, TEMPLATE_OBJECT_KEY, TENANT_EVENT_SOURCE, TENANT_STACK_NAME_PREFIX } from './contract';
import { applySubstitutions } from '../emulator/asl/substitutions';
import type { RolloutPolicy } from './rollout-policy';
import { SUBSTITUTION_KEYS, SubstitutionValues } from './substitutions';
import { parseWorkflowText, workflowPath, type WorkflowFileName } from './workflows';

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';
/** The local home cell's deployer role: what stack calls are made as (Task Credentials) and CloudFormation's service role (RoleARN). */
export const LOCAL_CELL_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/tenant-stack-deployer`;

/**
 * The rollout policy of local runs: one canary by count, two waves, no bake (the virtual clock would
 * skip it anyway; tests that need bake set it per release), halting at the first failure. Mocked
 * responses are handed out in invocation order, which only one update at a time makes deterministic
 * (AWS gives the same advice for Step Functions Local), so the window is 1.
 */
export const LOCAL_ROLLOUT_POLICY: RolloutPolicy = {
  canary: { tenants: [], count: 1 },
  waves: [50, 100],
  bakeSeconds: 0,
  errorBudget: { count: 1, percent: 0 },
  maxConcurrency: 1,
};

export const LOCAL_SUBSTITUTIONS_JSON = join(__dirname, 'local-substitutions.json');

/**
 * Values matching Step Functions Local's defaults (account 123456789012, us-east-1). Limits are
 * small so a mocked test case can reach every "gave up" branch with a handful of responses; the
 * engine's virtual clock makes the wait lengths irrelevant.
 */
export function localSubstitutions(): SubstitutionValues {
  const bucket = `tenant-templates-${LOCAL_ACCOUNT}-${LOCAL_REGION}`;
  const objectKey = TEMPLATE_OBJECT_KEY;
  return {
    TenantIdCharacters: TENANT_ID_CHARACTERS,
    TenantTiers: TENANT_TIERS_LIST,
    DefaultTenantTier: DEFAULT_TENANT_TIER,
    TenantTableName: 'tenants',
    ReleaseTableName: 'tenant-releases',
    StackWaiterTableName: 'stack-waiters',
    TemplateUrl: `https://${bucket}.s3.${LOCAL_REGION}.amazonaws.com/${objectKey}`,
    TemplateBucketName: bucket,
    TemplateObjectKey: objectKey,
    StackNamePrefix: TENANT_STACK_NAME_PREFIX,
    TenantCells: JSON.stringify([
      { name: 'home', accountId: LOCAL_ACCOUNT, region: LOCAL_REGION, roleArn: LOCAL_CELL_ROLE_ARN, open: true },
    ]),
    EventBusName: DEFAULT_EVENT_BUS_NAME,
    EventSource: TENANT_EVENT_SOURCE,
    UpdateTenantStateMachineArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:update-tenant`,
    StackPollSeconds: '15',
    MaxStackPolls: '5',
    StackEventWaitSeconds: '300',
    MaxStackWaitSeconds: '75', // MaxStackPolls x StackPollSeconds, as infra derives it
    BusyWaitSeconds: '30',
    MaxBusyWaits: '3',
    ApiRetryMaxAttempts: '2',
    ApiRetryMaxDelaySeconds: '20',
    RolloutPolicy: JSON.stringify(LOCAL_ROLLOUT_POLICY),
    ResourcesPerTenantStack: '3',
    DefaultConcurrentResources: '2500',
    // Small pages and few segments: a handful of tenants exercise paging and parallel segments.
    ScanSegments: '2',
    SegmentConcurrency: '1',
    MinTenantsPerSegment: '1',
    RolloutPageSize: '3',
    RolloutRampSeconds: '4',
  };
}

/** `${Key}` -> value, textually (as CloudFormation DefinitionSubstitutions); names every missing key. */
export function substitute(text: string, values: Readonly<Record<string, string>>, source = 'definition'): string {
  return applySubstitutions(text, values, source);
}

/** Reads a workflow's YAML, substitutes, parses. Throws when the result is not a mapping. */
export function loadWorkflow(
  name: WorkflowFileName,
  values: Readonly<Record<string, string>> = localSubstitutions(),
): Record<string, unknown> {
  const path = workflowPath(name);
  return parseWorkflowText(substitute(readFileSync(path, 'utf8'), values, path), path);
}

/** The JSON file the CLI reads: the same values, keys in SUBSTITUTIONS order. */
export function localSubstitutionsJson(): string {
  const values = localSubstitutions();
  return `${JSON.stringify(Object.fromEntries(SUBSTITUTION_KEYS.map((key) => [key, values[key]])), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(LOCAL_SUBSTITUTIONS_JSON, localSubstitutionsJson());
  console.log(`wrote ${LOCAL_SUBSTITUTIONS_JSON}`);
}
