/**
 * Wall cost of the calls a fleet rollout is made of, on the local cloud (one virtual time line), so the
 * 100,000-tenant run can be extrapolated before it is run: dynalite GetItem / UpdateItem / a Scan page,
 * CloudFormation DescribeStacks and UpdateStack → UPDATE_COMPLETE (its events included), EventBridge
 * PutEvents → rule → StartExecution → the execution's end, and a short execution started in-process.
 */
import { CloudFormationClient, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { startLocalCloud, type LocalCloud } from '../../local/cloud';
import { recordedTenantStackProviders } from '../../local/cloudformation';
import { createClients, LOCAL_CREDENTIALS } from '../../local/deploy/clients';
import { currentTemplate, output, tenantStackName } from '../../local/cli/operations';
import { fleetBehaviour, fleetTenantId, seedFleet } from './fixture';
import { releaseBody } from './rollout';
import { runInChild } from '../child';
import { peakRssBytes } from '../measure';

export interface CallCost {
  readonly call: string;
  readonly count: number;
  /** Mean wall milliseconds per call. */
  readonly meanMs: number;
}

async function perCall(call: string, count: number, one: (i: number) => Promise<unknown>, parallel = 1): Promise<CallCost> {
  for (let i = 0; i < Math.min(20, count); i++) await one(i); // warm-up
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await one(next++);
    }),
  );
  // CPU time too: on a shared machine wall time also counts other processes' turns.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000 / count;
  return { call: `${call} [${cpuMs.toFixed(3)} ms CPU, all threads]`, count, meanMs: (performance.now() - started) / count };
}

/**
 * Two ways of making the same call, alternated one call at a time so both see the same machine
 * (JIT warmth, other processes): mean wall milliseconds of each.
 */
async function alternating(
  call: string,
  a: [string, (i: number) => Promise<unknown>],
  b: [string, (i: number) => Promise<unknown>],
  count: number,
): Promise<CallCost[]> {
  const totals = [0, 0];
  const ways = [a, b];
  for (let i = 0; i < Math.min(20, count); i++) for (const [, one] of ways) await one(i); // warm-up
  for (let i = 0; i < count; i++) {
    for (let w = 0; w < 2; w++) {
      const started = performance.now();
      await ways[(i + w) % 2][1](i);
      totals[(i + w) % 2] += performance.now() - started;
    }
  }
  return ways.map(([label], w) => ({ call: `${call}, ${label} (alternated with the other)`, count, meanMs: totals[w] / count }));
}

