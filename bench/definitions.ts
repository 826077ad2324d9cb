/**
 * The state machines the bench runs, with the number of states each execution enters worked out
 * by construction (the peer keeps no history, so the count cannot be read back from it; ours is
 * checked against our history).
 */

/** A counter loop: Pass adds 1 with States.MathAdd, Choice loops until the counter reaches `limit`. */
export const COUNTER_LOOP = {
  Comment: 'bench: Choice/Pass counter loop',
  StartAt: 'Increment',
  States: {
    Increment: {
      Type: 'Pass',
      Parameters: { 'count.$': 'States.MathAdd($.count, 1)', 'limit.$': '$.limit' },
      Next: 'Check',
    },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.count', NumericLessThanPath: '$.limit', Next: 'Increment' }],
      Default: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
} as const;

export function counterLoopInput(iterations: number): { count: number; limit: number } {
  return { count: 0, limit: iterations };
}

/** Increment + Check per iteration, then Done. */
export function counterLoopStates(iterations: number): number {
  return iterations * 2 + 1;
}

/**
 * AWS caps a Standard execution's history at 25,000 events and each loop state records two
 * (Entered, Exited), so one execution can loop at most ~6,000 times; our engine enforces the cap
 * as AWS does. The 10,000 iterations are therefore split over executions of this size, on both
 * engines alike. https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const LOOP_ITERATIONS_PER_EXECUTION = 5_000;

/** An inline Map over the input's items; each iteration runs Pass -> Choice -> Pass. */
export const PASS_CHOICE_MAP = {
  Comment: 'bench: Map of Pass/Choice',
  StartAt: 'FanOut',
  States: {
    FanOut: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Double',
        States: {
          Double: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, $.n)' }, Next: 'Classify' },
          Classify: {
            Type: 'Choice',
            Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 1000, Next: 'Large' }],
            Default: 'Small',
          },
          Large: { Type: 'Pass', Parameters: { size: 'large', 'n.$': '$.n' }, End: true },
          Small: { Type: 'Pass', Parameters: { size: 'small', 'n.$': '$.n' }, End: true },
        },
      },
      End: true,
    },
  },
} as const;

export function passChoiceMapInput(items: number): { items: { n: number }[] } {
  return { items: Array.from({ length: items }, (_, n) => ({ n })) };
}

/** The Map state itself, then Double, Classify and Large|Small per item. */
export function passChoiceMapStates(items: number): number {
  return 1 + items * 3;
}

/** Five states, all entered on the mocked path; three are Tasks answered by the mock configuration (see MOCKED_FIVE_STATE_CONFIG). */
export const MOCKED_FIVE_STATE = {
  Comment: 'bench: 5 states, 3 mocked Tasks',
  StartAt: 'GetOrder',
  States: {
    GetOrder: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: 'orders', Key: { id: { 'S.$': '$.orderId' } } },
      ResultPath: '$.order',
      Next: 'IsKnown',
    },
    IsKnown: {
      Type: 'Choice',
      Choices: [{ Variable: '$.order.Item', IsPresent: true, Next: 'Charge' }],
      Default: 'Done',
    },
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'charge', 'Payload.$': '$' },
      ResultSelector: { 'receipt.$': '$.Payload' },
      ResultPath: '$.charge',
      Next: 'Record',
    },
    Record: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: { TableName: 'receipts', Item: { id: { 'S.$': '$.orderId' }, receipt: { 'S.$': '$.charge.receipt.id' } } },
      ResultPath: null,
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
} as const;

export const MOCKED_FIVE_STATE_NAME = 'bench-order';
export const MOCKED_FIVE_STATE_TEST_CASE = 'Happy';
/** GetOrder, IsKnown, Charge, Record, Done. */
export const MOCKED_FIVE_STATE_STATES = 5;

export const MOCKED_FIVE_STATE_CONFIG = {
  StateMachines: {
    [MOCKED_FIVE_STATE_NAME]: {
      TestCases: {
        [MOCKED_FIVE_STATE_TEST_CASE]: { GetOrder: 'OrderFound', Charge: 'ChargeAccepted', Record: 'ReceiptStored' },
      },
    },
  },
  MockedResponses: {
    OrderFound: { '0': { Return: { Item: { id: { S: 'o-1' }, total: { N: '42' } } } } },
    ChargeAccepted: { '0': { Return: { StatusCode: 200, Payload: { id: 'r-1', amount: 42 } } } },
    ReceiptStored: { '0': { Return: {} } },
  },
};

/** Sits in a Wait for an hour (real-time clock) so that executions stay RUNNING. */
export const LONG_WAIT = {
  Comment: 'bench: parked in a long Wait',
  StartAt: 'Park',
  States: {
    Park: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
} as const;
