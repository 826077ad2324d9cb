/**
 * Public surface of the local Step Functions engine. Everything else under emulator/ is internal.
 */
export { StatesError, States, errorEqualsMatches } from './errors';
export { parseDefinition, AslDefinitionError, type AslDefinitionProblem } from './asl/parse';
export type { StateMachineModel, State, StateType, QueryLanguage } from './asl/model';
export { applySubstitutions, SubstitutionError, type Substitutions } from './asl/substitutions';
export {
  Engine,
  EngineError,
  type EngineOptions,
  type CreateStateMachineInput,
  type StartExecutionInput,
  type ExecutionDescription,
  type StateMachineDescription,
  type StateMachineType,
} from './runtime/engine';
export type { ExecutionStatus } from './runtime/execution';
export type { HistoryEvent } from './runtime/history';
export type { ClockMode } from './runtime/clock';
export {
  describeResource,
  type TaskHandler,
  type TaskRequest,
  type TaskResolver,
  type TaskOutcome,
  type HandlerMatcher,
  type MockLookup,
} from './runtime/task-resolution';
export { MockConfig, MockConfigError, type MockedOutcome } from './runtime/mock-config';
