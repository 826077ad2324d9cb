/**
 * A Task's Resource ARN, split the way AWS records it in TaskScheduled / LambdaFunctionScheduled.
 * Computed once, at parse time, into the Task model (TaskState.description).
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
 */
export interface ResourceDescription {
  /** lambdaFunction = a Lambda function ARN used directly as Resource (LambdaFunction* events). */
  readonly kind: 'lambdaFunction' | 'service' | 'activity';
  /** As recorded in Task* events: e.g. "lambda" / "invoke", "aws-sdk:dynamodb" / "query". */
  readonly resourceType: string;
  readonly resource: string;
  readonly region?: string;
  readonly pattern: 'request-response' | 'sync' | 'waitForTaskToken';
}

/** `arn:<partition>:lambda:<region>:<account>:function:<name>`: a function called directly. */
export function isLambdaFunctionArn(arn: string): boolean {
  const parts = arn.split(':');
  return parts[2] === 'lambda' && parts[5] === 'function';
}

/** Splits a Task Resource ARN the way AWS records it in TaskScheduled. */
export function describeResource(arn: string): ResourceDescription {
  const parts = arn.split(':');
  const region = parts[3] || undefined;
  const pattern = arn.endsWith('.waitForTaskToken') ? 'waitForTaskToken' : /\.sync(:\d+)?$/.test(arn) ? 'sync' : 'request-response';
  if (isLambdaFunctionArn(arn)) return { kind: 'lambdaFunction', resourceType: 'lambda', resource: arn, region, pattern };
  if (parts[2] === 'states' && parts[5] === 'activity')
    return { kind: 'activity', resourceType: 'activity', resource: arn, region, pattern };
  if (parts[2] === 'states' && parts.length >= 7) {
    // arn:aws:states:::<service>:<action> or arn:aws:states:::aws-sdk:<service>:<action>
    const rest = parts.slice(5);
    if (rest[0] === 'aws-sdk')
      return { kind: 'service', resourceType: `aws-sdk:${rest[1]}`, resource: rest.slice(2).join(':'), region, pattern };
    return { kind: 'service', resourceType: rest[0], resource: rest.slice(1).join(':'), region, pattern };
  }
  return { kind: 'service', resourceType: parts[2] ?? 'unknown', resource: arn, region, pattern };
}
