/**
 * A provider that only records a resource: it gets a physical id and attributes, nothing is called.
 * For resource types the local cloud does not run but a template declares (alarms, log groups, keys),
 * so a stack that holds them can still be deployed; pass it in `LocalCloudFormation`'s `providers`.
 */
import { changed, generatedName, type Provisioned, type ProviderContext, type ResourceProvider } from './provider';

export interface RecordedResourceOptions {
  /** Property naming the resource (its physical id when set; a custom-named resource cannot be replaced). */
  readonly nameProperty?: string;
  /** Properties whose change needs a new physical resource. */
  readonly replacementProperties?: readonly string[];
  /** Fn::GetAtt values; default: `Arn` as `arn:<partition>:<service>:<region>:<account>:<physical id>`. */
  readonly attributes?: (physicalId: string, properties: Record<string, unknown>, ctx: ProviderContext) => Record<string, unknown>;
}

export class RecordedResourceProvider implements ResourceProvider {
  readonly attributes: readonly string[];
  readonly nameProperty?: string;
  /** Physical ids of the resources that currently exist, with their properties. */
  readonly resources = new Map<string, Record<string, unknown>>();

  constructor(
    readonly type: string,
    private readonly options: RecordedResourceOptions & { readonly attributeNames?: readonly string[] } = {},
  ) {
    this.attributes = options.attributeNames ?? ['Arn'];
    this.nameProperty = options.nameProperty;
  }

  requiresReplacement(before: Record<string, unknown>, after: Record<string, unknown>): boolean {
    const names = [...(this.options.replacementProperties ?? []), ...(this.nameProperty ? [this.nameProperty] : [])];
    return names.some((name) => changed(before, after, name));
  }

  async create(properties: Record<string, unknown>, ctx: ProviderContext): Promise<Provisioned> {
    const named = this.nameProperty === undefined ? undefined : properties[this.nameProperty];
    const physicalId = typeof named === 'string' ? named : generatedName(ctx.stackName, ctx.logicalId, 128);
    this.resources.set(physicalId, properties);
    return { physicalId, attributes: this.attributesOf(physicalId, properties, ctx) };
  }

  async update(
    physicalId: string,
    _before: Record<string, unknown>,
    after: Record<string, unknown>,
    ctx: ProviderContext,
  ): Promise<Provisioned> {
    this.resources.set(physicalId, after);
    return { physicalId, attributes: this.attributesOf(physicalId, after, ctx) };
  }

  async delete(physicalId: string): Promise<void> {
    this.resources.delete(physicalId);
  }

  private attributesOf(physicalId: string, properties: Record<string, unknown>, ctx: ProviderContext): Record<string, unknown> {
    if (this.options.attributes) return this.options.attributes(physicalId, properties, ctx);
    const service = this.type.split('::')[1]?.toLowerCase() ?? 'unknown';
    const partition = ctx.region.startsWith('cn-') ? 'aws-cn' : 'aws';
    return { Arn: `arn:${partition}:${service}:${ctx.region}:${ctx.accountId}:${physicalId}` };
  }
}

/**
 * Record-only stand-ins for the types of the tenant template (DynamoDB tables, IAM roles and inline policies),
 * with the physical ids and Fn::GetAtt values the real providers give: a simulated fleet of 100,000
 * tenant stacks then costs no DynamoDB table and no IAM registry entry per stack. Replacement
 * properties as the real providers have them (dynamodb-table.ts, iam.ts).
 */
export function recordedTenantStackProviders(): RecordedResourceProvider[] {
  const partition = (ctx: ProviderContext) => (ctx.region.startsWith('cn-') ? 'aws-cn' : 'aws');
  return [
    new RecordedResourceProvider('AWS::DynamoDB::Table', {
      nameProperty: 'TableName',
      replacementProperties: ['KeySchema', 'LocalSecondaryIndexes'],
      attributeNames: ['Arn', 'StreamArn'],
      attributes: (physicalId, properties, ctx) => {
        const arn = `arn:${partition(ctx)}:dynamodb:${ctx.region}:${ctx.accountId}:table/${physicalId}`;
        return properties.StreamSpecification === undefined
          ? { Arn: arn }
          : { Arn: arn, StreamArn: `${arn}/stream/${new Date(ctx.now).toISOString().slice(0, -1)}` };
      },
    }),
    new RecordedResourceProvider('AWS::IAM::Role', {
      nameProperty: 'RoleName',
      replacementProperties: ['Path'],
      attributeNames: ['Arn', 'RoleId'],
      attributes: (physicalId, properties, ctx) => ({
        Arn: `arn:${partition(ctx)}:iam::${ctx.accountId}:role${typeof properties.Path === 'string' ? properties.Path : '/'}${physicalId}`,
        RoleId: `AROA${physicalId.length.toString(16).toUpperCase().padStart(4, '0')}${ctx.logicalId.slice(0, 12).toUpperCase()}`,
      }),
    }),
    new RecordedResourceProvider('AWS::IAM::Policy', { attributeNames: ['Id'], attributes: (physicalId) => ({ Id: physicalId }) }),
  ];
}
