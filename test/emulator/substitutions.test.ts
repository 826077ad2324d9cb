// DefinitionSubstitutions as CloudFormation applies them (`${Name}` replaced in the definition text).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html
import { applySubstitutions, listPlaceholders, SubstitutionError, unusedSubstitutions } from '../../emulator/asl/substitutions';

const yaml = `StartAt: Create
States:
  Create:
    Type: Task
    Resource: arn:aws:states:::aws-sdk:cloudformation:createStack
    Parameters:
      StackName.$: States.Format('\${StackPrefix}{}', $.tenantId)
      RoleARN: \${CfnRoleArn}
    Next: Wait
  Wait:
    Type: Wait
    Seconds: \${PollSeconds}
    End: true
`;

test('every ${Name} is replaced textually, repeated placeholders included', () => {
  const out = applySubstitutions('${A}-${B}-${A}', { A: 'x', B: 'y' });
  expect(out).toBe('x-y-x');
});

test('numbers and booleans are written as text (CloudFormation passes strings)', () => {
  const out = applySubstitutions(yaml, { StackPrefix: 'tenant-', CfnRoleArn: 'arn:aws:iam::1:role/r', PollSeconds: 30 });
  expect(out).toContain('Seconds: 30');
  expect(out).toContain("States.Format('tenant-{}', $.tenantId)");
  expect(listPlaceholders(out)).toEqual([]);
});

test('an error names every unresolved placeholder, once each', () => {
  let error: unknown;
  try {
    applySubstitutions(yaml + '# ${StackPrefix}\n', { CfnRoleArn: 'r' }, 'create.asl.yaml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SubstitutionError);
  expect((error as SubstitutionError).unresolved).toEqual(['StackPrefix', 'PollSeconds']);
  expect((error as Error).message).toBe('create.asl.yaml: no substitution values for placeholders ${StackPrefix}, ${PollSeconds}');
});

test('a value that is not a string, number or boolean is rejected naming the key', () => {
  expect(() => applySubstitutions('${A}', { A: null as unknown as string })).toThrow(/substitution 'A' must be a string/);
});

test('listPlaceholders and unusedSubstitutions report both directions', () => {
  expect(listPlaceholders(yaml)).toEqual(['StackPrefix', 'CfnRoleArn', 'PollSeconds']);
  expect(unusedSubstitutions(yaml, { StackPrefix: 'p', Extra: 'e' })).toEqual(['Extra']);
});

test('text without placeholders is returned unchanged; JSONata {% %} and $ paths are untouched', () => {
  const text = '{"Output": "{% $states.input %}", "InputPath": "$.a"}';
  expect(applySubstitutions(text, {})).toBe(text);
});
