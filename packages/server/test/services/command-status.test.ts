// Run Command's status model as pure functions: MaxConcurrency/MaxErrors for a target count,
// the ramp-up window, the command's status and counters from its invocations, and how a node's
// reply moves an invocation (sequence order, per-plugin freshness, final is final, truncation).

import { describe, expect, it } from 'vitest';
import {
  Details,
  applyReply,
  concurrencyWindow,
  cut,
  finishInvocation,
  initialPlugins,
  maxConcurrencyOf,
  maxErrorsOf,
  parseReplyContent,
  summarizeCommand,
  type ReplyContent,
} from '../../src/services/command-status.js';
import type {
  CommandInvocationRecord,
  InvocationStatus,
} from '../../src/storage/command-records.js';

const T0 = 1_795_719_693_230;

function invocation(overrides: Partial<CommandInvocationRecord> = {}): CommandInvocationRecord {
  return {
    commandId: '11111111-2222-3333-4444-555555555555',
    instanceId: 'mi-00000000000000001',
    instanceName: 'web',
    position: 0,
    requestedAt: T0,
    status: 'Pending',
    statusDetails: Details.Pending,
    dispatchedAt: T0,
    deliveredAt: null,
    sendAttempts: 1,
    nextAttemptAt: T0 + 30_000,
    jobMessageId: null,
    replySequence: -1,
    traceOutput: '',
    plugins: initialPlugins([
      { name: 'first', pluginName: 'aws:runShellScript', stepName: 'first' },
      { name: 'second', pluginName: 'aws:runShellScript', stepName: 'second' },
    ]),
    cancel: null,
    updatedAt: T0,
    ...overrides,
  };
}

function ended(status: InvocationStatus, statusDetails: string): CommandInvocationRecord {
  return invocation({ status, statusDetails });
}

function reply(overrides: Partial<ReplyContent> = {}): ReplyContent {
  return {
    documentStatus: 'InProgress',
    documentTraceOutput: '',
    runtimeStatus: new Map(),
    sequence: undefined,
    fullOutput: new Map(),
    ...overrides,
  };
}

function step(status: string, code = 0, standardOutput = '') {
  return {
    status,
    code,
    name: 'aws:runShellScript',
    output: standardOutput,
    startDateTime: '2026-11-26T19:01:33.000Z',
    endDateTime: status === 'InProgress' ? '' : '2026-11-26T19:01:34.000Z',
    outputS3BucketName: '',
    outputS3KeyPrefix: '',
    standardOutput,
    standardError: '',
  };
}

describe('MaxConcurrency and MaxErrors', () => {
  it('takes numbers as they are and percentages of the targets rounded down', () => {
    expect(maxConcurrencyOf('50', 3)).toBe(50);
    expect(maxConcurrencyOf('10%', 200)).toBe(20);
    expect(maxConcurrencyOf('10%', 205)).toBe(20);
    expect(maxConcurrencyOf('100%', 7)).toBe(7);
    expect(maxErrorsOf('0', 10)).toBe(0);
    expect(maxErrorsOf('5', 200)).toBe(5);
    // AWS's example: 10% of 50 stops at the sixth error.
    expect(maxErrorsOf('10%', 50)).toBe(5);
    expect(maxErrorsOf('10%', 9)).toBe(0);
  });

  it('never lets a percentage stop concurrency at zero', () => {
    expect(maxConcurrencyOf('10%', 5)).toBe(1);
    expect(maxConcurrencyOf('1%', 0)).toBe(1);
  });

  it('ramps up as AWS does: one, then two more for each that finishes', () => {
    const sent = (finished: number) => finished + concurrencyWindow(20, finished);
    expect([0, 1, 3, 7, 15, 19, 30].map(sent)).toEqual([1, 3, 7, 15, 31, 39, 50]);
  });
});

