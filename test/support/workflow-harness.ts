/**
 * Drives the workflows through the Step Functions API with an unmodified @aws-sdk/client-sfn
 * client: deploys them under their mock-config names, starts `<arn>#<TestCase>` executions and
 * reads back what happened (status, output, the path of states, what each Task sent to AWS).
 * Every history is also written to HISTORY_DIR for the coverage gate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  UpdateStateMachineCommand,
  type ExecutionListItem,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { fullHistory, runToCompletion } from '../../scripts/sfn-executions';
import { loadWorkflow, localSubstitutions, LOCAL_ACCOUNT } from '../../statemachines/local-substitutions';
import { type WorkflowFileName } from '../../statemachines/workflows';

export const HISTORY_DIR = join(__dirname, '..', '..', 'reports', 'workflow-histories');
/** Which endpoint the last jest run used, and why its workflow suites were skipped, if they were. */
export const SUITE_MODE_FILE = join(__dirname, '..', '..', 'reports', 'workflow-suite-mode.json');
const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/tenant-workflows`;

/** `describe` when an endpoint is available, `describe.skip` (reported as skipped) otherwise. */
export function describeWorkflow(name: string, body: () => void): void {
  const skipReason = process.env.SFN_SUITE_SKIP_REASON;
  if (skipReason) {
    describe.skip(`${name} (skipped: ${skipReason})`, body);
  } else {
    describe(name, body);
  }
}

export function sfnClient(): SFNClient {
  const endpoint = process.env.SFN_SUITE_ENDPOINT;
  if (!endpoint) throw new Error('No Step Functions endpoint: run the suites through jest (globalSetup picks one)');
  return new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Creates the workflow under its file name (the name the mock config keys it by); updates it if present. */
export async function deployWorkflow(client: SFNClient, name: WorkflowFileName): Promise<string> {
  const definition = JSON.stringify(loadWorkflow(name, localSubstitutions()));
  try {
    const created = await client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE_ARN, type: 'STANDARD' }));
    return created.stateMachineArn!;
  } catch (error) {
    if ((error as Error).name !== 'StateMachineAlreadyExists') throw error;
    const arn = `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:${name}`;
    await client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn: ROLE_ARN }));
    return arn;
  }
}

export interface TaskCall {
  state: string;
  /** e.g. aws-sdk:cloudformation */
  resourceType: string;
  /** e.g. createStack */
  resource: string;
  parameters: Record<string, unknown>;
}

export interface CaseRun {
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /**
   * Names of the states entered, in history order; a Distributed Map's child executions are spliced
   * in where their Map Run started, one child after the other in item order (as inline Map iterations appear).
   */
  entered: string[];
  /** What each Task sent (TaskScheduled), in order, attributed to its state. */
  scheduled: TaskCall[];
  events: HistoryEvent[];
  /** The Distributed Map child executions, depth first in the order their Map Runs started. */
  children: ChildRun[];
}

export interface ChildRun {
  executionArn: string;
  status: string;
  events: HistoryEvent[];
  scheduled: TaskCall[];
}

let runCounter = 0;

/** Runs one mock-config test case to its end and records its history for the coverage gate. */
export async function runCase(
  client: SFNClient,
  stateMachineArn: string,
  workflow: WorkflowFileName,
  testCase: string,
  input: unknown,
): Promise<CaseRun> {
  const name = `${testCase}-${process.pid}-${++runCounter}-${Date.now()}`.slice(0, 80);
  const { description, events } = await runToCompletion(
    client,
    { stateMachineArn: `${stateMachineArn}#${testCase}`, name, input },
    { pollMs: 50 },
  );
  recordHistory(workflow, testCase, events);
  const children: ChildRun[] = [];
  const entered = await withChildren(client, events, children);
  // A child's history covers the ItemProcessor's states, so the gate reads it with the parent's definition.
  children.forEach((child, i) => recordHistory(workflow, `${testCase}.child${i}`, child.events));
  return {
    status: description.status!,
    output: description.output === undefined ? undefined : JSON.parse(description.output),
    error: description.error,
    cause: description.cause,
    entered,
    scheduled: taskCalls(events),
    events,
    children,
  };
}

/** The states entered, each MapRunStarted replaced by its children's states (recursively); collects the children. */
async function withChildren(client: SFNClient, events: readonly HistoryEvent[], children: ChildRun[]): Promise<string[]> {
  const entered: string[] = [];
  for (const e of events) {
    if (e.stateEnteredEventDetails?.name) entered.push(e.stateEnteredEventDetails.name);
    const mapRunArn = e.mapRunStartedEventDetails?.mapRunArn;
    if (!mapRunArn) continue;
    for (const item of await mapRunExecutions(client, mapRunArn)) {
      const childEvents = await fullHistory(client, item.executionArn!);
      children.push({ executionArn: item.executionArn!, status: item.status!, events: childEvents, scheduled: taskCalls(childEvents) });
      entered.push(...(await withChildren(client, childEvents, children)));
    }
  }
  return entered;
}

/** ListExecutions by mapRunArn lists the newest first; children that started together keep item order. */
async function mapRunExecutions(client: SFNClient, mapRunArn: string): Promise<ExecutionListItem[]> {
  const items: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListExecutionsCommand({ mapRunArn, nextToken }));
    items.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
}

function taskCalls(events: HistoryEvent[]): TaskCall[] {
  const stateOf = new Map<number, string>();
  const calls: TaskCall[] = [];
  for (const e of events) {
    const name = e.stateEnteredEventDetails?.name ?? stateOf.get(e.previousEventId ?? -1);
    if (name !== undefined) stateOf.set(e.id!, name);
    const scheduled = e.taskScheduledEventDetails;
    if (scheduled) {
      calls.push({
        state: name ?? '?',
        resourceType: scheduled.resourceType ?? '',
        resource: scheduled.resource ?? '',
        parameters: JSON.parse(scheduled.parameters ?? '{}'),
      });
    }
  }
  return calls;
}

function recordHistory(workflow: string, testCase: string, events: HistoryEvent[]): void {
  const dir = join(HISTORY_DIR, workflow);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${testCase}.${process.pid}.${runCounter}.json`), JSON.stringify(events));
}
