/**
 * `arn:aws:states:::states:startExecution` (request-response, `.sync`, `.sync:2`, `.waitForTaskToken`):
 * the child execution runs on the same engine, on the same time line, without HTTP.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
 * - request-response and `.waitForTaskToken`: `{ExecutionArn, StartDate}` (+ the Java SDK's metadata);
 * - `.sync`: the child's DescribeExecution, Input/Output as JSON text; `.sync:2`: Input/Output parsed;
 * - a child that fails, times out or is aborted fails the task with `States.TaskFailed`, the
 *   DescribeExecution answer as Cause; stopping the parent stops a `.sync` child.
 */
import { randomUUID } from 'crypto';
import { StatesError, States } from '../../errors';
import { withResponseMetadata } from './response-metadata';
import { isObject, returned, type ExecutionSummary, type Integration } from './integration';

const NAMES = { prefix: 'StepFunctions', service: 'AWSStepFunctions' };

export const stepFunctionsIntegration: Integration = async (call, { executions }) => {
  if (call.action !== 'startExecution') {
    throw new StatesError(States.Runtime, `The states integration supports startExecution only (Resource ${call.request.resource}).`);
  }
  const p = isObject(call.parameters) ? call.parameters : {};
  if (typeof p.StateMachineArn !== 'string') {
    return {
      kind: 'throw',
      error: 'StepFunctions.InvalidArnException',
      cause: v1Cause('Invalid Arn: StateMachineArn is required', 'InvalidArn'),
    };
  }
  const input = p.Input === undefined || p.Input === null ? '{}' : typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input);
  let started: { executionArn: string; startDate: Date };
  try {
    started = executions.startExecution({
      stateMachineArn: p.StateMachineArn,
      name: typeof p.Name === 'string' ? p.Name : undefined,
      input,
    });
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'StepFunctionsException';
    const name = code.endsWith('Exception') ? code : `${code}Exception`;
    return { kind: 'throw', error: `${NAMES.prefix}.${name}`, cause: v1Cause((e as Error).message, code) };
  }
  // Java 1.x serializes Date as epoch milliseconds.
  const submitted = withResponseMetadata(
    { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() },
    undefined,
    undefined,
  );
  if (call.pattern !== 'sync' && call.pattern !== 'sync:2') return returned(submitted);
  call.request.onSubmitted?.(submitted);
  const stop = call.request.stopSignal;
  const onStop = (): void => void executions.stopExecution(started.executionArn);
  stop?.addEventListener('abort', onStop, { once: true });
  let done: ExecutionSummary;
  try {
    done = await executions.waitForExecution(started.executionArn);
  } finally {
    stop?.removeEventListener('abort', onStop);
  }
  const described = describeOutput(done, call.pattern === 'sync:2');
  if (done.status === 'SUCCEEDED') return returned(described);
  return { kind: 'throw', error: States.TaskFailed, cause: JSON.stringify(described) };
};

function v1Cause(message: string, code: string): string {
  return `${message} (Service: ${NAMES.service}; Status Code: 400; Error Code: ${code}; Request ID: ${requestId()}; Proxy: null)`;
}

function requestId(): string {
  return randomUUID();
}

/** DescribeExecution as `.sync` answers it (recorded on AWS: fields in alphabetical order). */
function describeOutput(d: ExecutionSummary, parsed: boolean): Record<string, unknown> {
  const json = (text: string | undefined): unknown => (text === undefined || !parsed ? text : JSON.parse(text));
  const out: Record<string, unknown> = {};
  if (d.cause !== undefined) out.Cause = d.cause;
  if (d.error !== undefined) out.Error = d.error;
  out.ExecutionArn = d.executionArn;
  out.Input = json(d.input);
  out.InputDetails = { Included: true };
  out.Name = d.name;
  if (d.output !== undefined) {
    out.Output = json(d.output);
    out.OutputDetails = { Included: true };
  }
  out.RedriveCount = 0;
  out.RedriveStatus = d.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE';
  if (d.status === 'SUCCEEDED') out.RedriveStatusReason = 'Execution is SUCCEEDED and cannot be redriven';
  out.StartDate = d.startDate.getTime();
  out.StateMachineArn = d.stateMachineArn;
  out.Status = d.status;
  if (d.stopDate) out.StopDate = d.stopDate.getTime();
  return out;
}