describe('the command’s status and counters', () => {
  const command = { cancelRequested: false, maxErrors: '0' };

  it('is Pending until something is sent, then In Progress', () => {
    const pending = invocation({ dispatchedAt: null });
    expect(summarizeCommand(command, [pending, pending])).toMatchObject({
      status: 'Pending',
      statusDetails: 'Pending',
      completedCount: 0,
    });
    expect(summarizeCommand(command, [pending, invocation()])).toMatchObject({
      status: 'InProgress',
      statusDetails: 'In Progress',
    });
  });

  it('counts errors (Failed, Execution Timed Out) apart from delivery timeouts', () => {
    const all = [
      ended('Success', Details.Success),
      ended('Failed', Details.Failed),
      ended('TimedOut', Details.ExecutionTimedOut),
      ended('TimedOut', Details.DeliveryTimedOut),
      ended('Failed', Details.Undeliverable),
      ended('Cancelled', Details.Terminated),
      invocation(),
    ];
    expect(summarizeCommand(command, all)).toEqual({
      status: 'InProgress',
      statusDetails: 'In Progress',
      completedCount: 6,
      errorCount: 2,
      deliveryTimedOutCount: 1,
    });
  });

  it('ends Success when every invocation succeeded (Undeliverable ones do not count)', () => {
    expect(summarizeCommand(command, [])).toMatchObject({ status: 'Success' });
    expect(
      summarizeCommand(command, [
        ended('Success', 'Success'),
        ended('Failed', Details.Undeliverable),
      ]),
    ).toMatchObject({ status: 'Success', statusDetails: 'Success' });
  });

  it('ends Failed, TimedOut or Incomplete by how many of what exceed MaxErrors', () => {
    const ok = ended('Success', Details.Success);
    const failed = ended('Failed', Details.Failed);
    const execution = ended('TimedOut', Details.ExecutionTimedOut);
    const delivery = ended('TimedOut', Details.DeliveryTimedOut);
    const status = (maxErrors: string, all: CommandInvocationRecord[]) => {
      const { status: s, statusDetails } = summarizeCommand(
        { cancelRequested: false, maxErrors },
        all,
      );
      return `${s}/${statusDetails}`;
    };
    expect(status('0', [ok, failed])).toBe('Failed/Failed');
    expect(status('0', [ok, execution])).toBe('TimedOut/Execution Timed Out');
    expect(status('1', [failed, execution])).toBe('Failed/Failed');
    expect(status('0', [ok, delivery])).toBe('TimedOut/Delivery Timed Out');
    expect(status('1', [ok, failed])).toBe('Failed/Incomplete');
    expect(status('1', [ok, delivery])).toBe('Failed/Incomplete');
    expect(status('50%', [ok, failed])).toBe('Failed/Incomplete');
  });

  it('is Cancelling while a cancelled command runs, then Cancelled', () => {
    const cancelled = { cancelRequested: true, maxErrors: '0' };
    expect(summarizeCommand(cancelled, [invocation({ status: 'Cancelling' })])).toMatchObject({
      status: 'Cancelling',
    });
    expect(
      summarizeCommand(cancelled, [ended('Success', 'Success'), ended('Cancelled', 'Cancelled')]),
    ).toMatchObject({ status: 'Cancelled', statusDetails: 'Cancelled' });
    // Some nodes cancelled by id, the others succeeded.
    expect(
      summarizeCommand(command, [ended('Success', 'Success'), ended('Cancelled', 'Cancelled')]),
    ).toMatchObject({ status: 'Cancelled' });
  });
});

