/**
 * What the local deployer knows about each CloudFormation resource type: its physical id (the name
 * the template gives, else a generated one), what `Ref` and `Fn::GetAtt` answer, and how to create it
 * on the local services through the SDK, or why it is only recorded or skipped.
 *
 * Return values as documented per type, e.g.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html#aws-resource-s3-bucket-return-values
 * Generated names: "the stack name, the logical ID, and a random string" (a deterministic one here,
 * so a restart finds the same resources).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, ListStateMachinesCommand, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { applySubstitutions } from '../../emulator/asl/substitutions';
import type { CloudClients } from './clients';
import type { SynthesizedStack } from './synth';

/**
 * A resource's Properties with the intrinsics resolved: CloudFormation JSON whose members depend on the
 * resource type (each type below reads the ones its AWS::* reference page documents).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape is set per resource type, not statically
type ResourceProperties = Record<string, any>;

export interface StackEnvironment {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

export type DeployAction = 'created' | 'exists' | 'updated' | 'unchanged' | 'recorded' | 'skipped';

export interface ProvisionResult {
  readonly action: DeployAction;
  /** What was not applied locally, or why nothing was done. */
  readonly note?: string;
  /** Facts worth reporting (an uploaded object's version id, say). */
  readonly details?: Record<string, string>;
}

export interface ProvisionInput {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly properties: ResourceProperties;
  readonly env: StackEnvironment;
  readonly clients: CloudClients;
  readonly stack: SynthesizedStack;
}

export interface ResourceType {
  /** The physical id: the name the template gives, else undefined (then a generated name is used). */
  givenName?(properties: ResourceProperties): string | undefined;
  /** Generated names: maximum length and whether they are lower case (S3). */
  readonly generated?: { maxLength: number; lowerCase?: boolean };
  /** What `Ref` answers (default: the physical id). */
  ref?(physicalId: string, env: StackEnvironment, properties: ResourceProperties): string;
  /** `Fn::GetAtt` values. */
  attributes?(physicalId: string, env: StackEnvironment, properties: ResourceProperties): Record<string, string>;
  /** Creates the resource; absent for types that are only recorded or skipped. */
  provision?(input: ProvisionInput): Promise<ProvisionResult>;
  /** For types without provision: recorded (their identity matters to others, e.g. IAM role ARNs) or skipped, and why. */
  readonly withoutProvision?: { action: 'recorded' | 'skipped'; reason: string };
}

const arn = (env: StackEnvironment, service: string, resource: string, region = env.region, account = env.accountId) =>
  `arn:${env.partition}:${service}:${region}:${account}:${resource}`;

/** Stable stand-in for CloudFormation's random part: same stack, id and account give the same name. */
export function generatedName(env: StackEnvironment, logicalId: string, maxLength: number, lowerCase = false): string {
  const suffix = createHash('sha256')
    .update(`${env.accountId}/${env.region}/${env.stackName}/${logicalId}`)
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  const room = maxLength - suffix.length - 2;
  let stackPart = env.stackName;
  let idPart = logicalId;
  if (stackPart.length + idPart.length > room) {
    const half = Math.floor(room / 2);
    stackPart = stackPart.slice(0, Math.max(half, room - idPart.length));
    idPart = idPart.slice(0, room - stackPart.length);
  }
  const name = `${stackPart}-${idPart}-${suffix}`;
  return lowerCase ? name.toLowerCase() : name;
}

const recorded = (reason: string): ResourceType => ({ withoutProvision: { action: 'recorded', reason } });
const skipped = (reason: string): ResourceType => ({ withoutProvision: { action: 'skipped', reason } });

const NO_IAM =
  'no IAM locally: the role is recorded (its ARN is what the state machines and targets are given), its policies are not enforced';

