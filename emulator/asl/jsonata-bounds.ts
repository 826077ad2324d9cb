/**
 * Bounds on every JSONata evaluation, so that no expression can freeze or kill the process: an
 * expression that runs too long, recurses too deep or builds too large a value fails its state with
 * States.QueryEvaluationError, and a long evaluation lets other executions and API calls run meanwhile.
 *
 * - time, depth and sharing the thread: a step hook (`__evaluate_entry`, as jsonata's timebox tests
 *   use) fails an evaluation nested too deep or running too long (wall clock, from its first step)
 *   and yields to the event loop after `yieldAfterMs` of uninterrupted evaluation;
 * - size: a step hook (`__evaluate_exit`) fails any intermediate string or array over the bound, and
 *   `$pad` checks its width before building (jsonata caps ranges at 1e7 items itself);
 * - regular expressions, which cannot be interrupted on the thread that runs them, run in a worker
 *   with a deadline (bounded-regex.ts).
 *
 * Step Functions documents no such limits (it bounds payloads to 256 KiB); these are generous for
 * any expression over such payloads.
 */
import { BoundedRegExp, regexWorkerReady, warmRegexWorker } from './bounded-regex';

export interface JsonataBounds {
  /** Wall-clock time one expression may take. */
  timeoutMs: number;
  /** Nesting of evaluation steps (recursion included). */
  maxDepth: number;
  /** Longest string (in UTF-16 units) any step may produce. */
  maxStringLength: number;
  /** Longest array or sequence any step may produce. */
  maxSequenceLength: number;
  /** Uninterrupted evaluation after which the evaluation yields to the event loop. */
  yieldAfterMs: number;
}

/** The bounds in force. Mutable so a server (or a test) can change them; read at every evaluation step. */
export const JSONATA_BOUNDS: JsonataBounds = {
  timeoutMs: 5000,
  maxDepth: 1000,
  maxStringLength: 10 * 1024 * 1024,
  maxSequenceLength: 1_000_000,
  yieldAfterMs: 5,
};

/** jsonata's options: only the regex engine (time and depth are checked by the step hook, more cheaply). */
export const JSONATA_OPTIONS = { RegexEngine: BoundedRegExp };

interface EvaluationBase {
  /** jsonata's own count of nested evaluation steps. */
  depth: number;
  /** Steps since the clock was last read. */
  __steps?: number;
  /** performance.now() when the evaluation started. */
  __startedAt?: number;
  /** performance.now() when the evaluation last started or resumed after yielding. */
  __resumedAt?: number;
}
interface Frame {
  base: EvaluationBase;
}

/** Reading the clock at every step doubled the cost of an evaluation; every 32nd step is enough. */
const CLOCK_EVERY_STEPS = 32;

/** Lets the event loop run, then resumes. The caller holds the time line for the whole evaluation (jsonata.ts). */
function resumeLater(base: EvaluationBase): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      base.__resumedAt = performance.now();
      resolve();
    }),
  );
}

/**
 * `__evaluate_entry`, at every step: fails a too deep evaluation (jsonata keeps the depth) and, every
 * few steps, one past its time; lets the event loop run after `yieldAfterMs` of uninterrupted work.
 */
function onStepEntry(_expr: unknown, _input: unknown, environment: Frame): Promise<void> | undefined {
  const base = environment.base;
  if (base.depth > JSONATA_BOUNDS.maxDepth) {
    throw new EvaluationBoundError(
      'EvaluationTooDeep',
      `Stack overflow: the evaluation nested deeper than ${JSONATA_BOUNDS.maxDepth} steps (non-terminating recursion?)`,
    );
  }
  const steps = (base.__steps ?? 0) + 1;
  if (steps < CLOCK_EVERY_STEPS) {
    base.__steps = steps;
    return undefined;
  }
  base.__steps = 0;
  const now = performance.now();
  if (base.__startedAt === undefined) {
    base.__startedAt = base.__resumedAt = now;
    return undefined;
  }
  if (now - base.__startedAt > JSONATA_BOUNDS.timeoutMs) {
    throw new EvaluationBoundError(
      'EvaluationTimeout',
      `Evaluation timeout after ${JSONATA_BOUNDS.timeoutMs} milliseconds (infinite loop?)`,
    );
  }
  return now - base.__resumedAt! >= JSONATA_BOUNDS.yieldAfterMs ? resumeLater(base) : undefined;
}

