// The Run Command part of the storage compliance suite: commands with their invocations, whole
// rows written back in atomic batches, listings newest first with filters and keyset cursors —
// through the repository interface only.

import { CodedError } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import type {
  CommandInvocationRecord,
  CommandRecord,
  InvocationPluginRecord,
  Page,
  PageRequest,
  Storage,
} from '../../src/storage/index.js';

const T0 = 1_795_719_693_230;
/** The latest instant a JavaScript Date can hold: times must survive as exact integers. */
const FAR_FUTURE = 8_640_000_000_000_000;

function commandId(index: number): string {
  return `11111111-2222-3333-4444-${index.toString(16).padStart(12, '0')}`;
}

function instanceId(index: number): string {
  return `mi-${index.toString(16).padStart(17, '0')}`;
}

function command(overrides: Partial<CommandRecord> = {}): CommandRecord {
  return {
    commandId: commandId(1),
    documentName: 'AWS-RunShellScript',
    documentVersion: '1',
    comment: 'Check disk usage',
    parameters: { commands: ['df -h'] },
    jobContent: '{"CommandId":"x","DocumentContent":{}}',
    plugins: [
      {
        name: 'aws:runShellScript',
        pluginName: 'aws:runShellScript',
        stepName: '0.awsrunShellScript',
      },
    ],
    instanceIds: [instanceId(1)],
    targets: [],
    requestedAt: T0,
    timeoutSeconds: 3600,
    expiresAt: T0 + 7_200_000,
    outputS3Region: '',
    outputS3BucketName: '',
    outputS3KeyPrefix: '',
    maxConcurrency: '50',
    maxErrors: '0',
    serviceRole: '',
    notificationConfig: null,
    cloudWatchOutputConfig: null,
    owner: 'arn:openssm:iam::000000000000:user/admin',
    status: 'Pending',
    statusDetails: 'Pending',
    targetCount: 1,
    completedCount: 0,
    errorCount: 0,
    deliveryTimedOutCount: 0,
    cancelRequested: false,
    dispatchStopped: false,
    ...overrides,
  };
}

function plugin(overrides: Partial<InvocationPluginRecord> = {}): InvocationPluginRecord {
  return {
    name: 'aws:runShellScript',
    pluginName: 'aws:runShellScript',
    stepName: '0.awsrunShellScript',
    status: 'Pending',
    statusDetails: 'Pending',
    responseCode: -1,
    startedAt: '',
    finishedAt: '',
    output: '',
    standardOutput: '',
    standardError: '',
    outputS3BucketName: '',
    outputS3KeyPrefix: '',
    sequence: -1,
    fullOutput: null,
    outputKept: { stdout: null, stderr: null },
    ...overrides,
  };
}

function invocation(overrides: Partial<CommandInvocationRecord> = {}): CommandInvocationRecord {
  return {
    commandId: commandId(1),
    instanceId: instanceId(1),
    instanceName: 'web',
    position: 0,
    requestedAt: T0,
    status: 'Pending',
    statusDetails: 'Pending',
    dispatchedAt: null,
    deliveredAt: null,
    sendAttempts: 0,
    nextAttemptAt: null,
    jobMessageId: null,
    replySequence: -1,
    traceOutput: '',
    plugins: [plugin()],
    cancel: null,
    updatedAt: T0,
    ...overrides,
  };
}

/** A command with `count` invocations on nodes 1..count. */
function commandWith(
  index: number,
  count: number,
  overrides: Partial<CommandRecord> = {},
): [CommandRecord, CommandInvocationRecord[]] {
  const record = command({ commandId: commandId(index), targetCount: count, ...overrides });
  return [
    record,
    Array.from({ length: count }, (_, i) =>
      invocation({
        commandId: record.commandId,
        instanceId: instanceId(i + 1),
        position: i,
        requestedAt: record.requestedAt,
      }),
    ),
  ];
}

async function allPages<T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor === undefined ? { limit } : { limit, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
    expect(++pages).toBeLessThan(100);
  } while (cursor !== undefined);
  return items;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  return error instanceof CodedError ? error.code : error === undefined ? undefined : 'other';
}

