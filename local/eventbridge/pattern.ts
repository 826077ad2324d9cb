/**
 * EventBridge event patterns: parsed once into a matcher tree (validation errors name the field and the
 * rule, as InvalidEventPatternException), then matched against events.
 *
 * The rules, as AWS documents them:
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html (fields, nesting:
 *   every field of the pattern must be in the event with the same nesting; values in arrays are ORed;
 *   exact matching is character by character, case-sensitive)
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html (an array in the
 *   event matches when its intersection with the pattern's array is non-empty)
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (prefix,
 *   suffix, anything-but and its prefix/suffix/equals-ignore-case/wildcard variants, numeric, cidr, exists,
 *   equals-ignore-case, wildcard, `$or`; comparison operators only on leaf nodes, except `$or` and
 *   anything-but)
 */

export class EventPatternError extends Error {
  readonly code = 'InvalidEventPatternException';
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternException';
  }
}

type Scalar = string | number | boolean | null;

type LeafMatcher =
  | { readonly kind: 'exact'; readonly value: Scalar }
  | { readonly kind: 'prefix' | 'suffix' | 'equals-ignore-case'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'wildcard'; readonly regex: RegExp }
  | { readonly kind: 'numeric'; readonly checks: readonly (readonly [NumericOp, number])[] }
  | { readonly kind: 'cidr'; readonly network: number; readonly mask: number }
  | { readonly kind: 'exists'; readonly value: boolean }
  /** Matches a present value that none of `inner` matches. */
  | { readonly kind: 'anything-but'; readonly inner: readonly LeafMatcher[] };

type NumericOp = '<' | '<=' | '=' | '>' | '>=';

interface PatternNode {
  readonly fields: readonly { readonly name: string; readonly leaf?: readonly LeafMatcher[]; readonly node?: PatternNode }[];
  /** Each `$or` at this level: at least one alternative must match the same object. */
  readonly or?: readonly PatternNode[];
}

/** A parsed, validated event pattern. */
export class EventPattern {
  private constructor(
    private readonly root: PatternNode,
    /** The pattern's JSON text as given. */
    readonly text: string,
  ) {}

  /** Parses and validates a pattern given as JSON text (as PutRule and TestEventPattern take it). */
  static parse(text: string): EventPattern {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new EventPatternError(`the pattern is not valid JSON (${(e as Error).message})`);
    }
    if (!isPlainObject(parsed)) throw new EventPatternError('Filter is not an object');
    return new EventPattern(parseNode(parsed, ''), text);
  }

  matches(event: unknown): boolean {
    return matchNode(this.root, event);
  }
}

/** Convenience: parse and match in one call (tests, TestEventPattern). */
export function matchesEventPattern(patternText: string, event: unknown): boolean {
  return EventPattern.parse(patternText).matches(event);
}

// ------------------------------------------------------------------ parsing

const NUMERIC_LIMIT = 5e9; // "numeric matching ... between -5.0e9 and +5.0e9 inclusive" (content filtering docs)

function parseNode(obj: Record<string, unknown>, path: string): PatternNode {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new EventPatternError(`Empty objects are not allowed${at(path)}`);
  const fields: { name: string; leaf?: LeafMatcher[]; node?: PatternNode }[] = [];
  let or: PatternNode[] | undefined;
  for (const key of keys) {
    const value = obj[key];
    const fieldPath = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) {
        throw new EventPatternError(`"$or" must be an array of at least two pattern objects${at(fieldPath)}`);
      }
      or = value.map((alt, i) => {
        if (!isPlainObject(alt)) throw new EventPatternError(`every "$or" alternative must be an object${at(`${fieldPath}[${i}]`)}`);
        return parseNode(alt, path);
      });
    } else if (isPlainObject(value)) {
      fields.push({ name: key, node: parseNode(value, fieldPath) });
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new EventPatternError(`Empty arrays are not allowed${at(fieldPath)}`);
      fields.push({ name: key, leaf: value.map((m) => parseMatcher(m, fieldPath)) });
    } else {
      throw new EventPatternError(`Match value must be an array of values or match expressions, or an object${at(fieldPath)}`);
    }
  }
  return { fields, or };
}

