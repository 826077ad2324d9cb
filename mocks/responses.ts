/**
 * Builders for mocked Task responses in the shapes Step Functions returns them (PascalCase members
 * of the service API; errors as `Service.ErrorName` with the SDK's message in Cause). Sources are
 * listed in mocks/README.md.
 */
import { localSubstitutions, LOCAL_ACCOUNT, LOCAL_CELL_ROLE_ARN, LOCAL_REGION } from '../statemachines/local-substitutions';

export type MockedOutcome = { Return: unknown } | { Throw: { Error: string; Cause: string } };

const local = localSubstitutions();
export const TEMPLATE_VERSION = '1.0.0';
export const NEXT_TEMPLATE_VERSION = '1.1.0';

/** A stable, realistic-looking stack id per tenant (CloudFormation appends a UUID to the ARN). */
export function stackId(tenantId: string): string {
  const hex = [...tenantId]
    .reduce((acc, ch) => (acc * 31 + ch.charCodeAt(0)) % 0xffffffff, 7)
    .toString(16)
    .padStart(8, '0');
  return `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${local.StackNamePrefix}${tenantId}/${hex}-5f1e-11ef-9a3c-0a1b2c3d4e5f`;
}

function requestId(seed: string): string {
  const hex = [...seed]
    .reduce((acc, ch) => (acc * 33 + ch.charCodeAt(0)) % 0xffffffff, 5381)
    .toString(16)
    .padStart(8, '0');
  return `${hex}-0c2d-4e5f-8a9b-1c2d3e4f5a6b`;
}

// --- CloudFormation (aws-sdk integration) ---------------------------------------------------------

interface StackOptions {
  reason?: string;
  /** Outputs appear once the stack reached a *_COMPLETE status. */
  templateVersion?: string;
}

