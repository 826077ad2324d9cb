/**
 * Choice rules: JSONPath comparison operators (and their `Path` variants), type tests, And/Or/Not,
 * and the JSONata `Condition`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import { StatesError, States } from '../errors';
import { resolveReference, type PathEnvironment } from './jsonpath';

const COMPARISONS = [
  'StringEquals',
  'StringLessThan',
  'StringGreaterThan',
  'StringLessThanEquals',
  'StringGreaterThanEquals',
  'StringMatches',
  'NumericEquals',
  'NumericLessThan',
  'NumericGreaterThan',
  'NumericLessThanEquals',
  'NumericGreaterThanEquals',
  'BooleanEquals',
  'TimestampEquals',
  'TimestampLessThan',
  'TimestampGreaterThan',
  'TimestampLessThanEquals',
  'TimestampGreaterThanEquals',
] as const;
const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

export const CHOICE_OPERATORS: ReadonlySet<string> = new Set([
  ...COMPARISONS,
  ...COMPARISONS.filter((c) => c !== 'StringMatches').map((c) => `${c}Path`),
  ...TYPE_TESTS,
]);

/** The operator key of a JSONPath rule (the one key besides Variable/Next/Assign/Output/Comment), if any. */
export function ruleOperator(rule: Readonly<Record<string, unknown>>): string | undefined {
  for (const k of Object.keys(rule)) if (CHOICE_OPERATORS.has(k)) return k;
  return undefined;
}

/** RFC 3339 timestamp (the form IsTimestamp and Timestamp* accept). */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [mo, d, h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * StringMatches: `*` matches any run of characters, `\*` is a literal star and `\\` a literal
 * backslash; nothing else is special. https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 *
 * Matched without regular expressions, in linear time: the pattern is cut at its stars into literal
 * pieces; the first must be a prefix, the last a suffix, and each middle piece is found at its
 * leftmost place after the previous one (leftmost is always right for globs with `*` alone). A
 * backtracking regular expression took exponential time on patterns with several stars.
 */
const globCache = new Map<string, readonly string[]>();
export function stringMatches(value: string, pattern: string): boolean {
  let pieces = globCache.get(pattern);
  if (!pieces) {
    pieces = globPieces(pattern);
    if (globCache.size < 5000) globCache.set(pattern, pieces);
  }
  if (pieces.length === 1) return value === pieces[0];
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let from = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i];
    if (piece.length === 0) continue;
    const at = value.indexOf(piece, from);
    if (at < 0 || at + piece.length > end) return false;
    from = at + piece.length;
  }
  return true;
}

/** The literal pieces between unescaped stars (n stars give n + 1 pieces, possibly empty). */
function globPieces(pattern: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) current += pattern[++i];
    else if (c === '*') {
      pieces.push(current);
      current = '';
    } else current += c;
  }
  pieces.push(current);
  return pieces;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (op.startsWith('String')) {
    if (typeof a !== 'string' || typeof b !== 'string') return false;
    switch (op) {
      case 'StringEquals':
        return a === b;
      case 'StringLessThan':
        return a < b;
      case 'StringGreaterThan':
        return a > b;
      case 'StringLessThanEquals':
        return a <= b;
      case 'StringGreaterThanEquals':
        return a >= b;
      case 'StringMatches':
        return stringMatches(a, b);
    }
  }
  if (op.startsWith('Numeric')) {
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    switch (op) {
      case 'NumericEquals':
        return a === b;
      case 'NumericLessThan':
        return a < b;
      case 'NumericGreaterThan':
        return a > b;
      case 'NumericLessThanEquals':
        return a <= b;
      case 'NumericGreaterThanEquals':
        return a >= b;
    }
  }
  if (op === 'BooleanEquals') return typeof a === 'boolean' && typeof b === 'boolean' && a === b;
  if (op.startsWith('Timestamp')) {
    const ta = parseTimestamp(a);
    const tb = parseTimestamp(b);
    if (ta === undefined || tb === undefined) return false;
    switch (op) {
      case 'TimestampEquals':
        return ta === tb;
      case 'TimestampLessThan':
        return ta < tb;
      case 'TimestampGreaterThan':
        return ta > tb;
      case 'TimestampLessThanEquals':
        return ta <= tb;
      case 'TimestampGreaterThanEquals':
        return ta >= tb;
    }
  }
  return false;
}

function missingPath(path: string): StatesError {
  return new StatesError(States.Runtime, `Invalid path '${path}': The choice state's condition path references an invalid value.`);
}

/** Evaluates one JSONPath Choice rule (recursively for And/Or/Not) against the state's effective input. */
export function evaluateJsonPathRule(rule: Readonly<Record<string, unknown>>, env: PathEnvironment): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Record<string, unknown>[]).every((r) => evaluateJsonPathRule(r, env));
  if (Array.isArray(rule.Or)) return (rule.Or as Record<string, unknown>[]).some((r) => evaluateJsonPathRule(r, env));
  if (rule.Not && typeof rule.Not === 'object') return !evaluateJsonPathRule(rule.Not as Record<string, unknown>, env);
  const op = ruleOperator(rule);
  const variablePath = rule.Variable as string;
  if (op === undefined) throw new StatesError(States.Runtime, `Choice rule has no comparison operator`);
  const value = resolveReference(variablePath, env);
  const operand = rule[op];
  if (op === 'IsPresent') return (value !== undefined) === operand;
  if (value === undefined) throw missingPath(variablePath);
  switch (op) {
    case 'IsNull':
      return (value === null) === operand;
    case 'IsNumeric':
      return (typeof value === 'number') === operand;
    case 'IsString':
      return (typeof value === 'string') === operand;
    case 'IsBoolean':
      return (typeof value === 'boolean') === operand;
    case 'IsTimestamp':
      return (parseTimestamp(value) !== undefined) === operand;
  }
  if (op.endsWith('Path')) {
    const other = resolveReference(operand as string, env);
    if (other === undefined) throw missingPath(operand as string);
    return compare(op.slice(0, -4), value, other);
  }
  return compare(op, value, operand);
}
