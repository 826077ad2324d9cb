/**
 * Section 1: the same Pass/Choice/Map definitions on our Engine and on aws-local-stepfunctions,
 * both in-process, states per second from the median of a few timed repetitions after a warm-up.
 * The peer's Task states crash on Node 20, so only Pass, Choice and Map are compared.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { Engine } from '../emulator/runtime/engine';
import {
  COUNTER_LOOP,
  LOOP_ITERATIONS_PER_EXECUTION,
  PASS_CHOICE_MAP,
  counterLoopInput,
  counterLoopStates,
  passChoiceMapInput,
  passChoiceMapStates,
} from './definitions';
import { median, timed } from './measure';

export interface Workload {
  label: string;
  definition: object;
  /** The inputs of one repetition (one execution each, run one after another). */
  inputs: readonly unknown[];
  /** States one repetition enters, by construction. */
  statesPerRepetition: number;
  /** Names what is wrong with an execution's output (both engines must compute the same thing). */
  checkOutput(input: unknown, output: unknown): string | undefined;
}

export interface EngineResult {
  /** From the median wall time of a repetition. */
  statesPerSecond: number;
  /** From the median CPU time (user + system) of a repetition: less sensitive to other processes on a shared machine. */
  statesPerCpuSecond: number;
  repetitionMs: number[];
  repetitionCpuMs: number[];
  states: number;
}

export interface Comparison {
  workload: Workload;
  ours: EngineResult;
  peer: EngineResult;
}

export function counterLoopWorkload(iterations: number): Workload {
  const executions: number[] = [];
  for (let left = iterations; left > 0; left -= LOOP_ITERATIONS_PER_EXECUTION)
    executions.push(Math.min(left, LOOP_ITERATIONS_PER_EXECUTION));
  return {
    label: `Choice/Pass loop, ${iterations.toLocaleString('en-US')} iterations (${executions.length} executions)`,
    definition: COUNTER_LOOP,
    inputs: executions.map(counterLoopInput),
    statesPerRepetition: executions.reduce((sum, n) => sum + counterLoopStates(n), 0),
    checkOutput: (input, output) => {
      const limit = (input as { limit: number }).limit;
      const count = (output as { count?: unknown } | null)?.count;
      return count === limit ? undefined : `expected count ${limit}, got ${JSON.stringify(count)}`;
    },
  };
}

/**
 * One repetition runs the 1,000-item Map several times: a single run is ~15 ms on our engine, short
 * enough for one preemption on a shared machine to swing the median.
 */
export function passChoiceMapWorkload(items: number, executionsPerRepetition = 5): Workload {
  const input = passChoiceMapInput(items);
  return {
    label: `Map of Pass/Choice, ${items.toLocaleString('en-US')} items (${executionsPerRepetition} executions)`,
    definition: PASS_CHOICE_MAP,
    inputs: Array.from({ length: executionsPerRepetition }, () => input),
    statesPerRepetition: passChoiceMapStates(items) * executionsPerRepetition,
    checkOutput: (_input, output) => {
      const results = output as { size?: string }[];
      if (!Array.isArray(results) || results.length !== items) return `expected ${items} results`;
      const large = results.filter((r) => r.size === 'large').length;
      const expectedLarge = items - Math.min(items, 500); // n + n >= 1000 for n >= 500
      return large === expectedLarge ? undefined : `expected ${expectedLarge} large results, got ${large}`;
    },
  };
}

/** Runs one repetition on our engine; returns the states entered according to the history. */
async function runOurs(engine: Engine, stateMachineArn: string, workload: Workload): Promise<number> {
  let entered = 0;
  for (const input of workload.inputs) {
    const { executionArn } = engine.startExecution({ stateMachineArn, input: JSON.stringify(input) });
    const result = await engine.waitForExecution(executionArn);
    if (result.status !== 'SUCCEEDED') {
      throw new Error(`our engine: ${workload.label}: execution ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`);
    }
    const wrong = workload.checkOutput(input, JSON.parse(result.output ?? 'null'));
    if (wrong) throw new Error(`our engine: ${workload.label}: ${wrong}`);
    for (const event of engine.getExecutionHistory(executionArn)) if (event.type.endsWith('StateEntered')) entered++;
  }
  return entered;
}

async function runPeer(machine: StateMachine, workload: Workload): Promise<void> {
  for (const input of workload.inputs) {
    const output: unknown = await machine.run(input as never).result;
    const wrong = workload.checkOutput(input, output);
    if (wrong) throw new Error(`aws-local-stepfunctions: ${workload.label}: ${wrong}`);
  }
}

async function measure(repetitions: number, once: () => Promise<void>): Promise<{ wall: number[]; cpu: number[] }> {
  await once(); // warm-up: JIT, caches
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const before = process.cpuUsage();
    wall.push((await timed(once)).ms);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

/** Our engine: a fresh Engine per workload, so earlier executions' histories are not in its heap. */
async function measureOurs(workload: Workload, repetitions: number): Promise<{ wall: number[]; cpu: number[] }> {
  const engine = new Engine({ clock: 'virtual' });
  const { stateMachineArn } = engine.createStateMachine({ name: 'bench', definition: workload.definition });
  return measure(repetitions, async () => {
    const entered = await runOurs(engine, stateMachineArn, workload);
    if (entered !== workload.statesPerRepetition) {
      throw new Error(`our engine entered ${entered} states for ${workload.label}; expected ${workload.statesPerRepetition}`);
    }
  });
}

async function measurePeer(workload: Workload, repetitions: number): Promise<{ wall: number[]; cpu: number[] }> {
  const machine = new StateMachine(workload.definition as never, { validationOptions: { checkPaths: true } });
  return measure(repetitions, () => runPeer(machine, workload));
}

export async function compareEngines(workload: Workload, repetitions: number): Promise<Comparison> {
  // The peer first: our engine keeps every history (as the API must), and that heap should not
  // slow the peer's garbage collection.
  const peer = await measurePeer(workload, repetitions);
  const ours = await measureOurs(workload, repetitions);
  const states = workload.statesPerRepetition;
  const rate = (ms: number[]) => (states / median(ms)) * 1000;
  const result = (m: { wall: number[]; cpu: number[] }): EngineResult => ({
    statesPerSecond: rate(m.wall),
    statesPerCpuSecond: rate(m.cpu),
    repetitionMs: m.wall,
    repetitionCpuMs: m.cpu,
    states,
  });
  return { workload, ours: result(ours), peer: result(peer) };
}