function parseMatcher(m: unknown, path: string): LeafMatcher {
  if (m === null || typeof m === 'string' || typeof m === 'boolean') return { kind: 'exact', value: m };
  if (typeof m === 'number') return { kind: 'exact', value: m };
  if (Array.isArray(m)) throw new EventPatternError(`Match value must be String, number, true, false, or null${at(path)}`);
  const obj = m as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length !== 1) throw new EventPatternError(`a match expression has exactly one operator, got ${keys.length}${at(path)}`);
  const op = keys[0];
  const arg = obj[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof arg === 'string') return { kind: op, value: arg, ignoreCase: false };
      if (isPlainObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
        return { kind: op, value: arg['equals-ignore-case'] as string, ignoreCase: true };
      }
      throw new EventPatternError(`Value of ${op} must be a string or a valid equals-ignore-case expression${at(path)}`);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new EventPatternError(`equals-ignore-case match pattern must be a string${at(path)}`);
      return { kind: 'equals-ignore-case', value: arg, ignoreCase: true };
    case 'wildcard':
      if (typeof arg !== 'string') throw new EventPatternError(`wildcard match pattern must be a string${at(path)}`);
      return { kind: 'wildcard', regex: wildcardRegex(arg, path) };
    case 'exists':
      if (typeof arg !== 'boolean') throw new EventPatternError(`exists match pattern must be either true or false${at(path)}`);
      return { kind: 'exists', value: arg };
    case 'numeric':
      return { kind: 'numeric', checks: parseNumeric(arg, path) };
    case 'cidr':
      return parseCidr(arg, path);
    case 'anything-but':
      return { kind: 'anything-but', inner: parseAnythingBut(arg, path) };
    default:
      throw new EventPatternError(`Unrecognized match type ${op}${at(path)}`);
  }
}

function parseAnythingBut(arg: unknown, path: string): LeafMatcher[] {
  if (typeof arg === 'string' || typeof arg === 'number') return [{ kind: 'exact', value: arg }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new EventPatternError(`Empty arrays are not allowed inside anything-but${at(path)}`);
    const allStrings = arg.every((v) => typeof v === 'string');
    const allNumbers = arg.every((v) => typeof v === 'number');
    if (!allStrings && !allNumbers) {
      throw new EventPatternError(`anything-but lists must contain only strings or only numbers${at(path)}`);
    }
    return arg.map((v) => ({ kind: 'exact', value: v as string | number }));
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1) throw new EventPatternError(`anything-but takes one nested operator, got ${keys.length}${at(path)}`);
    const op = keys[0];
    const value = arg[op];
    const strings = (what: string): string[] => {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || !list.every((v) => typeof v === 'string')) {
        throw new EventPatternError(`Value of anything-but ${what} must be a string or an array of strings${at(path)}`);
      }
      return list as string[];
    };
    switch (op) {
      case 'prefix':
      case 'suffix':
        if (typeof value !== 'string') throw new EventPatternError(`Value of anything-but ${op} must be a string${at(path)}`);
        return [{ kind: op, value, ignoreCase: false }];
      case 'equals-ignore-case':
        return strings(op).map((v) => ({ kind: 'equals-ignore-case', value: v, ignoreCase: true }));
      case 'wildcard':
        return strings(op).map((v) => ({ kind: 'wildcard', regex: wildcardRegex(v, path) }));
      default:
        throw new EventPatternError(`Unsupported anything-but pattern: ${op}${at(path)}`);
    }
  }
  throw new EventPatternError(`Value of anything-but must be an array or single string/number value${at(path)}`);
}

function parseNumeric(arg: unknown, path: string): [NumericOp, number][] {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    throw new EventPatternError(`Value of numeric must be an array of one or two [operator, number] pairs${at(path)}`);
  }
  const checks: [NumericOp, number][] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = arg[i + 1];
    if (op !== '<' && op !== '<=' && op !== '=' && op !== '>' && op !== '>=') {
      throw new EventPatternError(`Unrecognized numeric range operator: ${JSON.stringify(op)}${at(path)}`);
    }
    if (typeof n !== 'number') throw new EventPatternError(`Value of ${op} must be numeric${at(path)}`);
    if (Math.abs(n) > NUMERIC_LIMIT) throw new EventPatternError(`Value of ${op} must be between -5.0E9 and 5.0E9${at(path)}`);
    checks.push([op, n]);
  }
  const lower = checks.filter(([op]) => op === '>' || op === '>=');
  const upper = checks.filter(([op]) => op === '<' || op === '<=');
  const equal = checks.filter(([op]) => op === '=');
  if (equal.length > 0 && checks.length > 1) throw new EventPatternError(`"=" cannot be combined with another numeric operator${at(path)}`);
  if (lower.length > 1 || upper.length > 1) throw new EventPatternError(`Bad numeric range: two bounds on the same side${at(path)}`);
  if (lower.length === 1 && upper.length === 1 && !(lower[0][1] < upper[0][1])) {
    throw new EventPatternError(`Bad numeric range: the lower bound must be below the upper bound${at(path)}`);
  }
  return checks;
}

