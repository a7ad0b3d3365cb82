// The JSON validator under every payload parser: caps before parsing, strict UTF-8, own keys only,
// exact types and ranges, and PayloadInvalid messages that name the field but never echo strings.

import {
  CodedError,
  JsonObjectReader,
  describeJsonType,
  parseJsonBytes,
  parseJsonText,
  payloadInvalid,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import { invalid, utf8 } from './payloads-helpers.js';

const reader = (json: string): JsonObjectReader =>
  JsonObjectReader.from(parseJsonText(json, 'Thing', 1024), 'Thing');

describe('parseJsonBytes / parseJsonText', () => {
  it('parses JSON within the cap', () => {
    expect(parseJsonBytes(utf8('{"a":[1,"x",null]}'), 'Thing', 18)).toEqual({ a: [1, 'x', null] });
    expect(parseJsonText('{"a":1}', 'Thing', 7)).toEqual({ a: 1 });
  });

  it('rejects input over the cap before parsing it', () => {
    invalid(() => parseJsonBytes(utf8('{"a":1} '), 'Thing', 7), /Thing is 8 bytes; the limit is 7/);
    invalid(() => parseJsonText('{"a":1} ', 'Thing', 7), /8 characters; the limit is 7/);
  });

  it('rejects malformed UTF-8, a BOM and invalid JSON', () => {
    invalid(() => parseJsonBytes(Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), 'T', 99), /UTF-8/);
    invalid(
      () => parseJsonBytes(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d), 'T', 99),
      /byte-order/,
    );
    invalid(() => parseJsonText('\ufeff{}', 'T', 99), /not valid JSON/);
    invalid(() => parseJsonText('{"a":1,}', 'T', 99), /not valid JSON/);
    invalid(() => parseJsonText('', 'T', 99), /not valid JSON/);
  });

  it('does not quote the input when JSON is invalid (it may hold a token)', () => {
    const message = invalid(() => parseJsonText('{"TokenValue":"s3cret"', 'Open', 99));
    expect(message).not.toContain('s3cret');
  });

  it('survives deeply nested input', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    try {
      parseJsonText(deep, 'T', 1_000_000);
    } catch (error) {
      expect((error as CodedError).code).toBe('PayloadInvalid');
    }
  });
});

describe('JsonObjectReader', () => {
  it('requires an object', () => {
    for (const [json, type] of [
      ['null', 'null'],
      ['[]', 'array'],
      ['"x"', 'string'],
      ['1', 'number'],
      ['false', 'boolean'],
    ] as const) {
      invalid(() => reader(json), `Thing must be a JSON object, got ${type}`);
    }
  });

  it('reads typed fields and names the path in errors', () => {
    const r = reader(
      '{"s":"x","e":"","b":true,"n":7,"z":-0,"o":{"i":{"k":1}},"a":[{"k":1},{"k":"no"}],"sa":["a","b"],"nul":null}',
    );
    expect(r.string('s')).toBe('x');
    expect(r.optionalString('s')).toBe('x');
    expect(r.optionalString('missing')).toBeUndefined();
    expect(r.nonEmptyString('s')).toBe('x');
    invalid(() => r.nonEmptyString('e'), 'Thing.e must not be empty');
    expect(r.boolean('b')).toBe(true);
    expect(r.optionalBoolean('missing')).toBeUndefined();
    expect(r.integer('n', 0, 7)).toBe(7);
    expect(Object.is(r.integer('z', 0, 1), 0)).toBe(true);
    invalid(() => r.integer('n', 0, 6), 'Thing.n must be an integer from 0 to 6, got 7');
    invalid(() => r.integer('n', 8, 9), 'got 7');
    invalid(() => r.integer('s', 0, 9), 'got string');
    expect(r.object('o').object('i').integer('k', 0, 1)).toBe(1);
    invalid(
      () => r.object('o').object('i').string('k'),
      'Thing.o.i.k must be a string, got number',
    );
    expect(r.jsonObject('o')).toEqual({ i: { k: 1 } });
    invalid(() => r.objectArray('a')[1]!.integer('k', 0, 1), 'Thing.a[1].k');
    invalid(() => r.objectArray('sa'), 'Thing.sa[0] must be a JSON object, got string');
    expect(r.stringArray('sa')).toEqual(['a', 'b']);
    invalid(() => r.stringArray('a'), 'Thing.a[0] must be a string, got object');
    expect(r.nullableStringArray('nul')).toBeNull();
    expect(r.nullableStringArray('sa')).toEqual(['a', 'b']);
    invalid(() => r.nullableStringArray('s'), 'must be an array, got string');
    expect(r.nullableString('nul')).toBeNull();
    expect(r.nullableString('s')).toBe('x');
    invalid(() => r.nullableString('n'), 'must be a string or null, got number');
    expect(r.value('nul')).toBeNull();
    invalid(() => r.value('missing'), 'Thing.missing is missing');
    expect(r.oneOf('s', ['x', 'y'])).toBe('x');
    invalid(() => r.oneOf('s', ['y', 'z']), 'Thing.s must be one of "y", "z"');
    expect(r.literal('s', 'x')).toBe('x');
    expect(r.entries().map(([key]) => key)).toContain('sa');
    expect(r.pathOf('k')).toBe('Thing.k');
  });

  it('never echoes a string value in an error', () => {
    invalid(() => reader('{"s":"s3cret"}').oneOf('s', ['a']), /^(?!.*s3cret)/);
  });

  it('counts own keys only: inherited names are missing, __proto__ is an ordinary key', () => {
    const r = reader('{"__proto__":{"polluted":true}}');
    invalid(() => r.value('constructor'), 'constructor is missing');
    invalid(() => r.string('toString'), 'toString is missing');
    expect(r.has('__proto__')).toBe(true);
    expect(r.jsonObject('__proto__')).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('takes the last of duplicate keys, like Go', () => {
    expect(reader('{"k":1,"k":2}').integer('k', 0, 9)).toBe(2);
  });

  it('reads 1.0 and 1e2 as integers, rejects fractions and non-finite values', () => {
    expect(reader('{"a":1.0,"b":1e2}').integer('a', 0, 9)).toBe(1);
    expect(reader('{"a":1.0,"b":1e2}').integer('b', 0, 999)).toBe(100);
    invalid(() => reader('{"a":0.5}').integer('a', 0, 9), 'got 0.5');
    invalid(() => reader('{"a":1e400}').integer('a', 0, Number.MAX_SAFE_INTEGER), 'got Infinity');
  });
});

describe('payloadInvalid / describeJsonType', () => {
  it('builds the coded error', () => {
    const error = payloadInvalid('Flag', 'is odd');
    expect(error).toBeInstanceOf(CodedError);
    expect(error.code).toBe('PayloadInvalid');
    expect(error.message).toBe('Flag is odd');
    expect(error.spec.wsCloseCode).toBe(1007);
  });

  it('names JSON types', () => {
    expect([null, [], {}, 'x', 1, true, undefined].map(describeJsonType)).toEqual([
      'null',
      'array',
      'object',
      'string',
      'number',
      'boolean',
      'undefined',
    ]);
  });
});
