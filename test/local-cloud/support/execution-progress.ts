/** Watching executions mid-run in local-cloud tests: which states one has entered, and waiting until a condition holds. */
import { GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** The names of the states an execution has entered so far, in order. */
export async function enteredStates(sfn: SFNClient, executionArn: string): Promise<string[]> {
  const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (page.events ?? []).filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!);
}

/** Polls `condition` every 5 ms of wall time until it holds; throws after `timeoutMs`. */
export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
