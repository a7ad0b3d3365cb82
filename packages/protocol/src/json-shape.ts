// A tiny validator for turning untrusted JSON into typed objects: every failure is one
// CodedError('PayloadInvalid') whose message names the payload and the field path. No dependencies.
//
// Policy shared by every payload parser built on it (payloads/*.ts):
// - Size first: input longer than the parser's cap is rejected before it is decoded or parsed.
// - Text must be strict UTF-8 without a byte-order mark (Go's encoding/json rejects a BOM too).
// - Keys are matched with AWS's exact casing. Go's decoder would also accept other casings, but
//   every AWS writer uses the exact one, so a differently cased key is treated as unknown.
// - Unknown extra keys are ignored, for forward compatibility with newer AWS peers.
// - A required field must be present; `null` is accepted only where a field is declared nullable.
// - Duplicate keys: the last one wins (JSON.parse and Go's encoding/json agree).
// - Integers arrive as JSON numbers: 1.0 and 1e2 read as 1 and 100 (JSON.parse cannot tell them
//   apart); fractions, non-finite and out-of-range values are rejected.
// - Messages never echo string values (a payload may carry a token), only types and numbers.

import { CodedError } from './errors.js';
import { decodeUtf8Strict } from './text.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** The PayloadInvalid error every parser throws; `what` names the payload or field. */
export function payloadInvalid(what: string, detail: string): CodedError {
  return new CodedError('PayloadInvalid', `${what} ${detail}`);
}

/** "string", "number", "array", "null", ... for error messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** UTF-8 bytes → JSON value, after checking the length cap. */
export function parseJsonBytes(bytes: Uint8Array, what: string, maxBytes: number): JsonValue {
  if (bytes.length > maxBytes) {
    throw payloadInvalid(what, `is ${bytes.length} bytes; the limit is ${maxBytes}`);
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw payloadInvalid(what, 'starts with a UTF-8 byte-order mark');
  }
  const text = decodeUtf8Strict(bytes);
  if (text === undefined) throw payloadInvalid(what, 'is not valid UTF-8');
  return parseJson(text, what);
}

/** JSON text → JSON value, after checking the length cap (in UTF-16 code units). */
export function parseJsonText(text: string, what: string, maxLength: number): JsonValue {
  if (text.length > maxLength) {
    throw payloadInvalid(what, `is ${text.length} characters; the limit is ${maxLength}`);
  }
  return parseJson(text, what);
}

function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // JSON.parse's own message quotes the input, which may hold a token: keep it out.
    throw payloadInvalid(what, 'is not valid JSON');
  }
}

/**
 * Reads typed fields from one JSON object; `what` is its path for messages, e.g.
 * `HandshakeRequest.RequestedClientActions[0]`.
 */
export class JsonObjectReader {
  private constructor(
    /** The object itself (JSON.parse made every key, even `__proto__`, an own data property). */
    readonly json: JsonObject,
    readonly what: string,
  ) {}

  /** Requires `value` to be a JSON object (not an array, not null). */
  static from(value: unknown, what: string): JsonObjectReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw payloadInvalid(what, `must be a JSON object, got ${describeJsonType(value)}`);
    }
    return new JsonObjectReader(value as JsonObject, what);
  }

  /** The path of `key`, for messages. */
  pathOf(key: string): string {
    return `${this.what}.${key}`;
  }

  /** A PayloadInvalid error about `key`. */
  fail(key: string, detail: string): CodedError {
    return payloadInvalid(this.pathOf(key), detail);
  }

  /** True when `key` is an own property (inherited names such as `constructor` never count). */
  has(key: string): boolean {
    return Object.hasOwn(this.json, key);
  }

  /** Any JSON value, required. */
  value(key: string): JsonValue {
    const value = this.has(key) ? this.json[key] : undefined;
    if (value === undefined) throw this.fail(key, 'is missing');
    return value;
  }

  string(key: string): string {
    const value = this.value(key);
    if (typeof value !== 'string') throw this.wrongType(key, 'a string', value);
    return value;
  }

  nonEmptyString(key: string): string {
    const value = this.string(key);
    if (value.length === 0) throw this.fail(key, 'must not be empty');
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** Required, but may be null. */
  nullableString(key: string): string | null {
    const value = this.value(key);
    if (value === null) return null;
    if (typeof value !== 'string') throw this.wrongType(key, 'a string or null', value);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.value(key);
    if (typeof value !== 'boolean') throw this.wrongType(key, 'a boolean', value);
    return value;
  }

  optionalBoolean(key: string): boolean | undefined {
    return this.has(key) ? this.boolean(key) : undefined;
  }

  /** An integer in [min, max]; both bounds must be safe integers. */
  integer(key: string, min: number, max: number): number {
    const value = this.value(key);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const got = typeof value === 'number' ? String(value) : describeJsonType(value);
      throw this.fail(key, `must be an integer from ${min} to ${max}, got ${got}`);
    }
    // -0 (from "-0") becomes 0, so what we parse re-encodes and compares like the sender meant.
    return value === 0 ? 0 : value;
  }

  /** A string that is one of `values`. */
  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const value = this.string(key);
    if (!(values as readonly string[]).includes(value)) {
      throw this.fail(key, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    return value as T;
  }

  /** A string equal to `expected`. */
  literal<T extends string>(key: string, expected: T): T {
    return this.oneOf(key, [expected]);
  }

  /** A nested object, as a reader. */
  object(key: string): JsonObjectReader {
    return JsonObjectReader.from(this.value(key), this.pathOf(key));
  }

  /** A nested object, as its raw JSON. */
  jsonObject(key: string): JsonObject {
    return this.object(key).json;
  }

  array(key: string): readonly JsonValue[] {
    const value = this.value(key);
    if (!Array.isArray(value)) throw this.wrongType(key, 'an array', value);
    return value as readonly JsonValue[];
  }

  /** An array of objects, each as a reader named `key[i]`. */
  objectArray(key: string): JsonObjectReader[] {
    return this.array(key).map((item, i) =>
      JsonObjectReader.from(item, `${this.pathOf(key)}[${i}]`),
    );
  }

  /** Required; null or an array of strings. */
  nullableStringArray(key: string): readonly string[] | null {
    const value = this.value(key);
    if (value === null) return null;
    return this.stringArray(key);
  }

  stringArray(key: string): readonly string[] {
    const items = this.array(key);
    items.forEach((item, i) => {
      if (typeof item !== 'string') throw this.wrongType(`${key}[${i}]`, 'a string', item);
    });
    return items as readonly string[];
  }

  /** Every own key with its value, in JSON order (for maps such as Parameters). */
  entries(): [string, JsonValue][] {
    return Object.entries(this.json);
  }

  private wrongType(key: string, expected: string, value: unknown): CodedError {
    return this.fail(key, `must be ${expected}, got ${describeJsonType(value)}`);
  }
}
