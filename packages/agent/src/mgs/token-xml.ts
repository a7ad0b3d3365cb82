// The body of a 201 from CreateControlChannel / CreateDataChannel (ssm-wire §6.2): XML with a
// <TokenValue> under any root element, as AWS's agent decodes it with Go's encoding/xml.

import { AgentError } from '../agent-error.js';

/** A token is an opaque string of a few hundred characters; a bound keeps hostile bodies out. */
const MAX_TOKEN_LENGTH = 8192;

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/**
 * The text of the root element's `<TokenValue>` child (entities and CDATA decoded, whitespace
 * trimmed). Throws ResponseInvalid when the body is not such a document, the element is
 * missing or empty, or it appears twice.
 */
export function parseTokenValue(xml: string, what = 'the channel token response'): string {
  const invalid = (detail: string) => new AgentError('ResponseInvalid', `${what}: ${detail}`);
  const body = xml
    .replace(/^\uFEFF/, '')
    .replace(/^\s*<\?xml[^?]*\?>/, '')
    .trim();
  const root = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)(\s[^>]*)?>([\s\S]*)<\/\1\s*>$/.exec(
    body,
  );
  if (root === null) throw invalid('not an XML document with one root element');
  const inner = root[3]!;
  const pattern =
    /<(?:[A-Za-z_][\w.-]*:)?TokenValue(?:\s[^>]*)?>([\s\S]*?)<\/(?:[A-Za-z_][\w.-]*:)?TokenValue\s*>/g;
  const matches = [...inner.matchAll(pattern)];
  if (matches.length === 0) throw invalid('no TokenValue element');
  if (matches.length > 1) throw invalid('more than one TokenValue element');
  const token = decodeText(matches[0]![1]!, invalid).trim();
  if (token === '') throw invalid('TokenValue is empty');
  if (token.length > MAX_TOKEN_LENGTH) throw invalid('TokenValue is too long');
  return token;
}

function decodeText(text: string, invalid: (detail: string) => AgentError): string {
  let out = '';
  let rest = text;
  for (;;) {
    const start = rest.indexOf('<![CDATA[');
    const plain = start < 0 ? rest : rest.slice(0, start);
    if (plain.includes('<')) throw invalid('TokenValue holds markup');
    out += plain.replace(/&(#x[0-9A-Fa-f]+|#\d+|[a-z]+);/g, (_, entity: string) => {
      if (entity.startsWith('#x')) return codePoint(Number.parseInt(entity.slice(2), 16), invalid);
      if (entity.startsWith('#')) return codePoint(Number.parseInt(entity.slice(1), 10), invalid);
      const value = ENTITIES[entity];
      if (value === undefined) throw invalid(`unknown entity &${entity};`);
      return value;
    });
    if (start < 0) return out;
    const end = rest.indexOf(']]>', start);
    if (end < 0) throw invalid('unterminated CDATA section');
    out += rest.slice(start + 9, end);
    rest = rest.slice(end + 3);
  }
}

function codePoint(value: number, invalid: (detail: string) => AgentError): string {
  if (!(value > 0 && value <= 0x10ffff) || (value >= 0xd800 && value <= 0xdfff)) {
    throw invalid('invalid character reference');
  }
  return String.fromCodePoint(value);
}
