/**
 * A synthesized CloudFormation template as it would stand deployed in one account and region: every
 * intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select) resolved to the concrete value
 * CloudFormation would produce, with physical names derived from the logical ids where the template
 * leaves them to CloudFormation. What each Ref and GetAtt returns per resource type follows the
 * template reference's "Return values" sections
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
 *
 * Tests use it to feed the synthesized policies, with real ARNs, to the IAM policy simulator.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
const PARTITION = 'aws';

/**
 * A value of the synthesized template: parsed CloudFormation JSON, read by property path (`Properties.Roles`,
 * `Fn::Sub` arguments), whose shape depends on the resource type; the checks themselves assert the shapes.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON has no static shape here
export type Json = any;

export interface DeployedTemplateOptions {
  readonly stackName: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

export class DeployedTemplate {
  readonly resources: Record<string, Json>;
  private readonly parameters: Record<string, string>;

  constructor(
    readonly template: Json,
    private readonly options: DeployedTemplateOptions,
  ) {
    this.resources = template.Resources ?? {};
    this.parameters = {};
    for (const [name, parameter] of Object.entries<Json>(template.Parameters ?? {})) {
      const value = options.parameters?.[name] ?? parameter.Default;
      if (value !== undefined) this.parameters[name] = String(value);
    }
  }

  /** Logical ids of the resources of one type. */
  idsOfType(type: string): string[] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);
  }

  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== 'object' || value === null) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys;
      const argument = value[key];
      switch (key) {
        case 'Ref':
          return this.ref(argument);
        case 'Fn::GetAtt':
          return this.getAtt(argument[0], argument[1]);
        case 'Fn::Join':
          return (this.resolve(argument[1]) as Json[]).join(argument[0]);
        case 'Fn::Select':
          return (this.resolve(argument[1]) as Json[])[Number(this.resolve(argument[0]))];
        case 'Fn::Split':
          return String(this.resolve(argument[1])).split(argument[0]);
        case 'Fn::Sub':
          return this.sub(argument);
        default:
          if (key.startsWith('Fn::')) throw new Error(`DeployedTemplate: intrinsic ${key} is not supported`);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }

  private sub(argument: Json): string {
    const [text, variables] = typeof argument === 'string' ? [argument, {}] : [argument[0], this.resolve(argument[1])];
    return (text as string).replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in variables) return String(variables[name]);
      const dot = name.indexOf('.');
      return String(dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name.slice(0, dot), name.slice(dot + 1)) : this.ref(name));
    });
  }

  ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::Region':
        return REGION;
      case 'AWS::Partition':
        return PARTITION;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.options.stackName;
      case 'AWS::StackId':
        return `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT}:stack/${this.options.stackName}/00000000-0000-0000-0000-000000000000`;
    }
    if (name in this.parameters) return this.parameters[name];
    const resource = this.resources[name];
    if (!resource) throw new Error(`DeployedTemplate: Ref to unknown ${name}`);
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::IAM::ManagedPolicy':
        return this.arn(name);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.physicalName(name)}`;
      default:
        return this.physicalName(name);
    }
  }

  getAtt(id: string, attribute: string): string {
    const resource = this.resources[id];
    if (!resource) throw new Error(`DeployedTemplate: Fn::GetAtt of unknown ${id}`);
    const name = this.physicalName(id);
    if (attribute === 'Arn' || attribute === 'TopicArn') return this.arn(id);
    if (resource.Type === 'AWS::S3::Bucket' && attribute === 'RegionalDomainName') return `${name}.s3.${REGION}.amazonaws.com`;
    if (resource.Type === 'AWS::S3::Bucket' && attribute === 'DomainName') return `${name}.s3.amazonaws.com`;
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TopicName') return name;
    throw new Error(`DeployedTemplate: Fn::GetAtt ${id}.${attribute} (${resource.Type}) is not supported`);
  }

  /** The name CloudFormation gives the resource: its name property, else `<stack>-<logical id>`. */
  physicalName(id: string): string {
    const resource = this.resources[id];
    const properties = resource.Properties ?? {};
    const nameProperty: Record<string, string> = {
      'AWS::IAM::Role': 'RoleName',
      'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::Events::EventBus': 'Name',
      'AWS::Events::Rule': 'Name',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::CloudWatch::Alarm': 'AlarmName',
      'AWS::Lambda::Function': 'FunctionName',
    };
    const property = nameProperty[resource.Type];
    if (property && properties[property] !== undefined) return String(this.resolve(properties[property]));
    const generated = `${this.options.stackName}-${id}`;
    return resource.Type === 'AWS::S3::Bucket' || resource.Type === 'AWS::KMS::Key' ? generated.toLowerCase() : generated;
  }

  arn(id: string): string {
    const resource = this.resources[id];
    const name = this.physicalName(id);
    const regional = (service: string, rest: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${rest}`;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role${resource.Properties?.Path ?? '/'}${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${PARTITION}:iam::${ACCOUNT}:policy${resource.Properties?.Path ?? '/'}${name}`;
      case 'AWS::S3::Bucket':
        return `arn:${PARTITION}:s3:::${name}`;
      case 'AWS::SNS::Topic':
        return regional('sns', name);
      case 'AWS::SQS::Queue':
        return regional('sqs', name);
      case 'AWS::DynamoDB::Table':
        return regional('dynamodb', `table/${name}`);
      case 'AWS::StepFunctions::StateMachine':
        return regional('states', `stateMachine:${name}`);
      case 'AWS::Events::EventBus':
        return regional('events', `event-bus/${name}`);
      case 'AWS::Events::Rule': {
        const bus = resource.Properties?.EventBusName === undefined ? 'default' : String(this.resolve(resource.Properties.EventBusName));
        return regional('events', `rule/${bus === 'default' ? '' : `${bus}/`}${name}`);
      }
      case 'AWS::KMS::Key':
        return regional('kms', `key/${name}`);
      case 'AWS::Logs::LogGroup':
        return regional('logs', `log-group:${name}:*`);
      case 'AWS::CloudWatch::Alarm':
        return regional('cloudwatch', `alarm:${name}`);
      case 'AWS::Lambda::Function':
        return regional('lambda', `function:${name}`);
      default:
        throw new Error(`DeployedTemplate: no ARN rule for ${resource.Type} (${id})`);
    }
  }

  /** The identity policies of a role: its inline Policies, AWS::IAM::Policy resources naming it, and managed policies of this template. */
  identityPoliciesOfRole(roleId: string): { name: string; policy: Json }[] {
    const role = this.resources[roleId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`DeployedTemplate: ${roleId} is not an AWS::IAM::Role`);
    const policies: { name: string; policy: Json }[] = [];
    for (const inline of role.Properties.Policies ?? []) {
      policies.push({ name: inline.PolicyName, policy: this.resolve(inline.PolicyDocument) });
    }
    for (const [id, resource] of Object.entries(this.resources)) {
      if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
      if ((resource.Properties.Roles ?? []).some((entry: Json) => entry?.Ref === roleId)) {
        policies.push({ name: id, policy: this.resolve(resource.Properties.PolicyDocument) });
      }
    }
    for (const arn of (this.resolve(role.Properties.ManagedPolicyArns ?? []) as string[]) ?? []) {
      const managed = this.managedPolicyByArn(arn);
      if (!managed) throw new Error(`DeployedTemplate: ${roleId} attaches ${arn}, which this template does not define`);
      policies.push(managed);
    }
    return policies;
  }

  managedPolicyByArn(arn: string): { name: string; policy: Json } | undefined {
    const id = this.idsOfType('AWS::IAM::ManagedPolicy').find((candidate) => this.arn(candidate) === arn);
    return id === undefined ? undefined : { name: id, policy: this.resolve(this.resources[id].Properties.PolicyDocument) };
  }

  /** The resource policy document attached to a resource by an AWS::SNS::TopicPolicy / AWS::SQS::QueuePolicy / AWS::S3::BucketPolicy. */
  resourcePolicyOf(id: string): Json {
    const [policyType, listProperty, matches] = (() => {
      switch (this.resources[id]?.Type) {
        case 'AWS::SNS::Topic':
          return ['AWS::SNS::TopicPolicy', 'Topics', (entry: Json) => this.resolve(entry) === this.ref(id)] as const;
        case 'AWS::SQS::Queue':
          return ['AWS::SQS::QueuePolicy', 'Queues', (entry: Json) => this.resolve(entry) === this.ref(id)] as const;
        default:
          throw new Error(`DeployedTemplate: no resource-policy rule for ${id}`);
      }
    })();
    const documents = this.idsOfType(policyType)
      .map((policyId) => this.resources[policyId].Properties)
      .filter((properties) => (properties[listProperty] as Json[]).some(matches))
      .map((properties) => this.resolve(properties.PolicyDocument));
    if (documents.length !== 1) throw new Error(`DeployedTemplate: ${id} has ${documents.length} resource policies, expected 1`);
    return documents[0];
  }
}