function parseCidr(arg: unknown, path: string): LeafMatcher {
  const m = typeof arg === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(arg) : null;
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits > 32) {
    throw new EventPatternError(`Malformed CIDR, one '/' required, IPv4 a.b.c.d/n (IPv6 is not in this local subset)${at(path)}`);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { kind: 'cidr', network: (ipv4ToInt(octets) & mask) >>> 0, mask };
}

function wildcardRegex(pattern: string, path: string): RegExp {
  if (pattern.includes('**')) throw new EventPatternError(`Consecutive wildcard characters are not allowed${at(path)}`);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += escapeRegex(pattern[++i]);
    } else if (c === '*') {
      source += '[\\s\\S]*';
    } else {
      source += escapeRegex(c);
    }
  }
  return new RegExp(`^${source}$`);
}

// ------------------------------------------------------------------ matching

function matchNode(node: PatternNode, value: unknown): boolean {
  // An object pattern against an array of objects: some element matches the whole sub-pattern.
  if (Array.isArray(value)) return value.some((v) => isPlainObject(v) && matchNode(node, v));
  const obj = isPlainObject(value) ? value : undefined;
  for (const field of node.fields) {
    const v = obj ? obj[field.name] : undefined;
    if (field.node) {
      if (!matchNode(field.node, v)) return false;
    } else if (!matchLeaf(field.leaf!, v)) {
      return false;
    }
  }
  if (node.or && !node.or.some((alt) => matchNode(alt, obj))) return false;
  return true;
}

function matchLeaf(matchers: readonly LeafMatcher[], value: unknown): boolean {
  const values = leafValues(value);
  if (values.length === 0) return matchers.some((m) => m.kind === 'exists' && !m.value);
  return matchers.some((m) => values.some((v) => matchOne(m, v)));
}

/** The scalar values at a field: arrays are flattened; objects are not leaves. */
function leafValues(value: unknown): Scalar[] {
  if (value === undefined || isPlainObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return [value as Scalar];
}

function matchOne(m: LeafMatcher, v: Scalar): boolean {
  switch (m.kind) {
    case 'exact':
      return typeof m.value === 'number' ? typeof v === 'number' && v === m.value : v === m.value;
    case 'exists':
      return m.value;
    case 'prefix':
      return typeof v === 'string' && (m.ignoreCase ? fold(v).startsWith(fold(m.value)) : v.startsWith(m.value));
    case 'suffix':
      return typeof v === 'string' && (m.ignoreCase ? fold(v).endsWith(fold(m.value)) : v.endsWith(m.value));
    case 'equals-ignore-case':
      return typeof v === 'string' && fold(v) === fold(m.value);
    case 'wildcard':
      return typeof v === 'string' && m.regex.test(v);
    case 'numeric':
      return typeof v === 'number' && m.checks.every(([op, n]) => compare(op, v, n));
    case 'cidr': {
      const ip = typeof v === 'string' ? parseIpv4(v) : undefined;
      return ip !== undefined && (ip & m.mask) >>> 0 === m.network;
    }
    case 'anything-but':
      // Prefix/suffix/ignore-case/wildcard variants only apply to strings; plain lists to any value.
      if (m.inner.some((i) => i.kind !== 'exact') && typeof v !== 'string') return false;
      return !m.inner.some((i) => matchOne(i, v));
  }
}

function compare(op: NumericOp, v: number, n: number): boolean {
  switch (op) {
    case '<':
      return v < n;
    case '<=':
      return v <= n;
    case '=':
      return v === n;
    case '>':
      return v > n;
    case '>=':
      return v >= n;
  }
}

// ------------------------------------------------------------------ helpers

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function at(path: string): string {
  return path ? ` (at "${path}")` : '';
}

function fold(s: string): string {
  return s.toLowerCase();
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  return octets.some((o) => o > 255) ? undefined : ipv4ToInt(octets);
}

function ipv4ToInt(o: number[]): number {
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}
