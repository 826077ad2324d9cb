/**
 * The one rule for names of state machines and executions, used by the API (api/operations.ts) and
 * by the Engine for its in-process callers: 1 to 80 characters, none of whitespace, brackets,
 * wildcards, special characters or control characters.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#StepFunctions-CreateStateMachine-request-name
 */
export const MAX_NAME_LENGTH = 80;

const FORBIDDEN_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && !FORBIDDEN_NAME_CHARS.test(name);
}
