import { readdirSync, readFileSync } from 'node:fs';
import { SUBSTITUTIONS, SUBSTITUTION_KEYS } from '../../statemachines/substitutions';
import {
  LOCAL_SUBSTITUTIONS_JSON,
  loadWorkflow,
  localSubstitutions,
  localSubstitutionsJson,
} from '../../statemachines/local-substitutions';
import { aslValidator, validateWorkflowFile } from '../../scripts/validate-asl';
import { invocationKeys, MOCK_CONFIG_FILE, mockConfigJson } from '../../mocks/build';
import { importDefinition } from '../../scripts/json-to-yaml';
import { TEST_CASES } from '../../mocks/test-cases';
import { tenantIdViolation } from '../../template/tenant-id';
import { STATEMACHINES_DIR, WORKFLOW_FILE_SUFFIX, WORKFLOW_NAMES, WorkflowFileName, workflowPath } from '../../statemachines/workflows';

type Json = Record<string, unknown>;
interface NamedState {
  name: string;
  state: Json;
}

/** Every state, including those inside Map iterators and Parallel branches. */
function allStates(definition: Json): NamedState[] {
  const out: NamedState[] = [];
  const visit = (machine: Json) => {
    for (const [name, state] of Object.entries(machine.States as Record<string, Json>)) {
      out.push({ name, state });
      const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
      if (processor) visit(processor);
      for (const branch of (state.Branches as Json[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return out;
}

const text = (name: WorkflowFileName) => readFileSync(workflowPath(name), 'utf8');
const placeholders = (source: string) => new Set([...source.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
const local = localSubstitutions();
const tasks = (name: WorkflowFileName) => allStates(loadWorkflow(name)).filter(({ state }) => state.Type === 'Task');
const resourceOf = (state: Json) => String(state.Resource);
const retriers = (state: Json) => (state.Retry as { ErrorEquals: string[] }[] | undefined) ?? [];
/** Exponential backoff with full jitter, as every throttled AWS call should retry. */
const BACKOFF = {
  IntervalSeconds: 1,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
  MaxAttempts: Number(local.ApiRetryMaxAttempts),
  MaxDelaySeconds: Number(local.ApiRetryMaxDelaySeconds),
};
/**
 * CloudFormation calls whose ValidationErrors are expected answers ("does not exist", "No updates are to
 * be performed", "is in X state and can not be updated", "cannot be deleted while in status"): a blanket
 * Retry of the generic error name would retry those answers too.
 */
const ANSWERING_VALIDATION_ERRORS = ['Find tenant stack', 'Delete tenant stack', 'Update tenant stack'];

test('WORKFLOW_NAMES lists exactly the workflow files of statemachines/', () => {
  const files = readdirSync(STATEMACHINES_DIR).filter((file) => file.endsWith(WORKFLOW_FILE_SUFFIX));
  expect(files.sort()).toEqual(WORKFLOW_NAMES.map((name) => `${name}${WORKFLOW_FILE_SUFFIX}`).sort());
});

describe.each(WORKFLOW_NAMES)('%s', (name) => {
  it('passes asl-validator after local substitution', () => {
    const verdict = validateWorkflowFile(workflowPath(name));
    expect(verdict.errors).toEqual([]);
    expect(verdict.valid).toBe(true);
  });

  it('uses only placeholders declared in statemachines/substitutions.ts', () => {
    const undeclared = [...placeholders(text(name))].filter((key) => !(key in SUBSTITUTIONS));
    expect(undeclared).toEqual([]);
  });

  it('uses one query language throughout: JSONata for the rollout (its plan needs arithmetic), JSONPath for the rest (they also run on Step Functions Local)', () => {
    const source = text(name);
    if (name !== 'update-tenants') {
      expect(source).not.toMatch(/QueryLanguage/);
      expect(source).not.toMatch(/\{%/);
      return;
    }
    // Step Functions Local has no JSONata, so update-tenants' mocked cases run on this project's engine only.
    expect((loadWorkflow(name) as Json).QueryLanguage).toBe('JSONata');
    const jsonPathFields = ['Parameters', 'ResultPath', 'ResultSelector', 'InputPath', 'OutputPath', 'ItemsPath'];
    const mixed = allStates(loadWorkflow(name)).flatMap(({ name: stateName, state }) =>
      jsonPathFields.filter((field) => field in state || `${field}.$` in state).map((field) => `${stateName}.${field}`),
    );
    expect(mixed).toEqual([]);
  });

  it('is plain YAML that Workflow Studio round-trips: no anchors, aliases, merge keys or tags', () => {
    const lines = text(name).split('\n');
    const offending = lines.filter((line) => /(^|[:-]\s+)[&*!][A-Za-z]/.test(line.replace(/'[^']*'|"[^"]*"/g, "''")) || /<<:/.test(line));
    expect(offending).toEqual([]);
  });

  it('names every state uniquely, so a mock configuration can address each Task by name', () => {
    const names = allStates(loadWorkflow(name)).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('retries DynamoDB throttling under the names each integration reports, with exponential backoff and full jitter', () => {
    // On AWS the optimized integration names errors DynamoDB.<Name> (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html),
    // the aws-sdk integration DynamoDb.<Name> (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html); both model ProvisionedThroughputExceeded and RequestLimitExceeded.
    // Item and scan calls; DescribeTable (a control-plane call, throttled under an unmodelled code) is checked below.
    const dataPlane = tasks(name).filter(
      ({ state }) => /:(aws-sdk:)?dynamodb:/.test(resourceOf(state)) && !/:describeTable$/.test(resourceOf(state)),
    );
    for (const { name: stateName, state } of tasks(name).filter(({ state }) =>
      /:aws-sdk:dynamodb:describeTable$/.test(resourceOf(state)),
    )) {
      const retrier = retriers(state).find((r) => r.ErrorEquals.includes('DynamoDb.DynamoDbException'));
      expect({ stateName, ...retrier }).toMatchObject({ stateName, ...BACKOFF });
    }
    for (const { name: stateName, state } of dataPlane) {
      const prefix = /aws-sdk:dynamodb/.test(resourceOf(state)) ? 'DynamoDb' : 'DynamoDB';
      const retrier = retriers(state).find((r) => r.ErrorEquals.includes(`${prefix}.ProvisionedThroughputExceededException`));
      expect({ stateName, ...retrier }).toMatchObject({ stateName, ...BACKOFF });
      expect({ stateName, names: retrier!.ErrorEquals }).toEqual({
        stateName,
        names: [
          `${prefix}.ProvisionedThroughputExceededException`,
          `${prefix}.RequestLimitExceededException`,
          `${prefix}.ThrottlingException`,
        ],
      });
    }
  });

  it('turns number placeholders into JSON numbers after substitution', () => {
    const numberFields = [
      'Seconds',
      'MaxAttempts',
      'MaxDelaySeconds',
      'MaxConcurrency',
      'Limit',
      'NumericLessThan',
      'NumericGreaterThanEquals',
    ];
    const found: unknown[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (numberFields.includes(key)) found.push(inner);
          walk(inner);
        }
      }
    };
    walk(loadWorkflow(name));
    expect(found.length).toBeGreaterThan(0);
    // A JSONata expression ({% ... %}) computes its number when the state runs (update-tenants' Map concurrency).
    for (const value of found) expect(typeof value === 'number' || /^\{%[\s\S]*%\}$/.test(String(value))).toBe(true);
  });
});

/**
 * The workflows that manage a stack call CloudFormation; update-tenants only reads the account's limits
 * (DescribeAccountLimits, for the window) and starts children.
 */
const CLOUDFORMATION_WORKFLOWS: WorkflowFileName[] = ['create-tenant', 'delete-tenant', 'update-tenant'];
const stackCalls = (name: WorkflowFileName) =>
  tasks(name).filter(({ state }) => /:cloudformation:/.test(resourceOf(state)) && !resourceOf(state).endsWith(':describeAccountLimits'));
/**
 * delete-tenant and update-tenant make CloudFormation calls whose ValidationErrors are answers, so their
 * throttling goes through a back-off loop; create-tenant's calls retry plainly.
 */
const BACKOFF_LOOP_WORKFLOWS: WorkflowFileName[] = ['delete-tenant', 'update-tenant'];

test('exactly the stack workflows call CloudFormation, and exactly those with answering calls have a back-off loop', () => {
  const callers = WORKFLOW_NAMES.filter((name) => stackCalls(name).length > 0);
  expect(callers).toEqual(CLOUDFORMATION_WORKFLOWS);
  const withLoop = WORKFLOW_NAMES.filter((name) => allStates(loadWorkflow(name)).some((s) => s.name === 'Retry after throttling?'));
  expect(withLoop).toEqual(BACKOFF_LOOP_WORKFLOWS);
});

describe.each(CLOUDFORMATION_WORKFLOWS)('%s (calls CloudFormation)', (name) => {
  // CloudFormation's Throttling code is not a modelled exception, so the aws-sdk integration reports it
  // under the generic CloudFormation.CloudFormationException, like ValidationError
  // (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html; recorded analogue:
  // DynamoDb.DynamoDbException for an unmodelled DynamoDB ValidationException). Only the Cause says "Rate exceeded".
  it('handles CloudFormation throttling as AWS reports it on every CloudFormation task', () => {
    const definition = loadWorkflow(name) as { States: Record<string, Json> };
    const calls = tasks(name).filter(({ state }) => /:cloudformation:/.test(resourceOf(state)));
    expect(calls.length).toBeGreaterThan(0);
    for (const { name: stateName, state } of calls) {
      const hedge = retriers(state).find((r) => r.ErrorEquals.includes('CloudFormation.ThrottlingException'));
      expect({ stateName, ...hedge }).toMatchObject({ stateName, ...BACKOFF });
      const generic = retriers(state).find((r) =>
        r.ErrorEquals.some((e) => e === 'CloudFormation.CloudFormationException' || e === 'States.ALL' || e === 'States.TaskFailed'),
      );
      if (!ANSWERING_VALIDATION_ERRORS.includes(stateName)) {
        expect({ stateName, retriesGenericName: generic !== undefined }).toEqual({ stateName, retriesGenericName: true });
        expect({ stateName, ...generic }).toMatchObject({ stateName, ...BACKOFF });
        continue;
      }
      // Its ValidationErrors are answers: no blanket Retry, but a Catch whose Choice sends "Rate exceeded" to the back-off loop.
      expect({ stateName, retriesGenericName: generic !== undefined }).toEqual({ stateName, retriesGenericName: false });
      const catcher = ((state.Catch as Json[] | undefined) ?? []).find((c) =>
        (c.ErrorEquals as string[]).includes('CloudFormation.CloudFormationException'),
      )!;
      const choice = definition.States[String(catcher.Next)];
      const rule = (choice.Choices as Json[]).find((r) => r.StringMatches === '*Rate exceeded*');
      expect({ stateName, variable: rule?.Variable }).toEqual({ stateName, variable: `${String(catcher.ResultPath)}.Cause` });
      const note = definition.States[String(rule!.Next)];
      expect({ stateName, note }).toMatchObject({
        stateName,
        note: { Type: 'Pass', Result: stateName, ResultPath: '$.throttle.returnTo', Next: 'Retry after throttling?' },
      });
    }
  });

  it("makes every stack call as the tenant cell's deployer role (Credentials), which stack-changing calls pass as the service role", () => {
    const changes = tasks(name).filter(({ state }) => /cloudformation:(create|update|delete)Stack$/.test(resourceOf(state)));
    expect(changes.length).toBeGreaterThan(0);
    for (const { state } of changes) {
      // The cell's deployer role, read from the tenant's cell at run time, is both the caller and the service role.
      const roleArnPath = (state.Parameters as Json)['RoleARN.$'];
      expect(roleArnPath).toMatch(/cell/);
      expect((state.Credentials as Json)['RoleArn.$']).toBe(roleArnPath);
    }
    // Reads too: a stack is found only in its own cell's account.
    const withoutCredentials = tasks(name)
      .filter(({ state }) => /aws-sdk:cloudformation:(create|update|delete|describe)Stacks?$/.test(resourceOf(state)))
      .filter(({ state }) => !(state.Credentials as Json | undefined)?.['RoleArn.$']);
    expect(withoutCredentials.map(({ name: stateName }) => stateName)).toEqual([]);
  });
});

/** Where the back-off wait of a workflow without a "Return to throttled call" Choice goes. */
const reachedAfterBackOff = (states: Record<string, Json>): unknown => states['Back off after throttling'].Next;

describe.each(BACKOFF_LOOP_WORKFLOWS)('%s (throttling back-off loop)', (name) => {
  it('the throttling back-off loop returns to the call that was throttled, waits a drawn delay and gives up after ApiRetryMaxAttempts', () => {
    const states = (loadWorkflow(name) as { States: Record<string, Json> }).States;
    const notes = Object.values(states).filter((s) => s.ResultPath === '$.throttle.returnTo');
    expect(notes.length).toBeGreaterThan(0);
    // A workflow with one throttled call (update-tenant) goes back to it without a Choice.
    const back = states['Return to throttled call'];
    for (const note of notes) {
      const rule = back && (back.Choices as Json[]).find((r) => r.StringEquals === note.Result);
      const goesTo = back ? (rule ? rule.Next : back.Default) : reachedAfterBackOff(states);
      expect({ returnTo: note.Result, goesTo }).toEqual({ returnTo: note.Result, goesTo: note.Result });
    }
    expect(states['Retry after throttling?'].Choices).toEqual([
      { Variable: '$.throttle.attempts', NumericLessThan: Number(local.ApiRetryMaxAttempts), Next: 'Draw back-off delay' },
    ]);
    expect(states['Back off after throttling']).toMatchObject({ Type: 'Wait', SecondsPath: '$.throttle.waitSeconds' });
    expect(JSON.stringify(states['Draw back-off delay'].Parameters)).toContain(`, ${local.ApiRetryMaxDelaySeconds}), 0))`);
  });
});

describe('substitution keys', () => {
  it('every declared key is used by at least one workflow', () => {
    const used = new Set(WORKFLOW_NAMES.flatMap((name) => [...placeholders(text(name))]));
    expect(SUBSTITUTION_KEYS.filter((key) => !used.has(key))).toEqual([]);
  });

  it('local values cover every key, numbers where the key is number-kind', () => {
    for (const key of SUBSTITUTION_KEYS) {
      expect(typeof local[key]).toBe('string');
      if (SUBSTITUTIONS[key].kind === 'number') expect(Number.isInteger(Number(local[key]))).toBe(true);
    }
  });

  it('statemachines/local-substitutions.json matches localSubstitutions() (regenerate with npx tsx statemachines/local-substitutions.ts)', () => {
    expect(readFileSync(LOCAL_SUBSTITUTIONS_JSON, 'utf8')).toBe(localSubstitutionsJson());
  });

  it('a placeholder without a value is named in the error', () => {
    const { TenantTableName: _omitted, ...incomplete } = local;
    expect(() => loadWorkflow('create-tenant', incomplete)).toThrow(/\$\{TenantTableName\}/);
  });
});

describe('workflow contracts', () => {
  it('create passes the tenant id and tier as TenantId and Tier with CAPABILITY_NAMED_IAM, and the unversioned template URL or a pinned release', () => {
    const creates = tasks('create-tenant').filter((t) => resourceOf(t.state).endsWith(':createStack'));
    expect(creates.map((t) => t.name).sort()).toEqual([
      'Create tenant stack',
      'Create tenant stack again',
      'Create tenant stack again at release',
      'Create tenant stack at release',
    ]);
    for (const create of creates) {
      expect(create.state.Parameters).toMatchObject({
        ...(create.name.endsWith('at release') ? { 'TemplateURL.$': '$.release.templateUrl' } : { TemplateURL: local.TemplateUrl }),
        Parameters: [
          { ParameterKey: 'TenantId', 'ParameterValue.$': '$.tenant.tenantId' },
          { ParameterKey: 'Tier', 'ParameterValue.$': '$.detail.tier' },
        ],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      });
    }
  });

  it("update states the stack's parameters from the record (TenantId, Tier) and uses the pinned template URL", () => {
    const update = tasks('update-tenant').find((t) => resourceOf(t.state).endsWith(':updateStack'))!;
    expect(update.state.Parameters).toMatchObject({
      'StackName.$': '$.tenant.stackName',
      'TemplateURL.$': '$.target.templateUrl',
      Parameters: [
        { ParameterKey: 'TenantId', 'ParameterValue.$': '$.tenant.tenantId' },
        { ParameterKey: 'Tier', 'ParameterValue.$': '$.tenant.tier' },
      ],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    });
    // The rollout pins the event's version in LATEST and hands that URL to every child of a wave.
    const rollout = new Map(allStates(loadWorkflow('update-tenants')).map((s) => [s.name, s.state]));
    const pinned = `{% '${local.TemplateUrl}?versionId=' & $versionId %}`;
    expect((rollout.get('Claim release')!.Assign as Json).templateUrl).toBe(pinned);
    expect(((rollout.get('Claim release')!.Arguments as Json).ExpressionAttributeValues as Json)[':url']).toEqual({ S: pinned });
    expect((rollout.get('Start wave')!.Assign as Json).run).toContain(
      "'child': {'release': $release, 'seq': $seq, 'templateUrl': $templateUrl",
    );
  });

  it('the rollout runs tenants through the update-tenant child synchronously, in Distributed Maps with a bounded window', () => {
    const states = new Map(allStates(loadWorkflow('update-tenants')).map((s) => [s.name, s.state]));
    // The other Map reads each cell's account limits (one iteration per cell, inline).
    expect((states.get("Read cells' account limits")!.ItemProcessor as Json).ProcessorConfig).toEqual({ Mode: 'INLINE' });
    const maps = [...states].filter(([name, state]) => state.Type === 'Map' && name !== "Read cells' account limits");
    expect(maps.map(([name]) => name).sort()).toEqual(['Run wave', 'Update named tenants', 'Update page of tenants']);
    for (const [, map] of maps)
      expect((map.ItemProcessor as Json).ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    // segments x perSegment updates at once: the wave runs one child per segment, each page perSegment children.
    expect(states.get('Run wave')!.MaxConcurrency).toBe('{% $run.segments %}');
    expect(states.get('Update page of tenants')!.MaxConcurrency).toBe('{% $concurrency %}');
    expect(states.get('Update named tenants')!.MaxConcurrency).toBe('{% $run.segments * $run.perSegment %}');
    // A failed segment fails its wave (no tenant silently skipped); a tenant's failure is its child's outcome.
    expect(states.get('Run wave')!.ToleratedFailurePercentage).toBe(0);
    for (const page of ['Update page of tenants', 'Update named tenants']) expect(states.get(page)!.ToleratedFailurePercentage).toBe(100);
    for (const childName of ['Update one tenant', 'Update named tenant']) {
      const child = states.get(childName)!;
      expect(child.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
      expect((child.Arguments as Json).StateMachineArn).toBe(local.UpdateTenantStateMachineArn);
      expect((child.Catch as Json[])[0].ErrorEquals).toEqual(['States.ALL']);
    }
  });

  it('every call listed as answering with ValidationErrors is a CloudFormation task of some workflow', () => {
    const calls = WORKFLOW_NAMES.flatMap((name) =>
      tasks(name)
        .filter(({ state }) => /:cloudformation:/.test(resourceOf(state)))
        .map((t) => t.name),
    );
    expect(ANSWERING_VALIDATION_ERRORS.filter((name) => !calls.includes(name))).toEqual([]);
  });

  it('the update-tenant child never ends in a Fail state (one tenant never stops the others)', () => {
    expect(allStates(loadWorkflow('update-tenant')).filter(({ state }) => state.Type === 'Fail')).toEqual([]);
  });

  it('each lifecycle event goes to the tenant bus with the contract source and detail-type', () => {
    const expected: Record<string, string[]> = {
      'create-tenant': ['TenantProvisioned', 'TenantProvisioningFailed'],
      'delete-tenant': ['TenantDeprovisioned', 'TenantDeprovisioningFailed'],
    };
    for (const [name, detailTypes] of Object.entries(expected)) {
      const entries = tasks(name as WorkflowFileName)
        .filter((t) => resourceOf(t.state) === 'arn:aws:states:::events:putEvents')
        .flatMap((t) => (t.state.Parameters as { Entries: Json[] }).Entries);
      expect(entries.map((e) => e.DetailType).sort()).toEqual([...detailTypes].sort());
      for (const entry of entries) expect(entry).toMatchObject({ EventBusName: local.EventBusName, Source: local.EventSource });
    }
  });

  it('failures end in Fail states with named errors', () => {
    const errors = (name: WorkflowFileName) =>
      allStates(loadWorkflow(name))
        .filter((s) => s.state.Type === 'Fail')
        .map((s) => s.state.Error)
        .sort();
    expect(errors('create-tenant')).toEqual([
      'InvalidTenantId',
      'InvalidTier',
      'NotificationFailed',
      'TenantProvisioningFailed',
      'TenantRecordUnreadable',
    ]);
    expect(errors('delete-tenant')).toEqual([
      'InvalidTenantId',
      'NotificationFailed',
      'TenantDeprovisioningFailed',
      'TenantRecordUnreadable',
    ]);
    expect(errors('update-tenants')).toEqual([
      'ReleaseNumberInvalid',
      'ReleaseObjectUnreadable',
      'RolloutPolicyInvalid',
      'TemplateVersionMissing',
      'TenantUpdatesFailed',
    ]);
  });
});

// Self-check of the validator wiring: a broken definition must be reported, or the tests above prove nothing.
it('asl-validator rejects a definition whose Next names no state', () => {
  const { isValid } = aslValidator({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } });
  expect(isValid).toBe(false);
});

describe('the catalogue and the tenant-id rule (template/tenant-id.ts)', () => {
  const lifecycleCases = TEST_CASES.filter((c) => c.workflow === 'create-tenant' || c.workflow === 'delete-tenant');

  it.each(lifecycleCases.map((c) => [`${c.workflow}#${c.name}`, c] as const))(
    '%s: ends in InvalidTenantId exactly when its tenant id breaks the rule',
    (_label, testCase) => {
      const tenantId = (testCase.input as { detail: { tenantId?: unknown } }).detail.tenantId;
      const violation = tenantIdViolation(tenantId);
      // The one documented exception (docs/workflows.md, delete-tenant): JSONPath cannot measure a string,
      // so a TenantDeleted whose id is only too long (allowed characters, a valid DynamoDB key) finds no
      // record (create-tenant never writes one for it) and ends as an unknown tenant: only its expiring marker is written.
      const onlyTooLongForDelete =
        testCase.workflow === 'delete-tenant' &&
        typeof tenantId === 'string' &&
        tenantId.length <= 2048 &&
        tenantIdViolation(tenantId.slice(0, 32)) === undefined &&
        /^[a-z0-9-]*$/.test(tenantId);
      if (onlyTooLongForDelete && violation !== undefined) {
        expect({ tenantId, status: testCase.expect.status, mocked: Object.keys(testCase.mocks) }).toEqual({
          tenantId,
          status: 'SUCCEEDED',
          mocked: ['Read tenant record', 'Record absent marker'],
        });
        return;
      }
      expect({ tenantId, violation, error: testCase.expect.error === 'InvalidTenantId' }).toEqual({
        tenantId,
        violation,
        error: violation !== undefined,
      });
    },
  );

  it('the catalogue has valid and invalid ids of every kind the rule names', () => {
    const violations = lifecycleCases.map((c) => tenantIdViolation((c.input as { detail: { tenantId?: unknown } }).detail.tenantId));
    expect(violations).toContain(undefined);
    for (const reason of [/missing/, /must be a string/, /characters long/, /breaks the rule/]) {
      expect(violations.some((v) => v !== undefined && reason.test(v))).toBe(true);
    }
  });
});

describe('mock configuration file', () => {
  it('mocks/MockConfigFile.json is what mocks/build.ts makes of the catalogue (regenerate with npx tsx mocks/build.ts)', () => {
    expect(readFileSync(MOCK_CONFIG_FILE, 'utf8')).toBe(mockConfigJson());
  });

  it('uses only the four state machine names and Step Functions Local invocation keys', () => {
    const config = JSON.parse(readFileSync(MOCK_CONFIG_FILE, 'utf8')) as {
      StateMachines: Record<string, unknown>;
      MockedResponses: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(config.StateMachines).sort()).toEqual([...WORKFLOW_NAMES].sort());
    for (const [name, response] of Object.entries(config.MockedResponses)) {
      for (const [key, outcome] of Object.entries(response)) {
        expect({ name, key, validKey: /^\d+(-\d+)?$/.test(key) }).toEqual({ name, key, validKey: true });
        expect({ name, key, kinds: Object.keys(outcome as object) }).toEqual({
          name,
          key,
          kinds: [expect.stringMatching(/^(Return|Throw)$/)],
        });
      }
    }
  });

  it('builds inclusive ranges for repeated responses', () => {
    const once = { Return: 1 };
    const thrice = { Throw: { Error: 'E', Cause: 'C' } };
    expect(invocationKeys([once, [3, thrice], once])).toEqual({ '0': once, '1-3': thrice, '4': once });
  });
});

describe('Workflow Studio round trip (scripts/json-to-yaml.ts)', () => {
  it.each(WORKFLOW_NAMES)('%s: exported JSON comes back as YAML with the same placeholders and the same definition', (name) => {
    const exported = JSON.stringify(loadWorkflow(name));
    const { yaml: restored, warnings } = importDefinition(name, exported);
    expect(warnings).toEqual([]);
    // json-kind placeholders (${RolloutPolicy}, ${TenantCells}) are restored too: the whole value parses to the substituted JSON.
    expect(placeholders(restored)).toEqual(placeholders(text(name)));
    // Every workflow that waits on a stack (not the relay, which never waits, nor the rollout and change-tier, which wait for
    // update-tenant). update-tenant waits for the event, not by polling: its Wait is the busy wait.
    if (name !== 'stack-events' && name !== 'update-tenants' && name !== 'change-tier')
      expect(restored).toMatch(name === 'update-tenant' ? /Seconds: \$\{BusyWaitSeconds\}\n/ : /Seconds: \$\{StackPollSeconds\}\n/);
  });

  it('an edit in Workflow Studio survives, and an unrestorable value is reported', () => {
    const edited = loadWorkflow('delete-tenant') as { States: Record<string, Record<string, unknown>> };
    edited.States['Wait for stack deletion'].Comment = 'edited in Workflow Studio';
    edited.States['Reject invalid tenant id'].Cause = `see ${local.TemplateUrl}`;
    const { yaml: restored, warnings } = importDefinition('delete-tenant', JSON.stringify(edited));
    expect(restored).toContain('edited in Workflow Studio');
    expect(restored).toMatch(/Seconds: \$\{StackPollSeconds\}/);
    expect(warnings).toContain(
      '$.States.Reject invalid tenant id.Cause contains the value of TemplateUrl; write ${TemplateUrl} there by hand',
    );
    expect(warnings.every((w) => w.startsWith('$.States.Reject invalid tenant id.Cause'))).toBe(true);
  });
});
