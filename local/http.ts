/**
 * The small pieces every local service's HTTP front end needs: listen on loopback and report the
 * endpoint URL, read a request body with a size cap, close with open keep-alive connections, and a
 * plan of injected faults (an operation answers with a chosen AWS error for the next N calls).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LoopbackServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on host:port (port 0 picks a free one) and resolves with its endpoint URL. */
export function listenLoopback(handler: RequestHandler, port = 0, host = '127.0.0.1'): Promise<LoopbackServer> {
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
      resolve({ server, port: actualPort, url: `http://${shownHost}:${actualPort}`, close: () => closeServer(server) });
    });
  });
}

export function closeServer(server: Server): Promise<void> {
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
