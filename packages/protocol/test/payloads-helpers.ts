// Shared helpers for the payload tests: asserting PayloadInvalid, and a table-driven check that
// every required field of a payload is enforced (missing, or of each wrong type).

import { CodedError } from '@openssm/protocol';
import { expect } from 'vitest';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Keeps a BOM as U+FEFF, so text parsers see exactly what the bytes hold. */
export const text = (bytes: Uint8Array): string =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

/** Runs `fn`, requires CodedError PayloadInvalid, and returns its message. */
export function invalid(fn: () => unknown, messagePart?: string | RegExp): string {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a PayloadInvalid error').toBeInstanceOf(CodedError);
  const error = thrown as CodedError;
  expect(error.code).toBe('PayloadInvalid');
  if (messagePart !== undefined) expect(error.message).toMatch(messagePart);
  return error.message;
}

/** Wrong values for a field by what it should be. */
export const WRONG = {
  string: [1, null, true, {}, []] as Json[],
  boolean: ['true', 1, null, {}, []] as Json[],
  integer: ['1', null, true, 1.5, -1, {}, [], 1e300] as Json[],
  object: ['{}', 1, null, true, []] as Json[],
  array: ['[]', 1, null, true, {}] as Json[],
};

export interface FieldRule {
  readonly key: string;
  /** Values that must be rejected at this key. */
  readonly wrong: readonly Json[];
  /** Optional fields may be absent. */
  readonly optional?: boolean;
}

/**
 * For a valid JSON object and the rules of its fields: dropping any required field, or setting
 * any field to one of its wrong values, must make `parse` throw PayloadInvalid naming the key.
 */
export function expectFieldsEnforced(
  parse: (json: string) => unknown,
  validObject: unknown,
  rules: readonly FieldRule[],
): void {
  const valid = validObject as { [key: string]: Json };
  expect(() => parse(JSON.stringify(valid))).not.toThrow();
  for (const rule of rules) {
    const without = omit(valid, rule.key);
    if (rule.optional) expect(() => parse(JSON.stringify(without))).not.toThrow();
    else invalid(() => parse(JSON.stringify(without)), rule.key);
    for (const wrong of rule.wrong) {
      invalid(() => parse(JSON.stringify({ ...valid, [rule.key]: wrong })), rule.key);
    }
  }
}

/** A copy of `object` without `key`. */
export function omit<T extends object, K extends keyof T>(object: T, key: K): Omit<T, K> {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** JSON.parse typed as unknown (the tests build inputs from it). */
export const parseJson = (json: string): unknown => JSON.parse(json);

/** Inputs every JSON payload parser must reject, whatever its shape. */
export const NOT_A_JSON_OBJECT: readonly (readonly [string, Uint8Array])[] = [
  ['empty', new Uint8Array()],
  ['invalid UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d)],
  ['overlong UTF-8', Uint8Array.of(0x22, 0xc0, 0xaf, 0x22)],
  ['UTF-8 BOM', Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d)],
  ['truncated JSON', utf8('{"a":')],
  ['trailing garbage', utf8('{} x')],
  ['single quotes', utf8("{'a':1}")],
  ['null', utf8('null')],
  ['number', utf8('42')],
  ['string', utf8('"{}"')],
  ['array', utf8('[{}]')],
  ['true', utf8('true')],
];
