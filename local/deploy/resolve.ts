/**
 * A small CloudFormation template resolver: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, Fn::If with the condition functions, and the pseudo parameters, over the physical ids
 * and attributes of resources already created.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
 */

export interface ResolveContext {
  /** What `Ref` answers for a resource or parameter; throws when unknown. */
  ref(logicalId: string): string;
  /** What `Fn::GetAtt` answers; throws when unknown. */
  getAtt(logicalId: string, attribute: string): string;
  /** Evaluated conditions of the template's Conditions section. */
  condition?(name: string): boolean;
}

export interface PseudoParameters {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly partition?: string;
  readonly urlSuffix?: string;
}

/** `AWS::*` pseudo parameter values (AWS::NoValue is handled by the resolver itself). */
export function pseudoParameterValues(p: PseudoParameters): Record<string, string> {
  return {
    'AWS::Region': p.region,
    'AWS::AccountId': p.accountId,
    'AWS::StackName': p.stackName,
    'AWS::StackId': p.stackId,
    'AWS::Partition': p.partition ?? 'aws',
    'AWS::URLSuffix': p.urlSuffix ?? 'amazonaws.com',
  };
}

export class TemplateResolveError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'TemplateResolveError';
  }
}

/** Marker for AWS::NoValue: the property it stands for is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves every intrinsic in `value` (a property tree); `path` names the place in errors. */
export function resolveValue(value: unknown, context: ResolveContext, path = ''): unknown {
  const resolved = resolve(value, context, path);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, ctx: ResolveContext, path: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => resolve(item, ctx, `${path}[${i}]`)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, argument] = entries[0];
    if (key === 'Ref' || key.startsWith('Fn::') || key === 'Condition') return intrinsic(key, argument, ctx, `${path}.${key}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const r = resolve(item, ctx, path ? `${path}.${key}` : key);
    if (r !== NO_VALUE) out[key] = r;
  }
  return out;
}

function intrinsic(name: string, argument: unknown, ctx: ResolveContext, path: string): unknown {
  switch (name) {
    case 'Ref': {
      if (typeof argument !== 'string') throw new TemplateResolveError(path, 'Ref takes a logical id or parameter name (a string)');
      if (argument === 'AWS::NoValue') return NO_VALUE;
      return ctx.ref(argument);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof argument === 'string' ? splitOnce(argument, '.') : (argument as [unknown, unknown]);
      const attr = resolve(attribute, ctx, path);
      if (typeof logicalId !== 'string' || typeof attr !== 'string') {
        throw new TemplateResolveError(path, 'Fn::GetAtt takes [logicalId, attributeName] or "logicalId.attributeName"');
      }
      return ctx.getAtt(logicalId, attr);
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
        throw new TemplateResolveError(path, 'Fn::Join takes [delimiter, [values...]]');
      }
      const list = resolve(argument[1], ctx, `${path}[1]`);
      if (!Array.isArray(list)) throw new TemplateResolveError(path, 'Fn::Join: the second element must resolve to a list');
      return list.map((item, i) => asString(item, `${path}[1][${i}]`)).join(argument[0]);
    }
    case 'Fn::Sub': {
      const [template, variables] =
        typeof argument === 'string' ? [argument, {}] : Array.isArray(argument) ? argument : [undefined, undefined];
      if (typeof template !== 'string' || variables === null || typeof variables !== 'object') {
        throw new TemplateResolveError(path, 'Fn::Sub takes a string or [string, {variables}]');
      }
      const values = resolve(variables, ctx, `${path}[1]`) as Record<string, unknown>;
      // ${!Literal} stays as ${Literal}; ${Name} is a variable, a parameter, a resource's Ref or ${Id.Attr}.
      return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
        if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
        const name = inner.trim();
        if (Object.prototype.hasOwnProperty.call(values, name)) return asString(values[name], `${path} \${${name}}`);
        const dot = name.indexOf('.');
        if (dot > 0 && !name.startsWith('AWS::')) return ctx.getAtt(name.slice(0, dot), name.slice(dot + 1));
        if (name.length === 0) throw new TemplateResolveError(path, `Fn::Sub: empty placeholder in '${whole}'`);
        return ctx.ref(name);
      });
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolveError(path, 'Fn::Select takes [index, list]');
      const index = Number(resolve(argument[0], ctx, `${path}[0]`));
      const list = resolve(argument[1], ctx, `${path}[1]`);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new TemplateResolveError(path, `Fn::Select: index ${index} is outside the list`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
        throw new TemplateResolveError(path, 'Fn::Split takes [delimiter, string]');
      }
      return asString(resolve(argument[1], ctx, `${path}[1]`), path).split(argument[0]);
    }
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
        throw new TemplateResolveError(path, 'Fn::If takes [conditionName, valueIfTrue, valueIfFalse]');
      }
      return resolve(conditionValue(argument[0], ctx, path) ? argument[1] : argument[2], ctx, path);
    }
    case 'Condition':
      if (typeof argument !== 'string') throw new TemplateResolveError(path, 'Condition takes a condition name');
      return conditionValue(argument, ctx, path);
    case 'Fn::Equals': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolveError(path, 'Fn::Equals takes [a, b]');
      const [a, b] = argument.map((item, i) => resolve(item, ctx, `${path}[${i}]`));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(argument)) throw new TemplateResolveError(path, `${name} takes a list of conditions`);
      const values = argument.map((item, i) => resolve(item, ctx, `${path}[${i}]`));
      if (!values.every((v) => typeof v === 'boolean')) throw new TemplateResolveError(path, `${name}: every element must be a condition`);
      if (name === 'Fn::Not') return !values[0];
      return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Fn::Contains': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new TemplateResolveError(path, 'Fn::Contains takes [list, value]');
      const list = resolve(argument[0], ctx, `${path}[0]`);
      const item = resolve(argument[1], ctx, `${path}[1]`);
      return Array.isArray(list) && list.includes(item);
    }
    default:
      throw new TemplateResolveError(path, `${name} is not supported by the local deployer`);
  }
}

function conditionValue(name: string, ctx: ResolveContext, path: string): boolean {
  if (!ctx.condition)
    throw new TemplateResolveError(path, `condition '${name}' used, but the template's conditions are not available here`);
  return ctx.condition(name);
}

function asString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateResolveError(path, `expected a string, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * The logical ids a value depends on (Ref, Fn::GetAtt, Fn::Sub placeholders): CloudFormation creates
 * a resource after everything it refers to.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
 */
export function referencedLogicalIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedLogicalIds(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof item === 'string' && !item.startsWith('AWS::')) into.add(item);
      else if (key === 'Fn::GetAtt') {
        const id = typeof item === 'string' ? item.split('.')[0] : Array.isArray(item) ? item[0] : undefined;
        if (typeof id === 'string') into.add(id);
      } else if (key === 'Fn::Sub') {
        const template = typeof item === 'string' ? item : Array.isArray(item) ? item[0] : undefined;
        const variables = Array.isArray(item) && item[1] && typeof item[1] === 'object' ? Object.keys(item[1]) : [];
        if (typeof template === 'string') {
          for (const match of template.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = match[1].trim().split('.')[0];
            if (!name.startsWith('AWS::') && !variables.includes(name)) into.add(name);
          }
        }
        if (Array.isArray(item)) referencedLogicalIds(item[1], into);
      } else referencedLogicalIds(item, into);
    }
  }
  return into;
}
