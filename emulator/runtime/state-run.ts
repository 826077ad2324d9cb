/**
 * One entry into one state: its raw input, the `$$` context, and the data-flow steps every state
 * type shares (InputPath/OutputPath, ResultPath, Assign, JSONata Output).
 */
import { StatesError, States } from '../errors';
import { applyResultPath, evaluateTemplate, selectPath, type CompiledTemplate, type PathEnvironment } from '../asl/jsonpath';
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
  /** Set when a sibling branch/iteration failed: this one stops at its next state. */
  readonly cancellation?: Cancellation;
}

export interface Cancellation {
  cancelled: boolean;
}

/** A branch or iteration stopped because a sibling failed; it records nothing more. */
export class BranchCancelled extends Error {}

/** The execution ended (stopped, timed out) while this work was under way: unwind without recording. */
export class ExecutionStopped extends Error {}

/** The execution-wide facts a state reads (set once per execution). */
export interface ExecutionFacts {
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly input: unknown;
  readonly startTimeIso: string;
  /** The engine's time line (runtime/timeline.ts), or TestState's own clock. */
  readonly clock: ExecutionClock;
}

export interface StateOutcome {
  readonly output: unknown;
  /** undefined = this was the last state of its machine/branch/iteration. */
  readonly next: string | undefined;
  readonly assigned?: ReadonlyMap<string, unknown>;
}

/**
 * Observes the shared data-flow tail without re-implementing it: TestState reports these values as
 * its inspection data (afterResultSelector, afterResultPath).
 */
export interface DataFlowInspector {
  afterResultSelector(value: unknown): void;
  afterResultPath(value: unknown): void;
}

export class StateRun {
  /** JSON text of rawInput as recorded in the StateEntered event (when the execution kept it). */
  inputText?: string;
  /** Set by TestState only. */
  inspector?: DataFlowInspector;
  private retries = 0;
  private token?: string;
  private item?: { Index: number; Value: unknown };
  private readonly enteredAt: number;
  /** Built on first use and rebuilt only when RetryCount, Task.Token or Map.Item change. */
  private cachedContext?: Record<string, unknown>;

  constructor(
    readonly state: State,
    readonly rawInput: unknown,
    readonly facts: ExecutionFacts,
    readonly scope: RunScope,
    readonly enteredEventId: number,
  ) {
    this.enteredAt = facts.clock.now();
  }

  get retryCount(): number {
    return this.retries;
  }
  set retryCount(n: number) {
    this.retries = n;
    this.cachedContext = undefined;
  }
  get taskToken(): string | undefined {
    return this.token;
  }
  set taskToken(t: string | undefined) {
    this.token = t;
    this.cachedContext = undefined;
  }
  /** Map.Item for ItemSelector evaluation. */
  get mapItem(): { Index: number; Value: unknown } | undefined {
    return this.item;
  }
  set mapItem(item: { Index: number; Value: unknown } | undefined) {
    this.item = item;
    this.cachedContext = undefined;
  }

  get enteredTimeIso(): string {
    return new Date(this.enteredAt).toISOString();
  }

  /** The Context object `$$` / `$states.context`. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html */
  context(): Record<string, unknown> {
    if (this.cachedContext) return this.cachedContext;
    const f = this.facts;
    const stateCtx: Record<string, unknown> = { EnteredTime: this.enteredTimeIso, Name: this.state.name };
    if (this.state.type === 'Task' || this.state.type === 'Parallel' || this.state.type === 'Map') stateCtx.RetryCount = this.retries;
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
    if (this.token !== undefined) ctx.Task = { Token: this.token };
    if (this.item) ctx.Map = { Item: this.item };
    this.cachedContext = ctx;
    return ctx;
  }

  /** Path environment; the context object is only built if a `$$` path reads it. */
  pathEnv(input: unknown): PathEnvironment {
    return new LazyContextEnvironment(this, input);
  }

