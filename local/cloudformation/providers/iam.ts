/**
 * AWS::IAM::Role, AWS::IAM::Policy and AWS::IAM::ManagedPolicy, recorded in the IamRegistry.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-managedpolicy.html
 * Role — Ref: name; GetAtt Arn, RoleId; replacement on RoleName, Path.
 * Policy (inline) — Ref: its generated id; updates in place.
 * ManagedPolicy — Ref: ARN; GetAtt PolicyArn; replacement on ManagedPolicyName, Path.
 */
import { randomBytes } from 'node:crypto';
import type { IamRegistry } from './iam-registry';
import {
  alreadyExistsError,
  changed,
  generatedName,
  handlerError,
  type Provisioned,
  type ProviderContext,
  type ResourceProvider,
} from './provider';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
type Props = Record<string, any>;

/** IAM unique ids: a type prefix and 17 upper-case letters and digits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids). */
function uniqueId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...randomBytes(17)].map((b) => alphabet[b % alphabet.length]).join('');
}

function parseDocument(document: unknown): unknown {
  return typeof document === 'string' ? JSON.parse(document) : document;
}

function roleNotFound(roleName: string): Error {
  return handlerError(`The role with name ${roleName} cannot be found. (Service: Iam, Status Code: 404, Request ID: local)`, 'NotFound');
}

export class IamRoleProvider implements ResourceProvider {
  readonly type = 'AWS::IAM::Role';
  readonly attributes = ['Arn', 'RoleId'] as const;
  readonly nameProperty = 'RoleName';

  constructor(private readonly registry: IamRegistry) {}

  requiresReplacement(before: Props, after: Props): boolean {
    return changed(before, after, 'RoleName') || changed(before, after, 'Path');
  }

  async create(properties: Props, ctx: ProviderContext): Promise<Provisioned> {
    const roleName: string = properties.RoleName ?? generatedName(ctx.stackName, ctx.logicalId, 64);
    if (this.registry.getRole(roleName)) throw alreadyExistsError(this.type, roleName);
    if (properties.AssumeRolePolicyDocument === undefined) {
      throw handlerError(
        'Properties validation failed for resource with message: #: required key [AssumeRolePolicyDocument] not found',
        'InvalidRequest',
      );
    }
    const path: string = properties.Path ?? '/';
    const role = {
      roleName,
      roleId: uniqueId('AROA'),
      arn: `arn:aws:iam::${ctx.accountId}:role${path}${roleName}`,
      path,
      createDate: ctx.now,
      ...this.mutable(properties),
    };
    this.registry.putRole(role);
    return { physicalId: roleName, attributes: { Arn: role.arn, RoleId: role.roleId } };
  }

  async update(physicalId: string, before: Props, after: Props): Promise<Provisioned> {
    const role = this.registry.getRole(physicalId);
    if (!role) throw roleNotFound(physicalId);
    const own = new Set((before.Policies ?? []).map((p: Props) => p.PolicyName));
    const foreign = Object.fromEntries(Object.entries(role.inlinePolicies).filter(([name]) => !own.has(name)));
    const next = this.mutable(after);
    Object.assign(role, next, { inlinePolicies: { ...foreign, ...next.inlinePolicies } });
    this.registry.changed();
    return { physicalId, attributes: { Arn: role.arn, RoleId: role.roleId } };
  }

  async delete(physicalId: string, properties: Props): Promise<void> {
    const role = this.registry.getRole(physicalId);
    if (!role) return;
    const own = new Set((properties.Policies ?? []).map((p: Props) => p.PolicyName));
    if (Object.keys(role.inlinePolicies).some((name) => !own.has(name))) {
      throw handlerError(
        'Cannot delete entity, must delete policies first. (Service: Iam, Status Code: 409, Request ID: local)',
        'GeneralServiceException',
      );
    }
    this.registry.deleteRole(physicalId);
  }

  private mutable(properties: Props) {
    return {
      assumeRolePolicyDocument: parseDocument(properties.AssumeRolePolicyDocument),
      description: properties.Description,
      maxSessionDuration: properties.MaxSessionDuration === undefined ? undefined : Number(properties.MaxSessionDuration),
      permissionsBoundary: properties.PermissionsBoundary,
      managedPolicyArns: [...(properties.ManagedPolicyArns ?? [])],
      inlinePolicies: Object.fromEntries((properties.Policies ?? []).map((p: Props) => [p.PolicyName, parseDocument(p.PolicyDocument)])),
      tags: [...(properties.Tags ?? [])],
    };
  }
}

export class IamPolicyProvider implements ResourceProvider {
  readonly type = 'AWS::IAM::Policy';
  readonly attributes = ['Id'] as const;

