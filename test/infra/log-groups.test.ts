import { WORKFLOW_FILES, type WorkflowName } from '../../statemachines/workflows';
import { SynthesizedApp, synthesizeApp } from './support/synthesized-app';

const NAMES = Object.keys(WORKFLOW_FILES) as WorkflowName[];

let app: SynthesizedApp;
beforeAll(() => {
  app = synthesizeApp();
});
afterAll(() => app.cleanup());

/** The log group a state machine delivers to, found through its synthesized LoggingConfiguration. */
function logGroupOf(name: WorkflowName): { id: string; name: string } {
  const properties = app.deployed.resources[app.stateMachineId(name)].Properties;
  const [destination] = properties.LoggingConfiguration.Destinations;
  const id = destination.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
  expect(app.deployed.resources[id].Type).toBe('AWS::Logs::LogGroup');
  return { id, name: app.deployed.physicalName(id) };
}

// AWS advises /aws/vendedlogs/ names for Step Functions log groups, so that log delivery does not grow
// the account's CloudWatch Logs resource policy, which has a size limit:
// https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html
describe('state machine log groups', () => {
  test.each(NAMES)('%s logs to a group under /aws/vendedlogs/states/ named after the state machine', (name) => {
    const stateMachineName = app.deployed.physicalName(app.stateMachineId(name));
    expect(logGroupOf(name).name).toBe(`/aws/vendedlogs/states/${stateMachineName}`);
  });

  test('each workflow has its own log group, kept a year and retained with the stack', () => {
    const groups = NAMES.map(logGroupOf);
    expect(new Set(groups.map((group) => group.name)).size).toBe(NAMES.length);
    for (const group of groups) {
      expect(app.deployed.resources[group.id].Properties.RetentionInDays).toBe(365);
      expect(app.deployed.resources[group.id].DeletionPolicy).toBe('Retain');
    }
  });
});
