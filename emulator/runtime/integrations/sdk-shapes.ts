/**
 * Between Step Functions' JSON and the AWS SDK v3. Step Functions names every member in PascalCase
 * (`StateMachineArn` even where the service model says `stateMachineArn`, as SFN and ECS do), the
 * SDK v3 uses the model's names: PascalCase Parameters become the command's input (timestamps as Date,
 * base64 blobs as bytes, per the operation's own schema), and the output becomes JSON as Step
 * Functions records it: member names PascalCase, without `$metadata`, timestamps as ISO-8601 strings
 * (e.g. CloudFormation DescribeStacks `"CreationTime": "2013-08-23T01:02:15.422Z"`,
 * https://github.com/sam-goodwin/functionless/issues/489), streamed bodies as their text (S3 GetObject
 * `Body`, as recorded on AWS), other blobs as base64.
 */
import type { SdkModule } from './sdk-modules';

/** The part of smithy's NormalizedSchema (`@smithy/core/schema`) the pass-through reads. */
export interface Shape {
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isBlobSchema(): boolean;
  isTimestampSchema(): boolean;
  isDocumentSchema(): boolean;
  isStreaming(): boolean;
  getValueSchema(): Shape;
  structIterator(): Iterable<[string, Shape]>;
  getMemberSchema(name: string): Shape;
}

interface SchemaLibrary {
  NormalizedSchema: { of(schema: unknown): Shape };
}

const libraries = new WeakMap<SdkModule, SchemaLibrary | null>();

/** Per client package and action: [input, output] shapes, built once (NormalizedSchema.of is not free). */
const SHAPES = new WeakMap<SdkModule, Map<string, [Shape | undefined, Shape | undefined]>>();

function shapes(sdk: SdkModule, action: string): [Shape | undefined, Shape | undefined] {
  let byAction = SHAPES.get(sdk);
  if (!byAction) SHAPES.set(sdk, (byAction = new Map()));
  let pair = byAction.get(action);
  if (!pair) {
    const input = buildInputShape(sdk, action);
    pair = [input, input && buildOutputShape(sdk, action)];
    byAction.set(action, pair);
  }
  return pair;
}

/** The operation's input shape, or undefined when the package exposes no static schemas. */
export function inputShape(sdk: SdkModule, action: string): Shape | undefined {
  return shapes(sdk, action)[0];
}

/** The operation's output shape. */
export function outputShape(sdk: SdkModule, action: string): Shape | undefined {
  return shapes(sdk, action)[1];
}

function buildInputShape(sdk: SdkModule, action: string): Shape | undefined {
  const op = sdk.operationSchema(action);
  if (!Array.isArray(op)) return undefined;
  let lib = libraries.get(sdk);
  if (lib === undefined) {
    try {
      lib = sdk.requireFromPackage('@smithy/core/schema') as SchemaLibrary;
    } catch {
      lib = null;
    }
    libraries.set(sdk, lib);
  }
  if (!lib) return undefined;
  // Operation schema: [9, namespace, name, traits, input, output]; members may be thunks.
  const input = typeof op[4] === 'function' ? (op[4] as () => unknown)() : op[4];
  return lib.NormalizedSchema.of(input);
}

function buildOutputShape(sdk: SdkModule, action: string): Shape | undefined {
  const op = sdk.operationSchema(action);
  if (!Array.isArray(op)) return undefined;
  const output = typeof op[5] === 'function' ? (op[5] as () => unknown)() : op[5];
  return libraries.get(sdk)!.NormalizedSchema.of(output);
}

/** A structure's members by the name Step Functions gives them (PascalCase) → [the model's name, shape]. */
export function membersByParameterName(shape: Shape): Map<string, [string, Shape]> {
  const cached = MEMBER_CACHE.get(shape);
  if (cached) return cached;
  const members = new Map<string, [string, Shape]>();
  for (const [name, member] of shape.structIterator()) members.set(pascal(name), [name, member]);
  MEMBER_CACHE.set(shape, members);
  return members;
}

const MEMBER_CACHE = new WeakMap<Shape, Map<string, [string, Shape]>>();
const MODEL_NAME_CACHE = new WeakMap<Shape, Map<string, Shape>>();

/** A list's or map's value shape, the same object each time (so the caches above hit for nested shapes). */
function valueShape(shape: Shape): Shape {
  let v = VALUE_CACHE.get(shape);
  if (!v) VALUE_CACHE.set(shape, (v = shape.getValueSchema()));
  return v;
}

const VALUE_CACHE = new WeakMap<Shape, Shape>();

function membersByModelName(shape: Shape): Map<string, Shape> {
  let members = MODEL_NAME_CACHE.get(shape);
  if (!members) MODEL_NAME_CACHE.set(shape, (members = new Map(shape.structIterator())));
  return members;
}

function pascal(name: string): string {
  return name.length === 0 ? name : name[0].toUpperCase() + name.slice(1);
}

/** Parameters (JSON) → SDK input: timestamps to Date, non-streamed blobs from base64. */
export function toSdkInput(value: unknown, shape: Shape | undefined): unknown {
  if (shape === undefined || value === null || value === undefined) return value;
  if (shape.isTimestampSchema()) {
    if (typeof value === 'string' || typeof value === 'number') return new Date(typeof value === 'number' ? value * 1000 : value);
    return value;
  }
  if (shape.isBlobSchema()) {
    if (typeof value === 'string' && !shape.isStreaming()) return Buffer.from(value, 'base64');
    return value;
  }
  if (shape.isListSchema() && Array.isArray(value)) return value.map((v) => toSdkInput(v, valueShape(shape)));
  if (shape.isMapSchema() && isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toSdkInput(v, valueShape(shape));
    return out;
  }
  if (shape.isStructSchema() && !shape.isDocumentSchema() && isObject(value)) {
    const members = membersByParameterName(shape);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const member = members.get(k);
      if (member) out[member[0]] = toSdkInput(v, member[1]);
      else out[k] = v;
    }
    return out;
  }
  return value;
}

/** SDK output → JSON as Step Functions records it. */
export async function fromSdkOutput(output: Record<string, unknown>, shape?: Shape): Promise<Record<string, unknown>> {
  const { $metadata: _ignored, ...rest } = output;
  return (await toJson(rest, shape)) as Record<string, unknown>;
}

async function toJson(v: unknown, shape: Shape | undefined): Promise<unknown> {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof (v as { transformToString?: unknown }).transformToString === 'function') {
    return (v as { transformToString(): Promise<string> }).transformToString();
  }
  const item = shape && (shape.isListSchema() || shape.isMapSchema()) ? valueShape(shape) : undefined;
  if (Array.isArray(v)) return Promise.all(v.map((x) => toJson(x, item)));
  if (v instanceof Set) return Promise.all([...v].map((x) => toJson(x, item)));
  const struct = shape && shape.isStructSchema() && !shape.isDocumentSchema() ? shape : undefined;
  const members = struct ? membersByModelName(struct) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    // Structure members are renamed to PascalCase; map keys (e.g. DynamoDB attribute names) are data.
    if (members) out[pascal(k)] = await toJson(x, members.get(k));
    else out[k] = await toJson(x, item);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
