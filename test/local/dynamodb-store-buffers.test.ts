/**
 * dynalite's store keeps items in buffers of their own (local/dynamodb-store-buffers.ts), not in
 * slices of Node's shared 8 KiB pool: same bytes back, and a put of a pool slice stores a copy.
 */
import { MemoryLevel } from 'memory-level';
import { installOwnedStoreBuffers, ownBuffer } from '../../local/dynamodb-store-buffers';
import { withLocalDynamo } from './with-local-dynamo';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

test('a pool slice is copied into a buffer of its own size; other values are left as they are', () => {
  const slice = Buffer.from('tenant-0001'); // small Buffer.from: a slice of the shared pool
  expect(slice.buffer.byteLength).toBeGreaterThan(slice.length);
  const owned = ownBuffer(slice);
  expect(owned).not.toBe(slice);
  expect([owned.buffer.byteLength, owned.toString()]).toEqual([slice.length, 'tenant-0001']);
  const whole = Buffer.allocUnsafeSlow(4);
  expect(ownBuffer(whole)).toBe(whole);
  expect(ownBuffer('text')).toBe('text');
});

test('memory-level stores put and batch values as buffers of their own, and gives the same bytes back', async () => {
  installOwnedStoreBuffers();
  installOwnedStoreBuffers(); // idempotent
  const db = new MemoryLevel<Buffer, Buffer>({ keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.put(Buffer.from('k1'), Buffer.from('v1'));
  await db.batch([
    { type: 'put', key: Buffer.from('k2'), value: Buffer.from('v2') },
    { type: 'put', key: Buffer.from('k3'), value: Buffer.from('v3') },
    { type: 'del', key: Buffer.from('k1') },
  ]);
  const entries = await db.iterator().all();
  expect(entries.map(([k, v]) => [k.toString(), v.toString()])).toEqual([
    ['k2', 'v2'],
    ['k3', 'v3'],
  ]);
  for (const [k, v] of entries) expect([k.buffer.byteLength, v.buffer.byteLength]).toEqual([k.length, v.length]);
  await db.close();
});

test('dynalite answers as before with the owned store buffers (put, then get the same item)', async () => {
  await withLocalDynamo(async (client) => {
    await client.send(
      new CreateTableCommand({
        TableName: 'buffers',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new PutItemCommand({ TableName: 'buffers', Item: { id: { S: 'a' }, n: { N: '42' }, b: { B: Buffer.from([1, 2, 3]) } } }),
    );
    const { Item } = await client.send(new GetItemCommand({ TableName: 'buffers', Key: { id: { S: 'a' } }, ConsistentRead: true }));
    expect(Item).toEqual({ id: { S: 'a' }, n: { N: '42' }, b: { B: new Uint8Array([1, 2, 3]) } });
  });
});