/** DescribeStacks: {Stacks: [Stack]} with the members CloudFormation returns for a tenant stack. */
export function describeStack(tenantId: string, status: string, options: StackOptions = {}): MockedOutcome {
  const name = `${local.StackNamePrefix}${tenantId}`;
  const stack: Record<string, unknown> = {
    StackId: stackId(tenantId),
    StackName: name,
    Parameters: [{ ParameterKey: 'TenantId', ParameterValue: tenantId }],
    CreationTime: '2026-01-05T10:00:00.000Z',
    RollbackConfiguration: {},
    StackStatus: status,
    DisableRollback: false,
    NotificationARNs: [],
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    RoleARN: LOCAL_CELL_ROLE_ARN,
    Tags: [],
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
  if (status.startsWith('UPDATE') || status.startsWith('DELETE')) stack.LastUpdatedTime = '2026-02-01T09:30:00.000Z';
  if (status.startsWith('DELETE')) stack.DeletionTime = '2026-02-01T09:31:00.000Z';
  if (options.reason !== undefined) stack.StackStatusReason = options.reason;
  if (options.templateVersion !== undefined) {
    stack.Outputs = [
      { OutputKey: 'TemplateVersion', OutputValue: options.templateVersion, Description: 'Version of the tenant template this stack runs' },
      { OutputKey: 'DataTableName', OutputValue: `${name}-data` },
      { OutputKey: 'AppRoleArn', OutputValue: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}-app` },
    ];
  }
  return { Return: { Stacks: [stack] } };
}

export const createStackOk = (tenantId: string): MockedOutcome => ({ Return: { StackId: stackId(tenantId) } });
export const updateStackOk = (tenantId: string): MockedOutcome => ({ Return: { StackId: stackId(tenantId) } });
export const deleteStackOk: MockedOutcome = { Return: {} };

/** How the aws-sdk integration reports an error the SDK models as `name` (or the generic one). */
export function cloudFormationError(name: string, message: string): MockedOutcome {
  return {
    Throw: {
      Error: `CloudFormation.${name}`,
      Cause: `${message} (Service: CloudFormation, Status Code: 400, Request ID: ${requestId(message)})`,
    },
  };
}

/** ValidationError is not modelled: Step Functions names it CloudFormation.CloudFormationException. */
export const validationError = (message: string) => cloudFormationError('CloudFormationException', message);
/**
 * CloudFormation throttling (error code `Throttling`, message `Rate exceeded`) is not a modelled
 * exception either, so the aws-sdk integration reports it under the same generic name as a
 * ValidationError; only the Cause tells them apart. Recorded analogue: an unmodelled DynamoDB
 * ValidationException surfaces as `DynamoDb.DynamoDbException` in executions on AWS
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 */
export const throttled: MockedOutcome = {
  Throw: {
    Error: 'CloudFormation.CloudFormationException',
    Cause: 'Rate exceeded (Service: CloudFormation, Status Code: 400, Request ID: 8f0c6d1e-3b7a-4f52-9c1d-5e2a7b9c4d3f)',
  },
};
/**
 * The modelled-looking name `CloudFormation.ThrottlingException`: not what AWS reports today (see
 * `throttled`), but every CloudFormation Task still retries it in case it ever is. The catalogue
 * uses it to exercise that Retry and, once it is exhausted, the States.ALL catch-all behind the
 * CloudFormationException catcher.
 */
export const throttledUnderModelledName = cloudFormationError('ThrottlingException', 'Rate exceeded');
export const stackDoesNotExist = (tenantId: string) => validationError(`Stack with id ${local.StackNamePrefix}${tenantId} does not exist`);
export const alreadyExists = (tenantId: string) =>
  cloudFormationError('AlreadyExistsException', `Stack [${local.StackNamePrefix}${tenantId}] already exists`);
export const noUpdates = validationError('No updates are to be performed.');
export const notUpdatable = (tenantId: string, status: string) =>
  validationError(`Stack:${stackId(tenantId)} is in ${status} state and can not be updated.`);
export const cannotDelete = (tenantId: string, status: string) =>
  validationError(`Stack [${stackId(tenantId)}] cannot be deleted while in status ${status}`);

// --- DynamoDB ---------------------------------------------------------------------------------------

/** Optimized integration (arn:aws:states:::dynamodb:updateItem): the SDK v1 response with its metadata. */
export const updateItemOk: MockedOutcome = {
  Return: {
    SdkHttpMetadata: {
      AllHttpHeaders: { 'Content-Type': ['application/x-amz-json-1.0'] },
      HttpHeaders: { 'Content-Type': 'application/x-amz-json-1.0' },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: 'R7K2U1B9S4C0V5N3M8D6F1G2H3J4K5L6M7N8O9P0Q1R2S3T4U5V6' },
  },
};

/** Optimized integration error names (recorded on AWS: DynamoDB.AmazonDynamoDBException style). */
export const dynamoThrottled: MockedOutcome = {
  Throw: {
    Error: 'DynamoDB.ProvisionedThroughputExceededException',
    Cause:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API. (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ProvisionedThroughputExceededException; Request ID: 4KBNVRGD25RG1KEO9UT4V3FQDJVV4KQNSO5AEMVJF66Q9ASUAAJG; Proxy: null)',
  },
};
export const dynamoTableMissing: MockedOutcome = {
  Throw: {
    Error: 'DynamoDB.ResourceNotFoundException',
    Cause:
      'Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: 0PN3QQ1D3I5QF8V1P8OTMT2OSJVV4KQNSO5AEMVJF66Q9ASUAAJG; Proxy: null)',
  },
};

/** aws-sdk integration Scan of a rollout segment (ProjectionExpression tenantId): items in DynamoDB JSON. */
export function tenantPage(tenantIds: string[], lastEvaluatedTenantId?: string, scannedCount = tenantIds.length): MockedOutcome {
  const page: Record<string, unknown> = {
    Count: tenantIds.length,
    Items: tenantIds.map((tenantId) => ({ tenantId: { S: tenantId } })),
    // Limit counts the items read before the FilterExpression, so a page may hold fewer than it scanned.
    ScannedCount: scannedCount,
  };
  if (lastEvaluatedTenantId !== undefined) page.LastEvaluatedKey = { tenantId: { S: lastEvaluatedTenantId } };
  return { Return: page };
}

/** aws-sdk integration error naming: `DynamoDb.` prefix, Cause in the SDK v2 format. */
export const scanThrottled: MockedOutcome = {
  Throw: {
    Error: 'DynamoDb.ProvisionedThroughputExceededException',
    Cause:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API. (Service: DynamoDb, Status Code: 400, Request ID: 9SC1E4PQB1L4I2O0D1G8Q3S8ONVV4KQNSO5AEMVJF66Q9ASUAAJG)',
  },
};

// --- EventBridge, Step Functions -------------------------------------------------------------------

export const putEventsOk: MockedOutcome = {
  Return: { Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }], FailedEntryCount: 0 },
};

/** The update-tenant child's result (docs/rollouts.md, "update-tenant (the per-tenant child) contract"). */
export interface ChildResult {
  tenantId: string;
  outcome: 'updated' | 'unchanged' | 'failed' | 'skipped' | 'superseded' | 'deferred';
  reason: string;
  release?: number;
}

/** startExecution.sync:2 returns DescribeExecution with Input and Output as JSON (not strings). */
export function childExecution(result: ChildResult, index = 0): MockedOutcome {
  const name = `update-${result.tenantId}-${index}`;
  return {
    Return: {
      ExecutionArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:update-tenant:${name}`,
      Input: { tenantId: result.tenantId, templateUrl: `${local.TemplateUrl}?versionId=${PINNED_VERSION_ID}` },
      InputDetails: { Included: true },
      Name: name,
      Output: result,
      OutputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      StartDate: 1767607200000,
      StateMachineArn: local.UpdateTenantStateMachineArn,
      Status: 'SUCCEEDED',
      StopDate: 1767607260000,
    },
  };
}

export const executionLimitExceeded: MockedOutcome = {
  Throw: {
    Error: 'StepFunctions.ExecutionLimitExceededException',
    Cause:
      'Maximum number of running executions reached (Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionLimitExceeded; Request ID: 6e1b4c2a-9f0d-4b7e-8a21-3c5d7e9f1a2b; Proxy: null)',
  },
};

// --- Rollout (update-tenants): S3 HeadObject, DescribeAccountLimits, DescribeTable, the release table ---

/**
 * aws-sdk s3:headObject: user metadata comes back lower-cased without the x-amz-meta- prefix
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 */
export function headObject(metadata: Record<string, string>): MockedOutcome {
  return {
    Return: {
      AcceptRanges: 'bytes',
      ContentLength: 5120,
      ContentType: 'application/json',
      ETag: '"b1946ac92492d2347c6235b4d2611184"',
      LastModified: '2026-02-01T09:00:00Z',
      Metadata: metadata,
      VersionId: PINNED_VERSION_ID,
    },
  };
}

/** HeadObject of a version that was deleted: a HEAD response has no body, so the SDK names it by status (404). */
export const headObjectNotFound: MockedOutcome = {
  Throw: {
    Error: 'S3.NoSuchKeyException',
    Cause:
      'null (Service: S3, Status Code: 404, Request ID: 8DF1C9A3E5B7D2F4, Extended Request ID: Yj3l6Ql1wvqz1X0hF8oV9m2bT5rE4nK7sA6dC3gH0jU=)',
  },
};

/**
 * DescribeAccountLimits (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeAccountLimits.html):
 * StackLimit, StackOutputsLimit and ConcurrentResourcesLimit (default 2,500).
 */
export function accountLimits(concurrentResources: number): MockedOutcome {
  return {
    Return: {
      AccountLimits: [
        { Name: 'StackLimit', Value: 2000 },
        { Name: 'StackOutputsLimit', Value: 200 },
        { Name: 'ConcurrentResourcesLimit', Value: concurrentResources },
      ],
    },
  };
}

/**
 * aws-sdk dynamodb:scan with Select COUNT: no Items, only Count (matched by the filter) and
 * ScannedCount; LastEvaluatedKey when the 1 MB page ended before the table did.
 */
export function tenantCountPage(count: number, lastEvaluatedTenantId?: string, scannedCount = count): MockedOutcome {
  const page: Record<string, unknown> = { Count: count, ScannedCount: scannedCount };
  if (lastEvaluatedTenantId !== undefined) page.LastEvaluatedKey = { tenantId: { S: lastEvaluatedTenantId } };
  return { Return: page };
}

/** A release the LATEST item pointed at before this one (its version id, its rollout). */
export interface PreviousRelease {
  release: number;
  seq: number;
  versionId: string;
}

export const previousTemplateUrl = (versionId: string) => `${local.TemplateUrl}?versionId=${versionId}`;

/** The claim of LATEST (optimized updateItem, ReturnValues ALL_OLD): no Attributes for the first release ever. */
export function latestClaimed(previous?: PreviousRelease): MockedOutcome {
  if (!previous) return updateItemOk;
  return {
    Return: {
      Attributes: {
        id: { S: 'LATEST' },
        release: { N: String(previous.release) },
        templateRelease: { N: String(previous.release) },
        seq: { N: String(previous.seq) },
        templateUrl: { S: previousTemplateUrl(previous.versionId) },
        versionId: { S: previous.versionId },
        rolloutId: { S: `release-${previous.release}` },
        updatedAt: { S: '2026-01-20T09:00:00Z' },
      },
      ...SDK_METADATA,
    },
  };
}

/** GetItem of LATEST (optimized integration). */
export function latestRelease(release: number, seq: number): MockedOutcome {
  return {
    Return: {
      Item: {
        id: { S: 'LATEST' },
        release: { N: String(release) },
        templateRelease: { N: String(release) },
        seq: { N: String(seq) },
        rolloutId: { S: `release-${release}` },
      },
      ...SDK_METADATA,
    },
  };
}

export type RolloutState = 'RUNNING' | 'PAUSED' | 'HALTED' | 'ABORTING' | 'ABORTED' | 'COMPLETED' | 'SUPERSEDED';
export type RolloutCounts = Partial<Record<ChildResult['outcome'], number>>;

function rolloutAttributes(release: number, state: RolloutState, counts: RolloutCounts, extra: Record<string, unknown>) {
  const outcomes: ChildResult['outcome'][] = ['updated', 'unchanged', 'failed', 'skipped', 'superseded', 'deferred'];
  return {
    id: { S: `release-${release}` },
    release: { N: String(release) },
    state: { S: state },
    counts: { M: Object.fromEntries(outcomes.map((o) => [o, { N: String(counts[o] ?? 0) }])) },
    ...extra,
  };
}

/** GetItem of a rollout item (optimized integration); haltReason when the error budget or a wave error halted it. */
export function rolloutItem(release: number, state: RolloutState, counts: RolloutCounts = {}, haltReason?: string): MockedOutcome {
  const extra = haltReason === undefined ? {} : { haltReason: { S: haltReason } };
  return { Return: { Item: rolloutAttributes(release, state, counts, extra), ...SDK_METADATA } };
}

/** GetItem of the rollout item with ProjectionExpression #state. */
export function rolloutState(state: RolloutState): MockedOutcome {
  return { Return: { Item: { state: { S: state } }, ...SDK_METADATA } };
}

/** UpdateItem with ReturnValues ALL_NEW of a rollout item (operatorToken when its workflow waits for the operator). */
export function rolloutUpdated(release: number, state: RolloutState, counts: RolloutCounts = {}, operatorToken?: string): MockedOutcome {
  const extra = operatorToken === undefined ? {} : { operatorToken: { S: operatorToken } };
  return { Return: { Attributes: rolloutAttributes(release, state, counts, extra), ...SDK_METADATA } };
}

/** The LATEST item after the rollback claim (ReturnValues UPDATED_NEW). */
export function rollbackClaimed(seq: number, previousRelease: number, versionId: string, release: number): MockedOutcome {
  return {
    Return: {
      Attributes: {
        seq: { N: String(seq) },
        templateRelease: { N: String(previousRelease) },
        templateUrl: { S: previousTemplateUrl(versionId) },
        rolledBack: { N: String(release) },
        updatedAt: { S: '2026-02-01T10:00:00Z' },
      },
      ...SDK_METADATA,
    },
  };
}

/** What the operator's resume / abort (or a newer rollout) sends with SendTaskSuccess: the Task's result. */
export const operatorAnswer = (action: 'resume' | 'abort' | 'superseded'): MockedOutcome => ({ Return: { action } });

/** aws-sdk sfn:sendTaskSuccess: an empty response. */
export const taskSuccessSent: MockedOutcome = { Return: {} };
/** SendTaskSuccess for a wait that ended already (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html). */
export const taskTimedOut: MockedOutcome = {
  Throw: {
    Error: 'Sfn.TaskTimedOutException',
    Cause:
      "Task Timed Out: 'Provided task does not exist anymore' (Service: Sfn, Status Code: 400, Request ID: 1f6b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d)",
  },
};

// --- Inputs -----------------------------------------------------------------------------------------

export const PINNED_VERSION_ID = '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';

/** The EventBridge event a producer sends (source and detail-type per the event contract). */
export function lifecycleEvent(detailType: 'TenantCreated' | 'TenantDeleted', detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: local.EventSource,
    account: LOCAL_ACCOUNT,
    time: '2026-01-05T10:00:00Z',
    region: LOCAL_REGION,
    resources: [],
    detail,
  };
}

