/**
 * EventBridge pattern matching against AWS's documented examples:
 * - EB_PATTERNS = https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
 * - EB_ARRAYS = https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 * - EB_OPERATORS = https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * - EB_CONTENT = https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html
 */
import { EventPattern, EventPatternError, matchesEventPattern } from '../../local/eventbridge/pattern';

const match = (pattern: object, event: object): boolean => matchesEventPattern(JSON.stringify(pattern), event);

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

describe('EB_PATTERNS: fields, nesting, values', () => {
  const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };

  it('matches when every field of the pattern is in the event with the same nesting', () => {
    expect(match(pattern, ec2Event)).toBe(true);
  });
  it('does not match when one field differs, is missing, or is nested differently', () => {
    expect(match(pattern, { ...ec2Event, detail: { state: 'running' } })).toBe(false);
    expect(match(pattern, { ...ec2Event, detail: {} })).toBe(false);
    expect(match({ state: ['terminated'] }, ec2Event)).toBe(false);
  });
  it('values in an array are ORed: aws.ec2 or aws.fargate', () => {
    expect(match({ source: ['aws.ec2', 'aws.fargate'] }, ec2Event)).toBe(true);
    expect(match({ source: ['aws.ec2', 'aws.fargate'] }, { ...ec2Event, source: 'aws.fargate' })).toBe(true);
    expect(match({ source: ['aws.ec2', 'aws.fargate'] }, { ...ec2Event, source: 'aws.s3' })).toBe(false);
  });
  it('exact matching is case-sensitive and typed (a number does not match its string)', () => {
    expect(match({ detail: { state: ['Terminated'] } }, ec2Event)).toBe(false);
    expect(match({ detail: { n: [5] } }, { detail: { n: '5' } })).toBe(false);
    expect(match({ detail: { n: [5] } }, { detail: { n: 5.0 } })).toBe(true);
  });
  it('null and empty string are values of their own (EB_OPERATORS: null, empty)', () => {
    expect(match({ detail: { responseElements: [null] } }, { detail: { responseElements: null } })).toBe(true);
    expect(match({ detail: { responseElements: [null] } }, { detail: {} })).toBe(false);
    expect(match({ detail: { LastName: [''] } }, { detail: { LastName: '' } })).toBe(true);
    expect(match({ detail: { LastName: [''] } }, { detail: { LastName: 'x' } })).toBe(false);
  });
  it('booleans match exactly', () => {
    expect(match({ detail: { ok: [true] } }, { detail: { ok: true } })).toBe(true);
    expect(match({ detail: { ok: [true] } }, { detail: { ok: 'true' } })).toBe(false);
  });
});

describe('EB_ARRAYS: arrays in the event', () => {
  const pattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  it('matches when the intersection of the pattern array and the event array is non-empty', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(match(pattern, event)).toBe(true);
    expect(match(pattern, { resources: [event.resources[0]] })).toBe(false);
  });
  it('an object pattern matches an array of objects when one element matches all of it', () => {
    const event = {
      detail: {
        items: [
          { kind: 'a', n: 1 },
          { kind: 'b', n: 2 },
        ],
      },
    };
    expect(match({ detail: { items: { kind: ['b'], n: [2] } } }, event)).toBe(true);
    expect(match({ detail: { items: { kind: ['a'], n: [2] } } }, event)).toBe(false);
  });
});

