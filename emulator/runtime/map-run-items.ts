/**
 * Where a Distributed Map's items come from and how they are grouped: ItemReader (an S3 object read
 * as JSON, JSON Lines or CSV, or an S3 listing) and ItemBatcher.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 *
 * The S3 calls go through the execution's Task resolution chain (mock configuration, registered
 * handlers, SDK pass-through) as the resources `arn:aws:states:::s3:getObject` and
 * `arn:aws:states:::s3:listObjectsV2`, with S3's PascalCase members. An answer to getObject is the
 * object's body as a string, or `{ Body }` as the aws-sdk integration returns it; an answer to
 * listObjectsV2 is S3's ListObjectsV2 output (`Contents`, `IsTruncated`, `NextContinuationToken`).
 */
import { StatesError, States } from '../errors';
import { ITEM_READER_LIST_OBJECTS } from '../asl/parse';
import type { ItemReaderModel } from '../asl/model';

/** Calls an S3 operation for the reader; resolves with the service's answer. */
export type S3Call = (resource: string, parameters: Record<string, unknown>) => Promise<unknown>;

/** Most items a Map Run may read. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html */
export const MAX_ITEMS_LIMIT = 100_000_000;

function readerFailed(message: string): StatesError {
  return new StatesError(States.ItemReaderFailed, message);
}

/**
 * Reads the items an ItemReader names. `parameters` are its evaluated Parameters/Arguments
 * (Bucket, Key[, VersionId] for getObject; Bucket[, Prefix] for listObjectsV2).
 */
export async function readItemSource(
  reader: ItemReaderModel,
  parameters: unknown,
  call: S3Call,
  maxItems: number | undefined,
): Promise<unknown[]> {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw readerFailed(
      `The ItemReader's parameters must be an object with Bucket and ${reader.resource === ITEM_READER_LIST_OBJECTS ? 'Prefix' : 'Key'}`,
    );
  }
  const params = parameters as Record<string, unknown>;
  if (typeof params.Bucket !== 'string' || params.Bucket === '')
    throw readerFailed("The ItemReader's parameters must name a Bucket (a string)");
  const limit = maxItems ?? MAX_ITEMS_LIMIT;
  if (reader.resource === ITEM_READER_LIST_OBJECTS) return listObjects(params, call, limit);
  if (typeof params.Key !== 'string' || params.Key === '') throw readerFailed("The ItemReader's parameters must name a Key (a string)");
  const body = bodyText(await call(reader.resource, params));
  return parseBody(reader, body, limit);
}

/** The body of a getObject answer. */
function bodyText(answer: unknown): string {
  if (typeof answer === 'string') return answer;
  if (answer !== null && typeof answer === 'object' && 'Body' in answer) {
    const body = (answer as { Body: unknown }).Body;
    if (typeof body === 'string') return body;
    if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
    return JSON.stringify(body);
  }
  throw readerFailed('The getObject answer has no body (expected a string or an object with Body)');
}

/** Splits an object's body into items as ReaderConfig.InputType says. */
export function parseBody(
  reader: Pick<ItemReaderModel, 'inputType' | 'csvHeaderLocation' | 'csvHeaders' | 'csvDelimiter'>,
  body: string,
  limit: number,
): unknown[] {
  switch (reader.inputType) {
    case 'JSON': {
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch (e) {
        throw readerFailed(`The object is not valid JSON: ${(e as Error).message}`);
      }
      // AWS's wording (as LocalStack's AWS-validated reader has it) for a JSON object that is not an array.
      if (!Array.isArray(value)) throw readerFailed('Attempting to map over non-iterable node.');
      return value.slice(0, limit);
    }
    case 'JSONL': {
      const items: unknown[] = [];
      const lines = body.split(/\r?\n/);
      for (let i = 0; i < lines.length && items.length < limit; i++) {
        if (lines[i].trim() === '') continue;
        try {
          items.push(JSON.parse(lines[i]));
        } catch (e) {
          throw readerFailed(`Line ${i + 1} of the JSON Lines object is not valid JSON: ${(e as Error).message}`);
        }
      }
      return items;
    }
    case 'CSV':
      return csvItems(body, reader.csvDelimiter, reader.csvHeaderLocation === 'GIVEN' ? reader.csvHeaders : undefined, limit);
    default:
      throw readerFailed('ReaderConfig.InputType is required to read an S3 object');
  }
}

