/**
 * Local DynamoDB: dynalite (a maintained DynamoDB implementation on LevelDB) behind a thin proxy that can
 * answer chosen operations on chosen tables with DynamoDB's throttling errors, changeable at run time.
 *
 * - In memory by default; `dataDir` makes dynalite keep its LevelDB there (its `path` option), so tables
 *   and items survive a restart.
 * - Table status: DynamoDB tables really go CREATING → ACTIVE (and DELETING, UPDATING); dynalite
 *   models that with timers. We choose 0 ms by default: CreateTable still answers `CREATING`, as
 *   DynamoDB does, and the table is ACTIVE on the next DescribeTable, so waiters and CloudFormation's
 *   polling see the real transition without waiting in wall time (dynalite's timers are wall-clock,
 *   not on the shared timeline). `createTableMs`/`deleteTableMs`/`updateTableMs` change that.
 * - Faults, as DynamoDB returns them (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html):
 *   `ProvisionedThroughputExceededException`, `ThrottlingException`, `RequestLimitExceeded` (HTTP 400),
 *   `InternalServerError` (500); any other code is answered as `com.amazonaws.dynamodb.v20120810#<code>`.
 */
import { Agent, request, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import dynalite from 'dynalite';
import { FaultPlan, listenLoopback, readBody, type FaultRule, type LoopbackServer } from './http';
import type { InProcessNetwork } from './in-process';
import { installExpressionCache } from './dynamodb-expression-cache';
import { installOwnedStoreBuffers } from './dynamodb-store-buffers';
import { installClosedStoreIterators } from './dynamodb-closed-iterators';

// dynalite in this thread parses each expression text once (local/dynamodb-expression-cache.ts) and
// stores items in buffers of their own size, not in slices of Node's shared pool (local/dynamodb-store-buffers.ts),
// and closes the store iterators its Scans and Queries read (local/dynamodb-closed-iterators.ts).
installExpressionCache();
installOwnedStoreBuffers();
installClosedStoreIterators();

export interface DynamoOptions {
  /** Keeps tables and items across restarts (LevelDB files in this directory). */
  readonly dataDir?: string;
  readonly port?: number;
  readonly host?: string;
  /** How long a new table stays CREATING (default 0: ACTIVE on the next DescribeTable). */
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
  /** Also answer in-process clients of the endpoint (local/in-process.ts). */
  readonly network?: InProcessNetwork;
  /** Run dynalite in a worker thread, on another core than the engine (default false: in this thread). */
  readonly worker?: boolean;
}

export interface LocalDynamo {
  readonly endpoint: string;
  /** Faults by operation (`PutItem`, `Query`, `*`) and table name. */
  readonly faults: FaultPlan;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Calls `listener` with the operation (`GetItem`, ...) of every request: counting, for the bench. */
  addCallListener(listener: (operation: string) => void): void;
  close(): Promise<void>;
}

const MESSAGES: Record<string, string> = {
  ProvisionedThroughputExceededException:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  ThrottlingException: 'Rate of requests exceeds the allowed throughput.',
  RequestLimitExceeded:
    'Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase',
  InternalServerError: 'Internal server error',
};

/** The `__type` DynamoDB puts on each error (ThrottlingException comes from the coral availability layer). */
function errorType(code: string): string {
  return code === 'ThrottlingException' ? 'com.amazon.coral.availability#ThrottlingException' : `com.amazonaws.dynamodb.v20120810#${code}`;
}

export async function startDynamo(options: DynamoOptions = {}): Promise<LocalDynamo> {
  const dynaliteOptions = {
    path: options.dataDir,
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: options.deleteTableMs ?? 0,
    updateTableMs: options.updateTableMs ?? 0,
  };
  const backend = options.worker ? await workerBackend(dynaliteOptions) : await threadBackend(dynaliteOptions);
  const faults = new FaultPlan();
  const callListeners: ((operation: string) => void)[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (callListeners.length > 0) {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      for (const listener of callListeners) listener(operation);
    }
    if (faults.size === 0) {
      backend.answer(req, res);
      return;
    }
    void readBody(req, 16 * 1024 * 1024).then(
      (body) => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.slice(target.indexOf('.') + 1);
        if (faults.size > 0) {
          const fault = faults.take(operation, tableOf(body));
          if (fault) {
            const text = JSON.stringify({
              __type: errorType(fault.code),
              message: fault.message ?? MESSAGES[fault.code] ?? `Injected fault: ${fault.code}`,
            });
            res.writeHead(fault.status ?? (fault.code === 'InternalServerError' ? 500 : 400), {
              'content-type': 'application/x-amz-json-1.0',
              'content-length': Buffer.byteLength(text),
              'x-amzn-requestid': `local-${Date.now().toString(36)}`,
            });
            res.end(text);
            return;
          }
        }
        backend.answerRead(req, res, body);
      },
      () => res.destroy(),
    );
  };

  let front: LoopbackServer;
  try {
    front = await listenLoopback(handler, options.port ?? 0, options.host ?? '127.0.0.1', options.network);
  } catch (e) {
    await backend.close();
    throw e;
  }
  return {
    endpoint: front.url,
    faults,
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    addCallListener: (listener) => callListeners.push(listener),
    close: async () => {
      await front.close();
      await backend.close();
    },
  };
}

