/**
 * One local tenant cloud per integration test file: the synthesized CDK app deployed onto the local
 * services on a VirtualTimeline, a capture rule on the tenant-lifecycle bus recording every event the
 * workflows announce, and helpers that read END STATE from the services through the SDK.
 */
import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { VirtualTimeline } from '../../../emulator/runtime/timeline';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../../local/cloud';
import type { EventEnvelope } from '../../../local/eventbridge';
import type { FaultRule } from '../../../local/http';
import {
  describeExecutions,
  listAllExecutions,
  output,
  sendTenantEvent,
  tenantStackName,
  waitForExecutions,
  type ExecutionDetail,
  type ExecutionRow,
  type WorkflowKey,
} from '../../../local/cli/operations';

export interface TestCloud extends LocalCloud {
  /** Every event put on the tenant-lifecycle bus with source saas.tenants (the workflows' announcements and the producers' events). */
  readonly captured: EventEnvelope[];
  announced(detailType: string, tenantId: string): EventEnvelope[];
  send(kind: 'created' | 'deleted', detail: Record<string, unknown>): Promise<string>;
  /** Sends the events and waits until the executions they start (one per event) and everything after them ended. */
  run(
    events: { kind: 'created' | 'deleted'; detail: Record<string, unknown> }[],
    options?: { afterSend?: () => void },
  ): Promise<ExecutionDetail[]>;
  /** Waits until `count` new executions of `workflow` (counted from `since`) exist and nothing runs. */
  settle(workflow: WorkflowKey, count: number, since: readonly ExecutionRow[]): Promise<ExecutionDetail[]>;
  executions(): Promise<ExecutionRow[]>;
  record(tenantId: string): Promise<Record<string, AttributeValue> | undefined>;
  /** The tenant stack by name (a live stack) or by id (also a deleted one). */
  stack(nameOrId: string): Promise<Stack | undefined>;
  tenantStack(tenantId: string): Promise<Stack | undefined>;
  tableExists(tableName: string): Promise<boolean>;
  injectDynamoFault(rule: FaultRule): void;
  clearDynamoFaults(): void;
}

const CAPTURE_ARN = 'arn:aws:sqs:us-east-1:123456789012:integration-test-capture';

export async function startTestCloud(options: Omit<LocalCloudOptions, 'timeline' | 'realTime'> = {}): Promise<TestCloud> {
  const cloud = await startLocalCloud({ ...options, timeline: new VirtualTimeline() });
  // The deployment's own template upload is the first release: let its rollout (over an empty fleet)
  // end before a test starts, so tests see a recorded LATEST and no rollout of their own making.
  await cloud.idle();
  await cloud.services.eventbridge.settled();
  await cloud.idle();
  const captured: EventEnvelope[] = [];
  const bus = output(cloud.info, 'EventBusName');
  // A rule of our own on the bus, as an operator would add one, delivered to an in-process target.
  cloud.services.eventbridge.addTargetHandler(CAPTURE_ARN, (invocation) => {
    captured.push(invocation.event);
  });
  await cloud.clients.eventbridge.send(
    new PutRuleCommand({ Name: 'integration-test-capture', EventBusName: bus, EventPattern: JSON.stringify({ source: ['saas.tenants'] }) }),
  );
  await cloud.clients.eventbridge.send(
    new PutTargetsCommand({ Rule: 'integration-test-capture', EventBusName: bus, Targets: [{ Id: 'capture', Arn: CAPTURE_ARN }] }),
  );

  const executions = () => listAllExecutions(cloud.clients, cloud.info);
  const settle = async (workflow: WorkflowKey, count: number, since: readonly ExecutionRow[]) => {
    const known = new Set(since.map((e) => e.executionArn));
    const rows = await waitForExecutions(
      cloud.clients,
      cloud.info,
      (all) => all.filter((e) => e.workflow === workflow && !known.has(e.executionArn)).length >= count,
      { timeoutMs: 30_000, pollMs: 10 },
    );
    await cloud.idle();
    await cloud.services.eventbridge.settled();
    return describeExecutions(
      cloud.clients,
      rows.filter((e) => !known.has(e.executionArn)),
    );
  };
  const table = output(cloud.info, 'TenantTableName');
  const describe = async (name: string) => {
    try {
      return (await cloud.clients.cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    } catch (error) {
      if (/does not exist/.test((error as Error).message)) return undefined;
      throw error;
    }
  };
  return Object.assign(cloud, {
    captured,
    announced: (detailType: string, tenantId: string) =>
      captured.filter((e) => e['detail-type'] === detailType && (e.detail as { tenantId?: unknown }).tenantId === tenantId),
    send: (kind: 'created' | 'deleted', detail: Record<string, unknown>) => sendTenantEvent(cloud.clients, cloud.info, kind, detail),
    async run(events: { kind: 'created' | 'deleted'; detail: Record<string, unknown> }[], runOptions: { afterSend?: () => void } = {}) {
      const before = await executions();
      // Simulated time stands still while the events are sent (and faults set up after them).
      const release = cloud.timeline.hold();
      try {
        for (const e of events) await sendTenantEvent(cloud.clients, cloud.info, e.kind, e.detail);
        runOptions.afterSend?.();
      } finally {
        release();
      }
      const creates = events.filter((e) => e.kind === 'created').length;
      const deletes = events.length - creates;
      const known = new Set(before.map((e) => e.executionArn));
      await waitForExecutions(
        cloud.clients,
        cloud.info,
        (all) =>
          all.filter((e) => e.workflow === 'create-tenant' && !known.has(e.executionArn)).length >= creates &&
          all.filter((e) => e.workflow === 'delete-tenant' && !known.has(e.executionArn)).length >= deletes,
        { timeoutMs: 30_000, pollMs: 10 },
      );
      await cloud.idle();
      return describeExecutions(
        cloud.clients,
        (await executions()).filter((e) => !known.has(e.executionArn)),
      );
    },
    settle,
    executions,
    async record(tenantId: string) {
      return (
        await cloud.clients.dynamodb.send(
          new GetItemCommand({ TableName: table, Key: { tenantId: { S: tenantId } }, ConsistentRead: true }),
        )
      ).Item;
    },
    stack: describe,
    tenantStack: (tenantId: string) => describe(tenantStackName(tenantId)),
    injectDynamoFault: (rule: FaultRule) => cloud.services.dynamodb.injectFault(rule),
    clearDynamoFaults: () => cloud.services.dynamodb.clearFaults(),
    async tableExists(tableName: string) {
      try {
        await cloud.clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return false;
        throw error;
      }
    },
  });
}
