// Behaviour of the States.* intrinsic functions.
// Docs: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
// Expected values marked "recorded" are what the same call returned in an execution on AWS.
import { evaluateIntrinsic, isIntrinsicCall, parseIntrinsic } from '../../emulator/asl/intrinsics';
import { StatesError } from '../../emulator/errors';

const input = {
  name: 'World',
  items: [1, 2, 2, 3, { a: 1 }, { a: 1 }],
  nested: { arn: 'arn:aws:imagebuilder:us-east-1:1:image-recipe/my-recipe.v1/1.0.0' },
  obj: { Id: 'x', Name: 'y' },
};
const context = { Execution: { Name: 'exec-1' }, StateMachine: { Name: 'sm-name' } };

/** A tiny resolver: dotted paths and [n] indexes against the input ($) or the context ($$). */
function resolve(path: string): unknown {
  const root: unknown = path.startsWith('$$') ? context : input;
  const parts = path.replace(/^\$\$?/, '').match(/[^.[\]]+/g) ?? [];
  return parts.reduce<unknown>((v, p) => (v as Record<string, unknown>)[p], root);
}

const run = (text: string) => evaluateIntrinsic(parseIntrinsic(text), resolve);

function intrinsicFailure(text: string): StatesError {
  try {
    run(text);
  } catch (e) {
    expect(e).toBeInstanceOf(StatesError);
    expect((e as StatesError).error).toBe('States.IntrinsicFailure');
    return e as StatesError;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('intrinsic syntax', () => {
  test('isIntrinsicCall recognises States.Name(...) and nothing else', () => {
    expect(isIntrinsicCall("States.Format('{}', $.a)")).toBe(true);
    expect(isIntrinsicCall('States.UUID()')).toBe(true);
    expect(isIntrinsicCall('$.a')).toBe(false);
    expect(isIntrinsicCall('States.Format')).toBe(false);
  });

  test('an unknown function name is rejected when parsed', () => {
    expect(() => parseIntrinsic('States.Nope(1)')).toThrow(/unknown intrinsic function 'States.Nope'/);
  });

  test('the wrong number of arguments is rejected when parsed', () => {
    expect(() => parseIntrinsic('States.ArrayLength($.a, $.b)')).toThrow(/takes 1 argument/);
    expect(() => parseIntrinsic('States.UUID(1)')).toThrow(/takes 0 argument/);
  });

  test('States.Format placeholders must match the value arguments', () => {
    expect(() => parseIntrinsic("States.Format('{} {}', $.a)")).toThrow(/2 placeholder\(s\) but 1 value/);
  });

  test('unterminated strings and trailing text are syntax errors', () => {
    expect(() => parseIntrinsic("States.Format('abc)")).toThrow(/unterminated string/);
    expect(() => parseIntrinsic('States.UUID() x')).toThrow(/unexpected text/);
  });

  test('more than 10 nested intrinsic functions are rejected', () => {
    let text = '$.items';
    for (let i = 0; i < 11; i++) text = `States.ArrayLength(${text})`;
    expect(() => parseIntrinsic(text)).toThrow(/more than 10 nested/);
  });

  test('literal arguments: strings, numbers, booleans and null', () => {
    expect(run("States.Array('a', 1, -2.5, true, false, null)")).toEqual(['a', 1, -2.5, true, false, null]);
  });

  test('paths with brackets and the context object $$ are resolved', () => {
    expect(run('States.Array($.items[0], $$.Execution.Name)')).toEqual([1, 'exec-1']);
  });
});

describe('States.Format', () => {
  test('replaces each {} in order (recorded)', () => {
    expect(run("States.Format('Hello {}, from {}', $.name, $$.StateMachine.Name)")).toBe('Hello World, from sm-name');
  });

  test("escapes \\' \\{ \\} and \\\\ in the template", () => {
    expect(run("States.Format('it\\'s \\{literal\\} {} \\\\ done', $.name)")).toBe("it's {literal} World \\ done");
  });

  test('null renders as null and numbers as written (recorded)', () => {
    expect(run("States.Format('{} {} {}', null, 1, 1.1)")).toBe('null 1 1.1');
  });

  test('objects render as Java maps {k=v, ...} (recorded with $$.StateMachine)', () => {
    expect(run("States.Format('{}', $.obj)")).toBe('{Id=x, Name=y}');
  });
});

describe('JSON functions', () => {
  test('StringToJson parses a JSON string', () => {
    expect(run('States.StringToJson(\'{"a":[1,2]}\')')).toEqual({ a: [1, 2] });
  });
  test('StringToJson fails with IntrinsicFailure on invalid JSON', () => {
    expect(intrinsicFailure("States.StringToJson('{nope')").message).toMatch(/not valid JSON/);
  });
  test('the States.Format template may be read from a path or the context, not only a literal (as LocalStack, validated on AWS, allows)', () => {
    expect(run('States.Format($$.Execution.Name)')).toBe('exec-1');
    expect(intrinsicFailure('States.Format($.items, 1)').message).toMatch(
      /first argument of States.Format must be a string, but was array/,
    );
    expect(intrinsicFailure('States.Format($.name, 1)').message).toMatch(/0 placeholder\(s\) but 1 value/);
  });
  test('StringToJson of an empty or blank string, or of null, is null (LocalStack test_string_to_json, validated on AWS)', () => {
    expect(run("States.StringToJson('')")).toBeNull();
    expect(run("States.StringToJson('   ')")).toBeNull();
    expect(run('States.StringToJson(null)')).toBeNull();
    expect(run("States.StringToJson('null')")).toBeNull();
  });
  test('JsonToString writes compact JSON (recorded)', () => {
    expect(run('States.JsonToString($.obj)')).toBe('{"Id":"x","Name":"y"}');
    expect(run("States.JsonToString('HelloWorld')")).toBe('"HelloWorld"');
  });
  test('JsonMerge is shallow: the second object wins per top-level key (recorded)', () => {
    expect(run('States.JsonMerge(States.StringToJson(\'{"a":{"x":1},"b":2}\'), States.StringToJson(\'{"a":{"y":2}}\'), false)')).toEqual({
      a: { y: 2 },
      b: 2,
    });
  });
  test('JsonMerge with deep merge true is rejected', () => {
    expect(intrinsicFailure('States.JsonMerge($.obj, $.obj, true)').message).toMatch(/shallow/);
  });
  test('JsonMerge of a non-object fails', () => {
    intrinsicFailure('States.JsonMerge($.items, $.obj, false)');
  });
});

describe('array functions', () => {
  test('Array with no arguments is empty (recorded)', () => {
    expect(run('States.Array()')).toEqual([]);
  });
  test('ArrayPartition chunks, the last chunk may be shorter (recorded)', () => {
    expect(run('States.ArrayPartition(States.Array(0, 1, 2, 3), 3)')).toEqual([[0, 1, 2], [3]]);
    expect(run('States.ArrayPartition(States.Array(), 2)')).toEqual([]);
  });
  test('ArrayPartition with a chunk size of 0 fails', () => {
    intrinsicFailure('States.ArrayPartition($.items, 0)');
  });
  test('ArrayContains compares by value, including objects (recorded)', () => {
    expect(run('States.ArrayContains($.items, States.StringToJson(\'{"a":1}\'))')).toBe(true);
    expect(run('States.ArrayContains($.items, 9)')).toBe(false);
    expect(run('States.ArrayContains(States.Array(), null)')).toBe(false);
  });
  test('ArrayRange includes the end when the step lands on it (recorded)', () => {
    expect(run('States.ArrayRange(0, 9, 3)')).toEqual([0, 3, 6, 9]);
    expect(run('States.ArrayRange(0, 10, 3)')).toEqual([0, 3, 6, 9]);
    expect(run('States.ArrayRange(1, 9, 9)')).toEqual([1]);
    expect(run('States.ArrayRange(5, 1, -2)')).toEqual([5, 3, 1]);
  });
  test('ArrayRange refuses a step of 0 and more than 1000 items', () => {
    intrinsicFailure('States.ArrayRange(0, 10, 0)');
    expect(run('States.ArrayRange(1, 1000, 1)')).toHaveLength(1000);
    expect(intrinsicFailure('States.ArrayRange(0, 1000, 1)').message).toMatch(/1001 items/);
  });
  test('ArrayGetItem returns the item at a zero-based index (recorded)', () => {
    expect(run('States.ArrayGetItem($.items, 3)')).toBe(3);
  });
  test('ArrayGetItem out of bounds fails', () => {
    expect(intrinsicFailure('States.ArrayGetItem($.items, 6)').message).toMatch(/out of bounds/);
  });
  test('ArrayLength counts items', () => {
    expect(run('States.ArrayLength($.items)')).toBe(6);
  });
  test('ArrayUnique keeps the first of equal values', () => {
    expect(run('States.ArrayUnique($.items)')).toEqual([1, 2, 3, { a: 1 }]);
  });
  test('array functions fail on a non-array', () => {
    expect(intrinsicFailure('States.ArrayLength($.name)').message).toMatch(/must be an array, but was string/);
  });
});

describe('encoding and hashing', () => {
  test('Base64Encode and Base64Decode round-trip UTF-8 (recorded)', () => {
    expect(run("States.Base64Encode('Data to encode')")).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')")).toBe('Data to encode');
    expect(run("States.Base64Encode('')")).toBe('');
  });
  test('Base64 input over 10,000 characters fails', () => {
    const long = 'a'.repeat(10_001);
    input.name = long;
    try {
      intrinsicFailure('States.Base64Encode($.name)');
    } finally {
      input.name = 'World';
    }
  });
  test('Hash supports MD5, SHA-1, SHA-256, SHA-384, SHA-512 as hex (recorded)', () => {
    expect(run("States.Hash('input data', 'MD5')")).toBe('812f45842bc6d66ee14572ce20db8e86');
    expect(run("States.Hash('input data', 'SHA-1')")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(run("States.Hash('input data', 'SHA-256')")).toBe('b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3');
    expect(run("States.Hash('input data', 'SHA-384')")).toHaveLength(96);
    expect(run("States.Hash('input data', 'SHA-512')")).toHaveLength(128);
  });
  test('Hash with an unsupported algorithm fails', () => {
    expect(intrinsicFailure("States.Hash('x', 'SHA-3')").message).toMatch(/not supported/);
  });
});

describe('math, strings and UUID', () => {
  test('MathAdd adds, with negative steps', () => {
    expect(run('States.MathAdd(111, -1)')).toBe(110);
  });
  test('MathAdd rounds non-integers to the nearest integer', () => {
    expect(run('States.MathAdd(1.6, 1)')).toBe(3);
  });
  test('MathAdd of a string fails', () => {
    intrinsicFailure("States.MathAdd('1', 1)");
  });
  test('MathRandom stays within [start, end) and a seed makes it repeatable', () => {
    for (let i = 0; i < 50; i++) {
      const n = run('States.MathRandom(1, 4)') as number;
      expect(Number.isInteger(n) && n >= 1 && n < 4).toBe(true);
    }
    expect(run('States.MathRandom(0, 1000, 7)')).toBe(run('States.MathRandom(0, 1000, 7)'));
  });
  test('StringSplit splits on every delimiter character and drops empty parts (recorded)', () => {
    expect(run("States.StringSplit('This.is+a,test=string', '.+,=')")).toEqual(['This', 'is', 'a', 'test', 'string']);
    expect(run("States.StringSplit(', , ,', ',')")).toEqual([' ', ' ']);
    expect(run("States.StringSplit(',,,,', ',')")).toEqual([]);
  });
  test('nested calls: ArrayGetItem of StringSplit (the docs example)', () => {
    expect(
      run(
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.nested.arn, '/'), 1), '.'), 0), 'x')",
      ),
    ).toBe('my-recipe.x');
  });
  test('UUID returns a version 4 UUID', () => {
    expect(run('States.UUID()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