/** Where the front hands requests: dynalite in this thread, or in a worker thread. */
interface Backend {
  /** Answers a request whose body is still to be read. */
  answer(req: IncomingMessage, res: ServerResponse): void;
  /** Answers a request whose body the front already read. */
  answerRead(req: IncomingMessage, res: ServerResponse, body: Buffer): void;
  close(): Promise<void>;
}

type DynaliteOptions = Parameters<typeof dynalite>[0];

/** dynalite in this thread: unread requests go to its request handler directly, read ones over a loopback hop. */
async function threadBackend(dynaliteOptions: DynaliteOptions): Promise<Backend> {
  const backend = dynalite(dynaliteOptions);
  await new Promise<void>((resolve, reject) => {
    backend.once('error', reject);
    backend.listen(0, '127.0.0.1', () => resolve());
  });
  const backendPort = (backend.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true });
  // dynalite's own request handler: with no fault to answer, a request goes to it in this process,
  // not over a second loopback hop (that hop was half the wall cost of a call).
  const answerInProcess = backend.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  // Requests dynalite is still working on: closing its database under one throws in dynalite's callback
  // (and takes the process down), so close() waits for them (in-process calls get there without a socket to cut).
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const track = (res: ServerResponse): void => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) drained?.();
    });
  };
  return {
    answer(req, res) {
      track(res);
      answerInProcess(req, res);
    },
    answerRead(req, res, body) {
      track(res);
      const forward = request(
        {
          host: '127.0.0.1',
          port: backendPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': body.length },
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (e) => backendFailed(res, e));
      forward.end(body);
    },
    close: async () => {
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      agent.destroy();
      await closeBackend(backend);
    },
  };
}

function backendFailed(res: ServerResponse, e: Error): void {
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify({ __type: errorType('InternalServerError'), message: `local DynamoDB backend failed: ${e.message}` }));
}

/** One request to the worker and its answer (bodies as bytes). */
interface WorkerRequest {
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Uint8Array;
}
type WorkerAnswer = { readonly id: number; readonly status: number; readonly headers: Record<string, string>; readonly body: Uint8Array };

/**
 * dynalite in a worker thread (its validation, expression parsing and LevelDB work run on another
 * core). The worker builds the request and response objects dynalite's handler reads and writes
 * (method, url, headers, body events; statusCode, setHeader, end), and answers status, headers, body.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PassThrough } = require('node:stream');
const dynalite = require(workerData.dynalite);
const answer = dynalite(workerData.options).listeners('request')[0];
parentPort.on('message', (m) => {
  const req = new PassThrough();
  Object.assign(req, { method: m.method, url: m.url, headers: m.headers, socket: { remoteAddress: '127.0.0.1' } });
  const head = {};
  const chunks = [];
  let done = false;
  const res = {
    statusCode: 200,
    headersSent: false,
    setHeader(name, value) { head[name.toLowerCase()] = String(value); return res; },
    getHeader(name) { return head[name.toLowerCase()]; },
    removeHeader(name) { delete head[name.toLowerCase()]; },
    writeHead(status, headers) {
      res.statusCode = status;
      if (headers) for (const name of Object.keys(headers)) head[name.toLowerCase()] = String(headers[name]);
      res.headersSent = true;
      return res;
    },
    write(chunk) { chunks.push(Buffer.from(chunk)); return true; },
    end(chunk) {
      if (done) return;
      done = true;
      if (chunk !== undefined && chunk !== null) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      parentPort.postMessage({ id: m.id, status: res.statusCode, headers: head, body });
    },
    destroy() { res.end(); },
  };
  answer(req, res);
  req.end(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
});
parentPort.postMessage({ ready: true });
`;

async function workerBackend(dynaliteOptions: DynaliteOptions): Promise<Backend> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dynalite: require.resolve('dynalite'), options: dynaliteOptions } });
  const pending = new Map<number, ServerResponse>();
  let nextId = 0;
  let failure: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => {
      worker.off('error', reject);
      resolve();
    });
  });
  worker.on('message', (m: WorkerAnswer) => {
    const res = pending.get(m.id);
    if (!res) return;
    pending.delete(m.id);
    res.writeHead(m.status, m.headers);
    res.end(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
  });
  const failAll = (e: Error): void => {
    failure = e;
    for (const res of pending.values()) backendFailed(res, e);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', () => failAll(failure ?? new Error('the DynamoDB worker stopped')));
  const post = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    if (failure) return backendFailed(res, failure);
    const id = nextId++;
    pending.set(id, res);
    const message: WorkerRequest = { id, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    worker.postMessage(message);
  };
  return {
    answer(req, res) {
      readBody(req, 16 * 1024 * 1024).then(
        (body) => post(req, res, body),
        () => res.destroy(),
      );
    },
    answerRead: post,
    close: async () => {
      failure ??= new Error('the local DynamoDB is closed');
      await worker.terminate();
    },
  };
}

function closeBackend(backend: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    backend.close((err?: Error) => (err ? reject(err) : resolve()));
    backend.closeAllConnections?.();
  });
}

/** The table a request is about: TableName, or the first table of a batch/transaction. */
function tableOf(body: Buffer): string | undefined {
  try {
    const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (typeof input.TableName === 'string') return input.TableName;
    if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems)[0];
    if (Array.isArray(input.TransactItems)) {
      const first = input.TransactItems[0] as Record<string, { TableName?: string }> | undefined;
      return first ? Object.values(first)[0]?.TableName : undefined;
    }
  } catch {
    /* not JSON: dynalite answers it */
  }
  return undefined;
}
