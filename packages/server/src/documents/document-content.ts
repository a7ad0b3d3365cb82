// Document content as text (what CreateDocument receives and GetDocument returns) ⇄ the JSON
// object the schema checks and the agent runs. JSON and YAML in, JSON or YAML out; the size
// limit is checked before anything is parsed.

import { CodedError, type JsonObject, type JsonValue } from '@openssm/protocol';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export const DOCUMENT_FORMATS = ['JSON', 'YAML', 'TEXT'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** AWS's limit: "The size limit of a document is 64 KB" (counted in UTF-8 bytes). */
export const MAX_DOCUMENT_CONTENT_BYTES = 64 * 1024;

// A document has no use for YAML aliases beyond a handful; a small cap turns a "billion laughs"
// payload into an error before it expands.
const MAX_YAML_ALIASES = 100;
// Deeper nesting than this is never a real document and would only cost recursion.
const MAX_DEPTH = 64;

/**
 * Parses content in `format` into a JSON object, or throws: MaxDocumentSizeExceeded over 64 KB,
 * InvalidDocumentContent for anything that is not a JSON/YAML object of plain JSON values.
 */
export function parseDocumentContent(content: string, format: DocumentFormat): JsonObject {
  const size = Buffer.byteLength(content, 'utf8');
  if (size > MAX_DOCUMENT_CONTENT_BYTES) {
    throw new CodedError(
      'MaxDocumentSizeExceeded',
      `The document content is ${size} bytes; the limit is ${MAX_DOCUMENT_CONTENT_BYTES} (64 KB).`,
    );
  }
  if (format === 'TEXT') {
    throw new CodedError(
      'InvalidDocumentContent',
      'Command and Session documents are JSON or YAML; DocumentFormat TEXT is not supported.',
    );
  }
  const value = format === 'JSON' ? parseJson(content) : parseYamlContent(content);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodedError(
      'InvalidDocumentContent',
      `The document content must be a ${format} object (a mapping of keys to values).`,
    );
  }
  assertPlainJson(value, 'document', 0);
  return value as JsonObject;
}

/** The content as `format`: the stored text when it already is, otherwise converted. */
export function renderDocumentContent(
  content: string,
  storedFormat: DocumentFormat,
  format: DocumentFormat,
): string {
  if (format === storedFormat) return content;
  if (format === 'TEXT') {
    throw new CodedError(
      'InvalidDocumentContent',
      'Command and Session documents cannot be returned as TEXT; ask for JSON or YAML.',
    );
  }
  const json = parseDocumentContent(content, storedFormat);
  return format === 'JSON' ? JSON.stringify(json, null, 2) : stringifyYaml(json);
}

function parseJson(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message.split('\n')[0]}` : '';
    throw new CodedError(
      'InvalidDocumentContent',
      `The document content is not valid JSON${detail}. For YAML content pass DocumentFormat YAML.`,
    );
  }
}

function parseYamlContent(content: string): unknown {
  try {
    // The core schema has no timestamps or binary: what parses is JSON-shaped, apart from
    // .inf/.nan, which assertPlainJson refuses.
    return parseYaml(content, {
      schema: 'core',
      uniqueKeys: true,
      maxAliasCount: MAX_YAML_ALIASES,
      merge: false,
    }) as unknown;
  } catch (error) {
    // The first line names the problem and its line and column; the rest quotes the source.
    const detail = error instanceof Error ? `: ${error.message.split('\n')[0]}` : '';
    throw new CodedError(
      'InvalidDocumentContent',
      `The document content is not valid YAML${detail}`,
    );
  }
}

function assertPlainJson(value: unknown, path: string, depth: number): asserts value is JsonValue {
  if (depth > MAX_DEPTH) {
    throw new CodedError(
      'InvalidDocumentContent',
      `${path} is nested more than ${MAX_DEPTH} deep.`,
    );
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new CodedError('InvalidDocumentContent', `${path} holds a number that is not finite.`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      assertPlainJson(item, `${path}[${index}]`, depth + 1);
    });
    return;
  }
  const prototype: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    for (const [key, item] of Object.entries(value as object)) {
      assertPlainJson(item, `${path}.${key}`, depth + 1);
    }
    return;
  }
  throw new CodedError(
    'InvalidDocumentContent',
    `${path} holds a value JSON cannot represent (binary data or a custom YAML tag).`,
  );
}
