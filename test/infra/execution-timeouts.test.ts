import { DEFAULT_WORKFLOW_TUNING } from '../../infra/config';
import { withExecutionTimeout } from '../../infra/definition';
import { WORKFLOW_FILES, type WorkflowName } from '../../statemachines/workflows';
import { SynthesizedApp, deployedDefinition, synthesizeApp } from './support/synthesized-app';

const NAMES = Object.keys(WORKFLOW_FILES) as WorkflowName[];
const HOUR = 3_600;

let app: SynthesizedApp;
beforeAll(() => {
  app = synthesizeApp();
});
afterAll(() => app.cleanup());

// The execution timeout is the ASL's top-level TimeoutSeconds
// (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html); without it the
// ExecutionsTimedOut alarms (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html) never fire.
describe('execution timeouts in the synthesized state machines', () => {
  test.each(NAMES)('%s: the deployed definition carries a top-level TimeoutSeconds', (name) => {
    const definition = deployedDefinition(app.deployed, app.stateMachineId(name));
    expect(Number.isInteger(definition.TimeoutSeconds)).toBe(true);
    expect(definition.StartAt).toEqual(expect.any(String));
  });

  test('per-tenant workflows: every busy wait and stack poll of the default tuning (2 h) plus an hour for the API calls', () => {
    // 120 busy waits x 30 s + 240 polls x 15 s = 2 h; the workflows' own limits fire before the timeout.
    for (const name of ['deleteTenant', 'updateTenant'] as const) {
      expect(deployedDefinition(app.deployed, app.stateMachineId(name)).TimeoutSeconds).toBe(3 * HOUR);
    }
  });

  test("create-tenant: its own polls (1 h) on top, as it may wait for update-tenant's whole budget after them", () => {
    expect(deployedDefinition(app.deployed, app.stateMachineId('createTenant')).TimeoutSeconds).toBe(4 * HOUR);
  });

  test('update-tenants waits for its continuations, so it gets the 7-day fleet budget', () => {
    expect(deployedDefinition(app.deployed, app.stateMachineId('updateTenants')).TimeoutSeconds).toBe(7 * 24 * HOUR);
  });

  test('the timeout follows the tuning: doubling MaxStackPolls adds an hour to the per-tenant workflows', () => {
    const tuned = synthesizeApp({ workflowTuning: { MaxStackPolls: DEFAULT_WORKFLOW_TUNING.MaxStackPolls * 2 } });
    try {
      expect(deployedDefinition(tuned.deployed, tuned.stateMachineId('deleteTenant')).TimeoutSeconds).toBe(4 * HOUR);
      expect(deployedDefinition(tuned.deployed, tuned.stateMachineId('createTenant')).TimeoutSeconds).toBe(6 * HOUR);
      expect(deployedDefinition(tuned.deployed, tuned.stateMachineId('updateTenants')).TimeoutSeconds).toBe(7 * 24 * HOUR);
    } finally {
      tuned.cleanup();
    }
  });

  test('a tuning whose wait budget exceeds a Standard execution (one year) fails synthesis, naming the limit', () => {
    expect(() => synthesizeApp({ workflowTuning: { MaxStackPolls: 400_000, StackPollSeconds: 100 } })).toThrow(
      /gives updateTenant an execution timeout of \d+ s, beyond the 31536000 s \(one year\) a Standard execution may run/,
    );
  });

  test.each(NAMES)('%s: no StateMachine property stands in for it (CDK dropped `timeout` before)', (name) => {
    const properties = app.deployed.resources[app.stateMachineId(name)].Properties;
    expect(Object.keys(properties).filter((key) => /timeout/i.test(key))).toEqual([]);
  });
});

describe('withExecutionTimeout', () => {
  test('adds TimeoutSeconds to a definition with number placeholders, keeping them unquoted', () => {
    const text = withExecutionTimeout('{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":${StackPollSeconds},"End":true}}}', 60);
    expect(JSON.parse(text.replace('${StackPollSeconds}', '5'))).toEqual({
      TimeoutSeconds: 60,
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 5, End: true } },
    });
  });

  test('refuses a definition that sets TimeoutSeconds itself, and a non-positive timeout', () => {
    expect(() => withExecutionTimeout('{"TimeoutSeconds":5,"StartAt":"A","States":{}}', 60, 'x.asl.yaml')).toThrow(
      /x\.asl\.yaml: sets TimeoutSeconds itself/,
    );
    expect(() => withExecutionTimeout('{"StartAt":"A","States":{}}', 0, 'y')).toThrow(
      /y: TimeoutSeconds must be a positive integer, got 0/,
    );
  });
});
