/**
 * JSONPath data flow: reference paths ($ input, $$ context, $var variables), ResultPath merging and
 * payload templates (`.$` keys) as AWS documents them.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
 */
import { JSONPath } from 'jsonpath-plus';
import { StatesError, States } from '../errors';
import { evaluateIntrinsic, isIntrinsicCall, parseIntrinsic, type IntrinsicCall } from './intrinsics';

/** The workflow variables a `$name` path reads (the runtime's VariableScope is one). */
export interface VariableLookup {
  has(name: string): boolean;
  get(name: string): unknown;
}

/** What a path or template can read while a state runs. */
export interface PathEnvironment {
  readonly input: unknown;
  readonly context: unknown;
  readonly variables: VariableLookup;
}

type Segment = string | number;

/** A parsed path: definite ones are a list of segments, others go to jsonpath-plus. */
interface ParsedPath {
  readonly text: string;
  readonly segments?: readonly Segment[];
}

const pathCache = new Map<string, ParsedPath>();

/** Parse `$.a.b[0]['c']`; returns undefined segments for paths with wildcards, filters, slices, unions. */
function parsePath(text: string): ParsedPath {
  const cached = pathCache.get(text);
  if (cached) return cached;
  const segments: Segment[] = [];
  let i = 1; // after '$'
  let definite = text[0] === '$';
  while (definite && i < text.length) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') {
        definite = false;
        break;
      }
      let j = i + 1;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      const name = text.slice(i + 1, j);
      if (name === '' || name === '*') {
        definite = false;
        break;
      }
      segments.push(name);
      i = j;
    } else if (c === '[') {
      const close = findClosingBracket(text, i);
      if (close < 0) {
        definite = false;
        break;
      }
      const inner = text.slice(i + 1, close).trim();
      if (/^-?\d+$/.test(inner) && !inner.startsWith('-')) segments.push(Number(inner));
      else if (/^'([^']*)'$/.test(inner) || /^"([^"]*)"$/.test(inner)) segments.push(inner.slice(1, -1));
      else {
        definite = false;
        break;
      }
      i = close + 1;
    } else {
      definite = false;
    }
  }
  const parsed: ParsedPath = definite ? { text, segments } : { text };
  if (pathCache.size < 10000) pathCache.set(text, parsed);
  return parsed;
}

function findClosingBracket(text: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return -1;
}

export function isDefinitePath(text: string): boolean {
  return parsePath(text).segments !== undefined;
}

/** Reads a `$...` path from a JSON value; undefined when a definite path matches nothing. */
export function readJsonPath(value: unknown, path: string): unknown {
  const parsed = parsePath(path);
  if (parsed.segments) {
    let cur: unknown = value;
    for (const seg of parsed.segments) {
      if (cur === null || typeof cur !== 'object') return undefined;
      if (typeof seg === 'number') {
        if (!Array.isArray(cur) || seg >= cur.length) return undefined;
        cur = cur[seg];
      } else {
        if (Array.isArray(cur)) {
          // `.length` on arrays is supported by AWS's JSONPath implementation.
          if (seg === 'length') {
            cur = cur.length;
            continue;
          }
          return undefined;
        }
        if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
        cur = (cur as Record<string, unknown>)[seg];
      }
    }
    return cur;
  }
  if (value === null || typeof value !== 'object') return undefined;
  return JSONPath({ path, json: value as object, wrap: true });
}

/** Resolves a reference in a `.$` field or a *Path field: `$...` input, `$$...` context, `$name...` variable. */
export function resolveReference(ref: string, env: PathEnvironment): unknown {
  if (ref.startsWith('$$')) return readJsonPath(env.context, ref.slice(1));
  if (ref === '$' || ref[1] === '.' || ref[1] === '[') return readJsonPath(env.input, ref);
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(ref);
  if (m) {
    if (!env.variables.has(m[1])) return undefined;
    const v = env.variables.get(m[1]);
    return m[2] ? readJsonPath(v, '$' + m[2]) : v;
  }
  return undefined;
}

/** Reads InputPath/OutputPath-style fields: a missing path is States.Runtime with AWS's wording. */
export function selectPath(value: unknown, path: string | null | undefined, env: PathEnvironment): unknown {
  if (path === undefined || path === '$') return value;
  if (path === null) return {};
  const found = resolveReference(path, env.input === value ? env : new RebasedEnvironment(env, value));
  if (found === undefined) {
    throw new StatesError(States.Runtime, `Invalid path '${path}' : No results for path: ${bracketNotation(path)}`);
  }
  return found;
}

/** The same environment with another `$` (context read lazily from the original). */
class RebasedEnvironment implements PathEnvironment {
  constructor(
    private readonly base: PathEnvironment,
    readonly input: unknown,
  ) {}
  get context(): unknown {
    return this.base.context;
  }
  get variables(): VariableLookup {
    return this.base.variables;
  }
}

/** `$.a.b[0]` -> `$['a']['b'][0]` (the form AWS prints in "No results for path"). */
export function bracketNotation(path: string): string {
  const parsed = parsePath(path);
  if (!parsed.segments) return path;
  return '$' + parsed.segments.map((s) => (typeof s === 'number' ? `[${s}]` : `['${s}']`)).join('');
}

