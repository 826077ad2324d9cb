import { Engine } from '../emulator/runtime/engine';
const loop = {
  StartAt: 'Increment',
  States: {
    Increment: { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.count, 1)', 'limit.$': '$.limit' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.count', NumericLessThanPath: '$.limit', Next: 'Increment' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
async function main() {
  const e = new Engine();
  const { stateMachineArn } = e.createStateMachine({ name: 'loop', definition: loop });
  for (let r = 0; r < 10; r++) {
    const t = performance.now();
    const { executionArn } = e.startExecution({ stateMachineArn, input: JSON.stringify({ count: 0, limit: 5000 }) });
    await e.waitForExecution(executionArn);
    console.log((performance.now() - t).toFixed(1));
  }
}
main();
