/**
 * The Step Functions API over AWS JSON 1.0 on Node's http module: `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body, so that @aws-sdk/client-sfn and
 * `aws stepfunctions --endpoint-url` work unmodified. Every failure answers an AWS-shaped error;
 * nothing a client sends can take the server down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { randomUUID } from 'crypto';
import { ApiError, toApiError } from './errors';
import { OPERATIONS, type Request } from './operations';
import type { Engine } from '../runtime/engine';

/** Defaults of Step Functions Local. */
export const DEFAULT_PORT = 8083;
export const DEFAULT_HOST = '127.0.0.1';
/** A 1 MiB definition plus JSON escaping fits; anything larger is refused. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface ServerOptions {
  engine: Engine;
  /** 0 picks a free port (tests). Default 8083. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  maxBodyBytes?: number;
  /** Called with unexpected (500) errors, for logging. */
  onInternalError?: (error: unknown, operation: string) => void;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8083 */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Handles one request; exported for tests that want to bypass sockets. */
export function createRequestListener(options: ServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        if (!tooLarge) {
          tooLarge = true;
          chunks.length = 0;
          // Answer now and stop reading: the connection cannot be reused after an unread body.
          send(res, new ApiError('RequestEntityTooLargeException', `Request body exceeds ${maxBody} bytes`, 413), true);
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      /* client went away; nothing to answer */
    });
    req.on('end', () => {
      if (tooLarge) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      handle(options, req, body).then(
        (payload) => send(res, payload),
        (error) => send(res, toApiError(error)),
      );
    });
  };
}

async function handle(options: ServerOptions, req: IncomingMessage, body: Buffer): Promise<object> {
  const target = req.headers['x-amz-target'];
  const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation =
    operationName !== undefined && Object.prototype.hasOwnProperty.call(OPERATIONS, operationName) ? OPERATIONS[operationName] : undefined;
  if (req.method !== 'POST' || !operation) {
    throw new ApiError(
      'UnknownOperationException',
      `Unknown operation: ${typeof target === 'string' ? target : '(no X-Amz-Target header)'}`,
    );
  }
  let request: Request;
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
    request = parsed as Request;
  } catch (e) {
    throw new ApiError('SerializationException', `Could not parse the request body as JSON: ${(e as Error).message}`);
  }
  try {
    return await operation(options.engine, request);
  } catch (e) {
    const apiError = toApiError(e);
    if (apiError.statusCode >= 500) options.onInternalError?.(e, operationName!);
    throw apiError;
  }
}

function send(res: ServerResponse, payload: object | ApiError, closeConnection = false): void {
  if (res.headersSent) return;
  const isError = payload instanceof ApiError;
  const text = isError ? payload.toBody() : JSON.stringify(payload);
  const headers: Record<string, string | number> = {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (isError) headers['x-amzn-errortype'] = payload.code;
  if (closeConnection) headers.connection = 'close';
  res.writeHead(isError ? payload.statusCode : 200, headers);
  res.end(text);
}

/** Starts the API server; resolves once it is listening. */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = createServer({ keepAliveTimeout: 65_000 }, createRequestListener(options));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? DEFAULT_HOST;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
