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