describe('EB_OPERATORS / EB_CONTENT: comparison operators', () => {
  it('prefix: "time" starting with 2017-10-02', () => {
    const p = { time: [{ prefix: '2017-10-02' }] };
    expect(match(p, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(match(p, { time: '2017-10-03T18:43:48Z' })).toBe(false);
  });
  it('prefix with equals-ignore-case: service starting with EventB in any case', () => {
    const p = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    for (const s of ['EventBridge', 'EVENTBRIDGE', 'eventbus']) expect(match(p, { detail: { service: s } })).toBe(true);
    expect(match(p, { detail: { service: 'Events' } })).toBe(false);
  });
  it('suffix: FileName ending in .png; with equals-ignore-case .PNG too', () => {
    expect(match({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(match({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
    expect(match({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'image.PNG' } })).toBe(
      true,
    );
  });
  it('anything-but: a string, a number, a list of strings, a list of numbers', () => {
    expect(match({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'running' } })).toBe(true);
    expect(match({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'initializing' } })).toBe(false);
    expect(match({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 124 } })).toBe(true);
    expect(match({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 123 } })).toBe(false);
    const list = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(match(list, { detail: { state: 'stopped' } })).toBe(false);
    expect(match(list, { detail: { state: 'overloaded' } })).toBe(false);
    expect(match(list, { detail: { state: 'running' } })).toBe(true);
    const nums = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(match(nums, { detail: { 'x-limit': 200 } })).toBe(false);
    expect(match(nums, { detail: { 'x-limit': 250 } })).toBe(true);
  });
  it('anything-but does not match a missing field', () => {
    expect(match({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: {} })).toBe(false);
  });
  it('anything-but prefix "init", suffix ".txt"', () => {
    const p = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(match(p, { detail: { state: 'initializing' } })).toBe(false);
    expect(match(p, { detail: { state: 'running' } })).toBe(true);
    const s = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
    expect(match(s, { detail: { FileName: 'notes.txt' } })).toBe(false);
    expect(match(s, { detail: { FileName: 'image.png' } })).toBe(true);
  });
  it('anything-but equals-ignore-case: not Stopped/OverLoaded in any casing', () => {
    const p = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } };
    expect(match(p, { detail: { state: 'STOPPED' } })).toBe(false);
    expect(match(p, { detail: { state: 'overloaded' } })).toBe(false);
    expect(match(p, { detail: { state: 'running' } })).toBe(true);
  });
  it('anything-but wildcard: FilePath not including /lib/', () => {
    const p = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
    expect(match(p, { FilePath: '/usr/lib/x.so' })).toBe(false);
    expect(match(p, { FilePath: '/usr/bin/x' })).toBe(true);
  });
  it('numeric: c-count in (0, 5], d-count < 10, x-limit = 3.018e2 against the documented event', () => {
    const p = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(match(p, { detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 } })).toBe(true);
    expect(match(p, { detail: { 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 } })).toBe(false);
    expect(match(p, { detail: { 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 } })).toBe(false);
    expect(match(p, { detail: { 'c-count': '5', 'd-count': 3, 'x-limit': 301.8 } })).toBe(false);
  });
  it('cidr: source-ip in 10.0.0.0/24', () => {
    const p = { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } };
    expect(match(p, { detail: { 'source-ip': '10.0.0.123' } })).toBe(true);
    expect(match(p, { detail: { 'source-ip': '10.0.1.1' } })).toBe(false);
  });
  it('exists true / false (leaf nodes only)', () => {
    expect(match({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(match({ detail: { state: [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(match({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(match({ detail: { 'c-count': [{ exists: true }] } }, ec2Event)).toBe(false);
    // An intermediate node is not a leaf: exists does not see it.
    expect(match({ detail: [{ exists: true }] }, ec2Event)).toBe(false);
  });
  it('equals-ignore-case: name alice in any case', () => {
    const p = { detail: { name: [{ 'equals-ignore-case': 'alice' }] } };
    expect(match(p, { detail: { name: 'ALICE' } })).toBe(true);
    expect(match(p, { detail: { name: 'alicia' } })).toBe(false);
  });
  it('wildcard: an event bus ARN in any account; escaped stars are literal', () => {
    const p = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(match(p, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' })).toBe(true);
    expect(match(p, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' })).toBe(false);
    expect(match({ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' })).toBe(true);
    expect(match({ k: [{ wildcard: 'a\\*b' }] }, { k: 'axxb' })).toBe(false);
  });
  it('$or: c-count in (0,5] or d-count < 10 or x-limit = 301.8', () => {
    const p = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(match(p, { detail: { 'c-count': 9, 'd-count': 3 } })).toBe(true);
    expect(match(p, { detail: { 'x-limit': 301.8 } })).toBe(true);
    expect(match(p, { detail: { 'c-count': 9, 'd-count': 30, 'x-limit': 1 } })).toBe(false);
  });
  it('$or at the top level combined with other fields (AND of the fields and the $or)', () => {
    const p = { source: ['aws.ec2'], $or: [{ 'detail-type': ['A'] }, { detail: { state: ['terminated'] } }] };
    expect(match(p, ec2Event)).toBe(true);
    expect(match(p, { ...ec2Event, source: 'aws.s3' })).toBe(false);
    expect(match(p, { ...ec2Event, detail: { state: 'running' } })).toBe(false);
  });
  it('matches the local S3 Object Created event the tenant rules select', () => {
    const p = {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['tpl'] }, object: { key: [{ prefix: 'tenant-template/' }] } },
    };
    expect(
      match(p, {
        source: 'aws.s3',
        'detail-type': 'Object Created',
        detail: { bucket: { name: 'tpl' }, object: { key: 'tenant-template/t.json' } },
      }),
    ).toBe(true);
    expect(
      match(p, { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'tpl' }, object: { key: 'other/t.json' } } }),
    ).toBe(false);
  });
});

describe('pattern validation (InvalidEventPatternException)', () => {
  const invalid: [string, string, RegExp][] = [
    ['not JSON', '{"source": [', /not valid JSON/],
    ['not an object', '["aws.ec2"]', /Filter is not an object/],
    ['a bare value instead of an array', '{"source": "aws.ec2"}', /Match value must be an array.*"source"/],
    ['an empty array', '{"source": []}', /Empty arrays are not allowed.*"source"/],
    ['an empty object', '{"detail": {}}', /Empty objects are not allowed.*"detail"/],
    ['an unknown operator', '{"source": [{"prefixx": "aws."}]}', /Unrecognized match type prefixx.*"source"/],
    ['prefix of a number', '{"source": [{"prefix": 5}]}', /Value of prefix must be a string/],
    ['a bad numeric operator', '{"detail": {"n": [{"numeric": ["!=", 1]}]}}', /Unrecognized numeric range operator.*"detail.n"/],
    ['a numeric range upside down', '{"detail": {"n": [{"numeric": [">", 5, "<", 1]}]}}', /lower bound must be below/],
    ['exists not a boolean', '{"detail": {"n": [{"exists": "yes"}]}}', /exists match pattern must be either true or false/],
    ['anything-but mixed list', '{"detail": {"n": [{"anything-but": ["a", 1]}]}}', /only strings or only numbers/],
    ['$or with one alternative', '{"$or": [{"source": ["a"]}]}', /"\$or" must be an array of at least two/],
    ['consecutive wildcards', '{"k": [{"wildcard": "a**b"}]}', /Consecutive wildcard/],
    ['a nested array as value', '{"k": [["a"]]}', /Match value must be String, number, true, false, or null/],
    ['two operators in one expression', '{"k": [{"prefix": "a", "suffix": "b"}]}', /exactly one operator/],
  ];
  it.each(invalid)('rejects %s', (_name, text, message) => {
    expect(() => EventPattern.parse(text)).toThrow(EventPatternError);
    expect(() => EventPattern.parse(text)).toThrow(message);
    expect(() => EventPattern.parse(text)).toThrow(/^Event pattern is not valid\. Reason: /);
  });
});
