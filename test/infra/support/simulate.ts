import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT } from './deployed-template';

/**
 * Evaluates one request the way IAM does (identity policies, permissions boundary, resource policy,
 * same- or cross-account), offline, with @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency used
 * by tests only). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export interface Request {
  /** A role ARN, or a service principal such as `cloudwatch.amazonaws.com`. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Account owning the resource (defaults to the test account). */
  readonly resourceAccount?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  readonly identityPolicies?: readonly { name: string; policy: unknown }[];
  readonly permissionsBoundary?: unknown;
  readonly resourcePolicy?: unknown;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** The decision; a request the simulator cannot evaluate (bad policy, unknown action) throws, naming why. */
export async function decide(request: Request): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
      },
      identityPolicies: [...(request.identityPolicies ?? [])],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      permissionBoundaryPolicies:
        request.permissionsBoundary === undefined ? undefined : [{ name: 'boundary', policy: request.permissionsBoundary }],
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}
