/** What a state implementation may ask of the execution running it. */
import type { MapState, StateMachineModel, TaskState } from '../../asl/model';
import type { Cancellation, RunScope, StateOutcome, StateRun } from '../state-run';

export interface StateServices {
  /** Appends an event at the scope's cursor and advances the cursor. Returns the event id. */
  record(scope: RunScope, type: string, detailsKey?: string, details?: object): number;
  /** Appends an event pointing at `previousEventId`; the cursor moves only when `moveCursor`. */
  recordLinked(scope: RunScope, type: string, previousEventId: number, moveCursor: boolean, detailsKey?: string, details?: object): number;
  /** Id of the latest event in the whole history. */
  lastEventId(): number;
  /** Runs a branch / iteration to its end; rejects with the StatesError that ended it. */
  runMachine(model: StateMachineModel, input: unknown, scope: RunScope): Promise<unknown>;
  /** Same, but returns the output directly when every state ran synchronously. */
  runMachineMaybeSync(model: StateMachineModel, input: unknown, scope: RunScope): unknown | Promise<unknown>;
  /** A scope for a branch or iteration: inner variables, its own cursor. */
  childScope(parent: RunScope, cursorAt: number, recordEvents?: boolean, cancellation?: Cancellation): RunScope;
  /** Invokes a Task's resource and records its Task and LambdaFunction events. Resolves with the result. */
  invokeTask(run: StateRun, state: TaskState, parameters: unknown, timeoutSeconds?: number, heartbeatSeconds?: number): Promise<unknown>;
  /** Lets virtual or real time pass; rejects when the execution stops. */
  sleep(ms: number): Promise<void>;
  /** Runs a Distributed Map state as a Map Run of child executions (runtime/map-run.ts). */
  runMapRun(run: StateRun, state: MapState): Promise<StateOutcome>;
  /** Throws if the execution was stopped (so loops end early). */
  checkAlive(): void;
  readonly region: string;
  readonly accountId: string;
}

export type StateImplementation<S> = (run: StateRun, state: S, services: StateServices) => Promise<StateOutcome>;
