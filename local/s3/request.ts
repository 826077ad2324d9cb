/**
 * The request side of the local S3's REST protocol: which operation a request is (method, path, query,
 * headers), how the bucket is addressed (path or virtual-hosted style), request bodies and headers
 * (aws-chunked uploads, metadata, tagging, copy source), validation, and S3's error shape
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { AwsError } from '../http';
import { VERSION_ID_FORMAT, type ObjectVersion } from './store';
import { MalformedXmlError } from './xml';

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'PutBucketVersioning'
  | 'GetBucketVersioning'
  | 'PutBucketNotificationConfiguration'
  | 'GetBucketNotificationConfiguration'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'PutObjectTagging'
  | 'GetObjectTagging'
  | 'DeleteObjectTagging';

export const ERROR_STATUS: Record<string, number> = {
  AccessDenied: 403,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  InternalError: 500,
  MethodNotAllowed: 405,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  ServiceUnavailable: 503,
  SlowDown: 503,
  EntityTooLarge: 400,
};
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-language', 'expires'];
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function operationOf(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  q: URLSearchParams,
  headers: IncomingMessage['headers'],
): S3Operation {
  const unsupported = (): never => {
    throw s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented');
  };
  if (bucket === undefined) {
    if (method === 'GET') return 'ListBuckets';
    return unsupported();
  }
  if (key === undefined) {
    switch (method) {
      case 'PUT':
        if (q.has('versioning')) return 'PutBucketVersioning';
        if (q.has('notification')) return 'PutBucketNotificationConfiguration';
        if ([...q.keys()].some((k) => k !== 'x-id')) return unsupported();
        return 'CreateBucket';
      case 'GET':
        if (q.has('versioning')) return 'GetBucketVersioning';
        if (q.has('notification')) return 'GetBucketNotificationConfiguration';
        if (q.has('location')) return 'GetBucketLocation';
        if (q.has('versions')) return 'ListObjectVersions';
        if (q.get('list-type') === '2') return 'ListObjectsV2';
        return unsupported();
      case 'HEAD':
        return 'HeadBucket';
      case 'DELETE':
        if ([...q.keys()].some((k) => k !== 'x-id')) return unsupported();
        return 'DeleteBucket';
      case 'POST':
        if (q.has('delete')) return 'DeleteObjects';
        return unsupported();
      default:
        return unsupported();
    }
  }
  switch (method) {
    case 'PUT':
      if (q.has('tagging')) return 'PutObjectTagging';
      if (headers['x-amz-copy-source']) return 'CopyObject';
      if (q.has('uploadId') || q.has('acl') || q.has('retention') || q.has('legal-hold')) return unsupported();
      return 'PutObject';
    case 'GET':
      if (q.has('tagging')) return 'GetObjectTagging';
      if (q.has('acl') || q.has('uploadId') || q.has('attributes')) return unsupported();
      if (headers.range) return unsupported();
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      if (q.has('tagging')) return 'DeleteObjectTagging';
      if (q.has('uploadId')) return unsupported();
      return 'DeleteObject';
    default:
      return unsupported();
  }
}

/** `bucket.localhost[:port]` or `bucket.s3.<host>` / `bucket.s3-<region>.<host>`; IPs and plain hosts are path-style. */
export function virtualHostBucket(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (isIP(hostname) || hostname === 'localhost' || !hostname.includes('.')) return undefined;
  if (hostname.endsWith('.localhost')) return hostname.slice(0, -'.localhost'.length);
  const m = /^(.+?)\.s3[.-]/.exec(hostname);
  return m ? m[1] : undefined;
}

/** Undoes `aws-chunked` content encoding (the SDK's streaming uploads with trailing checksums). */
export function decodeBody(req: IncomingMessage, raw: Buffer): Buffer {
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  const encoding = header(req, 'content-encoding') ?? '';
  if (!sha.startsWith('STREAMING-') && !encoding.split(',').some((e) => e.trim() === 'aws-chunked')) return raw;
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', pos);
    if (lineEnd < 0) throw s3Error('IncompleteBody', 'The request body terminated unexpectedly');
    const size = parseInt(raw.subarray(pos, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size)) throw s3Error('IncompleteBody', 'The request body has a malformed aws-chunked chunk header');
    pos = lineEnd + 2;
    if (size === 0) break;
    parts.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
  return Buffer.concat(parts);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function metadataOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (k.startsWith('x-amz-meta-') && typeof v === 'string') out[k.slice('x-amz-meta-'.length)] = v;
  return out;
}

export function pickHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const v = header(req, name);
    if (v !== undefined) out[name] = v;
  }
  const encoding = header(req, 'content-encoding')
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'aws-chunked')
    .join(',');
  if (encoding) out['content-encoding'] = encoding;
  return out;
}

export function parseTaggingHeader(value: string | string[] | undefined): Record<string, string> {
  if (typeof value !== 'string' || value === '') return {};
  const tags = Object.fromEntries(new URLSearchParams(value));
  validateTags(tags);
  return tags;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html: up to 10 tags, keys ≤ 128, values ≤ 256 characters. */
export function validateTags(tags: Record<string, string>): void {
  const entries = Object.entries(tags);
  if (entries.length > 10) throw s3Error('BadRequest', 'Object tags cannot be greater than 10');
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 128) throw s3Error('InvalidTag', 'The TagKey you have provided is invalid', { TagKey: k });
    if (v.length > 256) throw s3Error('InvalidTag', 'The TagValue you have provided is invalid', { TagKey: k, TagValue: v });
  }
}

export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  const [path, query] = value.split('?', 2);
  const decoded = decodeURIComponent(path.replace(/^\//, ''));
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw s3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      ArgumentName: 'x-amz-copy-source',
    });
  const versionId = query ? (new URLSearchParams(query).get('versionId') ?? undefined) : undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

export function checkVersionIdFormat(versionId: string): void {
  if (versionId !== 'null' && !VERSION_ID_FORMAT.test(versionId)) {
    throw s3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
  }
}

export function versionHeader(v: ObjectVersion): Record<string, string> {
  return v.versionId !== 'null' ? { 'x-amz-version-id': v.versionId } : {};
}

export function parseMaxKeys(value: string | null): number {
  if (value === null) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: value,
    });
  return Math.min(n, 1000);
}

export function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  if (!delimiter) return undefined;
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : key.slice(0, i + delimiter.length);
}

/** S3 lists keys in UTF-8 binary order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (the general purpose bucket rules). */
export function validBucketName(name: string): boolean {
  return (
    BUCKET_NAME.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias')
  );
}

export function parseXml<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof MalformedXmlError)
      throw s3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    throw e;
  }
}

/** An S3 error: its code's status, and the extra elements S3 puts in `<Error>` (BucketName, Key, VersionId, ...). */
export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    readonly fields: Record<string, string | undefined> = {},
    headers?: Record<string, string>,
  ) {
    super(code, message, ERROR_STATUS[code] ?? 400, undefined, headers);
  }
}

export function s3Error(
  code: string,
  message: string,
  fields?: Record<string, string | undefined>,
  headers?: Record<string, string>,
): S3Error {
  return new S3Error(code, message, fields, headers);
}

export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}
