/**
 * `npm start`: the local tenant cloud and a short tenant lifecycle demo on it. Brings up the local
 * services (Step Functions engine, DynamoDB, S3, EventBridge, CloudFormation) on loopback, deploys the
 * synthesized CDK app onto them, then drives the real workflows the way producers do (PutEvents,
 * PutObject) and shows what they did: tenants created (one id invalid, one stack failing and rolling
 * back), a template release rolled out to the fleet, a tenant deleted. Then keeps serving.
 *
 *   npm start                         serve on 127.0.0.1:8083.. (Step Functions 8083, DynamoDB 8084, S3 8085, EventBridge 8086, CloudFormation 8087, SQS 8088)
 *   npm start -- --port 0             any free ports
 *   npm start -- --no-serve           run the demo, print the end state, exit (1 if it is not the expected one)
 *   npm start -- --data-dir DIR       keep tenants, stacks and template versions in DIR across restarts
 *   npm start -- --real-time          waits take real time (a stack takes its simulated minutes)
 *   npm start -- --fail-updates ID,.. every stack update of these tenants fails and rolls back (to watch a rollout halt)
 *   npm start -- --cells 2            two tenant cells: the home account and cell-1 (210000000001), docs/rollouts.md "Cells"
 */
import { formatDeploySummary } from '../local/deploy';
import { VirtualTimeline } from '../emulator/runtime/timeline';
import { tenantStackName } from '../local/cli/operations';
import { tenantIdViolation } from '../template/tenant-id';
import { startLocalCloud, type LocalCloud } from '../local/cloud';
import { printState, runDemo, type DemoReport } from '../local/cli/demo';
import { removeStateFile, writeStateFile } from '../local/cli/state-file';

interface Options {
  port: number;
  host: string;
  serve: boolean;
  dataDir?: string;
  realTime: boolean;
  demo: boolean;
  cells: number;
  failUpdates: string[];
}

const DEFAULT_BASE_PORT = 8083;
/** While serving, simulated time jumps at most this far at once (further timers come at wall-clock speed). */
const SERVING_MAX_JUMP_MS = 3600_000;