  constructor(private readonly registry: IamRegistry) {}

  requiresReplacement(): boolean {
    return false;
  }

  async create(properties: Props, ctx: ProviderContext): Promise<Provisioned> {
    const physicalId = generatedName(ctx.stackName.slice(0, 5), String(properties.PolicyName ?? ctx.logicalId).slice(0, 5), 30);
    this.attach(properties);
    return { physicalId, attributes: { Id: physicalId } };
  }

  async update(physicalId: string, before: Props, after: Props): Promise<Provisioned> {
    this.detach(before);
    this.attach(after);
    return { physicalId, attributes: { Id: physicalId } };
  }

  async delete(_physicalId: string, properties: Props): Promise<void> {
    this.detach(properties);
  }

  private attach(properties: Props): void {
    if (properties.PolicyName === undefined || properties.PolicyDocument === undefined) {
      throw handlerError(
        'Properties validation failed for resource with message: #: required key [PolicyName, PolicyDocument] not found',
        'InvalidRequest',
      );
    }
    const roles: string[] = properties.Roles ?? [];
    for (const roleName of roles) if (!this.registry.getRole(roleName)) throw roleNotFound(roleName);
    for (const roleName of roles)
      this.registry.getRole(roleName)!.inlinePolicies[properties.PolicyName] = parseDocument(properties.PolicyDocument);
    this.registry.changed();
  }

  private detach(properties: Props): void {
    for (const roleName of (properties.Roles ?? []) as string[])
      delete this.registry.getRole(roleName)?.inlinePolicies[properties.PolicyName];
    this.registry.changed();
  }
}

export class IamManagedPolicyProvider implements ResourceProvider {
  readonly type = 'AWS::IAM::ManagedPolicy';
  readonly attributes = ['PolicyArn', 'PolicyId', 'AttachmentCount', 'DefaultVersionId'] as const;
  readonly nameProperty = 'ManagedPolicyName';

  constructor(private readonly registry: IamRegistry) {}

  requiresReplacement(before: Props, after: Props): boolean {
    return changed(before, after, 'ManagedPolicyName') || changed(before, after, 'Path');
  }

  async create(properties: Props, ctx: ProviderContext): Promise<Provisioned> {
    const name: string = properties.ManagedPolicyName ?? generatedName(ctx.stackName, ctx.logicalId, 128);
    const path: string = properties.Path ?? '/';
    const arn = `arn:aws:iam::${ctx.accountId}:policy${path}${name}`;
    if (this.registry.listManagedPolicies().some((p) => p.policyName === name)) throw alreadyExistsError(this.type, name);
    const entry = {
      policyName: name,
      policyId: uniqueId('ANPA'),
      arn,
      path,
      description: properties.Description,
      document: parseDocument(properties.PolicyDocument),
      createDate: ctx.now,
    };
    this.registry.putManagedPolicy(entry);
    this.attach(arn, properties.Roles ?? []);
    return { physicalId: arn, attributes: this.attributesOf(entry, properties) };
  }

  async update(physicalId: string, before: Props, after: Props): Promise<Provisioned> {
    const entry = this.registry.getManagedPolicy(physicalId);
    if (!entry)
      throw handlerError(
        `Policy ${physicalId} does not exist or is not attachable. (Service: Iam, Status Code: 404, Request ID: local)`,
        'NotFound',
      );
    entry.document = parseDocument(after.PolicyDocument);
    entry.description = after.Description;
    this.detach(physicalId, before.Roles ?? []);
    this.attach(physicalId, after.Roles ?? []);
    return { physicalId, attributes: this.attributesOf(entry, after) };
  }

  async delete(physicalId: string, properties: Props): Promise<void> {
    this.detach(physicalId, properties.Roles ?? []);
    this.registry.deleteManagedPolicy(physicalId);
  }

  private attributesOf(entry: { arn: string; policyId: string }, properties: Props): Record<string, unknown> {
    return { PolicyArn: entry.arn, PolicyId: entry.policyId, AttachmentCount: (properties.Roles ?? []).length, DefaultVersionId: 'v1' };
  }

  private attach(arn: string, roles: string[]): void {
    for (const roleName of roles) if (!this.registry.getRole(roleName)) throw roleNotFound(roleName);
    for (const roleName of roles) {
      const role = this.registry.getRole(roleName)!;
      if (!role.managedPolicyArns.includes(arn)) role.managedPolicyArns.push(arn);
    }
    this.registry.changed();
  }

  private detach(arn: string, roles: string[]): void {
    for (const roleName of roles) {
      const role = this.registry.getRole(roleName);
      if (role) role.managedPolicyArns = role.managedPolicyArns.filter((a) => a !== arn);
    }
    this.registry.changed();
  }
}
