/**
 * Intrinsic functions and pseudo parameters, evaluated against a stack's parameters, conditions and
 * provisioned resources.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
 */
import { validationError } from './errors';

export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Ref AWS::NoValue: removes the property (or list element) it stands in. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface PseudoValues {
  readonly stackName: string;
  readonly stackId: string;
  readonly region: string;
  readonly accountId: string;
  readonly notificationArns: readonly string[];
}

export interface EvaluationContext {
  readonly pseudo: PseudoValues;
  /** Resolved parameter values (list parameters as arrays). */
  readonly parameters: ReadonlyMap<string, string | string[]>;
  readonly mappings: Record<string, Record<string, Record<string, unknown>>>;
  condition(name: string): boolean;
  isResource(logicalId: string): boolean;
  /** Ref of a resource: its physical id (what each type documents as its Ref value). */
  resourceRef(logicalId: string): string;
  resourceAttribute(logicalId: string, attribute: string): unknown;
  importValue(exportName: string): string;
}

/** Raised while evaluating: becomes the resource's failure reason (or the API's ValidationError). */
export class EvaluationError extends Error {}

export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

export function urlSuffixOf(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function pseudoValue(name: string, ctx: EvaluationContext): unknown {
  const p = ctx.pseudo;
  switch (name) {
    case 'AWS::StackName':
      return p.stackName;
    case 'AWS::StackId':
      return p.stackId;
    case 'AWS::Region':
      return p.region;
    case 'AWS::AccountId':
      return p.accountId;
    case 'AWS::Partition':
      return partitionOf(p.region);
    case 'AWS::URLSuffix':
      return urlSuffixOf(p.region);
    case 'AWS::NotificationARNs':
      return [...p.notificationArns];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      throw new EvaluationError(`Unknown pseudo parameter ${name}`);
  }
}

function ref(name: string, ctx: EvaluationContext): unknown {
  if (PSEUDO_PARAMETERS.has(name)) return pseudoValue(name, ctx);
  const parameter = ctx.parameters.get(name);
  if (parameter !== undefined) return parameter;
  if (ctx.isResource(name)) return ctx.resourceRef(name);
  throw new EvaluationError(`Unresolved reference ${name}`);
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new EvaluationError(`Template error: ${where} must resolve to a string, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new EvaluationError(`Template error: ${where} must resolve to a list, got ${JSON.stringify(value)}`);
}

function substitute(text: string, vars: Record<string, unknown>, ctx: EvaluationContext): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return '${' + inner.slice(1) + '}';
    const name = inner.trim();
    if (name in vars) return asString(vars[name], `Fn::Sub variable ${name}`);
    const dot = name.indexOf('.');
    if (dot > 0 && !PSEUDO_PARAMETERS.has(name) && ctx.isResource(name.slice(0, dot))) {
      return asString(ctx.resourceAttribute(name.slice(0, dot), name.slice(dot + 1)), `Fn::Sub ${whole}`);
    }
    const value = ref(name, ctx);
    return Array.isArray(value) ? value.join(',') : asString(value, `Fn::Sub ${whole}`);
  });
}

/** Evaluates every intrinsic function inside `value`; properties set to AWS::NoValue disappear. */
export function evaluate(value: unknown, ctx: EvaluationContext): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, ctx)).filter((v) => v !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref' || fn.startsWith('Fn::') || fn === 'Condition') return evaluateFunction(fn, arg, ctx);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const evaluated = evaluate(v, ctx);
    if (evaluated !== NO_VALUE) out[k] = evaluated;
  }
  return out;
}

function evaluateFunction(fn: string, arg: unknown, ctx: EvaluationContext): unknown {
  switch (fn) {
    case 'Ref':
      return ref(asString(arg, 'Ref'), ctx);
    case 'Fn::GetAtt': {
      const [target, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
      return ctx.resourceAttribute(asString(target, 'Fn::GetAtt'), asString(evaluate(attribute, ctx), 'Fn::GetAtt'));
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return substitute(arg, {}, ctx);
      const [text, vars] = asList(arg, 'Fn::Sub');
      const resolved = (evaluate(vars ?? {}, ctx) ?? {}) as Record<string, unknown>;
      return substitute(asString(text, 'Fn::Sub'), resolved, ctx);
    }
    case 'Fn::Join': {
      const [delimiter, items] = asList(arg, 'Fn::Join');
      const list = asList(evaluate(items, ctx), 'Fn::Join');
      return list.map((v) => asString(v, 'Fn::Join element')).join(asString(delimiter, 'Fn::Join delimiter'));
    }
    case 'Fn::Select': {
      const [index, items] = asList(arg, 'Fn::Select');
      const list = asList(evaluate(items, ctx), 'Fn::Select');
      const i = Number(evaluate(index, ctx));
      if (!Number.isInteger(i) || i < 0 || i >= list.length)
        throw new EvaluationError(`Template error: Fn::Select cannot select nonexistent value at index ${i}`);
      return list[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = asList(arg, 'Fn::Split');
      return asString(evaluate(source, ctx), 'Fn::Split source').split(asString(delimiter, 'Fn::Split delimiter'));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = asList(arg, 'Fn::If');
      return evaluate(ctx.condition(asString(condition, 'Fn::If condition')) ? whenTrue : whenFalse, ctx);
    }
    case 'Fn::Equals': {
      const [a, b] = asList(arg, 'Fn::Equals').map((v) => evaluate(v, ctx));
      return JSON.stringify(a) === JSON.stringify(b) || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
    }
    case 'Fn::And':
      return asList(arg, 'Fn::And').every((v) => evaluateCondition(v, ctx));
    case 'Fn::Or':
      return asList(arg, 'Fn::Or').some((v) => evaluateCondition(v, ctx));
    case 'Fn::Not':
      return !evaluateCondition(asList(arg, 'Fn::Not')[0], ctx);
    case 'Condition':
      return ctx.condition(asString(arg, 'Condition'));
    case 'Fn::FindInMap': {
      const [map, top, second] = asList(arg, 'Fn::FindInMap').map((v, i) => asString(evaluate(v, ctx), `Fn::FindInMap argument ${i + 1}`));
      const found = ctx.mappings[map]?.[top]?.[second];
      if (found === undefined) throw new EvaluationError(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(asString(evaluate(arg, ctx), 'Fn::Base64')).toString('base64');
    case 'Fn::GetAZs': {
      const region = asString(evaluate(arg, ctx), 'Fn::GetAZs') || ctx.pseudo.region;
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::ImportValue':
      return ctx.importValue(asString(evaluate(arg, ctx), 'Fn::ImportValue'));
    default:
      throw new EvaluationError(`Template error: the local CloudFormation does not support the intrinsic function ${fn}`);
  }
}

/** Evaluates a condition expression (Conditions section, Fn::And/Or/Not operands) to a boolean. */
export function evaluateCondition(expression: unknown, ctx: EvaluationContext): boolean {
  const value = evaluate(expression, ctx);
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw validationError(`Template error: every Condition must evaluate to a boolean, got ${JSON.stringify(value)}`);
}
