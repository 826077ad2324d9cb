/**
 * Several accounts' CloudFormation behind one endpoint, as AWS has one regional endpoint for every
 * account: a request is served by the LocalCloudFormation of the account its SigV4 credentials
 * belong to (the access key, resolved by the local STS: keys it issued for a cell's role map to
 * that cell's account, any other key to the home account), in the region its credential scope
 * names. One LocalCloudFormation per account (and region) rather than one keeping stacks per
 * account: each account's stacks, IAM registry, limits and throttling stay apart exactly as its own
 * service would keep them, and the single-account service needs no change on its hot paths.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { credentialScopeOf } from '../sts';
import type { LocalCloudFormation } from './local-cloudformation';
import { errorXml } from './query-protocol';
import { CloudFormationError } from './errors';

export interface CloudFormationAccountsOptions {
  /** The account of a request's access key (LocalSts.accountOf). */
  readonly accountOf: (accessKeyId: string | undefined) => string;
  /** One service per account; all in one region. */
  readonly services: readonly LocalCloudFormation[];
}

export class CloudFormationAccounts {
  private readonly byAccount = new Map<string, LocalCloudFormation>();
  private server?: Server;
  private url?: string;

  constructor(private readonly options: CloudFormationAccountsOptions) {
    for (const service of options.services) {
      if (this.byAccount.has(service.accountId)) throw new Error(`CloudFormationAccounts: account ${service.accountId} is given twice`);
      this.byAccount.set(service.accountId, service);
    }
  }

  /** The service of one account (tests read a cell's stacks through it). */
  of(accountId: string): LocalCloudFormation {
    const service = this.byAccount.get(accountId);
    if (!service) throw new Error(`no local CloudFormation for account ${accountId}`);
    return service;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      const scope = credentialScopeOf(req.headers.authorization);
      const service = this.byAccount.get(this.options.accountOf(scope?.accessKeyId));
      if (service && (scope === undefined || scope.region === service.region)) return service.handle(req, res);
      // A key of an account (or a region) no cell serves: as AWS answers credentials it does not know.
      const body = errorXml(
        new CloudFormationError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
        'local-accounts',
      );
      req.resume();
      res.writeHead(403, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.url = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  get endpoint(): string {
    if (!this.url) throw new Error('CloudFormationAccounts is not listening; call listen() first');
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
