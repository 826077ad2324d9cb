/**
 * The child executions of an execution's Distributed Map runs, at every depth (ListMapRuns, then
 * ListExecutions by mapRunArn): where a rollout's segment scans and per-tenant starts run.
 */
import { ListExecutionsCommand, ListMapRunsCommand, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';

export async function mapRunDescendants(sfn: SFNClient, executionArn: string): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let token: string | undefined;
  do {
    const runs = await sfn.send(new ListMapRunsCommand({ executionArn, nextToken: token }));
    for (const run of runs.mapRuns ?? []) {
      let childToken: string | undefined;
      do {
        const children = await sfn.send(new ListExecutionsCommand({ mapRunArn: run.mapRunArn, nextToken: childToken }));
        for (const child of children.executions ?? []) {
          found.push(child, ...(await mapRunDescendants(sfn, child.executionArn!)));
        }
        childToken = children.nextToken;
      } while (childToken);
    }
    token = runs.nextToken;
  } while (token);
  return found;
}
