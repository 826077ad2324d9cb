/**
 * At CreateStateMachine/UpdateStateMachine time, as on AWS: a service integration's Parameters
 * (or JSONata Arguments) may only name members of the action's input, and an aws-sdk action must
 * exist. What exists is read from the installed SDK client's own operation schemas; for a service
 * whose client is not installed nothing is checked here (the Task fails at run time naming the package).
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { AslDefinitionError, type AslDefinitionProblem } from '../../asl/parse';
import type { CompiledTemplate } from '../../asl/jsonpath';
import type { State, StateMachineModel } from '../../asl/model';
import { loadSdkModule, type SdkModule } from './sdk-modules';
import { inputShape, membersByParameterName, type Shape } from './sdk-shapes';
import { isOptimized } from './optimized';

/** Throws AslDefinitionError (→ InvalidDefinition) listing every unknown field and unknown action. */
export function validateIntegrationParameters(model: StateMachineModel): void {
  const problems: AslDefinitionProblem[] = [];
  walk(model, '', problems);
  if (problems.length > 0) throw new AslDefinitionError(problems);
}

function walk(model: StateMachineModel, base: string, problems: AslDefinitionProblem[]): void {
  for (const [name, state] of model.states) {
    const at = `${base}/States/${name}`;
    if (state.type === 'Task') checkTask(state, at, problems);
    if (state.type === 'Parallel') state.branches.forEach((b, i) => walk(b, `${at}/Branches/${i}`, problems));
    if (state.type === 'Map') walk(state.processor, `${at}/ItemProcessor`, problems);
  }
}

function checkTask(state: Extract<State, { type: 'Task' }>, at: string, problems: AslDefinitionProblem[]): void {
  const target = integrationOf(state.resource);
  if (!target) return;
  let sdk: SdkModule;
  try {
    sdk = loadSdkModule(target.service);
  } catch {
    return; // not installed: checked when the Task runs
  }
  if (!sdk.command(target.action)) {
    if (target.sdk) {
      const path = `${at}/Resource`;
      problems.push({
        code: 'SCHEMA_VALIDATION_FAILED',
        path,
        message: `SCHEMA_VALIDATION_FAILED: The resource provided ${state.resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region. at ${path}`,
      });
    }
    return;
  }
  const shape = inputShape(sdk, target.action);
  if (!shape) return;
  if (state.parameters !== undefined) checkTemplate(state.parameters, shape, `${at}/Parameters`, problems);
  else if (state.arguments !== null && typeof state.arguments === 'object' && !Array.isArray(state.arguments)) {
    checkLiteral(state.arguments, shape, `${at}/Arguments`, problems);
  }
}

function integrationOf(resource: string): { service: string; action: string; sdk: boolean } | undefined {
  const parts = resource.split(':');
  if (parts[2] !== 'states' || parts.length < 7) return undefined;
  const rest = parts.slice(5);
  const sdk = rest[0] === 'aws-sdk';
  const service = sdk ? rest[1] : rest[0];
  const action = (sdk ? rest[2] : rest[1])?.replace(/\.(sync(:2)?|waitForTaskToken)$/, '');
  if (!service || !action) return undefined;
  if (sdk || (service === 'states' && action === 'startExecution') || isOptimized(service, action)) return { service, action, sdk };
  return undefined;
}

function unknownField(field: string, path: string): AslDefinitionProblem {
  return {
    code: 'SCHEMA_VALIDATION_FAILED',
    path,
    message: `SCHEMA_VALIDATION_FAILED: The field "${field}" is not supported by Step Functions at ${path}`,
  };
}

function members(shape: Shape): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const [name, [, member]] of membersByParameterName(shape)) out.set(name, member);
  return out;
}

function checkTemplate(t: CompiledTemplate, shape: Shape, path: string, problems: AslDefinitionProblem[]): void {
  if (t.kind === 'literal') return checkLiteral(t.value, shape, path, problems);
  if (t.kind === 'array' && shape.isListSchema())
    return t.items.forEach((item, i) => checkTemplate(item, shape.getValueSchema(), `${path}[${i}]`, problems));
  if (t.kind !== 'object' || !shape.isStructSchema() || shape.isDocumentSchema()) return;
  const known = members(shape);
  for (const e of t.entries) {
    const member = known.get(e.key);
    if (!member) problems.push(unknownField(e.field, path));
    else checkTemplate(e.node, member, `${path}/${e.field}`, problems);
  }
}

function checkLiteral(value: unknown, shape: Shape, path: string, problems: AslDefinitionProblem[]): void {
  if (Array.isArray(value)) {
    if (shape.isListSchema()) value.forEach((v, i) => checkLiteral(v, shape.getValueSchema(), `${path}[${i}]`, problems));
    return;
  }
  if (value === null || typeof value !== 'object' || !shape.isStructSchema() || shape.isDocumentSchema()) return;
  const known = members(shape);
  for (const [field, v] of Object.entries(value)) {
    const key = field.endsWith('.$') ? field.slice(0, -2) : field;
    const member = known.get(key);
    if (!member) problems.push(unknownField(field, path));
    else checkLiteral(v, member, `${path}/${field}`, problems);
  }
}
