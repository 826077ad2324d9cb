/**
 * The in-process transport of the local cloud: an SDK v3 `requestHandler` that hands the request the
 * SDK serialized (method, path, query, headers, body: exactly what it would write to a socket) to the
 * local service's own HTTP request handler, and the service's answer (status, headers, body) back to
 * the SDK's deserializer, without a socket. The SDK's middleware (serialisation, signing, error
 * parsing) and the service's wire parsing are the same as over loopback HTTP; what goes is the TCP
 * connection, Node's HTTP framing and parsing, and the agent.
 *
 * Services register their handler under their endpoint URL when they listen (`InProcessNetwork.serve`);
 * a client opts in with `...network.clientConfigFor(endpoint)`: the in-process `requestHandler` and
 * a SigV4 signer that skips the hashing no local service checks (local/in-process-signer.ts), or
 * nothing (the SDK's defaults: sockets, real SigV4) when no service here serves the endpoint.
 * `requestHandlerFor(endpoint)` alone keeps the real signer. A request to an endpoint whose service
 * stopped fails as a refused connection does.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { inProcessSigning } from './in-process-signer';

export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The parts of the SDK's HttpRequest the transport reads (@smithy/protocol-http). */
export interface SdkHttpRequest {
  readonly method: string;
  readonly protocol?: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly query?: Record<string, string | (string | null)[] | null | undefined>;
  readonly fragment?: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** The SDK's HttpResponse shape (statusCode, reason, lower-cased headers, a Node Readable body). */
export interface SdkHttpResponse {
  readonly statusCode: number;
  readonly reason?: string;
  readonly headers: Record<string, string>;
  readonly body: Readable;
}

/** Endpoint URL (origin) -> the service's request handler, for one local cloud. */
export class InProcessNetwork {
  private readonly routes = new Map<string, NodeRequestHandler>();

  /** Serves `handler` at `url` (its origin) in process; returns the function that stops it. */
  serve(url: string, handler: NodeRequestHandler): () => void {
    const origin = originOf(url);
    this.routes.set(origin, handler);
    return () => {
      if (this.routes.get(origin) === handler) this.routes.delete(origin);
    };
  }

  /** The handler serving this origin (`http://127.0.0.1:4566`), if any. */
  handlerAt(origin: string): NodeRequestHandler | undefined {
    return this.routes.get(origin);
  }

  /** An SDK requestHandler for clients of `endpoint`, or undefined when no service here serves it (the SDK's default then). */
  requestHandlerFor(endpoint: string | undefined): InProcessHttpHandler | undefined {
    if (endpoint === undefined || !this.routes.has(originOf(endpoint))) return undefined;
    return new InProcessHttpHandler(this);
  }

  /**
   * SDK client configuration for clients of `endpoint` (spread into the client's config): the
   * in-process requestHandler and the hash-free SigV4 (an `extensions` entry); undefined when no
   * service here serves it (the SDK's defaults then).
   */
  clientConfigFor(endpoint: string | undefined): InProcessClientConfig | undefined {
    const requestHandler = this.requestHandlerFor(endpoint);
    return requestHandler && { requestHandler, extensions: [inProcessSigning] };
  }
}

export interface InProcessClientConfig {
  readonly requestHandler: InProcessHttpHandler;
  readonly extensions: (typeof inProcessSigning)[];
}

function originOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** Implements the SDK's HttpHandler contract (`handle`, `updateHttpClientConfig`, `httpHandlerConfigs`, `destroy`). */
export class InProcessHttpHandler {
  constructor(private readonly network: InProcessNetwork) {}

