/**
 * The SigV4 auth scheme of in-process clients (local/in-process.ts) without the hashing: the local
 * services never verify a signature, but some read the credential scope of the Authorization header
 * (the access key tells LocalSts the caller and the cells' CloudFormation front end the account:
 * local/sts/service.ts credentialScopeOf). So the request gets every header SigV4 would add, in its
 * format, with the same credential scope, and a signature of zeros instead of an HMAC chain over a
 * canonical request and a SHA-256 of the body: a structurally valid header at the cost of a string.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * Installed through the SDK's documented runtime-extension hook (`extensions`, whose configuration
 * has `setHttpAuthScheme`): it replaces the client's `aws.auth#sigv4` scheme and keeps the others
 * (no-auth operations of STS, SigV4a). The SDK still resolves the identity (static or assumed-role
 * credentials) and hands it to `sign`. Clients on sockets keep the real signer.
 */

/** The parts of the SDK's HttpRequest (@smithy/protocol-http) the signer reads and writes. */
interface SignableRequest {
  headers: Record<string, string>;
}

/** The SDK's resolved AWS credentials (its `AwsCredentialIdentity`). */
interface CredentialIdentity {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** What the SDK's auth scheme resolution passes: the auth option's (`name`, `region`) and the endpoint's (`signingName`, `signingRegion`). */
interface SigningProperties {
  readonly name?: string;
  readonly region?: string;
  readonly signingName?: string;
  readonly signingRegion?: string;
}

/** The SDK's HttpAuthScheme (@smithy/types): a scheme id, where its identity comes from, its signer. */
interface HttpAuthScheme {
  readonly schemeId: string;
  identityProvider<P>(config: { getIdentityProvider(schemeId: string): P }): P;
  readonly signer: { sign<R extends SignableRequest>(request: R, identity: CredentialIdentity, properties: SigningProperties): Promise<R> };
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNATURE = '0'.repeat(64);
/** Headers SigV4 never signs (@smithy/signature-v4 ALWAYS_UNSIGNABLE_HEADERS, proxy-*, sec-*); the rest are in SignedHeaders. */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

let dateSecond = -1;
let dateText = '';
/** `YYYYMMDDTHHMMSSZ`, SigV4's X-Amz-Date (formatted once per second: calls come by the thousand). */
function amzDate(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  }
  return dateText;
}

/**
 * Adds what SigV4 adds to a request (X-Amz-Date, X-Amz-Security-Token with session credentials,
 * X-Amz-Content-Sha256 when absent, Authorization with the credential scope and SignedHeaders),
 * to a copy, as the real signer does; the signature and the payload hash are not computed.
 */
export function signWithoutHashing<R extends SignableRequest>(
  request: R,
  credentials: CredentialIdentity,
  scope: { region: string; service: string },
  epochMs: number = Date.now(),
): R {
  if (!credentials.accessKeyId || !credentials.secretAccessKey)
    throw new Error('in-process signer: the resolved credentials have no accessKeyId or secretAccessKey');
  const headers: Record<string, string> = {};
  const signed: string[] = [];
  let hasContentSha = false;
  for (const name of Object.keys(request.headers)) {
    const lower = name.toLowerCase();
    // SigV4 drops what it generates itself (@smithy/signature-v4 prepareRequest).
    if (lower === 'authorization' || lower === 'x-amz-date' || lower === 'date') continue;
    // Replaced by the credentials' session token, as the real signer sets it.
    if (lower === 'x-amz-security-token' && credentials.sessionToken) continue;
    headers[name] = request.headers[name];
    if (lower === 'x-amz-content-sha256') hasContentSha = true;
    if (!UNSIGNABLE.has(lower) && !lower.startsWith('proxy-') && !lower.startsWith('sec-')) signed.push(lower);
  }
  const date = amzDate(epochMs);
  headers['x-amz-date'] = date;
  signed.push('x-amz-date');
  if (credentials.sessionToken) {
    headers['x-amz-security-token'] = credentials.sessionToken;
    signed.push('x-amz-security-token');
  }
  // The real signer puts the body's SHA-256 here unless the SDK set it; UNSIGNED-PAYLOAD is its documented stand-in (S3).
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
  if (!hasContentSha) {
    headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    signed.push('x-amz-content-sha256');
  }
  signed.sort();
  headers.authorization =
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request, ` +
    `SignedHeaders=${signed.join(';')}, Signature=${SIGNATURE}`;
  // A copy of the same class (the SDK's HttpRequest), as the real signer returns a clone.
  return Object.assign(Object.create(Object.getPrototypeOf(request) as object) as R, request, { headers });
}

class InProcessSigV4Signer {
  sign<R extends SignableRequest>(request: R, identity: CredentialIdentity, properties: SigningProperties): Promise<R> {
    const region = properties.signingRegion ?? properties.region;
    const service = properties.signingName ?? properties.name;
    if (!region || !service) return Promise.reject(new Error('in-process signer: the auth scheme gave no signing region or service name'));
    try {
      return Promise.resolve(signWithoutHashing(request, identity, { region, service }));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

const SIGV4: HttpAuthScheme = {
  schemeId: 'aws.auth#sigv4',
  identityProvider: (config) => config.getIdentityProvider('aws.auth#sigv4'),
  signer: new InProcessSigV4Signer(),
};

/** A client runtime extension (client config `extensions: [inProcessSigning]`): SigV4 as above instead of the hashing signer. */
export const inProcessSigning = {
  configure(configuration: { setHttpAuthScheme(scheme: HttpAuthScheme): void }): void {
    configuration.setHttpAuthScheme(SIGV4);
  },
};
