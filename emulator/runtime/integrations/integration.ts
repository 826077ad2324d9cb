/** What every integration module gets and gives: one Task's call of one service action. */
import type { ResolutionRequest, TaskOutcome } from '../task-resolution';
import type { Timeline } from '../timeline';
import type { ClientPool } from './clients';

export type IntegrationPattern = 'request-response' | 'sync' | 'sync:2' | 'waitForTaskToken';

export interface IntegrationCall {
  /** The service id as written in the ARN (`dynamodb`, `events`, `states`, …). */
  readonly service: string;
  /** The action as written in the ARN, without the pattern suffix (`putItem`, `startExecution`). */
  readonly action: string;
  readonly pattern: IntegrationPattern;
  readonly parameters: unknown;
  /** From the Task's `Credentials: {RoleArn}`. */
  readonly roleArn?: string;
  /** The region the Task ARN names, if any. */
  readonly region?: string;
  readonly request: ResolutionRequest;
}

/** Starting and awaiting executions on the engine itself (`states:startExecution*`, no HTTP). */
export interface EngineExecutions {
  startExecution(input: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date };
  waitForExecution(executionArn: string): Promise<ExecutionSummary>;
  stopExecution(executionArn: string, error?: string, cause?: string): unknown;
}

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface IntegrationContext {
  readonly clients: ClientPool;
  readonly timeline: Timeline;
  readonly executions: EngineExecutions;
}

export type Integration = (call: IntegrationCall, context: IntegrationContext) => Promise<TaskOutcome>;

export function returned(value: unknown): TaskOutcome {
  return { kind: 'return', value };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A JSON value that Step Functions sends as a string field (SNS Message, SQS MessageBody, Events Detail, Lambda Payload). */
export function asJsonText(v: unknown): unknown {
  return v === undefined || typeof v === 'string' ? v : JSON.stringify(v);
}
