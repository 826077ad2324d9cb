/** The local STS: see service.ts. */
export { LocalSts, credentialScopeOf, type LocalStsOptions } from './service';
