/**
 * DefinitionSubstitutions as CloudFormation applies them to AWS::StepFunctions::StateMachine: every
 * `${Name}` in the definition text is replaced by the value of Name, textually, before parsing.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html
 */

export type SubstitutionValue = string | number | boolean;
export type Substitutions = Readonly<Record<string, SubstitutionValue>>;

const PLACEHOLDER = /\$\{([A-Za-z0-9_.:-]+)\}/g;

/** Raised when placeholders remain without a value; lists every one of them. */
export class SubstitutionError extends Error {
  constructor(
    readonly unresolved: readonly string[],
    source?: string,
  ) {
    super(
      `${source ? `${source}: ` : ''}` +
        (unresolved.length === 1 ? 'no substitution value for placeholder ' : 'no substitution values for placeholders ') +
        unresolved.map((n) => `\${${n}}`).join(', '),
    );
    this.name = 'SubstitutionError';
  }
}

/** The distinct placeholder names used in a text, in order of first appearance. */
export function listPlaceholders(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]);
  return [...names];
}

/** Keys of `values` that the text never uses (useful to catch stale substitution keys). */
export function unusedSubstitutions(text: string, values: Substitutions): string[] {
  const used = new Set(listPlaceholders(text));
  return Object.keys(values).filter((key) => !used.has(key));
}

/**
 * Replaces every `${Name}` with its value. Throws SubstitutionError naming all placeholders that have
 * no value; `source` (a file name, say) prefixes the message.
 */
export function applySubstitutions(text: string, values: Substitutions, source?: string): string {
  for (const [key, value] of Object.entries(values)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new TypeError(
        `${source ? `${source}: ` : ''}substitution '${key}' must be a string, number or boolean, got ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  const unresolved = listPlaceholders(text).filter((name) => !Object.prototype.hasOwnProperty.call(values, name));
  if (unresolved.length > 0) throw new SubstitutionError(unresolved, source);
  return text.replace(PLACEHOLDER, (_whole, name: string) => String(values[name]));
}
