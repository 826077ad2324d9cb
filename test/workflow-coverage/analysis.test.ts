/**
 * The coverage gate's analysis (analysis.ts): which states, Choice rules, Retry and
 * Catch clauses a history covers. Histories come from real executions on the engine, so the
 * attribution is checked against what a run really did.
 */
import type { HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';
import { StatesError } from '../../emulator/errors';
import { coverableItems, coveredItems } from './analysis';
import { runDefinition } from '../emulator/engine-helpers';

const definition = {
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      InputPath: '$.request',
      Choices: [
        { Variable: '$.kind', StringEquals: 'call', Next: 'Call' },
        { Variable: '$.kind', StringEquals: 'skip', Next: 'Done' },
      ],
      Default: 'Done',
    },
    Call: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudformation:describeStacks',
      Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 3 }],
      Catch: [
        { ErrorEquals: ['Gone'], ResultPath: '$.error', Next: 'Recover' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' },
      ],
      Next: 'Done',
    },
    Recover: { Type: 'Pass', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

/** Runs the definition with a Task that throws the given errors in turn, then succeeds. */
async function covered(kind: string, errors: string[] = []): Promise<string[]> {
  let call = 0;
  const handlers = [
    {
      matcher: 'arn:aws:states:::aws-sdk:cloudformation:',
      handler: () => {
        const error = errors[call++];
        if (error) throw new StatesError(error, 'mocked');
        return { Stacks: [] };
      },
    },
  ];
  const run = await runDefinition(definition, { request: { kind } }, { handlers });
  return [...coveredItems(definition, run.events as unknown as SdkHistoryEvent[])].sort();
}

test('lists every state, Choice rule and Default, Retry and Catch clause of a definition', () => {
  expect(coverableItems(definition).map((i) => i.id)).toEqual([
    'state:Route',
    'choice:Route#0',
    'choice:Route#1',
    'choice:Route#Default',
    'state:Call',
    'retry:Call#0',
    'catch:Call#0',
    'catch:Call#1',
    'state:Recover',
    'state:Done',
  ]);
});

test('the Choice rule that matched is found by evaluating the rules on the recorded input (after InputPath)', async () => {
  expect(await covered('skip')).toEqual(['choice:Route#1', 'state:Done', 'state:Route']);
  expect(await covered('other')).toEqual(['choice:Route#Default', 'state:Done', 'state:Route']);
});

test('a failed attempt followed by another attempt covers the Retry, not a Catch', async () => {
  expect(await covered('call', ['Busy'])).toEqual(['choice:Route#0', 'retry:Call#0', 'state:Call', 'state:Done', 'state:Route']);
});

test('a caught error covers the first Catch whose ErrorEquals matches it', async () => {
  expect(await covered('call', ['Gone'])).toEqual([
    'catch:Call#0',
    'choice:Route#0',
    'state:Call',
    'state:Done',
    'state:Recover',
    'state:Route',
  ]);
  expect(await covered('call', ['Busy', 'Other'])).toEqual([
    'catch:Call#1',
    'choice:Route#0',
    'retry:Call#0',
    'state:Call',
    'state:Done',
    'state:Recover',
    'state:Route',
  ]);
});

/** JSONata: a Choice reading a variable, and a Parallel whose branch fails into its Catch. */
const jsonataDefinition = {
  QueryLanguage: 'JSONata',
  StartAt: 'Remember',
  States: {
    Remember: { Type: 'Pass', Assign: { kind: '{% $states.input.kind %}' }, Next: 'Route' },
    Route: {
      Type: 'Choice',
      Choices: [
        { Condition: "{% $kind = 'fail' %}", Next: 'Try' },
        { Condition: "{% $kind = 'skip' %}", Next: 'Skipped' },
      ],
      Default: 'Done',
    },
    Try: {
      Type: 'Parallel',
      Branches: [{ StartAt: 'Parse', States: { Parse: { Type: 'Pass', Output: "{% $parse('not json') %}", End: true } } }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
      Next: 'Done',
    },
    Skipped: { Type: 'Succeed' },
    Done: { Type: 'Succeed' },
  },
};

async function coveredJsonata(kind: string): Promise<string[]> {
  const run = await runDefinition(jsonataDefinition, { kind });
  return [...coveredItems(jsonataDefinition, run.events as unknown as SdkHistoryEvent[])].filter((id) => !id.startsWith('state:')).sort();
}

test('a JSONata Choice (its rules may read variables the input lacks) is attributed by the state entered next', async () => {
  expect(await coveredJsonata('skip')).toEqual(['choice:Route#1']);
  expect(await coveredJsonata('other')).toEqual(['choice:Route#Default']);
});

test('a ParallelStateFailed without details takes the error of the branch failure it follows, so its Catch is covered', async () => {
  expect(await coveredJsonata('fail')).toEqual(['catch:Try#0', 'choice:Route#0']);
});

test('an inline Map whose iteration fails: MapStateFailed follows MapIterationFailed (no error of its own), so the error inside the iteration covers the Map’s Catch', async () => {
  const definition = {
    QueryLanguage: 'JSONata',
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        Items: [1],
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Parse',
          States: { Parse: { Type: 'Pass', Output: "{% $parse('not json') %}", End: true } },
        },
        Catch: [
          { ErrorEquals: ['States.QueryEvaluationError'], Next: 'Done' },
          { ErrorEquals: ['States.ALL'], Next: 'Done' },
        ],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
  const run = await runDefinition(definition, {});
  expect(run.events.map((e) => e.type)).toContain('MapIterationFailed');
  expect([...coveredItems(definition, run.events as unknown as SdkHistoryEvent[])].filter((id) => id.startsWith('catch:'))).toEqual([
    'catch:Each#0',
  ]);
});
