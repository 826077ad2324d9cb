/**
 * `npm run replay`: the mocked replay (what `npm start` was before the local tenant cloud). Starts
 * the engine's Step Functions API server with the four workflows (local substitutions) and
 * mocks/MockConfigFile.json, runs every mocked test case once through the API, prints what happened,
 * then keeps serving so you can drive it yourself with the AWS CLI or SDK.
 *
 *   npm run replay                      serve on 127.0.0.1:8083
 *   npm run replay -- --port 0          any free port
 *   npm run replay -- --no-serve        run the scenarios, print the table, exit (1 if any case misbehaved)
 */
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { Engine } from '../emulator/runtime/engine';
import { MockConfig } from '../emulator/runtime/mock-config';
import { DEFAULT_PORT, startServer } from '../emulator/api/server';
import { LOCAL_ACCOUNT, LOCAL_REGION, loadWorkflow } from '../statemachines/local-substitutions';
import { WORKFLOW_NAMES } from '../statemachines/workflows';
import { MOCK_CONFIG_FILE } from '../mocks/build';
import { TEST_CASES, type MockTestCase } from '../mocks/test-cases';
import { runToCompletion, statesEntered } from './sfn-executions';

interface Options {
  port: number;
  host: string;
  serve: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { port: DEFAULT_PORT, host: '127.0.0.1', serve: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-serve') options.serve = false;
    else if (arg === '--port' || arg === '--host') {
      const value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
      if (arg === '--host') options.host = value;
      else {
        options.port = Number(value);
        if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
          usage(`--port must be an integer 0-65535, got '${value}'`);
      }
    } else usage(`unknown argument '${arg}'`);
  }
  return options;
}

function usage(problem: string): never {
  console.error(`npm run replay: ${problem}\nusage: npm run replay -- [--port N] [--host H] [--no-serve]`);
  process.exit(2);
}

interface Row {
  testCase: MockTestCase;
  status: string;
  error?: string;
  states: string[];
  virtualSeconds: number;
  asExpected: boolean;
}

async function runScenario(client: SFNClient, arn: string, testCase: MockTestCase): Promise<Row> {
  const { description, events } = await runToCompletion(client, { stateMachineArn: `${arn}#${testCase.name}`, input: testCase.input });
  const virtualSeconds = (description.stopDate!.getTime() - description.startDate!.getTime()) / 1000;
  const states = statesEntered(events);
  const asExpected =
    description.status === testCase.expect.status &&
    (testCase.expect.error === undefined || description.error === testCase.expect.error) &&
    states.join('\n') === testCase.path.join('\n');
  return { testCase, status: description.status!, error: description.error, states, virtualSeconds, asExpected };
}

/**
 * "A → … → X → Y×3 → Z": repeats of a polling loop collapse, and a long path keeps its first state
 * and as much of its end (where the branches differ) as fits.
 */
function shortPath(states: string[], width = 130): string {
  const parts = collapseLoops(states);
  if (parts.join(' → ').length <= width) return parts.join(' → ');
  const tail: string[] = [];
  let length = parts[0].length + ' → … → '.length;
  for (let i = parts.length - 1; i > 0 && length + parts[i].length + 3 <= width; i--) {
    tail.unshift(parts[i]);
    length += parts[i].length + 3;
  }
  return [parts[0], '…', ...tail].join(' → ');
}

/** Consecutive repeats of a cycle of up to 6 states become "(A → B → C)×n". */
function collapseLoops(states: string[]): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < states.length) {
    let best = { length: 1, times: 1 };
    for (let k = 1; k <= 6 && i + 2 * k <= states.length; k++) {
      let times = 1;
      while (i + (times + 1) * k <= states.length && states.slice(i + times * k, i + (times + 1) * k).every((s, j) => s === states[i + j]))
        times++;
      if (times > 1 && times * k > best.length * best.times) best = { length: k, times };
    }
    const cycle = states.slice(i, i + best.length);
    parts.push(best.times === 1 ? cycle[0] : `${cycle.length > 1 ? `(${cycle.join(' → ')})` : cycle[0]}×${best.times}`);
    i += best.length * best.times;
  }
  return parts;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function printTable(rows: Row[]): void {
  const header = ['workflow', 'test case', 'status', 'states', 'virtual', 'path'];
  const cells = rows.map((r) => [
    r.testCase.workflow,
    r.testCase.name,
    `${r.status}${r.error ? ` (${r.error})` : ''}${r.asExpected ? '' : ' ✗ UNEXPECTED'}`,
    String(r.states.length),
    formatDuration(r.virtualSeconds),
    shortPath(r.states),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (i === 5 ? 0 : c[i].length))));
  const line = (c: string[]) => c.map((v, i) => (i === 5 ? v : v.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w, i) => '-'.repeat(i === 5 ? 4 : w))));
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  // Node 20 is supported by this project; the SDK's notice about its own future releases is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseArgs(process.argv.slice(2));
  const engine = new Engine({ region: LOCAL_REGION, accountId: LOCAL_ACCOUNT, mockConfig: MockConfig.fromFile(MOCK_CONFIG_FILE) });
  let server;
  try {
    server = await startServer({ engine, port: options.port, host: options.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      usage(`port ${options.port} is in use (another emulator?); pick one with --port N, or --port 0 for any free port`);
    throw error;
  }
  const client = new SFNClient({
    endpoint: server.url,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const arns = new Map<string, string>();
  for (const name of WORKFLOW_NAMES) {
    const definition = JSON.stringify(loadWorkflow(name));
    const created = await client.send(
      new CreateStateMachineCommand({ name, definition, roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/tenant-workflows` }),
    );
    arns.set(name, created.stateMachineArn!);
  }

  const started = performance.now();
  const rows = await Promise.all(TEST_CASES.map((tc) => runScenario(client, arns.get(tc.workflow)!, tc)));
  const wallMs = performance.now() - started;
  console.log(
    `\nStep Functions engine at ${server.url}, ${TEST_CASES.length} mocked test cases of ${WORKFLOW_NAMES.length} workflows (mocks/MockConfigFile.json):\n`,
  );
  printTable(rows);
  const virtual = rows.reduce((sum, r) => sum + r.virtualSeconds, 0);
  const unexpected = rows.filter((r) => !r.asExpected);
  console.log(
    `\n${rows.length} executions in ${wallMs.toFixed(0)} ms of wall time, covering ${formatDuration(virtual)} of virtual time (waits and retries run on a virtual clock).`,
  );
  if (unexpected.length > 0)
    console.log(`${unexpected.length} test case(s) did not end as mocks/test-cases.ts expects, in status, error or path (✗ above).`);

  if (!options.serve) {
    await server.close();
    process.exitCode = unexpected.length > 0 ? 1 : 0;
    return;
  }
  const arn = arns.get('create-tenant');
  console.log(`
Serving the Step Functions API at ${server.url} (Ctrl-C stops). Try it:

  aws stepfunctions --endpoint-url ${server.url} --region ${LOCAL_REGION} list-state-machines
  aws stepfunctions --endpoint-url ${server.url} --region ${LOCAL_REGION} start-execution \\
    --state-machine-arn '${arn}#HappyPath' --input '{"detail":{"tenantId":"acme"}}'
  aws stepfunctions --endpoint-url ${server.url} --region ${LOCAL_REGION} get-execution-history --execution-arn <executionArn>

  // or from Node, with an unmodified SDK client:
  new SFNClient({ endpoint: '${server.url}', region: '${LOCAL_REGION}' })

Test cases (append #<name> to a state machine ARN) are listed in mocks/test-cases.ts.
(The AWS CLI needs some credentials configured; any values work, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local.)`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
