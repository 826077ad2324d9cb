import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SubstitutionKey, SubstitutionValues } from '../../statemachines/substitutions';
import { placeholdersIn, withExecutionTimeout } from '../definition';

export interface WorkflowProps {
  readonly stateMachineName: string;
  /** DefinitionString from toDefinitionString (JSON with `${Key}` placeholders). */
  readonly definitionString: string;
  /** Values for every key; only the keys this definition uses are passed on. */
  readonly substitutions: SubstitutionValues;
  /** What the Task states may call (from statementsForTasks). */
  readonly taskPermissions: readonly iam.PolicyStatement[];
  readonly alarmTopic: sns.ITopic;
  /** The execution timeout, written into the definition as its top-level TimeoutSeconds. */
  readonly executionTimeoutSeconds: number;
}

/**
 * One Standard state machine with what every workflow here gets: CloudWatch Logs at level ALL with
 * execution data (inputs carry tenant ids and stack ids, no secrets, and they are what an operator
 * needs to follow a failed tenant), X-Ray tracing, and alarms on failed, timed-out and aborted
 * executions notifying one topic.
 */
export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly alarms: cloudwatch.Alarm[];
  /** The substitutions actually passed (exactly the placeholders the definition uses). */
  readonly definitionSubstitutions: Partial<SubstitutionValues>;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);

    const used = [...placeholdersIn(props.definitionString)] as SubstitutionKey[];
    this.definitionSubstitutions = Object.fromEntries(used.map((key) => [key, props.substitutions[key]]));

    // Under /aws/vendedlogs/, so CloudWatch Logs does not add a statement per log group to the
    // account's size-limited log resource policy (https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html).
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Not the `timeout` prop: DefinitionBody.fromString drops it (aws-cdk-lib 2.276).
      definitionBody: sfn.DefinitionBody.fromString(withExecutionTimeout(props.definitionString, props.executionTimeoutSeconds, id)),
      definitionSubstitutions: this.definitionSubstitutions as Record<string, string>,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const statement of props.taskPermissions) this.stateMachine.addToRolePolicy(statement);

    const notify = new actions.SnsAction(props.alarmTopic);
    const metrics: [string, cloudwatch.Metric][] = [
      ['Failed', this.stateMachine.metricFailed({ period: Duration.minutes(1) })],
      ['TimedOut', this.stateMachine.metricTimedOut({ period: Duration.minutes(1) })],
      ['Aborted', this.stateMachine.metricAborted({ period: Duration.minutes(1) })],
    ];
    this.alarms = metrics.map(([name, metric]) => {
      const alarm = new cloudwatch.Alarm(this, `Executions${name}Alarm`, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `An execution of ${id} ended ${name.toLowerCase()}; see its history in the Step Functions console`,
      });
      alarm.addAlarmAction(notify);
      return alarm;
    });

    // CDK's grants for log delivery and X-Ray: both APIs support only Resource "*".
    // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, https://docs.aws.amazon.com/xray/latest/devguide/security_iam_service-with-iam.html
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs log delivery (logs:CreateLogDelivery etc.) and X-Ray (xray:PutTraceSegments etc.) do not support resource-level permissions.',
    });
  }
}
