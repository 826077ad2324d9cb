/**
 * Every test case of mocks/MockConfigFile.json, run through the Step Functions API with an unmodified
 * @aws-sdk/client-sfn client against the run's endpoint (this repo's engine by default; SFN_ENDPOINT
 * or SFN_LOCAL_DOCKER=1 for AWS's Step Functions Local, see test/support/sfn-endpoint.ts). Checked
 * per case: final status, the error of a failed run, the output of a successful one, and the exact
 * path of states entered (GetExecutionHistory). Then what the workflows send to AWS, the history-event
 * arithmetic of docs/workflows.md, and that the catalogue enters every state of every workflow.
 * Every history is recorded for the coverage gate (test/workflow-coverage/gate.ts).
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { localSubstitutions, loadWorkflow, LOCAL_ACCOUNT, LOCAL_CELL_ROLE_ARN } from '../../statemachines/local-substitutions';
import { MockTestCase, TEST_CASES } from '../../mocks/test-cases';
import { PINNED_VERSION_ID, previousTemplateUrl, stackId } from '../../mocks/responses';
import { PREVIOUS, RELEASE, REJECTION_CAUSES } from '../../mocks/cases/update-tenants';
import {
  createTenantWorstCaseEvents,
  deleteTenantWorstCaseEvents,
  EVENTS_PER_RETRY,
  EVENTS_PER_THROTTLED_ANSWER,
  HISTORY_EVENT_QUOTA,
  ROLLOUT_TENANT_CHILD_EVENTS,
  rolloutOperatorRoundsWithin,
  rolloutParentWorstCaseEvents,
  rolloutSegmentPagesWithin,
  rolloutSegmentWorstCaseEvents,
  updateTenantWorstCaseEvents,
  stackEventsWorstCaseEvents,
} from '../../statemachines/history-budget';
import { DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import { deployWorkflow, describeWorkflow, runCase, sfnClient, type CaseRun } from '../support/workflow-harness';
import { WORKFLOW_NAMES, WorkflowFileName } from '../../statemachines/workflows';

const local = localSubstitutions();
let client: SFNClient;
const arns = new Map<string, Promise<string>>();

/** Deploys a workflow once per file (on first use), so skipped suites never touch the endpoint. */
function arnOf(workflow: WorkflowFileName): Promise<string> {
  client ??= sfnClient();
  if (!arns.has(workflow)) arns.set(workflow, deployWorkflow(client, workflow));
  return arns.get(workflow)!;
}

const runs = new Map<string, Promise<CaseRun>>();
function run(testCase: MockTestCase): Promise<CaseRun> {
  const key = `${testCase.workflow}#${testCase.name}`;
  if (!runs.has(key)) {
    runs.set(
      key,
      arnOf(testCase.workflow).then((arn) => runCase(client, arn, testCase.workflow, testCase.name, testCase.input)),
    );
  }
  return runs.get(key)!;
}

afterAll(() => client?.destroy());

const find = (workflow: WorkflowFileName, name: string) => {
  const testCase = TEST_CASES.find((c) => c.workflow === workflow && c.name === name);
  if (!testCase) throw new Error(`no test case ${workflow}#${name}`);
  return testCase;
};