export async function measureCallCosts(options: { log?: (line: string) => void } = {}): Promise<CallCost[]> {
  const log = options.log ?? (() => undefined);
  const timeline = new VirtualTimeline();
  const seeded = 1000;
  const cloud: LocalCloud = await startLocalCloud({
    timeline,
    behaviour: fleetBehaviour({ tenants: seeded, throttling: false, updateMs: { min: 60_000, max: 60_000 } }),
    cloudformation: {
      providers: recordedTenantStackProviders(),
      resourceStatusEvents: false,
      maxEventsPerStack: 50,
      cacheVersionedTemplates: true,
    },
  });
  try {
    const templateBody = await currentTemplate(cloud.clients, cloud.info);
    const seedStarted = performance.now();
    await seedFleet(cloud, { tenants: seeded, templateBody, release: 1, templateVersion: '1.0.0' });
    const seedMs = performance.now() - seedStarted;
    log(`    seeded ${seeded} tenants (stacks + records) in ${Math.round(seedMs)} ms: ${(seedMs / seeded).toFixed(2)} ms per tenant`);
    const costs: CallCost[] = [{ call: 'seed one tenant (stack + record)', count: seeded, meanMs: seedMs / seeded }];
    const { dynamodb, cloudformation, eventbridge } = cloud.clients;
    const table = output(cloud.info, 'TenantTableName');
    const key = (i: number) => ({ tenantId: { S: fleetTenantId(i % seeded) } });
    costs.push(
      await perCall(
        'DynamoDB GetItem (16 in flight)',
        2000,
        (i) => dynamodb.send(new GetItemCommand({ TableName: table, Key: key(i), ConsistentRead: true })),
        16,
      ),
    );
    costs.push(
      await perCall(
        'DynamoDB UpdateItem, conditional (16 in flight)',
        2000,
        (i) =>
          dynamodb.send(
            new UpdateItemCommand({
              TableName: table,
              Key: key(i),
              UpdateExpression: 'SET updatedAt = :now',
              ConditionExpression: 'attribute_exists(tenantId)',
              ExpressionAttributeValues: { ':now': { S: String(i) } },
            }),
          ),
        16,
      ),
    );
    costs.push(
      await perCall(
        'DynamoDB Scan page of 50 (16 in flight)',
        200,
        () => dynamodb.send(new ScanCommand({ TableName: table, Limit: 50 })),
        16,
      ),
    );
    costs.push(
      await perCall(
        'CloudFormation DescribeStacks (16 in flight)',
        2000,
        (i) => cloudformation.send(new DescribeStacksCommand({ StackName: tenantStackName(fleetTenantId(i % seeded)) })),
        16,
      ),
    );
    // The same two calls in process but signed by the SDK's own SigV4 (the cloud's in-process clients
    // sign without hashing: local/in-process-signer.ts), then over loopback sockets.
    const sdkSigned = new DynamoDBClient({
      endpoint: cloud.endpoints.dynamodb,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
      requestHandler: dynamodb.config.requestHandler,
    });
    const sdkSignedCfn = new CloudFormationClient({
      endpoint: cloud.endpoints.cloudformation,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
      requestHandler: cloudformation.config.requestHandler,
    });
    try {
      costs.push(
        ...(await alternating(
          'DynamoDB GetItem in process, one at a time',
          ['hash-free signer', (i) => dynamodb.send(new GetItemCommand({ TableName: table, Key: key(i), ConsistentRead: true }))],
          ['the SDK’s SigV4', (i) => sdkSigned.send(new GetItemCommand({ TableName: table, Key: key(i), ConsistentRead: true }))],
          2000,
        )),
      );
      costs.push(
        ...(await alternating(
          'CloudFormation DescribeStacks in process, one at a time',
          [
            'hash-free signer',
            (i) => cloudformation.send(new DescribeStacksCommand({ StackName: tenantStackName(fleetTenantId(i % seeded)) })),
          ],
          [
            'the SDK’s SigV4',
            (i) => sdkSignedCfn.send(new DescribeStacksCommand({ StackName: tenantStackName(fleetTenantId(i % seeded)) })),
          ],
          2000,
        )),
      );
    } finally {
      sdkSigned.destroy();
      sdkSignedCfn.destroy();
    }
    const overHttp = createClients({ endpoints: cloud.endpoints, region: cloud.region, credentials: LOCAL_CREDENTIALS });
    try {
      costs.push(
        await perCall(
          'DynamoDB GetItem over loopback HTTP instead (16 in flight)',
          2000,
          (i) => overHttp.dynamodb.send(new GetItemCommand({ TableName: table, Key: key(i), ConsistentRead: true })),
          16,
        ),
      );
      costs.push(
        await perCall(
          'CloudFormation DescribeStacks over loopback HTTP instead (16 in flight)',
          2000,
          (i) => overHttp.cloudformation.send(new DescribeStacksCommand({ StackName: tenantStackName(fleetTenantId(i % seeded)) })),
          16,
        ),
      );
    } finally {
      overHttp.destroy();
    }

    // The release's template under a key of its own (the template object's key would start a rollout).
    const bucket = output(cloud.info, 'TemplateBucketName');
    const put = await timeline.track(
      cloud.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'fleet-bench/release.json', Body: releaseBody(templateBody, 2) })),
    );
    await cloud.idle();
    costs.push(
      await perCall(
        'S3 GetObject of the template version (what an UpdateStack with TemplateURL costs without the version cache)',
        1000,
        () =>
          cloud.clients.s3
            .send(new GetObjectCommand({ Bucket: bucket, Key: 'fleet-bench/release.json', VersionId: put.VersionId }))
            .then((o) => o.Body!.transformToString()),
        16,
      ),
    );
    const templateUrl = `${cloud.endpoints.s3}/${bucket}/fleet-bench/release.json?versionId=${put.VersionId}`;

    // UpdateStack → UPDATE_COMPLETE: 500 updates in flight together, 60 simulated seconds each.
    const updates = 500;
    let completed = 0;
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    const ruleTarget = 'arn:aws:lambda:us-east-1:123456789012:function:fleet-bench-stack-events';
    cloud.services.eventbridge.addTargetHandler(ruleTarget, (invocation) => {
      const detail = invocation.event.detail as { 'status-details': { status: string } };
      if (detail['status-details'].status === 'UPDATE_COMPLETE' && ++completed === updates) allDone();
    });
    await eventbridge.send(
      new PutRuleCommand({
        Name: 'fleet-bench-stack-events',
        EventPattern: JSON.stringify({ source: ['aws.cloudformation'], 'detail-type': ['CloudFormation Stack Status Change'] }),
      }),
    );
    await eventbridge.send(new PutTargetsCommand({ Rule: 'fleet-bench-stack-events', Targets: [{ Id: 'in-process', Arn: ruleTarget }] }));
    const updateStarted = performance.now();
    const simulatedStart = timeline.now();
    await Promise.all(
      Array.from({ length: updates }, (_, i) =>
        // Tracked: virtual time must not pass while the calls are queued in the client.
        timeline.track(
          cloudformation.send(
            new UpdateStackCommand({
              StackName: tenantStackName(fleetTenantId(i)),
              TemplateURL: templateUrl,
              Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
              Capabilities: ['CAPABILITY_NAMED_IAM'],
              ClientRequestToken: `update-${fleetTenantId(i)}-2`,
            }),
          ),
        ),
      ),
    );
    await done;
    const updateMs = performance.now() - updateStarted;
    costs.push({
      call: 'CloudFormation UpdateStack (pinned TemplateURL, version cache on) → UPDATE_COMPLETE event (500 in flight)',
      count: updates,
      meanMs: updateMs / updates,
    });
    log(`    ${updates} stack updates: ${((timeline.now() - simulatedStart) / 1000).toFixed(0)} s simulated in ${Math.round(updateMs)} ms`);

    // PutEvents → rule → StartExecution → SUCCEEDED, and the same short execution started in-process.
    const { stateMachineArn } = cloud.engine.createStateMachine({
      name: 'fleet-bench-short',
      definition: JSON.stringify({
        StartAt: 'A',
        States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Result: { ok: true }, End: true } },
      }),
    });
    await eventbridge.send(new PutRuleCommand({ Name: 'fleet-bench-start', EventPattern: JSON.stringify({ source: ['fleet.bench'] }) }));
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: 'fleet-bench-start',
        Targets: [{ Id: 'sfn', Arn: stateMachineArn, RoleArn: 'arn:aws:iam::123456789012:role/fleet-bench' }],
      }),
    );
    const events = 2000;
    const closedBefore = cloud.engine.closedExecutionStatistics.executions;
    const eventsStarted = performance.now();
    for (let i = 0; i < events; i += 10) {
      await eventbridge.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 10 }, (_, j) => ({
            Source: 'fleet.bench',
            DetailType: 'tick',
            Detail: JSON.stringify({ n: i + j }),
          })),
        }),
      );
    }
    while (cloud.engine.closedExecutionStatistics.executions < closedBefore + events) await new Promise((r) => setTimeout(r, 5));
    costs.push({
      call: 'EventBridge PutEvents (10 entries) → rule → StartExecution → 2-state execution closed, per event',
      count: events,
      meanMs: (performance.now() - eventsStarted) / events,
    });
    costs.push(
      await perCall('engine: 2-state execution started in-process to its end', 5000, async (i) => {
        const { executionArn } = cloud.engine.startExecution({ stateMachineArn, name: `short-${i}-${Math.random()}` });
        await cloud.engine.waitForExecution(executionArn);
      }),
    );
    return costs;
  } finally {
    await cloud.close();
  }
}

