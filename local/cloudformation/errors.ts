/**
 * CloudFormation's API errors, with the codes and message texts CloudFormation returns.
 *
 * Sources (cited where each text is produced): the CloudFormation API reference
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html and the Errors section of
 * each action, e.g. https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html),
 * and messages recorded from real CloudFormation answers in public bug reports (linked beside each text).
 */
export class CloudFormationError extends Error {
  constructor(
    /** The Query protocol error code: `ValidationError`, `AlreadyExistsException`, ... */
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    /** `Sender` (the caller's fault) or `Receiver`. */
    readonly faultType: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export function validationError(message: string): CloudFormationError {
  return new CloudFormationError('ValidationError', message);
}

// DescribeStacks / DescribeStackEvents / DescribeStackResources on a name that has no live stack, or an id
// that was never created.
export function stackWithIdDoesNotExist(nameOrId: string): CloudFormationError {
  return validationError(`Stack with id ${nameOrId} does not exist`);
}

// UpdateStack / ContinueUpdateRollback on a missing stack.
export function stackDoesNotExist(nameOrId: string): CloudFormationError {
  return validationError(`Stack [${nameOrId}] does not exist`);
}

export function cannotBeUpdated(stackId: string, status: string): CloudFormationError {
  return validationError(`Stack:${stackId} is in ${status} state and can not be updated.`);
}

export function cannotBeDeleted(stackId: string, status: string): CloudFormationError {
  return validationError(`Stack [${stackId}] cannot be deleted while in status ${status}`);
}

export function alreadyExists(stackName: string): CloudFormationError {
  return new CloudFormationError('AlreadyExistsException', `Stack [${stackName}] already exists`);
}

export function noUpdates(): CloudFormationError {
  return validationError('No updates are to be performed.');
}

export function insufficientCapabilities(required: string): CloudFormationError {
  return new CloudFormationError('InsufficientCapabilitiesException', `Requires capabilities : [${required}]`);
}

// "A client request token already exists." (TokenAlreadyExistsException in the Errors of CreateStack,
// UpdateStack: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html).
// The code is documented; the wording after it is inferred (not recorded from AWS).
export function tokenAlreadyExists(token: string): CloudFormationError {
  return new CloudFormationError(
    'TokenAlreadyExistsException',
    `A client request token already exists: ${token} was used for a different request`,
  );
}

// Throttling: "Rate exceeded" (https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error).
export function throttled(message = 'Rate exceeded'): CloudFormationError {
  return new CloudFormationError('Throttling', message);
}

/** Smithy-style constraint failures ("1 validation error detected: Value 'x_y' at 'stackName' ..."). */
export function constraintViolation(value: string, member: string, constraint: string): CloudFormationError {
  return validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function templateFormatError(detail: string): CloudFormationError {
  return validationError(`Template format error: ${detail}`);
}