export function describeCommandCompliance(storage: () => Storage): void {
  describe('commands', () => {
    const commands = () => storage().commands;

    it('round-trips a command and its invocations with every field, nulls and extremes', async () => {
      const full = command({
        comment: 'ünïcødé ✓ "quoted" \\ back',
        parameters: { commands: ['echo "a"', 'df -h'], workingDirectory: [''], empty: [] },
        targets: [
          { key: 'tag:Env', values: ['prod', 'staging'] },
          { key: 'tag-key', values: ['Team'] },
        ],
        instanceIds: [],
        expiresAt: FAR_FUTURE,
        outputS3Region: 'eu-west-1',
        outputS3BucketName: 'my-bucket',
        outputS3KeyPrefix: 'runs/2026',
        maxConcurrency: '10%',
        maxErrors: '5',
        serviceRole: 'arn:openssm:iam::000000000000:role/Notify',
        notificationConfig: { arn: 'arn:aws:sns:eu-west-1:1:t', events: ['All'], type: 'Command' },
        cloudWatchOutputConfig: { logGroupName: '/ssm/out', enabled: true },
        cancelRequested: true,
        dispatchStopped: true,
      });
      const withResults = invocation({
        commandId: full.commandId,
        status: 'Failed',
        statusDetails: 'Failed',
        dispatchedAt: T0 + 1,
        deliveredAt: FAR_FUTURE,
        sendAttempts: 3,
        nextAttemptAt: T0 + 5,
        jobMessageId: '3f1c5b1e-8a3a-4d6e-9a52-6f1f2d0c0001',
        replySequence: 3,
        traceOutput: 'trace',
        plugins: [
          plugin({
            status: 'Failed',
            statusDetails: 'Failed',
            responseCode: 2,
            startedAt: '2026-11-26T19:01:33.000Z',
            finishedAt: '2026-11-26T19:01:34.000Z',
            output: 'x'.repeat(2500),
            standardOutput: 'o'.repeat(24_000),
            standardError: 'e'.repeat(8000),
            sequence: 3,
            fullOutput: {
              stdout: { bytes: 200_034, sha256: 'a'.repeat(64) },
              stderr: { bytes: 0, sha256: 'b'.repeat(64) },
            },
            outputKept: { stdout: 104_857_600, stderr: null },
          }),
        ],
        cancel: {
          jobId: 'aws.ssm.x.mi-1',
          requestedAt: T0 + 9,
          delivered: true,
          result: 'Success',
        },
      });
      const second = invocation({
        commandId: full.commandId,
        instanceId: instanceId(2),
        position: 1,
      });
      await commands().create(full, [withResults, second]);
      expect(await commands().get(full.commandId)).toEqual(full);
      expect(await commands().getInvocation(full.commandId, instanceId(1))).toEqual(withResults);
      expect(await commands().invocationsOf(full.commandId)).toEqual([withResults, second]);
    });

    it('returns undefined or nothing for an unknown command or invocation', async () => {
      await commands().create(...commandWith(1, 1));
      expect(await commands().get(commandId(9))).toBeUndefined();
      expect(await commands().getInvocation(commandId(1), instanceId(9))).toBeUndefined();
      expect(await commands().getInvocation(commandId(9), instanceId(1))).toBeUndefined();
      expect(await commands().invocationsOf(commandId(9))).toEqual([]);
    });

    it('rejects a duplicate command id, storing none of the second one’s invocations', async () => {
      const [first, invocations] = commandWith(1, 1);
      await commands().create(first, invocations);
      await expect(
        commands().create(command({ comment: 'other' }), [
          invocation({ instanceId: instanceId(7), position: 1 }),
        ]),
      ).rejects.toThrow();
      expect((await commands().get(first.commandId))?.comment).toBe(first.comment);
      expect(await commands().invocationsOf(first.commandId)).toEqual(invocations);
    });

    it('stores a command whole or not at all (a bad invocation rolls the command back)', async () => {
      await expect(
        commands().create(command(), [invocation(), invocation({ position: 1 })]),
      ).rejects.toThrow();
      expect(await commands().get(commandId(1))).toBeUndefined();
      expect(await commands().invocationsOf(commandId(1))).toEqual([]);
    });

    it('saves a batch of commands and invocations, all or none', async () => {
      const [first, firstInvocations] = commandWith(1, 2);
      const [second, secondInvocations] = commandWith(2, 1);
      await commands().create(first, firstInvocations);
      await commands().create(second, secondInvocations);
      const moved = { ...first, status: 'InProgress' as const, statusDetails: 'In Progress' };
      const delivered = {
        ...firstInvocations[0]!,
        status: 'InProgress' as const,
        deliveredAt: T0 + 2,
      };
      await commands().save({ commands: [moved], invocations: [delivered] });
      expect(await commands().get(first.commandId)).toEqual(moved);
      expect(await commands().getInvocation(first.commandId, instanceId(1))).toEqual(delivered);
      expect(await commands().getInvocation(first.commandId, instanceId(2))).toEqual(
        firstInvocations[1],
      );

      // A row that does not exist fails the whole batch: the valid rows are not written either.
      await expect(
        commands().save({
          commands: [{ ...second, status: 'Success' }],
          invocations: [
            { ...secondInvocations[0]!, status: 'Success' },
            invocation({ commandId: commandId(3) }),
          ],
        }),
      ).rejects.toThrow();
      expect(await commands().get(second.commandId)).toEqual(second);
      expect(await commands().getInvocation(second.commandId, instanceId(1))).toEqual(
        secondInvocations[0],
      );
      await expect(
        commands().save({ commands: [command({ commandId: commandId(8) })], invocations: [] }),
      ).rejects.toThrow();
    });

    it('lists commands newest first, ties by id, across pages without gaps or repeats', async () => {
      const created: CommandRecord[] = [];
      for (let i = 0; i < 23; i++) {
        const [record, invocations] = commandWith(100 - i, 1, {
          requestedAt: T0 + Math.floor(i / 3),
        });
        await commands().create(record, invocations);
        created.push(record);
      }
      const listed = await allPages((page) => commands().list({}, page), 10);
      const expected = [...created].sort(
        (a, b) =>
          b.requestedAt - a.requestedAt ||
          (a.commandId < b.commandId ? -1 : a.commandId > b.commandId ? 1 : 0),
      );
      expect(listed).toEqual(expected);
    });

    it('filters commands by id, node, status, stage, document and request time', async () => {
      const [a, aInvocations] = commandWith(1, 2, { requestedAt: T0 });
      const [b, bInvocations] = commandWith(2, 1, {
        requestedAt: T0 + 10,
        status: 'Success',
        documentName: 'Check-Disk',
      });
      const [c, cInvocations] = commandWith(3, 1, { requestedAt: T0 + 20, status: 'Cancelling' });
      await commands().create(a, aInvocations);
      await commands().create(b, bInvocations);
      await commands().create(
        c,
        cInvocations.map((i) => ({ ...i, instanceId: instanceId(5) })),
      );
      const ids = async (filter: Parameters<Storage['commands']['list']>[0]) =>
        (await commands().list(filter, { limit: 50 })).items.map((item) => item.commandId);
      expect(await ids({})).toEqual([c.commandId, b.commandId, a.commandId]);
      expect(await ids({ commandId: b.commandId })).toEqual([b.commandId]);
      expect(await ids({ instanceId: instanceId(2) })).toEqual([a.commandId]);
      expect(await ids({ instanceId: instanceId(1) })).toEqual([b.commandId, a.commandId]);
      expect(await ids({ status: 'Success' })).toEqual([b.commandId]);
      expect(await ids({ final: true })).toEqual([b.commandId]);
      expect(await ids({ final: false })).toEqual([c.commandId, a.commandId]);
      expect(await ids({ documentName: 'Check-Disk' })).toEqual([b.commandId]);
      expect(await ids({ requestedAfter: T0 + 10 })).toEqual([c.commandId, b.commandId]);
      expect(await ids({ requestedBefore: T0 + 10 })).toEqual([a.commandId]);
      expect(await ids({ requestedAfter: T0 + 1, requestedBefore: T0 + 20 })).toEqual([
        b.commandId,
      ]);
      expect(await ids({ status: 'Success', instanceId: instanceId(5) })).toEqual([]);
      expect((await commands().listUnfinished()).map((item) => item.commandId)).toEqual([
        a.commandId,
        c.commandId,
      ]);
    });

    it('lists invocations newest command first, then in sending order, across pages', async () => {
      const [older, olderInvocations] = commandWith(1, 7, { requestedAt: T0 });
      const [newer, newerInvocations] = commandWith(2, 6, { requestedAt: T0 + 1 });
      await commands().create(older, olderInvocations);
      await commands().create(newer, newerInvocations);
      const listed = await allPages((page) => commands().listInvocations({}, page), 4);
      expect(listed).toEqual([...newerInvocations, ...olderInvocations]);
      const one = await allPages(
        (page) => commands().listInvocations({ commandId: older.commandId }, page),
        3,
      );
      expect(one).toEqual(olderInvocations);
    });

    it('filters invocations by command, node, status, stage, document and request time', async () => {
      const [a, aInvocations] = commandWith(1, 3, { requestedAt: T0 });
      const [b, bInvocations] = commandWith(2, 2, {
        requestedAt: T0 + 10,
        documentName: 'Check-Disk',
      });
      aInvocations[1] = { ...aInvocations[1]!, status: 'Success', statusDetails: 'Success' };
      aInvocations[2] = { ...aInvocations[2]!, status: 'Delayed', statusDetails: 'Delayed' };
      await commands().create(a, aInvocations);
      await commands().create(b, bInvocations);
      const keys = async (filter: Parameters<Storage['commands']['listInvocations']>[0]) =>
        (await commands().listInvocations(filter, { limit: 50 })).items.map(
          (item) => `${item.commandId.slice(-1)}/${item.instanceId.slice(-1)}`,
        );
      expect(await keys({})).toEqual(['2/1', '2/2', '1/1', '1/2', '1/3']);
      expect(await keys({ commandId: a.commandId, instanceId: instanceId(2) })).toEqual(['1/2']);
      expect(await keys({ instanceId: instanceId(1) })).toEqual(['2/1', '1/1']);
      expect(await keys({ status: 'Delayed' })).toEqual(['1/3']);
      expect(await keys({ final: true })).toEqual(['1/2']);
      expect(await keys({ final: false, commandId: a.commandId })).toEqual(['1/1', '1/3']);
      expect(await keys({ documentName: 'Check-Disk' })).toEqual(['2/1', '2/2']);
      expect(await keys({ requestedAfter: T0 + 1 })).toEqual(['2/1', '2/2']);
      expect(await keys({ requestedBefore: T0 + 10 })).toEqual(['1/1', '1/2', '1/3']);
    });

    it('rejects cursors it did not issue (or issued for the other listing) with InvalidNextToken', async () => {
      await commands().create(...commandWith(1, 3));
      await commands().create(...commandWith(2, 1, { requestedAt: T0 + 1 }));
      const commandCursor = (await commands().list({}, { limit: 1 })).nextCursor!;
      const invocationCursor = (await commands().listInvocations({}, { limit: 1 })).nextCursor!;
      expect(await codeOf(commands().list({}, { limit: 1, cursor: invocationCursor }))).toBe(
        'InvalidNextToken',
      );
      expect(
        await codeOf(commands().listInvocations({}, { limit: 1, cursor: commandCursor })),
      ).toBe('InvalidNextToken');
      for (const cursor of ['garbage!', 'AAAA', 'A'.repeat(5000)]) {
        expect(await codeOf(commands().list({}, { limit: 5, cursor }))).toBe('InvalidNextToken');
        expect(await codeOf(commands().listInvocations({}, { limit: 5, cursor }))).toBe(
          'InvalidNextToken',
        );
      }
    });
  });
}
