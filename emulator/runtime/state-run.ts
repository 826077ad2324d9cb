/**
 * One entry into one state: its raw input, the `$$` context, and the data-flow steps every state
 * type shares (InputPath/OutputPath, ResultPath, Assign, JSONata Output).
 */
import { StatesError, States } from '../errors';
import { applyResultPath, evaluateTemplate, selectPath, type PathEnvironment } from '../asl/jsonpath';
import { evaluateJsonataValue, type JsonataEnvironment } from '../asl/jsonata';
import type { CompiledAssign, State } from '../asl/model';
import type { ExecutionClock } from './clock';
import type { Cursor } from './history';
import type { VariableScope } from './variables';

/** Where a state runs: its variable scope and its place in the history chain. */
export interface RunScope {
  readonly variables: VariableScope;
  readonly cursor: Cursor;
  /** false inside Distributed Map children, whose events are not in the parent's history. */
  readonly recordEvents: boolean;
}

/** The execution-wide facts a state reads (set once per execution). */
export interface ExecutionFacts {
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly input: unknown;
  readonly startTimeIso: string;
  readonly clock: ExecutionClock;
}

export interface StateOutcome {
  readonly output: unknown;
  /** undefined = this was the last state of its machine/branch/iteration. */
  readonly next: string | undefined;
  readonly assigned?: ReadonlyMap<string, unknown>;
}

export class StateRun {
  retryCount = 0;
  taskToken?: string;
  /** Map.Item for ItemSelector evaluation. */
  mapItem?: { Index: number; Value: unknown };
  readonly enteredTimeIso: string;

  constructor(
    readonly state: State,
    readonly rawInput: unknown,
    readonly facts: ExecutionFacts,
    readonly scope: RunScope,
    readonly enteredEventId: number,
  ) {
    this.enteredTimeIso = new Date(facts.clock.now()).toISOString();
  }

  /** The Context object `$$` / `$states.context`. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html */
  context(): Record<string, unknown> {
    const f = this.facts;
    const stateCtx: Record<string, unknown> = { EnteredTime: this.enteredTimeIso, Name: this.state.name };
    if (this.state.type === 'Task' || this.state.type === 'Parallel' || this.state.type === 'Map') stateCtx.RetryCount = this.retryCount;
    const ctx: Record<string, unknown> = {
      Execution: {
        Id: f.executionArn,
        Input: f.input,
        StartTime: f.startTimeIso,
        Name: f.executionName,
        RoleArn: f.roleArn,
        RedriveCount: 0,
      },
      StateMachine: { Id: f.stateMachineArn, Name: f.stateMachineName },
      State: stateCtx,
    };
    if (this.taskToken !== undefined) ctx.Task = { Token: this.taskToken };
    if (this.mapItem) ctx.Map = { Item: this.mapItem };
    return ctx;
  }

  pathEnv(input: unknown): PathEnvironment {
    return { input, context: this.context(), variables: this.scope.variables };
  }

  jsonataEnv(extra?: { result?: unknown; errorOutput?: unknown }): JsonataEnvironment {
    const states: JsonataEnvironment['states'] = { input: this.rawInput, context: this.context() };
    if (extra && 'result' in extra) states.result = extra.result;
    if (extra && 'errorOutput' in extra) states.errorOutput = extra.errorOutput;
    return { states, variables: this.scope.variables.toBindings() };
  }

  /** InputPath applied to the raw input (JSONPath states). */
  effectiveInput(): unknown {
    return selectPath(this.rawInput, this.state.inputPath, this.pathEnv(this.rawInput));
  }

  /**
   * JSONPath tail: Assign (with `$` = assignBase), ResultPath into the raw input, then OutputPath.
   * Assign reads variable values from before the state; they change only after the state.
   */
  finishJsonPath(result: unknown, assignBase: unknown, resultPath: string | null | undefined, assign = this.state.assign): { output: unknown; assigned?: Map<string, unknown> } {
    const assigned = assign ? this.assignJsonPath(assign, assignBase) : undefined;
    const withResult = applyResultPath(this.rawInput, resultPath, result);
    const output = selectPath(withResult, this.state.outputPath, this.pathEnv(withResult));
    return { output, assigned };
  }

  assignJsonPath(assign: CompiledAssign, base: unknown): Map<string, unknown> {
    if (assign.language !== 'JSONPath') throw new StatesError(States.Runtime, 'Assign language mismatch');
    const values = evaluateTemplate(assign.template, this.pathEnv(base)) as Record<string, unknown>;
    return new Map(Object.entries(values));
  }

  /** JSONata tail: Assign then Output, both evaluated with the variables as they were on entry. */
  async finishJsonata(
    defaultOutput: unknown,
    extra: { result?: unknown; errorOutput?: unknown } | undefined,
    assign: CompiledAssign | undefined = this.state.assign,
    output: { value: unknown; given: boolean } = { value: this.state.output, given: this.state.hasOutput },
  ): Promise<{ output: unknown; assigned?: Map<string, unknown> }> {
    const env = this.jsonataEnv(extra);
    let assigned: Map<string, unknown> | undefined;
    if (assign) {
      if (assign.language !== 'JSONata') throw new StatesError(States.Runtime, 'Assign language mismatch');
      assigned = new Map();
      for (const [k, v] of Object.entries(assign.value as Record<string, unknown>)) {
        assigned.set(k, await evaluateJsonataValue(v, env, `Assign/${k}`));
      }
    }
    const out = output.given ? await evaluateJsonataValue(output.value, env, 'Output') : defaultOutput;
    return { output: out, assigned };
  }
}
