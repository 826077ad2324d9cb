/**
 * Test support for the local CloudFormation: dynalite as DynamoDB, a tiny loopback S3 that answers
 * GetObject (path style, with versions) for templates, an event sink that records what it gets,
 * and a client of the real `@aws-sdk/client-cloudformation` on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalCloudFormation, type CloudFormationBehaviour, type ResourceProvider } from '../../local/cloudformation';
import type { ServiceEvent, ServiceEventSink } from '../../local/service-events';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function startDynalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

/** Objects by `bucket/key`, each with its versions (the last one is the latest). */
export class TemplateBucketStub {
  private readonly objects = new Map<string, { versionId: string; body: string }[]>();
  private server?: Server;
  endpoint = '';
  readonly requests: string[] = [];

  put(bucket: string, key: string, body: string): string {
    const versions = this.objects.get(`${bucket}/${key}`) ?? [];
    const versionId = `v${versions.length + 1}`;
    versions.push({ versionId, body });
    this.objects.set(`${bucket}/${key}`, versions);
    return versionId;
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const versions = this.objects.get(decodeURIComponent(url.pathname.slice(1))) ?? [];
      const versionId = url.searchParams.get('versionId');
      const found = versionId === null ? versions.at(-1) : versions.find((v) => v.versionId === versionId);
      if (req.method !== 'GET' || !found) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
        );
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-version-id': found.versionId,
        'content-length': Buffer.byteLength(found.body),
      });
      res.end(found.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  close(): Promise<void> {
    return this.server ? closeServer(this.server) : Promise.resolve();
  }
}

export class RecordingSink implements ServiceEventSink {
  readonly events: ServiceEvent[] = [];
  publishServiceEvent(event: ServiceEvent): void {
    this.events.push(event);
  }
  stackStatuses(stackId: string): string[] {
    return this.events
      .filter((e) => e.detailType === 'CloudFormation Stack Status Change' && e.detail['stack-id'] === stackId)
      .map((e) => (e.detail['status-details'] as { status: string }).status);
  }
}

export interface Cloud {
  readonly timeline: VirtualTimeline;
  readonly cfn: LocalCloudFormation;
  readonly client: CloudFormationClient;
  readonly dynamodb: DynamoDBClient;
  readonly sink: RecordingSink;
  readonly s3: TemplateBucketStub;
  /** A call whose answer arrives before virtual time may move on (as the engine's tracked calls). */
  send<T>(command: object): Promise<T>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startCloud(
  options: {
    behaviour?: CloudFormationBehaviour;
    dataDir?: string;
    maxEventsPerStack?: number;
    providers?: ResourceProvider[];
    cacheVersionedTemplates?: boolean;
  } = {},
): Promise<Cloud> {
  const timeline = new VirtualTimeline(Date.UTC(2026, 0, 1));
  const dynamo = await startDynalite();
  const s3 = new TemplateBucketStub();
  await s3.listen();
  const sink = new RecordingSink();
  const make = (): LocalCloudFormation =>
    new LocalCloudFormation({
      timeline,
      endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint },
      events: sink,
      dataDir: options.dataDir,
      behaviour: options.behaviour,
      maxEventsPerStack: options.maxEventsPerStack,
      providers: options.providers,
      cacheVersionedTemplates: options.cacheVersionedTemplates,
    });
  let cfn = make();
  let endpoint = await cfn.listen();
  let client = new CloudFormationClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const cloud: Cloud = {
    timeline,
    get cfn() {
      return cfn;
    },
    get client() {
      return client;
    },
    dynamodb,
    sink,
    s3,
    send: (command) => timeline.track(client.send(command as never)) as never,
    async restart() {
      await cfn.close();
      client.destroy();
      cfn = make();
      endpoint = await cfn.listen();
      client = new CloudFormationClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    },
    async close() {
      await cfn.close();
      client.destroy();
      dynamodb.destroy();
      await s3.close();
      await dynamo.close();
    },
  };
  return cloud;
}

function closeServer(server: Server): Promise<void> {
  (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}
