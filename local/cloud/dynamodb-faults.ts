/**
 * Fault injection for DynamoDB: a loopback front that forwards every call to dynalite unchanged,
 * except calls a FaultPlan picks, which it answers with the chosen DynamoDB error as AWS shapes it
 * (JSON 1.0, `__type` namespaced `com.amazonaws.dynamodb.v20120810#<Code>`, HTTP 400), e.g.
 * ProvisionedThroughputExceededException or ThrottlingException.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { FaultPlan, listenLoopback, readBody, type FaultRule, type LoopbackServer } from '../http';

const TARGET_PREFIX = 'DynamoDB_20120810.';

export class DynamoDbFaultFront {
  readonly faults = new FaultPlan();
  private server?: LoopbackServer;

  constructor(private readonly upstream: string) {}

  inject(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clear(): void {
    this.faults.clear();
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const upstream = new URL(this.upstream);
    this.server = await listenLoopback(
      (req, res) => {
        readBody(req, 16 * 1024 * 1024).then(
          (body) => {
            const target = String(req.headers['x-amz-target'] ?? '');
            const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
            let table: string | undefined;
            try {
              table = (JSON.parse(body.toString('utf8') || '{}') as { TableName?: string }).TableName;
            } catch {
              table = undefined;
            }
            const fault = this.faults.take(operation, table);
            if (fault) {
              const text = JSON.stringify({
                __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`,
                message: fault.message ?? `Injected fault: ${fault.code}`,
              });
              res.writeHead(fault.status ?? 400, {
                'content-type': 'application/x-amz-json-1.0',
                'content-length': Buffer.byteLength(text),
                'x-amzn-requestid': randomUUID(),
              });
              res.end(text);
              return;
            }
            const forward = request(
              {
                host: upstream.hostname,
                port: upstream.port,
                method: req.method,
                path: req.url,
                headers: { ...req.headers, host: upstream.host },
              },
              (answer) => {
                res.writeHead(answer.statusCode ?? 500, answer.headers);
                answer.pipe(res);
              },
            );
            forward.on('error', (error) => {
              if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
              res.end(`DynamoDB upstream failed: ${error.message}`);
            });
            forward.end(body);
          },
          () => {
            res.writeHead(413);
            res.end();
          },
        );
      },
      port,
      host,
    );
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
