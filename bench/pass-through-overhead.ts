/**
 * The pass-through's own cost per Task: one-Task executions (dynamodb:getItem) against dynalite on
 * loopback, compared with the same Task answered by an in-process handler and with the bare SDK call
 * (GetItemCommand straight to dynalite). Pass-through minus bare SDK is what the engine adds per
 * service call (resolution, parameter shaping, response metadata, the time line's hold).
 */
import http from 'http';
import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Engine } from '../emulator/runtime/engine';
import { median } from './measure';

export interface PassThroughOverhead {
  tasks: number;
  /** Median over repetitions, microseconds per Task (or per bare call). */
  handlerUs: number;
  passThroughUs: number;
  bareSdkUs: number;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const DEFINITION = {
  StartAt: 'Get',
  States: {
    Get: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: 'bench', Key: { pk: { S: 'k' } } },
      End: true,
    },
  },
};

export async function measurePassThroughOverhead(tasks = 300, reps = 3): Promise<PassThroughOverhead> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand by path
  const server = (require('dynalite') as (o: object) => http.Server)({ createTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: 'bench',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: 'k' }, v: { S: 'value' } } }));
    const passThrough = new Engine({ passThrough: { endpoints: { dynamodb: endpoint }, credentials: CREDENTIALS } });
    const handled = new Engine();
    handled.registerHandler('arn:aws:states:::dynamodb:getItem', () => ({ Item: { pk: { S: 'k' }, v: { S: 'value' } } }));
    const runEngine = async (engine: Engine, name: string): Promise<number> => {
      const { stateMachineArn } = engine.createStateMachine({ name, definition: DEFINITION });
      const start = performance.now();
      for (let i = 0; i < tasks; i++) {
        const { executionArn } = engine.startExecution({ stateMachineArn });
        const d = await engine.waitForExecution(executionArn);
        if (d.status !== 'SUCCEEDED') throw new Error(`${name}: ${d.error} ${d.cause}`);
      }
      return ((performance.now() - start) * 1000) / tasks;
    };
    const runBare = async (): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < tasks; i++) await client.send(new GetItemCommand({ TableName: 'bench', Key: { pk: { S: 'k' } } }));
      return ((performance.now() - start) * 1000) / tasks;
    };
    await runEngine(passThrough, 'warm-pt');
    await runEngine(handled, 'warm-h');
    await runBare();
    const h: number[] = [];
    const p: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < reps; r++) {
      h.push(await runEngine(handled, `h${r}`));
      p.push(await runEngine(passThrough, `p${r}`));
      b.push(await runBare());
    }
    return { tasks, handlerUs: median(h), passThroughUs: median(p), bareSdkUs: median(b) };
  } finally {
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

if (require.main === module) {
  void measurePassThroughOverhead().then((r) => console.log(r));
}
