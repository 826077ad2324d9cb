/** Task: builds the request, asks the resolution chain, shapes the result. https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html */
import { StatesError, States } from '../../errors';
import { evaluateTemplate, selectPath } from '../../asl/jsonpath';
import { evaluateJsonataValue } from '../../asl/jsonata';
import type { TaskState } from '../../asl/model';
import type { StateImplementation } from './types';
import { randomUUID } from 'crypto';

export const runTask: StateImplementation<TaskState> = async (run, state, services) => {
  if (state.description.pattern === 'waitForTaskToken' && run.taskToken === undefined) {
    run.taskToken = randomUUID();
  }
  if (state.queryLanguage === 'JSONata') {
    const env = run.jsonataEnv();
    const parameters = state.arguments !== undefined ? await evaluateJsonataValue(state.arguments, env, 'Arguments') : run.rawInput;
    const timeout = await jsonataSeconds(state.timeoutSeconds, 'TimeoutSeconds', env);
    const heartbeat = await jsonataSeconds(state.heartbeatSeconds, 'HeartbeatSeconds', env);
    return run.finishResult(await services.invokeTask(run, state, parameters, timeout, heartbeat), state);
  }
  const effective = run.effectiveInput();
  const env = run.pathEnv(effective);
  const parameters = state.parameters ? evaluateTemplate(state.parameters, env) : effective;
  const timeout =
    state.timeoutSecondsPath !== undefined
      ? positiveSeconds(selectPath(effective, state.timeoutSecondsPath, env), 'TimeoutSecondsPath', state.timeoutSecondsPath)
      : (state.timeoutSeconds as number | undefined);
  const heartbeat =
    state.heartbeatSecondsPath !== undefined
      ? positiveSeconds(selectPath(effective, state.heartbeatSecondsPath, env), 'HeartbeatSecondsPath', state.heartbeatSecondsPath)
      : (state.heartbeatSeconds as number | undefined);
  return run.finishResult(await services.invokeTask(run, state, parameters, timeout, heartbeat), state);
};

function positiveSeconds(v: unknown, field: string, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new StatesError(
      States.Runtime,
      `The ${field} field refers to value ${JSON.stringify(v)} which is not a valid positive integer: ${path}`,
    );
  }
  return v;
}

async function jsonataSeconds(
  v: number | string | undefined,
  field: string,
  env: Parameters<typeof evaluateJsonataValue>[1],
): Promise<number | undefined> {
  if (v === undefined || typeof v === 'number') return v;
  const n = await evaluateJsonataValue(v, env, field);
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new StatesError(
      States.QueryEvaluationError,
      `The JSONata expression '${v}' specified for the field '${field}' returned an unexpected result: ${JSON.stringify(n)}. Expected a positive integer.`,
    );
  }
  return n;
}
