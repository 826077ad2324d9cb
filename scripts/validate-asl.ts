/**
 * `npm run validate`: asl-validator over every workflow (WORKFLOW_NAMES) after local substitution
 * (the placeholders are not valid ASL until substituted). Prints one verdict per file and exits 1
 * when any file fails.
 */
import { readFileSync } from 'node:fs';
import { localSubstitutions, substitute } from '../statemachines/local-substitutions';
import { parseWorkflowText, WORKFLOW_NAMES, workflowPath } from '../statemachines/workflows';

/** asl-validator ships no type declarations; this is the part of its API used here. */
type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const aslValidator: AslValidator = require('asl-validator');

export interface Verdict {
  file: string;
  valid: boolean;
  errors: string[];
}

export function validateWorkflowFile(path: string, values: Readonly<Record<string, string>> = localSubstitutions()): Verdict {
  try {
    const definition = parseWorkflowText(substitute(readFileSync(path, 'utf8'), values, path), path);
    const { isValid, errorsText } = aslValidator(foldJsonataLines(definition));
    return { file: path, valid: isValid, errors: isValid ? [] : errorsText('\n').split('\n') };
  } catch (error) {
    return { file: path, valid: false, errors: [(error as Error).message] };
  }
}

/**
 * asl-validator's JSONata pattern (`^{% .+ %}$`) does not match across newlines, but Step Functions
 * accepts multi-line JSONata expressions (https://github.com/aws/aws-cdk/issues/35912: "This is possible
 * in other places"; the CDK's own check was fixed to match across lines). Newlines are folded into
 * spaces for the validator only; the definition deployed keeps them.
 */
function foldJsonataLines(value: unknown): unknown {
  if (typeof value === 'string') return /^\{%[\s\S]*%\}$/.test(value) ? value.replace(/\s*\n\s*/g, ' ') : value;
  if (Array.isArray(value)) return value.map(foldJsonataLines);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, foldJsonataLines(v)]));
  return value;
}

function main(): void {
  const files = WORKFLOW_NAMES.map(workflowPath);
  let failures = 0;
  for (const file of files) {
    const verdict = validateWorkflowFile(file);
    console.log(`${verdict.valid ? 'valid  ' : 'INVALID'} ${file}`);
    for (const error of verdict.errors) console.log(`        ${error}`);
    if (!verdict.valid) failures += 1;
  }
  console.log(`${files.length - failures}/${files.length} state machine definitions valid`);
  process.exit(failures > 0 ? 1 : 0);
}

if (require.main === module) main();
