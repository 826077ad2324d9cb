/**
 * The small pieces every local service's HTTP front end needs: listen on loopback and report the
 * endpoint URL, read a request body with a size cap, close with open keep-alive connections, and a
 * plan of injected faults (an operation answers with a chosen AWS error for the next N calls).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { InProcessNetwork } from './in-process';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LoopbackServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on host:port (port 0 picks a free one) and resolves with its endpoint URL;
 * with `network`, the same handler also answers that URL's in-process clients (local/in-process.ts).
 */
export function listenLoopback(handler: RequestHandler, port = 0, host = '127.0.0.1', network?: InProcessNetwork): Promise<LoopbackServer> {
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actualPort = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      const url = `http://${shownHost}:${actualPort}`;
      const stopInProcess = network?.serve(url, handler);
      const close = (): Promise<void> => {
        stopInProcess?.();
        return closeServer(server);
      };
      resolve({ server, port: actualPort, url, close });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((done) => {
    if (!server.listening) return done();
    server.close(() => done());
    server.closeAllConnections();
  });
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds ${limit} bytes`);
  }
}

/** Reads the whole request body; rejects with BodyTooLargeError past `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
      failed = true;
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
}

// ------------------------------------------------------------------ fault injection

/** One injected fault: calls of `operation` (and, when given, on `resource`) fail with `code`. */
export interface FaultRule {
  /** Operation name as the wire protocol names it (`PutObject`, `PutItem`, `PutEvents`); `*` for every operation. */
  readonly operation: string;
  /** A bucket, table, bus, ... name; absent for any. */
  readonly resource?: string;
  /** The AWS error code to answer with (`SlowDown`, `ThrottlingException`, `ProvisionedThroughputExceededException`, ...). */
  readonly code: string;
  readonly message?: string;
  /** HTTP status of the error answer; each service picks AWS's status for the code when absent. */
  readonly status?: number;
  /** How many matching calls fail before the rule is used up; default: every call until cleared. */
  readonly times?: number;
}

export interface FaultHit {
  readonly code: string;
  readonly message?: string;
  readonly status?: number;
}

/** The faults configured on one service, changeable at run time (tests, the demo). */
export class FaultPlan {
  private rules: { rule: FaultRule; left: number }[] = [];
  /** Every fault answered, in order (operation, resource, code). */
  readonly injected: { operation: string; resource?: string; code: string }[] = [];

  add(rule: FaultRule): void {
    if (!rule.operation) throw new Error('FaultRule.operation is required (an operation name or "*")');
    if (!rule.code) throw new Error('FaultRule.code is required (the AWS error code to answer with)');
    if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
      throw new Error(`FaultRule.times must be a positive integer, got ${rule.times}`);
    }
    this.rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  /** Consumes and returns the first rule matching this call, if any. */
  take(operation: string, resource?: string): FaultHit | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.resource !== undefined && rule.resource !== resource) continue;
      entry.left--;
      if (entry.left <= 0) this.rules = this.rules.filter((e) => e !== entry);
      this.injected.push({ operation, resource, code: rule.code });
      return { code: rule.code, message: rule.message, status: rule.status };
    }
    return undefined;
  }
}

// ------------------------------------------------------------------ AWS JSON protocols (1.0 and 1.1)

/** An error answered in AWS's shape: `__type` and `message` in JSON protocols, `<Error><Code>` in S3. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** JSON protocols: the `__type` when it differs from `code` (DynamoDB's namespaced types). */
    readonly type?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = code;
  }
}

export interface JsonProtocolOptions {
  /** `AWSEvents.`, `AmazonSQS.`, ... */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.1` (EventBridge) or `application/x-amz-json-1.0` (SQS). */
  readonly contentType: string;
  readonly maxBodyBytes?: number;
  readonly operations: Readonly<Record<string, (input: Record<string, unknown>, req: IncomingMessage) => unknown>>;
  readonly faults?: FaultPlan;
  /** The resource a call is about (for per-resource faults): a bus name, a queue URL, ... */
  readonly resourceOf?: (operation: string, input: Record<string, unknown>) => string | undefined;
  /** Extra headers on every error answer (SQS's `x-amzn-query-error`). */
  readonly errorHeaders?: (error: AwsError) => Record<string, string> | undefined;
  readonly onInternalError?: (error: unknown, operation: string) => void;
}

/** One POST / endpoint that dispatches on `X-Amz-Target: <prefix><Operation>` with JSON bodies. */
export function jsonProtocolHandler(options: JsonProtocolOptions): RequestHandler {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  return (req, res) => {
    const send = (status: number, payload: object, error?: AwsError): void => {
      if (res.headersSent) return;
      const text = JSON.stringify(payload);
      const headers: Record<string, string | number> = {
        'content-type': options.contentType,
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
      };
      if (error) Object.assign(headers, { 'x-amzn-errortype': error.type ?? error.code }, options.errorHeaders?.(error), error.headers);
      res.writeHead(status, headers);
      res.end(text);
    };
    const fail = (error: AwsError): void => send(error.status, { __type: error.type ?? error.code, message: error.message }, error);
    readBody(req, maxBody).then(
      async (body) => {
        const target = req.headers['x-amz-target'];
        const operation =
          typeof target === 'string' && target.startsWith(options.targetPrefix) ? target.slice(options.targetPrefix.length) : '';
        const handler = Object.prototype.hasOwnProperty.call(options.operations, operation) ? options.operations[operation] : undefined;
        if (req.method !== 'POST' || !handler) {
          return fail(
            new AwsError(
              'UnknownOperationException',
              `Unknown operation: ${typeof target === 'string' ? target : '(no X-Amz-Target header)'}`,
            ),
          );
        }
        let input: Record<string, unknown>;
        try {
          const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
          input = parsed as Record<string, unknown>;
        } catch (e) {
          return fail(new AwsError('SerializationException', `Could not parse the request body as JSON: ${(e as Error).message}`));
        }
        const fault = options.faults?.take(operation, options.resourceOf?.(operation, input));
        if (fault) return fail(new AwsError(fault.code, fault.message ?? `Injected fault: ${fault.code}`, fault.status ?? 400));
        try {
          send(200, ((await handler(input, req)) as object | undefined) ?? {});
        } catch (e) {
          if (e instanceof AwsError) return fail(e);
          options.onInternalError?.(e, operation);
          fail(new AwsError('InternalFailure', `Internal failure: ${(e as Error).message}`, 500));
        }
      },
      (e) => {
        if (e instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          fail(new AwsError('RequestEntityTooLargeException', e.message, 413));
          req.destroy();
        }
      },
    );
  };
}