export interface ServiceScaleReport {
  readonly tenants: number;
  readonly window: number;
  readonly simulatedSeconds: number;
  readonly boundSeconds: number;
  readonly throttledCalls: number;
  readonly seedWallMs: number;
  readonly wallMs: number;
  readonly peakRssBytes: number;
}

/**
 * The services' side of a rollout at full size, with the bench as an ideal rollout: N tenants seeded,
 * then an UpdateStack per tenant (pinned TemplateURL, 30-120 s) with at most `window` in flight, each
 * waited for by its Stack Status Change event (a rule to an in-process target, as the relay gets it),
 * plus the tenant record writes a rollout makes (claim, observed, counters: 3 UpdateItems). Throttled
 * UpdateStacks back off (exponential, full jitter, capped at 30 s). Shows whether the local cloud scales to 100,000
 * stacks (wall, RSS) and that an ideal driver meets the concurrency bound.
 */
export async function measureServiceScale(tenants: number, log: (line: string) => void = () => undefined): Promise<ServiceScaleReport> {
  const started = performance.now();
  const timeline = new VirtualTimeline();
  const cloud = await startLocalCloud({
    timeline,
    behaviour: fleetBehaviour({ tenants }),
    cloudformation: {
      providers: recordedTenantStackProviders(),
      resourceStatusEvents: false,
      maxEventsPerStack: 20,
      cacheVersionedTemplates: true,
    },
    engine: { retention: { maxClosedExecutions: 2_000 } },
  });
  try {
    cloud.services.eventbridge.setRecordLimit(1_000);
    await cloud.idle();
    const templateBody = await currentTemplate(cloud.clients, cloud.info);
    const seedStarted = performance.now();
    await seedFleet(cloud, { tenants, templateBody, release: 1, templateVersion: '1.0.0' });
    const seedWallMs = performance.now() - seedStarted;
    log(`    seeded ${tenants.toLocaleString('en-US')} tenants in ${(seedWallMs / 1000).toFixed(1)} s`);
    const bucket = output(cloud.info, 'TemplateBucketName');
    const put = await timeline.track(
      cloud.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'fleet-bench/release.json', Body: releaseBody(templateBody, 2) })),
    );
    await cloud.idle();
    const templateUrl = `${cloud.endpoints.s3}/${bucket}/fleet-bench/release.json?versionId=${put.VersionId}`;
    const limits = cloud.services.cloudformation.behaviour.getLimits();
    const window = Math.min(tenants, Math.floor(limits.concurrentResources / 3));
    const waiting = new Map<string, () => void>();
    const target = 'arn:aws:lambda:us-east-1:123456789012:function:fleet-bench-scale';
    cloud.services.eventbridge.addTargetHandler(target, (invocation) => {
      const detail = invocation.event.detail as { 'stack-id': string; 'status-details': { status: string } };
      const status = detail['status-details'].status;
      if (status === 'UPDATE_COMPLETE' || status === 'UPDATE_ROLLBACK_COMPLETE' || status === 'UPDATE_ROLLBACK_FAILED') {
        waiting.get(detail['stack-id'])?.();
      }
    });
    await timeline.track(
      cloud.clients.eventbridge.send(
        new PutRuleCommand({
          Name: 'fleet-bench-scale',
          EventPattern: JSON.stringify({ source: ['aws.cloudformation'], 'detail-type': ['CloudFormation Stack Status Change'] }),
        }),
      ),
    );
    await timeline.track(
      cloud.clients.eventbridge.send(new PutTargetsCommand({ Rule: 'fleet-bench-scale', Targets: [{ Id: 'in-process', Arn: target }] })),
    );
    const table = output(cloud.info, 'TenantTableName');
    const write = (tenantId: string, field: string) =>
      timeline.track(
        cloud.clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { tenantId: { S: tenantId } },
            UpdateExpression: `SET ${field} = :v`,
            ConditionExpression: 'attribute_exists(tenantId)',
            ExpressionAttributeValues: { ':v': { N: '2' } },
          }),
        ),
      );
    // Our own client without SDK retries: the SDK would retry a throttled call after wall-clock sleeps.
    const cfnClient = new CloudFormationClient({
      endpoint: cloud.endpoints.cloudformation,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    let throttledCalls = 0;
    const t0 = timeline.now();
    let next = 0;
    let lastReport = Date.now();
    const updateOne = async (i: number): Promise<void> => {
      const tenantId = fleetTenantId(i);
      await write(tenantId, 'targetSeq');
      for (let attempt = 1; ;) {
        try {
          const { StackId } = await timeline.track(
            cfnClient.send(
              new UpdateStackCommand({
                StackName: tenantStackName(tenantId),
                TemplateURL: templateUrl,
                Parameters: [{ ParameterKey: 'TenantId', UsePreviousValue: true }],
                Capabilities: ['CAPABILITY_NAMED_IAM'],
                ClientRequestToken: `update-${tenantId}-2`,
              }),
            ),
          );
          await new Promise<void>((resolve) => waiting.set(StackId!, resolve));
          waiting.delete(StackId!);
          break;
        } catch (error) {
          if ((error as { name?: string }).name !== 'Throttling') throw error;
          throttledCalls++;
          // Exponential back-off with full jitter, capped at 30 s, as AWS advises for throttling.
          await timeline.sleep(1_000 * Math.random() * Math.min(30, 2 ** Math.min(attempt++, 5)));
        }
      }
      await write(tenantId, 'releaseSeq');
      await write(tenantId, 'counted');
    };
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < tenants) {
          await updateOne(next++);
          if (Date.now() - lastReport > 15_000) {
            lastReport = Date.now();
            log(`    … ${next.toLocaleString('en-US')} tenants started, ${((timeline.now() - t0) / 1000).toFixed(0)} s simulated`);
          }
        }
      }),
    );
    cfnClient.destroy();
    return {
      tenants,
      window,
      simulatedSeconds: (timeline.now() - t0) / 1000,
      boundSeconds: (tenants * 75) / window,
      throttledCalls,
      seedWallMs,
      wallMs: performance.now() - started,
      peakRssBytes: peakRssBytes(),
    };
  } finally {
    await cloud.close();
  }
}

/** Runs measureServiceScale in a child process of its own (its peak RSS is that run's alone). */
export function measureServiceScaleInChild(tenants: number, log: (line: string) => void): Promise<ServiceScaleReport> {
  return runInChild<ServiceScaleReport>(__filename, { tenants }, 40 * 60_000, { nodeArgs: ['--max-old-space-size=1900'], onProgress: log });
}

if (require.main === module) {
  process.once('message', (message) => {
    measureServiceScale((message as { tenants: number }).tenants, (line) => process.send!({ progress: line })).then(
      (report) => process.send!({ ok: true, report }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
