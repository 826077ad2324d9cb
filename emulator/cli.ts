/**
 * Command line of the local Step Functions engine (run as `npm run emulator -- <command>`):
 *
 *   serve [--port N] [--host H] [--mock-config FILE] [--state-machines DIR [--substitutions FILE]]
 *         [--real-time] [--region R] [--account A] [--endpoint-url URL] [--aws]
 *   run FILE [--input JSON|@file] [--mock-config FILE --test-case NAME] [--substitutions FILE] [--name NAME]
 *
 * Exit codes of `run`: 0 the execution succeeded, 1 it did not, 2 usage or input error.
 */
import { readFileSync, readdirSync } from 'fs';
import { basename, join } from 'path';
import yaml from 'js-yaml';
import { Engine } from './runtime/engine';
import { MockConfig, MockConfigError } from './runtime/mock-config';
import { applySubstitutions, SubstitutionError, type Substitutions } from './asl/substitutions';
import { DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer } from './api/server';
import type { EngineApi, ExecutionInfo, HistoryEventInfo } from './api/operations';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT = '123456789012';
const DEFINITION_SUFFIXES = ['.asl.yaml', '.asl.yml', '.asl.json'];

/** A problem with how the command was called or with the files it was given (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USAGE = `Usage:
  serve [--port N] [--host H] [--mock-config FILE] [--state-machines DIR] [--substitutions FILE]
        [--real-time] [--region R] [--account A] [--endpoint-url URL] [--aws]
  run FILE [--input JSON|@file] [--mock-config FILE --test-case NAME] [--substitutions FILE] [--name NAME]
        [--real-time] [--region R] [--account A] [--endpoint-url URL] [--aws]
The mock configuration defaults to the file named by SFN_MOCK_CONFIG.
Tasks no mock answers call the service at --endpoint-url (or AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>);
--aws allows calling real AWS for services without a configured endpoint.`;

// ---------------------------------------------------------------- argument parsing

interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

const VALUE_OPTIONS = new Set([
  'port',
  'host',
  'mock-config',
  'state-machines',
  'substitutions',
  'input',
  'test-case',
  'name',
  'region',
  'account',
  'endpoint-url',
]);
const FLAG_OPTIONS = new Set(['real-time', 'help', 'aws']);

function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (FLAG_OPTIONS.has(key)) {
      if (inline !== undefined) throw new UsageError(`--${key} takes no value`);
      options.set(key, true);
    } else if (VALUE_OPTIONS.has(key)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${key} needs a value`);
      options.set(key, value);
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return { positional, options };
}

function option(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

function allowOnly(args: ParsedArgs, command: string, allowed: readonly string[]): void {
  for (const key of args.options.keys()) {
    if (!allowed.includes(key)) throw new UsageError(`--${key} is not an option of '${command}'`);
  }
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got '${text}'`);
  return port;
}

// ---------------------------------------------------------------- files

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A JSON (or YAML) object of substitution values, e.g. {"PollSeconds": 30}. */
export function loadSubstitutions(file: string | undefined): Substitutions {
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = yaml.load(readText(file, 'substitutions file'), { schema: yaml.JSON_SCHEMA });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`substitutions file '${file}' is not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`substitutions file '${file}' must hold an object of names to values`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new UsageError(`substitutions file '${file}': '${key}' must be a string, number or boolean`);
    }
  }
  return parsed as Substitutions;
}

export function loadMockConfig(file: string | undefined): MockConfig | undefined {
  const path = file ?? process.env.SFN_MOCK_CONFIG;
  if (!path) return undefined;
  try {
    return MockConfig.fromFile(path);
  } catch (e) {
    if (e instanceof MockConfigError) throw new UsageError(e.message);
    throw e;
  }
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
    if (e instanceof SubstitutionError) throw new UsageError(`${e.message} (pass them with --substitutions FILE)`);
    throw e;
  }
  try {
    return JSON.stringify(yaml.load(substituted, { schema: yaml.JSON_SCHEMA }));
  } catch (e) {
    throw new UsageError(`definition '${file}' is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Every *.asl.yaml / *.asl.yml / *.asl.json file of a directory, sorted. */
export function definitionFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new UsageError(`cannot read the state machines directory '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return entries
    .filter((f) => DEFINITION_SUFFIXES.some((s) => f.endsWith(s)))
    .sort()
    .map((f) => join(dir, f));
}

// ---------------------------------------------------------------- engine

interface EngineOptions {
  region: string;
  accountId: string;
  mockConfig?: MockConfig;
  realTime: boolean;
  /** --endpoint-url: every service's endpoint (per service: AWS_ENDPOINT_URL_<SERVICE>). */
  endpointUrl?: string;
  /** --aws: services without a configured endpoint may call real AWS. */
  aws?: boolean;
}

function createEngine(o: EngineOptions): Engine {
  const passThrough = { allowRealAws: o.aws === true, ...(o.endpointUrl ? { endpoints: endpointsFor(o.endpointUrl) } : {}) };
  return new Engine({
    region: o.region,
    accountId: o.accountId,
    mockConfig: o.mockConfig,
    clock: o.realTime ? 'real' : 'virtual',
    passThrough,
  });
}

/** One endpoint for every service the pass-through may call. */
function endpointsFor(url: string): Record<string, string> {
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--endpoint-url must be an http(s) URL, got '${url}'`);
  return new Proxy({}, { get: (_t, key) => (typeof key === 'string' ? url : undefined) }) as Record<string, string>;
}