  jsonataEnv(extra?: { result?: unknown; errorOutput?: unknown }): JsonataEnvironment {
    const states: JsonataEnvironment['states'] = { input: this.rawInput, context: this.context() };
    if (extra && 'result' in extra) states.result = extra.result;
    if (extra && 'errorOutput' in extra) states.errorOutput = extra.errorOutput;
    return { states, variables: this.scope.variables.toBindings(), timeline: this.facts.clock };
  }

  /** InputPath applied to the raw input (JSONPath states). */
  effectiveInput(): unknown {
    const path = this.state.inputPath;
    if (path === undefined || path === '$') return this.rawInput;
    return selectPath(this.rawInput, path, this.pathEnv(this.rawInput));
  }

  /**
   * JSONPath tail: Assign (with `$` = assignBase), ResultPath into the raw input, then OutputPath.
   * Assign reads variable values from before the state; they change only after the state.
   */
  finishJsonPath(
    result: unknown,
    assignBase: unknown,
    resultPath: string | null | undefined,
    assign = this.state.assign,
  ): { output: unknown; assigned?: Map<string, unknown> } {
    this.inspector?.afterResultSelector(result);
    const assigned = assign ? this.assignJsonPath(assign, assignBase) : undefined;
    const withResult = applyResultPath(this.rawInput, resultPath, result);
    this.inspector?.afterResultPath(withResult);
    const outputPath = this.state.outputPath;
    const output =
      outputPath === undefined || outputPath === '$' ? withResult : selectPath(withResult, outputPath, this.pathEnv(withResult));
    return { output, assigned };
  }

  /**
   * The one tail of the states that produce a result (Task, Parallel, Map): JSONPath ResultSelector →
   * Assign → ResultPath → OutputPath, or JSONata Assign → Output with `$states.result`.
   */
  async finishResult(
    result: unknown,
    state: { resultSelector?: CompiledTemplate; resultPath?: string | null; next?: string },
  ): Promise<StateOutcome> {
    if (this.state.queryLanguage === 'JSONata') {
      const { output, assigned } = await this.finishJsonata(result, { result });
      return { output, next: state.next, assigned };
    }
    const selected = state.resultSelector ? evaluateTemplate(state.resultSelector, this.pathEnv(result)) : result;
    const { output, assigned } = this.finishJsonPath(selected, selected, state.resultPath);
    return { output, next: state.next, assigned };
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
    /** null: no Assign at all (undefined means the state's own). */
    assign: CompiledAssign | null | undefined = this.state.assign,
    output: { value: unknown; given: boolean } = { value: this.state.output, given: this.state.hasOutput },
    /** Where AWS says the fields are: a Catcher's or Choice rule's own Assign/Output are `Catch[i]/...`, `Choices[i]/...`. */
    fields: { assign?: string; output?: string } = {},
  ): Promise<{ output: unknown; assigned?: Map<string, unknown> }> {
    const env = this.jsonataEnv(extra);
    let assigned: Map<string, unknown> | undefined;
    if (assign) {
      if (assign.language !== 'JSONata') throw new StatesError(States.Runtime, 'Assign language mismatch');
      assigned = new Map();
      for (const [k, v] of Object.entries(assign.value as Record<string, unknown>)) {
        assigned.set(k, await evaluateJsonataValue(v, env, `${fields.assign ?? ''}Assign/${k}`));
      }
    }
    const out = output.given ? await evaluateJsonataValue(output.value, env, `${fields.output ?? ''}Output`) : defaultOutput;
    return { output: out, assigned };
  }
}

/** A PathEnvironment whose `context` is read from the StateRun on demand (a class: cheap to create). */
class LazyContextEnvironment implements PathEnvironment {
  readonly variables: VariableScope;
  constructor(
    private readonly run: StateRun,
    readonly input: unknown,
  ) {
    this.variables = run.scope.variables;
  }
  get context(): unknown {
    return this.run.context();
  }
}
