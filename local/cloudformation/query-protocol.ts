/**
 * The AWS Query wire protocol as CloudFormation speaks it: a form-encoded POST
 * (`Action=CreateStack&Version=2010-05-15&Parameters.member.1.ParameterKey=...`), answered with XML
 * (`<CreateStackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><CreateStackResult>...`)
 * or an `<ErrorResponse>`. `@aws-sdk/client-cloudformation` uses this protocol (AwsQueryProtocol).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/Welcome.html
 */
import { CloudFormationError } from './errors';

export const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
export const API_VERSION = '2010-05-15';

/** A decoded request: lists (`X.member.N`) become arrays, dotted names nested objects, leaves strings. */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };
export type QueryParams = { [key: string]: QueryValue };

export function decodeQueryBody(body: string): QueryParams {
  const root: QueryParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const path = name.split('.');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped template / wire JSON
    let node: any = root;
    for (let i = 0; i < path.length; i++) {
      const last = i === path.length - 1;
      let key: string | number = path[i];
      if (key === 'member' && i + 1 < path.length && /^\d+$/.test(path[i + 1])) {
        // `Parent.member.N` — the parent becomes an array (1-based indices).
        continue;
      }
      if (/^\d+$/.test(key) && path[i - 1] === 'member') key = Number(key) - 1;
      if (last) {
        node[key] = value;
      } else {
        const nextIsList = path[i + 1] === 'member';
        if (node[key] === undefined || typeof node[key] === 'string') node[key] = nextIsList ? [] : {};
        node = node[key];
      }
    }
  }
  return root;
}

/** Reads a list member; an empty list is sent as `Name=` (an empty string). */
export function listOf(value: QueryValue | undefined): QueryValue[] {
  if (value === undefined || value === '') return [];
  if (Array.isArray(value)) return value.filter((v) => v !== undefined);
  return [value];
}

export function stringOf(value: QueryValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function booleanOf(value: QueryValue | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return value === 'true';
}

export function integerOf(value: QueryValue | undefined): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** Values a result may hold: arrays are serialized as `<member>` lists, Dates as ISO 8601. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [key: string]: XmlValue };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function element(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element('member', v)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function resultXml(action: string, result: Record<string, XmlValue> | undefined, requestId: string): string {
  const body = result === undefined ? '' : element(`${action}Result`, result);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${CLOUDFORMATION_XMLNS}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function errorXml(error: CloudFormationError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${CLOUDFORMATION_XMLNS}"><Error>` +
    `<Type>${error.faultType}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