describeWorkflow('mocked executions of the workflows', () => {
  describe.each(TEST_CASES.map((c) => [`${c.workflow}#${c.name}`, c] as const))('%s', (_label, testCase) => {
    it(testCase.description, async () => {
      const result = await run(testCase);
      const actual: Record<string, unknown> = { status: result.status };
      const expected: Record<string, unknown> = { status: testCase.expect.status };
      if (testCase.expect.status === 'FAILED') {
        actual.error = result.error;
        expected.error = testCase.expect.error;
      } else if (testCase.expect.output !== undefined) {
        actual.output = result.output;
        expected.output = testCase.expect.output;
      }
      // The cause is shown only when the run went somewhere unexpected, to make the failure readable.
      if (result.status !== testCase.expect.status || actual.error !== expected.error) actual.cause = result.cause;
      // Compared together, so a wrong outcome shows the path that led to it.
      actual.path = result.entered;
      expected.path = testCase.path;
      expect(actual).toEqual(expected);
    });
  });

  describe('what the workflows send to AWS', () => {
    it('create: CreateStack names the stack from the prefix and tenant id, passes TenantId, the service role and CAPABILITY_NAMED_IAM', async () => {
      const { scheduled } = await run(find('create-tenant', 'HappyPath'));
      const create = scheduled.find((s) => s.state === 'Create tenant stack')!;
      expect([create.resourceType, create.resource]).toEqual(['aws-sdk:cloudformation', 'createStack']);
      expect(create.parameters).toEqual({
        StackName: 'tenant-acme',
        TemplateURL: local.TemplateUrl,
        // The catalogue's events carry no tier: the default (template/tier.ts).
        Parameters: [
          { ParameterKey: 'TenantId', ParameterValue: 'acme' },
          { ParameterKey: 'Tier', ParameterValue: 'standard' },
        ],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        RoleARN: LOCAL_CELL_ROLE_ARN,
        // Derived from the tenant and its generation (1 for a tenant without a record), so a retry is the same request.
        ClientRequestToken: 'create-acme-1',
      });
      // The first claim: only if no writer got there first (no version yet), desired PRESENT, version 1.
      expect(scheduled.find((s) => s.state === 'Claim tenant')!.parameters).toMatchObject({
        ConditionExpression: 'attribute_not_exists(#version) OR #version = :seen',
        ExpressionAttributeValues: { ':present': { S: 'PRESENT' }, ':seen': { N: '0' }, ':next': { N: '1' }, ':generation': { N: '1' } },
      });
      const active = scheduled.find((s) => s.state === 'Record tenant active')!;
      expect(active.parameters).toMatchObject({
        TableName: local.TenantTableName,
        Key: { tenantId: { S: 'acme' } },
        ConditionExpression: '#version = :mine AND desired = :present',
        ExpressionAttributeValues: {
          ':status': { S: 'ACTIVE' },
          ':stackId': { S: stackId('acme') },
          ':templateVersion': { S: '1.0.0' },
          ':mine': { N: '1' },
          ':next': { N: '2' },
        },
      });
      const announce = scheduled.find((s) => s.state === 'Announce tenant provisioned')!;
      expect(announce.parameters).toEqual({
        Entries: [
          {
            EventBusName: local.EventBusName,
            Source: local.EventSource,
            DetailType: 'TenantProvisioned',
            Detail: { tenantId: 'acme', stackId: stackId('acme'), templateVersion: '1.0.0' },
          },
        ],
      });
    });

    it('create: a failed stack records FAILED with "<status>: <StackStatusReason>" and announces it', async () => {
      const { scheduled } = await run(find('create-tenant', 'CreateFailed'));
      const reason = 'CREATE_FAILED: The following resource(s) failed to create: [TenantDataTable]. ';
      expect(scheduled.find((s) => s.state === 'Record tenant failed')!.parameters).toMatchObject({
        ExpressionAttributeValues: { ':status': { S: 'FAILED' }, ':reason': { S: reason } },
      });
      expect(scheduled.find((s) => s.state === 'Announce provisioning failure')!.parameters).toMatchObject({
        Entries: [{ DetailType: 'TenantProvisioningFailed', Detail: { tenantId: 'acme', error: 'StackCreationFailed', reason } }],
      });
    });

    it('create: an invalid tenant id reaches no AWS API at all', async () => {
      for (const name of [
        'InvalidTenantId',
        'MissingTenantId',
        'TenantIdNotAString',
        'TenantIdEmpty',
        'TenantIdLeadingHyphen',
        'TenantIdTrailingHyphen',
      ]) {
        expect({ name, scheduled: (await run(find('create-tenant', name))).scheduled }).toEqual({ name, scheduled: [] });
      }
    });

    it('delete: DeleteStack and the progress checks address the stack by id, with the service role', async () => {
      const { scheduled } = await run(find('delete-tenant', 'HappyPath'));
      expect(scheduled.find((s) => s.state === 'Find tenant stack')!.parameters).toEqual({ StackName: 'tenant-acme' });
      expect(scheduled.find((s) => s.state === 'Delete tenant stack')!.parameters).toEqual({
        StackName: stackId('acme'),
        RoleARN: LOCAL_CELL_ROLE_ARN,
        // The record read had version 3; marking it absent wrote version 4.
        ClientRequestToken: 'delete-acme-4',
      });
      expect(scheduled.find((s) => s.state === 'Mark tenant absent')!.parameters).toMatchObject({
        ConditionExpression: 'attribute_not_exists(#version) OR #version = :seen',
        // A record from before generations gets generation 0, so the next TenantCreated starts generation 1.
        UpdateExpression: expect.stringContaining('generation = if_not_exists(generation, :zero)'),
        ExpressionAttributeValues: { ':absent': { S: 'ABSENT' }, ':seen': { N: '3' }, ':next': { N: '4' }, ':zero': { N: '0' } },
      });
      for (const check of scheduled.filter((s) => s.state === 'Check deletion progress'))
        expect(check.parameters).toEqual({ StackName: stackId('acme') });
    });

    it("update-tenant: UpdateStack by name with the pinned template URL, TenantId and the record's tier (default), and the role", async () => {
      const { scheduled } = await run(find('update-tenant', 'Updated'));
      expect(scheduled.find((s) => s.state === 'Update tenant stack')!.parameters).toEqual({
        StackName: 'tenant-acme',
        TemplateURL: `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`,
        Parameters: [
          { ParameterKey: 'TenantId', ParameterValue: 'acme' },
          { ParameterKey: 'Tier', ParameterValue: local.DefaultTenantTier },
        ],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        RoleARN: LOCAL_CELL_ROLE_ARN,
        // One token per tenant and release seq (docs/rollouts.md): a retry of this update is the same request.
        ClientRequestToken: 'update-acme-3',
      });
      expect(scheduled.find((s) => s.state === 'Record observed release')!.parameters).toMatchObject({
        ConditionExpression: 'targetSeq = :seq AND (attribute_not_exists(tier) OR tier = :tier)',
        ExpressionAttributeValues: {
          ':version': { S: '1.1.0' },
          ':seq': { N: '3' },
          ':release': { N: '1001000' },
          ':tier': { S: 'standard' },
        },
      });
      // The TemplateVersion comes from the pinned template version itself (S3), not from a DescribeStacks.
      expect(scheduled.find((s) => s.state === 'Read template version')!.parameters).toEqual({
        Bucket: local.TemplateBucketName,
        Key: local.TemplateObjectKey,
        VersionId: PINNED_VERSION_ID,
      });
      expect(scheduled.find((s) => s.state === 'Wait for stack event')!.parameters).toMatchObject({
        Item: { stackId: { S: stackId('acme') }, clientRequestToken: { S: 'update-acme-3' } },
        ConditionExpression: 'attribute_not_exists(arrivedStatus)',
      });
    });

    const allCalls = (result: CaseRun) => [...result.scheduled, ...result.children.flatMap((c) => c.scheduled)];
    const pinned = `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`;

    it("update-tenants: HeadObject reads the event's version; LATEST moves only forward, to this release with the pinned URL", async () => {
      const { scheduled } = await run(find('update-tenants', 'HappyPath'));
      expect(scheduled.find((s) => s.state === 'Read release metadata')!.parameters).toEqual({
        Bucket: local.TemplateBucketName,
        Key: local.TemplateObjectKey,
        VersionId: PINNED_VERSION_ID,
      });
      expect(scheduled.find((s) => s.state === 'Claim release')!.parameters).toMatchObject({
        TableName: local.ReleaseTableName,
        Key: { id: { S: 'LATEST' } },
        ConditionExpression: 'attribute_not_exists(#release) OR #release < :release',
        ExpressionAttributeValues: { ':release': { N: String(RELEASE) }, ':url': { S: pinned }, ':rollout': { S: `release-${RELEASE}` } },
      });
      const record = scheduled.find((s) => s.state === 'Start rollout record')!.parameters as {
        Item: Record<string, { S?: string; N?: string }>;
      };
      expect(record).toMatchObject({ ConditionExpression: 'attribute_not_exists(id)' });
      expect({ state: record.Item.state, seq: record.Item.seq, previous: record.Item.previousRelease }).toEqual({
        state: { S: 'RUNNING' },
        seq: { N: '1' },
        previous: { N: '0' },
      });
    });

    it("update-tenants: each percent wave scans its bucket range from bucket 0 (the last also tenants without a bucket) in parallel segments, and every child gets the release, seq, pinned URL and its wave's budget", async () => {
      const result = await run(find('update-tenants', 'HappyPath'));
      const calls = allCalls(result);
      const firstScans = calls.filter((c) => c.state === 'Scan first page');
      expect(firstScans.map((c) => c.parameters.ExpressionAttributeValues)).toEqual(
        [
          [0, 5000],
          [5000, 10000],
        ].map(([from, to]) => ({
          ':active': { S: 'ACTIVE' },
          ':provisioning': { S: 'PROVISIONING' },
          ':from': { N: String(from) },
          ':to': { N: String(to) },
        })),
      );
      expect(firstScans.map((c) => c.parameters.FilterExpression)).toEqual([
        '(#status = :active OR #status = :provisioning) AND #bucket >= :from AND #bucket < :to',
        '(#status = :active OR #status = :provisioning) AND (#bucket >= :from AND #bucket < :to OR attribute_not_exists(#bucket))',
      ]);
      for (const scan of firstScans) {
        // The local window is 1 (policy maxConcurrency 1), so one segment of one.
        expect(scan.parameters).toMatchObject({
          TableName: local.TenantTableName,
          Segment: 0,
          TotalSegments: 1,
          Limit: Number(local.RolloutPageSize),
          ConsistentRead: true,
          ProjectionExpression: 'tenantId',
        });
      }
      // Pages chain LastEvaluatedKey into ExclusiveStartKey within the segment.
      expect(calls.filter((c) => c.state === 'Scan next page').map((c) => c.parameters.ExclusiveStartKey)).toEqual([
        { tenantId: { S: 'c' } },
        { tenantId: { S: 'e' } },
      ]);
      // The canary wave (0) runs its found tenant from the list; the percent waves scan it again and skip it.
      const children = calls.filter((c) => c.state === 'Update one tenant' || c.state === 'Update named tenant');
      expect(children.map((c) => [c.state, (c.parameters.Input as { tenantId: string }).tenantId])).toEqual([
        ['Update named tenant', 'a'],
        ...['b', 'c', 'd', 'f', 'g'].map((id) => ['Update one tenant', id]),
      ]);
      expect(children.map((c) => (c.parameters.Input as { rollout: { wave: number } }).rollout.wave)).toEqual([0, 1, 1, 1, 2, 2]);
      for (const child of children) {
        expect(child.parameters).toMatchObject({
          StateMachineArn: local.UpdateTenantStateMachineArn,
          Input: { release: RELEASE, seq: 1, templateUrl: pinned, rollout: { id: `release-${RELEASE}`, errorBudget: 1 } },
        });
      }
    });

    const canaryWave = (result: CaseRun) => {
      const record = result.scheduled.find((s) => s.state === 'Start rollout record')!.parameters as { Item: { waves: { S: string } } };
      return (JSON.parse(record.Item.waves.S) as Record<string, unknown>[])[0];
    };
    const namedChildren = (result: CaseRun) =>
      allCalls(result)
        .filter((c) => c.state === 'Update named tenant')
        .map((c) => (c.parameters.Input as { tenantId: string }).tenantId);

    it('update-tenants: the fleet is counted by Select COUNT scans of ACTIVE or PROVISIONING tenants, page after page from LastEvaluatedKey (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html)', async () => {
      const result = await run(find('update-tenants', 'AccountLimitsUnreadable'));
      const count = {
        TableName: local.TenantTableName,
        Select: 'COUNT',
        FilterExpression: '#status = :active OR #status = :provisioning',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': { S: 'ACTIVE' }, ':provisioning': { S: 'PROVISIONING' } },
      };
      expect(result.scheduled.filter((s) => s.state === 'Count tenants').map((s) => s.parameters)).toEqual([
        count,
        { ...count, ExclusiveStartKey: { tenantId: { S: 'c' } } },
      ]);
    });

    it('update-tenants: the canary search scans the tenant table for ACTIVE or PROVISIONING tenants from LastEvaluatedKey until canary.count are found, and wave 0 runs them from its list', async () => {
      const result = await run(find('update-tenants', 'CanariesOverTwoPages'));
      const search = {
        TableName: local.TenantTableName,
        Limit: Number(local.RolloutPageSize),
        ConsistentRead: true,
        ProjectionExpression: 'tenantId',
        FilterExpression: '#status = :active OR #status = :provisioning',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': { S: 'ACTIVE' }, ':provisioning': { S: 'PROVISIONING' } },
      };
      expect(result.scheduled.filter((s) => s.state === 'Find canaries').map((s) => s.parameters)).toEqual([
        search,
        { ...search, ExclusiveStartKey: { tenantId: { S: 'b' } } },
      ]);
      // Two found (a on the first page, c first on the second): d and e are left to the 100 % wave.
      expect(canaryWave(result)).toMatchObject({
        name: 'canary',
        from: 0,
        to: 0,
        tenants: ['a', 'c'],
        budget: 1,
        segments: 1,
        perSegment: 1,
      });
      expect(namedChildren(result)).toEqual(['a', 'c']);
    });

    it.each([
      ['FewerTenantsThanCanaries', ['a', 'b']],
      ['NamedAndFoundCanaries', ['acme', 'globex', 'initech']],
      ['FindCanariesThrottled', ['a']],
      ['HappyPath', ['a']],
      ['CanariesAfterEmptyPage', ['d']],
    ])('update-tenants#%s: the canary wave runs the named tenants, then the found ones, each once', async (name, tenants) => {
      const result = await run(find('update-tenants', name));
      expect(canaryWave(result)).toMatchObject({ name: 'canary', tenants });
      expect(namedChildren(result)).toEqual(tenants);
    });

    it('update-tenants: an empty table (counted 0) plans no canary wave, and percent waves from bucket 0 with budgets by count only', async () => {
      const result = await run(find('update-tenants', 'EmptyTable'));
      const record = result.scheduled.find((s) => s.state === 'Start rollout record')!.parameters as { Item: { waves: { S: string } } };
      expect(JSON.parse(record.Item.waves.S)).toEqual([
        {
          name: 'wave 1 (50 %)',
          from: 0,
          to: 5000,
          tenants: [],
          tier: null,
          last: false,
          budget: 1,
          segments: 1,
          perSegment: 1,
          pageSize: Number(local.RolloutPageSize),
        },
        {
          name: 'wave 2 (100 %)',
          from: 5000,
          to: 10000,
          tenants: [],
          tier: null,
          last: true,
          budget: 1,
          segments: 1,
          perSegment: 1,
          pageSize: Number(local.RolloutPageSize),
        },
      ]);
      expect(namedChildren(result)).toEqual([]);
    });

    it("update-tenants: without the account's limits the window is 2,500 / 3 resources = 833 updates, split over ScanSegments segments", async () => {
      const result = await run(find('update-tenants', 'AccountLimitsUnreadable'));
      const record = result.scheduled.find((s) => s.state === 'Start rollout record')!.parameters as {
        Item: Record<string, { N?: string }>;
      };
      expect(record.Item.window).toEqual({ N: '833' });
      const scans = allCalls(result).filter((c) => c.state === 'Scan first page');
      expect(scans.map((c) => [c.parameters.Segment, c.parameters.TotalSegments]).sort()).toEqual([
        [0, 2],
        [1, 2],
      ]);
    });

    it('update-tenants: a superseded older rollout is marked only while unfinished, and its stored token gets SendTaskSuccess', async () => {
      const { scheduled } = await run(find('update-tenants', 'SupersedesWaitingRollout'));
      expect(scheduled.find((s) => s.state === 'Supersede older rollout')!.parameters).toMatchObject({
        Key: { id: { S: `release-${PREVIOUS.release}` } },
        ConditionExpression: '#state IN (:running, :paused, :halted)',
        ExpressionAttributeValues: { ':superseded': { S: 'SUPERSEDED' }, ':release': { N: String(RELEASE) } },
      });
      expect(scheduled.find((s) => s.state === "Release older rollout's wait")!.parameters).toEqual({
        TaskToken: 'AAAAKgAAAAIAAAAAAAAAAQ-release-1-token',
        Output: '{"action": "superseded"}',
      });
    });

    it('update-tenants: the operator wait stores its task token on the rollout item only while it is paused or halted', async () => {
      const { scheduled } = await run(find('update-tenants', 'PausedBetweenWaves'));
      const wait = scheduled.find((s) => s.state === 'Wait for the operator')!;
      expect([wait.resourceType, wait.resource]).toEqual(['dynamodb', 'updateItem.waitForTaskToken']);
      expect(wait.parameters).toMatchObject({
        Key: { id: { S: `release-${RELEASE}` } },
        UpdateExpression: 'SET operatorToken = :token, updatedAt = :now',
        ConditionExpression: '#state IN (:paused, :halted)',
      });
      expect((wait.parameters.ExpressionAttributeValues as Record<string, { S: string }>)[':token'].S).not.toEqual('');
    });

    it('update-tenants: an abort points LATEST back to the previous release (new seq) and rolls back the tenants this rollout claimed', async () => {
      const result = await run(find('update-tenants', 'HaltedThenAborted'));
      expect(result.scheduled.find((s) => s.state === 'Claim rollback')!.parameters).toMatchObject({
        Key: { id: { S: 'LATEST' } },
        ConditionExpression: 'rolloutId = :rollout',
        ExpressionAttributeValues: {
          ':previous': { N: String(PREVIOUS.release) },
          ':url': { S: previousTemplateUrl(PREVIOUS.versionId) },
          ':rollout': { S: `release-${RELEASE}` },
        },
      });
      const calls = allCalls(result);
      const rollbackScans = calls.filter((c) => c.state === 'Scan first page').slice(1);
      expect(rollbackScans.map((c) => [c.parameters.Segment, c.parameters.TotalSegments]).sort()).toEqual([
        [0, 2],
        [1, 2],
      ]);
      const rolloutSeq = PREVIOUS.seq + 1;
      for (const scan of rollbackScans) {
        expect(scan.parameters).toMatchObject({
          FilterExpression: '#target = :seq',
          ExpressionAttributeNames: { '#target': 'targetSeq' },
          ExpressionAttributeValues: { ':seq': { N: String(rolloutSeq) } },
        });
      }
      const rollbackChildren = calls.filter((c) => c.state === 'Update one tenant').slice(2);
      expect(rollbackChildren).toHaveLength(2);
      for (const child of rollbackChildren) {
        // The rollback's seq is the one Claim rollback returned; no rollout: it is not counted against a wave.
        expect(child.parameters.Input).toEqual({
          release: PREVIOUS.release,
          seq: PREVIOUS.seq + 2,
          templateUrl: previousTemplateUrl(PREVIOUS.versionId),
          tenantId: 'a',
          AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: expect.any(String),
        });
      }
    });

    it.each(Object.entries(REJECTION_CAUSES))(
      "update-tenants#%s: the failure's cause names the field and the rule",
      async (name, cause) => {
        expect((await run(find('update-tenants', name))).cause).toMatch(cause);
      },
    );
  });

  describe('catalogue coverage', () => {
    const statesOf = (name: WorkflowFileName): string[] => {
      const names: string[] = [];
      const visit = (machine: { States: Record<string, Record<string, unknown>> }) => {
        for (const [stateName, state] of Object.entries(machine.States)) {
          names.push(stateName);
          const processor = (state.ItemProcessor ?? state.Iterator) as typeof machine | undefined;
          if (processor) visit(processor);
          for (const branch of (state.Branches as (typeof machine)[] | undefined) ?? []) visit(branch);
        }
      };
      visit(loadWorkflow(name) as unknown as { States: Record<string, Record<string, unknown>> });
      return names;
    };

    it.each(WORKFLOW_NAMES)('%s: the test cases together enter every state', async (name) => {
      const entered = new Set<string>();
      for (const testCase of TEST_CASES.filter((c) => c.workflow === name))
        for (const state of (await run(testCase)).entered) entered.add(state);
      expect(statesOf(name).filter((state) => !entered.has(state))).toEqual([]);
    });

    it('every mocked state name is a Task of its workflow (a typo would silently call the real service)', () => {
      for (const testCase of TEST_CASES) {
        const definition = loadWorkflow(testCase.workflow) as unknown as { States: Record<string, { Type: string }> };
        const tasks = new Set<string>();
        const visit = (machine: { States: Record<string, Record<string, unknown>> }) => {
          for (const [stateName, state] of Object.entries(machine.States)) {
            if (state.Type === 'Task') tasks.add(stateName);
            const processor = (state.ItemProcessor ?? state.Iterator) as typeof machine | undefined;
            if (processor) visit(processor);
            for (const branch of (state.Branches as (typeof machine)[] | undefined) ?? []) visit(branch);
          }
        };
        visit(definition as unknown as { States: Record<string, Record<string, unknown>> });
        for (const state of Object.keys(testCase.mocks))
          expect({ testCase: testCase.name, state, isTask: tasks.has(state) }).toEqual({ testCase: testCase.name, state, isTask: true });
      }
    });

    it('every expected path starts at StartAt and names only states of its workflow (a misspelt segment is named here, not just as a path diff)', () => {
      for (const testCase of TEST_CASES) {
        const definition = loadWorkflow(testCase.workflow) as { StartAt: string };
        const states = new Set(statesOf(testCase.workflow));
        expect({ testCase: testCase.name, first: testCase.path[0], unknown: testCase.path.filter((state) => !states.has(state)) }).toEqual({
          testCase: testCase.name,
          first: definition.StartAt,
          unknown: [],
        });
      }
    });
  });

  // CloudFormation throttling reaches the workflows as CloudFormation.CloudFormationException with a
  // "Rate exceeded" Cause (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html:
  // unmodelled service errors take the service's generic exception name). Calls whose ValidationErrors are
  // answers handle it in a back-off loop in the state data instead of a Retry.
  describe('throttling back-off loop', () => {
    const enteredInputs = (events: HistoryEvent[], state: string) =>
      events
        .filter((e) => e.stateEnteredEventDetails?.name === state)
        .map((e) => JSON.parse(e.stateEnteredEventDetails!.input!) as { throttle: { attempts: number; waitSeconds: number; cap: number } });

    it('waits a delay drawn from 1..cap for each throttled answer, doubling the cap, and actually waits that long', async () => {
      const { events } = await run(find('delete-tenant', 'LookupThrottledOut'));
      const draws = enteredInputs(events, 'Back off after throttling').map((input) => input.throttle);
      expect(draws.map((d) => [d.attempts, d.cap])).toEqual([
        [1, 2],
        [2, 4],
      ]);
      expect(draws[0].waitSeconds).toBe(1);
      expect([1, 2]).toContain(draws[1].waitSeconds);
      const waits = events.filter((e) => e.type === 'WaitStateEntered' || e.type === 'WaitStateExited');
      for (let i = 0; i < draws.length; i++) {
        const [entered, exited] = [waits[2 * i], waits[2 * i + 1]];
        expect((exited.timestamp!.getTime() - entered.timestamp!.getTime()) / 1000).toBe(draws[i].waitSeconds);
      }
    });

    it('gives up after ApiRetryMaxAttempts throttled retries with a failure naming the call', async () => {
      const { scheduled } = await run(find('delete-tenant', 'LookupThrottledOut'));
      expect(scheduled.filter((s) => s.state === 'Find tenant stack')).toHaveLength(Number(local.ApiRetryMaxAttempts) + 1);
      const failed = scheduled.find((s) => s.state === 'Record tenant failed')!;
      expect(failed.parameters).toMatchObject({
        ExpressionAttributeValues: {
          ':reason': {
            S: expect.stringMatching(/^Find tenant stack was still throttled after 2 retries: Rate exceeded \(Service: CloudFormation/),
          },
        },
      });
      const announced = scheduled.find((s) => s.state === 'Announce deprovisioning failure')!;
      expect(announced.parameters).toMatchObject({ Entries: [{ Detail: { error: 'CloudFormationThrottled' } }] });
    });

    it('the draw doubles the cap up to ApiRetryMaxDelaySeconds and spreads the waits over 1..cap (full jitter)', async () => {
      // The workflow's own "Draw back-off delay" state, run over many back-off states in an inline Map.
      const draw = (loadWorkflow('update-tenant') as { States: Record<string, Record<string, unknown>> }).States['Draw back-off delay'];
      const { Next: _next, ...drawState } = draw;
      const max = Number(local.ApiRetryMaxDelaySeconds);
      const caps = [1, 2, 4, 8, max - 1, max, ...Array<number>(60).fill(3)];
      const definition = {
        StartAt: 'Draw each',
        States: {
          'Draw each': {
            Type: 'Map',
            ItemsPath: '$.items',
            Iterator: { StartAt: 'Draw back-off delay', States: { 'Draw back-off delay': { ...drawState, End: true } } },
            End: true,
          },
        },
      };
      client ??= sfnClient();
      const { stateMachineArn } = await client.send(
        new CreateStateMachineCommand({
          name: `throttle-draw-${process.pid}`,
          definition: JSON.stringify(definition),
          roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/tenant-workflows`,
        }),
      );
      const input = { items: caps.map((cap) => ({ throttle: { attempts: 0, cap, returnTo: 'Find tenant stack', total: 0 } })) };
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
      let described = await client.send(new DescribeExecutionCommand({ executionArn }));
      for (let i = 0; described.status === 'RUNNING' && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 50));
        described = await client.send(new DescribeExecutionCommand({ executionArn }));
      }
      expect(described.status).toBe('SUCCEEDED');
      const results = (
        JSON.parse(described.output!) as { throttle: { attempts: number; waitSeconds: number; cap: number; returnTo: string } }[]
      ).map((r) => r.throttle);
      expect(results.slice(0, 6).map((r) => r.cap)).toEqual([2, 4, 8, 16, max, max].map((c) => Math.min(c, max)));
      for (const [i, r] of results.entries()) {
        expect(r.attempts).toBe(1);
        expect(r.returnTo).toBe('Find tenant stack');
        expect(r.waitSeconds).toBeGreaterThanOrEqual(1);
        expect(r.waitSeconds).toBeLessThanOrEqual(caps[i]);
      }
      // 60 draws from 1..3: every value appears (a miss has probability below 3 x (2/3)^60).
      expect(new Set(results.slice(6).map((r) => r.waitSeconds))).toEqual(new Set([1, 2, 3]));
    });

    it('a throttled answer costs EVENTS_PER_THROTTLED_ANSWER events through the loop and EVENTS_PER_RETRY through a Retry', async () => {
      const loop = (await run(find('delete-tenant', 'LookupThrottledOut'))).events;
      const lookups = loop.flatMap((e, i) => (e.stateEnteredEventDetails?.name === 'Find tenant stack' ? [i] : []));
      expect(lookups.slice(1).map((at, i) => at - lookups[i])).toEqual([EVENTS_PER_THROTTLED_ANSWER, EVENTS_PER_THROTTLED_ANSWER]);
      const retried = (await run(find('update-tenant', 'DescribeFails'))).events;
      const attempts = retried.flatMap((e, i) =>
        e.type === 'TaskScheduled' &&
        i > 0 &&
        retried
          .slice(0, i)
          .reverse()
          .find((p) => p.stateEnteredEventDetails)?.stateEnteredEventDetails?.name === 'Describe updated stack'
          ? [i]
          : [],
      );
      expect(attempts.slice(1).map((at, i) => at - attempts[i])).toEqual([EVENTS_PER_RETRY, EVENTS_PER_RETRY]);
    });
  });

  describe('history budget of update-tenants (parent, segment children, tenant children)', () => {
    const r = Number(local.ApiRetryMaxAttempts);
    const rollout = TEST_CASES.filter((c) => c.workflow === 'update-tenants');
    const segmentChildren = (runResult: CaseRun) =>
      runResult.children.filter((c) => c.events.some((e) => e.stateEnteredEventDetails?.name === 'Scan first page'));
    const tenantChildren = (runResult: CaseRun) =>
      runResult.children.filter((c) => c.events.some((e) => /^Update (one|named) tenant$/.test(e.stateEnteredEventDetails?.name ?? '')));
    const canaryPagesOf = (runResult: CaseRun) => runResult.entered.filter((s) => s === 'Find canaries').length;
    const countPagesOf = (runResult: CaseRun) => runResult.entered.filter((s) => s === 'Count tenants').length;
    const pagesOf = (events: HistoryEvent[]) =>
      events.filter((e) => /^Scan (first|next) page$/.test(e.stateEnteredEventDetails?.name ?? '')).length;

    it('measured runs pin the counts: start 49 without an older rollout (Any canaries to find? included; the one cell’s limits read in a Map), 7 per count page, 7 per canary page, 26 per wave with a bake (24 from the list only), 24 for the last, 10 to complete', async () => {
      // The local policy: the fleet counted on one page (7), one canary found on the first page (7), run from the list (no Run wave, After the run).
      expect((await run(find('update-tenants', 'HappyPath'))).events.length).toBe(49 + 7 + 7 + 24 + 26 + 24 + 10);
      expect((await run(find('update-tenants', 'CanariesOverTwoPages'))).events.length).toBe(49 + 7 + 2 * 7 + 24 + 24 + 10);
      // An older rollout superseded and its waiting operator released: 5 + 2 + 5 more before the first wave.
      expect((await run(find('update-tenants', 'SupersedesWaitingRollout'))).events.length).toBe(49 + 7 + 12 + 24 + 10);
      // A segment: 21 for its first page with tenants (the Wait opening its window included), 22 for each further page
      // (16 when empty), 15 for an empty segment.
      const lengths = async (name: string) => segmentChildren(await run(find('update-tenants', name))).map((c) => c.events.length);
      expect(await lengths('OneWaveHappyPath')).toEqual([21 + 3 * 22]);
      expect(await lengths('HappyPath')).toEqual([21 + 22 + 16, 21]);
      expect(await lengths('AccountLimitsUnreadable')).toEqual([15, 15]);
    });

    it('every measured execution stays within its formula: the parent by waves and operator rounds, a segment by its pages, a tenant child by a constant', async () => {
      for (const testCase of rollout) {
        const result = await run(testCase);
        const waits = result.entered.filter((s) => s === 'Wait for the operator').length;
        // The local policy has 3 waves (canary, 50 %, 100 %); the cases' overrides fewer.
        const parentBound = rolloutParentWorstCaseEvents(
          { ApiRetryMaxAttempts: r },
          { waves: 3, operatorRounds: waits, canaryPages: canaryPagesOf(result), countPages: countPagesOf(result), cells: 1 },
        );
        expect({ case: testCase.name, parentWithin: result.events.length <= parentBound }).toEqual({
          case: testCase.name,
          parentWithin: true,
        });
        for (const segment of segmentChildren(result)) {
          const bound = rolloutSegmentWorstCaseEvents({ ApiRetryMaxAttempts: r }, pagesOf(segment.events));
          expect({ case: testCase.name, segmentWithin: segment.events.length <= bound }).toEqual({
            case: testCase.name,
            segmentWithin: true,
          });
        }
        for (const child of tenantChildren(result)) expect(child.events.length).toBeLessThanOrEqual(ROLLOUT_TENANT_CHILD_EVENTS);
      }
    });

    it('the bounds are tight: the longest parent reaches over a third of its bound, a segment without retries all but its last check', async () => {
      const longest = (await Promise.all(rollout.map(async (c) => (await run(c)).events.length))).reduce((a, b) => Math.max(a, b));
      expect(longest).toBeGreaterThan(
        rolloutParentWorstCaseEvents({ ApiRetryMaxAttempts: r }, { waves: 3, operatorRounds: 1, canaryPages: 1, countPages: 1, cells: 1 }) /
          3,
      );
      // Four pages of tenants without retries: the bound counts a state check after the last page too (7 events).
      expect(rolloutSegmentWorstCaseEvents({ ApiRetryMaxAttempts: 0 }, 4)).toBe(21 + 3 * 22 + 7);
    });

    it('the deployed tuning: a segment child reads a 100,000-tenant table alone, and a full policy (21 waves) whose count and canary search read that whole table survives 120 operator rounds with 50 cells, every call retried 6 times', () => {
      const deployed = { ApiRetryMaxAttempts: DEFAULT_WORKFLOW_TUNING.ApiRetryMaxAttempts };
      expect(rolloutSegmentPagesWithin(deployed) * DEFAULT_WORKFLOW_TUNING.RolloutPageSize).toBeGreaterThan(100_000);
      expect(rolloutSegmentWorstCaseEvents(deployed, Math.ceil(100_000 / DEFAULT_WORKFLOW_TUNING.RolloutPageSize) + 1)).toBeLessThan(
        0.6 * HISTORY_EVENT_QUOTA,
      );
      // Few ACTIVE tenants in a large table: the search pages to its end (the filter applies after Limit).
      const canaryPages = Math.ceil(100_000 / DEFAULT_WORKFLOW_TUNING.RolloutPageSize) + 1;
      // The count reads the table in 1 MB pages: 100,000 records of up to 1 KB (a tenant record is a few hundred bytes).
      const countPages = Math.ceil((100_000 * 1024) / (1024 * 1024));
      const shape = { waves: 21, canaryPages, countPages, cells: 50 };
      const rounds = rolloutOperatorRoundsWithin(deployed, shape);
      expect(rounds).toBeGreaterThanOrEqual(120);
      expect(rolloutParentWorstCaseEvents(deployed, { ...shape, operatorRounds: rounds })).toBeLessThanOrEqual(HISTORY_EVENT_QUOTA);
      expect(rolloutParentWorstCaseEvents(deployed, { ...shape, operatorRounds: rounds + 1 })).toBeGreaterThan(HISTORY_EVENT_QUOTA);
    });
  });

  describe('history budget of create-tenant, delete-tenant and update-tenant', () => {
    const localTuning = {
      MaxStackPolls: Number(local.MaxStackPolls),
      MaxBusyWaits: Number(local.MaxBusyWaits),
      ApiRetryMaxAttempts: Number(local.ApiRetryMaxAttempts),
      StackPollSeconds: Number(local.StackPollSeconds),
      StackEventWaitSeconds: Number(local.StackEventWaitSeconds),
    };
    const bounds: Record<'create-tenant' | 'delete-tenant' | 'update-tenant' | 'stack-events', (t: typeof localTuning) => number> = {
      'create-tenant': createTenantWorstCaseEvents,
      'delete-tenant': deleteTenantWorstCaseEvents,
      'update-tenant': updateTenantWorstCaseEvents,
      'stack-events': stackEventsWorstCaseEvents,
    };

    it.each(Object.keys(bounds) as (keyof typeof bounds)[])(
      '%s: every measured run stays within the worst-case formula at the local tuning',
      async (workflow) => {
        const bound = bounds[workflow](localTuning);
        for (const testCase of TEST_CASES.filter((c) => c.workflow === workflow)) {
          const { events } = await run(testCase);
          expect({ case: testCase.name, withinBound: events.length <= bound }).toEqual({ case: testCase.name, withinBound: true });
        }
      },
    );

    it('each formula bounds the longest measured run of its workflow, and by less than 3 times it', async () => {
      // The bound assumes every call throttled ApiRetryMaxAttempts times and every busy round refused,
      // which no single mocked case combines; a bound over 3 times the longest run would be too loose to
      // size the tuning by (the longest runs reach 36 % to 83 % of their bound today).
      // update-tenants has its own bounds per execution kind (history budget of update-tenants).
      const formulas = Object.fromEntries(Object.entries(bounds).map(([workflow, bound]) => [workflow, bound(localTuning)])) as Record<
        keyof typeof bounds,
        number
      >;
      for (const workflow of Object.keys(bounds) as (keyof typeof bounds)[]) {
        const lengths = await Promise.all(TEST_CASES.filter((c) => c.workflow === workflow).map(async (c) => (await run(c)).events.length));
        const longest = Math.max(...lengths);
        expect({
          workflow,
          bound: formulas[workflow],
          atLeastLongest: formulas[workflow] >= longest,
          under3x: formulas[workflow] < 3 * longest,
        }).toEqual({
          workflow,
          bound: formulas[workflow],
          atLeastLongest: true,
          under3x: true,
        });
      }
    });

    it('a stack that stays busy and polling that gives up cost the per-round and per-poll events of docs/workflows.md', async () => {
      // Without throttling and without refused changes, a busy round costs 11 (not 18) and the last
      // round ends in the failure note; these runs pin the per-round and per-poll counts the formulas use.
      expect((await run(find('delete-tenant', 'StackStaysBusy'))).events.length).toBe(29 + 4 * 7 + 3 * 4 + 14);
      expect((await run(find('create-tenant', 'PollingGivesUp'))).events.length).toBe(51 + 6 * 9 + 5 * 2 + 14);
    });

    it('the deployed tuning (infra/config.ts) keeps every execution under the 25,000-event quota, throttling included', () => {
      for (const bound of Object.values(bounds)) expect(bound(DEFAULT_WORKFLOW_TUNING)).toBeLessThan(HISTORY_EVENT_QUOTA);
    });
  });
});