function roleArnFor(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/StepFunctionsLocal`;
}

/** Registers every definition of `dir` under its file stem; returns the ARNs by name. */
export async function registerStateMachines(
  engine: EngineApi,
  dir: string,
  substitutions: Substitutions,
  accountId = DEFAULT_ACCOUNT,
): Promise<Map<string, string>> {
  const registered = new Map<string, string>();
  for (const file of definitionFiles(dir)) {
    const name = stateMachineNameOf(file);
    const definition = loadDefinition(file, substitutions);
    const { stateMachineArn } = await engine.createStateMachine({ name, definition, roleArn: roleArnFor(accountId), type: 'STANDARD' });
    registered.set(name, stateMachineArn);
  }
  return registered;
}

// ---------------------------------------------------------------- commands

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleOutput: Output = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };

export interface ServeHandle extends RunningServer {
  readonly engine: Engine;
  readonly stateMachines: Map<string, string>;
}

/** `serve`: starts the API server; resolves once it listens (the URL has been printed). */
export async function serve(argv: readonly string[], io: Output = consoleOutput): Promise<ServeHandle> {
  const args = parseArgs(argv);
  allowOnly(args, 'serve', [
    'port',
    'host',
    'mock-config',
    'state-machines',
    'substitutions',
    'real-time',
    'region',
    'account',
    'endpoint-url',
    'aws',
  ]);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  const stateMachinesDir = option(args, 'state-machines');
  if (option(args, 'substitutions') !== undefined && stateMachinesDir === undefined) {
    throw new UsageError('--substitutions applies to --state-machines DIR; give both');
  }
  const port = parsePort(option(args, 'port'));
  const accountId = option(args, 'account') ?? DEFAULT_ACCOUNT;
  const mockConfig = loadMockConfig(option(args, 'mock-config'));
  const engine = createEngine({
    region: option(args, 'region') ?? DEFAULT_REGION,
    accountId,
    mockConfig,
    realTime: args.options.has('real-time'),
    endpointUrl: option(args, 'endpoint-url'),
    aws: args.options.has('aws'),
  });
  const api: EngineApi = engine;
  const stateMachines = stateMachinesDir
    ? await registerStateMachines(api, stateMachinesDir, loadSubstitutions(option(args, 'substitutions')), accountId)
    : new Map<string, string>();
  const running = await startServer({
    engine: api,
    port,
    host: option(args, 'host') ?? DEFAULT_HOST,
    onInternalError: (e, op) => io.err(`internal error in ${op}: ${(e as Error)?.stack ?? String(e)}`),
  });
  for (const [name, arn] of stateMachines) io.out(`registered ${name}: ${arn}`);
  if (mockConfig) io.out(`mock configuration: ${mockConfig.source}`);
  io.out(`Step Functions API listening on ${running.url}`);
  return { ...running, engine, stateMachines };
}

function readInput(text: string | undefined): string {
  if (text === undefined) return '{}';
  const json = text.startsWith('@') ? readText(text.slice(1), 'input file') : text;
  try {
    JSON.parse(json);
  } catch (e) {
    throw new UsageError(`--input is not valid JSON: ${(e as Error).message}`);
  }
  return json;
}

/** `run`: one execution; prints the states taken and the result; resolves to the exit code. */
export async function run(argv: readonly string[], io: Output = consoleOutput): Promise<number> {
  const args = parseArgs(argv);
  allowOnly(args, 'run', [
    'input',
    'mock-config',
    'test-case',
    'substitutions',
    'name',
    'real-time',
    'region',
    'account',
    'endpoint-url',
    'aws',
  ]);
  if (args.positional.length !== 1) throw new UsageError('run needs exactly one definition FILE');
  const file = args.positional[0];
  const testCase = option(args, 'test-case');
  const mockConfig = loadMockConfig(option(args, 'mock-config'));
  if (testCase !== undefined && !mockConfig) throw new UsageError('--test-case needs --mock-config FILE (or SFN_MOCK_CONFIG)');
  const name = option(args, 'name') ?? stateMachineNameOf(file);
  if (testCase !== undefined && !mockConfig!.hasTestCase(name, testCase)) {
    const known = mockConfig!.testCases(name);
    throw new UsageError(
      `test case '${testCase}' is not defined for state machine '${name}' in ${mockConfig!.source}` +
        (known.length ? ` (defined: ${known.join(', ')})` : ' (the state machine has no test cases; is --name right?)'),
    );
  }
  const input = readInput(option(args, 'input'));
  const definition = loadDefinition(file, loadSubstitutions(option(args, 'substitutions')));
  const accountId = option(args, 'account') ?? DEFAULT_ACCOUNT;
  const engine = createEngine({
    region: option(args, 'region') ?? DEFAULT_REGION,
    accountId,
    mockConfig,
    realTime: args.options.has('real-time'),
    endpointUrl: option(args, 'endpoint-url'),
    aws: args.options.has('aws'),
  });
  const api: EngineApi = engine;

  let stateMachineArn: string;
  try {
    ({ stateMachineArn } = await api.createStateMachine({ name, definition, roleArn: roleArnFor(accountId), type: 'STANDARD' }));
  } catch (e) {
    throw new UsageError(`invalid definition '${file}': ${(e as Error).message}`);
  }
  const { executionArn } = await api.startExecution({
    stateMachineArn: testCase ? `${stateMachineArn}#${testCase}` : stateMachineArn,
    input,
  });
  const result = (await engine.waitForExecution(executionArn)) as unknown as ExecutionInfo;
  const history = (await api.getExecutionHistory(executionArn)) as readonly HistoryEventInfo[];

  io.out(`execution ${executionArn}${testCase ? ` (test case ${testCase})` : ''}`);
  io.out('states:');
  for (const event of history) {
    if (event.type.endsWith('StateEntered')) {
      const details = event.stateEnteredEventDetails as { name?: string } | undefined;
      io.out(`  ${details?.name ?? '?'} (${event.type.slice(0, -'StateEntered'.length)})`);
    }
  }
  io.out(`status: ${result.status}`);
  if (result.status === 'SUCCEEDED') {
    io.out(`output: ${typeof result.output === 'string' ? result.output : JSON.stringify(result.output)}`);
    return 0;
  }
  if (result.error !== undefined) io.out(`error: ${result.error}`);
  if (result.cause !== undefined) io.out(`cause: ${result.cause}`);
  return 1;
}

/**
 * Runs `run`/`help` and reports usage errors; resolves to the process exit code. (`serve` keeps
 * running and is started by main.)
 */
export async function runCommand(argv: readonly string[], io: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') return await run(rest, io);
    if (command === 'help' || command === '--help') {
      io.out(USAGE);
      return 0;
    }
    throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
  } catch (e) {
    return reportFailure(e, io);
  }
}

function reportFailure(e: unknown, io: Output): number {
  if (e instanceof UsageError) {
    io.err(`error: ${e.message}`);
    io.err("Run 'npm run emulator -- help' for usage.");
  } else {
    io.err(`error: ${(e as Error)?.stack ?? String(e)}`);
  }
  return 2;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] !== 'serve') {
    process.exitCode = await runCommand(argv);
    return;
  }
  try {
    const handle = await serve(argv.slice(1));
    const stop = (signal: string) => {
      process.stderr.write(`${signal}: stopping\n`);
      handle.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (e) {
    process.exitCode = reportFailure(e, consoleOutput);
  }
}

if (require.main === module) void main(process.argv.slice(2));
