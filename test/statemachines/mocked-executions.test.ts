/**
 * Every test case of mocks/MockConfigFile.json, run through the Step Functions API with an unmodified
 * @aws-sdk/client-sfn client against the run's endpoint (this repo's engine by default; SFN_ENDPOINT
 * or SFN_LOCAL_DOCKER=1 for AWS's Step Functions Local, see test/support/sfn-endpoint.ts). Checked
 * per case: final status, the error of a failed run, the output of a successful one, and the exact
 * path of states entered (GetExecutionHistory). Then what the workflows send to AWS, the history-event
 * arithmetic of docs/workflows.md, and that the catalogue enters every state of every workflow.
 * Every history is recorded for the coverage gate (test/workflow-coverage/gate.ts).
 */
import { createHash } from 'node:crypto';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { localSubstitutions, loadWorkflow, LOCAL_ACCOUNT } from '../../statemachines/local-substitutions';
import { MockTestCase, TEST_CASES } from '../../mocks/test-cases';
import { PINNED_VERSION_ID, stackId } from '../../mocks/responses';
import {
  createTenantWorstCaseEvents,
  deleteTenantWorstCaseEvents,
  EVENTS_PER_RETRY,
  EVENTS_PER_THROTTLED_ANSWER,
  HISTORY_EVENT_QUOTA,
  updateTenantsWorstCaseEvents,
  updateTenantWorstCaseEvents,
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
        RoleARN: local.CloudFormationRoleArn,
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
        RoleARN: local.CloudFormationRoleArn,
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

    it('update-tenant: UpdateStack uses the pinned template URL, keeps TenantId and passes the role', async () => {
      const { scheduled } = await run(find('update-tenant', 'Updated'));
      expect(scheduled.find((s) => s.state === 'Update tenant stack')!.parameters).toEqual({
        StackName: stackId('acme'),
        TemplateURL: `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`,
        Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        RoleARN: local.CloudFormationRoleArn,
        // One token per tenant and pinned template version (the URL's MD5 keeps it within [a-zA-Z0-9-]).
        ClientRequestToken: `update-acme-${createHash('md5').update(`${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`).digest('hex')}`,
      });
      expect(scheduled.find((s) => s.state === 'Record template version')!.parameters).toMatchObject({
        ExpressionAttributeValues: { ':version': { S: '1.1.0' } },
      });
    });

    it('update-tenants: pages chain LastEvaluatedKey into ExclusiveStartKey, and only ACTIVE tenants start a child, in order, with the pinned URL', async () => {
      const { scheduled } = await run(find('update-tenants', 'ThreePages'));
      const scans = scheduled.filter((s) => s.resourceType === 'aws-sdk:dynamodb' && s.resource === 'scan');
      expect(scans.map((s) => s.parameters.ExclusiveStartKey)).toEqual([undefined, { tenantId: { S: 'c' } }, { tenantId: { S: 'f' } }]);
      for (const scan of scans) {
        expect(scan.parameters).toMatchObject({
          TableName: local.TenantTableName,
          Limit: Number(local.TenantPageSize),
          FilterExpression: 'attribute_not_exists(#status) OR #status <> :deleted',
          ExpressionAttributeValues: { ':deleted': { S: 'DELETED' } },
        });
      }
      const children = scheduled.filter((s) => s.state === 'Update one tenant');
      expect(children.map((c) => (c.parameters.Input as { tenantId: string }).tenantId)).toEqual(['a', 'b', 'c', 'd', 'g']);
      for (const child of children) {
        expect(child.parameters).toMatchObject({
          StateMachineArn: local.UpdateTenantStateMachineArn,
          Input: { templateUrl: `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}` },
        });
      }
    });

    it('update-tenants: the continuation gets the cursor, the pinned template and the totals so far', async () => {
      const { scheduled } = await run(find('update-tenants', 'ContinuesInNewExecution'));
      const handOff = scheduled.find((s) => s.state === 'Continue in a new execution')!;
      expect([handOff.resourceType, handOff.resource]).toEqual(['states', 'startExecution.sync:2']);
      expect(handOff.parameters).toMatchObject({
        StateMachineArn: await arnOf('update-tenants'),
        Input: {
          continuation: {
            templateUrl: `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}`,
            templateVersion: PINNED_VERSION_ID,
            exclusiveStartKey: { tenantId: { S: 'i' } },
            progress: { updated: 7, unchanged: 1, failed: [], skipped: ['e'], pages: 3 },
          },
        },
      });
    });
  });

  describe('history-event arithmetic (docs/workflows.md)', () => {
    // Per page: Scan 5, Map frame 4, Tally/Add/Flatten/More pages? 8 = 17; per ACTIVE tenant 10, per skipped 6.
    // Per run: start 9 (ExecutionStarted + 4 states), end 7 (Summarize, Report summary, Succeed, ExecutionSucceeded).
    const perPage = (active: number, skipped: number) => 17 + 10 * active + 6 * skipped;

    it('one page of 3 updated (2 ACTIVE, 1 PROVISIONING) and 1 skipped tenant costs 9 + page + 7 events', async () => {
      expect((await run(find('update-tenants', 'OnePage'))).events.length).toBe(9 + perPage(3, 1) + 7);
    });

    it('three pages cost the sum of their pages', async () => {
      expect((await run(find('update-tenants', 'ThreePages'))).events.length).toBe(9 + perPage(3, 0) + perPage(1, 2) + perPage(1, 0) + 7);
    });
  });

  describe('catalogue coverage', () => {
    const statesOf = (name: WorkflowFileName): string[] => {
      const names: string[] = [];
      const visit = (machine: { States: Record<string, Record<string, unknown>> }) => {
        for (const [stateName, state] of Object.entries(machine.States)) {
          names.push(stateName);
          const processor = (state.ItemProcessor ?? state.Iterator) as typeof machine | undefined;
          if (processor) visit(processor);
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
      const input = { items: caps.map((cap) => ({ throttle: { attempts: 0, cap, returnTo: 'Find tenant stack' } })) };
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
      const retried = (await run(find('update-tenant', 'ProgressCheckThrottledOut'))).events;
      const attempts = retried.flatMap((e, i) =>
        e.type === 'TaskScheduled' &&
        i > 0 &&
        retried
          .slice(0, i)
          .reverse()
          .find((p) => p.stateEnteredEventDetails)?.stateEnteredEventDetails?.name === 'Check update progress'
          ? [i]
          : [],
      );
      expect(attempts.slice(1).map((at, i) => at - attempts[i])).toEqual([EVENTS_PER_RETRY, EVENTS_PER_RETRY]);
    });
  });

  describe('history budget of update-tenants', () => {
    it('the worst-case formula matches a measured run with a child that could not start', async () => {
      // ChildCouldNotStart: one page, one tenant updated (10 events), one failed to start (11), no retries;
      // it ends in the Fail state (Summarize 2, Report summary 2, FailStateEntered, ExecutionFailed = 6).
      expect((await run(find('update-tenants', 'ChildCouldNotStart'))).events.length).toBe(9 + 17 + 10 + 11 + 6);
      expect(updateTenantsWorstCaseEvents({ TenantPageSize: 1, MaxPagesPerExecution: 1, ApiRetryMaxAttempts: 0 })).toBe(22 + 17 + 11);
    });

    it('the deployed tuning (infra/config.ts) keeps one execution under the 25,000-event quota with 40 % of it free', () => {
      expect(updateTenantsWorstCaseEvents(DEFAULT_WORKFLOW_TUNING)).toBeLessThanOrEqual(0.6 * HISTORY_EVENT_QUOTA);
    });

    it('the local tuning does too, and a fleet of 100,000 tenants in one execution would not', () => {
      expect(
        updateTenantsWorstCaseEvents({
          TenantPageSize: Number(local.TenantPageSize),
          MaxPagesPerExecution: Number(local.MaxPagesPerExecution),
          ApiRetryMaxAttempts: Number(local.ApiRetryMaxAttempts),
        }),
      ).toBeLessThan(HISTORY_EVENT_QUOTA);
      expect(updateTenantsWorstCaseEvents({ TenantPageSize: 50, MaxPagesPerExecution: 2_000, ApiRetryMaxAttempts: 0 })).toBeGreaterThan(
        HISTORY_EVENT_QUOTA,
      );
    });
  });

  describe('history budget of create-tenant, delete-tenant and update-tenant', () => {
    const localTuning = {
      MaxStackPolls: Number(local.MaxStackPolls),
      MaxBusyWaits: Number(local.MaxBusyWaits),
      ApiRetryMaxAttempts: Number(local.ApiRetryMaxAttempts),
    };
    const bounds: Record<'create-tenant' | 'delete-tenant' | 'update-tenant', (t: typeof localTuning) => number> = {
      'create-tenant': createTenantWorstCaseEvents,
      'delete-tenant': deleteTenantWorstCaseEvents,
      'update-tenant': updateTenantWorstCaseEvents,
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
      // size MaxPagesPerExecution by (the longest runs reach 36 % to 83 % of their bound today).
      const fleetTuning = {
        TenantPageSize: Number(local.TenantPageSize),
        MaxPagesPerExecution: Number(local.MaxPagesPerExecution),
        ApiRetryMaxAttempts: Number(local.ApiRetryMaxAttempts),
      };
      const formulas: Record<WorkflowFileName, number> = {
        ...Object.fromEntries(Object.entries(bounds).map(([workflow, bound]) => [workflow, bound(localTuning)])),
        'update-tenants': updateTenantsWorstCaseEvents(fleetTuning),
      } as Record<WorkflowFileName, number>;
      for (const workflow of WORKFLOW_NAMES) {
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
      expect((await run(find('delete-tenant', 'StackStaysBusy'))).events.length).toBe(23 + 4 * 7 + 3 * 4 + 14);
      expect((await run(find('create-tenant', 'PollingGivesUp'))).events.length).toBe(41 + 6 * 9 + 5 * 2 + 14);
    });

    it('the deployed tuning (infra/config.ts) keeps every execution under the 25,000-event quota, throttling included', () => {
      for (const bound of Object.values(bounds)) expect(bound(DEFAULT_WORKFLOW_TUNING)).toBeLessThan(HISTORY_EVENT_QUOTA);
    });
  });
});