export const RESOURCE_TYPES: Record<string, ResourceType> = {
  'AWS::S3::Bucket': {
    givenName: (p) => p.BucketName,
    generated: { maxLength: 63, lowerCase: true },
    attributes: (name, env) => ({
      Arn: `arn:${env.partition}:s3:::${name}`,
      DomainName: `${name}.s3.amazonaws.com`,
      RegionalDomainName: `${name}.s3.${env.region}.amazonaws.com`,
      DualStackDomainName: `${name}.s3.dualstack.${env.region}.amazonaws.com`,
      WebsiteURL: `http://${name}.s3-website-${env.region}.amazonaws.com`,
    }),
    async provision({ physicalId, properties, clients }) {
      let action: DeployAction = 'created';
      try {
        await clients.s3.send(new CreateBucketCommand({ Bucket: physicalId }));
      } catch (error) {
        if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
        action = 'exists';
      }
      if (properties.VersioningConfiguration?.Status) {
        await clients.s3.send(
          new PutBucketVersioningCommand({
            Bucket: physicalId,
            VersioningConfiguration: { Status: properties.VersioningConfiguration.Status },
          }),
        );
      }
      const notApplied = [
        'BucketEncryption',
        'LifecycleConfiguration',
        'LoggingConfiguration',
        'OwnershipControls',
        'PublicAccessBlockConfiguration',
        'Tags',
      ].filter((key) => key in properties);
      return { action, note: notApplied.length > 0 ? `not applied locally: ${notApplied.join(', ')}` : undefined };
    },
  },
  'AWS::S3::BucketPolicy': skipped('bucket policies are not evaluated locally (no IAM)'),
  'AWS::Events::EventBusPolicy': skipped(
    'bus policies are not evaluated locally (no IAM): cell accounts deliver to the one local default bus',
  ),
  'Custom::S3BucketNotifications': {
    async provision({ properties, clients }) {
      // What CDK's notifications handler does: PutBucketNotificationConfiguration with the given configuration.
      await clients.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: properties.BucketName,
          NotificationConfiguration: properties.NotificationConfiguration as NotificationConfiguration,
        }),
      );
      return { action: 'created', note: "CDK's notifications handler replaced by the same PutBucketNotificationConfiguration" };
    },
  },
  'Custom::CDKBucketDeployment': {
    provision: deployBucketContents,
  },
  'AWS::DynamoDB::Table': {
    givenName: (p) => p.TableName,
    generated: { maxLength: 255 },
    attributes: (name, env) => ({
      Arn: arn(env, 'dynamodb', `table/${name}`),
      StreamArn: arn(env, 'dynamodb', `table/${name}/stream/local`),
    }),
    async provision({ physicalId, properties, clients }) {
      const input: CreateTableCommandInput = {
        TableName: physicalId,
        AttributeDefinitions: properties.AttributeDefinitions,
        KeySchema: properties.KeySchema,
        BillingMode: properties.BillingMode,
        ProvisionedThroughput: properties.ProvisionedThroughput,
        GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
        LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
        StreamSpecification: properties.StreamSpecification
          ? { StreamEnabled: true, StreamViewType: properties.StreamSpecification.StreamViewType }
          : undefined,
      };
      const notApplied = [
        'PointInTimeRecoverySpecification',
        'SSESpecification',
        'TimeToLiveSpecification',
        'Tags',
        'DeletionProtectionEnabled',
      ].filter((key) => key in properties);
      const note = notApplied.length > 0 ? `not applied locally: ${notApplied.join(', ')}` : undefined;
      try {
        await clients.dynamodb.send(new CreateTableCommand(input));
        return { action: 'created', note };
      } catch (error) {
        if ((error as Error).name !== 'ResourceInUseException') throw error;
        const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: physicalId }));
        const key = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
          JSON.stringify((schema ?? []).map((k) => [k.AttributeName, k.KeyType]));
        if (key(Table?.KeySchema) !== key(properties.KeySchema)) {
          throw new Error(
            `table ${physicalId} exists with key schema ${key(Table?.KeySchema)}, the template says ${key(properties.KeySchema)}`,
          );
        }
        return { action: 'exists', note };
      }
    },
  },
  'AWS::Events::EventBus': {
    givenName: (p) => p.Name,
    attributes: (name, env) => ({ Arn: arn(env, 'events', `event-bus/${name}`), Name: name }),
    async provision({ physicalId, clients }) {
      try {
        await clients.eventbridge.send(new CreateEventBusCommand({ Name: physicalId }));
        return { action: 'created' };
      } catch (error) {
        if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
        return { action: 'exists' };
      }
    },
  },
  'AWS::Events::Rule': {
    givenName: (p) => p.Name,
    generated: { maxLength: 64 },
    attributes: (name, env, p) => ({
      Arn: arn(env, 'events', `rule/${p.EventBusName && p.EventBusName !== 'default' ? `${busName(p.EventBusName)}/` : ''}${name}`),
    }),
    async provision({ physicalId, properties, clients }) {
      const eventBusName = properties.EventBusName as string | undefined;
      // PutRule creates or replaces; PutTargets adds or replaces targets by Id.
      await clients.eventbridge.send(
        new PutRuleCommand({
          Name: physicalId,
          EventBusName: eventBusName,
          EventPattern:
            properties.EventPattern === undefined
              ? undefined
              : typeof properties.EventPattern === 'string'
                ? properties.EventPattern
                : JSON.stringify(properties.EventPattern),
          ScheduleExpression: properties.ScheduleExpression,
          State: properties.State,
          Description: properties.Description,
        }),
      );
      const targets = (properties.Targets ?? []) as Target[];
      if (targets.length > 0) {
        const result = await clients.eventbridge.send(
          new PutTargetsCommand({ Rule: physicalId, EventBusName: eventBusName, Targets: targets }),
        );
        if ((result.FailedEntryCount ?? 0) > 0) {
          throw new Error(`PutTargets on rule ${physicalId} failed: ${JSON.stringify(result.FailedEntries)}`);
        }
      }
      return { action: 'created', details: { targets: targets.map((t) => t.Arn).join(', ') } };
    },
  },
  'AWS::StepFunctions::StateMachine': {
    givenName: (p) => p.StateMachineName,
    generated: { maxLength: 80 },
    ref: (name, env) => arn(env, 'states', `stateMachine:${name}`),
    attributes: (name, env) => ({ Arn: arn(env, 'states', `stateMachine:${name}`), Name: name }),
    provision: createStateMachine,
  },
  // Ref is the queue URL, GetAtt Arn/QueueName/QueueUrl; CFN properties are the queue attributes.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
  'AWS::SQS::Queue': {
    givenName: (p) => p.QueueName,
    generated: { maxLength: 80 },
    ref: (name, env) => queueUrl(name, env),
    attributes: (name, env) => ({ Arn: arn(env, 'sqs', name), QueueName: name, QueueUrl: queueUrl(name, env) }),
    async provision({ physicalId, properties, clients }) {
      const attributes = Object.fromEntries(
        Object.entries(properties)
          .filter(([key]) => !['QueueName', 'Tags'].includes(key))
          .map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : String(value)]),
      );
      await clients.sqs.send(new CreateQueueCommand({ QueueName: physicalId, Attributes: attributes }));
      return { action: 'created' };
    },
  },
  'AWS::SQS::QueuePolicy': skipped('queue policies are not evaluated locally (no IAM)'),
  'AWS::IAM::Role': {
    givenName: (p) => p.RoleName,
    generated: { maxLength: 64 },
    attributes: (name, env, p) => ({
      Arn: `arn:${env.partition}:iam::${env.accountId}:role${p.Path ?? '/'}${name}`,
      RoleId: `AROA${name.length}LOCAL`,
    }),
    withoutProvision: { action: 'recorded', reason: NO_IAM },
  },
  'AWS::IAM::Policy': recorded('no IAM locally: the policy is recorded with its role, not enforced'),
  'AWS::Logs::LogGroup': {
    givenName: (p) => p.LogGroupName,
    generated: { maxLength: 512 },
    attributes: (name, env) => ({ Arn: arn(env, 'logs', `log-group:${name}:*`) }),
    withoutProvision: { action: 'skipped', reason: 'no CloudWatch Logs locally: execution history is in the engine (GetExecutionHistory)' },
  },
  'AWS::CloudWatch::Alarm': {
    givenName: (p) => p.AlarmName,
    generated: { maxLength: 255 },
    attributes: (name, env) => ({ Arn: arn(env, 'cloudwatch', `alarm:${name}`) }),
    withoutProvision: {
      action: 'skipped',
      reason: 'no CloudWatch metrics or alarms locally: `tenants executions` lists failed executions',
    },
  },
  'AWS::SNS::Topic': {
    givenName: (p) => p.TopicName,
    generated: { maxLength: 256 },
    ref: (name, env) => arn(env, 'sns', name),
    attributes: (name, env) => ({ TopicArn: arn(env, 'sns', name), TopicName: name }),
    withoutProvision: {
      action: 'skipped',
      reason: 'the alarm topic only receives CloudWatch alarm notifications, which do not exist locally',
    },
  },
  'AWS::SNS::TopicPolicy': skipped('topic policies are not evaluated locally (no IAM)'),
  'AWS::KMS::Key': {
    ref: (id) => keyId(id),
    attributes: (id, env) => ({ Arn: arn(env, 'kms', `key/${keyId(id)}`), KeyId: keyId(id) }),
    withoutProvision: { action: 'skipped', reason: 'no KMS locally: the key only encrypts the alarm topic' },
  },
  'AWS::Lambda::Function': {
    givenName: (p) => p.FunctionName,
    generated: { maxLength: 64 },
    attributes: (name, env) => ({ Arn: arn(env, 'lambda', `function:${name}`) }),
    withoutProvision: {
      action: 'skipped',
      reason: "a CDK custom-resource handler: the deployer performs the custom resource's effect itself",
    },
  },
  'AWS::Lambda::LayerVersion': {
    ref: (name, env) => arn(env, 'lambda', `layer:${name}:1`),
    withoutProvision: { action: 'skipped', reason: 'the AWS CLI layer of the BucketDeployment handler, which the deployer replaces' },
  },
  'AWS::CDK::Metadata': skipped('CDK usage metadata, no resource'),
};

