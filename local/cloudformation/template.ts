/**
 * A CloudFormation template, parsed once into the model the stack operations work on: parameters,
 * conditions, mappings, resources with their dependencies, outputs, metadata.
 * Template anatomy: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
 * JSON and YAML (with the short-form intrinsic tags `!Ref`, `!Sub`, `!GetAtt`, ...) are accepted.
 */
import * as yaml from 'js-yaml';
import { templateFormatError, validationError } from './errors';
import { PSEUDO_PARAMETERS } from './intrinsics';

export interface ParameterDeclaration {
  readonly key: string;
  readonly type: string;
  readonly default?: string;
  readonly noEcho: boolean;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly constraintDescription?: string;
}

export interface ResourceDeclaration {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly condition?: string;
  /** Every resource this one must wait for: DependsOn, Ref, Fn::GetAtt and Fn::Sub references. */
  readonly dependencies: readonly string[];
  readonly deletionPolicy: 'Delete' | 'Retain' | 'RetainExceptOnCreate' | 'Snapshot';
  readonly updateReplacePolicy: 'Delete' | 'Retain' | 'Snapshot';
  readonly metadata?: unknown;
}

export interface OutputDeclaration {
  readonly key: string;
  readonly value: unknown;
  readonly description?: string;
  readonly exportName?: unknown;
  readonly condition?: string;
}

export interface Template {
  readonly body: string;
  readonly raw: Record<string, unknown>;
  readonly description?: string;
  readonly metadata?: unknown;
  readonly parameters: readonly ParameterDeclaration[];
  readonly mappings: Record<string, Record<string, Record<string, unknown>>>;
  readonly conditions: Record<string, unknown>;
  readonly resources: readonly ResourceDeclaration[];
  readonly outputs: readonly OutputDeclaration[];
}

/** TemplateBody's documented maximum (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html). */
export const TEMPLATE_BODY_MAX_LENGTH = 51_200;

const SHORT_TAGS: ReadonlyArray<[string, string]> = [
  ['Ref', 'Ref'],
  ['Condition', 'Condition'],
  ...['Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'And', 'Or', 'Not', 'FindInMap', 'Base64', 'GetAZs', 'ImportValue', 'Cidr'].map(
    (name): [string, string] => [name, `Fn::${name}`],
  ),
];

/** YAML types for CloudFormation's short-form tags, in every node kind they may be written as. */
const CLOUDFORMATION_SCHEMA = yaml.DEFAULT_SCHEMA.extend([
  ...SHORT_TAGS.flatMap(([tag, fn]) =>
    (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(`!${tag}`, { kind, construct: (data) => ({ [fn]: data }) })),
  ),
  new yaml.Type('!GetAtt', {
    kind: 'scalar',
    construct: (data: string) => {
      const dot = data.indexOf('.');
      return { 'Fn::GetAtt': [data.slice(0, dot), data.slice(dot + 1)] };
    },
  }),
  new yaml.Type('!GetAtt', { kind: 'sequence', construct: (data) => ({ 'Fn::GetAtt': data }) }),
]);

