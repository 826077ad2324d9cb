/**
 * A Lambda function ARN used directly as a Task's Resource: Invoke with the state's input as
 * Payload; the result is the function's payload (LambdaFunction* events), a function error fails
 * the task with its `errorType`. https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 */
import { optimizedError } from './sdk-errors';
import { returned, type Integration } from './integration';

const NAMES = { prefix: 'Lambda', service: 'AWSLambda', baseException: 'AWSLambdaException' };

export const lambdaFunctionIntegration: Integration = async (call, { clients }) => {
  const service = await clients.call('lambda', call.roleArn, call.region);
  try {
    const { output } = await service.send('invoke', {
      FunctionName: call.request.resource,
      Payload: Buffer.from(JSON.stringify(call.parameters ?? {})),
    });
    const text = output.Payload instanceof Uint8Array ? Buffer.from(output.Payload).toString('utf8') : '';
    let payload: unknown = null;
    if (text !== '') {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = text;
      }
    }
    if (output.FunctionError !== undefined) {
      const p = payload as { errorType?: unknown };
      return { kind: 'throw', error: typeof p?.errorType === 'string' ? p.errorType : 'Lambda.Unknown', cause: text };
    }
    return returned(payload);
  } catch (e) {
    const err = optimizedError(e, service.sdk, NAMES, service.endpoint);
    return { kind: 'throw', error: err.error, cause: err.cause };
  }
};
