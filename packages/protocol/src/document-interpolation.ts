// `{{ name }}` parameter interpolation in SSM documents (ssm-wire §8.2). It lives in protocol,
// platform-free, because both ends need the one implementation: the agent substitutes before it
// runs a command or session (as AWS's agent does), and the server checks which names a document
// references and can preview what a node will run. Pure; never throws on document data.

import type { JsonObject, JsonValue } from './json-shape.js';

/** The parameter names AWS's agent substitutes; a placeholder naming anything else stays as is. */
export const DOCUMENT_PARAMETER_NAME = /^[a-zA-Z0-9]+$/;

// A placeholder is `{{`, optional whitespace, a run of characters that are neither braces nor
// whitespace, optional whitespace, `}}`. Names outside DOCUMENT_PARAMETER_NAME (such as
// `ssm:/path` Parameter Store references) match the shape but are never replaced. Whitespace is
// Go RE2's `\s`, as in AWS's agent: space, \t, \n, \f, \r — not \v, not Unicode spaces.
const SPACE = '[\\t\\n\\f\\r ]';
const NAME = '([^{}\\t\\n\\f\\r ]+)';
const PLACEHOLDER = new RegExp(`\\{\\{${SPACE}*${NAME}${SPACE}*\\}\\}`, 'g');
const WHOLE_PLACEHOLDER = new RegExp(`^\\{\\{${SPACE}*${NAME}${SPACE}*\\}\\}$`);

export type DocumentParameterValues =
  ReadonlyMap<string, JsonValue> | Readonly<Record<string, JsonValue>>;

export function isDocumentParameterName(name: string): boolean {
  return DOCUMENT_PARAMETER_NAME.test(name);
}

/**
 * The parameters a node substitutes: the document's `parameters.<name>.default` values,
 * overridden by the given values. Names AWS's agent would ignore (not alphanumeric) are dropped.
 */
export function withParameterDefaults(
  document: JsonObject,
  given: DocumentParameterValues,
): Map<string, JsonValue> {
  const resolved = new Map<string, JsonValue>();
  const declared = document['parameters'];
  if (isObject(declared)) {
    for (const [name, definition] of Object.entries(declared)) {
      const fallback = isObject(definition) ? definition['default'] : undefined;
      if (fallback !== undefined) resolved.set(name, fallback);
    }
  }
  for (const [name, value] of entriesOf(given)) resolved.set(name, value);
  for (const name of [...resolved.keys()]) {
    if (!isDocumentParameterName(name)) resolved.delete(name);
  }
  return resolved;
}

/**
 * AWS's substitution, one pass over every string in `value` (nested objects and arrays too):
 *
 * - a string that is exactly one placeholder (whitespace allowed only inside the braces)
 *   becomes the parameter's value with its JSON type: a StringList stays a list, an Integer a
 *   number, a StringMap an object;
 * - otherwise every placeholder inside the string becomes the value as text: a string as it
 *   is, anything else as Go's JSON (a list `["a","b"]`, object keys sorted); `$$` in that text becomes `$` (AWS keeps
 *   this for users of an old workaround);
 * - a placeholder naming no given parameter, or a name that is not alphanumeric, stays as is;
 * - inserted text is never scanned again, so a value holding `{{ other }}` stays literal, and
 *   nothing is quoted or escaped for a shell: documents quote parameters themselves.
 *
 * Object keys are never substituted. Returns a new value; `value` is not modified.
 */
export function interpolateParameters(
  value: JsonValue,
  parameters: DocumentParameterValues,
): JsonValue {
  const values = parameters instanceof Map ? parameters : new Map(entriesOf(parameters));
  return substitute(value, values);
}

/**
 * Every valid parameter name a placeholder in `value` refers to (keys are not searched), in
 * order of first appearance. The server uses it to refuse documents that use undeclared names.
 */
export function findParameterReferences(value: JsonValue): string[] {
  const found = new Set<string>();
  const walk = (item: JsonValue): void => {
    if (typeof item === 'string') {
      for (const match of item.matchAll(PLACEHOLDER)) {
        const name = match[1]!;
        if (isDocumentParameterName(name)) found.add(name);
      }
    } else if (Array.isArray(item)) {
      (item as readonly JsonValue[]).forEach(walk);
    } else if (isObject(item)) {
      Object.values(item).forEach(walk);
    }
  };
  walk(value);
  return [...found];
}

function substitute(value: JsonValue, parameters: ReadonlyMap<string, JsonValue>): JsonValue {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole !== null) {
      const name = whole[1]!;
      if (isDocumentParameterName(name) && parameters.has(name)) return parameters.get(name)!;
    }
    return value.replace(PLACEHOLDER, (placeholder, name: string) => {
      if (!isDocumentParameterName(name) || !parameters.has(name)) return placeholder;
      const replacement = parameters.get(name)!;
      const text = typeof replacement === 'string' ? replacement : encodeGoJson(replacement);
      return text.replaceAll('$$', '$');
    });
  }
  if (Array.isArray(value)) {
    return (value as readonly JsonValue[]).map((item) => substitute(item, parameters));
  }
  if (isObject(value)) {
    // fromEntries defines own properties: a key named __proto__ stays a plain key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, parameters)]),
    );
  }
  return value;
}

/**
 * JSON as Go's encoding/json writes it (AWS's agent inserts non-string values this way): object
 * keys sorted, and `<`, `>`, `&`, U+2028 and U+2029 escaped (its HTML-safe default), so a list
 * parameter reads `["a","b"]` in a script.
 */
export function encodeGoJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? goString(value) : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly JsonValue[]).map(encodeGoJson).join(',')}]`;
  }
  const entries = Object.entries(value as JsonObject).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([key, item]) => `${goString(key)}:${encodeGoJson(item)}`).join(',')}}`;
}

function goString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function entriesOf(values: DocumentParameterValues): [string, JsonValue][] {
  return values instanceof Map
    ? [...(values as ReadonlyMap<string, JsonValue>).entries()]
    : Object.entries(values as Readonly<Record<string, JsonValue>>);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
