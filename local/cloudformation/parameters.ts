/**
 * Stack parameters: the values a CreateStack/UpdateStack request passes, checked against the
 * template's declarations the way CloudFormation checks them, before any stack operation starts.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
 *
 * Message texts as CloudFormation returns them (ValidationError):
 * - unknown / missing: `Parameters: [C] do not exist in the template`, `Parameters: [A] must have values`
 *   (recorded in https://github.com/aws-samples/amazon-ec2-image-builder-samples/issues/18 and
 *   https://github.com/boto/botocore/issues/2598);
 * - AllowedPattern: `Parameter 'P' must match pattern <pattern>`
 *   (https://github.com/bonusbits/cloudformation_templates/issues/6);
 * - MinLength: `Parameter 'P' must contain at least N characters` (reported for a template default);
 * - with a ConstraintDescription, the description replaces the reason:
 *   `Parameter P failed to satisfy constraint: <ConstraintDescription>` (seen in CreateChangeSet errors).
 * MaxLength / AllowedValues / Number bounds follow the same form (not recorded; inferred).
 */
import { validationError } from './errors';
import type { ParameterDeclaration, Template } from './template';

export interface RequestParameter {
  readonly key: string;
  readonly value?: string;
  readonly usePreviousValue?: boolean;
}

export interface StackParameter {
  readonly key: string;
  readonly value: string;
  readonly noEcho: boolean;
}

export function resolveParameters(
  template: Template,
  requested: readonly RequestParameter[],
  previous: readonly StackParameter[] | undefined,
): StackParameter[] {
  const declared = new Map(template.parameters.map((p) => [p.key, p]));
  const unknown = requested.filter((p) => !declared.has(p.key)).map((p) => p.key);
  if (unknown.length > 0) throw validationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const given = new Map(requested.map((p) => [p.key, p]));
  const missing: string[] = [];
  const resolved: StackParameter[] = [];
  for (const decl of template.parameters) {
    const request = given.get(decl.key);
    let value: string | undefined;
    if (request?.usePreviousValue) {
      const before = previous?.find((p) => p.key === decl.key);
      if (before === undefined)
        throw validationError(
          `Invalid input for parameter key ${decl.key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
        );
      value = before.value;
    } else {
      value = request?.value ?? decl.default;
    }
    if (value === undefined) {
      missing.push(decl.key);
      continue;
    }
    checkConstraints(decl, value);
    resolved.push({ key: decl.key, value, noEcho: decl.noEcho });
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  return resolved;
}

function checkConstraints(decl: ParameterDeclaration, value: string): void {
  const fail = (reason: string): never => {
    throw validationError(
      decl.constraintDescription !== undefined
        ? `Parameter ${decl.key} failed to satisfy constraint: ${decl.constraintDescription}`
        : `Parameter '${decl.key}' ${reason}`,
    );
  };
  const isList = decl.type === 'CommaDelimitedList' || decl.type.startsWith('List<');
  const items = isList ? value.split(',').map((v) => v.trim()) : [value];
  const numeric = decl.type === 'Number' || decl.type === 'List<Number>';
  for (const item of items) {
    if (numeric) {
      if (item === '' || !Number.isFinite(Number(item))) fail('must be a number');
      const n = Number(item);
      if (decl.minValue !== undefined && n < decl.minValue) fail(`must be a number not less than ${decl.minValue}`);
      if (decl.maxValue !== undefined && n > decl.maxValue) fail(`must be a number not greater than ${decl.maxValue}`);
    }
    if (decl.allowedValues !== undefined && !decl.allowedValues.includes(item)) fail('must be one of AllowedValues');
    if (!numeric) {
      if (decl.minLength !== undefined && item.length < decl.minLength) fail(`must contain at least ${decl.minLength} characters`);
      if (decl.maxLength !== undefined && item.length > decl.maxLength) fail(`must contain at most ${decl.maxLength} characters`);
      // The pattern must match the entire value (Java regular expressions; the JavaScript dialect covers what templates use).
      if (decl.allowedPattern !== undefined && !new RegExp(`^(?:${decl.allowedPattern})$`).test(item))
        fail(`must match pattern ${decl.allowedPattern}`);
    }
  }
}

/** Values as the template's Ref sees them: list types as arrays. */
export function parameterValues(template: Template, parameters: readonly StackParameter[]): Map<string, string | string[]> {
  const types = new Map(template.parameters.map((p) => [p.key, p.type]));
  const values = new Map<string, string | string[]>();
  for (const p of parameters) {
    const type = types.get(p.key) ?? 'String';
    values.set(p.key, type === 'CommaDelimitedList' || type.startsWith('List<') ? p.value.split(',').map((v) => v.trim()) : p.value);
  }
  return values;
}
