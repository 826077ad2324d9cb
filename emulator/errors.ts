/**
 * Step Functions runtime errors and AWS's error-name matching rules.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */

/** An error raised while running a state machine: the `Error` and `Cause` that AWS records. */
export class StatesError extends Error {
  readonly error: string;
  readonly cause: string;
  /** false when no cause was given (AWS then omits `cause` from the event details). */
  readonly hasCause: boolean;
  /** Raised by a Task's service (not by evaluating the definition): recorded as is, never prefixed. */
  fromService = false;
  /** Already carries AWS's "An error occurred while executing the state ..." prefix. */
  prefixed = false;
  /** The field an evaluation failure is about (EvaluationFailed `location`), when known. */
  location?: string;
  /** The id of the event that recorded this failure (EvaluationFailed), so ExecutionFailed links to it. */
  recordedAt?: number;

  constructor(error: string, cause?: string) {
    super(cause ?? error);
    this.name = 'StatesError';
    this.error = error;
    this.cause = cause ?? '';
    this.hasCause = cause !== undefined;
  }

  /** An error a Task's service answered with. */
  static fromService(error: string, cause?: string): StatesError {
    const e = new StatesError(error, cause);
    e.fromService = true;
    return e;
  }
}

export const States = {
  ALL: 'States.ALL',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Timeout: 'States.Timeout',
  TaskFailed: 'States.TaskFailed',
  Permissions: 'States.Permissions',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  QueryEvaluationError: 'States.QueryEvaluationError',
  BranchFailed: 'States.BranchFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  DataLimitExceeded: 'States.DataLimitExceeded',
  Runtime: 'States.Runtime',
} as const;

/**
 * Errors that States.ALL does not catch: the docs call DataLimitExceeded and runtime errors terminal.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-error-representation
 */
const NOT_MATCHED_BY_ALL: ReadonlySet<string> = new Set([States.DataLimitExceeded, States.Runtime]);

/** Does a Retrier's or Catcher's ErrorEquals list match this error name? */
export function errorEqualsMatches(errorEquals: readonly string[], error: string): boolean {
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === States.ALL && !NOT_MATCHED_BY_ALL.has(error)) return true;
    // TaskFailed is a wildcard for every known error name except States.Timeout.
    if (name === States.TaskFailed && error !== States.Timeout && !NOT_MATCHED_BY_ALL.has(error)) return true;
  }
  return false;
}

/** The error output a Catcher passes on: {"Error": ..., "Cause": ...}. */
export function errorOutput(err: StatesError): { Error: string; Cause?: string } {
  return err.hasCause ? { Error: err.error, Cause: err.cause } : { Error: err.error };
}
