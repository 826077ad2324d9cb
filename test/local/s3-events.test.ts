/**
 * The template-release path end to end on loopback: PutObject on the local S3 (versioning and EventBridge
 * notifications on) → `Object Created` on the local EventBridge's default bus
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html) → a rule matching it → a Step
 * Functions execution on the project's engine whose input is the event as EventBridge delivers it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html), with the rule's
 * retries on a throttled target running on the virtual timeline.
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { Engine } from '../../emulator/runtime/engine';
import { startServer, type RunningServer } from '../../emulator/api/server';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalEventBridge } from '../../local/eventbridge';
import { LocalS3 } from '../../local/s3';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

describe('S3 Object Created → EventBridge → Step Functions', () => {
  let sfnServer: RunningServer;
  let sfn: SFNClient;
  let s3: LocalS3;
  let s3Client: S3Client;
  let eb: LocalEventBridge;
  let events: EventBridgeClient;
  let timeline: VirtualTimeline;
  let stateMachineArn: string;

  beforeEach(async () => {
    timeline = new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z'));
    sfnServer = await startServer({ engine: new Engine(), port: 0 });
    sfn = new SFNClient({ endpoint: sfnServer.url, region, credentials, maxAttempts: 1 });
    const definition = JSON.stringify({ StartAt: 'Received', States: { Received: { Type: 'Pass', End: true } } });
    stateMachineArn = (
      await sfn.send(new CreateStateMachineCommand({ name: 'update-tenants', definition, roleArn: 'arn:aws:iam::123456789012:role/sfn' }))
    ).stateMachineArn!;
    eb = new LocalEventBridge({ timeline, endpoints: { sfn: sfnServer.url } });
    events = new EventBridgeClient({ endpoint: await eb.listen(), region, credentials, maxAttempts: 1 });
    s3 = new LocalS3({ timeline, events: eb });
    s3Client = new S3Client({ endpoint: await s3.listen(), region, credentials, forcePathStyle: true, maxAttempts: 1 });

    await s3Client.send(new CreateBucketCommand({ Bucket: 'tenant-templates' }));
    await s3Client.send(new PutBucketVersioningCommand({ Bucket: 'tenant-templates', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3Client.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'tenant-templates',
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
    await events.send(
      new PutRuleCommand({
        Name: 'template-released',
        EventPattern: JSON.stringify({
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: ['tenant-templates'] }, object: { key: ['tenant-template/tenant.template.json'] } },
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'template-released',
        Targets: [
          {
            Id: 'update-tenants',
            Arn: stateMachineArn,
            RoleArn: 'arn:aws:iam::123456789012:role/events',
            RetryPolicy: { MaximumRetryAttempts: 10 },
          },
        ],
      }),
    );
  });

  afterEach(async () => {
    for (const c of [sfn, s3Client, events]) c.destroy();
    await s3.close();
    await eb.close();
    await sfnServer.close();
  });

  it('each template version starts one execution whose input is the Object Created event naming that version', async () => {
    const put = await s3Client.send(
      new PutObjectCommand({ Bucket: 'tenant-templates', Key: 'tenant-template/tenant.template.json', Body: '{"Resources":{}}' }),
    );
    await s3Client.send(new PutObjectCommand({ Bucket: 'tenant-templates', Key: 'other/readme.txt', Body: 'not a template' }));
    await eb.settled();

    const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions!;
    expect(executions).toHaveLength(1);
    const input = JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: executions[0].executionArn }))).input!);
    const matched = eb.acceptedEvents.filter((a) => a.matchedRules.includes('template-released'));
    expect(matched).toHaveLength(1);
    expect(input).toEqual(matched[0].event);
    expect(input).toMatchObject({
      version: '0',
      source: 'aws.s3',
      'detail-type': 'Object Created',
      account: '123456789012',
      region,
      time: '2026-12-01T10:00:00Z',
      resources: ['arn:aws:s3:::tenant-templates'],
      detail: {
        bucket: { name: 'tenant-templates' },
        object: { key: 'tenant-template/tenant.template.json', 'version-id': put.VersionId },
        reason: 'PutObject',
      },
    });
    expect(eb.acceptedEvents.map((a) => a.via)).toEqual(['service', 'service']);
  });

  it('a throttled StartExecution is retried on the timeline until it gets through', async () => {
    eb.injectTargetFailure({ targetArn: stateMachineArn, code: 'ThrottlingException', message: 'Rate exceeded', times: 3 });
    const start = timeline.now();
    await s3Client.send(new PutObjectCommand({ Bucket: 'tenant-templates', Key: 'tenant-template/tenant.template.json', Body: '{}' }));
    await eb.settled();
    expect(eb.deliveries.map((d) => d.outcome)).toEqual(['attempt-failed', 'attempt-failed', 'attempt-failed', 'delivered']);
    expect(timeline.now()).toBeGreaterThan(start);
    const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions!;
    expect(executions.map((e) => e.executionArn)).toEqual([eb.deliveries[3].result]);
  });
});
