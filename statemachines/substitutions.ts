/**
 * The one list of `${Placeholders}` the workflows in this folder may use.
 *
 * Infra (CDK `definitionSubstitutions`) and local runs (the engine, `npm start`, tests) both build
 * their values from this list, so a key cannot be provided in one place and forgotten in another.
 * `kind: 'number'` keys stand where ASL needs a JSON number (Wait Seconds, Retry fields,
 * MaxConcurrency), `kind: 'json'` keys where it needs a JSON object; see `toDefinitionString` for why
 * both are emitted unquoted.
 */
export const SUBSTITUTIONS = {
  TenantIdCharacters: { kind: 'string', doc: 'Characters a tenant id may contain (TENANT_ID_CHARACTERS in template/tenant-id.ts)' },
  TenantTiers: { kind: 'string', doc: 'The tenant tiers, comma-separated (TENANT_TIERS_LIST in template/tier.ts)' },
  DefaultTenantTier: { kind: 'string', doc: 'Tier of a TenantCreated without one (DEFAULT_TENANT_TIER in template/tier.ts)' },
  TenantTableName: { kind: 'string', doc: 'DynamoDB table holding one item per tenant (partition key tenantId)' },
  ReleaseTableName: {
    kind: 'string',
    doc: 'DynamoDB table of releases: LATEST (the desired template) and one rollout item per release (partition key id)',
  },
  StackWaiterTableName: {
    kind: 'string',
    doc: 'DynamoDB table where update-tenant waits for a stack event and the stack-events relay records arrivals (keys stackId, clientRequestToken)',
  },
  TemplateUrl: { kind: 'string', doc: 'HTTPS URL of the tenant template object in the template bucket (no version)' },
  TemplateBucketName: { kind: 'string', doc: 'Bucket holding the tenant template' },
  TemplateObjectKey: { kind: 'string', doc: 'Key of the one tenant template object' },
  StackNamePrefix: { kind: 'string', doc: 'Prefix of every tenant stack name; IAM grants are scoped to it' },
  TenantCells: {
    kind: 'json',
    doc: 'The tenant cells, a JSON array of {name, accountId, region, roleArn, open}, the home cell (the management account) first (infra/config.ts); roleArn is what stack calls are made as (Task Credentials) and the service role CloudFormation uses (RoleARN)',
  },
  EventBusName: { kind: 'string', doc: 'EventBridge bus for tenant lifecycle events' },
  EventSource: { kind: 'string', doc: 'Source of tenant lifecycle events' },
  UpdateTenantStateMachineArn: { kind: 'string', doc: 'Child workflow that updates one tenant stack' },
  StackPollSeconds: { kind: 'number', doc: 'Seconds between DescribeStacks polls while a stack operation runs' },
  MaxStackPolls: { kind: 'number', doc: 'Polls before a stack operation is reported as timed out' },
  BusyWaitSeconds: { kind: 'number', doc: 'Seconds to wait before re-checking a busy (*_IN_PROGRESS) stack' },
  StackEventWaitSeconds: {
    kind: 'number',
    doc: 'Seconds update-tenant waits for the stack status event of its update before one DescribeStacks (the fallback for a lost event)',
  },
  MaxStackWaitSeconds: {
    kind: 'number',
    doc: 'Seconds update-tenant waits in all for its stack operation to end (event waits and polls) before it counts as timed out; infra sets MaxStackPolls x StackPollSeconds',
  },
  MaxBusyWaits: { kind: 'number', doc: 'Re-checks of a busy stack before giving up' },
  ApiRetryMaxAttempts: { kind: 'number', doc: 'Retries of a throttled CloudFormation/DynamoDB call' },
  ApiRetryMaxDelaySeconds: { kind: 'number', doc: 'Cap of the exponential backoff between retries' },
  RolloutPolicy: {
    kind: 'json',
    doc: 'Default rollout policy (statemachines/rollout-policy.ts), a JSON object; a release overrides it field by field',
  },
  ResourcesPerTenantStack: {
    kind: 'number',
    doc: 'Resources in one tenant stack: divides ConcurrentResourcesLimit into concurrent stack updates',
  },
  DefaultConcurrentResources: { kind: 'number', doc: 'ConcurrentResourcesLimit to plan with when DescribeAccountLimits cannot be read' },
  ScanSegments: { kind: 'number', doc: 'Most parallel-scan segments of a rollout wave (each runs its share of the update window)' },
  MinTenantsPerSegment: { kind: 'number', doc: 'Fewest tenants per scan segment: a small fleet is scanned by few segments' },
  SegmentConcurrency: {
    kind: 'number',
    doc: 'Stack updates one scan segment aims to run at once (segments = window / this, capped by ScanSegments)',
  },
  RolloutPageSize: { kind: 'number', doc: 'Tenants read per scan page of a rollout segment (Limit; each page is one Distributed Map run)' },
  RolloutRampSeconds: {
    kind: 'number',
    doc: "Seconds over which a rollout wave's segments start, one after another (about one stack update's duration)",
  },
} as const satisfies Record<string, { kind: 'string' | 'number' | 'json'; doc: string }>;

export type SubstitutionKey = keyof typeof SUBSTITUTIONS;
export type SubstitutionValues = Record<SubstitutionKey, string>;
export const SUBSTITUTION_KEYS = Object.keys(SUBSTITUTIONS) as SubstitutionKey[];