/**
 * ResultPath: places `result` into a copy of `input` at `path`; `$` replaces, null keeps the input.
 * Only the objects along the path are copied; the rest is shared (values are never mutated).
 */
export function applyResultPath(input: unknown, path: string | null | undefined, result: unknown): unknown {
  if (path === undefined || path === '$') return result;
  if (path === null) return input;
  const parsed = parsePath(path);
  if (!parsed.segments) {
    throw new StatesError(States.ResultPathMatchFailure, `Unable to apply ResultPath '${path}': it must be a reference path`);
  }
  const fail = (): never => {
    throw new StatesError(States.ResultPathMatchFailure, `Unable to apply ReplacementPath '${path}' to input '${JSON.stringify(input)}'.`);
  };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    if (!(Array.isArray(input) && typeof parsed.segments[0] === 'number')) fail();
  }
  const setAt = (node: unknown, i: number): unknown => {
    const seg = parsed.segments![i];
    const last = i === parsed.segments!.length - 1;
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) fail();
      const copy = (node as unknown[]).slice();
      copy[seg] = last ? result : setAt(copy[seg], i + 1);
      return copy;
    }
    let base: Record<string, unknown>;
    if (node === undefined || node === null) base = {};
    else if (typeof node === 'object' && !Array.isArray(node)) base = { ...(node as Record<string, unknown>) };
    else return fail();
    base[seg] = last ? result : setAt(base[seg], i + 1);
    return base;
  };
  return setAt(input, 0);
}

// ---------------------------------------------------------------- payload templates

export type CompiledTemplate =
  | { readonly kind: 'literal'; readonly value: unknown }
  | {
      readonly kind: 'object';
      readonly entries: readonly { readonly key: string; readonly field: string; readonly node: CompiledTemplate }[];
    }
  | { readonly kind: 'array'; readonly items: readonly CompiledTemplate[] }
  | { readonly kind: 'reference'; readonly path: string; readonly field: string }
  | { readonly kind: 'intrinsic'; readonly call: IntrinsicCall; readonly text: string; readonly field: string };

/** Compiles a Parameters / ItemSelector / ResultSelector / Assign value once. Throws on a bad `.$` value. */
export function compileTemplate(value: unknown, where: string): CompiledTemplate {
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileTemplate(v, `${where}[${i}]`));
    return items.every((n) => n.kind === 'literal') ? { kind: 'literal', value } : { kind: 'array', items };
  }
  if (value !== null && typeof value === 'object') {
    const entries: { key: string; field: string; node: CompiledTemplate }[] = [];
    let dynamic = false;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key.endsWith('.$')) {
        dynamic = true;
        if (typeof v !== 'string') {
          throw new TemplateError(
            `The value for the field '${key}' must be a STRING that contains a JSONPath or an intrinsic function`,
            `${where}/${key}`,
          );
        }
        entries.push({ key: key.slice(0, -2), field: key, node: compileExpression(v, key, `${where}/${key}`) });
      } else {
        const node = compileTemplate(v, `${where}/${key}`);
        if (node.kind !== 'literal') dynamic = true;
        entries.push({ key, field: key, node });
      }
    }
    return dynamic ? { kind: 'object', entries } : { kind: 'literal', value };
  }
  return { kind: 'literal', value };
}

/** Compiles one `.$`-style value (a path or an intrinsic call); `field` is the name used in error messages. */
export function compileExpression(text: string, field: string, where: string): CompiledTemplate {
  const trimmed = text.trim();
  if (trimmed.startsWith('$')) return { kind: 'reference', path: trimmed, field };
  if (isIntrinsicCall(trimmed)) {
    try {
      return { kind: 'intrinsic', call: parseIntrinsic(trimmed), text: trimmed, field };
    } catch (e) {
      throw new TemplateError(
        `The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call (${(e as Error).message})`,
        where,
      );
    }
  }
  throw new TemplateError(`The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`, where);
}

/** A template that cannot be compiled; parse.ts turns it into an AslDefinitionError at `location`. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly location: string,
  ) {
    super(message);
  }
}

/** Evaluates a compiled template. Missing paths fail with States.Runtime, as AWS reports them. */
export function evaluateTemplate(t: CompiledTemplate, env: PathEnvironment): unknown {
  switch (t.kind) {
    case 'literal':
      return t.value;
    case 'array':
      return t.items.map((n) => evaluateTemplate(n, env));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of t.entries) out[e.key] = evaluateTemplate(e.node, env);
      return out;
    }
    case 'reference': {
      const v = resolveReference(t.path, env);
      if (v === undefined) {
        throw new StatesError(
          States.Runtime,
          `The JSONPath '${t.path}' specified for the field '${t.field}' could not be found in the input '${JSON.stringify(env.input)}'`,
        );
      }
      return v;
    }
    case 'intrinsic':
      return evaluateIntrinsic(t.call, (p) => {
        const v = resolveReference(p, env);
        if (v === undefined) {
          throw new StatesError(
            States.Runtime,
            `The JSONPath '${p}' specified for the field '${t.field}' could not be found in the input '${JSON.stringify(env.input)}'`,
          );
        }
        return v;
      });
  }
}
