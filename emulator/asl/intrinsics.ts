/**
 * States.* intrinsic functions for JSONPath states: parsed once into a small call tree, then evaluated
 * per use against a path resolver supplied by the caller.
 *
 * Behaviour follows https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html and
 * the results the same calls give in executions on AWS (the tests mark those values "recorded").
 */
import { createHash, randomUUID } from 'crypto';
import { StatesError } from '../errors';

export type IntrinsicLiteral = string | number | boolean | null;

export type IntrinsicArg =
  | { readonly kind: 'literal'; readonly value: IntrinsicLiteral }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'call'; readonly call: IntrinsicCall };

/** A States.Format template split at its `{}` placeholders (escaped braces already resolved). */
export interface FormatTemplate {
  readonly pieces: readonly string[]; // pieces.length === placeholders + 1
}

export interface IntrinsicCall {
  readonly name: IntrinsicName;
  readonly args: readonly IntrinsicArg[];
  /** Only for States.Format with a literal first argument. */
  readonly template?: FormatTemplate;
  /** The source text, for messages. */
  readonly text: string;
}

const ARITY: Record<string, [min: number, max: number]> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

export type IntrinsicName = keyof typeof ARITY & string;

/** AWS allows at most 10 intrinsic functions nested in one field. */
const MAX_NESTING = 10;
/** Base64 input limit documented by AWS (10,000 characters). */
const MAX_BASE64_INPUT = 10_000;
/** States.ArrayRange may not produce more than 1,000 items. */
const MAX_RANGE_ITEMS = 1000;
const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** True when the text looks like an intrinsic call, `States.Name(...)` (surrounding spaces ignored). */
export function isIntrinsicCall(text: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(text) && text.trimEnd().endsWith(')');
}

class IntrinsicSyntaxError extends Error {
  constructor(text: string, position: number, detail: string) {
    super(`Invalid intrinsic function call '${text}' at position ${position}: ${detail}`);
    this.name = 'IntrinsicSyntaxError';
  }
}

/** Parses an intrinsic call; throws an Error naming the position and the rule broken. */
export function parseIntrinsic(text: string): IntrinsicCall {
  const parser = new Parser(text);
  const call = parser.parseCall(0);
  parser.skipSpaces();
  if (!parser.atEnd()) parser.fail('unexpected text after the closing parenthesis');
  return call;
}

type RawArg = IntrinsicArg & { rawString?: string };

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(detail: string): never {
    throw new IntrinsicSyntaxError(this.text, this.pos, detail);
  }

  skipSpaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  parseCall(depth: number): IntrinsicCall {
    if (depth >= MAX_NESTING) this.fail(`more than ${MAX_NESTING} nested intrinsic functions`);
    this.skipSpaces();
    const start = this.pos;
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.pos));
    if (!match) this.fail("expected a function name like 'States.Format'");
    const name = match[0];
    if (!(name in ARITY)) this.fail(`unknown intrinsic function '${name}'`);
    this.pos += name.length;
    this.skipSpaces();
    if (this.text[this.pos] !== '(') this.fail(`expected '(' after ${name}`);
    this.pos++;
    const args: RawArg[] = [];
    this.skipSpaces();
    if (this.text[this.pos] === ')') {
      this.pos++;
    } else {
      for (;;) {
        args.push(this.parseArg(depth));
        this.skipSpaces();
        const c = this.text[this.pos];
        if (c === ',') {
          this.pos++;
          continue;
        }
        if (c === ')') {
          this.pos++;
          break;
        }
        this.fail(c === undefined ? `missing ')' to close ${name}` : `expected ',' or ')' but found '${c}'`);
      }
    }
    const [min, max] = ARITY[name];
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new IntrinsicSyntaxError(this.text, start, `${name} takes ${expected} argument(s), got ${args.length}`);
    }
    let template: FormatTemplate | undefined;
    if (name === 'States.Format') {
      const first = args[0];
      // The template may also be read at run time from a path or a variable ($.template, $tpl).
      if (first.kind === 'literal' && first.rawString === undefined) {
        throw new IntrinsicSyntaxError(this.text, start, 'the first argument of States.Format must be a string');
      }
      if (first.kind === 'literal') template = parseFormatTemplate(first.rawString!);
      if (template && template.pieces.length - 1 !== args.length - 1) {
        throw new IntrinsicSyntaxError(
          this.text,
          start,
          `States.Format has ${template.pieces.length - 1} placeholder(s) but ${args.length - 1} value argument(s)`,
        );
      }
    }
    const cleanArgs: IntrinsicArg[] = args.map((a) => (a.kind === 'literal' ? { kind: 'literal', value: a.value } : a));
    return { name: name as IntrinsicName, args: cleanArgs, template, text: this.text.slice(start, this.pos) };
  }

  private parseArg(depth: number): RawArg {
    this.skipSpaces();
    const rest = this.text.slice(this.pos);
    const c = rest[0];
    if (c === "'") return this.parseString();
    if (c === '$') return { kind: 'path', path: this.parsePath() };
    if (rest.startsWith('States.')) return { kind: 'call', call: this.parseCall(depth + 1) };
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word) && !/[A-Za-z0-9_]/.test(rest[word.length] ?? '')) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    return this.fail(
      c === undefined
        ? 'unexpected end of text'
        : `unexpected '${c}': expected a string, number, boolean, null, path or intrinsic function`,
    );
  }

  /** A single-quoted string. `\'`, `\\` unescape here; `\{`, `\}` are resolved by the Format template. */
  private parseString(): RawArg {
    const start = this.pos;
    this.pos++; // opening quote
    let raw = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) {
        this.pos = start;
        this.fail('unterminated string literal');
      }
      if (c === '\\' && this.pos + 1 < this.text.length) {
        raw += c + this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === "'") break;
      raw += c;
    }
    return { kind: 'literal', value: unescapeLiteral(raw), rawString: raw };
  }

  /** A reference path runs to the next top-level ',' or ')', skipping brackets, parentheses and quotes. */
  private parsePath(): string {
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (quote) {
        if (c === '\\') this.pos++;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') {
        quote = c;
      } else if (c === '[' || c === '(') {
        depth++;
      } else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) {
        break;
      }
      this.pos++;
    }
    return this.text.slice(start, this.pos).trim();
  }
}