/** The S3 "Object Created" event EventBridge delivers for the template object. */
export function objectCreatedEvent(overrides: { bucket?: string; key?: string; versionId?: string | null } = {}): Record<string, unknown> {
  const object: Record<string, unknown> = {
    key: overrides.key ?? local.TemplateObjectKey,
    size: 5120,
    etag: 'b1946ac92492d2347c6235b4d2611184',
    sequencer: '00617F08299329D189',
  };
  if (overrides.versionId !== null) object['version-id'] = overrides.versionId ?? PINNED_VERSION_ID;
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    time: '2026-02-01T09:00:00Z',
    region: LOCAL_REGION,
    resources: [`arn:aws:s3:::${overrides.bucket ?? local.TemplateBucketName}`],
    detail: {
      version: '0',
      bucket: { name: overrides.bucket ?? local.TemplateBucketName },
      object,
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: LOCAL_ACCOUNT,
      'source-ip-address': '203.0.113.15',
      reason: 'PutObject',
    },
  };
}

// --- Tenant record (optimized dynamodb:getItem, conditional writes) ---------------------------------

const SDK_METADATA = {
  SdkHttpMetadata: {
    AllHttpHeaders: { 'Content-Type': ['application/x-amz-json-1.0'] },
    HttpHeaders: { 'Content-Type': 'application/x-amz-json-1.0' },
    HttpStatusCode: 200,
  },
  SdkResponseMetadata: { RequestId: 'Q2N5T8V1B4C7E0G3J6L9M2P5R8S1U4W7X0Z3A6C9E2G5I8K1M4O7' },
};

