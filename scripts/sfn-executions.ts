/**
 * One execution through the Step Functions API, start to end, with an unmodified SDK client: used by
 * `npm start` and the workflow test harness alike, against any endpoint.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

export interface FinishedExecution {
  description: DescribeExecutionCommandOutput;
  events: HistoryEvent[];
}

/** Starts an execution (`stateMachineArn` may end with `#TestCase`), polls until it ends, reads its whole history. */
export async function runToCompletion(
  client: SFNClient,
  request: { stateMachineArn: string; input: unknown; name?: string },
  options: { pollMs?: number; timeoutMs?: number } = {},
): Promise<FinishedExecution> {
  const { pollMs = 20, timeoutMs = 60_000 } = options;
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name: request.name, input: JSON.stringify(request.input) }),
  );
  const deadline = Date.now() + timeoutMs;
  let description = await client.send(new DescribeExecutionCommand({ executionArn }));
  while (description.status === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`${request.stateMachineArn}: execution still RUNNING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    description = await client.send(new DescribeExecutionCommand({ executionArn }));
  }
  return { description, events: await fullHistory(client, executionArn!) };
}

export async function fullHistory(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Names of the states entered, in history order. */
export function statesEntered(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
}
