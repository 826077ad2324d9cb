/**
 * The optimized integrations answer with the response of the AWS SDK for Java 1.x, which carries
 * the HTTP response as `SdkHttpMetadata` and the request id as `SdkResponseMetadata` (recorded on
 * AWS for dynamodb, sns, sqs, lambda and states:startExecution; not for events:putEvents).
 */
import type { HttpResponseInfo } from './clients';

export function withResponseMetadata(
  body: Record<string, unknown>,
  http: HttpResponseInfo | undefined,
  requestId: string | undefined,
): Record<string, unknown> {
  const headers = http?.headers ?? {};
  const all: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) all[k] = [v];
  const fields: Record<string, unknown> = {
    ...body,
    SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: { ...headers }, HttpStatusCode: http?.statusCode ?? 200 },
    SdkResponseMetadata: { RequestId: requestId ?? headers['x-amzn-requestid'] ?? '' },
  };
  // The Java SDK's JSON lists the response's fields in alphabetical order (as recorded).
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) sorted[k] = fields[k];
  return sorted;
}
