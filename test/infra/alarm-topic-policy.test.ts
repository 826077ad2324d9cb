import { ACCOUNT, REGION } from './support/deployed-template';
import { decide } from './support/simulate';
import { SynthesizedApp, synthesizeApp } from './support/synthesized-app';

let app: SynthesizedApp;
let topicArn: string;
let topicPolicy: unknown;
let alarmArns: string[];

beforeAll(() => {
  app = synthesizeApp();
  const topicId = app.logicalId(app.stack.alarmTopic.topic);
  topicArn = app.deployed.ref(topicId);
  topicPolicy = app.deployed.resourcePolicyOf(topicId);
  alarmArns = app.deployed
    .idsOfType('AWS::CloudWatch::Alarm')
    .filter((id) => JSON.stringify(app.deployed.resources[id].Properties.AlarmActions) === JSON.stringify([{ Ref: topicId }]))
    .map((id) => app.deployed.arn(id));
});
afterAll(() => app.cleanup());

const publish = (principal: string, context: Record<string, string>) =>
  decide({ principal, action: 'sns:Publish', resource: topicArn, context, resourcePolicy: topicPolicy });

// CloudWatch publishes alarm notifications as cloudwatch.amazonaws.com with aws:SourceArn (the alarm)
// and aws:SourceAccount: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html,
// https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
describe('alarm topic policy, evaluated as AWS evaluates it (iam-simulate)', () => {
  test('every alarm that notifies the topic exists (12: three per workflow) and may publish to it', async () => {
    expect(alarmArns.length).toBeGreaterThanOrEqual(12);
    for (const alarmArn of alarmArns) {
      await expect(publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn })).resolves.toBe(
        'Allowed',
      );
    }
  });

  test("CloudWatch acting for another account's alarm is denied", async () => {
    await expect(
      publish('cloudwatch.amazonaws.com', {
        'aws:SourceAccount': '999999999999',
        'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:999999999999:alarm:anything`,
      }),
    ).resolves.not.toBe('Allowed');
    // Another account claiming our account id but naming its own alarm ARN.
    await expect(
      publish('cloudwatch.amazonaws.com', {
        'aws:SourceAccount': ACCOUNT,
        'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:999999999999:alarm:anything`,
      }),
    ).resolves.not.toBe('Allowed');
  });

  test('CloudWatch without the source keys (not acting for an alarm) is denied', async () => {
    await expect(publish('cloudwatch.amazonaws.com', {})).resolves.not.toBe('Allowed');
  });

  test('a publish over plain HTTP is explicitly denied, even from an allowed alarm', async () => {
    await expect(
      publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArns[0], 'aws:SecureTransport': 'false' }),
    ).resolves.toBe('ExplicitlyDenied');
  });

  test('other services and other accounts may not publish', async () => {
    await expect(
      publish('events.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/x` }),
    ).resolves.not.toBe('Allowed');
    await expect(publish('arn:aws:iam::999999999999:role/intruder', {})).resolves.not.toBe('Allowed');
  });

  test('the topic key lets CloudWatch encrypt notifications (the key policy is the resource policy)', async () => {
    const keyId = app.logicalId(app.stack.alarmTopic.topic.masterKey!);
    const keyArn = app.deployed.arn(keyId);
    const keyPolicy = app.deployed.resolve(app.deployed.resources[keyId].Properties.KeyPolicy);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      await expect(decide({ principal: 'cloudwatch.amazonaws.com', action, resource: keyArn, resourcePolicy: keyPolicy })).resolves.toBe(
        'Allowed',
      );
    }
  });
});
