/**
 * The cache of dynalite's expression parses (local/dynamodb-expression-cache.ts): the same answers as
 * dynalite's own parsers, call after call, and DynamoDB's rules on expression attribute names and
 * values still enforced (an unused one is rejected:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html).
 */
import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startDynamo, type LocalDynamo } from '../../local/dynamodb';
import { ExpressionParseCache, installExpressionCache } from '../../local/dynamodb-expression-cache';

type Kind = 'condition' | 'update' | 'projection';
type Parse = (text: string, options: { context: Record<string, unknown> }) => unknown;

/** dynalite's parsers as loaded fresh (a module registry of their own: never wrapped). */
function rawParsers(): Record<Kind, Parse> {
  let parsers!: Record<Kind, Parse>;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    parsers = {
      condition: (require('dynalite/db/conditionParser') as { parse: Parse }).parse,
      update: (require('dynalite/db/updateParser') as { parse: Parse }).parse,
      projection: (require('dynalite/db/projectionParser') as { parse: Parse }).parse,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return parsers;
}

/** What validations/index.js hands a parser: the request's names and values, the unused sets, and its helpers. */
function contextOf(names?: Record<string, string>, values?: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return {
    attrNames: names,
    attrVals: values,
    unusedAttrNames: Object.fromEntries(Object.keys(names ?? {}).map((k) => [k, true])),
    unusedAttrVals: Object.fromEntries(Object.keys(values ?? {}).map((k) => [k, true])),
    isReserved: (name: string) => ['SIZE', 'STATUS', 'NAME', 'DATA'].includes(name.toUpperCase()),
    compare: (op: string, x: { N?: string }, y: { N?: string }) => op === 'GT' && Number(x.N) > Number(y.N),
  };
}

/** The outcome of one parse: the tree (or the thrown error's name and message) and what it left unused. */
function outcome(parse: Parse, text: string, context: Record<string, unknown>): unknown {
  let result: unknown;
  try {
    result = parse(text, { context });
  } catch (e) {
    result = { thrown: (e as Error).name, message: (e as Error).message };
  }
  return { result, unusedNames: context.unusedAttrNames, unusedValues: context.unusedAttrVals };
}

describe('the expression parse cache answers as dynalite parses', () => {
  const raw = rawParsers();
  const N = (n: number) => ({ N: String(n) });
  const S = (s: string) => ({ S: s });
  const cases: [Kind, string, Record<string, string> | undefined, Record<string, Record<string, unknown>> | undefined][] = [
    ['update', 'SET updatedAt = :now', undefined, { ':now': S('t1') }],
    ['update', 'SET #s = :s, counter = counter + :one REMOVE leaseUntil', { '#s': 'status' }, { ':s': S('ACTIVE'), ':one': N(1) }],
    ['update', 'SET #a = :v', { '#a': 'x', '#unused': 'y' }, { ':v': S('v'), ':extra': N(2) }],
    ['update', 'SET items = list_append(items, :l)', undefined, { ':l': { L: [S('a')] } }],
    ['update', 'SET n = n + :s', undefined, { ':s': S('not a number') }], // wrong operand type: an error string
    ['update', 'SET a = :missing', undefined, { ':v': N(1) }], // undefined value
    ['update', 'ADD counter :n DELETE tags :t', undefined, { ':n': N(1), ':t': { SS: ['x'] } }],
    ['update', 'SET status = :v', undefined, { ':v': N(1) }], // reserved word
    ['update', 'SET a = :v,', undefined, { ':v': N(1) }], // syntax error (thrown)
    ['condition', 'attribute_exists(tenantId)', undefined, undefined],
    [
      'condition',
      'attribute_not_exists(#k) OR (releaseSeq < :seq AND #s = :active)',
      { '#k': 'pk', '#s': 'state' },
      { ':seq': N(3), ':active': S('ACTIVE') },
    ],
    ['condition', 'begins_with(#k, :p)', { '#k': 'pk' }, { ':p': N(1) }], // operand type error
    ['condition', 'size(tags) > :n', undefined, { ':n': N(2) }],
    ['condition', '((a = :v))', undefined, { ':v': N(1) }], // redundant parentheses
    ['condition', '#a = #b', { '#a': 'same', '#b': 'same' }, undefined], // the operands resolve to one path
    ['condition', 'n BETWEEN :lo AND :hi', undefined, { ':lo': N(5), ':hi': N(1) }], // reads the values: not cached
    ['condition', 'attribute_type(a, :t)', undefined, { ':t': S('S') }],
    ['condition', 'a = :v AND', undefined, { ':v': N(1) }], // syntax error
    ['projection', '#a, b.c[1], d', { '#a': 'x' }, undefined],
    ['projection', 'a, #missing', { '#a': 'x' }, undefined],
  ];

  it.each(cases)('%s: %s (once to fill the cache, then again with other values of the same types)', (kind, text, names, values) => {
    const cache = new ExpressionParseCache();
    const cached = cache.wrap(kind, raw[kind] as never) as unknown as Parse;
    const other = values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, 'N' in v ? N(Number(v.N) + 7) : v]));
    for (const vals of [values, values, other]) {
      expect(outcome(cached, text, contextOf(names, vals))).toEqual(outcome(raw[kind], text, contextOf(names, vals)));
    }
  });

  it('a cached tree holds the request’s own value objects, and changing one copy leaves the next call’s intact', () => {
    const cache = new ExpressionParseCache();
    const cached = cache.wrap('update', raw.update as never) as unknown as Parse;
    const first = { ':v': S('first') };
    const tree1 = cached('SET a = :v, b = :v', { context: contextOf(undefined, first) }) as {
      sections: { path: (string | number)[]; val: unknown }[];
      paths: unknown[];
    };
    expect(tree1.sections[0].val).toBe(first[':v']);
    // The parser's shared nodes stay shared in the copy (`paths` holds the sections' own path arrays).
    expect(tree1.paths[0]).toBe(tree1.sections[0].path);
    tree1.sections[0].path.push('corrupted');
    tree1.sections.pop();
    const second = { ':v': S('second') };
    const tree2 = cached('SET a = :v, b = :v', { context: contextOf(undefined, second) }) as typeof tree1;
    expect(tree2).toEqual(raw.update('SET a = :v, b = :v', { context: contextOf(undefined, second) }));
    expect(tree2.sections[1].val).toBe(second[':v']);
    expect(cache.hits).toBe(1);
    expect(cache.misses).toBe(1);
  });

  it('is bounded: the least recently used text goes first', () => {
    const cache = new ExpressionParseCache(2);
    const cached = cache.wrap('projection', raw.projection as never) as unknown as Parse;
    for (const text of ['a', 'b', 'a', 'c', 'a', 'b']) cached(text, { context: contextOf() });
    // a, b (misses), a (hit), c (miss, evicts b), a (hit), b (miss again)
    expect({ hits: cache.hits, misses: cache.misses, size: cache.size }).toEqual({ hits: 2, misses: 4, size: 2 });
  });
});

