// Document text ⇄ JSON object: JSON and YAML in, the 64 KB limit before parsing, only plain
// JSON values, and conversion between formats for GetDocument.

import { CodedError } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  MAX_DOCUMENT_CONTENT_BYTES,
  parseDocumentContent,
  renderDocumentContent,
} from '../../src/documents/document-content.js';

function refusal(run: () => unknown): CodedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CodedError);
    return error as CodedError;
  }
  throw new Error('expected a CodedError');
}

const YAML = `schemaVersion: '2.2'
description: Check disk
parameters:
  commands:
    type: StringList
    default:
      - df -h
mainSteps:
  - action: aws:runShellScript
    name: run
    inputs:
      runCommand: '{{ commands }}'
`;

const JSON_OBJECT = {
  schemaVersion: '2.2',
  description: 'Check disk',
  parameters: { commands: { type: 'StringList', default: ['df -h'] } },
  mainSteps: [
    { action: 'aws:runShellScript', name: 'run', inputs: { runCommand: '{{ commands }}' } },
  ],
};

describe('parseDocumentContent', () => {
  it('parses JSON and YAML to the same object', () => {
    expect(parseDocumentContent(JSON.stringify(JSON_OBJECT), 'JSON')).toEqual(JSON_OBJECT);
    expect(parseDocumentContent(YAML, 'YAML')).toEqual(JSON_OBJECT);
    // JSON is YAML too.
    expect(parseDocumentContent(JSON.stringify(JSON_OBJECT), 'YAML')).toEqual(JSON_OBJECT);
  });

  it('refuses YAML sent as JSON, saying how to send YAML', () => {
    const error = refusal(() => parseDocumentContent(YAML, 'JSON'));
    expect(error.code).toBe('InvalidDocumentContent');
    expect(error.message).toMatch(/not valid JSON.*DocumentFormat YAML/);
  });

  it('refuses broken YAML with the line and column, and duplicate keys', () => {
    const broken = refusal(() => parseDocumentContent('a: [1,\nb: 2', 'YAML'));
    expect(broken.code).toBe('InvalidDocumentContent');
    expect(broken.message).toMatch(/not valid YAML: .*line \d+, column \d+/);
    expect(refusal(() => parseDocumentContent('a: 1\na: 2\n', 'YAML')).message).toMatch(/unique/);
    expect(refusal(() => parseDocumentContent('a: 1\n---\nb: 2\n', 'YAML')).code).toBe(
      'InvalidDocumentContent',
    );
  });

  it('refuses content that is not an object', () => {
    for (const [content, format] of [
      ['[1, 2]', 'JSON'],
      ['"text"', 'JSON'],
      ['null', 'JSON'],
      ['- a\n- b\n', 'YAML'],
      ['just words', 'YAML'],
    ] as const) {
      const error = refusal(() => parseDocumentContent(content, format));
      expect(error.code).toBe('InvalidDocumentContent');
      expect(error.message).toMatch(/must be a (JSON|YAML) object/);
    }
  });

  it('refuses values JSON cannot carry: infinities, binary, custom tags', () => {
    expect(refusal(() => parseDocumentContent('a: .inf\n', 'YAML')).message).toMatch(
      /document\.a holds a number that is not finite/,
    );
    expect(refusal(() => parseDocumentContent('a: !!binary aGVsbG8=\n', 'YAML')).message).toMatch(
      /JSON cannot represent/,
    );
  });

  it('refuses a YAML alias bomb before it expands', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const previous = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    expect(refusal(() => parseDocumentContent(levels.join('\n'), 'YAML')).code).toBe(
      'InvalidDocumentContent',
    );
  });

  it('refuses more than 64 KB (in UTF-8 bytes) with MaxDocumentSizeExceeded, before parsing', () => {
    const filler = (bytes: number) => `{"a":"${'x'.repeat(bytes - 8)}"}`;
    expect(filler(MAX_DOCUMENT_CONTENT_BYTES)).toHaveLength(MAX_DOCUMENT_CONTENT_BYTES);
    expect(parseDocumentContent(filler(MAX_DOCUMENT_CONTENT_BYTES), 'JSON')).toBeDefined();
    const over = refusal(() =>
      parseDocumentContent(filler(MAX_DOCUMENT_CONTENT_BYTES + 1), 'JSON'),
    );
    expect(over.code).toBe('MaxDocumentSizeExceeded');
    expect(over.message).toMatch(/65537 bytes; the limit is 65536/);
    // Bytes, not characters: 33,000 "é" are 33,008 characters but 66,008 bytes.
    expect(() => parseDocumentContent(`{"a":"${'é'.repeat(33_000)}"}`, 'JSON')).toThrow(
      /bytes; the limit/,
    );
    // Not even valid JSON: the size is checked first.
    expect(refusal(() => parseDocumentContent('x'.repeat(70_000), 'JSON')).code).toBe(
      'MaxDocumentSizeExceeded',
    );
  });

  it('refuses the TEXT format for runnable documents', () => {
    expect(refusal(() => parseDocumentContent('{}', 'TEXT')).code).toBe('InvalidDocumentContent');
  });
});

describe('renderDocumentContent', () => {
  it('returns the stored text unchanged in its own format', () => {
    expect(renderDocumentContent(YAML, 'YAML', 'YAML')).toBe(YAML);
    const json = JSON.stringify(JSON_OBJECT);
    expect(renderDocumentContent(json, 'JSON', 'JSON')).toBe(json);
  });

  it('converts YAML to JSON and JSON to YAML without changing the document', () => {
    const asJson = renderDocumentContent(YAML, 'YAML', 'JSON');
    expect(JSON.parse(asJson)).toEqual(JSON_OBJECT);
    const asYaml = renderDocumentContent(JSON.stringify(JSON_OBJECT), 'JSON', 'YAML');
    expect(asYaml).toContain('schemaVersion: "2.2"');
    expect(parseDocumentContent(asYaml, 'YAML')).toEqual(JSON_OBJECT);
  });
});