function queueUrl(name: string, env: StackEnvironment): string {
  return `https://sqs.${env.region}.amazonaws.com/${env.accountId}/${name}`;
}

function busName(value: string): string {
  // EventBusName may be given as a name or an ARN.
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

function keyId(physicalId: string): string {
  const h = createHash('sha256').update(physicalId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * AWS::StepFunctions::StateMachine: CloudFormation applies DefinitionSubstitutions to the definition
 * text, then calls CreateStateMachine (UpdateStateMachine when it exists).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html
 */
async function createStateMachine({ logicalId, physicalId, properties, clients, env }: ProvisionInput): Promise<ProvisionResult> {
  let text: string;
  if (typeof properties.DefinitionString === 'string') text = properties.DefinitionString;
  else if (properties.Definition !== undefined) text = JSON.stringify(properties.Definition);
  else
    throw new Error(`${logicalId}: only DefinitionString or Definition is supported locally (DefinitionS3Location needs the asset bucket)`);
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, string | number | boolean>;
  const definition = applySubstitutions(text, substitutions, `${logicalId}.DefinitionString`);
  JSON.parse(definition); // a definition that is not JSON after substitution fails here, as CloudFormation would
  const roleArn = properties.RoleArn as string;
  const type = (properties.StateMachineType as 'STANDARD' | 'EXPRESS' | undefined) ?? 'STANDARD';
  const notApplied = ['LoggingConfiguration', 'TracingConfiguration', 'Tags'].filter((key) => key in properties);
  const note = notApplied.length > 0 ? `not applied locally: ${notApplied.join(', ')}` : undefined;
  try {
    await clients.sfn.send(new CreateStateMachineCommand({ name: physicalId, definition, roleArn, type }));
    return { action: 'created', note };
  } catch (error) {
    if ((error as Error).name !== 'StateMachineAlreadyExists') throw error;
    const stateMachineArn = arn(env, 'states', `stateMachine:${physicalId}`);
    const listed = await clients.sfn.send(new ListStateMachinesCommand({}));
    if (!listed.stateMachines?.some((m) => m.stateMachineArn === stateMachineArn)) throw error;
    await clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition, roleArn }));
    return { action: 'updated', note };
  }
}

