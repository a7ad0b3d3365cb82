// The engine's small parts on their own: wildcard matching, strict JSON, IP addresses, dates,
// policy variable templates and the request context.

import { describe, expect, it } from 'vitest';
import { createRequestContext } from '../../src/policy/engine/context.js';
import { parseIamDate } from '../../src/policy/engine/date-time.js';
import {
  networkContains,
  parseIpAddress,
  parseIpNetwork,
} from '../../src/policy/engine/ip-address.js';
import { parsePolicyJson, PolicyJsonError } from '../../src/policy/engine/policy-json.js';
import {
  parseTemplate,
  resolveTemplate,
  TemplateError,
} from '../../src/policy/engine/policy-variables.js';
import { matchPattern, wildcardAtoms } from '../../src/policy/engine/wildcard.js';
import { POLICY_VECTORS } from './policy-vectors.js';

describe('matchPattern', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything at all', true],
    ['?', '', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['a*ab', 'aab', true],
    ['*a*a*a*', 'aaa', true],
    ['*a*a*a*', 'aa', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['**', 'x', true],
    ['x', 'X', false],
    ['🔑?', '🔑🔒', true],
  ])('%s against "%s" is %s', (pattern, input, expected) => {
    expect(matchPattern(wildcardAtoms(pattern), input)).toBe(expected);
  });

  it('ignores case when asked', () => {
    expect(matchPattern(wildcardAtoms('ssm:describe*'), 'SSM:DescribeSessions', true)).toBe(true);
    expect(matchPattern(wildcardAtoms('ssm:describe*'), 'SSM:DescribeSessions')).toBe(false);
  });

  it('stays fast on a pathological pattern', () => {
    const pattern = wildcardAtoms(`${'a*'.repeat(50)}b`);
    expect(matchPattern(pattern, 'a'.repeat(2000))).toBe(false);
  });
});

