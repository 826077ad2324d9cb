/**
 * Just enough XML for S3's REST protocol: build response documents, and read the few small request
 * documents S3 takes (versioning, notification, tagging, bucket configuration). Request documents are
 * flat and small, so a tag scanner suffices; anything it cannot read is MalformedXML.
 */

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

type XmlValue = string | number | boolean | XmlNode | undefined;
/** An element: children in order; arrays repeat the element name. */
export interface XmlNode {
  readonly [name: string]: XmlValue | readonly XmlValue[];
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `<?xml ...?><Root xmlns="...">children</Root>` */
export function xmlDocument(root: string, children: XmlNode, xmlns = S3_XMLNS): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${xmlns ? ` xmlns="${xmlns}"` : ''}>${renderChildren(children)}</${root}>`;
}

function renderChildren(node: XmlNode): string {
  let out = '';
  for (const [name, value] of Object.entries(node)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values as XmlValue[]) {
      if (v === undefined) continue;
      out += typeof v === 'object' ? `<${name}>${renderChildren(v)}</${name}>` : `<${name}>${escapeXml(String(v))}</${name}>`;
    }
  }
  return out;
}

export class MalformedXmlError extends Error {}

/** The content of every `<name>…</name>` element (entities decoded unless `raw`, for elements holding elements). */
export function elementTexts(xml: string, name: string, raw = false): string[] {
  const out: string[] = [];
  const re = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(raw ? m[1] : unescapeXml(m[1]));
  return out;
}

/** Whether an element named `name` is present (`<name/>` or `<name>…</name>`). */
export function hasElement(xml: string, name: string): boolean {
  return new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?/?>`).test(xml);
}

/** Checks the document has the expected root element; throws MalformedXmlError otherwise. */
export function expectRoot(xml: string, root: string): void {
  const body = xml.replace(/^\s*<\?xml[^>]*\?>/, '').trim();
  if (!new RegExp(`^<(?:[\\w-]+:)?${root}(?:\\s[^>]*)?/?>`).test(body)) throw new MalformedXmlError(`expected a <${root}> document`);
  if (!body.endsWith('/>') && !new RegExp(`</(?:[\\w-]+:)?${root}>$`).test(body)) throw new MalformedXmlError(`<${root}> is not closed`);
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}
