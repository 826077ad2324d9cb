/** For a failing local-cloud test: the history of an execution and of its failed Map Run children, one line per event. */
import { GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { mapRunDescendants } from './map-runs';

export async function dumpHistory(sfn: SFNClient, arn: string, limit = 80): Promise<string> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken: token, maxResults: 1000 }));
    for (const e of page.events ?? []) {
      const name = e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? '';
      const failure =
        e.executionFailedEventDetails ?? e.taskFailedEventDetails ?? e.evaluationFailedEventDetails ?? e.mapRunFailedEventDetails;
      out.push(`${e.id} ${e.type} ${name} ${failure ? JSON.stringify(failure).slice(0, 400) : ''}`);
    }
    token = page.nextToken;
  } while (token);
  return out.slice(-limit).join('\n') + (out.length > limit ? `\n... ${out.length} events` : '');
}

export async function dumpWithFailedChildren(sfn: SFNClient, arn: string): Promise<string> {
  const out = [await dumpHistory(sfn, arn)];
  for (const child of await mapRunDescendants(sfn, arn)) {
    if (child.status === 'SUCCEEDED') continue;
    out.push(`--- ${child.executionArn} ${child.status}`, await dumpHistory(sfn, child.executionArn!, 60));
  }
  return out.join('\n');
}