/** Resolves the escapes AWS documents for string literals: \' \{ \} \\ (others are kept verbatim). */
function unescapeLiteral(raw: string): string {
  return raw.replace(/\\(.)/g, (whole, ch: string) => ("'{}\\".includes(ch) ? ch : whole));
}

function parseFormatTemplate(raw: string): FormatTemplate {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1];
      current += "'{}\\".includes(next) ? next : c + next;
      i++;
    } else if (c === '{' && raw[i + 1] === '}') {
      pieces.push(current);
      current = '';
      i++;
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return { pieces };
}

/** A States.Format template read from the input or a variable: a string, split at its `{}` (no escapes: it is no literal). */
function runtimeTemplate(value: unknown, values: number): readonly string[] {
  const text = expectString('States.Format', 'first', value);
  const pieces = text.split('{}');
  if (pieces.length - 1 !== values) {
    fail(`The template of States.Format has ${pieces.length - 1} placeholder(s) but ${values} value argument(s) were given.`);
  }
  return pieces;
}

function fail(message: string): never {
  throw new StatesError('States.IntrinsicFailure', message);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Evaluates a parsed call; `resolvePath` answers `$...` and `$$...` references. */
export function evaluateIntrinsic(call: IntrinsicCall, resolvePath: (path: string) => unknown): unknown {
  const values = call.args.map((arg) => evaluateArg(arg, resolvePath));
  return FUNCTIONS[call.name](values, call);
}

function evaluateArg(arg: IntrinsicArg, resolvePath: (path: string) => unknown): unknown {
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'path':
      return resolvePath(arg.path);
    case 'call':
      return evaluateIntrinsic(arg.call, resolvePath);
  }
}

type Impl = (args: unknown[], call: IntrinsicCall) => unknown;

function expectArray(fn: string, position: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) fail(`The ${position} argument of ${fn} must be an array, but was ${describeType(value)}.`);
  return value;
}

function expectString(fn: string, position: string, value: unknown): string {
  if (typeof value !== 'string') fail(`The ${position} argument of ${fn} must be a string, but was ${describeType(value)}.`);
  return value;
}

/** AWS rounds non-integer numbers to the nearest integer where an integer is required. */
function expectInteger(fn: string, position: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`The ${position} argument of ${fn} must be a number, but was ${describeType(value)}.`);
  }
  return Math.round(value);
}

