/**
 * A local STS subset, so the local services can tell accounts apart: AssumeRole hands out temporary
 * credentials whose access key belongs to the role's account, and the other local services (the
 * tenant cells' CloudFormation) map a request's SigV4 access key back to that account with
 * `accountOf`. GetCallerIdentity answers for any key it issued (and for the base credentials).
 *
 * Query protocol (form-encoded POST, XML answers), as `@aws-sdk/client-sts` speaks it (AwsQueryProtocol).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 *
 * Which roles exist and who may assume them is registered in-process (`addRole`), not read from IAM:
 * the local cloud registers each cell's deployer role as its cell stack would create it. A role not
 * registered (or a caller from an account the role does not trust) gets AccessDenied, as on AWS.
 * Credentials expire by the wall clock (DurationSeconds, default 3,600 s, as AWS), not the simulated
 * time line: the engine caches them by wall time, and a simulated hour is no reason to re-assume.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Timeline } from '../../emulator/runtime/timeline';
import { listenLoopback, readBody, type LoopbackServer } from '../http';

export interface LocalStsOptions {
  readonly timeline: Timeline;
  readonly region?: string;
  /** The account of the base credentials (`local`/`local` and any key this STS did not issue). */
  readonly accountId?: string;
}

interface IssuedKey {
  readonly accountId: string;
  readonly arn: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly userId: string;
}

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
/** RoleSessionName: 2-64 characters of `[\w+=,.@-]` (API_AssumeRole). */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class LocalSts {
  readonly region: string;
  readonly accountId: string;
  private readonly timeline: Timeline;
  private readonly keys = new Map<string, IssuedKey>();
  /** Assumable roles: ARN -> the accounts whose principals its trust policy lets assume it. */
  private readonly roles = new Map<string, ReadonlySet<string>>();
  private server?: LoopbackServer;
  /** AssumeRole calls answered (granted or denied): for tests. */
  assumeRoleCalls = 0;

  constructor(options: LocalStsOptions) {
    this.timeline = options.timeline;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  /** Registers a role principals of `trustedAccounts` may assume (its trust policy, as far as accounts go). */
  addRole(roleArn: string, trustedAccounts: readonly string[]): void {
    if (!ROLE_ARN.test(roleArn)) throw new Error(`LocalSts.addRole: ${roleArn} is not an IAM role ARN`);
    this.roles.set(roleArn, new Set(trustedAccounts));
  }

  /** Forgets a role (deleted, or its trust withdrawn): AssumeRole of it is then denied. */
  removeRole(roleArn: string): void {
    this.roles.delete(roleArn);
  }

  /** The account an access key belongs to: the assumed role's for keys issued here, else the base account. */
  accountOf(accessKeyId: string | undefined): string {
    return (accessKeyId !== undefined ? this.keys.get(accessKeyId)?.accountId : undefined) ?? this.accountId;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = await listenLoopback((req, res) => void this.timeline.track(this.serve(req, res)).catch(() => res.destroy()), port, host);
    return this.server.url;
  }

  get endpoint(): string {
    if (!this.server) throw new Error('LocalSts is not listening; call listen() first');
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const params = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
    const caller = this.callerOf(accessKeyOf(req.headers.authorization));
    let status = 200;
    let body: string;
    try {
      const action = params.get('Action');
      if (action === 'AssumeRole') body = this.result('AssumeRole', this.assumeRole(params, caller), requestId);
      else if (action === 'GetCallerIdentity') {
        body = this.result(
          'GetCallerIdentity',
          `<Arn>${escapeXml(caller.arn)}</Arn><UserId>${escapeXml(caller.userId)}</UserId><Account>${caller.accountId}</Account>`,
          requestId,
        );
      } else throw new StsError('InvalidAction', `Could not find operation ${action ?? ''} for version 2011-06-15`);
    } catch (error) {
      const sts = error instanceof StsError ? error : new StsError('InternalFailure', String(error), 500);
      status = sts.status;
      body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${sts.code}</Code><Message>${escapeXml(sts.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    }
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private assumeRole(params: URLSearchParams, caller: { accountId: string; arn: string }): string {
    this.assumeRoleCalls += 1;
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw new StsError('ValidationError', `${roleArn} is invalid`);
    if (!SESSION_NAME.test(sessionName)) {
      throw new StsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw new StsError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    const trusted = this.roles.get(roleArn);
    if (!trusted || !trusted.has(caller.accountId)) {
      throw new StsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    }
    const [, accountId, roleName] = match;
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const roleId = `AROA${Buffer.from(roleArn).toString('hex').slice(0, 17).toUpperCase()}`;
    const issued: IssuedKey = {
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      userId: `${roleId}:${sessionName}`,
    };
    this.keys.set(accessKeyId, issued);
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    return (
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${escapeXml(issued.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${escapeXml(issued.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>${escapeXml(issued.userId)}</AssumedRoleId><Arn>${escapeXml(issued.arn)}</Arn></AssumedRoleUser>`
    );
  }

  private callerOf(accessKeyId: string | undefined): { accountId: string; arn: string; userId: string } {
    const issued = accessKeyId !== undefined ? this.keys.get(accessKeyId) : undefined;
    if (issued) return issued;
    return { accountId: this.accountId, arn: `arn:aws:iam::${this.accountId}:root`, userId: this.accountId };
  }

  private result(action: string, inner: string, requestId: string): string {
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${STS_XMLNS}"><${action}Result>${inner}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
    );
  }
}

/**
 * The access key of a SigV4-signed request (`Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return credentialScopeOf(authorization)?.accessKeyId;
}

/** The credential scope of a SigV4 Authorization header: access key, date, region, service. */
export function credentialScopeOf(authorization: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match ? { accessKeyId: match[1], region: match[2], service: match[3] } : undefined;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
