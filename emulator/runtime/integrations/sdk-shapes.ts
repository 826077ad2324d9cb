/**
 * Between Step Functions' JSON and the AWS SDK v3: PascalCase Parameters become the command's input
 * (timestamps as Date, base64 blobs as bytes, per the operation's own schema), and the output becomes
 * JSON as Step Functions records it: without `$metadata`, timestamps as ISO-8601 strings
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

/** The operation's input shape, or undefined when the package exposes no static schemas. */
export function inputShape(sdk: SdkModule, action: string): Shape | undefined {
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

/** Member names of a structure shape. */
export function memberNames(shape: Shape): Set<string> {
  const names = new Set<string>();
  for (const [name] of shape.structIterator()) names.add(name);
  return names;
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
  if (shape.isListSchema() && Array.isArray(value)) return value.map((v) => toSdkInput(v, shape.getValueSchema()));
  if (shape.isMapSchema() && isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toSdkInput(v, shape.getValueSchema());
    return out;
  }
  if (shape.isStructSchema() && isObject(value)) {
    const members = new Map(shape.structIterator());
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toSdkInput(v, members.get(k));
    return out;
  }
  return value;
}

/** SDK output → JSON as Step Functions records it. */
export async function fromSdkOutput(output: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(output)) {
    if (k === '$metadata' || v === undefined) continue;
    out[k] = await toJson(v);
  }
  return out;
}

async function toJson(v: unknown): Promise<unknown> {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof (v as { transformToString?: unknown }).transformToString === 'function') {
    return (v as { transformToString(): Promise<string> }).transformToString();
  }
  if (Array.isArray(v)) return Promise.all(v.map(toJson));
  if (v instanceof Set) return Promise.all([...v].map(toJson));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = await toJson(x);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
