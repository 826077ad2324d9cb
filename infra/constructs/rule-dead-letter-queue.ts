import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * How long EventBridge keeps trying to start a workflow for one event: 24 hours and 185 attempts, the
 * maxima (and EventBridge's defaults), with its exponential back-off and jitter. Only retriable
 * failures (throttling, service errors) are retried; missing permissions or a missing target go to the
 * dead-letter queue at once. A late start is harmless, since the workflows act on the tenant's state
 * when they run. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 */
export const RULE_TARGET_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

export interface RuleDeadLetterQueueProps {
  /** What the rule starts, for the alarm's description. */
  readonly purpose: string;
  readonly alarmTopic: sns.ITopic;
}

/**
 * The dead-letter queue of one rule's target: an event EventBridge could not deliver (retries
 * exhausted, or a non-retriable error) lands here with its RULE_ARN, TARGET_ARN, ERROR_CODE and
 * ERROR_MESSAGE attributes instead of being dropped, and the alarm notifies the alarm topic as soon as
 * one is visible. Encrypted with SSE-SQS (a KMS key would need a key policy granting EventBridge),
 * SSL only; the
 * events.amazonaws.com SendMessage grant, scoped to the rule's ARN, is added by the rule target.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export class RuleDeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RuleDeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14), // the SQS maximum: time for an operator to redrive
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of an EventBridge rule target; cdk-nag only recognises queues used as the DLQ of another queue.',
    });

    this.alarm = new cloudwatch.Alarm(this, 'MessagesAlarm', {
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `An event could not ${props.purpose}; it waits in the dead-letter queue (see README: redriving a dead-lettered event)`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
