// The error-code registry (packages/protocol/src/errors.ts) and docs/errors.md must not drift
// apart: this test regenerates the page and compares. `npm run docs:errors` rewrites it instead.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError, ERROR_CODES, isCodedError, type ErrorSpec } from '@openssm/protocol';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

const DOC_PATH = join(import.meta.dirname, '..', 'docs', 'errors.md');

const INTRO = `# Error codes

<!-- Generated from ERROR_CODES in packages/protocol/src/errors.ts by \`npm run docs:errors\`. Do not edit by hand; test/error-registry.test.ts fails when this page and the registry differ. -->

Every operational error in OpenSSM carries a stable code from one registry,
\`ERROR_CODES\` in \`packages/protocol/src/errors.ts\`, and is thrown as a \`CodedError\`. The
registry maps each code to the HTTP status and AWS \`__type\` it has when it leaves the SSM API
(the code an AWS CLI or SDK client sees), and to the WebSocket close code used when it ends a
data or control channel.

Programmer mistakes — calling an encoder with a value no peer could accept, for example — throw
plain \`Error\`s and are never caught or translated; they are bugs, not codes. Errors without a
code leave the API as an opaque \`InternalServerError\`, logged once with the request id.

Close codes follow RFC 6455 §7.4.1 where one fits (1000 normal closure, 1002 protocol error, 1007
invalid payload data, 1009 message too big, 1011 internal error, 1013 try again later); the
4000–4999 private range carries OpenSSM's own reasons. A bad frame closes only the connection it
arrived on. Codes marked "—" never end a socket: they are API responses only.
`;

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function row(code: string, spec: ErrorSpec): string {
  const close = spec.wsCloseCode === null ? '—' : String(spec.wsCloseCode);
  return `| \`${code}\` | ${spec.httpStatus} | \`${spec.awsType}\` | ${close} | ${cell(spec.summary)} |`;
}

async function renderErrorsDoc(): Promise<string> {
  const table = [
    '| Code | HTTP | AWS `__type` | WebSocket close | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(ERROR_CODES).map(([code, spec]) => row(code, spec)),
  ].join('\n');
  const markdown = `${INTRO}\n${table}\n`;
  // Formatted the way `npm run format` would, so the generated page also passes format:check.
  const config = (await resolveConfig(DOC_PATH)) ?? {};
  return format(markdown, { ...config, filepath: DOC_PATH });
}

describe('docs/errors.md', () => {
  it('matches the registry', async () => {
    const expected = await renderErrorsDoc();
    if (process.env['UPDATE_DOCS'] === '1') {
      writeFileSync(DOC_PATH, expected);
      return;
    }
    let actual = '';
    try {
      actual = readFileSync(DOC_PATH, 'utf8');
    } catch {
      // Missing: reported by the comparison below.
    }
    expect(
      actual,
      'docs/errors.md is out of date with ERROR_CODES; run `npm run docs:errors`',
    ).toBe(expected);
  });
});

describe('ERROR_CODES', () => {
  const entries = Object.entries(ERROR_CODES) as [string, ErrorSpec][];

  it('has codes that differ even ignoring case', () => {
    const codes = entries.map(([code]) => code.toLowerCase());
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(entries)('%s is well formed', (code, spec) => {
    expect(code).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(spec.awsType.trim()).not.toBe('');
    expect(spec.awsType).toMatch(/^[A-Za-z]+$/);
    expect(spec.httpStatus).toBeGreaterThanOrEqual(400);
    expect(spec.httpStatus).toBeLessThanOrEqual(599);
    if (spec.wsCloseCode !== null) {
      expect(Number.isInteger(spec.wsCloseCode)).toBe(true);
      expect(spec.wsCloseCode).toBeGreaterThanOrEqual(1000);
      expect(spec.wsCloseCode).toBeLessThanOrEqual(4999);
    }
    expect(spec.summary.endsWith('.')).toBe(true);
    expect(spec.summary).not.toMatch(/[|\n]/);
  });

  it('backs CodedError: the code, its spec and the type guard', () => {
    const error = new CodedError('FrameTruncated', 'short', { cause: 'why' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CodedError');
    expect(error.code).toBe('FrameTruncated');
    expect(error.cause).toBe('why');
    expect(error.spec).toBe(ERROR_CODES.FrameTruncated);
    expect(isCodedError(error)).toBe(true);
    expect(isCodedError(new Error('plain'))).toBe(false);
    expect(isCodedError({ code: 'FrameTruncated' })).toBe(false);
  });
});
