/**
 * How the local services announce what happened to them, as AWS services do on EventBridge: S3's
 * `Object Created` (bucket with EventBridge notifications on), CloudFormation's
 * `CloudFormation Stack Status Change`. The local EventBridge implements the sink and delivers the
 * event on the default bus of the event's account and region, exactly as it would deliver an event
 * that arrived through PutEvents (AWS service events cannot be sent through PutEvents: their sources
 * start with `aws.`).
 */
export interface ServiceEvent {
  /** `aws.s3`, `aws.cloudformation`, ... */
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** ARNs the event is about (a bucket, a stack). */
  readonly resources: readonly string[];
  readonly account: string;
  readonly region: string;
  /** Event time in milliseconds since the epoch, on the shared time line; the sink uses its own clock when absent. */
  readonly time?: number;
}

export interface ServiceEventSink {
  /** Accepts the event for delivery; delivery to rule targets happens asynchronously. */
  publishServiceEvent(event: ServiceEvent): void;
}
