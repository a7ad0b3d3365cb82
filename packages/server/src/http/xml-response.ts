// Writes AWS query-protocol responses: `<ActionResponse xmlns=…><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>`, and the
// `<ErrorResponse>` AWS clients parse. Values are plain JS: objects become elements in key
// order, arrays become `<member>` lists, Dates ISO 8601, undefined is left out.

export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | undefined
  | readonly XmlValue[]
  | { readonly [key: string]: XmlValue };

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  return `<${name}>${content(value)}</${name}>`;
}

function content(value: XmlValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item: XmlValue) => element('member', item)).join('');
  return Object.entries(value)
    .map(([key, child]) => element(key, child))
    .join('');
}

export function xmlResponse(
  action: string,
  namespace: string,
  result: XmlValue,
  requestId: string,
): string {
  const body = result === undefined ? '' : element(`${action}Result`, result);
  return (
    `<${action}Response xmlns="${namespace}">${body}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${action}Response>`
  );
}

export function xmlError(
  namespace: string,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
