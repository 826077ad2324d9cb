import { Engine } from '../emulator/runtime/engine';
import { counterLoopWorkload, passChoiceMapWorkload } from './interpreter-vs-peer';
(async () => {
  const which = process.argv[2];
  const w = which === 'map' ? passChoiceMapWorkload(1000) : counterLoopWorkload(10000);
  const engine = new Engine();
  const { stateMachineArn } = engine.createStateMachine({ name: 'b', definition: w.definition });
  const t = performance.now();
  for (let r = 0; r < 15; r++) for (const input of w.inputs) {
    const { executionArn } = engine.startExecution({ stateMachineArn, input: JSON.stringify(input) });
    await engine.waitForExecution(executionArn);
  }
  console.log(which, ((w.statesPerRepetition * 15) / (performance.now() - t) * 1000).toFixed(0), 'states/s');
})();
