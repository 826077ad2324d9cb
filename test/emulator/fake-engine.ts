/** A minimal in-memory EngineApi for testing the HTTP layer without the interpreter. */
import type { EngineApi, ExecutionInfo, HistoryEventInfo, StateMachineInfo } from '../../emulator/api/operations';

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeEngine implements EngineApi {
  machines = new Map<string, StateMachineInfo>();
  executions = new Map<string, ExecutionInfo & { history: HistoryEventInfo[] }>();
  tokens: string[] = [];
  private clock = Date.UTC(2026, 0, 1);

  private now(): Date {
    return new Date((this.clock += 1500));
  }

  createStateMachine(p: { name: string; definition: string; roleArn: string; type: 'STANDARD' | 'EXPRESS' }) {
    const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:${p.name}`;
    if (this.machines.has(arn)) throw new CodedError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    const creationDate = this.now();
    this.machines.set(arn, {
      stateMachineArn: arn,
      name: p.name,
      definition: p.definition,
      roleArn: p.roleArn,
      type: p.type,
      creationDate,
    });
    return { stateMachineArn: arn, creationDate };
  }
  updateStateMachine(arn: string, changes: { definition?: string; roleArn?: string }) {
    const sm = this.describeStateMachine(arn);
    Object.assign(sm, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    return { updateDate: this.now() };
  }
  deleteStateMachine(arn: string) {
    this.machines.delete(arn);
  }
  describeStateMachine(arn: string): StateMachineInfo {
    const sm = this.machines.get(arn);
    if (!sm) throw new CodedError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return sm;
  }
  listStateMachines() {
    return [...this.machines.values()];
  }
  startExecution(p: { stateMachineArn: string; name?: string; input?: string }) {
    const [smArn, testCase] = p.stateMachineArn.split('#');
    const sm = this.describeStateMachine(smArn);
    const name = p.name ?? `exec-${this.executions.size + 1}`;
    const arn = `arn:aws:states:us-east-1:123456789012:execution:${sm.name}:${name}`;
    if (this.executions.has(arn)) throw new CodedError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    const startDate = this.now();
    const input = p.input ?? '{}';
    const status = name.startsWith('running') ? 'RUNNING' : name.startsWith('fail') ? 'FAILED' : 'SUCCEEDED';
    const history: HistoryEventInfo[] = [
      {
        id: 1,
        previousEventId: 0,
        timestamp: startDate,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { input, inputDetails: { truncated: false }, roleArn: sm.roleArn },
      },
      {
        id: 2,
        previousEventId: 1,
        timestamp: startDate,
        type: 'PassStateEntered',
        stateEnteredEventDetails: { name: 'P', input, inputDetails: { truncated: false } },
      },
      {
        id: 3,
        previousEventId: 2,
        timestamp: startDate,
        type: 'PassStateExited',
        stateExitedEventDetails: { name: 'P', output: input, outputDetails: { truncated: false } },
      },
      {
        id: 4,
        previousEventId: 3,
        timestamp: startDate,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: input, outputDetails: { truncated: false } },
      },
    ];
    this.executions.set(arn, {
      executionArn: arn,
      stateMachineArn: smArn,
      name,
      status,
      startDate,
      stopDate: status === 'RUNNING' ? undefined : startDate,
      input,
      output: status === 'SUCCEEDED' ? JSON.parse(input) : undefined,
      error: status === 'FAILED' ? 'Boom' : undefined,
      cause: status === 'FAILED' ? `test case ${testCase}` : undefined,
      history,
    });
    return { executionArn: arn, startDate };
  }
  startSyncExecution(p: { stateMachineArn: string; name?: string; input?: string }) {
    return this.describeExecution(this.startExecution(p).executionArn);
  }
  stopExecution(arn: string, error?: string, cause?: string) {
    const e = this.describeExecution(arn) as ExecutionInfo;
    const stopDate = this.now();
    Object.assign(e, { status: 'ABORTED', stopDate, error, cause });
    return { stopDate };
  }
  describeExecution(arn: string) {
    const e = this.executions.get(arn);
    if (!e) throw new CodedError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }
  listExecutions(smArn: string) {
    this.describeStateMachine(smArn);
    return [...this.executions.values()].filter((e) => e.stateMachineArn === smArn);
  }
  getExecutionHistory(arn: string) {
    return this.describeExecution(arn).history;
  }
  sendTaskSuccess(token: string) {
    if (!this.tokens.includes(token)) throw new CodedError('TaskDoesNotExist', `Task Does Not Exist: '${token}'`);
  }
  sendTaskFailure(token: string) {
    this.sendTaskSuccess(token);
  }
  sendTaskHeartbeat(token: string) {
    this.sendTaskSuccess(token);
  }
}