class EvaluationBoundError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `__evaluate_exit`: no step may produce a string or an array beyond the bounds. */
function onStepExit(_expr: unknown, _input: unknown, _environment: Frame, result: unknown): undefined {
  if (typeof result === 'string') {
    if (result.length > JSONATA_BOUNDS.maxStringLength) throw tooLong('a string', result.length, JSONATA_BOUNDS.maxStringLength);
  } else if (Array.isArray(result) && result.length > JSONATA_BOUNDS.maxSequenceLength) {
    throw tooLong('an array', result.length, JSONATA_BOUNDS.maxSequenceLength);
  }
  return undefined;
}

function tooLong(what: string, size: number, bound: number): EvaluationBoundError {
  return new EvaluationBoundError(
    'ResultTooLarge',
    `the expression built ${what} of ${size.toLocaleString('en-US')} elements, over the bound of ${bound.toLocaleString('en-US')}`,
  );
}

/**
 * `$pad(str, width[, char])` as jsonata defines it (https://docs.jsonata.org/string-functions#pad),
 * with the width checked before the padding is built: jsonata's own builds it first, and
 * `$pad("", 150000000, "a")` aborts Node 20 with a fatal error.
 */
function boundedPad(str: unknown, width: number, char?: string): string | undefined {
  if (typeof str !== 'string') return undefined;
  const fill = char === undefined || char.length === 0 ? ' ' : char;
  const w = Math.trunc(width);
  const chars = Array.from(str).length;
  const padLength = Math.abs(w) - chars;
  if (padLength <= 0) return str;
  if (padLength * fill.length + str.length > JSONATA_BOUNDS.maxStringLength) {
    throw tooLong('a padded string', padLength * fill.length + str.length, JSONATA_BOUNDS.maxStringLength);
  }
  let padding = fill.repeat(padLength);
  if (fill.length > 1) padding = Array.from(padding).slice(0, padLength).join('');
  return w > 0 ? str + padding : padding + str;
}

interface BoundableExpression {
  assign(name: symbol, value: unknown): void;
  registerFunction(name: string, implementation: (...args: never[]) => unknown, signature?: string): void;
  ast(): unknown;
}

/** Installs the step hooks and bounded builtins on a freshly compiled expression. */
export function applyJsonataBounds(expression: BoundableExpression): void {
  expression.assign(Symbol.for('jsonata.__evaluate_entry'), onStepEntry);
  expression.assign(Symbol.for('jsonata.__evaluate_exit'), onStepExit);
  expression.registerFunction('pad', boundedPad, '<s-ns?:s>');
  if (containsRegex(expression.ast())) {
    WITH_REGEX.add(expression);
    warmRegexWorker();
  }
}

const WITH_REGEX = new WeakSet<object>();

/**
 * What to await before evaluating: for an expression with a regular expression, the regex worker's
 * start-up (undefined when there is nothing to wait for, the common case).
 */
export function beforeEvaluation(expression: object): Promise<void> | undefined {
  return WITH_REGEX.has(expression) ? regexWorkerReady() : undefined;
}

/**
 * Does the expression hold a regex literal? (Text cannot become a regex at run time: `$eval`, the
 * one way it could, is left out as on AWS, see jsonata.ts.)
 */
function containsRegex(node: unknown, depth = 0): boolean {
  if (node === null || typeof node !== 'object' || depth > 200) return false;
  if ((node as { type?: unknown }).type === 'regex') return true;
  for (const v of Object.values(node)) {
    if (Array.isArray(v) ? v.some((x) => containsRegex(x, depth + 1)) : containsRegex(v, depth + 1)) return true;
  }
  return false;
}
