/**
 * Command line of the local Step Functions engine (run as `npm run emulator -- <command>`):
 *
 *   serve [--port N] [--host H] [--mock-config FILE] [--state-machines DIR [--substitutions FILE]]
 *         [--real-time] [--region R] [--account A] [--endpoint-url URL] [--aws]
 *         [--max-closed-executions N] [--closed-execution-ttl SECONDS]
 *   run FILE [--input JSON|@file] [--mock-config FILE --test-case NAME] [--substitutions FILE] [--name NAME]
 *
 * Exit codes of `run`: 0 the execution succeeded, 1 it did not, 2 usage or input error.
 */
import { readFileSync } from 'fs';
import { Engine } from './runtime/engine';
import type { RetentionOptions } from './runtime/execution-index';
import { MockConfig, MockConfigError } from './runtime/mock-config';
import type { Substitutions } from './asl/substitutions';
import { DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer } from './api/server';
import type { ExecutionInfo, HistoryEventInfo } from './api/operations';
import {
  DefinitionFileError,
  loadDefinition,
  loadSubstitutions,
  registerDefinitionDirectory,
  stateMachineNameOf,
} from './definition-files';

export { loadDefinition, loadSubstitutions, stateMachineNameOf };

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT = '123456789012';

/** A problem with how the command was called or with the files it was given (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command was right but the environment refused (the port is taken): one line, exit 2. */
class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

const USAGE = `Usage:
  serve [--port N] [--host H] [--mock-config FILE] [--state-machines DIR] [--substitutions FILE]
        [--real-time] [--region R] [--account A] [--endpoint-url URL] [--aws]
        [--max-closed-executions N] [--closed-execution-ttl SECONDS]   (retention; defaults 10000 and 86400)
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
  'max-closed-executions',
  'closed-execution-ttl',
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

function parseCount(args: ParsedArgs, name: string): number | undefined {
  const text = option(args, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`--${name} must be a whole number >= 0, got '${text}'`);
  return Number(text);
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  // Digits only: Number('') and Number(' ') are 0, which would silently pick a random port.
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got '${text}'`);
  return port;
}

// ---------------------------------------------------------------- files

/** Definition files and substitutions are read by definition-files.ts; its errors are usage errors here. */
function asUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof DefinitionFileError) throw new UsageError(e.message);
    throw e;
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
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

// ---------------------------------------------------------------- engine

interface EngineOptions {
  region: string;
  accountId: string;
  mockConfig?: MockConfig;
  realTime: boolean;
  retention?: RetentionOptions;
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
    retention: o.retention,
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
  engine: Engine,
  dir: string,
  substitutions: Substitutions,
  accountId = DEFAULT_ACCOUNT,
): Promise<Map<string, string>> {
  try {
    return await registerDefinitionDirectory(engine, dir, substitutions, roleArnFor(accountId));
  } catch (e) {
    if (e instanceof DefinitionFileError) throw new UsageError(e.message);
    throw e;
  }
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
    'max-closed-executions',
    'closed-execution-ttl',
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
  const ttlSeconds = parseCount(args, 'closed-execution-ttl');
  const retention: RetentionOptions = {
    maxClosedExecutions: parseCount(args, 'max-closed-executions'),
    closedExecutionTtlMs: ttlSeconds === undefined ? undefined : ttlSeconds * 1000,
  };
  const mockConfig = loadMockConfig(option(args, 'mock-config'));
  const engine = createEngine({
    region: option(args, 'region') ?? DEFAULT_REGION,
    accountId,
    mockConfig,
    realTime: args.options.has('real-time'),
    retention,
    endpointUrl: option(args, 'endpoint-url'),
    aws: args.options.has('aws'),
  });
  const stateMachines = stateMachinesDir
    ? await registerStateMachines(
        engine,
        stateMachinesDir,
        asUsageError(() => loadSubstitutions(option(args, 'substitutions'))),
        accountId,
      )
    : new Map<string, string>();
  const host = option(args, 'host') ?? DEFAULT_HOST;
  let running: RunningServer;
  try {
    running = await startServer({
      engine,
      port,
      host,
      onInternalError: (e, op) => io.err(`internal error in ${op}: ${(e as Error)?.stack ?? String(e)}`),
    });
  } catch (e) {
    throw listenError(e, host, port);
  }
  for (const [name, arn] of stateMachines) io.out(`registered ${name}: ${arn}`);
  if (mockConfig) io.out(`mock configuration: ${mockConfig.source}`);
  io.out(`Step Functions API listening on ${running.url}`);
  return { ...running, engine, stateMachines };
}

/** The server could not listen: a one-line reason (the address in use, no permission), no stack. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new StartupError(`cannot listen on ${where}: the port is already in use (choose another with --port)`);
  if (code === 'EACCES') return new StartupError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new StartupError(`cannot listen on ${where}: no such local address (--host)`);
  return e;
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
  const definition = asUsageError(() => loadDefinition(file, loadSubstitutions(option(args, 'substitutions'))));
  const accountId = option(args, 'account') ?? DEFAULT_ACCOUNT;
  const engine = createEngine({
    region: option(args, 'region') ?? DEFAULT_REGION,
    accountId,
    mockConfig,
    realTime: args.options.has('real-time'),
    endpointUrl: option(args, 'endpoint-url'),
    aws: args.options.has('aws'),
  });

  let stateMachineArn: string;
  try {
    ({ stateMachineArn } = await engine.createStateMachine({ name, definition, roleArn: roleArnFor(accountId), type: 'STANDARD' }));
  } catch (e) {
    throw new UsageError(`invalid definition '${file}': ${(e as Error).message}`);
  }
  const { executionArn } = await engine.startExecution({
    stateMachineArn: testCase ? `${stateMachineArn}#${testCase}` : stateMachineArn,
    input,
  });
  const result = (await engine.waitForExecution(executionArn)) as unknown as ExecutionInfo;
  const history = (await engine.getExecutionHistory(executionArn)) as readonly HistoryEventInfo[];

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
  } else if (e instanceof StartupError) {
    io.err(`error: ${e.message}`);
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
