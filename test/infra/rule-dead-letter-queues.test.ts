import { ACCOUNT, REGION, type Json } from './support/deployed-template';
import { decide } from './support/simulate';
import { SynthesizedApp, synthesizeApp } from './support/synthesized-app';

let app: SynthesizedApp;
let ruleIds: string[];
beforeAll(() => {
  app = synthesizeApp();
  ruleIds = app.deployed.idsOfType('AWS::Events::Rule');
});
afterAll(() => app.cleanup());

const targetOf = (ruleId: string) => {
  const targets = app.deployed.resources[ruleId].Properties.Targets;
  expect(targets).toHaveLength(1);
  return targets[0];
};
const queueIdOf = (ruleId: string): string => targetOf(ruleId).DeadLetterConfig.Arn['Fn::GetAtt'][0];

// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
describe('rule targets: retries, then a dead-letter queue', () => {
  test('there are five rules (TenantCreated, TenantDeleted, TenantTierChanged, template uploaded, stack update ended), each with its own dead-letter queue', () => {
    expect(ruleIds).toHaveLength(5);
    const queues = ruleIds.map(queueIdOf);
    expect(new Set(queues).size).toBe(5);
    for (const queue of queues) expect(app.deployed.resources[queue].Type).toBe('AWS::SQS::Queue');
  });

  test('each target retries for up to 24 hours and 185 attempts (the maxima) before dead-lettering', () => {
    for (const ruleId of ruleIds) {
      expect(targetOf(ruleId).RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
    }
  });

  test('the queues are encrypted (SSE-SQS) and keep messages 14 days', () => {
    for (const ruleId of ruleIds) {
      const properties = app.deployed.resources[queueIdOf(ruleId)].Properties;
      expect(properties.SqsManagedSseEnabled).toBe(true);
      expect(properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
  });
});

describe('rule target roles (iam-simulate)', () => {
  test('each rule may start exactly its workflow: StartExecution on that state machine only', async () => {
    const stateMachines = app.deployed.idsOfType('AWS::StepFunctions::StateMachine').map((id) => app.deployed.arn(id));
    for (const ruleId of ruleIds) {
      const target = targetOf(ruleId);
      const roleId = target.RoleArn['Fn::GetAtt'][0];
      const mine = app.deployed.resolve(target.Arn);
      for (const stateMachine of stateMachines) {
        const decision = await decide({
          principal: app.deployed.arn(roleId),
          action: 'states:StartExecution',
          resource: stateMachine,
          identityPolicies: app.deployed.identityPoliciesOfRole(roleId),
        });
        expect([stateMachine, decision]).toEqual([stateMachine, stateMachine === mine ? 'Allowed' : 'ImplicitlyDenied']);
      }
    }
  });
});

describe('dead-letter queue policies, evaluated as AWS evaluates them (iam-simulate)', () => {
  const send = (ruleId: string, principal: string, context: Record<string, string>) => {
    const queueId = queueIdOf(ruleId);
    return decide({
      principal,
      action: 'sqs:SendMessage',
      resource: app.deployed.arn(queueId),
      context,
      resourcePolicy: app.deployed.resourcePolicyOf(queueId),
    });
  };

  test('EventBridge may send to each queue on behalf of that queue’s rule', async () => {
    for (const ruleId of ruleIds) {
      await expect(send(ruleId, 'events.amazonaws.com', { 'aws:SourceArn': app.deployed.arn(ruleId) })).resolves.toBe('Allowed');
    }
  });

  test('…and not on behalf of another rule, another account’s rule, or without a source', async () => {
    for (const ruleId of ruleIds) {
      for (const other of ruleIds.filter((id) => id !== ruleId)) {
        await expect(send(ruleId, 'events.amazonaws.com', { 'aws:SourceArn': app.deployed.arn(other) })).resolves.not.toBe('Allowed');
      }
      await expect(
        send(ruleId, 'events.amazonaws.com', {
          'aws:SourceArn': `arn:aws:events:${REGION}:999999999999:rule/${app.deployed.physicalName(ruleId)}`,
        }),
      ).resolves.not.toBe('Allowed');
      await expect(send(ruleId, 'events.amazonaws.com', {})).resolves.not.toBe('Allowed');
    }
  });

  test('plain HTTP is explicitly denied, other principals are denied', async () => {
    const [ruleId] = ruleIds;
    await expect(
      send(ruleId, 'events.amazonaws.com', { 'aws:SourceArn': app.deployed.arn(ruleId), 'aws:SecureTransport': 'false' }),
    ).resolves.toBe('ExplicitlyDenied');
    await expect(send(ruleId, 'sns.amazonaws.com', { 'aws:SourceArn': app.deployed.arn(ruleId) })).resolves.not.toBe('Allowed');
    await expect(send(ruleId, 'arn:aws:iam::999999999999:role/intruder', {})).resolves.not.toBe('Allowed');
  });
});

describe('dead-letter alarms', () => {
  const alarmOn = (queueId: string) => {
    const alarms = app.deployed
      .idsOfType('AWS::CloudWatch::Alarm')
      .filter((id) =>
        (app.deployed.resources[id].Properties.Dimensions ?? []).some(
          (dimension: Json) =>
            dimension.Name === 'QueueName' && app.deployed.resolve(dimension.Value) === app.deployed.physicalName(queueId),
        ),
      );
    expect(alarms).toHaveLength(1);
    return alarms[0];
  };

  test('each queue alarms as soon as one message is visible, notifying the alarm topic', () => {
    const topicId = app.logicalId(app.stack.alarmTopic.topic);
    for (const ruleId of ruleIds) {
      const properties = app.deployed.resources[alarmOn(queueIdOf(ruleId))].Properties;
      expect(properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  test('the topic accepts those alarms’ notifications', async () => {
    const topicId = app.logicalId(app.stack.alarmTopic.topic);
    for (const ruleId of ruleIds) {
      const alarmArn = app.deployed.arn(alarmOn(queueIdOf(ruleId)));
      await expect(
        decide({
          principal: 'cloudwatch.amazonaws.com',
          action: 'sns:Publish',
          resource: app.deployed.ref(topicId),
          context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn },
          resourcePolicy: app.deployed.resourcePolicyOf(topicId),
        }),
      ).resolves.toBe('Allowed');
    }
  });
});

describe('stack outputs for operators', () => {
  test('each dead-letter queue URL and the alarm topic ARN are outputs', () => {
    const outputs = app.deployed.template.Outputs;
    for (const ruleId of ['TenantCreatedRule', 'TenantDeletedRule', 'TemplateUploadedRule']) {
      const queueId = queueIdOf(app.deployed.idsOfType('AWS::Events::Rule').find((id) => id.startsWith(ruleId))!);
      expect(app.deployed.resolve(outputs[`${ruleId}DeadLetterQueueUrl`].Value)).toBe(app.deployed.ref(queueId));
    }
    expect(app.deployed.resolve(outputs.AlarmTopicArn.Value)).toBe(app.deployed.ref(app.logicalId(app.stack.alarmTopic.topic)));
    expect(app.deployed.resolve(outputs.TenantAppBoundaryArn.Value)).toMatch(
      /^arn:aws:iam::123456789012:policy\/tenant-app-permissions-boundary$/,
    );
  });
});
