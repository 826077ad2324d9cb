/**
 * The contract between the stack operations and one resource type's handler, as CloudFormation's
 * resource providers have it: create / update / delete, which properties force a replacement, which
 * attributes Fn::GetAtt can read. A failure carries the reason CloudFormation shows on the resource's
 * *_FAILED event.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface ProviderContext {
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly region: string;
  readonly accountId: string;
  /** Milliseconds on the shared time line (creation dates, stream labels). */
  readonly now: number;
}

export interface Provisioned {
  readonly physicalId: string;
  readonly attributes: Record<string, unknown>;
}

export interface ResourceProvider {
  readonly type: string;
  /** What Fn::GetAtt may read (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-<type>.html#aws-resource-<type>-return-values). */
  readonly attributes: readonly string[];
  /** The property that names the physical resource: a custom-named resource cannot be replaced. */
  readonly nameProperty?: string;
  /** Whether changing `before` into `after` needs a new physical resource ("Update requires: Replacement"). */
  requiresReplacement(before: Record<string, unknown>, after: Record<string, unknown>): boolean;
  create(properties: Record<string, unknown>, ctx: ProviderContext): Promise<Provisioned>;
  update(physicalId: string, before: Record<string, unknown>, after: Record<string, unknown>, ctx: ProviderContext): Promise<Provisioned>;
  delete(physicalId: string, properties: Record<string, unknown>, ctx: ProviderContext): Promise<void>;
}

/** A handler failure; `message` is the resource's status reason. */
export class ProviderError extends Error {}

/**
 * The form CloudFormation reports a resource handler's failure in, e.g.
 * `Resource handler returned message: "Resource of type 'AWS::IAM::Role' with identifier 'x' already exists." (RequestToken: <uuid>, HandlerErrorCode: AlreadyExists)`
 * (recorded in many public deploy logs; HandlerErrorCode values:
 * https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract-errors.html).
 */
export function handlerError(message: string, handlerErrorCode: string): ProviderError {
  return new ProviderError(
    `Resource handler returned message: "${message}" (RequestToken: ${randomUUID()}, HandlerErrorCode: ${handlerErrorCode})`,
  );
}

export function alreadyExistsError(type: string, identifier: string): ProviderError {
  return handlerError(`Resource of type '${type}' with identifier '${identifier}' already exists.`, 'AlreadyExists');
}

/**
 * A name for a resource the template does not name: `<stack>-<LogicalId>-<RANDOM>`, as CloudFormation
 * generates them (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html).
 */
export function generatedName(stackName: string, logicalId: string, maxLength: number): string {
  const suffix = randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 12);
  const room = maxLength - suffix.length - 2;
  const stackPart = stackName.slice(0, Math.max(1, Math.floor(room / 2)));
  const logicalPart = logicalId.slice(0, room - stackPart.length);
  return `${stackPart}-${logicalPart}-${suffix}`;
}

export function changed(before: Record<string, unknown>, after: Record<string, unknown>, property: string): boolean {
  return JSON.stringify(before[property]) !== JSON.stringify(after[property]);
}
