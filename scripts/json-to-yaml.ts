/**
 * Brings a definition edited in Workflow Studio back to statemachines/<name>.asl.yaml with its
 * `${Placeholders}` intact.
 *
 *   npx tsx scripts/json-to-yaml.ts export <name>            # JSON (local values) to paste into Workflow Studio
 *   npx tsx scripts/json-to-yaml.ts import <name> <file.json> # the exported JSON back into the YAML
 *
 * Placeholders are restored by position: wherever the current YAML has a field with `${Key}` and the
 * edited JSON still has the substituted value there, the field gets its placeholder text back. A new
 * or changed field that contains a substitution value is reported, so it can be written by hand.
 * Before writing, the result is substituted again and must equal the edited JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import * as yaml from 'js-yaml';
import { SUBSTITUTIONS, SubstitutionKey } from '../statemachines/substitutions';
import { loadWorkflow, localSubstitutions, substitute } from '../statemachines/local-substitutions';
import { parseWorkflowText, WORKFLOW_NAMES, WorkflowFileName, workflowPath } from '../statemachines/workflows';

type Values = Readonly<Record<string, string>>;

export interface ImportResult {
  yaml: string;
  /** Fields of the edited JSON holding a substitution value that no placeholder was restored for. */
  warnings: string[];
}

/** Restores placeholders in `edited` (plain ASL) guided by `template` (the current YAML, unsubstituted). */
export function restorePlaceholders(edited: unknown, template: unknown, values: Values, path = '$', warnings: string[] = []): unknown {
  if (typeof template === 'string' && /\$\{[A-Za-z0-9_]+\}/.test(template)) {
    const substituted = substitute(template, values);
    // A number-kind placeholder parses to a number once substituted.
    if (substituted === String(edited) && (typeof edited === 'string' || /^\$\{[A-Za-z0-9_]+\}$/.test(template))) return template;
    // A json-kind placeholder (the whole value) parses to an object or array once substituted.
    const whole = /^\$\{([A-Za-z0-9_]+)\}$/.exec(template)?.[1];
    if (
      whole !== undefined &&
      SUBSTITUTIONS[whole as SubstitutionKey]?.kind === 'json' &&
      isDeepStrictEqual(JSON.parse(substituted), edited)
    ) {
      return template;
    }
  }
  if (Array.isArray(edited))
    return edited.map((item, i) =>
      restorePlaceholders(item, Array.isArray(template) ? template[i] : undefined, values, `${path}[${i}]`, warnings),
    );
  if (edited && typeof edited === 'object') {
    const base = template && typeof template === 'object' && !Array.isArray(template) ? (template as Record<string, unknown>) : {};
    return Object.fromEntries(
      Object.entries(edited).map(([key, value]) => [key, restorePlaceholders(value, base[key], values, `${path}.${key}`, warnings)]),
    );
  }
  if (typeof edited === 'string') {
    for (const [key, value] of Object.entries(values))
      if (value.length >= 8 && edited.includes(value))
        warnings.push(`${path} contains the value of ${key}; write \${${key}} there by hand`);
  }
  return edited;
}

export function importDefinition(name: WorkflowFileName, editedJson: string, values: Values = localSubstitutions()): ImportResult {
  const edited = JSON.parse(editedJson) as unknown;
  const template = parseWorkflowText(readFileSync(workflowPath(name), 'utf8'), workflowPath(name));
  const warnings: string[] = [];
  const restored = restorePlaceholders(edited, template, values, '$', warnings);
  // Number and json placeholders must stay unquoted (`Seconds: ${StackPollSeconds}`), as the hand-written files have them.
  const text = yaml
    .dump(restored, { lineWidth: 120, noRefs: true, quotingType: "'" })
    .replace(/^(\s*(?:- )?[^\n]*?: )'\$\{([A-Za-z0-9_]+)\}'$/gm, (whole, lead: string, key: string) =>
      SUBSTITUTIONS[key as SubstitutionKey]?.kind !== 'string' ? `${lead}\${${key}}` : whole,
    );
  const roundTrip = parseWorkflowText(substitute(text, values, name), name);
  if (!isDeepStrictEqual(roundTrip, edited))
    throw new Error(`${name}: the restored YAML does not reproduce the edited definition; nothing written`);
  return { yaml: text, warnings };
}

function main(argv: string[]): void {
  const [command, name, file] = argv;
  if (!WORKFLOW_NAMES.includes(name as WorkflowFileName) || (command === 'import' && !file) || !['export', 'import'].includes(command)) {
    console.error(`usage: json-to-yaml.ts export <name> | import <name> <file.json>   (name: ${WORKFLOW_NAMES.join(', ')})`);
    process.exit(2);
  }
  const workflow = name as WorkflowFileName;
  if (command === 'export') {
    console.log(JSON.stringify(loadWorkflow(workflow), null, 2));
    return;
  }
  const result = importDefinition(workflow, readFileSync(file, 'utf8'));
  writeFileSync(workflowPath(workflow), result.yaml);
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  console.log(`wrote ${workflowPath(workflow)}`);
}

if (require.main === module) main(process.argv.slice(2));
