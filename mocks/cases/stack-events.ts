/** The mocked test cases of the stack-events relay: one per branch (see mocks/test-cases.ts). */
import { conditionFailed, stackId, updateItemOk, type MockedOutcome } from '../responses';
import { path, stackEvents as r } from '../paths';
import { TENANT, type MockTestCase } from './common';

const TOKEN = `update-${TENANT}-3`;
/** The EventBridge envelope of a terminal Stack Status Change (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html). */
const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'CloudFormation Stack Status Change',
  source: 'aws.cloudformation',
  account: '123456789012',
  time: '2026-02-01T09:31:00Z',
  region: 'us-east-1',
  resources: [stackId(TENANT)],
  detail: {
    'stack-id': stackId(TENANT),
    'status-details': { status: 'UPDATE_COMPLETE', 'status-reason': '' },
    'client-request-token': TOKEN,
  },
};
const METADATA = { SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: 'S7A9C1K3E5V7E9N1T3S5' } };
/** UpdateItem with ReturnValues ALL_OLD: the item before the arrival was written. */
const before = (taskToken?: string): MockedOutcome => ({
  Return: taskToken
    ? { Attributes: { stackId: { S: stackId(TENANT) }, clientRequestToken: { S: TOKEN }, taskToken: { S: taskToken } }, ...METADATA }
    : { ...METADATA },
});
const sent: MockedOutcome = { Return: {} };
const sfnError = (name: string, message: string): MockedOutcome => ({
  Throw: { Error: `Sfn.${name}`, Cause: `${message} (Service: Sfn, Status Code: 400, Request ID: 5f3c2d1e-0a9b-4c8d-9e7f-6a5b4c3d2e1f)` },
});

const c = (name: string, description: string, mocks: MockTestCase['mocks'], casePath: string[]): MockTestCase => ({
  workflow: 'stack-events',
  name,
  description,
  input: event,
  mocks,
  path: casePath,
  expect: { status: 'SUCCEEDED', output: event.detail },
});

/** A registered waiter (task token `token`) woken: SendTaskSuccess answers `wake`, the item's removal `forget`; `end` is the last state. */
const wakeCase = (name: string, description: string, token: string, wake: MockedOutcome, forget: MockedOutcome, end: string) =>
  c(
    name,
    description,
    { 'Record stack event': [before(token)], 'Wake waiter': [wake], 'Forget waiter': [forget] },
    path(r.recorded, ['Wake waiter', 'Forget waiter', end]),
  );

export const stackEventsCases: MockTestCase[] = [
  wakeCase(
    'WaiterWoken',
    'A waiter registered before the event: the arrival recorded, the task success sent, the item removed',
    'token-of-the-waiting-task',
    sent,
    updateItemOk,
    'Waiter answered',
  ),
  c(
    'NoWaiterYet',
    'The event before the registration: the arrival recorded, so the registration is refused',
    { 'Record stack event': [before()] },
    path(r.recorded, ['No waiter yet']),
  ),
  wakeCase(
    'WaiterTimedOut',
    'The waiter already gave up (TaskTimedOut): ignored, the item removed',
    'token-of-a-timed-out-task',
    sfnError('TaskTimedOutException', 'Task Timed Out'),
    updateItemOk,
    'Waiter answered',
  ),
  wakeCase(
    'WaiterRegisteredAgain',
    'The waiter registered again with a new token meanwhile: its item is kept',
    'token-of-the-first-wait',
    sfnError('TaskDoesNotExistException', 'Task Timed Out or does not exist'),
    conditionFailed,
    'Waiter kept',
  ),
];
