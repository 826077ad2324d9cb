/**
 * dynalite closes the store iterators its Scan and Query answers read (local/dynamodb-closed-iterators.ts):
 * an answer cut short by Limit, one read to the end, and a Query on an index. A closed abstract-level
 * iterator refuses `next()` with LEVEL_ITERATOR_NOT_OPEN (https://github.com/Level/abstract-level#iteratorclose).
 */
import { MemoryLevel } from 'memory-level';
import { CreateTableCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { withLocalDynamo } from './with-local-dynamo';

type Opened = { next(): Promise<unknown> };

test('every store iterator a Scan or Query opens is closed once dynalite has answered', async () => {
  const opened: Opened[] = [];
  // abstract-level's AbstractLevel, which memory-level (dynalite's store) extends.
  const proto = Object.getPrototypeOf(MemoryLevel.prototype) as unknown as Record<
    'keys' | 'values' | 'iterator',
    (...a: unknown[]) => Opened
  >;
  const originals = { keys: proto.keys, values: proto.values, iterator: proto.iterator };
  for (const name of ['keys', 'values', 'iterator'] as const) {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const it = originals[name].apply(this, args);
      opened.push(it);
      return it;
    };
  }
  try {
    await withLocalDynamo(async (client) => {
      await client.send(
        new CreateTableCommand({
          TableName: 'records',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [
            { AttributeName: 'id', AttributeType: 'S' },
            { AttributeName: 'tier', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [
            { IndexName: 'byTier', KeySchema: [{ AttributeName: 'tier', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      for (let i = 0; i < 12; i++)
        await client.send(
          new PutItemCommand({ TableName: 'records', Item: { id: { S: `t${i}` }, tier: { S: i % 2 ? 'basic' : 'premium' } } }),
        );
      opened.length = 0;

      const page = await client.send(new ScanCommand({ TableName: 'records', Limit: 5 }));
      const all = await client.send(new ScanCommand({ TableName: 'records' }));
      const tier = await client.send(
        new QueryCommand({
          TableName: 'records',
          IndexName: 'byTier',
          KeyConditionExpression: 'tier = :t',
          ExpressionAttributeValues: { ':t': { S: 'basic' } },
          Limit: 2,
        }),
      );
      expect([page.Count, page.LastEvaluatedKey !== undefined, all.Count, tier.Count]).toEqual([5, true, 12, 2]);

      expect(opened.length).toBeGreaterThanOrEqual(3);
      const refusals = await Promise.all(
        opened.map((it) =>
          it.next().then(
            () => 'still open',
            (e: { code?: string }) => e.code,
          ),
        ),
      );
      expect(new Set(refusals)).toEqual(new Set(['LEVEL_ITERATOR_NOT_OPEN']));
    });
  } finally {
    Object.assign(proto, originals);
  }
});
