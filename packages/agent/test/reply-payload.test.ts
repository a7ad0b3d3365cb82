// The reply content, checked against AWS's own rules (ssm-wire §7.4): where output is cut and
// what is appended, the document status from step statuses, which steps a reply lists, the
// Failed-with-code-0 rule, and a reply made to fit the control channel's 120,000 bytes.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPLY_CONTENT_MAX_BYTES,
  aggregateDocumentStatus,
  createAgentInfo,
  createDocumentReply,
  createResultReply,
  encodeReplyContent,
  readTextPrefix,
  stringPrefix,
  truncateOutput,
  type PluginRuntimeStatus,
  type PluginStatus,
} from '../src/index.js';

const agent = createAgentInfo('Ubuntu', '24.04');

function result(status: PluginStatus, overrides: Partial<PluginRuntimeStatus> = {}) {
  return {
    status,
    code: 0,
    name: 'aws:runShellScript',
    output: '',
    startDateTime: '2026-11-26T19:01:33.000Z',
    endDateTime: '2026-11-26T19:01:34.000Z',
    outputS3BucketName: '',
    outputS3KeyPrefix: '',
    stepName: '',
    standardOutput: '',
    standardError: '',
    ...overrides,
  };
}

describe('truncation as AWS truncates', () => {
  it('stringPrefix keeps strictly shorter input and cuts to the limit with the suffix', () => {
    expect(stringPrefix('abc', 4, '--x--')).toBe('abc');
    expect(stringPrefix('a'.repeat(24_000), 24_000, '--output truncated--')).toBe(
      `${'a'.repeat(23_980)}--output truncated--`,
    );
    expect(stringPrefix('abcdef', 3, '--x--')).toBe('--x');
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀😀`;
    expect(stringPrefix(text, 12, '..')).toBe(`${'a'.repeat(9)}..`);
  });

  it('truncateOutput: everything when it fits, the error under its title', () => {
    expect(truncateOutput('out', '')).toBe('out');
    expect(truncateOutput('out', 'err')).toBe('out\n----------ERROR-------\nerr');
  });

  // AWS's markers: the error title is 24 characters, each truncation note 23.
  const TITLE = '\n----------ERROR-------\n';
  const OUT = '\n---Output truncated---';
  const ERR = '\n---Error truncated----';

  it('truncateOutput: long stdout, short stderr keeps stderr whole', () => {
    const output = truncateOutput('o'.repeat(5000), 'e'.repeat(10));
    expect(output).toHaveLength(2500);
    expect(output).toBe(
      `${'o'.repeat(2500 - TITLE.length - OUT.length - 10)}${OUT}${TITLE}${'e'.repeat(10)}`,
    );
  });

  it('truncateOutput: both long share the space', () => {
    const output = truncateOutput('o'.repeat(5000), 'e'.repeat(5000));
    const half = Math.trunc((2500 - TITLE.length - OUT.length - ERR.length) / 2);
    expect(half).toBe(1215);
    expect(output).toBe(`${'o'.repeat(half)}${OUT}${TITLE}${'e'.repeat(half)}${ERR}`);
  });

  it('truncateOutput: short stdout, long stderr cuts stderr', () => {
    const output = truncateOutput('o'.repeat(10), 'e'.repeat(5000));
    expect(output).toHaveLength(2500);
    expect(output.endsWith('\n---Error truncated----')).toBe(true);
  });

  it('reads a file prefix by characters, invalid UTF-8 as U+FFFD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openssm-prefix-'));
    try {
      writeFileSync(
        join(dir, 'a'),
        Buffer.concat([Buffer.from('é'.repeat(10)), Buffer.from([0xff])]),
      );
      expect(await readTextPrefix(join(dir, 'a'), 5)).toEqual({ text: 'ééééé', complete: false });
      expect(await readTextPrefix(join(dir, 'a'), 100)).toEqual({
        text: `${'é'.repeat(10)}\ufffd`,
        complete: true,
      });
      expect(await readTextPrefix(join(dir, 'missing'), 5)).toEqual({ text: '', complete: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reply content', () => {
  it('aggregates with AWS precedence: Failed > TimedOut > Cancelled > Success', () => {
    const of = (...statuses: PluginStatus[]) =>
      aggregateDocumentStatus(statuses.map((status) => result(status)));
    expect(of('Success', 'Skipped')).toBe('Success');
    expect(of('Cancelled', 'TimedOut', 'Failed')).toBe('Failed');
    expect(of('Cancelled', 'TimedOut')).toBe('TimedOut');
    expect(of('Success', 'Cancelled')).toBe('Cancelled');
    expect(of('Success', 'InProgress')).toBe('InProgress');
  });

  it('a document reply has runtimeStatus and counts null (the first reply)', () => {
    const reply = createDocumentReply(agent, 'InProgress', '', { sequence: 0 }, new Date(0));
    expect(JSON.parse(encodeReplyContent(reply))).toEqual({
      additionalInfo: {
        agent: {
          lang: 'en-US',
          name: 'openssm-agent',
          os: 'Ubuntu',
          osver: '24.04',
          ver: agent.ver,
        },
        dateTime: '1970-01-01T00:00:00.000Z',
        runId: '',
        runtimeStatusCounts: null,
      },
      documentStatus: 'InProgress',
      documentTraceOutput: '',
      runtimeStatus: null,
      openssm: { sequence: 0 },
    });
  });

  it('an intermediate reply names one step; a final one all steps only when there is one', () => {
    const results = new Map([
      ['a', result('Success')],
      ['b', result('Failed', { code: 0 })],
    ]);
    const step = createResultReply(agent, results, 'b', { sequence: 4 });
    expect(step.documentStatus).toBe('InProgress');
    expect(Object.keys(step.runtimeStatus!)).toEqual(['b']);
    // AWS reports Failed with code 0 as code 1.
    expect(step.runtimeStatus!['b']!.code).toBe(1);
    expect(step.additionalInfo.runtimeStatusCounts).toEqual({ Success: 1, Failed: 1 });
    const final = createResultReply(agent, results, undefined, { sequence: 5 });
    expect(final.documentStatus).toBe('Failed');
    expect(final.runtimeStatus).toEqual({});
    const single = createResultReply(agent, new Map([['a', result('Success')]]), undefined, {
      sequence: 3,
    });
    expect(Object.keys(single.runtimeStatus!)).toEqual(['a']);
  });

  it('keeps the keys of a runtime status in AWS order', () => {
    const reply = createResultReply(agent, new Map([['a', result('Success')]]), 'a', {
      sequence: 2,
    });
    expect(Object.keys(reply.runtimeStatus!['a']!)).toEqual([
      'status',
      'code',
      'name',
      'output',
      'startDateTime',
      'endDateTime',
      'outputS3BucketName',
      'outputS3KeyPrefix',
      'stepName',
      'standardOutput',
      'standardError',
    ]);
    expect(Object.keys(reply)).toEqual([
      'additionalInfo',
      'documentStatus',
      'documentTraceOutput',
      'runtimeStatus',
      'openssm',
    ]);
  });

  it('fits the control channel: output full of escapes is cut further, never dropped', () => {
    const control = '\u0001'.repeat(24_000);
    const reply = createResultReply(
      agent,
      new Map([['a', result('Success', { standardOutput: control, standardError: control })]]),
      'a',
      { sequence: 2 },
    );
    const text = encodeReplyContent(reply);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(REPLY_CONTENT_MAX_BYTES);
    const fitted = JSON.parse(text) as typeof reply;
    expect(fitted.runtimeStatus!['a']!.standardOutput.endsWith('--output truncated--')).toBe(true);
    expect(fitted.runtimeStatus!['a']!.status).toBe('Success');
  });
});
