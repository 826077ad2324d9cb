/**
 * The local S3 through @aws-sdk/client-s3 (forcePathStyle) on loopback. What S3 does, per
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ (CreateBucket, PutObject, GetObject, DeleteObject,
 * ListObjectsV2, ListObjectVersions, ...), versioning per
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html, error codes per
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, EventBridge events per
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { LocalS3 } from '../../local/s3';
import type { ServiceEvent } from '../../local/service-events';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function started(options: Partial<ConstructorParameters<typeof LocalS3>[0]> = {}) {
  const published: ServiceEvent[] = [];
  const s3 = new LocalS3({
    timeline: new VirtualTimeline(Date.parse('2026-12-01T10:00:00Z')),
    events: { publishServiceEvent: (e) => void published.push(e) },
    ...options,
  });
  const endpoint = await s3.listen();
  const client = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
  return { s3, endpoint, client, published };
}

describe('LocalS3: buckets', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => (ctx = await started()));
  afterEach(async () => {
    ctx.client.destroy();
    await ctx.s3.close();
  });

  it('creates, heads, lists and deletes buckets', async () => {
    const { client } = ctx;
    await client.send(new CreateBucketCommand({ Bucket: 'templates' }));
    await client.send(new CreateBucketCommand({ Bucket: 'another-one' }));
    expect((await client.send(new HeadBucketCommand({ Bucket: 'templates' }))).$metadata.httpStatusCode).toBe(200);
    expect((await client.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual(['another-one', 'templates']);
    await client.send(new DeleteBucketCommand({ Bucket: 'another-one' }));
    await expect(client.send(new HeadBucketCommand({ Bucket: 'another-one' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('re-creating an owned bucket is 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere (CreateBucket errors)', async () => {
    await ctx.client.send(new CreateBucketCommand({ Bucket: 'mine' }));
    await expect(ctx.client.send(new CreateBucketCommand({ Bucket: 'mine' }))).resolves.toBeDefined();
    const eu = await started({ region: 'eu-west-1' });
    const euClient = new S3Client({ endpoint: eu.endpoint, region: 'eu-west-1', credentials, forcePathStyle: true, maxAttempts: 1 });
    try {
      const config = { LocationConstraint: 'eu-west-1' as const };
      await euClient.send(new CreateBucketCommand({ Bucket: 'mine', CreateBucketConfiguration: config }));
      await expect(euClient.send(new CreateBucketCommand({ Bucket: 'mine', CreateBucketConfiguration: config }))).rejects.toMatchObject({
        name: 'BucketAlreadyOwnedByYou',
        $metadata: { httpStatusCode: 409 },
      });
    } finally {
      euClient.destroy();
      await eu.s3.close();
    }
  });

  it('rejects invalid bucket names, unknown buckets and deleting non-empty buckets', async () => {
    const { client } = ctx;
    await expect(client.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
      message: 'The specified bucket does not exist',
      $metadata: { httpStatusCode: 404 },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'full' }));
    await client.send(new PutObjectCommand({ Bucket: 'full', Key: 'k', Body: 'x' }));
    await expect(client.send(new DeleteBucketCommand({ Bucket: 'full' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
      $metadata: { httpStatusCode: 409 },
    });
  });
});

describe('LocalS3: objects', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => {
    ctx = await started();
    await ctx.client.send(new CreateBucketCommand({ Bucket: 'objs' }));
  });
  afterEach(async () => {
    ctx.client.destroy();
    await ctx.s3.close();
  });

  it('puts and gets an object: ETag is the MD5, metadata, content type, tagging header', async () => {
    const { client } = ctx;
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'objs',
        Key: 'dir/a b+c.json',
        Body: '{"v":1}',
        ContentType: 'application/json',
        Metadata: { release: '7' },
        Tagging: 'release=7&kind=template',
      }),
    );
    expect(put.ETag).toBe(`"${md5('{"v":1}')}"`);
    expect(put.VersionId).toBeUndefined();
    const got = await client.send(new GetObjectCommand({ Bucket: 'objs', Key: 'dir/a b+c.json' }));
    expect(await got.Body!.transformToString()).toBe('{"v":1}');
    expect(got).toMatchObject({
      ETag: put.ETag,
      ContentType: 'application/json',
      ContentLength: 7,
      Metadata: { release: '7' },
      TagCount: 2,
    });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'dir/a b+c.json' }));
    expect(head).toMatchObject({ ETag: put.ETag, ContentLength: 7 });
    expect((await client.send(new GetObjectTaggingCommand({ Bucket: 'objs', Key: 'dir/a b+c.json' }))).TagSet).toEqual([
      { Key: 'release', Value: '7' },
      { Key: 'kind', Value: 'template' },
    ]);
  });

  it('accepts streamed uploads (aws-chunked with a trailing checksum)', async () => {
    const { client } = ctx;
    const text = 'streamed '.repeat(1000);
    await client.send(
      new PutObjectCommand({ Bucket: 'objs', Key: 'stream', Body: Readable.from([Buffer.from(text)]), ContentLength: text.length }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'objs', Key: 'stream' }));
    expect([await got.Body!.transformToString(), got.ETag]).toEqual([text, `"${md5(text)}"`]);
  });

  it('answers NoSuchKey for a missing key (404 NotFound for HEAD)', async () => {
    await expect(ctx.client.send(new GetObjectCommand({ Bucket: 'objs', Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      message: 'The specified key does not exist.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(ctx.client.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'missing' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('conditional writes: If-None-Match * and If-Match answer 412 PreconditionFailed when they do not hold', async () => {
    const { client, s3 } = ctx;
    const first = await client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'one', IfNoneMatch: '*' }));
    await expect(client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'two', IfNoneMatch: '*' }))).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    await expect(client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'two', IfMatch: '"0123"' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    await client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'two', IfMatch: first.ETag }));
    expect(s3.object('objs', 'k')!.body.toString()).toBe('two');
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'absent', Body: 'x', IfMatch: first.ETag })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('puts and replaces object tags', async () => {
    const { client } = ctx;
    await client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'x' }));
    await client.send(new PutObjectTaggingCommand({ Bucket: 'objs', Key: 'k', Tagging: { TagSet: [{ Key: 'a&b', Value: '<1>' }] } }));
    expect((await client.send(new GetObjectTaggingCommand({ Bucket: 'objs', Key: 'k' }))).TagSet).toEqual([{ Key: 'a&b', Value: '<1>' }]);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(client.send(new PutObjectTaggingCommand({ Bucket: 'objs', Key: 'k', Tagging: { TagSet: eleven } }))).rejects.toMatchObject(
      { $metadata: { httpStatusCode: 400 } },
    );
  });

  it('deletes objects in an unversioned bucket for good', async () => {
    const { client } = ctx;
    await client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'x' }));
    const del = await client.send(new DeleteObjectCommand({ Bucket: 'objs', Key: 'k' }));
    expect(del.DeleteMarker).toBeUndefined();
    await expect(client.send(new GetObjectCommand({ Bucket: 'objs', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect((await client.send(new ListObjectVersionsCommand({ Bucket: 'objs' }))).Versions).toBeUndefined();
  });

  it('DeleteObjects deletes many keys at once and reports each', async () => {
    const { client, s3 } = ctx;
    for (const Key of ['a', 'b', 'c']) await client.send(new PutObjectCommand({ Bucket: 'objs', Key, Body: Key }));
    const out = await client.send(
      new DeleteObjectsCommand({ Bucket: 'objs', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'missing' }] } }),
    );
    expect(out.Deleted!.map((d) => d.Key)).toEqual(['a', 'b', 'missing']);
    expect(out.Errors).toBeUndefined();
    expect(['a', 'b', 'c'].map((k) => s3.object('objs', k)?.body.toString())).toEqual([undefined, undefined, 'c']);
  });

  it('copies objects with their metadata and tags', async () => {
    const { client } = ctx;
    await client.send(new PutObjectCommand({ Bucket: 'objs', Key: 'src', Body: 'body', Metadata: { m: '1' }, Tagging: 't=1' }));
    const copy = await client.send(new CopyObjectCommand({ Bucket: 'objs', Key: 'dst', CopySource: 'objs/src' }));
    expect(copy.CopyObjectResult!.ETag).toBe(`"${md5('body')}"`);
    const got = await client.send(new GetObjectCommand({ Bucket: 'objs', Key: 'dst' }));
    expect(await got.Body!.transformToString()).toBe('body');
    expect(got).toMatchObject({ Metadata: { m: '1' }, TagCount: 1 });
    await expect(client.send(new CopyObjectCommand({ Bucket: 'objs', Key: 'dst', CopySource: 'objs/none' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('ListObjectsV2: prefix, delimiter, max-keys and continuation tokens', async () => {
    const { client } = ctx;
    const keys = ['a/1', 'a/2', 'b/1', 'c', 'd', 'e/x/1', 'e/y'];
    for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: 'objs', Key, Body: Key }));
    const all = await client.send(new ListObjectsV2Command({ Bucket: 'objs' }));
    expect(all.Contents!.map((c) => c.Key)).toEqual(keys);
    expect(all).toMatchObject({ KeyCount: 7, IsTruncated: false });
    expect(all.Contents![0]).toMatchObject({ Size: 3, ETag: `"${md5('a/1')}"`, StorageClass: 'STANDARD' });

    const grouped = await client.send(new ListObjectsV2Command({ Bucket: 'objs', Delimiter: '/' }));
    expect(grouped.Contents!.map((c) => c.Key)).toEqual(['c', 'd']);
    expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'e/']);

    const underE = await client.send(new ListObjectsV2Command({ Bucket: 'objs', Prefix: 'e/', Delimiter: '/' }));
    expect(underE.Contents!.map((c) => c.Key)).toEqual(['e/y']);
    expect(underE.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['e/x/']);

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'objs', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      pages.push([...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!)]);
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(pages).toEqual([['a/', 'b/'], ['c', 'd'], ['e/']]);

    const after = await client.send(new ListObjectsV2Command({ Bucket: 'objs', StartAfter: 'c' }));
    expect(after.Contents!.map((c) => c.Key)).toEqual(['d', 'e/x/1', 'e/y']);
  });
});

describe('LocalS3: versioning', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => {
    ctx = await started();
    await ctx.client.send(new CreateBucketCommand({ Bucket: 'vers' }));
  });
  afterEach(async () => {
    ctx.client.destroy();
    await ctx.s3.close();
  });

  it('reports no status until enabled; then every PUT gets a version id and old versions stay readable', async () => {
    const { client } = ctx;
    expect((await client.send(new GetBucketVersioningCommand({ Bucket: 'vers' }))).Status).toBeUndefined();
    await client.send(new PutBucketVersioningCommand({ Bucket: 'vers', VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await client.send(new GetBucketVersioningCommand({ Bucket: 'vers' }))).Status).toBe('Enabled');
    const v1 = await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 't.json', Body: 'one' }));
    const v2 = await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 't.json', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    const latest = await client.send(new GetObjectCommand({ Bucket: 'vers', Key: 't.json' }));
    expect([await latest.Body!.transformToString(), latest.VersionId]).toEqual(['two', v2.VersionId]);
    const old = await client.send(new GetObjectCommand({ Bucket: 'vers', Key: 't.json', VersionId: v1.VersionId }));
    expect([await old.Body!.transformToString(), old.VersionId]).toEqual(['one', v1.VersionId]);
    expect((await client.send(new HeadObjectCommand({ Bucket: 'vers', Key: 't.json', VersionId: v1.VersionId }))).ETag).toBe(
      `"${md5('one')}"`,
    );
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: 'vers' }));
    expect(listed.Versions!.map((x) => [x.VersionId, x.IsLatest])).toEqual([
      [v2.VersionId, true],
      [v1.VersionId, false],
    ]);
  });

  it('NoSuchVersion for an unknown version, InvalidArgument for a malformed one', async () => {
    const { client } = ctx;
    await client.send(new PutBucketVersioningCommand({ Bucket: 'vers', VersioningConfiguration: { Status: 'Enabled' } }));
    await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 'k', Body: 'x' }));
    await expect(client.send(new GetObjectCommand({ Bucket: 'vers', Key: 'k', VersionId: 'A'.repeat(32) }))).rejects.toMatchObject({
      name: 'NoSuchVersion',
      message: 'The specified version does not exist.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client.send(new GetObjectCommand({ Bucket: 'vers', Key: 'k', VersionId: 'bad' }))).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: 'Invalid version id specified',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('DELETE adds a delete marker: GET answers NoSuchKey, the versions stay; deleting the marker restores the object', async () => {
    const { client } = ctx;
    await client.send(new PutBucketVersioningCommand({ Bucket: 'vers', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 'k', Body: 'x' }));
    const del = await client.send(new DeleteObjectCommand({ Bucket: 'vers', Key: 'k' }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toMatch(/^[A-Za-z0-9._-]{32}$/);
    await expect(client.send(new GetObjectCommand({ Bucket: 'vers', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(client.send(new GetObjectCommand({ Bucket: 'vers', Key: 'k', VersionId: del.VersionId }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 405 },
    });
    expect((await client.send(new ListObjectsV2Command({ Bucket: 'vers' }))).Contents).toBeUndefined();
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: 'vers' }));
    expect(listed.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    expect(listed.Versions!.map((m) => [m.VersionId, m.IsLatest])).toEqual([[v1.VersionId, false]]);
    await expect(client.send(new DeleteBucketCommand({ Bucket: 'vers' }))).rejects.toMatchObject({ name: 'BucketNotEmpty' });

    const undo = await client.send(new DeleteObjectCommand({ Bucket: 'vers', Key: 'k', VersionId: del.VersionId }));
    expect(undo).toMatchObject({ DeleteMarker: true, VersionId: del.VersionId });
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'vers', Key: 'k' }))).Body!.transformToString()).toBe('x');
  });

  it('Suspended: PUTs replace the null version, older versions stay', async () => {
    const { client } = ctx;
    await client.send(new PutBucketVersioningCommand({ Bucket: 'vers', VersioningConfiguration: { Status: 'Enabled' } }));
    const kept = await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 'k', Body: 'versioned' }));
    await client.send(new PutBucketVersioningCommand({ Bucket: 'vers', VersioningConfiguration: { Status: 'Suspended' } }));
    await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 'k', Body: 'null-1' }));
    await client.send(new PutObjectCommand({ Bucket: 'vers', Key: 'k', Body: 'null-2' }));
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: 'vers' }));
    expect(listed.Versions!.map((x) => x.VersionId)).toEqual(['null', kept.VersionId]);
    expect(await (await client.send(new GetObjectCommand({ Bucket: 'vers', Key: 'k', VersionId: 'null' }))).Body!.transformToString()).toBe(
      'null-2',
    );
  });

  it('ListObjectVersions pages with key and version-id markers', async () => {
    const { client } = ctx;
    await client.send(new PutBucketVersioningCommand({ Bucket: 'vers', VersioningConfiguration: { Status: 'Enabled' } }));
    const ids: string[] = [];
    for (const [Key, Body] of [
      ['a', '1'],
      ['a', '2'],
      ['a', '3'],
      ['b', '1'],
    ])
      ids.push((await client.send(new PutObjectCommand({ Bucket: 'vers', Key, Body }))).VersionId!);
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (let page = 0; page < 5; page++) {
      const out = await client.send(
        new ListObjectVersionsCommand({ Bucket: 'vers', MaxKeys: 3, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
      );
      seen.push(...(out.Versions ?? []).map((x) => x.VersionId!));
      if (!out.IsTruncated) break;
      keyMarker = out.NextKeyMarker;
      versionMarker = out.NextVersionIdMarker;
    }
    expect(seen).toEqual([ids[2], ids[1], ids[0], ids[3]]);
  });
});

describe('LocalS3: EventBridge notifications', () => {
  let ctx: Awaited<ReturnType<typeof started>>;
  beforeEach(async () => {
    ctx = await started();
    await ctx.client.send(new CreateBucketCommand({ Bucket: 'tpl' }));
  });
  afterEach(async () => {
    ctx.client.destroy();
    await ctx.s3.close();
  });

  it('sends nothing until EventBridge is configured; then the documented Object Created event per PUT', async () => {
    const { client, published } = ctx;
    await client.send(new PutObjectCommand({ Bucket: 'tpl', Key: 'before', Body: 'x' }));
    expect(published).toEqual([]);
    await client.send(new PutBucketVersioningCommand({ Bucket: 'tpl', VersioningConfiguration: { Status: 'Enabled' } }));
    await client.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'tpl', NotificationConfiguration: { EventBridgeConfiguration: {} } }),
    );
    expect((await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'tpl' }))).EventBridgeConfiguration).toEqual({});
    const put = await client.send(
      new PutObjectCommand({ Bucket: 'tpl', Key: 'tenant-template/tenant.template.json', Body: '{"Resources":{}}' }),
    );
    expect(published).toHaveLength(1);
    const event = published[0];
    expect(event).toMatchObject({
      source: 'aws.s3',
      detailType: 'Object Created',
      resources: ['arn:aws:s3:::tpl'],
      account: '123456789012',
      region: 'us-east-1',
    });
    expect(event.detail).toEqual({
      version: '0',
      bucket: { name: 'tpl' },
      object: {
        key: 'tenant-template/tenant.template.json',
        size: 16,
        etag: md5('{"Resources":{}}'),
        'version-id': put.VersionId,
        sequencer: expect.stringMatching(/^[0-9A-F]{16,}$/),
      },
      'request-id': expect.stringMatching(/^[0-9A-F]{16}$/),
      requester: '123456789012',
      'source-ip-address': '127.0.0.1',
      reason: 'PutObject',
    });
    await client.send(new PutObjectCommand({ Bucket: 'tpl', Key: 'tenant-template/tenant.template.json', Body: '{}' }));
    const [first, second] = published.map((e) => (e.detail.object as { sequencer: string }).sequencer);
    expect(second > first).toBe(true);
  });

  it('Object Created for CopyObject; Object Deleted with deletion-type for markers and permanent deletes', async () => {
    const { client, published } = ctx;
    await client.send(new PutBucketVersioningCommand({ Bucket: 'tpl', VersioningConfiguration: { Status: 'Enabled' } }));
    await client.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'tpl', NotificationConfiguration: { EventBridgeConfiguration: {} } }),
    );
    const put = await client.send(new PutObjectCommand({ Bucket: 'tpl', Key: 'a', Body: 'x' }));
    await client.send(new CopyObjectCommand({ Bucket: 'tpl', Key: 'b', CopySource: 'tpl/a' }));
    const marker = await client.send(new DeleteObjectCommand({ Bucket: 'tpl', Key: 'a' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'tpl', Key: 'a', VersionId: put.VersionId }));
    expect(published.map((e) => [e.detailType, e.detail.reason, e.detail['deletion-type']])).toEqual([
      ['Object Created', 'PutObject', undefined],
      ['Object Created', 'CopyObject', undefined],
      ['Object Deleted', 'DeleteObject', 'Delete Marker Created'],
      ['Object Deleted', 'DeleteObject', 'Permanently Deleted'],
    ]);
    expect((published[2].detail.object as Record<string, unknown>)['version-id']).toBe(marker.VersionId);
    expect((published[3].detail.object as Record<string, unknown>)['version-id']).toBe(put.VersionId);
  });
});

describe('LocalS3: wire details, faults, persistence', () => {
  it('serves virtual-hosted style requests (Host: bucket.localhost)', async () => {
    const ctx = await started();
    try {
      await ctx.client.send(new CreateBucketCommand({ Bucket: 'vhost' }));
      await ctx.client.send(new PutObjectCommand({ Bucket: 'vhost', Key: 'dir/k', Body: 'hello' }));
      const port = new URL(ctx.endpoint).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/dir/k', headers: { host: `vhost.localhost:${port}` } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('200 hello');
    } finally {
      ctx.client.destroy();
      await ctx.s3.close();
    }
  });

  it('answers errors as S3 XML with Code, Message and RequestId', async () => {
    const ctx = await started();
    try {
      const text = await (await fetch(`${ctx.endpoint}/nope/key`)).text();
      expect(text).toMatch(
        /<Error><Code>NoSuchBucket<\/Code><Message>The specified bucket does not exist<\/Message><BucketName>nope<\/BucketName><RequestId>[0-9A-F]{16}<\/RequestId>/,
      );
    } finally {
      ctx.client.destroy();
      await ctx.s3.close();
    }
  });

  it('injects faults per operation and bucket (SlowDown 503), for a number of calls', async () => {
    const ctx = await started();
    try {
      await ctx.client.send(new CreateBucketCommand({ Bucket: 'faulty' }));
      ctx.s3.injectFault({
        operation: 'PutObject',
        resource: 'faulty',
        code: 'SlowDown',
        message: 'Please reduce your request rate.',
        times: 1,
      });
      await expect(ctx.client.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'k', Body: 'x' }))).rejects.toMatchObject({
        name: 'SlowDown',
        message: 'Please reduce your request rate.',
        $metadata: { httpStatusCode: 503 },
      });
      await expect(ctx.client.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'k', Body: 'x' }))).resolves.toBeDefined();
      expect(ctx.s3.faults.injected).toEqual([{ operation: 'PutObject', resource: 'faulty', code: 'SlowDown' }]);
    } finally {
      ctx.client.destroy();
      await ctx.s3.close();
    }
  });

  it('keeps buckets, versions, tags and notification settings in dataDir across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-'));
    try {
      const first = await started({ dataDir: dir });
      await first.client.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await first.client.send(new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Enabled' } }));
      await first.client.send(
        new PutBucketNotificationConfigurationCommand({ Bucket: 'kept', NotificationConfiguration: { EventBridgeConfiguration: {} } }),
      );
      const v1 = await first.client.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'one', Tagging: 'r=1' }));
      await first.client.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'two' }));
      first.client.destroy();
      await first.s3.close();

      const second = await started({ dataDir: dir });
      try {
        const old = await second.client.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k', VersionId: v1.VersionId }));
        expect([await old.Body!.transformToString(), old.TagCount]).toEqual(['one', 1]);
        expect(await (await second.client.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }))).Body!.transformToString()).toBe('two');
        await second.client.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k2', Body: 'x' }));
        expect(second.published.map((e) => e.detailType)).toEqual(['Object Created']);
      } finally {
        second.client.destroy();
        await second.s3.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