function expectObject(fn: string, position: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`The ${position} argument of ${fn} must be a JSON object, but was ${describeType(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** Renders a value inside States.Format the way AWS does (Java toString for objects and arrays). */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ')}}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bArr = b as unknown[];
    return a.length === bArr.length && a.every((item, i) => deepEqual(item, bArr[i]));
  }
  const aKeys = Object.keys(a);
  const bObj = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(bObj).length &&
    aKeys.every((k) => Object.prototype.hasOwnProperty.call(bObj, k) && deepEqual((a as Record<string, unknown>)[k], bObj[k]))
  );
}

/** Deterministic generator for seeded States.MathRandom (mulberry32). */
function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const FUNCTIONS: Record<IntrinsicName, Impl> = {
  'States.Format': (args, call) => {
    const pieces = call.template?.pieces ?? runtimeTemplate(args[0], args.length - 1);
    let out = pieces[0];
    for (let i = 1; i < pieces.length; i++) out += formatValue(args[i]) + pieces[i];
    return out;
  },

  'States.StringToJson': ([text]) => {
    // Nothing to parse (null, or a string of only whitespace) gives null, as recorded on AWS.
    if (text === null || (typeof text === 'string' && text.trim() === '')) return null;
    const s = expectString('States.StringToJson', 'first', text);
    try {
      return JSON.parse(s);
    } catch {
      return fail(`The argument of States.StringToJson is not valid JSON: '${s.length > 100 ? s.slice(0, 100) + '...' : s}'.`);
    }
  },

  'States.JsonToString': ([value]) => JSON.stringify(value === undefined ? null : value),

  'States.Array': (args) => args.map((v) => (v === undefined ? null : v)),

  'States.ArrayPartition': ([array, size]) => {
    const items = expectArray('States.ArrayPartition', 'first', array);
    const chunk = expectInteger('States.ArrayPartition', 'second', size);
    if (chunk <= 0) fail(`The chunk size of States.ArrayPartition must be greater than 0, but was ${chunk}.`);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += chunk) out.push(items.slice(i, i + chunk));
    return out;
  },

  'States.ArrayContains': ([array, value]) => expectArray('States.ArrayContains', 'first', array).some((item) => deepEqual(item, value)),

  'States.ArrayRange': ([first, last, step]) => {
    const start = expectInteger('States.ArrayRange', 'first', first);
    const end = expectInteger('States.ArrayRange', 'second', last);
    const increment = expectInteger('States.ArrayRange', 'third', step);
    if (increment === 0) fail('The step of States.ArrayRange must not be 0.');
    const count = Math.floor((end - start) / increment) + 1;
    if (count > MAX_RANGE_ITEMS) {
      fail(`States.ArrayRange would produce ${count} items; the maximum is ${MAX_RANGE_ITEMS}.`);
    }
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(start + i * increment);
    return out;
  },

  'States.ArrayGetItem': ([array, index]) => {
    const items = expectArray('States.ArrayGetItem', 'first', array);
    const i = expectInteger('States.ArrayGetItem', 'second', index);
    if (i < 0 || i >= items.length) {
      fail(`The index ${i} is out of bounds for States.ArrayGetItem on an array of length ${items.length}.`);
    }
    return items[i];
  },

  'States.ArrayLength': ([array]) => expectArray('States.ArrayLength', 'first', array).length,

  'States.ArrayUnique': ([array]) => {
    const unique: unknown[] = [];
    for (const item of expectArray('States.ArrayUnique', 'first', array)) {
      if (!unique.some((seen) => deepEqual(seen, item))) unique.push(item);
    }
    return unique;
  },

  'States.Base64Encode': ([value]) => {
    const s = expectString('States.Base64Encode', 'first', value);
    if (s.length > MAX_BASE64_INPUT) fail(`The input of States.Base64Encode exceeds ${MAX_BASE64_INPUT} characters.`);
    return Buffer.from(s, 'utf8').toString('base64');
  },

  'States.Base64Decode': ([value]) => {
    const s = expectString('States.Base64Decode', 'first', value);
    if (s.length > MAX_BASE64_INPUT) fail(`The input of States.Base64Decode exceeds ${MAX_BASE64_INPUT} characters.`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) {
      fail(`The input of States.Base64Decode is not valid Base64: '${s.slice(0, 100)}'.`);
    }
    return Buffer.from(s, 'base64').toString('utf8');
  },

  'States.Hash': ([data, algorithm]) => {
    if (data === null || data === undefined) fail('The data argument of States.Hash must not be null.');
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    const alg = expectString('States.Hash', 'second', algorithm);
    const nodeAlg = HASH_ALGORITHMS[alg];
    if (!nodeAlg) {
      fail(`The hash algorithm '${alg}' is not supported by States.Hash; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}.`);
    }
    return createHash(nodeAlg).update(text, 'utf8').digest('hex');
  },

  'States.JsonMerge': ([left, right, deep]) => {
    const a = expectObject('States.JsonMerge', 'first', left);
    const b = expectObject('States.JsonMerge', 'second', right);
    if (typeof deep !== 'boolean') fail(`The third argument of States.JsonMerge must be a boolean, but was ${describeType(deep)}.`);
    // AWS supports only the shallow mode; `true` is rejected.
    if (deep) fail('States.JsonMerge supports only shallow merging; the third argument must be false.');
    return { ...a, ...b };
  },

  'States.MathRandom': ([first, last, seed]) => {
    const start = expectInteger('States.MathRandom', 'first', first);
    const end = expectInteger('States.MathRandom', 'second', last);
    if (end <= start) fail(`The end of States.MathRandom (${end}) must be greater than its start (${start}).`);
    const r = seed === undefined ? Math.random() : seededRandom(expectInteger('States.MathRandom', 'third', seed));
    return start + Math.floor(r * (end - start));
  },

  'States.MathAdd': ([a, b]) => expectInteger('States.MathAdd', 'first', a) + expectInteger('States.MathAdd', 'second', b),

  'States.StringSplit': ([value, delimiters]) => {
    const s = expectString('States.StringSplit', 'first', value);
    const d = expectString('States.StringSplit', 'second', delimiters);
    // Every character of the second argument is a delimiter; empty pieces are dropped (as recorded on AWS).
    const pieces: string[] = [];
    let current = '';
    for (const ch of s) {
      if (d.includes(ch)) {
        if (current) pieces.push(current);
        current = '';
      } else {
        current += ch;
      }
    }
    if (current) pieces.push(current);
    return d === '' ? (s ? [s] : []) : pieces;
  },

  'States.UUID': () => randomUUID(),
};