function parseArgs(argv: string[]): Options {
  const options: Options = {
    port: DEFAULT_BASE_PORT,
    host: '127.0.0.1',
    serve: true,
    realTime: false,
    demo: true,
    cells: 1,
    failUpdates: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    if (arg === '--no-serve') options.serve = false;
    else if (arg === '--no-demo') options.demo = false;
    else if (arg === '--real-time') options.realTime = true;
    else if (arg === '--data-dir') options.dataDir = value();
    else if (arg === '--host') options.host = value();
    else if (arg === '--port') {
      const text = value();
      options.port = Number(text);
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65530) {
        usage(`--port must be an integer 0-65530 (the first of six consecutive ports; 0 for any free ports), got '${text}'`);
      }
    } else if (arg === '--cells') {
      const text = value();
      options.cells = Number(text);
      if (!Number.isInteger(options.cells) || options.cells < 1 || options.cells > 9)
        usage(`--cells must be an integer 1-9, got '${text}'`);
    } else if (arg === '--fail-updates') {
      options.failUpdates = value()
        .split(',')
        .map((id) => id.trim());
      const bad = options.failUpdates.find((id) => tenantIdViolation(id) !== undefined);
      if (bad !== undefined) usage(`--fail-updates: '${bad}' is not a tenant id (${tenantIdViolation(bad)})`);
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument '${arg}'`);
  }
  return options;
}

function usage(problem?: string): never {
  if (problem) console.error(`npm start: ${problem}`);
  console.error(
    'usage: npm start -- [--port N] [--host H] [--data-dir DIR] [--real-time] [--cells N] [--fail-updates ID,..] [--no-serve] [--no-demo]',
  );
  process.exit(problem ? 2 : 0);
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseArgs(process.argv.slice(2));
  const wallStart = performance.now();
  const ports =
    options.port === 0
      ? undefined
      : {
          stepfunctions: options.port,
          dynamodb: options.port + 1,
          s3: options.port + 2,
          eventbridge: options.port + 3,
          cloudformation: options.port + 4,
          sqs: options.port + 5,
        };
  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud({
      dataDir: options.dataDir,
      realTime: options.realTime,
      host: options.host,
      ports,
      cells: options.cells,
      log: (line) => console.log(line),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      usage(
        `port ${(error as { port?: number }).port ?? options.port}.. is in use (another npm start?); pick others with --port N, or --port 0 for any free ports`,
      );
    }
    throw error;
  }

  for (const id of options.failUpdates) {
    cloud.failStackUpdates(tenantStackName(id), 'DataTable', `Injected update failure (npm start --fail-updates ${id})`);
  }
  console.log('');
  for (const line of formatDeploySummary(cloud.deployment)) console.log(line);
  console.log('\nEndpoints (any AWS SDK or `aws --endpoint-url` works against them):');
  for (const [service, url] of Object.entries(cloud.endpoints)) console.log(`  ${service.padEnd(15)} ${url}`);
  if (cloud.tenantCells.length > 1) {
    console.log('\nTenant cells (new tenants are placed in the open ones; each keeps its cell):');
    for (const cell of cloud.tenantCells)
      console.log(`  ${cell.name.padEnd(15)} account ${cell.accountId}, role ${cell.roleArn}${cell.open ? '' : ' (closed)'}`);
  }
  const stateFile = writeStateFile(cloud.info, { dataDir: options.dataDir });
  console.log(`  (written to ${stateFile} for \`npm run tenants\`)`);

  let report: DemoReport | undefined;
  if (options.demo && cloud.restored) {
    console.log(`\n${options.dataDir} holds an earlier run: its tenants, stacks and template versions are back, so the demo is skipped`);
    console.log('(it would meet its own tenants again). A fresh directory runs it. The state now:');
    await printState(cloud, (line) => console.log(line));
  } else if (options.demo) {
    report = await runDemo(cloud, { log: (line) => console.log(line) });
    console.log(`\nDemo done in ${((performance.now() - wallStart) / 1000).toFixed(1)} s of wall time (cloud start and deploy included).`);
    if (report.problems.length > 0) {
      console.log(`\nThe end state is NOT the expected one:`);
      for (const problem of report.problems) console.log(`  ✗ ${problem}`);
    } else console.log('The end state is the expected one (checked in the services: records, stacks, template versions, executions).');
  }

  if (!options.serve) {
    removeStateFile();
    await cloud.close();
    process.exitCode = report && report.problems.length > 0 ? 1 : 0;
    return;
  }
  // While serving, people answer the workflows (a rollout waiting for the operator): simulated time
  // still skips stack durations, bakes and retry delays, but not the days to an execution timeout.
  if (cloud.timeline instanceof VirtualTimeline) cloud.timeline.limitJumps(SERVING_MAX_JUMP_MS);
  const e = cloud.endpoints;
  console.log(`
Serving (Ctrl-C stops). Try next:

  npm run tenants -- list
  npm run tenants -- create wayne
  npm run tenants -- show acme
  npm run tenants -- release                 # a new template version: the fleet update
  npm run tenants -- delete wayne
  npm run tenants -- executions
  npm run tenants -- events

  # or any AWS CLI / SDK (credentials: any, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local):
  aws --endpoint-url ${e.eventbridge} --region ${cloud.info.region} events put-events --entries \\
    '[{"EventBusName":"${cloud.info.outputs.EventBusName}","Source":"saas.tenants","DetailType":"TenantCreated","Detail":"{\\"tenantId\\":\\"wayne\\"}"}]'
  aws --endpoint-url ${e.dynamodb} --region ${cloud.info.region} dynamodb scan --table-name ${cloud.info.outputs.TenantTableName}
  aws --endpoint-url ${e.cloudformation} --region ${cloud.info.region} cloudformation describe-stacks --stack-name tenant-acme
  aws --endpoint-url ${e.stepfunctions} --region ${cloud.info.region} stepfunctions list-executions --state-machine-arn ${cloud.info.outputs.CreateTenantStateMachineArn}
`);
  const stop = () => {
    removeStateFile();
    void cloud.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
