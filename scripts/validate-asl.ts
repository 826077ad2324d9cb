/**
 * `npm run validate`: asl-validator over every statemachines/*.asl.yaml after local substitution
 * (the placeholders are not valid ASL until substituted). Prints one verdict per file and exits 1
 * when any file fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localSubstitutions, parseWorkflowText, STATEMACHINES_DIR, substitute } from '../statemachines/local-substitutions';

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
    const { isValid, errorsText } = aslValidator(definition);
    return { file: path, valid: isValid, errors: isValid ? [] : errorsText('\n').split('\n') };
  } catch (error) {
    return { file: path, valid: false, errors: [(error as Error).message] };
  }
}

export function workflowFiles(dir = STATEMACHINES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.asl.yaml'))
    .sort()
    .map((name) => join(dir, name));
}

function main(): void {
  const files = workflowFiles();
  if (files.length === 0) {
    console.error(`no *.asl.yaml files in ${STATEMACHINES_DIR}`);
    process.exit(1);
  }
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
