/**
 * JSONata query language: `{% %}` templates anywhere in a field's value, with `$states` and the
 * workflow variables bound.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
import jsonata from 'jsonata';
import { createHash, randomUUID } from 'crypto';
import { StatesError, States } from '../errors';
import { applyJsonataBounds, beforeEvaluation, JSONATA_OPTIONS } from './jsonata-bounds';

type Expression = ReturnType<typeof jsonata>;

export interface JsonataEnvironment {
  readonly states: { input: unknown; context: unknown; result?: unknown; errorOutput?: unknown };
  readonly variables: Record<string, unknown>;
  /**
   * The simulated time line, held (`hold()` returns the release) for the whole evaluation: an evaluation that yields to the event loop
   * (jsonata-bounds.ts) is still making progress, so virtual time must not advance meanwhile.
   */
  readonly timeline?: { hold?(): () => void };
}

const expressionCache = new Map<string, Expression>();

/** Text of a `{% expr %}` string, or undefined when the string is a plain literal. */
export function jsonataExpressionText(value: unknown): string | undefined {
  // Only a string that starts with {% and ends with %} is an expression; " {% x %} " is a literal.
  if (typeof value !== 'string') return undefined;
  if (value.startsWith('{%') && value.endsWith('%}') && value.length >= 4) return value.slice(2, -2).trim();
  return undefined;
}

/** Compiles (once per distinct text) a JSONata expression; throws the jsonata syntax error. */
export function compileJsonata(text: string): Expression {
  let e = expressionCache.get(text);
  if (!e) {
    // Bounded in time, depth and size, sharing the thread, regexes in a worker (jsonata-bounds.ts).
    e = jsonata(text, JSONATA_OPTIONS as unknown as Parameters<typeof jsonata>[1]);
    applyJsonataBounds(e as unknown as Parameters<typeof applyJsonataBounds>[0]);
    registerStepFunctionsFunctions(e);
    if (expressionCache.size < 20000) expressionCache.set(text, e);
  }
  return e;
}

/** Does this value contain any `{% %}` template (so it needs evaluation at run time)? */
export function containsJsonata(value: unknown): boolean {
  if (typeof value === 'string') return jsonataExpressionText(value) !== undefined;
  if (Array.isArray(value)) return value.some(containsJsonata);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsJsonata);
  return false;
}

/** Throws a StatesError the execution turns into AWS's "An error occurred while executing the state ..." form. */
function queryError(message: string): StatesError {
  return new StatesError(States.QueryEvaluationError, message);
}

/**
 * Evaluates a field value: `{% %}` strings are expressions, objects and arrays are walked, anything
 * else is literal. `field` is the location AWS reports (e.g. "Arguments/FunctionName").
 */
export async function evaluateJsonataValue(value: unknown, env: JsonataEnvironment, field: string): Promise<unknown> {
  if (typeof value === 'string') {
    const text = jsonataExpressionText(value);
    if (text === undefined) return value;
    return evaluateExpression(text, env, field);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(await evaluateJsonataValue(value[i], env, `${field}[${i}]`));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = await evaluateJsonataValue(v, env, `${field}/${k}`);
    }
    return out;
  }
  return value;
}

export async function evaluateExpression(text: string, env: JsonataEnvironment, field: string): Promise<unknown> {
  let expr: Expression;
  try {
    expr = compileJsonata(text);
  } catch (e) {
    throw queryError(`The JSONata expression '${text}' specified for the field '${field}' could not be parsed: ${describeJsonataError(e)}`);
  }
  let result: unknown;
  const release = env.timeline?.hold?.();
  try {
    const pending = beforeEvaluation(expr);
    if (pending !== undefined) await pending;
    // $eval is the one JSONata function Step Functions leaves out: calling it fails (T1006), as measured
    // against AWS (https://github.com/floci-io/floci/issues/2737). A variable named eval still wins.
    result = await expr.evaluate(undefined, { eval: false, ...env.variables, states: env.states });
  } catch (e) {
    if (e instanceof StatesError) throw e;
    // AWS ends the sentence before a coded JSONata message ("... evaluation. T0410: ...") and uses
    // a colon before a bare one (measured against AWS: https://github.com/floci-io/floci/pull/2783).
    const separator = (e as { code?: string }).code ? '.' : ':';
    throw queryError(
      `The JSONata expression '${text}' specified for the field '${field}' threw an error during evaluation${separator} ${describeJsonataError(e)}`,
    );
  } finally {
    release?.();
  }
  if (result === undefined) {
    throw queryError(`The JSONata expression '${text}' specified for the field '${field}' returned nothing (undefined).`);
  }
  return toPlainJson(result);
}

function describeJsonataError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ? `${err.code}: ${err.message}` : String(err.message ?? e);
}

/** JSONata sequences carry extra properties and may hold functions; hand back plain JSON values. */
function toPlainJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function') return {};
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    return v;
  }
  if (Array.isArray(v)) return v.map(toPlainJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || typeof x === 'function') continue;
    out[k] = toPlainJson(x);
  }
  return out;
}

/** JSON type name as AWS prints it in QueryEvaluationError messages. */
export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Functions Step Functions adds to JSONata: $partition, $range, $hash, $random, $uuid, $parse.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html#jsonata-functions
 */
function registerStepFunctionsFunctions(e: Expression): void {
  const fail = (message: string): never => {
    throw queryError(message);
  };
  e.registerFunction('partition', (array: unknown, size: unknown) => {
    const list = Array.isArray(array) ? array : array === undefined ? [] : [array];
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0)
      fail(`$partition: the chunk size must be a positive integer, but was ${JSON.stringify(size)}`);
    const out: unknown[][] = [];
    for (let i = 0; i < list.length; i += size as number) out.push(list.slice(i, i + (size as number)));
    return out;
  });
  e.registerFunction('range', (start: unknown, end: unknown, step: unknown) => {
    const st = step === undefined ? 1 : step;
    if (typeof start !== 'number' || typeof end !== 'number' || typeof st !== 'number' || st === 0) {
      fail('$range: start, end and step must be numbers and step must not be zero');
    }
    const out: number[] = [];
    const [a, b, c] = [start as number, end as number, st as number];
    for (let v = a; c > 0 ? v <= b : v >= b; v += c) {
      out.push(v);
      if (out.length > 1000) fail('$range: the result exceeds 1000 elements');
    }
    return out;
  });
  e.registerFunction('hash', (data: unknown, algorithm: unknown) => {
    const algos: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
    const algo = typeof algorithm === 'string' ? algos[algorithm] : undefined;
    if (!algo) fail(`$hash: unsupported algorithm ${JSON.stringify(algorithm)}; use one of ${Object.keys(algos).join(', ')}`);
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return createHash(algo as string)
      .update(text, 'utf8')
      .digest('hex');
  });
  e.registerFunction('random', (seed: unknown) => {
    if (seed === undefined) return Math.random();
    // Deterministic for a given seed (mulberry32).
    let t = (Number(seed) | 0) + 0x6d2b79f5;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
  e.registerFunction('uuid', () => randomUUID());
  e.registerFunction('parse', (text: unknown) => {
    if (typeof text !== 'string') fail('$parse: the argument must be a string');
    try {
      return JSON.parse(text as string);
    } catch (err) {
      return fail(`$parse: the argument is not valid JSON: ${(err as Error).message}`);
    }
  });
}