/** GetItem of a key that has no item: the response has no Item member. */
export const noTenantRecord: MockedOutcome = { Return: { ...SDK_METADATA } };

export interface TenantRecordFields {
  status: string;
  desired: 'PRESENT' | 'ABSENT';
  version: number;
  generation?: number;
  stackId?: string;
  /** A record written before cells existed: no `cell` attribute (default: the home cell is recorded). */
  withoutCell?: boolean;
}

/** The `cell` attribute of a tenant record in the local home cell (DynamoDB JSON), as create-tenant's claim writes it. */
export const HOME_CELL_ITEM = (() => {
  const home = (JSON.parse(local.TenantCells) as Record<string, string>[])[0];
  return { M: { name: { S: home.name }, accountId: { S: home.accountId }, region: { S: home.region }, roleArn: { S: home.roleArn } } };
})();

/** GetItem of a tenant record, in DynamoDB JSON. */
export function tenantRecord(tenantId: string, fields: TenantRecordFields): MockedOutcome {
  const item: Record<string, unknown> = {
    tenantId: { S: tenantId },
    status: { S: fields.status },
    desired: { S: fields.desired },
    version: { N: String(fields.version) },
    generation: { N: String(fields.generation ?? 1) },
    stackName: { S: `${local.StackNamePrefix}${tenantId}` },
    updatedAt: { S: '2026-01-05T10:00:00Z' },
  };
  if (fields.stackId !== undefined) item.stackId = { S: fields.stackId };
  if (!fields.withoutCell) item.cell = HOME_CELL_ITEM;
  return { Return: { Item: item, ...SDK_METADATA } };
}

