/**
 * The local S3: a small, faithful subset of the REST-XML protocol
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html), path-style
 * (`http://127.0.0.1:port/bucket/key`, what `@aws-sdk/client-s3` with `forcePathStyle: true` and
 * `aws s3api --endpoint-url` send) and virtual-hosted style when the Host header names the bucket
 * (`bucket.localhost:port`, `bucket.s3.<anything>`).
 *
 * Operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation, Put/GetBucketVersioning,
 * Put/GetBucketNotificationConfiguration, PutObject, CopyObject, GetObject, HeadObject, DeleteObject,
 * DeleteObjects, ListObjectsV2, ListObjectVersions, Put/Get/DeleteObjectTagging. Errors as S3 answers them
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 *
 * With EventBridge notifications on (a NotificationConfiguration holding `<EventBridgeConfiguration/>`),
 * every PutObject/CopyObject/DeleteObject hands the documented `Object Created` / `Object Deleted` event
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html) to the ServiceEventSink.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Timeline } from '../../emulator/runtime/timeline';
import type { ServiceEventSink } from '../service-events';
import { AwsError, BodyTooLargeError, FaultPlan, listenLoopback, readBody, type FaultRule, type LoopbackServer } from '../http';
import type { InProcessNetwork } from '../in-process';
import { S3Store, VERSION_ID_FORMAT, type Bucket, type ObjectVersion } from './store';
import {
  ERROR_STATUS,
  S3Error,
  checkVersionIdFormat,
  commonPrefix,
  compareKeys,
  decodeBody,
  header,
  isoMillis,
  metadataOf,
  operationOf,
  parseCopySource,
  parseMaxKeys,
  parseTaggingHeader,
  parseXml,
  pickHeaders,
  s3Error,
  validBucketName,
  validateTags,
  versionHeader,
  virtualHostBucket,
  type S3Operation,
} from './request';
import { MalformedXmlError, elementTexts, escapeXml, expectRoot, hasElement, xmlDocument, type XmlNode } from './xml';

export interface LocalS3Options {
  readonly timeline: Timeline;
  readonly region?: string;
  readonly accountId?: string;
  /** Persists buckets, objects and versions across restarts. */
  readonly dataDir?: string;
  /** Where `Object Created` / `Object Deleted` go for buckets with EventBridge notifications on. */
  readonly events?: ServiceEventSink;
  /** Largest object accepted (default 64 MiB). */
  readonly maxObjectBytes?: number;
  /** Also answer in-process clients of the endpoint (local/in-process.ts). */
  readonly network?: InProcessNetwork;
}

interface S3Request {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly query: URLSearchParams;
  body: Buffer;
}

export class LocalS3 {
  readonly region: string;
  readonly accountId: string;
  readonly timeline: Timeline;
  /** Per-operation faults (operation = S3Operation or `*`, resource = bucket name). */
  readonly faults = new FaultPlan();
  private readonly store: S3Store;
  private events?: ServiceEventSink;
  private readonly maxObjectBytes: number;
  private server?: LoopbackServer;
  private sequence = 0;
  private readonly ownerId: string;
  private readonly network?: InProcessNetwork;

  constructor(options: LocalS3Options) {
    this.network = options.network;
    this.timeline = options.timeline;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.events = options.events;
    this.maxObjectBytes = options.maxObjectBytes ?? 64 * 1024 * 1024;
    this.store = new S3Store(options.dataDir, () => this.timeline.now());
    this.ownerId = createHash('sha256').update(this.accountId).digest('hex');
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('LocalS3 is already listening');
    this.server = await listenLoopback((req, res) => void this.handle(req, res), port, host, this.network);
    return this.server.url;
  }

