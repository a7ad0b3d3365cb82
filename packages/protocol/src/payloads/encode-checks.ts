// Checks encoders run on values we are about to send. A bad value here is a programmer mistake,
// so these throw plain RangeErrors (never CodedError): what we send must always parse back.

import { encodeUtf8 } from '../text.js';
import { isUuid } from '../uuid.js';

export const UINT32_MAX = 0xffff_ffff;

export function assertInteger(value: number, min: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

export function assertOneOf(value: string, values: readonly string[], name: string): void {
  if (!values.includes(value))
    throw new RangeError(`${name} ${JSON.stringify(value)} is not allowed`);
}

export function assertUuid(value: string, name: string): void {
  if (!isUuid(value)) throw new RangeError(`${name} must be a UUID, got ${JSON.stringify(value)}`);
}

export function assertNonEmpty(value: string, name: string): void {
  if (value.length === 0) throw new RangeError(`${name} must not be empty`);
}

/**
 * JSON.stringify keeps insertion order, so the object literals in the encoders fix AWS's key
 * order. Refuses to produce more than `maxBytes`, the cap the matching parser enforces.
 */
export function encodeJson(value: object, maxBytes: number, name: string): Uint8Array {
  const bytes = encodeUtf8(JSON.stringify(value));
  if (bytes.length > maxBytes) {
    throw new RangeError(`${name} would be ${bytes.length} bytes; the limit is ${maxBytes}`);
  }
  return bytes;
}

/** JSON text (double-encoded `Content`, text frames), capped like its parser, in UTF-16 units. */
export function encodeJsonText(value: object, maxLength: number, name: string): string {
  const text = JSON.stringify(value);
  if (text.length > maxLength) {
    throw new RangeError(`${name} would be ${text.length} characters; the limit is ${maxLength}`);
  }
  return text;
}
