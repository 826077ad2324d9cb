/**
 * State machine definitions on disk: a directory of `*.asl.yaml` / `*.asl.yml` / `*.asl.json` files,
 * each registered under its file stem, with CloudFormation-style `${Name}` DefinitionSubstitutions
 * applied to the text (as the deploy path does) and read by asl/yaml.ts, the one definition reader (so a
 * timestamp stays the string it was written as). The CLI and anything else that serves a directory of
 * definitions use this module; every problem is a DefinitionFileError naming the file.
 */
import { readFileSync, readdirSync } from 'fs';
import { basename, join } from 'path';
import { applySubstitutions, SubstitutionError, type Substitutions } from './asl/substitutions';
import { readDefinitionText } from './asl/yaml';

const DEFINITION_SUFFIXES = ['.asl.yaml', '.asl.yml', '.asl.json'] as const;

/** A file that cannot be used, with the file named in the message. */
export class DefinitionFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'DefinitionFileError';
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new DefinitionFileError(file, `cannot read ${what} '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The first line of a parser's message (js-yaml adds a code excerpt after it). */
function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/** A JSON (or YAML) object of substitution values, e.g. {"PollSeconds": 30}; none without a file. */
export function loadSubstitutions(file: string | undefined): Substitutions {
  if (file === undefined) return {};
  let parsed: unknown;
  const text = readText(file, 'substitutions file');
  try {
    parsed = readDefinitionText(text);
  } catch (e) {
    throw new DefinitionFileError(file, `substitutions file '${file}' is not valid JSON or YAML: ${firstLine(e)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DefinitionFileError(file, `substitutions file '${file}' must hold an object of names to values`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new DefinitionFileError(file, `substitutions file '${file}': '${key}' must be a string, number or boolean`);
    }
  }
  return parsed as Substitutions;
}

/** The state machine name for a definition file: its name without `.asl.yaml` / `.asl.json` (or extension). */
export function stateMachineNameOf(file: string): string {
  const name = basename(file);
  const suffix = DEFINITION_SUFFIXES.find((s) => name.endsWith(s));
  return suffix ? name.slice(0, -suffix.length) : name.replace(/\.(ya?ml|json)$/, '');
}

/**
 * Reads a definition file, applies DefinitionSubstitutions to its text (as CloudFormation does) and
 * returns it as JSON text, the form the Step Functions API stores.
 */
export function loadDefinition(file: string, substitutions: Substitutions): string {
  const text = readText(file, 'definition');
  let substituted: string;
  try {
    substituted = applySubstitutions(text, substitutions, file);
  } catch (e) {
    if (e instanceof SubstitutionError) throw new DefinitionFileError(file, `${e.message} (pass them with --substitutions FILE)`);
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = readDefinitionText(substituted);
  } catch (e) {
    throw new DefinitionFileError(file, `definition '${file}' is not valid YAML or JSON: ${firstLine(e)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DefinitionFileError(file, `definition '${file}' must hold an object (a state machine with StartAt and States)`);
  }
  return JSON.stringify(parsed);
}

/** Every *.asl.yaml / *.asl.yml / *.asl.json file of a directory, sorted. */
export function definitionFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new DefinitionFileError(
      dir,
      `cannot read the state machines directory '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return entries
    .filter((f) => DEFINITION_SUFFIXES.some((s) => f.endsWith(s)))
    .sort()
    .map((f) => join(dir, f));
}

export interface DefinitionFile {
  readonly file: string;
  /** The file stem: the state machine's name. */
  readonly name: string;
  /** JSON text, substitutions applied. */
  readonly definition: string;
}

/** Every definition of a directory, read and substituted (nothing registered yet). */
export function loadDefinitionDirectory(dir: string, substitutions: Substitutions): DefinitionFile[] {
  return definitionFiles(dir).map((file) => ({ file, name: stateMachineNameOf(file), definition: loadDefinition(file, substitutions) }));
}

/** What registering needs of an engine (the Engine fits). */
export interface StateMachineRegistry {
  createStateMachine(params: {
    name: string;
    definition: string;
    roleArn: string;
    type: 'STANDARD' | 'EXPRESS';
  }): { stateMachineArn: string } | Promise<{ stateMachineArn: string }>;
}

/**
 * Registers every definition of `dir` under its file stem; returns the ARNs by name. A definition the
 * engine refuses is a DefinitionFileError naming the file and the engine's reason.
 */
export async function registerDefinitionDirectory(
  engine: StateMachineRegistry,
  dir: string,
  substitutions: Substitutions,
  roleArn: string,
): Promise<Map<string, string>> {
  const registered = new Map<string, string>();
  for (const { file, name, definition } of loadDefinitionDirectory(dir, substitutions)) {
    let stateMachineArn: string;
    try {
      ({ stateMachineArn } = await engine.createStateMachine({ name, definition, roleArn, type: 'STANDARD' }));
    } catch (e) {
      throw new DefinitionFileError(file, `invalid definition '${file}': ${firstLine(e)}`);
    }
    registered.set(name, stateMachineArn);
  }
  return registered;
}