  handle(request: SdkHttpRequest, options: { abortSignal?: unknown } = {}): Promise<{ response: SdkHttpResponse }> {
    // The SDK passes a global AbortSignal (its own type is a structural subset of it).
    const signal = options.abortSignal as AbortSignal | undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const port = request.port !== undefined ? `:${request.port}` : '';
    const origin = `${request.protocol ?? 'http:'}//${request.hostname}${port}`;
    const handler = this.network.handlerAt(origin);
    if (!handler) {
      // What a socket to a stopped service gives.
      const error = Object.assign(new Error(`connect ECONNREFUSED ${request.hostname}${port}`), { code: 'ECONNREFUSED' });
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const req = incomingRequest(request);
      const res = new InProcessResponse(req, (response) => resolve({ response }), reject);
      if (signal) {
        const onAbort = (): void => {
          res.abandon();
          reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        res.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      try {
        handler(req, res as unknown as ServerResponse);
      } catch (error) {
        reject(error as Error);
      }
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

/** The request as the service's handler sees an IncomingMessage: method, url, lower-cased headers, the body as a stream. */
function incomingRequest(request: SdkHttpRequest): IncomingMessage {
  const stream = new PassThrough();
  const headers: IncomingHttpHeaders = {};
  const rawHeaders: string[] = [];
  for (const name of Object.keys(request.headers)) {
    const value = request.headers[name];
    if (value === undefined) continue;
    headers[name.toLowerCase()] = String(value);
    rawHeaders.push(name, String(value));
  }
  const query = request.query ? queryString(request.query) : '';
  const url = `${request.path}${query ? `?${query}` : ''}${request.fragment ? `#${request.fragment}` : ''}`;
  Object.assign(stream, {
    method: request.method,
    url,
    headers,
    rawHeaders,
    httpVersion: '1.1',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: { remoteAddress: '127.0.0.1', remotePort: 0, localAddress: request.hostname, encrypted: false },
  });
  const body = request.body;
  if (body === undefined || body === null) stream.end();
  else if (typeof body === 'string' || body instanceof Uint8Array) stream.end(body);
  else if (body instanceof Readable) body.on('error', (e) => stream.destroy(e)).pipe(stream);
  else stream.end(String(body));
  return stream as unknown as IncomingMessage;
}

/** The query string as the SDK's Node handler writes it: keys sorted, RFC 3986 escaping (@smithy/querystring-builder). */
function queryString(query: NonNullable<SdkHttpRequest['query']>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const name = escapeUri(key);
    if (Array.isArray(value)) for (const v of value) parts.push(`${name}=${escapeUri(v ?? '')}`);
    else if (value || typeof value === 'string') parts.push(`${name}=${escapeUri(value)}`);
    else parts.push(name);
  }
  return parts.join('&');
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(reason instanceof Error ? 'Request aborted' : reason ? String(reason) : 'Request aborted');
  error.name = 'AbortError';
  if (reason instanceof Error) error.cause = reason;
  return error;
}

/**
 * The ServerResponse subset the local services and dynalite use: statusCode, setHeader / getHeader /
 * removeHeader / hasHeader, writeHead, headersSent, write / end (piping into it too), destroy. The SDK
 * gets the response once its head is sent, the body streaming as it is written.
 */
class InProcessResponse extends Writable {
  statusCode = 200;
  statusMessage = '';
  private readonly head = new Map<string, OutgoingHttpHeader>();
  private readonly body = new PassThrough();
  private sent = false;
  private settled = false;

  constructor(
    readonly req: IncomingMessage,
    private readonly onResponse: (response: SdkHttpResponse) => void,
    private readonly onError: (error: Error) => void,
  ) {
    super();
    // A write after the end is the service's mistake; as on a socket, it must not take the process down.
    this.on('error', () => undefined);
  }

  get headersSent(): boolean {
    return this.sent;
  }

  setHeader(name: string, value: OutgoingHttpHeader | number): this {
    if (this.sent)
      throw Object.assign(new Error('Cannot set headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    this.head.set(name.toLowerCase(), typeof value === 'number' ? String(value) : value);
    return this;
  }

  getHeader(name: string): OutgoingHttpHeader | undefined {
    return this.head.get(name.toLowerCase());
  }

  getHeaders(): OutgoingHttpHeaders {
    return Object.fromEntries(this.head);
  }

  hasHeader(name: string): boolean {
    return this.head.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.head.delete(name.toLowerCase());
  }

  writeHead(
    status: number,
    reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    maybeHeaders?: OutgoingHttpHeaders,
  ): this {
    this.statusCode = status;
    let headers = maybeHeaders;
    if (typeof reasonOrHeaders === 'string') this.statusMessage = reasonOrHeaders;
    else if (Array.isArray(reasonOrHeaders)) {
      for (let i = 0; i + 1 < reasonOrHeaders.length; i += 2) this.setHeader(String(reasonOrHeaders[i]), reasonOrHeaders[i + 1]);
    } else headers = reasonOrHeaders;
    if (headers) for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    this.sendHead();
    return this;
  }

  /** The client went away (an aborted call): nothing more reaches it. */
  abandon(): void {
    this.settled = true;
    this.body.destroy();
    this.destroy();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendHead();
    this.body.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.sendHead();
    this.body.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.writableFinished) {
      // The service dropped the connection: before the head, the call fails as a reset socket does; after it, the body breaks off.
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' });
      if (!this.sent && !this.settled) {
        this.settled = true;
        this.onError(reset);
      } else this.body.destroy(reset);
    }
    callback(error);
  }

  private sendHead(): void {
    if (this.sent) return;
    this.sent = true;
    const headers: Record<string, string> = {};
    for (const [name, value] of this.head) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
    if (this.settled) return;
    this.settled = true;
    this.onResponse({ statusCode: this.statusCode, reason: this.statusMessage || undefined, headers, body: this.body });
  }
}
