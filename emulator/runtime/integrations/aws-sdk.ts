/**
 * `arn:aws:states:::aws-sdk:<service>:<action>`: any action of any service, through its
 * `@aws-sdk/client-<service>` package. https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * Patterns: request-response and `.waitForTaskToken`, not `.sync`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html).
 */
import { StatesError, States } from '../../errors';
import { awsSdkError } from './sdk-errors';
import { fromSdkOutput, inputShape, outputShape, toSdkInput } from './sdk-shapes';
import { isObject, returned, type Integration } from './integration';

export const awsSdkIntegration: Integration = async (call, { clients }) => {
  if (call.pattern === 'sync' || call.pattern === 'sync:2') {
    throw new StatesError(States.Runtime, `AWS SDK integrations do not support the .sync pattern (Resource ${call.request.resource}).`);
  }
  const service = await clients.call(call.service, call.roleArn, call.region);
  if (!service.sdk.command(call.action)) {
    throw new StatesError(States.Runtime, `${service.sdk.packageName} has no action '${call.action}' (Resource ${call.request.resource}).`);
  }
  const params = call.parameters === undefined || call.parameters === null ? {} : call.parameters;
  if (!isObject(params)) throw new StatesError(States.Runtime, `The Parameters of an AWS SDK integration must be a JSON object.`);
  const input = toSdkInput(params, inputShape(service.sdk, call.action)) as object;
  try {
    const { output } = await service.send(call.action, input);
    return returned(await fromSdkOutput(output, outputShape(service.sdk, call.action)));
  } catch (e) {
    if (e instanceof StatesError) throw e;
    const err = awsSdkError(e, service.sdk, service.serviceId, service.endpoint);
    return { kind: 'throw', error: err.error, cause: err.cause };
  }
};
