/** Shared helpers for the engine's unit tests: run a definition to its end and inspect the result. */
import { Engine, type EngineOptions, type ExecutionDescription } from '../../emulator/runtime/engine';
import type { HistoryEvent } from '../../emulator/runtime/history';

let counter = 0;

export interface RunResult extends ExecutionDescription {
  events: readonly HistoryEvent[];
  outputValue: unknown;
  engine: Engine;
}

export async function runDefinition(
  definition: object | string,
  input: unknown = {},
  options: EngineOptions & { engine?: Engine; testCase?: string; name?: string } = {},
): Promise<RunResult> {
  const engine = options.engine ?? new Engine(options);
  const name = options.name ?? `sm-${++counter}`;
  const { stateMachineArn } = engine.createStateMachine({ name, definition });
  const { executionArn } = engine.startExecution({
    stateMachineArn: options.testCase ? `${stateMachineArn}#${options.testCase}` : stateMachineArn,
    input: JSON.stringify(input),
  });
  const d = await engine.waitForExecution(executionArn);
  return {
    ...d,
    events: engine.getExecutionHistory(executionArn),
    outputValue: d.output === undefined ? undefined : JSON.parse(d.output),
    engine,
  };
}

/** "id prev type" lines, for asserting the shape and linking of a history. */
export function eventChain(events: readonly HistoryEvent[]): string[] {
  return events.map((e) => `${e.id} ${e.previousEventId} ${e.type}`);
}

export function eventsOfType(events: readonly HistoryEvent[], type: string): HistoryEvent[] {
  return events.filter((e) => e.type === type);
}
