/**
 * The account's IAM entities the stacks created: roles (trust policy, inline and attached policies,
 * permissions boundary) and customer managed policies, with their documents. There is no IAM API here;
 * tests and tools read the registry in-process (`LocalCloudFormation.iam`), e.g. to simulate policies.
 * Names are unique per account, as in IAM (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names).
 */
export interface RoleEntry {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  assumeRolePolicyDocument: unknown;
  description?: string;
  maxSessionDuration?: number;
  permissionsBoundary?: string;
  managedPolicyArns: string[];
  /** Inline policies by name: the role's own `Policies` and those AWS::IAM::Policy resources put on it. */
  inlinePolicies: Record<string, unknown>;
  tags: { Key: string; Value: string }[];
  createDate: number;
}

export interface ManagedPolicyEntry {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  document: unknown;
  createDate: number;
}

export interface IamSnapshot {
  roles: RoleEntry[];
  managedPolicies: ManagedPolicyEntry[];
}

export class IamRegistry {
  private readonly roles = new Map<string, RoleEntry>();
  private readonly managedPolicies = new Map<string, ManagedPolicyEntry>();

  constructor(private readonly onChange: () => void = () => {}) {}

  getRole(roleName: string): RoleEntry | undefined {
    return this.roles.get(roleName);
  }

  listRoles(): RoleEntry[] {
    return [...this.roles.values()];
  }

  getManagedPolicy(arn: string): ManagedPolicyEntry | undefined {
    return this.managedPolicies.get(arn);
  }

  listManagedPolicies(): ManagedPolicyEntry[] {
    return [...this.managedPolicies.values()];
  }

  putRole(role: RoleEntry): void {
    this.roles.set(role.roleName, role);
    this.onChange();
  }

  deleteRole(roleName: string): void {
    this.roles.delete(roleName);
    this.onChange();
  }

  putManagedPolicy(policy: ManagedPolicyEntry): void {
    this.managedPolicies.set(policy.arn, policy);
    this.onChange();
  }

  deleteManagedPolicy(arn: string): void {
    this.managedPolicies.delete(arn);
    this.onChange();
  }

  /** For changes made to an entry in place. */
  changed(): void {
    this.onChange();
  }

  snapshot(): IamSnapshot {
    return { roles: this.listRoles(), managedPolicies: this.listManagedPolicies() };
  }

  restore(snapshot: IamSnapshot): void {
    this.roles.clear();
    this.managedPolicies.clear();
    for (const r of snapshot.roles) this.roles.set(r.roleName, r);
    for (const p of snapshot.managedPolicies) this.managedPolicies.set(p.arn, p);
  }
}
