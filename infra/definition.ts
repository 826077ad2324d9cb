import { readFileSync } from 'node:fs';
import { applySubstitutions, listPlaceholders } from '../emulator/asl/substitutions';
import { SUBSTITUTIONS, SubstitutionKey } from '../statemachines/substitutions';
import { parseWorkflowText, WORKFLOW_FILES, workflowPath, type WorkflowName } from '../statemachines/workflows';

/** Every `${Name}` the text uses (CloudFormation DefinitionSubstitutions syntax). */
export function placeholdersIn(text: string): Set<string> {
  return new Set(listPlaceholders(text));
}

/**
 * ASL YAML -> the JSON text CDK passes as DefinitionString.
 *
 * CloudFormation substitutes `${Key}` textually. A number-kind key stands where ASL needs a JSON
 * number (`Seconds: ${StackPollSeconds}`), but YAML reads `${StackPollSeconds}` as a string, so the
 * JSON would carry `"${StackPollSeconds}"` and the substituted value would stay a string, which
 * Step Functions rejects. Such keys are therefore emitted unquoted: `"${Key}"` -> `${Key}`. The result
 * is only valid JSON after substitution, which is what CloudFormation produces.
 *
 * Throws when the YAML does not parse to an object or uses a key not declared in SUBSTITUTIONS.
 */
export function toDefinitionString(yamlText: string, source = 'definition'): string {
  const parsed = parseWorkflowText(yamlText, source);
  const undeclared = [...placeholdersIn(yamlText)].filter((key) => !(key in SUBSTITUTIONS));
  if (undeclared.length > 0) {
    throw new Error(`${source}: uses \${${undeclared.join('}, ${')}} not declared in statemachines/substitutions.ts`);
  }
  let json = JSON.stringify(parsed);
  for (const key of Object.keys(SUBSTITUTIONS) as SubstitutionKey[]) {
    if (SUBSTITUTIONS[key].kind !== 'string') json = json.split(`"\${${key}}"`).join(`\${${key}}`);
  }
  return json;
}

/** Reads one workflow's YAML and converts it (see toDefinitionString). */
export function loadDefinitionString(name: WorkflowName): string {
  const path = workflowPath(WORKFLOW_FILES[name]);
  return toDefinitionString(readFileSync(path, 'utf8'), path);
}

/**
 * What a definition string becomes after CloudFormation substitutes `values` (for tests and local
 * checks): throws naming any placeholder left without a value, and when the result is not JSON.
 */
export function resolveDefinition(definitionString: string, values: Record<string, string>): unknown {
  return JSON.parse(applySubstitutions(definitionString, values));
}

/**
 * Parses a DefinitionString for inspection before substitution: placeholders outside JSON strings
 * (number- and json-kind) read as 0, placeholders inside strings (a whole value, or part of a JSONata
 * expression) stay as written.
 */
export function parseWithPlaceholders(definitionString: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < definitionString.length; i++) {
    const c = definitionString[i];
    if (inString) {
      out += c;
      if (c === '\\') out += definitionString[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else {
      const placeholder = c === '$' ? /^\$\{[A-Za-z0-9_]+\}/.exec(definitionString.slice(i, i + 200)) : null;
      if (placeholder) {
        out += '0';
        i += placeholder[0].length - 1;
      } else out += c;
    }
  }
  return JSON.parse(out);
}

/**
 * Sets the definition's top-level `TimeoutSeconds` (the execution timeout). It must live in the
 * definition text: with `DefinitionBody.fromString` CDK drops the StateMachine `timeout` prop
 * (aws-cdk-lib 2.276), and a timeout that is not in the deployed definition never fires.
 * https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
 *
 * Throws when the definition already sets TimeoutSeconds (infra owns it, from the tuning) or when
 * `seconds` is not a positive integer.
 */
export function withExecutionTimeout(definitionString: string, seconds: number, source = 'definition'): string {
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`${source}: TimeoutSeconds must be a positive integer, got ${seconds}`);
  }
  const parsed = parseWithPlaceholders(definitionString);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${source}: must be a JSON object (a state machine definition)`);
  }
  if ('TimeoutSeconds' in parsed) {
    throw new Error(`${source}: sets TimeoutSeconds itself; the execution timeout comes from infra/execution-timeouts.ts, remove it`);
  }
  const text = definitionString.trimStart();
  const rest = text.slice(1).trimStart();
  return `{"TimeoutSeconds":${seconds}${rest.startsWith('}') ? '' : ','}${rest}`;
}