/** A record written before records had versions (status only). */
export function unversionedTenantRecord(tenantId: string, status: string): MockedOutcome {
  return { Return: { Item: { tenantId: { S: tenantId }, status: { S: status } }, ...SDK_METADATA } };
}

/** A ConditionExpression that did not hold (optimized integration naming, SDK v1 Cause). */
export const conditionFailed: MockedOutcome = {
  Throw: {
    Error: 'DynamoDB.ConditionalCheckFailedException',
    Cause:
      'The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: 7HV0P2C4Q6E8G1J3L5N7R9T2V4X6Z8B0D2F4H6J8L0N2P4R6T8V0; Proxy: null)',
  },
};

// --- EventBridge failures (optimized events:putEvents) ----------------------------------------------

/** FailedEntryCount > 0 fails the task with EventBridge.FailedEntry, the response as Cause. */
export const putEventsFailedEntry: MockedOutcome = {
  Throw: {
    Error: 'EventBridge.FailedEntry',
    Cause: JSON.stringify({ Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error.' }], FailedEntryCount: 1 }),
  },
};
/** PutEvents throttled: ThrottlingException is not modelled by the EventBridge SDK, so the base exception name. */
export const putEventsThrottled: MockedOutcome = {
  Throw: {
    Error: 'EventBridge.AmazonEventBridgeException',
    Cause:
      'Rate exceeded (Service: AmazonEventBridge; Status Code: 400; Error Code: ThrottlingException; Request ID: 2b9d4f61-7a3c-4e8b-9d1f-6c5a3b7e9f20; Proxy: null)',
  },
};

/** GetItem of a key longer than 2,048 bytes: a ValidationException, unmodelled, so the base exception name. */
export const keyTooLarge: MockedOutcome = {
  Throw: {
    Error: 'DynamoDB.AmazonDynamoDBException',
    Cause:
      'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: 3JQ5S7U9W1Y3A5C7E9G1I3K5M7O9Q1S3U5W7Y9A1C3E5G7I9K1M3; Proxy: null)',
  },
};
/** Another ValidationException (the key does not match the table's schema). */
export const keySchemaMismatch: MockedOutcome = {
  Throw: {
    Error: 'DynamoDB.AmazonDynamoDBException',
    Cause:
      'The provided key element does not match the schema (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: 5LR7T9V1X3Z5B7D9F1H3J5L7N9P1R3T5V7X9Z1B3D5F7H9J1L3N5; Proxy: null)',
  },
};
