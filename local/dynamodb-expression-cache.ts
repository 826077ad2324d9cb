/**
 * dynalite parses every request's UpdateExpression / ConditionExpression / KeyConditionExpression /
 * FilterExpression / ProjectionExpression with its PEG parsers (dynalite/db/*Parser.js, called from
 * dynalite/validations/index.js), although a fleet sends the same few texts thousands of times.
 * This caches the parse, faithfully, by wrapping the parser modules' `parse` at load time (nothing
 * in node_modules is edited; `npm ci` keeps it).
 *
 * What a parse depends on, read from the parsers' actions:
 * - the text;
 * - ExpressionAttributeNames: `#n` resolves to its name in the result; an undefined one is an error;
 *   two operands resolving to the same path are an error (checkDistinct). The whole map is in the key.
 * - ExpressionAttributeValues: `:v` resolves to the request's value object in the result, and its
 *   *type* decides errors (begins_with, size, `+`/`-`, list_append, ADD/DELETE operands). The key
 *   holds each value's name and type. Two conditions read more than the type: BETWEEN compares its
 *   bounds and attribute_type reads its string; texts that may contain them are not cached.
 * - the parse marks which names and values it used (DynamoDB rejects unused ones: "Value provided in
 *   ExpressionAttributeNames unused in expressions"); the cache records that set and replays it.
 *
 * So a miss parses with stand-ins (a value of the same type per `:v`, fresh "unused" sets holding
 * every key), and every call (the first too) gets a deep copy of the cached tree with the stand-ins
 * replaced by the request's own value objects: nothing dynalite does to its copy reaches the cache.
 * A parse that fails (a syntax error, an error string) is not cached: the request is parsed again as
 * before, so its message is dynalite's own. Bounded: least recently used entries go first.
 */

/** An AttributeValue as DynamoDB's JSON has it (`{ S: 'x' }`, `{ N: '1' }`, ...). */
type AttributeValue = Record<string, unknown>;

/** The context dynalite's validations pass to a parser (validations/index.js validateExpressions / parse). */
interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, AttributeValue>;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  [other: string]: unknown;
}

interface ParserModule {
  parse(text: string, options?: { context?: ParseContext }): unknown;
}

interface Entry {
  readonly tree: object;
  /** Stand-in value object -> the `:v` it stands for. */
  readonly standIns: ReadonlyMap<object, string>;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/** The type order of the parsers' getImmediateType. */
const TYPES = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'] as const;
const SAMPLES: Record<(typeof TYPES)[number], () => unknown> = {
  S: () => 's',
  N: () => '0',
  B: () => 'AA==',
  NULL: () => true,
  BOOL: () => false,
  SS: () => ['s'],
  NS: () => ['0'],
  BS: () => ['AA=='],
  L: () => [],
  M: () => ({}),
};
/** Condition texts whose parse reads values beyond their types (BETWEEN bounds, attribute_type's type name). */
const READS_VALUES = /between|attribute_type/i;

function typeOf(value: unknown): (typeof TYPES)[number] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const type of TYPES) if ((value as AttributeValue)[type] != null) return type;
  return undefined;
}

export class ExpressionParseCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries = 1000) {}

  get size(): number {
    return this.entries.size;
  }

  /** `parse` of one parser module, cached; `kind` tells the parsers apart in the key. */
  wrap(kind: 'condition' | 'update' | 'projection', original: ParserModule['parse']): ParserModule['parse'] {
    return (text, options) => {
      const context = options?.context;
      if (!context || typeof text !== 'string' || (kind === 'condition' && READS_VALUES.test(text))) return original(text, options);
      const key = this.keyOf(kind, text, context);
      if (key === undefined) return original(text, options);
      let entry = this.entries.get(key);
      if (entry) {
        this.hits++;
        this.entries.delete(key);
        this.entries.set(key, entry);
      } else {
        entry = parseWithStandIns(original, text, context);
        // A failed parse: parsed again with the request's own context, as without the cache.
        if (!entry) return original(text, options);
        this.misses++;
        this.entries.set(key, entry);
        if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      }
      if (context.unusedAttrNames) for (const name of entry.usedNames) delete context.unusedAttrNames[name];
      if (context.unusedAttrVals) for (const name of entry.usedValues) delete context.unusedAttrVals[name];
      return instantiate(entry, context.attrVals ?? {});
    };
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }

  private keyOf(kind: string, text: string, context: ParseContext): string | undefined {
    let values = '';
    const vals = context.attrVals;
    if (vals) {
      for (const name of Object.keys(vals)) {
        const type = typeOf(vals[name]);
        if (type === undefined) return undefined; // not an AttributeValue: leave it to dynalite
        values += `${name}=${type},`;
      }
    }
    return `${kind}\u0000${text}\u0000${context.attrNames ? JSON.stringify(context.attrNames) : ''}\u0000${values}`;
  }
}

