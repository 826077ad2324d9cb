/**
 * AWS-shaped API errors for the AWS JSON 1.0 protocol: HTTP 400 (or 5xx) with
 * {"__type": "<namespace>#<Code>", "message": "..."}; the SDK keeps the part after '#' as the error name.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 */

/** Step Functions' own modelled errors carry this namespace on AWS. */
const SFN_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
/** Protocol-level errors (unknown operation, unreadable body) come from the service framework. */
const FRAMEWORK_NAMESPACE = 'com.amazon.coral.service';

export const API_ERROR_CODES = [
  'ActivityDoesNotExist',
  'ConflictException',
  'ExecutionAlreadyExists',
  'ExecutionDoesNotExist',
  'ExecutionLimitExceeded',
  'ExecutionNotRedrivable',
  'InvalidArn',
  'InvalidDefinition',
  'InvalidExecutionInput',
  'InvalidName',
  'InvalidOutput',
  'InvalidToken',
  'MissingRequiredParameter',
  'ResourceNotFound',
  'StateMachineAlreadyExists',
  'StateMachineDeleting',
  'StateMachineDoesNotExist',
  'StateMachineLimitExceeded',
  'StateMachineTypeNotSupported',
  'TaskDoesNotExist',
  'TaskTimedOut',
  'ValidationException',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

const FRAMEWORK_CODES = new Set([
  'UnknownOperationException',
  'SerializationException',
  'InternalFailure',
  'RequestEntityTooLargeException',
]);
const KNOWN_CODES: ReadonlySet<string> = new Set([...API_ERROR_CODES, ...FRAMEWORK_CODES]);

export class ApiError extends Error {
  constructor(
    readonly code:
      ApiErrorCode | 'UnknownOperationException' | 'SerializationException' | 'InternalFailure' | 'RequestEntityTooLargeException',
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get type(): string {
    return `${FRAMEWORK_CODES.has(this.code) ? FRAMEWORK_NAMESPACE : SFN_NAMESPACE}#${this.code}`;
  }

  toBody(): string {
    return JSON.stringify({ __type: this.type, message: this.message });
  }
}

/** `1 validation error detected: Value ... at 'field' failed to satisfy constraint: ...` as AWS words it. */
export function validationError(field: string, value: unknown, constraint: string): ApiError {
  const shown = value === undefined || value === null ? 'null' : `'${safeText(value).slice(0, 100)}'`;
  return new ApiError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Text of a client-sent value for a message; never throws (`{"toString": 1}` made String() throw). */
function safeText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/**
 * Turns anything thrown while handling a request into an ApiError. Engine errors are recognised by a
 * `code` (or `name`) that is an AWS error code; definition errors (AslDefinitionError) become
 * InvalidDefinition; everything else is an InternalFailure (500), never a crash.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { code?: unknown; name?: unknown; message?: unknown; problems?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (e?.name === 'AslDefinitionError' || e?.name === 'SubstitutionError') {
    return new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${message}'`);
  }
  for (const candidate of [e?.code, e?.name]) {
    if (typeof candidate === 'string' && KNOWN_CODES.has(candidate)) {
      return new ApiError(candidate as ApiError['code'], message, candidate === 'InternalFailure' ? 500 : 400);
    }
  }
  return new ApiError('InternalFailure', `Internal error: ${message}`, 500);
}
