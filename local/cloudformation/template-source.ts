/**
 * Where a template comes from: TemplateBody, or TemplateURL read from the local S3 through
 * `@aws-sdk/client-s3` (path style, against the configured endpoint), `?versionId=` included.
 * Accepted URL forms: path style on the local S3 endpoint, and the AWS forms
 * `https://<bucket>.s3.amazonaws.com/<key>`, `https://<bucket>.s3.<region>.amazonaws.com/<key>`,
 * `https://<bucket>.s3-<region>.amazonaws.com/<key>`, `https://s3.<region>.amazonaws.com/<bucket>/<key>`,
 * `https://s3.amazonaws.com/<bucket>/<key>`, all mapped onto the local S3.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html (TemplateURL)
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { InProcessHttpHandler } from '../in-process';
import { constraintViolation, validationError } from './errors';
import { TEMPLATE_BODY_MAX_LENGTH } from './template';

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** TemplateURL's documented maximum length. */
const TEMPLATE_URL_MAX_LENGTH = 5120;

/** Versioned template texts kept by the cache (a release has one; a few releases fit). */
const VERSION_CACHE_SIZE = 16;

export class TemplateSource {
  private readonly s3: S3Client;
  private readonly localHost: string;
  /** Texts of versioned TemplateURLs already read (bucket, key, version id), when caching is on. */
  private readonly versions?: Map<string, string>;

  /**
   * `cacheVersions`: a TemplateURL with `?versionId=` is read from S3 once; an object version's content
   * never changes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html), so
   * the only difference is that a version deleted after its first read is still served. For large
   * simulated fleets (100,000 UpdateStacks of one pinned release); off by default.
   */
  constructor(s3Endpoint: string, region: string, cacheVersions = false, requestHandler?: InProcessHttpHandler) {
    if (cacheVersions) this.versions = new Map();
    this.s3 = new S3Client({
      endpoint: s3Endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
      requestHandler,
    });
    this.localHost = new URL(s3Endpoint).host;
  }

  /** The template text the request names; ValidationError when it names none, both, or one that cannot be read. */
  async read(templateBody: string | undefined, templateUrl: string | undefined): Promise<string> {
    // "Either Template URL or Template Body must be specified." as CloudFormation answers; the both-given wording is inferred.
    if ((templateBody === undefined) === (templateUrl === undefined)) {
      throw validationError(
        templateBody === undefined
          ? 'Either Template URL or Template Body must be specified.'
          : 'Specify either TemplateBody or TemplateURL, not both.',
      );
    }
    if (templateBody !== undefined) {
      if (templateBody.length > TEMPLATE_BODY_MAX_LENGTH) {
        throw constraintViolation(
          `${templateBody.slice(0, 20)}...`,
          'templateBody',
          `Member must have length less than or equal to ${TEMPLATE_BODY_MAX_LENGTH}`,
        );
      }
      return templateBody;
    }
    if (templateUrl!.length > TEMPLATE_URL_MAX_LENGTH) {
      throw constraintViolation(templateUrl!, 'templateURL', `Member must have length less than or equal to ${TEMPLATE_URL_MAX_LENGTH}`);
    }
    const location = this.locate(templateUrl!);
    const cacheKey =
      this.versions && location.versionId !== undefined ? `${location.bucket}\u0000${location.key}\u0000${location.versionId}` : undefined;
    const cached = cacheKey === undefined ? undefined : this.versions!.get(cacheKey);
    if (cached !== undefined) return cached;
    let text: string;
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: location.versionId }),
      );
      text = await object.Body!.transformToString('utf8');
    } catch {
      throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
    }
    if (cacheKey !== undefined) {
      if (this.versions!.size >= VERSION_CACHE_SIZE) this.versions!.delete(this.versions!.keys().next().value!);
      this.versions!.set(cacheKey, text);
    }
    return text;
  }

  locate(templateUrl: string): S3Location {
    let url: URL;
    try {
      url = new URL(templateUrl);
    } catch {
      throw validationError('TemplateURL must be a supported URL.');
    }
    const versionId = url.searchParams.get('versionId') ?? undefined;
    const path = url.pathname.replace(/^\//, '');
    const host = url.host.toLowerCase();
    const pathStyle = (): S3Location => {
      const slash = path.indexOf('/');
      if (slash <= 0 || slash === path.length - 1)
        throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
      return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)), versionId };
    };
    if (host === this.localHost.toLowerCase()) return pathStyle();
    if (/^s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(host)) return pathStyle();
    const virtual = /^(.+)\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.exec(host);
    if (virtual && path.length > 0) return { bucket: virtual[1], key: decodeURIComponent(path), versionId };
    throw validationError('TemplateURL must be a supported URL.');
  }
}
