/** Real local services for the pass-through tests: dynalite, and small loopback responders for the rest. */
import http from 'http';
import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalServer {
  endpoint: string;
  close(): Promise<void>;
}

/** dynalite (the DynamoDB API on LevelDB, in memory) on 127.0.0.1, a free port. */
export async function startDynalite(): Promise<LocalServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand by path
  const dynalite = require('dynalite') as (o: object) => http.Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function createTable(endpoint: string, TableName: string, sortKey = false): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        ...(sortKey ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : []),
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client.destroy();
}

export interface ResponderRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** X-Amz-Target (JSON protocols) or the Action form field (Query protocol). */
  operation: string;
  /** The parsed JSON body, or the Query protocol's form fields. */
  params: Record<string, unknown>;
}

export interface ResponderReply {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

/** A loopback HTTP server answering each request with `reply` (for services no package implements). */
export async function startResponder(
  reply: (req: ResponderRequest) => ResponderReply | Promise<ResponderReply>,
): Promise<LocalServer & { requests: ResponderRequest[] }> {
  const requests: ResponderRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = req.headers['x-amz-target'];
      let params: Record<string, unknown> = {};
      let operation = '';
      if (typeof target === 'string') {
        operation = target.split('.').pop() ?? '';
        params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } else if ((req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
        params = Object.fromEntries(new URLSearchParams(body));
        operation = String(params.Action ?? '');
      } else {
        operation = `${req.method} ${req.url}`;
        params = body && body.startsWith('{') ? (JSON.parse(body) as Record<string, unknown>) : {};
      }
      const r: ResponderRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, operation, params };
      requests.push(r);
      const out = await reply(r);
      res.writeHead(out.status ?? 200, { 'x-amzn-requestid': `req-${requests.length}`, ...(out.headers ?? {}) });
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

export const json = (value: unknown, status = 200, contentType = 'application/x-amz-json-1.1'): ResponderReply => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify(value),
});

export const xml = (body: string, status = 200): ResponderReply => ({ status, headers: { 'content-type': 'text/xml' }, body });
