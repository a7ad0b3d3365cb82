// The `{{ name }}` substitution AWS's agent applies to a Command document before running it
// (ssm-wire §8.2), as a pure function of the declared parameters and the values sent.
// May move to protocol if the server needs the same rules.

import type { JsonObject, JsonValue } from '@openssm/protocol';

/** Names the agent substitutes; values sent under any other name are dropped. */
const PARAMETER_NAME = /^[a-zA-Z0-9]+$/;

/** Go's RE2 `\s` (the agent's regexps): space, \t, \n, \f, \r — not \v, not Unicode spaces. */
const SPACES = '[\\t\\n\\f\\r ]*';

/** `{{ name }}` anywhere in a string; a name that is not a parameter is left as written. */
const INLINE_REFERENCE = new RegExp(`\\{\\{${SPACES}([a-zA-Z0-9]+)${SPACES}\\}\\}`, 'g');

/** A string that is exactly one reference: replaced by the value itself, with its type. */
const WHOLE_REFERENCE = new RegExp(`^\\{\\{${SPACES}([a-zA-Z0-9]+)${SPACES}\\}\\}$`);

export type ParameterValues = ReadonlyMap<string, JsonValue>;

/**
 * The values a document runs with: those sent with valid names, then the `default` of every
 * declared parameter that was not sent (null when it declares none, as the agent's nil).
 */
export function resolveParameterValues(
  declared: JsonObject | undefined,
  sent: Readonly<Record<string, JsonValue>>,
): Map<string, JsonValue> {
  const values = new Map<string, JsonValue>();
  for (const [name, value] of Object.entries(sent)) {
    if (PARAMETER_NAME.test(name)) values.set(name, value);
  }
  for (const [name, definition] of Object.entries(declared ?? {})) {
    if (values.has(name)) continue;
    const hasDefault =
      typeof definition === 'object' &&
      definition !== null &&
      !Array.isArray(definition) &&
      Object.hasOwn(definition, 'default');
    values.set(name, hasDefault ? (definition as JsonObject)['default']! : null);
  }
  return values;
}

/**
 * Replaces parameter references in every string of `value`, walking arrays and object values
 * (never keys), in one pass: a replaced value is not searched again.
 */
export function interpolateParameters(value: JsonValue, parameters: ParameterValues): JsonValue {
  if (typeof value === 'string') return interpolateString(value, parameters);
  if (Array.isArray(value)) {
    return (value as readonly JsonValue[]).map((item) => interpolateParameters(item, parameters));
  }
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines own properties, so a key named __proto__ stays a plain key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateParameters(item, parameters)]),
    );
  }
  return value;
}

function interpolateString(text: string, parameters: ParameterValues): JsonValue {
  const whole = WHOLE_REFERENCE.exec(text);
  if (whole !== null && parameters.has(whole[1]!)) return parameters.get(whole[1]!)!;
  return text.replace(INLINE_REFERENCE, (reference, name: string) =>
    parameters.has(name) ? parameterText(parameters.get(name)!) : reference,
  );
}

/**
 * A value as it appears inside a larger string: strings as they are, anything else as the
 * agent's Go encoding/json writes it. `$$` becomes `$`: the agent keeps that for documents
 * written around an old bug of its own.
 */
export function parameterText(value: JsonValue): string {
  const text = typeof value === 'string' ? value : encodeGoJson(value);
  return text.replaceAll('$$', '$');
}

/**
 * JSON as Go's encoding/json writes it: object keys sorted, and `<`, `>`, `&`, U+2028 and
 * U+2029 escaped (its HTML-safe default), so a list parameter reads `["a","b"]` in a script.
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