describe('dynalite with the cache installed (startDynamo)', () => {
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  const TableName = 'expression-cache';
  beforeAll(async () => {
    dynamo = await startDynamo();
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5)); // CREATING -> ACTIVE on a 0 ms timer
    for (let sk = 1; sk <= 5; sk++)
      await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'p' }, sk: { N: String(sk) }, n: { N: '0' } } }));
  });
  afterAll(async () => {
    client.destroy();
    await dynamo.close();
  });

  const update = (sk: number, values: Record<string, AttributeValue>, names?: Record<string, string>) =>
    client.send(
      new UpdateItemCommand({
        TableName,
        Key: { pk: { S: 'p' }, sk: { N: String(sk) } },
        UpdateExpression: 'SET n = n + :inc, #w = :who',
        ConditionExpression: 'n < :limit',
        ExpressionAttributeNames: names ?? { '#w': 'who' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );

  it('the same expressions with other values give each call its own result', async () => {
    const cache = installExpressionCache();
    const hitsBefore = cache.hits;
    const a = await update(1, { ':inc': { N: '2' }, ':who': { S: 'a' }, ':limit': { N: '10' } });
    const b = await update(1, { ':inc': { N: '5' }, ':who': { S: 'b' }, ':limit': { N: '10' } });
    expect(a.Attributes).toMatchObject({ n: { N: '2' }, who: { S: 'a' } });
    expect(b.Attributes).toMatchObject({ n: { N: '7' }, who: { S: 'b' } });
    // A condition that now fails (7 < 3 is false), although the cached one passed.
    await expect(update(1, { ':inc': { N: '1' }, ':who': { S: 'c' }, ':limit': { N: '3' } })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    const item = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'p' }, sk: { N: '1' } }, ConsistentRead: true }));
    expect(item.Item).toMatchObject({ n: { N: '7' }, who: { S: 'b' } });
    expect(cache.hits).toBeGreaterThan(hitsBefore); // the parses came from the cache
  });

  it('unused ExpressionAttributeNames and ExpressionAttributeValues are still rejected, after the same text was cached', async () => {
    await update(2, { ':inc': { N: '1' }, ':who': { S: 'a' }, ':limit': { N: '10' } });
    await expect(update(2, { ':inc': { N: '1' }, ':who': { S: 'a' }, ':limit': { N: '10' }, ':spare': { N: '0' } })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:spare}',
    });
    await expect(
      update(2, { ':inc': { N: '1' }, ':who': { S: 'a' }, ':limit': { N: '10' } }, { '#w': 'who', '#x': 'x' }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}',
    });
    // A value of another type than the cached parse saw: the type rule of `+` applies.
    await expect(update(2, { ':inc': { S: 'one' }, ':who': { S: 'a' }, ':limit': { N: '10' } })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S',
    });
  });

  it('a name used only by one expression of a request counts as used, whatever an earlier request used it for', async () => {
    // First: #w in both expressions. Then the same condition text alone must still mark #w used.
    const names = { '#w': 'who' };
    await client.send(
      new UpdateItemCommand({
        TableName,
        Key: { pk: { S: 'p' }, sk: { N: '3' } },
        UpdateExpression: 'SET #w = :who',
        ConditionExpression: 'attribute_not_exists(#w) OR #w <> :who',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':who': { S: 'x' } },
      }),
    );
    const { Items } = await client.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
        FilterExpression: 'attribute_not_exists(#w) OR #w <> :who',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':p': { S: 'p' }, ':lo': { N: '2' }, ':hi': { N: '4' }, ':who': { S: 'x' } },
      }),
    );
    expect(Items?.map((i) => i.sk.N)).toEqual(['2', '4']);
  });
});