export function parseTemplate(body: string): Template {
  let raw: unknown;
  const trimmed = body.trimStart();
  try {
    raw = trimmed.startsWith('{') ? JSON.parse(body) : yaml.load(body, { schema: CLOUDFORMATION_SCHEMA });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw templateFormatError(trimmed.startsWith('{') ? `JSON not well-formed. (${detail})` : `YAML not well-formed. (${detail})`);
  }
  if (!isObject(raw)) throw templateFormatError('template must be a JSON or YAML object');
  const resourcesRaw = raw.Resources;
  if (!isObject(resourcesRaw) || Object.keys(resourcesRaw).length === 0) {
    throw templateFormatError('At least one Resources member must be defined.');
  }
  const parameters = Object.entries(objectOr(raw.Parameters)).map(([key, decl]) => parseParameter(key, decl));
  const parameterKeys = new Set(parameters.map((p) => p.key));
  const conditions = objectOr(raw.Conditions);
  const parsed = Object.entries(resourcesRaw).map(([logicalId, decl]) => parseResource(logicalId, decl));
  const resourceIds = new Set(parsed.map((r) => r.logicalId));

  // References must resolve to a parameter, a pseudo parameter or a resource; DependsOn to a resource.
  const unresolved = new Set<string>();
  for (const resource of parsed) {
    for (const dep of resource.dependsOn) if (!resourceIds.has(dep)) unresolved.add(dep);
    for (const ref of collectRefs(resource.properties)) {
      if (!resourceIds.has(ref) && !parameterKeys.has(ref) && !PSEUDO_PARAMETERS.has(ref)) unresolved.add(ref);
    }
  }
  const resources = parsed.map(({ dependsOn, ...r }): ResourceDeclaration => ({
    ...r,
    dependencies: [...new Set([...dependsOn, ...collectRefs(r.properties)])].filter((d) => d !== r.logicalId && resourceIds.has(d)),
  }));
  if (unresolved.size > 0) {
    throw templateFormatError(`Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
  }
  assertAcyclic(resources);

  const outputs = Object.entries(objectOr(raw.Outputs)).map(([key, decl]): OutputDeclaration => {
    if (!isObject(decl) || decl.Value === undefined) throw templateFormatError(`Every Outputs member must contain a Value object`);
    const exportDecl = isObject(decl.Export) ? decl.Export.Name : undefined;
    return {
      key,
      value: decl.Value,
      description: typeof decl.Description === 'string' ? decl.Description : undefined,
      exportName: exportDecl,
      condition: typeof decl.Condition === 'string' ? decl.Condition : undefined,
    };
  });
  for (const c of [...resources.map((r) => r.condition), ...outputs.map((o) => o.condition)]) {
    if (c !== undefined && !(c in conditions))
      throw templateFormatError(`Unresolved dependencies [${c}]. Cannot reference resources in the Conditions block of the template`);
  }
  return {
    body,
    raw,
    description: typeof raw.Description === 'string' ? raw.Description : undefined,
    metadata: raw.Metadata,
    parameters,
    mappings: objectOr(raw.Mappings) as Template['mappings'],
    conditions,
    resources,
    outputs,
  };
}

function parseParameter(key: string, decl: unknown): ParameterDeclaration {
  if (!isObject(decl) || typeof decl.Type !== 'string') {
    throw templateFormatError(`Every Parameters object must contain a Type member.`);
  }
  const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
  return {
    key,
    type: decl.Type,
    default: decl.Default === undefined ? undefined : Array.isArray(decl.Default) ? decl.Default.join(',') : String(decl.Default),
    noEcho: decl.NoEcho === true || decl.NoEcho === 'true',
    description: typeof decl.Description === 'string' ? decl.Description : undefined,
    allowedPattern: typeof decl.AllowedPattern === 'string' ? decl.AllowedPattern : undefined,
    allowedValues: Array.isArray(decl.AllowedValues) ? decl.AllowedValues.map(String) : undefined,
    minLength: num(decl.MinLength),
    maxLength: num(decl.MaxLength),
    minValue: num(decl.MinValue),
    maxValue: num(decl.MaxValue),
    constraintDescription: typeof decl.ConstraintDescription === 'string' ? decl.ConstraintDescription : undefined,
  };
}

const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'] as const;
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'] as const;

function parseResource(logicalId: string, decl: unknown): Omit<ResourceDeclaration, 'dependencies'> & { dependsOn: string[] } {
  if (!/^[A-Za-z0-9]+$/.test(logicalId)) throw templateFormatError(`Resource name ${logicalId} is non alphanumeric.`);
  if (!isObject(decl) || typeof decl.Type !== 'string') {
    throw templateFormatError(`[/Resources/${logicalId}] Every Resources object must contain a Type member.`);
  }
  const properties = objectOr(decl.Properties);
  const dependsOn =
    decl.DependsOn === undefined ? [] : Array.isArray(decl.DependsOn) ? decl.DependsOn.map(String) : [String(decl.DependsOn)];
  const deletionPolicy = (decl.DeletionPolicy ?? 'Delete') as ResourceDeclaration['deletionPolicy'];
  const updateReplacePolicy = (decl.UpdateReplacePolicy ?? 'Delete') as ResourceDeclaration['updateReplacePolicy'];
  if (!DELETION_POLICIES.includes(deletionPolicy)) {
    throw validationError(`Template error: DeletionPolicy of ${logicalId} must be one of ${DELETION_POLICIES.join(', ')}`);
  }
  if (!UPDATE_REPLACE_POLICIES.includes(updateReplacePolicy)) {
    throw validationError(`Template error: UpdateReplacePolicy of ${logicalId} must be one of ${UPDATE_REPLACE_POLICIES.join(', ')}`);
  }
  return {
    logicalId,
    type: decl.Type,
    properties,
    condition: typeof decl.Condition === 'string' ? decl.Condition : undefined,
    dependsOn,
    deletionPolicy,
    updateReplacePolicy,
    metadata: decl.Metadata,
  };
}

/** Names a value refers to through Ref, Fn::GetAtt or Fn::Sub (`${Name}` / `${Name.Attr}`), parameters included. */
export function collectRefs(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, found);
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof value.Ref === 'string') {
      found.add(value.Ref);
    } else if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const arg = value['Fn::GetAtt'];
      const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
      if (typeof target === 'string') found.add(target);
      if (Array.isArray(arg)) collectRefs(arg.slice(1), found);
    } else if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const arg = value['Fn::Sub'];
      const [text, vars] = Array.isArray(arg) ? [arg[0], isObject(arg[1]) ? arg[1] : {}] : [arg, {}];
      if (typeof text === 'string') {
        for (const name of subVariables(text)) if (!(name in vars)) found.add(name.split('.')[0]);
      }
      collectRefs(Object.values(vars), found);
    } else {
      for (const v of Object.values(value)) collectRefs(v, found);
    }
  }
  return found;
}

/** Variable names inside `${...}` of an Fn::Sub string (`${!Literal}` is not a variable). */
export function subVariables(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) if (!match[1].startsWith('!')) names.push(match[1].trim());
  return names;
}

function assertAcyclic(resources: readonly ResourceDeclaration[]): void {
  const byId = new Map(resources.map((r) => [r.logicalId, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = path.slice(path.indexOf(id));
      throw validationError(`Circular dependency between resources: [${cycle.join(', ')}]`);
    }
    state.set(id, 'visiting');
    for (const dep of byId.get(id)?.dependencies ?? []) if (byId.has(dep)) visit(dep, [...path, id]);
    state.set(id, 'done');
  };
  for (const r of resources) visit(r.logicalId, []);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
function objectOr(value: unknown): Record<string, any> {
  return isObject(value) ? value : {};
}

/** IAM resource types and the property that names them (named ones need CAPABILITY_NAMED_IAM). */
const IAM_TYPES: Record<string, string | undefined> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::UserToGroupAddition': undefined,
};

/**
 * The capability the template needs: CAPABILITY_NAMED_IAM when it names an IAM resource, CAPABILITY_IAM when it
 * has unnamed ones (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html#using-iam-capabilities).
 */
export function requiredCapability(template: Template): 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_IAM' | undefined {
  let needed: 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_IAM' | undefined;
  for (const r of template.resources) {
    if (!(r.type in IAM_TYPES)) continue;
    const nameProperty = IAM_TYPES[r.type];
    if (nameProperty !== undefined && r.properties[nameProperty] !== undefined) return 'CAPABILITY_NAMED_IAM';
    needed = 'CAPABILITY_IAM';
  }
  return needed;
}
