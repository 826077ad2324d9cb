/**
 * Buckets, objects and their versions, with S3's versioning semantics
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html):
 * - never-versioned bucket: one version per key, version id `null`, a PUT replaces it, a DELETE removes it;
 * - Enabled: every PUT adds a version with a new id; a DELETE without version id adds a delete marker;
 * - Suspended: a PUT replaces the `null` version (older versions stay); a DELETE replaces the `null`
 *   version with a delete marker whose id is `null`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VersionSuspendedBehavior.html);
 * - a DELETE with a version id removes that version for good.
 * Persisted under `dataDir` when given: `s3.json` (metadata) and `s3-blobs/<sha256>` (bodies).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type VersioningStatus = 'Enabled' | 'Suspended';

export interface ObjectVersion {
  readonly key: string;
  /** `null` (the string) for objects written while versioning was never enabled or suspended. */
  readonly versionId: string;
  readonly isDeleteMarker: boolean;
  readonly lastModified: number;
  readonly etag: string;
  readonly size: number;
  readonly contentType?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  tags: Record<string, string>;
  readonly body: Buffer;
}

export interface Bucket {
  readonly name: string;
  readonly creationDate: number;
  versioning?: VersioningStatus;
  /** The NotificationConfiguration document as last put (returned by Get). */
  notificationXml?: string;
  eventBridge: boolean;
  /** Per key, versions newest first. */
  readonly objects: Map<string, ObjectVersion[]>;
}

export interface NewObject {
  readonly body: Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly metadata?: Record<string, string>;
  readonly tags?: Record<string, string>;
}

export class S3Store {
  readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly dataDir: string | undefined,
    private readonly now: () => number,
  ) {
    this.load();
  }

  createBucket(name: string): Bucket {
    const bucket: Bucket = { name, creationDate: this.now(), eventBridge: false, objects: new Map() };
    this.buckets.set(name, bucket);
    this.save();
    return bucket;
  }

  deleteBucket(name: string): void {
    this.buckets.delete(name);
    this.save();
  }

  setVersioning(bucket: Bucket, status: VersioningStatus): void {
    bucket.versioning = status;
    this.save();
  }

  setNotification(bucket: Bucket, xml: string, eventBridge: boolean): void {
    bucket.notificationXml = xml;
    bucket.eventBridge = eventBridge;
    this.save();
  }

  /** Current version of a key (undefined when absent or when the latest is a delete marker), or a given version. */
  get(bucket: Bucket, key: string, versionId?: string): ObjectVersion | undefined {
    const versions = bucket.objects.get(key);
    if (!versions) return undefined;
    if (versionId === undefined) return versions[0];
    return versions.find((v) => v.versionId === versionId);
  }

  put(bucket: Bucket, key: string, object: NewObject): ObjectVersion {
    const versionId = bucket.versioning === 'Enabled' ? newVersionId() : 'null';
    const version: ObjectVersion = {
      key,
      versionId,
      isDeleteMarker: false,
      lastModified: this.now(),
      etag: createHash('md5').update(object.body).digest('hex'),
      size: object.body.length,
      contentType: object.contentType,
      headers: object.headers ?? {},
      metadata: object.metadata ?? {},
      tags: object.tags ?? {},
      body: object.body,
    };
    this.addVersion(bucket, key, version);
    return version;
  }

  /** DeleteObject without a version id: removes (never versioned) or adds a delete marker. */
  deleteCurrent(bucket: Bucket, key: string): { removed?: ObjectVersion; marker?: ObjectVersion } {
    if (bucket.versioning === undefined) {
      const removed = bucket.objects.get(key)?.[0];
      if (!removed) return {};
      bucket.objects.delete(key);
      this.save();
      return { removed };
    }
    const marker: ObjectVersion = {
      key,
      versionId: bucket.versioning === 'Enabled' ? newVersionId() : 'null',
      isDeleteMarker: true,
      lastModified: this.now(),
      etag: '',
      size: 0,
      headers: {},
      metadata: {},
      tags: {},
      body: Buffer.alloc(0),
    };
    this.addVersion(bucket, key, marker);
    return { marker };
  }

  /** DeleteObject with a version id: that version is gone for good. */
  deleteVersion(bucket: Bucket, key: string, versionId: string): ObjectVersion | undefined {
    const versions = bucket.objects.get(key);
    const index = versions?.findIndex((v) => v.versionId === versionId) ?? -1;
    if (!versions || index < 0) return undefined;
    const [removed] = versions.splice(index, 1);
    if (versions.length === 0) bucket.objects.delete(key);
    this.save();
    return removed;
  }

  setTags(version: ObjectVersion, tags: Record<string, string>): void {
    version.tags = tags;
    this.save();
  }

  private addVersion(bucket: Bucket, key: string, version: ObjectVersion): void {
    // A `null` version replaces the previous `null` version (never versioned, or suspended).
    const versions = (bucket.objects.get(key) ?? []).filter((v) => !(version.versionId === 'null' && v.versionId === 'null'));
    versions.unshift(version);
    bucket.objects.set(key, versions);
    this.save();
  }

  // ------------------------------------------------------------ persistence

  private save(): void {
    if (!this.dataDir) return;
    const blobs = join(this.dataDir, 's3-blobs');
    mkdirSync(blobs, { recursive: true });
    const state = [...this.buckets.values()].map((b) => ({
      name: b.name,
      creationDate: b.creationDate,
      versioning: b.versioning,
      notificationXml: b.notificationXml,
      eventBridge: b.eventBridge,
      objects: [...b.objects.values()].flat().map((v) => {
        const { body, ...meta } = v;
        const blob = createHash('sha256').update(body).digest('hex');
        const file = join(blobs, blob);
        if (!existsSync(file)) writeFileSync(file, body);
        return { ...meta, blob };
      }),
    }));
    const file = join(this.dataDir, 's3.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ buckets: state }));
    renameSync(`${file}.tmp`, file);
  }

  private load(): void {
    if (!this.dataDir) return;
    const file = join(this.dataDir, 's3.json');
    if (!existsSync(file)) return;
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      buckets: (Omit<Bucket, 'objects'> & { objects: (Omit<ObjectVersion, 'body'> & { blob: string })[] })[];
    };
    for (const b of state.buckets) {
      const bucket: Bucket = { ...b, objects: new Map() };
      for (const { blob, ...v } of b.objects) {
        const version: ObjectVersion = { ...v, body: readFileSync(join(this.dataDir, 's3-blobs', blob)) };
        const list = bucket.objects.get(v.key) ?? [];
        list.push(version); // saved newest first per key
        bucket.objects.set(v.key, list);
      }
      this.buckets.set(b.name, bucket);
    }
  }
}

/** 32 URL-safe characters, like S3's version ids. */
function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

export const VERSION_ID_FORMAT = /^[A-Za-z0-9._-]{32}$/;