  get endpoint(): string | undefined {
    return this.server?.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  /** Sets the sink for S3's EventBridge events (the composing code creates EventBridge after S3, or before). */
  setEventSink(sink: ServiceEventSink | undefined): void {
    this.events = sink;
  }

  injectFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** In-process read of an object version (tests, the demo): undefined when absent or a delete marker. */
  object(
    bucket: string,
    key: string,
    versionId?: string,
  ): { body: Buffer; versionId: string; etag: string; tags: Record<string, string> } | undefined {
    const b = this.store.buckets.get(bucket);
    const v = b && this.store.get(b, key, versionId);
    return v && !v.isDeleteMarker ? { body: v.body, versionId: v.versionId, etag: v.etag, tags: { ...v.tags } } : undefined;
  }

  /** In-process list of a key's versions, newest first (tests, the demo). */
  versions(bucket: string, key: string): { versionId: string; isDeleteMarker: boolean; etag: string; lastModified: number }[] {
    const versions = this.store.buckets.get(bucket)?.objects.get(key) ?? [];
    return versions.map((v) => ({ versionId: v.versionId, isDeleteMarker: v.isDeleteMarker, etag: v.etag, lastModified: v.lastModified }));
  }

  // ------------------------------------------------------------ request handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    let r: S3Request | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const { bucket, key } = this.route(req, url);
      r = { req, res, requestId, bucket, key, query: url.searchParams, body: Buffer.alloc(0) };
      const operation = operationOf(req.method ?? 'GET', bucket, key, url.searchParams, req.headers);
      const fault = this.faults.take(operation, bucket);
      if (fault) {
        throw new AwsError(fault.code, fault.message ?? `Injected fault: ${fault.code}`, fault.status ?? ERROR_STATUS[fault.code] ?? 400);
      }
      if (req.method === 'PUT' || req.method === 'POST') r.body = decodeBody(req, await readBody(req, this.maxObjectBytes));
      else req.resume();
      await this.dispatch(operation, r);
    } catch (e) {
      this.sendError(req, res, requestId, e, r);
    }
  }

  private route(req: IncomingMessage, url: URL): { bucket?: string; key?: string } {
    const path = url.pathname;
    const hostBucket = virtualHostBucket(req.headers.host);
    if (hostBucket) return { bucket: hostBucket, key: path.length > 1 ? decodeURIComponent(path.slice(1)) : undefined };
    const slash = path.indexOf('/', 1);
    if (path === '/' || path === '') return {};
    if (slash < 0) return { bucket: decodeURIComponent(path.slice(1)) };
    const key = decodeURIComponent(path.slice(slash + 1));
    return { bucket: decodeURIComponent(path.slice(1, slash)), key: key === '' ? undefined : key };
  }

  private async dispatch(operation: S3Operation, r: S3Request): Promise<void> {
    switch (operation) {
      case 'ListBuckets':
        return this.listBuckets(r);
      case 'CreateBucket':
        return this.createBucket(r);
      case 'HeadBucket':
        this.bucket(r);
        return this.send(r, 200, undefined, { 'x-amz-bucket-region': this.region });
      case 'DeleteBucket':
        return this.deleteBucket(r);
      case 'GetBucketLocation':
        this.bucket(r);
        // us-east-1 answers an empty LocationConstraint.
        return this.sendXml(r, 'LocationConstraint', {}, this.region === 'us-east-1' ? '' : escapeXml(this.region));
      case 'PutBucketVersioning':
        return this.putBucketVersioning(r);
      case 'GetBucketVersioning': {
        const b = this.bucket(r);
        return this.sendXml(r, 'VersioningConfiguration', { Status: b.versioning });
      }
      case 'PutBucketNotificationConfiguration':
        return this.putBucketNotification(r);
      case 'GetBucketNotificationConfiguration': {
        const b = this.bucket(r);
        if (b.notificationXml) return this.send(r, 200, b.notificationXml, { 'content-type': 'application/xml' });
        return this.sendXml(r, 'NotificationConfiguration', {});
      }
      case 'ListObjectsV2':
        return this.listObjectsV2(r);
      case 'ListObjectVersions':
        return this.listObjectVersions(r);
      case 'PutObject':
        return this.putObject(r);
      case 'CopyObject':
        return this.copyObject(r);
      case 'GetObject':
      case 'HeadObject':
        return this.getObject(r, operation === 'HeadObject');
      case 'DeleteObject':
        return this.deleteObject(r);
      case 'DeleteObjects':
        return this.deleteObjects(r);
      case 'PutObjectTagging':
        return this.putObjectTagging(r);
      case 'GetObjectTagging':
        return this.getObjectTagging(r);
      case 'DeleteObjectTagging': {
        const v = this.version(r);
        this.store.setTags(v, {});
        return this.send(r, 204, undefined, versionHeader(v));
      }
    }
  }

  // ------------------------------------------------------------ buckets

  private listBuckets(r: S3Request): void {
    const buckets = [...this.store.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    this.sendXml(r, 'ListAllMyBucketsResult', {
      Owner: { ID: this.ownerId, DisplayName: 'local' },
      Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: isoMillis(b.creationDate) })) },
    });
  }

  /** https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html */
  private createBucket(r: S3Request): void {
    const name = r.bucket!;
    if (!validBucketName(name)) throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
    const text = r.body.toString('utf8');
    const constraint = text.trim() ? elementTexts(text, 'LocationConstraint')[0] : undefined;
    if (constraint !== undefined && constraint !== '' && constraint !== this.region) {
      throw s3Error(
        'IllegalLocationConstraintException',
        `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
    if (this.store.buckets.has(name)) {
      // "For legacy compatibility, if you re-create an existing bucket that you already own in the North
      // Virginia Region, Amazon S3 returns 200 OK" (BucketAlreadyOwnedByYou, CreateBucket errors).
      if (this.region !== 'us-east-1') {
        throw s3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {
          BucketName: name,
        });
      }
    } else {
      this.store.createBucket(name);
    }
    this.send(r, 200, undefined, { location: `/${name}` });
  }

  private deleteBucket(r: S3Request): void {
    const b = this.bucket(r);
    if (b.objects.size > 0) {
      const detail = b.versioning ? ' You must delete all versions in the bucket.' : '';
      throw s3Error('BucketNotEmpty', `The bucket you tried to delete is not empty.${detail}`, { BucketName: b.name });
    }
    this.store.deleteBucket(b.name);
    this.send(r, 204);
  }

  private putBucketVersioning(r: S3Request): void {
    const b = this.bucket(r);
    const text = r.body.toString('utf8');
    const status = parseXml(() => {
      expectRoot(text, 'VersioningConfiguration');
      return elementTexts(text, 'Status')[0];
    });
    if (status !== 'Enabled' && status !== 'Suspended') {
      throw s3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    this.store.setVersioning(b, status);
    this.send(r, 200);
  }

  private putBucketNotification(r: S3Request): void {
    const b = this.bucket(r);
    const text = r.body.toString('utf8');
    parseXml(() => expectRoot(text, 'NotificationConfiguration'));
    this.store.setNotification(b, text, hasElement(text, 'EventBridgeConfiguration'));
    this.send(r, 200);
  }

  // ------------------------------------------------------------ objects

  private putObject(r: S3Request): void {
    const b = this.bucket(r);
    const md5 = r.req.headers['content-md5'];
    if (typeof md5 === 'string' && createHash('md5').update(r.body).digest('base64') !== md5) {
      throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    this.checkWritePreconditions(r, b);
    const tags = parseTaggingHeader(r.req.headers['x-amz-tagging']);
    const version = this.store.put(b, r.key!, {
      body: r.body,
      contentType: header(r.req, 'content-type') ?? 'binary/octet-stream',
      headers: pickHeaders(r.req),
      metadata: metadataOf(r.req),
      tags,
    });
    this.emitCreated(b, version, 'PutObject', r);
    this.send(r, 200, undefined, { etag: `"${version.etag}"`, ...versionHeader(version) });
  }

  /**
   * Conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
   * `If-None-Match: *` fails when the key has a current object, `If-Match: <etag>` when it has none (404)
   * or another ETag; both with 412 PreconditionFailed.
   */
  private checkWritePreconditions(r: S3Request, b: Bucket): void {
    const ifNoneMatch = header(r.req, 'if-none-match');
    const ifMatch = header(r.req, 'if-match');
    if (ifNoneMatch === undefined && ifMatch === undefined) return;
    const current = this.store.get(b, r.key!);
    const exists = current !== undefined && !current.isDeleteMarker;
    const failed = (condition: string): AwsError =>
      s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: condition });
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch.trim() !== '*')
        throw s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: 'If-None-Match' });
      if (exists) throw failed('If-None-Match');
    }
    if (ifMatch !== undefined) {
      if (!exists) throw s3Error('NoSuchKey', 'The specified key does not exist.', { Key: r.key });
      if (ifMatch.trim().replace(/^"|"$/g, '') !== current.etag) throw failed('If-Match');
    }
  }

  private copyObject(r: S3Request): void {
    const b = this.bucket(r);
    const source = parseCopySource(header(r.req, 'x-amz-copy-source')!);
    const sourceBucket = this.store.buckets.get(source.bucket);
    if (!sourceBucket) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: source.bucket });
    if (source.versionId !== undefined) checkVersionIdFormat(source.versionId);
    const from = this.store.get(sourceBucket, source.key, source.versionId);
    if (!from || from.isDeleteMarker) {
      if (source.versionId !== undefined && !from)
        throw s3Error('NoSuchVersion', 'The specified version does not exist.', { Key: source.key, VersionId: source.versionId });
      throw s3Error('NoSuchKey', 'The specified key does not exist.', { Key: source.key });
    }
    const replaceMeta = header(r.req, 'x-amz-metadata-directive') === 'REPLACE';
    const replaceTags = header(r.req, 'x-amz-tagging-directive') === 'REPLACE';
    const version = this.store.put(b, r.key!, {
      body: from.body,
      contentType: replaceMeta ? (header(r.req, 'content-type') ?? 'binary/octet-stream') : from.contentType,
      headers: replaceMeta ? pickHeaders(r.req) : from.headers,
      metadata: replaceMeta ? metadataOf(r.req) : from.metadata,
      tags: replaceTags ? parseTaggingHeader(r.req.headers['x-amz-tagging']) : { ...from.tags },
    });
    this.emitCreated(b, version, 'CopyObject', r);
    const headers: Record<string, string> = { ...versionHeader(version) };
    if (from.versionId !== 'null') headers['x-amz-copy-source-version-id'] = from.versionId;
    this.sendXml(r, 'CopyObjectResult', { LastModified: isoMillis(version.lastModified), ETag: `"${version.etag}"` }, undefined, headers);
  }

  private getObject(r: S3Request, headOnly: boolean): void {
    const b = this.bucket(r);
    const versionId = r.query.get('versionId') ?? undefined;
    if (versionId !== undefined) checkVersionIdFormat(versionId);
    const v = this.store.get(b, r.key!, versionId);
    if (!v) {
      if (versionId !== undefined)
        throw s3Error('NoSuchVersion', 'The specified version does not exist.', { Key: r.key, VersionId: versionId });
      throw s3Error('NoSuchKey', 'The specified key does not exist.', { Key: r.key });
    }
    if (v.isDeleteMarker) {
      const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId };
      // A GET naming a delete marker's version is "not allowed"; without a version id the key is gone.
      if (versionId !== undefined)
        throw s3Error(
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
          { Method: r.req.method, ResourceType: 'DeleteMarker' },
          { ...headers, allow: 'DELETE' },
        );
      throw s3Error('NoSuchKey', 'The specified key does not exist.', { Key: r.key }, headers);
    }
    const headers: Record<string, string> = {
      'content-type': v.contentType ?? 'binary/octet-stream',
      'content-length': String(v.size),
      etag: `"${v.etag}"`,
      'last-modified': new Date(v.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
      ...v.headers,
      ...versionHeader(v),
    };
    for (const [k, value] of Object.entries(v.metadata)) headers[`x-amz-meta-${k}`] = value;
    const tagCount = Object.keys(v.tags).length;
    if (tagCount > 0) headers['x-amz-tagging-count'] = String(tagCount);
    r.res.writeHead(200, { ...this.commonHeaders(r), ...headers });
    r.res.end(headOnly ? undefined : v.body);
  }

  private deleteObject(r: S3Request): void {
    const b = this.bucket(r);
    const versionId = r.query.get('versionId') ?? undefined;
    if (versionId !== undefined) {
      checkVersionIdFormat(versionId);
      const removed = this.store.deleteVersion(b, r.key!, versionId);
      const headers: Record<string, string> = { 'x-amz-version-id': versionId };
      if (removed?.isDeleteMarker) headers['x-amz-delete-marker'] = 'true';
      if (removed) this.emitDeleted(b, removed, 'Permanently Deleted', r);
      return this.send(r, 204, undefined, headers);
    }
    const { removed, marker } = this.store.deleteCurrent(b, r.key!);
    if (marker) {
      this.emitDeleted(b, marker, 'Delete Marker Created', r);
      return this.send(r, 204, undefined, {
        'x-amz-delete-marker': 'true',
        ...(marker.versionId !== 'null' ? { 'x-amz-version-id': marker.versionId } : {}),
      });
    }
    if (removed) this.emitDeleted(b, removed, 'Permanently Deleted', r);
    this.send(r, 204);
  }

  /** https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html: up to 1,000 keys, each deleted as DeleteObject would. */
  private deleteObjects(r: S3Request): void {
    const b = this.bucket(r);
    const text = r.body.toString('utf8');
    const { objects, quiet } = parseXml(() => {
      expectRoot(text, 'Delete');
      const list = elementTexts(text, 'Object', true).map((o) => {
        const key = elementTexts(o, 'Key')[0];
        if (key === undefined) throw new MalformedXmlError('an Object without Key');
        return { key, versionId: elementTexts(o, 'VersionId')[0] };
      });
      return { objects: list, quiet: elementTexts(text, 'Quiet')[0] === 'true' };
    });
    if (objects.length === 0 || objects.length > 1000) {
      throw s3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    const deleted: XmlNode[] = [];
    const errors: XmlNode[] = [];
    for (const { key, versionId } of objects) {
      if (versionId !== undefined) {
        if (versionId !== 'null' && !VERSION_ID_FORMAT.test(versionId)) {
          errors.push({ Key: key, VersionId: versionId, Code: 'NoSuchVersion', Message: 'The specified version does not exist.' });
          continue;
        }
        const removed = this.store.deleteVersion(b, key, versionId);
        if (removed) this.emitDeleted(b, removed, 'Permanently Deleted', r, 'DeleteObjects');
        deleted.push({
          Key: key,
          VersionId: versionId,
          DeleteMarker: removed?.isDeleteMarker ? true : undefined,
          DeleteMarkerVersionId: removed?.isDeleteMarker ? versionId : undefined,
        });
        continue;
      }
      const { removed, marker } = this.store.deleteCurrent(b, key);
      if (marker) this.emitDeleted(b, marker, 'Delete Marker Created', r, 'DeleteObjects');
      if (removed) this.emitDeleted(b, removed, 'Permanently Deleted', r, 'DeleteObjects');
      deleted.push({
        Key: key,
        DeleteMarker: marker ? true : undefined,
        DeleteMarkerVersionId: marker && marker.versionId !== 'null' ? marker.versionId : undefined,
      });
    }
    this.sendXml(r, 'DeleteResult', { Deleted: quiet ? [] : deleted, Error: errors });
  }

  private putObjectTagging(r: S3Request): void {
    const v = this.version(r);
    const text = r.body.toString('utf8');
    const tags = parseXml(() => {
      expectRoot(text, 'Tagging');
      const out: Record<string, string> = {};
      for (const tag of elementTexts(text, 'Tag', true)) {
        const key = elementTexts(tag, 'Key')[0];
        const value = elementTexts(tag, 'Value')[0] ?? '';
        if (key === undefined) throw new MalformedXmlError('a Tag without Key');
        out[key] = value;
      }
      return out;
    });
    validateTags(tags);
    this.store.setTags(v, tags);
    this.send(r, 200, undefined, versionHeader(v));
  }

  private getObjectTagging(r: S3Request): void {
    const v = this.version(r);
    this.sendXml(
      r,
      'Tagging',
      { TagSet: { Tag: Object.entries(v.tags).map(([Key, Value]) => ({ Key, Value })) } },
      undefined,
      versionHeader(v),
    );
  }

  /** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html */
  private listObjectsV2(r: S3Request): void {
    const b = this.bucket(r);
    const prefix = r.query.get('prefix') ?? '';
    const delimiter = r.query.get('delimiter') ?? '';
    const maxKeys = parseMaxKeys(r.query.get('max-keys'));
    const startAfter = r.query.get('start-after') ?? undefined;
    const token = r.query.get('continuation-token') ?? undefined;
    const urlEncode = r.query.get('encoding-type') === 'url';
    const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
    let resumeAfter = startAfter;
    if (token !== undefined) {
      try {
        resumeAfter = Buffer.from(token, 'base64url').toString('utf8');
      } catch {
        throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
      }
    }
    const keys = [...b.objects.entries()]
      .filter(([, versions]) => !versions[0].isDeleteMarker)
      .map(([k]) => k)
      .filter((k) => k.startsWith(prefix))
      .sort(compareKeys);
    const contents: ObjectVersion[] = [];
    const prefixes: string[] = [];
    let truncated = false;
    let last: string | undefined;
    for (const key of keys) {
      if (resumeAfter !== undefined && compareKeys(key, resumeAfter) <= 0) continue;
      const cp = commonPrefix(key, prefix, delimiter);
      if (cp !== undefined && prefixes[prefixes.length - 1] === cp) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (cp !== undefined) {
        prefixes.push(cp);
        last = cp + '\u{10FFFF}';
      } else {
        contents.push(b.objects.get(key)![0]);
        last = key;
      }
    }
    this.sendXml(r, 'ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      Delimiter: delimiter ? enc(delimiter) : undefined,
      MaxKeys: maxKeys,
      EncodingType: urlEncode ? 'url' : undefined,
      KeyCount: contents.length + prefixes.length,
      IsTruncated: truncated,
      ContinuationToken: token,
      NextContinuationToken: truncated && last !== undefined ? Buffer.from(last, 'utf8').toString('base64url') : undefined,
      StartAfter: startAfter !== undefined ? enc(startAfter) : undefined,
      Contents: contents.map((v) => ({
        Key: enc(v.key),
        LastModified: isoMillis(v.lastModified),
        ETag: `"${v.etag}"`,
        Size: v.size,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
    });
  }

  /** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html */
  private listObjectVersions(r: S3Request): void {
    const b = this.bucket(r);
    const prefix = r.query.get('prefix') ?? '';
    const delimiter = r.query.get('delimiter') ?? '';
    const maxKeys = parseMaxKeys(r.query.get('max-keys'));
    const keyMarker = r.query.get('key-marker') ?? undefined;
    const versionIdMarker = r.query.get('version-id-marker') ?? undefined;
    const keys = [...b.objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    const versions: XmlNode[] = [];
    const markers: XmlNode[] = [];
    const prefixes: string[] = [];
    let count = 0;
    let truncated = false;
    let next: { key: string; versionId: string } | undefined;
    outer: for (const key of keys) {
      if (keyMarker !== undefined && compareKeys(key, keyMarker) < 0) continue;
      if (keyMarker !== undefined && key === keyMarker && versionIdMarker === undefined) continue;
      const cp = commonPrefix(key, prefix, delimiter);
      if (cp !== undefined) {
        if (prefixes[prefixes.length - 1] === cp || (keyMarker !== undefined && keyMarker.startsWith(cp))) continue;
        if (count >= maxKeys) {
          truncated = true;
          break;
        }
        prefixes.push(cp);
        count++;
        next = { key, versionId: '' };
        continue;
      }
      const list = b.objects.get(key)!;
      let skipping = keyMarker !== undefined && key === keyMarker && versionIdMarker !== undefined;
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        if (skipping) {
          if (v.versionId === versionIdMarker) skipping = false;
          continue;
        }
        if (count >= maxKeys) {
          truncated = true;
          break outer;
        }
        const common = {
          Key: v.key,
          VersionId: v.versionId,
          IsLatest: i === 0,
          LastModified: isoMillis(v.lastModified),
          Owner: { ID: this.ownerId, DisplayName: 'local' },
        };
        if (v.isDeleteMarker) markers.push(common);
        else versions.push({ ...common, ETag: `"${v.etag}"`, Size: v.size, StorageClass: 'STANDARD' });
        count++;
        next = { key: v.key, versionId: v.versionId };
      }
    }
    this.sendXml(r, 'ListVersionsResult', {
      Name: b.name,
      Prefix: prefix,
      KeyMarker: keyMarker ?? '',
      VersionIdMarker: versionIdMarker ?? '',
      NextKeyMarker: truncated ? next?.key : undefined,
      NextVersionIdMarker: truncated && next?.versionId ? next.versionId : undefined,
      MaxKeys: maxKeys,
      Delimiter: delimiter || undefined,
      IsTruncated: truncated,
      Version: versions,
      DeleteMarker: markers,
      CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
    });
  }

  // ------------------------------------------------------------ events

  /** `Object Created`: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html#ev-events-object-created */
  private emitCreated(b: Bucket, v: ObjectVersion, reason: 'PutObject' | 'CopyObject', r: S3Request): void {
    if (!b.eventBridge || !this.events) return;
    const object: Record<string, unknown> = { key: v.key, size: v.size, etag: v.etag };
    if (v.versionId !== 'null') object['version-id'] = v.versionId;
    object.sequencer = this.nextSequencer();
    this.publish(b, 'Object Created', { object, reason }, r);
  }

  /** `Object Deleted`: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html#ev-events-object-deleted */
  private emitDeleted(
    b: Bucket,
    v: ObjectVersion,
    deletionType: 'Permanently Deleted' | 'Delete Marker Created',
    r: S3Request,
    reason: 'DeleteObject' | 'DeleteObjects' = 'DeleteObject',
  ): void {
    if (!b.eventBridge || !this.events) return;
    const object: Record<string, unknown> = { key: v.key };
    if (v.versionId !== 'null') object['version-id'] = v.versionId;
    object.sequencer = this.nextSequencer();
    this.publish(b, 'Object Deleted', { object, reason, 'deletion-type': deletionType }, r);
  }

  private publish(
    b: Bucket,
    detailType: string,
    fields: { object: Record<string, unknown>; reason: string; 'deletion-type'?: string },
    r: S3Request,
  ): void {
    const detail: Record<string, unknown> = {
      version: '0',
      bucket: { name: b.name },
      object: fields.object,
      'request-id': r.requestId,
      requester: this.accountId,
      'source-ip-address': (r.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      reason: fields.reason,
    };
    if (fields['deletion-type']) detail['deletion-type'] = fields['deletion-type'];
    this.events!.publishServiceEvent({
      source: 'aws.s3',
      detailType,
      detail,
      resources: [`arn:aws:s3:::${b.name}`],
      account: this.accountId,
      region: this.region,
      time: this.timeline.now(),
    });
  }

  /** Increasing hex strings: later events on a key compare greater, as S3's sequencers do. */
  private nextSequencer(): string {
    this.sequence++;
    return (BigInt(Math.floor(this.timeline.now())) * 4096n + BigInt(this.sequence % 4096)).toString(16).toUpperCase().padStart(16, '0');
  }

  // ------------------------------------------------------------ helpers

  private bucket(r: S3Request): Bucket {
    const b = r.bucket === undefined ? undefined : this.store.buckets.get(r.bucket);
    if (!b) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: r.bucket });
    return b;
  }

  /** The version a tagging call addresses (`?versionId=` or the current one). */
  private version(r: S3Request): ObjectVersion {
    const b = this.bucket(r);
    const versionId = r.query.get('versionId') ?? undefined;
    if (versionId !== undefined) checkVersionIdFormat(versionId);
    const v = this.store.get(b, r.key!, versionId);
    if (!v && versionId !== undefined)
      throw s3Error('NoSuchVersion', 'The specified version does not exist.', { Key: r.key, VersionId: versionId });
    if (!v || v.isDeleteMarker) throw s3Error('NoSuchKey', 'The specified key does not exist.', { Key: r.key });
    return v;
  }

  private commonHeaders(r: S3Request): Record<string, string> {
    return { 'x-amz-request-id': r.requestId, 'x-amz-id-2': Buffer.from(r.requestId).toString('base64'), server: 'LocalS3' };
  }

  private send(r: S3Request, status: number, body?: string, headers: Record<string, string> = {}): void {
    const h: Record<string, string | number> = { ...this.commonHeaders(r), ...headers };
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    else if (status !== 204) h['content-length'] = 0;
    r.res.writeHead(status, h);
    r.res.end(body);
  }

  private sendXml(r: S3Request, root: string, children: XmlNode, text?: string, headers: Record<string, string> = {}): void {
    const body =
      text !== undefined
        ? `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${text}</${root}>`
        : xmlDocument(root, children);
    this.send(r, 200, body, { 'content-type': 'application/xml', ...headers });
  }

  private sendError(req: IncomingMessage, res: ServerResponse, requestId: string, e: unknown, r: S3Request | undefined): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let error: AwsError;
    if (e instanceof AwsError) error = e;
    else if (e instanceof BodyTooLargeError)
      error = s3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.');
    else error = new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500);
    const extra = error instanceof S3Error ? error.fields : {};
    const fields: XmlNode = {
      Code: error.code,
      Message: error.message,
      ...extra,
      RequestId: requestId,
      HostId: Buffer.from(requestId).toString('base64'),
    };
    const body = req.method === 'HEAD' ? undefined : xmlDocument('Error', fields, '');
    const headers: Record<string, string | number> = {
      'x-amz-request-id': requestId,
      'x-amz-id-2': Buffer.from(requestId).toString('base64'),
      ...(body ? { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) } : {}),
      ...error.headers,
    };
    if (e instanceof BodyTooLargeError) headers.connection = 'close';
    res.writeHead(error.status, headers);
    res.end(body);
    void r;
  }
}