describe('parsePolicyJson', () => {
  it('reads every vector policy exactly as JSON.parse does', () => {
    const documents = POLICY_VECTORS.flatMap((vector) => [
      ...Object.values(vector.policies),
      ...Object.values(vector.resourcePolicies ?? {}).map(({ document }) => document),
    ]);
    for (const document of documents) {
      const text = typeof document === 'string' ? document : JSON.stringify(document, null, 2);
      expect(parsePolicyJson(text)).toEqual(JSON.parse(text));
    }
  });

  it.each([
    '0',
    '-1.5e+3',
    '"\\u00e9\\n\\t\\"\\\\\\/"',
    '[true, false, null]',
    '{"a": {"b": []}}',
    ' \r\n\t{} ',
  ])('reads %s as JSON.parse does', (text) => {
    expect(parsePolicyJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    '',
    '01',
    '+1',
    '1.',
    '.5',
    'tru',
    'nul',
    '[1,]',
    '{"a" 1}',
    '"\\u12g4"',
    '{"a":1,"a":2}',
  ])('refuses %j', (text) => {
    expect(() => parsePolicyJson(text)).toThrow(PolicyJsonError);
  });

  it('keeps __proto__ as a plain key', () => {
    const value = parsePolicyJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('IP addresses', () => {
  it.each([
    ['192.0.2.1', 4, 0xc0000201n],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['1::', 6, 1n << 112n],
    ['2001:db8::8:800:200c:417a', 6, 0x2001_0db8_0000_0000_0008_0800_200c_417an],
    ['1:2:3:4:5:6:7:8', 6, 0x0001_0002_0003_0004_0005_0006_0007_0008n],
    ['::ffff:192.0.2.1', 4, 0xc0000201n],
    ['::ffff:c000:201', 4, 0xc0000201n],
    ['64:ff9b::192.0.2.1', 6, 0x0064_ff9b_0000_0000_0000_0000_c000_0201n],
  ])('%s', (text, family, value) => {
    expect(parseIpAddress(text)).toEqual({ family, value });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '256.0.0.0',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    'fe80::1%eth0',
    '12345::',
  ])('refuses %j', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it('clears host bits and compares by prefix', () => {
    const network = parseIpNetwork('10.1.2.3/8')!;
    expect(network).toEqual({ family: 4, base: 0x0a000000n, prefix: 8 });
    expect(networkContains(network, parseIpAddress('10.255.255.255')!)).toBe(true);
    expect(networkContains(network, parseIpAddress('11.0.0.0')!)).toBe(false);
    expect(networkContains(parseIpNetwork('::/0')!, parseIpAddress('2001:db8::1')!)).toBe(true);
    expect(networkContains(parseIpNetwork('::/0')!, parseIpAddress('192.0.2.1')!)).toBe(false);
  });

  it.each(['10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/0008'])(
    'refuses the network %j',
    (text) => {
      expect(parseIpNetwork(text)).toBeUndefined();
    },
  );
});

describe('parseIamDate', () => {
  const NOON = Date.UTC(2026, 10, 26, 12, 0, 0);

  it.each([
    ['2026-11-26T12:00:00Z', NOON],
    ['2026-11-26T12:00:00.000Z', NOON],
    ['2026-11-26T12:00:00.123456789Z', NOON + 123],
    ['2026-11-26T13:00:00+01:00', NOON],
    ['2026-11-26T07:00:00-0500', NOON],
    ['2026-11-26T12:00Z', NOON],
    ['2026-11-26T12:00:00', NOON],
    ['2026-11-26', Date.UTC(2026, 10, 26)],
    ['1795694400', NOON],
    ['0', 0],
    ['2028-02-29', Date.UTC(2028, 1, 29)],
    ['0050-01-01', -60589296000000],
  ])('%s', (text, expected) => {
    expect(parseIamDate(text)).toBe(expected);
  });

  it.each([
    '',
    'tomorrow',
    '2026-13-01',
    '2026-02-29',
    '2026-04-31',
    '2026-11-26T24:00:00Z',
    '2026-11-26T12:60:00Z',
    '26-11-2026',
    '2026-11-26 12:00:00',
    '-5',
  ])('refuses %j', (text) => {
    expect(parseIamDate(text)).toBeUndefined();
  });
});

describe('policy variable templates', () => {
  const context = createRequestContext({ 'aws:username': 'alice', 'aws:TagKeys': ['a', 'b'] });
  const resolve = (text: string): string | undefined =>
    resolveTemplate(parseTemplate(text, true), context)?.text;

  it.each([
    ['session/${aws:username}-*', 'session/alice-*'],
    ['${AWS:USERNAME}', 'alice'],
    ["${aws:userid, 'nobody'}", 'nobody'],
    ["${aws:userid,'it''s'}", "it's"],
    ["${aws:userid, 'a}b'}", 'a}b'],
    ["${aws:TagKeys, 'multi'}", 'multi'],
    ['${*}${?}${$}', '*?$'],
    ['$ and { alone', '$ and { alone'],
  ])('%s → %s', (text, expected) => {
    expect(resolve(text)).toBe(expected);
  });

  it('resolves to nothing, and names every missing key, without a default', () => {
    const missing: string[] = [];
    const template = parseTemplate('${aws:userid}/${aws:username}/${aws:TagKeys}', true);
    expect(resolveTemplate(template, context, (key) => missing.push(key))).toBeUndefined();
    expect(missing).toEqual(['aws:userid', 'aws:TagKeys']);
  });

  it('keeps substituted text literal in the pattern', () => {
    const star = createRequestContext({ 'aws:PrincipalTag/Team': '*' });
    const resolved = resolveTemplate(parseTemplate('${aws:PrincipalTag/Team}-*', true), star)!;
    expect(matchPattern(resolved.pattern, 'ops-x')).toBe(false);
    expect(matchPattern(resolved.pattern, '*-x')).toBe(true);
  });

  it('is plain text without substitution (Version 2008-10-17)', () => {
    expect(parseTemplate('${aws:username', false)).toEqual([
      { kind: 'text', text: '${aws:username' },
    ]);
  });

  it.each(['${', '${aws:username', '${}', '${ }', '${a b}', "${a, 'x}", '${a, x}', '${a}${b'])(
    'refuses %j',
    (text) => {
      expect(() => parseTemplate(text, true)).toThrow(TemplateError);
    },
  );
});

describe('createRequestContext', () => {
  it('looks keys up case-insensitively and converts values to IAM strings', () => {
    const context = createRequestContext({
      'aws:SecureTransport': true,
      'aws:EpochTime': 1795720200,
      'aws:CurrentTime': new Date(Date.UTC(2026, 10, 26, 19, 10)),
      'aws:TagKeys': ['Env'],
      'aws:username': undefined,
    });
    expect(context.get('AWS:SECURETRANSPORT')).toBe('true');
    expect(context.get('aws:epochtime')).toBe('1795720200');
    expect(context.get('aws:CurrentTime')).toBe('2026-11-26T19:10:00.000Z');
    expect(context.get('aws:tagkeys')).toEqual(['Env']);
    expect(context.get('aws:username')).toBeUndefined();
    expect(context.keys).toEqual([
      'aws:SecureTransport',
      'aws:EpochTime',
      'aws:CurrentTime',
      'aws:TagKeys',
    ]);
  });

  it('copies lists, so a later change to the caller’s array changes nothing', () => {
    const keys = ['Env'];
    const context = createRequestContext({ 'aws:TagKeys': keys });
    keys.push('Owner');
    expect(context.get('aws:TagKeys')).toEqual(['Env']);
  });

  it('throws on a key given twice in different case, and on a non-finite number', () => {
    expect(() => createRequestContext({ 'aws:username': 'a', 'AWS:UserName': 'b' })).toThrow(
      'given twice',
    );
    expect(() => createRequestContext({ 'aws:EpochTime': Number.NaN })).toThrow('finite');
  });
});
