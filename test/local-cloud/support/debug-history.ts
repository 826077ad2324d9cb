import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
export async function dumpHistory(sfn: any, arn: string, limit = 80): Promise<string> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken: token, maxResults: 1000 }));
    for (const e of page.events ?? []) {
      const d = e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? '';
      const f = e.executionFailedEventDetails ?? e.taskFailedEventDetails ?? e.evaluationFailedEventDetails ?? e.mapRunFailedEventDetails ?? e.executionTimedOutEventDetails;
      out.push(`${e.id} ${e.type} ${d} ${f ? JSON.stringify(f).slice(0, 400) : ''}`);
    }
    token = page.nextToken;
  } while (token);
  return out.slice(0, limit).join('\n') + (out.length > limit ? `\n... ${out.length} events` : '');
}
import { ListExecutionsCommand, ListMapRunsCommand } from '@aws-sdk/client-sfn';
export async function dumpFailedChildren(sfn: any, arn: string, depth = 2): Promise<string> {
  const out: string[] = [];
  const runs = await sfn.send(new ListMapRunsCommand({ executionArn: arn }));
  for (const run of runs.mapRuns ?? []) {
    const children = await sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn }));
    for (const child of children.executions ?? []) {
      if (child.status === 'SUCCEEDED') continue;
      out.push(`--- child ${child.executionArn} ${child.status}`);
      out.push(await dumpHistory(sfn, child.executionArn, 60));
      if (depth > 1) out.push(await dumpFailedChildren(sfn, child.executionArn, depth - 1));
    }
  }
  return out.join('\n');
}
