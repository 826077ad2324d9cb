import { readFileSync } from 'node:fs';
import { SUBSTITUTIONS, SUBSTITUTION_KEYS } from '../../statemachines/substitutions';
import { loadDefinitionString, parseWithPlaceholders, placeholdersIn, resolveDefinition, toDefinitionString } from '../../infra/definition';
import { parseWorkflowText, WORKFLOW_FILES, WorkflowName, workflowPath } from '../../statemachines/workflows';
import { parseDefinition } from '../../emulator/asl/parse';
import type { WaitState } from '../../emulator/asl/model';

/** The parts of a resolved definition these tests read. */
type ParsedDefinition = {
  StartAt?: unknown;
  States: Record<string, { Seconds?: unknown; Comment?: unknown; Parameters: { TableName?: unknown } }>;
};

const WORKFLOWS = Object.keys(WORKFLOW_FILES) as WorkflowName[];

/** A value of the right kind for every key, as CloudFormation would substitute it. */
const SAMPLE_VALUES: Record<string, string> = Object.fromEntries(
  SUBSTITUTION_KEYS.map((key) => [
    key,
    SUBSTITUTIONS[key].kind === 'number' ? '7' : SUBSTITUTIONS[key].kind === 'json' ? '{"sample":7}' : `sample-${key}`,
  ]),
);

describe('parseWithPlaceholders', () => {
  const ph = (name: string) => '$' + '{' + name + '}';
  it('reads placeholders outside strings as 0 and leaves the ones inside strings (whole values, JSONata text, escaped quotes) as written', () => {
    const jsonata = `{% {'TableName': '${ph('TenantTableName')}', 'Limit': ${ph('RolloutPageSize')}, 'q': "${ph('X')}"} %}`;
    const text = `{"Limit": ${ph('RolloutPageSize')}, "Policy": ${ph('RolloutPolicy')}, "TableName": "${ph('TenantTableName')}", "Arguments": ${JSON.stringify(jsonata)}}`;
    expect(parseWithPlaceholders(text)).toEqual({ Limit: 0, Policy: 0, TableName: ph('TenantTableName'), Arguments: jsonata });
  });
});

describe('toDefinitionString', () => {
  const yamlText = [
    'StartAt: Wait',
    'States:',
    '  Wait:',
    '    Type: Wait',
    '    Seconds: ${StackPollSeconds}',
    '    Comment: poll every ${StackPollSeconds} seconds',
    '    Next: Put',
    '  Put:',
    '    Type: Pass',
    '    Parameters:',
    '      TableName: ${TenantTableName}',
    '    End: true',
  ].join('\n');

  test('emits number-kind placeholders unquoted, so the substituted value is a JSON number', () => {
    const json = toDefinitionString(yamlText);
    expect(json).toContain('"Seconds":${StackPollSeconds}');
    const resolved = resolveDefinition(json, { StackPollSeconds: '15', TenantTableName: 'tenants' }) as ParsedDefinition;
    expect(resolved.States.Wait.Seconds).toBe(15);
  });

  test('leaves string-kind placeholders and placeholders inside longer strings quoted', () => {
    const resolved = resolveDefinition(toDefinitionString(yamlText), {
      StackPollSeconds: '15',
      TenantTableName: 'tenants',
    }) as ParsedDefinition;
    expect(resolved.States.Put.Parameters.TableName).toBe('tenants');
    expect(resolved.States.Wait.Comment).toBe('poll every 15 seconds');
  });

  test('rejects a placeholder that statemachines/substitutions.ts does not declare, naming it', () => {
    expect(() =>
      toDefinitionString('StartAt: A\nStates:\n  A:\n    Type: Wait\n    Seconds: ${PollSecs}\n    End: true', 'x.asl.yaml'),
    ).toThrow(/x\.asl\.yaml: uses \$\{PollSecs\} not declared/);
  });

  test('rejects YAML that is not a mapping, naming the source', () => {
    expect(() => toDefinitionString('- just\n- a list', 'list.asl.yaml')).toThrow(/list\.asl\.yaml: must be a YAML mapping/);
    expect(() => toDefinitionString('a: [unclosed', 'bad.asl.yaml')).toThrow(/bad\.asl\.yaml: not valid YAML/);
  });
});

describe('resolveDefinition', () => {
  test('names every placeholder that has no value', () => {
    expect(() => resolveDefinition('{"a":"${TenantTableName}","b":${StackPollSeconds}}', {})).toThrow(
      'no substitution values for placeholders ${TenantTableName}, ${StackPollSeconds}',
    );
  });
});

describe('the workflows in statemachines/ and SUBSTITUTIONS cover each other', () => {
  const used = new Map(WORKFLOWS.map((name) => [name, placeholdersIn(readFileSync(workflowPath(WORKFLOW_FILES[name]), 'utf8'))]));

  test.each(WORKFLOWS)('%s uses only declared keys', (name) => {
    const undeclared = [...used.get(name)!].filter((key) => !(key in SUBSTITUTIONS));
    expect(undeclared).toEqual([]);
  });

  test('every declared key is used by at least one workflow', () => {
    const all = new Set(WORKFLOWS.flatMap((name) => [...used.get(name)!]));
    expect(SUBSTITUTION_KEYS.filter((key) => !all.has(key))).toEqual([]);
  });

  test.each(WORKFLOWS)('%s becomes valid JSON once substituted, number keys as numbers', (name) => {
    const definition = resolveDefinition(loadDefinitionString(name), SAMPLE_VALUES) as ParsedDefinition;
    expect(typeof definition.StartAt).toBe('string');
    const numberKeys = [...used.get(name)!].filter((key) => SUBSTITUTIONS[key as keyof typeof SUBSTITUTIONS].kind === 'number');
    // Every number-kind substitution lands as the number 7, never as the string "7".
    const text = JSON.stringify(definition);
    expect(text).not.toContain('"7"');
    if (numberKeys.length > 0) expect(text).toMatch(/:7[,}\]]/);
  });
});

describe('one reader: deploying and running a workflow read its text alike', () => {
  // A Wait Timestamp must be an ISO-8601 string (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html);
  // YAML's default schema would make this one a date and print it back as 2026-01-01T00:00:00.000Z.
  const text = ['StartAt: Until', 'States:', '  Until:', '    Type: Wait', '    Timestamp: 2026-01-01T00:00:00Z', '    End: true'].join(
    '\n',
  );
  const timestampOf = (model: ReturnType<typeof parseDefinition>) => (model.states.get('Until') as WaitState).timestamp;

  test('a Timestamp stays byte-identical on the deploy path (DefinitionString) and on the engine path', () => {
    const deployed = toDefinitionString(text, 'until.asl.yaml');
    expect(deployed).toContain('"Timestamp":"2026-01-01T00:00:00Z"');
    expect(timestampOf(parseDefinition(resolveDefinition(deployed, {}) as object))).toBe('2026-01-01T00:00:00Z');
    expect(timestampOf(parseDefinition(text))).toBe('2026-01-01T00:00:00Z');
    expect(parseWorkflowText(text, 'until.asl.yaml')).toEqual(JSON.parse(deployed));
  });
});