/**
 * CSV rows as objects keyed by the header (the first row, or CSVHeaders), values as strings, as the
 * docs' examples show. Quoted fields may contain the delimiter, line breaks and doubled quotes (RFC 4180).
 */
export function csvItems(
  body: string,
  delimiter: string,
  givenHeaders: readonly string[] | undefined,
  limit: number,
): Record<string, string>[] {
  const rows = csvRows(body, delimiter);
  const headers = givenHeaders ?? rows.shift();
  if (!headers) return [];
  if (new Set(headers).size < headers.length) throw readerFailed('CSV headers cannot contain duplicates.');
  // A short row gets "" for its missing fields; fields beyond the header are dropped (as AWS reads CSV,
  // per LocalStack's AWS-validated reader, github.com/localstack/localstack resource_output_transformer_csv.py).
  const items: Record<string, string>[] = [];
  for (let r = 0; r < rows.length && items.length < limit; r++) {
    const row = rows[r];
    const item: Record<string, string> = {};
    headers.forEach((h, i) => (item[h] = row[i] ?? ''));
    items.push(item);
  }
  return items;
}

function csvRows(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (fieldStarted || field !== '' || row.length > 0) rows.push([...row, field]);
      row = [];
      field = '';
      fieldStarted = false;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (fieldStarted || field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * Every object under a prefix, one item each: `{Etag, Key, LastModified (epoch seconds), Size,
 * StorageClass}` as the docs show, following ContinuationToken pages.
 */
async function listObjects(params: Record<string, unknown>, call: S3Call, limit: number): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const request: Record<string, unknown> = { ...params };
    if (token !== undefined) request.ContinuationToken = token;
    const page = (await call(ITEM_READER_LIST_OBJECTS, request)) as
      { Contents?: Record<string, unknown>[]; IsTruncated?: boolean; NextContinuationToken?: string } | undefined;
    if (page === null || typeof page !== 'object') throw readerFailed('The listObjectsV2 answer is not an object');
    for (const o of page.Contents ?? []) {
      if (items.length >= limit) return items;
      items.push({
        Etag: o.ETag ?? o.Etag,
        Key: o.Key,
        LastModified: epochSeconds(o.LastModified),
        Size: o.Size,
        StorageClass: o.StorageClass ?? 'STANDARD',
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return items;
}

function epochSeconds(v: unknown): unknown {
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Math.floor(Date.parse(v) / 1000);
  return v;
}

// ---------------------------------------------------------------- ItemBatcher

export interface BatchLimits {
  maxItems?: number;
  maxBytes?: number;
}

/**
 * Groups items into batches `{ BatchInput?, Items }`, each within MaxItemsPerBatch items and
 * MaxInputBytesPerBatch bytes of JSON (a single item larger than the byte limit gets a batch of its own).
 */
export function batchItems(items: readonly unknown[], limits: BatchLimits, batchInput: unknown): { input: unknown; itemCount: number }[] {
  const batches: { input: unknown; itemCount: number }[] = [];
  const base = batchInput === undefined ? {} : { BatchInput: batchInput };
  const baseBytes = Buffer.byteLength(JSON.stringify({ ...base, Items: [] }), 'utf8');
  let current: unknown[] = [];
  let bytes = baseBytes;
  const flush = () => {
    if (current.length === 0) return;
    batches.push({ input: { ...base, Items: current }, itemCount: current.length });
    current = [];
    bytes = baseBytes;
  };
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item) ?? 'null', 'utf8');
    const tooMany = limits.maxItems !== undefined && current.length >= limits.maxItems;
    const tooBig = limits.maxBytes !== undefined && current.length > 0 && bytes + 1 + size > limits.maxBytes;
    if (tooMany || tooBig) flush();
    bytes += (current.length > 0 ? 1 : 0) + size; // a comma between items
    current.push(item);
  }
  flush();
  return batches;
}