describe('a node’s replies', () => {
  it('moves the invocation in sequence and never lets an older reply overwrite a newer one', () => {
    let current = applyReply(invocation(), reply({ sequence: 0 }), T0 + 1);
    expect(current).toMatchObject({
      status: 'InProgress',
      statusDetails: 'In Progress',
      deliveredAt: T0 + 1,
      replySequence: 0,
      nextAttemptAt: null,
    });
    current = applyReply(
      current,
      reply({ sequence: 2, runtimeStatus: new Map([['first', step('Success', 0, 'one\n')]]) }),
      T0 + 2,
    );
    current = applyReply(
      current,
      reply({
        sequence: 5,
        documentStatus: 'Failed',
        runtimeStatus: new Map(),
      }),
      T0 + 3,
    );
    expect(current).toMatchObject({ status: 'Failed', statusDetails: 'Failed', replySequence: 5 });
    // Step 2's own reply comes late (a resend after a reconnect): it fills the step in,
    // but the document stays Failed.
    current = applyReply(
      current,
      reply({ sequence: 4, runtimeStatus: new Map([['second', step('Failed', 0, 'two\n')]]) }),
      T0 + 4,
    );
    expect(current.status).toBe('Failed');
    expect(current.plugins[1]).toMatchObject({
      status: 'Failed',
      responseCode: 1, // Failed with code 0 is reported as 1
      standardOutput: 'two\n',
      sequence: 4,
    });
    // An older reply about step 1 than what it has changes nothing there.
    current = applyReply(
      current,
      reply({ sequence: 1, runtimeStatus: new Map([['first', step('InProgress')]]) }),
      T0 + 5,
    );
    expect(current.plugins[0]).toMatchObject({ status: 'Success', standardOutput: 'one\n' });
    expect(current.status).toBe('Failed');
  });

  it('maps agent statuses: Skipped is Success, TimedOut is Execution Timed Out', () => {
    const skipped = applyReply(
      invocation(),
      reply({ sequence: 2, runtimeStatus: new Map([['first', step('Skipped')]]) }),
      T0,
    );
    expect(skipped.plugins[0]).toMatchObject({ status: 'Success', statusDetails: 'Success' });
    const timedOut = applyReply(
      invocation(),
      reply({ sequence: 3, documentStatus: 'TimedOut' }),
      T0,
    );
    expect(timedOut).toMatchObject({ status: 'TimedOut', statusDetails: 'Execution Timed Out' });
    // Plugins that had not ended end with the invocation.
    expect(timedOut.plugins.map((plugin) => plugin.statusDetails)).toEqual([
      'Execution Timed Out',
      'Execution Timed Out',
    ]);
  });

  it('applies replies without a sequence (AWS’s agent) in arrival order until the end', () => {
    let current = applyReply(invocation(), reply({ documentStatus: 'InProgress' }), T0);
    current = applyReply(current, reply({ documentStatus: 'Success' }), T0);
    current = applyReply(current, reply({ documentStatus: 'InProgress' }), T0);
    expect(current.status).toBe('Success');
  });

  it('keeps a Cancelling invocation Cancelling until the node reports its end', () => {
    const cancelling = invocation({ status: 'Cancelling', statusDetails: Details.Cancelling });
    expect(applyReply(cancelling, reply({ sequence: 1 }), T0).status).toBe('Cancelling');
    expect(
      applyReply(cancelling, reply({ sequence: 3, documentStatus: 'Cancelled' }), T0),
    ).toMatchObject({ status: 'Cancelled', statusDetails: 'Cancelled' });
  });

  it('cuts fields to the API’s limits: standard error to 8,000, trace to 2,500', () => {
    const long = applyReply(
      invocation(),
      reply({
        sequence: 2,
        documentTraceOutput: 't'.repeat(3000),
        runtimeStatus: new Map([
          [
            'first',
            {
              ...step('Failed', 2, 'o'.repeat(24_000)),
              standardError: 'e'.repeat(24_000),
              output: 'x'.repeat(9000),
            },
          ],
        ]),
      }),
      T0,
    );
    const [first] = long.plugins;
    expect(first!.standardError).toHaveLength(8000);
    expect(first!.standardError.endsWith('--output truncated--')).toBe(true);
    expect(first!.standardOutput).toHaveLength(24_000);
    expect(first!.output).toHaveLength(2500);
    expect(long.traceOutput).toHaveLength(2500);
    expect(cut('ab😀cd', 3)).toBe('ab');
  });

  it('a server-side end leaves finished plugins as they were', () => {
    const halfway = applyReply(
      invocation(),
      reply({ sequence: 2, runtimeStatus: new Map([['first', step('Success')]]) }),
      T0,
    );
    const timedOut = finishInvocation(halfway, 'TimedOut', Details.DeliveryTimedOut, T0);
    expect(timedOut.plugins.map((plugin) => plugin.status)).toEqual(['Success', 'TimedOut']);
  });

  it('parses reply content leniently but refuses what is not a reply', () => {
    const parsed = parseReplyContent(
      JSON.stringify({
        documentStatus: 'Success',
        runtimeStatus: { first: { status: 'Success', code: 'zero', output: 5 } },
        openssm: {
          sequence: 3,
          fullOutput: {
            first: {
              stdout: { bytes: 3, sha256: 'a'.repeat(64) },
              stderr: { bytes: 0, sha256: 'b'.repeat(64) },
            },
          },
        },
      }),
    );
    expect(parsed.sequence).toBe(3);
    expect(parsed.runtimeStatus.get('first')).toMatchObject({
      status: 'Success',
      code: 0,
      output: '',
    });
    expect(parsed.fullOutput.get('first')?.stdout.bytes).toBe(3);
    for (const bad of [
      'not json',
      '[]',
      '{}',
      JSON.stringify({ documentStatus: 'Success', runtimeStatus: [] }),
      JSON.stringify({ documentStatus: 'Success', openssm: { sequence: -1 } }),
      JSON.stringify({
        documentStatus: 'Success',
        openssm: { fullOutput: { a: { stdout: { bytes: 1, sha256: 'nope' }, stderr: {} } } },
      }),
    ]) {
      expect(() => parseReplyContent(bad)).toThrow();
    }
  });
});