function parseWithStandIns(original: ParserModule['parse'], text: string, context: ParseContext): Entry | undefined {
  const standIns = new Map<object, string>();
  const values: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(context.attrVals ?? {})) {
    const type = typeOf(value)!;
    const standIn = { [type]: SAMPLES[type]() };
    values[name] = standIn;
    standIns.set(standIn, name);
  }
  const unusedNames: Record<string, boolean> = {};
  for (const name of Object.keys(context.attrNames ?? {})) unusedNames[name] = true;
  const unusedValues: Record<string, boolean> = {};
  for (const name of Object.keys(values)) unusedValues[name] = true;
  let tree: unknown;
  try {
    tree = original(text, {
      context: {
        ...context,
        attrNames: context.attrNames,
        attrVals: context.attrVals ? values : undefined,
        unusedAttrNames: unusedNames,
        unusedAttrVals: unusedValues,
      },
    });
  } catch {
    return undefined;
  }
  if (tree === null || typeof tree !== 'object') return undefined;
  return {
    tree,
    standIns,
    usedNames: Object.keys(context.attrNames ?? {}).filter((name) => !(name in unusedNames)),
    usedValues: Object.keys(values).filter((name) => !(name in unusedValues)),
  };
}

/** A deep copy of the cached tree (shared nodes stay shared, null prototypes stay) with the request's value objects in. */
function instantiate(entry: Entry, values: Record<string, AttributeValue>): unknown {
  const copies = new Map<object, unknown>();
  const copy = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const standIn = entry.standIns.get(node);
    if (standIn !== undefined) return values[standIn];
    const known = copies.get(node);
    if (known !== undefined) return known;
    if (Array.isArray(node)) {
      const out: unknown[] = new Array<unknown>(node.length);
      copies.set(node, out);
      for (let i = 0; i < node.length; i++) out[i] = copy(node[i]);
      return out;
    }
    const out = Object.create(Object.getPrototypeOf(node) as object | null) as Record<string, unknown>;
    copies.set(node, out);
    for (const key of Object.keys(node)) out[key] = copy((node as Record<string, unknown>)[key]);
    return out;
  };
  return copy(entry.tree);
}

const WRAPPED = Symbol('dynalite-expression-cache');
let shared: ExpressionParseCache | undefined;

/**
 * Wraps dynalite's three expression parsers (the module cache makes them every dynalite in this
 * thread's) with one cache; idempotent. Returns the cache (its counts, for tests).
 */
export function installExpressionCache(): ExpressionParseCache {
  const cache = (shared ??= new ExpressionParseCache());
  /* eslint-disable @typescript-eslint/no-require-imports -- dynalite's parser modules have no types and are loaded by path */
  const parsers: [Parameters<ExpressionParseCache['wrap']>[0], ParserModule & { [WRAPPED]?: true }][] = [
    ['condition', require('dynalite/db/conditionParser') as ParserModule],
    ['update', require('dynalite/db/updateParser') as ParserModule],
    ['projection', require('dynalite/db/projectionParser') as ParserModule],
  ];
  /* eslint-enable @typescript-eslint/no-require-imports */
  for (const [kind, parser] of parsers) {
    if (parser[WRAPPED]) continue;
    parser.parse = cache.wrap(kind, parser.parse.bind(parser));
    parser[WRAPPED] = true;
  }
  return cache;
}
