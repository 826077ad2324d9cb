/**
 * What a rule target receives: the whole event, or the target's Input (constant JSON), InputPath (a
 * JSONPath into the event) or InputTransformer (InputPathsMap + InputTemplate), as
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html describes.
 * Parsed and validated at PutTargets, applied per delivery.
 */
import { AwsError } from '../http';

export interface InputTransformerConfig {
  readonly InputPathsMap?: Record<string, string>;
  readonly InputTemplate: string;
}

export interface TargetInputConfig {
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformerConfig;
}

export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

/** Throws ValidationException naming the field when the target's input configuration is not valid. */
export function validateTargetInput(targetId: string, config: TargetInputConfig): void {
  const given = [config.Input, config.InputPath, config.InputTransformer].filter((v) => v !== undefined).length;
  if (given > 1) {
    throw new AwsError('ValidationException', `Only one of Input, InputPath, or InputTransformer must be provided for target ${targetId}.`);
  }
  if (config.Input !== undefined) {
    try {
      JSON.parse(config.Input);
    } catch {
      throw new AwsError('ValidationException', `Input for target ${targetId} is not valid JSON text.`);
    }
  }
  if (config.InputPath !== undefined) parseJsonPath(config.InputPath, `InputPath of target ${targetId}`);
  if (config.InputTransformer !== undefined) {
    const t = config.InputTransformer;
    if (typeof t.InputTemplate !== 'string') {
      throw new AwsError('ValidationException', `InputTransformer.InputTemplate is required for target ${targetId}.`);
    }
    for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) {
      if (!/^[A-Za-z0-9_-]+$/.test(name) || name.startsWith('aws.')) {
        throw new AwsError(
          'ValidationException',
          `InputPathsMap key "${name}" of target ${targetId} is not valid: letters, digits, _ and - only.`,
        );
      }
      parseJsonPath(path, `InputPathsMap.${name} of target ${targetId}`);
    }
  }
}

/** The text the target receives for this event. */
export function renderTargetInput(config: TargetInputConfig, event: Record<string, unknown>, rule: RuleContext): string {
  if (config.Input !== undefined) return config.Input;
  if (config.InputPath !== undefined) return JSON.stringify(select(event, parseJsonPath(config.InputPath, 'InputPath')) ?? null);
  if (config.InputTransformer !== undefined) return transform(config.InputTransformer, event, rule);
  return JSON.stringify(event);
}

function transform(t: InputTransformerConfig, event: Record<string, unknown>, rule: RuleContext): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) values.set(name, select(event, parseJsonPath(path, name)));
  values.set('aws.events.rule-arn', rule.ruleArn);
  values.set('aws.events.rule-name', rule.ruleName);
  values.set('aws.events.event.ingestion-time', rule.ingestionTime);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  // Inside a JSON string a string value goes in as its characters; elsewhere every value goes in as JSON.
  let out = '';
  let inString = false;
  const tpl = t.InputTemplate;
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i];
    if (c === '\\' && inString) {
      out += c + (tpl[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = tpl.indexOf('>', i);
      const name = end > i ? tpl.slice(i + 1, end) : '';
      if (name && values.has(name)) {
        const v = values.get(name);
        if (inString) out += typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : JSON.stringify(v ?? null);
        else out += JSON.stringify(v ?? null);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

type PathStep = string | number;

/** `$`, `$.detail`, `$.detail.items[0].name`, `$['detail-type']`. */
function parseJsonPath(path: string, field: string): PathStep[] {
  const fail = (): never => {
    throw new AwsError('ValidationException', `${field} "${path}" is not a valid JSON path ($, $.a.b, $.a[0], $['a-b']).`);
  };
  if (typeof path !== 'string' || !path.startsWith('$')) fail();
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) fail();
      steps.push(m![0]);
      i += 1 + m![0].length;
    } else if (path[i] === '[') {
      const m = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(path.slice(i));
      if (!m) fail();
      steps.push(m![1] !== undefined ? Number(m![1]) : (m![2] ?? m![3]));
      i += m![0].length;
    } else {
      fail();
    }
  }
  return steps;
}

function select(value: unknown, steps: readonly PathStep[]): unknown {
  let v: unknown = value;
  for (const step of steps) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}
