/**
 * TestState checks a mocked Task result against the response model of the API the Task calls
 * (mock.fieldValidationMode): STRICT (the default) needs the required fields and checks every present
 * one, PRESENT checks only the fields present, NONE checks nothing. Fields the model does not know are
 * let through. https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html
 *
 * Only the response models of commonly tested integrations are described here (from each service's
 * API reference); a Task calling any other API is not checked.
 */

type Shape =
  | { kind: 'string'; min?: number; max?: number; values?: readonly string[] }
  | { kind: 'blob'; min?: number; max?: number }
  | { kind: 'integer' | 'long' | 'double'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'timestamp' }
  | { kind: 'any' }
  | { kind: 'list'; member: Shape }
  | { kind: 'map'; value: Shape }
  | { kind: 'structure'; members: Readonly<Record<string, Shape>>; required?: readonly string[] };

const str = (min?: number, max?: number): Shape => ({ kind: 'string', min, max });
const oneOf = (...values: string[]): Shape => ({ kind: 'string', values });
const blob = (min?: number, max?: number): Shape => ({ kind: 'blob', min, max });
const int = (min?: number, max?: number): Shape => ({ kind: 'integer', min, max });
const long = (min?: number, max?: number): Shape => ({ kind: 'long', min, max });
const double: Shape = { kind: 'double' };
const bool: Shape = { kind: 'boolean' };
const timestamp: Shape = { kind: 'timestamp' };
const any: Shape = { kind: 'any' };
const list = (member: Shape): Shape => ({ kind: 'list', member });
const map = (value: Shape): Shape => ({ kind: 'map', value });
const struct = (members: Record<string, Shape>, required?: string[]): Shape => ({ kind: 'structure', members, required });

// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_ResponseSyntax
const LAMBDA_INVOKE = struct({ StatusCode: int(), FunctionError: str(), LogResult: str(), Payload: any, ExecutedVersion: str(1, 1024) });

// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_ResponseSyntax
const LAMBDA_GET_FUNCTION = struct({
  Configuration: struct({
    FunctionName: str(1, 170),
    FunctionArn: str(),
    Runtime: str(),
    Role: str(),
    Handler: str(0, 128),
    CodeSize: long(),
    Description: str(0, 256),
    Timeout: int(1),
    MemorySize: int(128, 10240),
    LastModified: str(),
    CodeSha256: str(),
    Version: str(1, 1024),
    State: oneOf('Pending', 'Active', 'Inactive', 'Failed'),
    PackageType: oneOf('Zip', 'Image'),
    Architectures: list(oneOf('x86_64', 'arm64')),
  }),
  Code: struct({ RepositoryType: str(), Location: str(), ImageUri: str(), ResolvedImageUri: str() }),
  Tags: map(str()),
  Concurrency: struct({ ReservedConcurrentExecutions: int(0) }),
});

// https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html#API_Encrypt_ResponseSyntax
const KMS_ENCRYPT = struct({
  CiphertextBlob: blob(1, 6144),
  KeyId: str(1, 2048),
  EncryptionAlgorithm: oneOf('SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'),
});

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html
const CAPACITY = struct({ CapacityUnits: double, ReadCapacityUnits: double, WriteCapacityUnits: double });
const CONSUMED_CAPACITY = struct({
  TableName: str(1, 1024),
  CapacityUnits: double,
  ReadCapacityUnits: double,
  WriteCapacityUnits: double,
  Table: CAPACITY,
  LocalSecondaryIndexes: map(CAPACITY),
  GlobalSecondaryIndexes: map(CAPACITY),
});
const ITEM_COLLECTION_METRICS = struct({ ItemCollectionKey: map(any), SizeEstimateRangeGB: list(double) });
// PutItem, UpdateItem, DeleteItem: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_ResponseSyntax
const DYNAMODB_WRITE = struct({
  Attributes: map(any),
  ConsumedCapacity: CONSUMED_CAPACITY,
  ItemCollectionMetrics: ITEM_COLLECTION_METRICS,
});
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html#API_GetItem_ResponseSyntax
const DYNAMODB_GET = struct({ Item: map(any), ConsumedCapacity: CONSUMED_CAPACITY });

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_ResponseSyntax
const S3_GET_OBJECT = struct({
  Body: any,
  DeleteMarker: bool,
  AcceptRanges: str(),
  Expiration: str(),
  Restore: str(),
  LastModified: timestamp,
  ContentLength: long(),
  ETag: str(),
  ChecksumCRC32: str(),
  ChecksumSHA1: str(),
  ChecksumSHA256: str(),
  MissingMeta: int(),
  VersionId: str(),
  CacheControl: str(),
  ContentDisposition: str(),
  ContentEncoding: str(),
  ContentLanguage: str(),
  ContentRange: str(),
  ContentType: str(),
  Expires: timestamp,
  WebsiteRedirectLocation: str(),
  Metadata: map(str()),
  StorageClass: oneOf(
    'STANDARD',
    'REDUCED_REDUNDANCY',
    'STANDARD_IA',
    'ONEZONE_IA',
    'INTELLIGENT_TIERING',
    'GLACIER',
    'DEEP_ARCHIVE',
    'OUTPOSTS',
    'GLACIER_IR',
    'SNOW',
    'EXPRESS_ONEZONE',
    'FSX_OPENZFS',
  ),
  PartsCount: int(),
  TagCount: int(),
  BucketKeyEnabled: bool,
});

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html#API_PutEvents_ResponseSyntax
const EVENTS_PUT_EVENTS = struct({
  FailedEntryCount: int(),
  Entries: list(struct({ EventId: str(), ErrorCode: str(), ErrorMessage: str() })),
});

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_ResponseSyntax
const SFN_START_EXECUTION = struct({ ExecutionArn: str(1, 256), StartDate: timestamp }, ['ExecutionArn', 'StartDate']);

// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_ResponseElements
const SNS_PUBLISH = struct({ MessageId: str(), SequenceNumber: str() });

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_ResponseElements
const SQS_SEND_MESSAGE = struct({
  MD5OfMessageBody: str(),
  MD5OfMessageAttributes: str(),
  MD5OfMessageSystemAttributes: str(),
  MessageId: str(),
  SequenceNumber: str(),
});

/** "<service>:<action>" (lower case) -> response model; optimised and AWS SDK integrations alike. */
const RESPONSES: ReadonlyMap<string, Shape> = new Map([
  ['lambda:invoke', LAMBDA_INVOKE],
  ['lambda:getfunction', LAMBDA_GET_FUNCTION],
  ['kms:encrypt', KMS_ENCRYPT],
  ['dynamodb:putitem', DYNAMODB_WRITE],
  ['dynamodb:updateitem', DYNAMODB_WRITE],
  ['dynamodb:deleteitem', DYNAMODB_WRITE],
  ['dynamodb:getitem', DYNAMODB_GET],
  ['s3:getobject', S3_GET_OBJECT],
  ['events:putevents', EVENTS_PUT_EVENTS],
  ['eventbridge:putevents', EVENTS_PUT_EVENTS],
  ['states:startexecution', SFN_START_EXECUTION],
  ['sfn:startexecution', SFN_START_EXECUTION],
  ['sns:publish', SNS_PUBLISH],
  ['sqs:sendmessage', SQS_SEND_MESSAGE],
]);

/** arn:aws:states:::<service>:<action>[.sync|.waitForTaskToken] or arn:aws:states:::aws-sdk:<service>:<action>. */
function responseModel(resource: string): Shape | undefined {
  const m = /^arn:[^:]+:states:::(?:aws-sdk:)?([^:]+):([^.:]+)(?:\.[A-Za-z0-9:]+)?$/.exec(resource);
  if (!m) return undefined;
  return RESPONSES.get(`${m[1].toLowerCase()}:${m[2].toLowerCase()}`);
}

/** undefined when the mocked result fits; otherwise AWS's description of the first misfit. */
export function validateMockResult(resource: string, value: unknown, mode: 'STRICT' | 'PRESENT' | 'NONE'): string | undefined {
  if (mode === 'NONE') return undefined;
  const shape = responseModel(resource);
  if (!shape) return undefined;
  return check(shape, value, '', mode === 'STRICT');
}

function check(shape: Shape, value: unknown, field: string, strict: boolean): string | undefined {
  if (value === null || value === undefined) return undefined;
  const f = `Field '${field}'`;
  switch (shape.kind) {
    case 'any':
      return undefined;
    case 'string':
    case 'blob':
      if (typeof value !== 'string') return `${f} must be a string`;
      if (shape.min !== undefined && value.length < shape.min) return `${f} is smaller than the minimum length`;
      if (shape.max !== undefined && value.length > shape.max) return `${f} exceeds the maximum length`;
      if (shape.kind === 'string' && shape.values && !shape.values.includes(value)) return `${f} is not an expected value`;
      return undefined;
    case 'integer':
    case 'long':
    case 'double':
      if (typeof value !== 'number' || (shape.kind !== 'double' && !Number.isInteger(value))) return `${f} must be a number`;
      if (shape.min !== undefined && value < shape.min) return `${f} is less than the minimum value`;
      if (shape.max !== undefined && value > shape.max) return `${f} exceeds the maximum value`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${f} must be a boolean`;
    case 'timestamp':
      return typeof value === 'string' ? undefined : `${f} must be a string`;
    case 'list':
      if (!Array.isArray(value)) return `${f} must be an array`;
      for (const item of value) {
        const problem = check(shape.member, item, field, strict);
        if (problem) return problem;
      }
      return undefined;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return `${f} must be an object`;
      for (const v of Object.values(value as object)) {
        const problem = check(shape.value, v, field, strict);
        if (problem) return problem;
      }
      return undefined;
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return `${f} must be an object`;
      const obj = value as Record<string, unknown>;
      if (strict) for (const name of shape.required ?? []) if (obj[name] === undefined) return `Required field '${name}' is missing`;
      for (const [name, v] of Object.entries(obj)) {
        const member = shape.members[name];
        if (!member) continue;
        const problem = check(member, v, name, strict);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}