/**
 * Custom::CDKBucketDeployment: what CDK's handler does with `Source.data`/`Source.asset` sources:
 * copies each source's files (with its SourceMarkers replaced) to DestinationBucketName under
 * DestinationBucketKeyPrefix, with SystemMetadata as object headers. The sources are the assembly's
 * staged assets (asset id = source object key without `.zip`). The deployer runs it, like every
 * custom resource, only when its properties changed since the last deployment: each run is a new
 * object version, and its S3 event starts a fleet update.
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_s3_deployment-readme.html
 */
async function deployBucketContents({ logicalId, properties, clients, stack }: ProvisionInput): Promise<ProvisionResult> {
  const bucket = properties.DestinationBucketName as string;
  const prefix = (properties.DestinationBucketKeyPrefix as string | undefined) ?? '';
  const keys = (properties.SourceObjectKeys ?? []) as string[];
  const markers = (properties.SourceMarkers ?? []) as Record<string, string>[];
  const files: { key: string; path: string; markers: Record<string, string> }[] = [];
  keys.forEach((objectKey, i) => {
    const assetId = objectKey.replace(/\.zip$/, '');
    const asset = stack.assets.get(assetId);
    if (!asset) throw new Error(`${logicalId}: source ${objectKey} is not an asset of ${stack.stackName} (asset manifest)`);
    if (asset.packaging !== 'zip' || !statSync(asset.path).isDirectory()) {
      throw new Error(`${logicalId}: source ${objectKey} must be a staged folder (packaging zip); found ${asset.path}`);
    }
    for (const path of listFiles(asset.path)) {
      files.push({ key: prefix + relative(asset.path, path).split(sep).join('/'), path, markers: markers[i] ?? {} });
    }
  });
  const system = (properties.SystemMetadata ?? {}) as Record<string, string>;
  const uploaded: string[] = [];
  for (const file of files) {
    let body = readFileSync(file.path);
    if (Object.keys(file.markers).length > 0) {
      let text = body.toString('utf8');
      for (const [marker, value] of Object.entries(file.markers)) text = text.split(marker).join(value);
      body = Buffer.from(text, 'utf8');
    }
    const put = await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: file.key,
        Body: body,
        ContentType: system['content-type'],
        CacheControl: system['cache-control'],
        ContentEncoding: system['content-encoding'],
        Metadata: (properties.UserMetadata as Record<string, string> | undefined) ?? undefined,
      }),
    );
    uploaded.push(`s3://${bucket}/${file.key}${put.VersionId ? ` (version ${put.VersionId})` : ''}`);
  }
  return { action: 'created', details: { uploaded: uploaded.join(', ') } };
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
