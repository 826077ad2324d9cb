// The history keeps long state texts as their difference to an earlier one (history.ts compactText);
// what GetExecutionHistory answers must be the texts as recorded, character for character.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html
import { HistoryRecorder } from '../../emulator/runtime/history';

function record(texts: readonly string[]): string[] {
  const history = new HistoryRecorder({ now: () => 0 });
  const cursor = { prev: 0 };
  texts.forEach((text, i) => history.addStateEvent(cursor, i % 2 ? 'TaskStateExited' : 'TaskStateEntered', i % 2 === 0, `S${i}`, text));
  return history.events.map((e) => {
    const d = (e.stateEnteredEventDetails ?? e.stateExitedEventDetails) as { input?: string; output?: string };
    return d.input ?? d.output ?? '';
  });
}

const state = (status: string, extra = '') =>
  JSON.stringify({ tenant: { tenantId: 't000001', tier: 'standard', padding: 'x'.repeat(800) }, status, extra, tail: 'y'.repeat(300) });

describe('state texts in the history', () => {
  test('texts that differ from the previous one in the middle, at the start, at the end, or everywhere come back unchanged', () => {
    const texts = [
      state('PENDING'),
      state('RUNNING'), // the middle changes
      state('RUNNING'), // the same text again
      'Z' + state('RUNNING').slice(1), // the first character
      state('RUNNING').slice(0, -1) + 'Z', // the last character
      state('RUNNING', 'a much longer value than before '.repeat(10)), // a longer middle
      JSON.stringify({ other: 'q'.repeat(2000) }), // nothing in common: stored whole, the next base
      JSON.stringify({ other: 'q'.repeat(1999) + 'r' }),
      'short', // below the size worth comparing
    ];
    expect(record(texts)).toEqual(texts);
  });

  test('a difference that starts or ends inside a surrogate pair keeps both halves', () => {
    const a = JSON.stringify({ name: '😀'.repeat(300), n: 1 });
    const b = JSON.stringify({ name: '😀'.repeat(150) + '😁' + '😀'.repeat(149), n: 1 });
    const c = JSON.stringify({ name: '😁'.repeat(300), n: 1 });
    expect(record([a, b, c, a])).toEqual([a, b, c, a]);
  });
});
