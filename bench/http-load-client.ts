/**
 * Load generator for section 2, run in its own process (child_process.fork) so that client and
 * server do not share an event loop. Starts `count` executions with at most `concurrency` in
 * flight; each worker starts one, polls DescribeExecution until it has ended, then takes the next.
 * Talks either through @aws-sdk/client-sfn or raw keep-alive HTTP (AWS JSON 1.0), to tell
 * whether the SDK client is the bottleneck.
 */
import { Agent, request } from 'http';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

export type LoadClientKind = 'sdk' | 'raw-http';

export interface LoadRequest {
  endpoint: string;
  /** `<state machine arn>#<TestCase>`. */
  target: string;
  input: string;
  count: number;
  /** Executions run first and not measured (JIT of client and server, sockets opened). */
  warmupCount: number;
  concurrency: number;
  client: LoadClientKind;
}

export interface LoadReport {
  client: LoadClientKind;
  count: number;
  concurrency: number;
  elapsedMs: number;
  statuses: Record<string, number>;
  describeCalls: number;
  /** CPU time (user + system) the load generator used, to show which side is the bottleneck. */
  clientCpuMs: number;
}

interface SfnCalls {
  start(target: string, input: string): Promise<string>;
  status(executionArn: string): Promise<string>;
  close(): void;
}

function sdkCalls(endpoint: string, concurrency: number): SfnCalls {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const client = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    // Options object form of the SDK's NodeHttpHandler: keep-alive sockets, as many as workers.
    requestHandler: { httpAgent: agent },
  });
  return {
    async start(target, input) {
      const out = await client.send(new StartExecutionCommand({ stateMachineArn: target, input }));
      return out.executionArn!;
    },
    async status(executionArn) {
      const out = await client.send(new DescribeExecutionCommand({ executionArn }));
      return out.status!;
    },
    close() {
      client.destroy();
      agent.destroy();
    },
  };
}

function rawCalls(endpoint: string, concurrency: number): SfnCalls {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(endpoint);
  const call = (operation: string, body: object): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `AWSStepFunctions.${operation}`,
            'content-length': Buffer.byteLength(text),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
            if (res.statusCode !== 200) reject(new Error(`${operation}: HTTP ${res.statusCode} ${JSON.stringify(payload)}`));
            else resolve(payload);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return {
    async start(target, input) {
      return (await call('StartExecution', { stateMachineArn: target, input })).executionArn as string;
    },
    async status(executionArn) {
      return (await call('DescribeExecution', { executionArn })).status as string;
    },
    close() {
      agent.destroy();
    },
  };
}

/** Runs `count` executions to their end with `concurrency` workers. */
async function drive(
  calls: SfnCalls,
  req: LoadRequest,
  count: number,
): Promise<{ statuses: Record<string, number>; describeCalls: number }> {
  const statuses: Record<string, number> = {};
  let describeCalls = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const arn = await calls.start(req.target, req.input);
      let status = 'RUNNING';
      while (status === 'RUNNING') {
        status = await calls.status(arn);
        describeCalls++;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(req.concurrency, count) }, worker));
  return { statuses, describeCalls };
}

/** Warms up, calls `onMeasuring`, then runs the measured executions. */
export async function generateLoad(req: LoadRequest, onMeasuring: () => void = () => undefined): Promise<LoadReport> {
  const calls = req.client === 'sdk' ? sdkCalls(req.endpoint, req.concurrency) : rawCalls(req.endpoint, req.concurrency);
  let started = 0;
  let cpu = process.cpuUsage();
  let measured: { statuses: Record<string, number>; describeCalls: number };
  try {
    if (req.warmupCount > 0) await drive(calls, req, req.warmupCount);
    onMeasuring();
    started = performance.now();
    cpu = process.cpuUsage();
    measured = await drive(calls, req, req.count);
  } finally {
    calls.close();
  }
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const { statuses, describeCalls } = measured;
  return {
    client: req.client,
    count: req.count,
    concurrency: req.concurrency,
    elapsedMs,
    statuses,
    describeCalls,
    clientCpuMs: (used.user + used.system) / 1000,
  };
}

if (require.main === module) {
  process.once('message', (message) => {
    generateLoad(message as LoadRequest, () => process.send!({ progress: 'measuring' })).then(
      (report) => process.send!({ ok: true, report }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
