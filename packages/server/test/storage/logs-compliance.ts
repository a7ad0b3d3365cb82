// Compliance cases of the log store, the recording index and the audit trail, for every driver
// (called from describeStorageCompliance).

import { AUDIT_GENESIS_HASH } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import type { NewAuditRow, RecordingRecord, Storage } from '../../src/storage/index.js';

const T0 = 1_795_719_693_230;
const seal = (prev: string, seq: number, record: string) =>
  `${prev.slice(0, 8)}-${String(seq)}-${String(record.length)}`;

function auditRow(n: number, overrides: Partial<NewAuditRow> = {}): NewAuditRow {
  return {
    eventId: `event-${String(n)}`,
    eventTime: T0 + n,
    eventName: n % 2 === 0 ? 'StartSession' : 'GetLogEvents',
    eventSource: 'ssm.amazonaws.com',
    username: n % 3 === 0 ? 'bob' : 'admin',
    accessKeyId: 'AKIAEXAMPLE',
    readOnly: n % 2 === 1,
    resourceNames: [
      `arn:openssm:ssm:us-east-1:000000000000:session/s-${String(n)}`,
      `s-${String(n)}`,
    ],
    record: `{"n":${String(n)}}`,
    ...overrides,
  };
}

export function describeLogsCompliance(storage: () => Storage): void {
  describe('log store', () => {
    it('creates groups once, lists them by prefix across pages, deletes with streams', async () => {
      const logs = storage().logs;
      for (const name of ['b', 'a/x', 'a/y', 'c'])
        expect(await logs.createGroup(name, T0)).toBe(true);
      expect(await logs.createGroup('a/x', T0)).toBe(false);
      const first = await logs.listGroups('a/', { limit: 1 });
      expect(first.items.map((g) => g.name)).toEqual(['a/x']);
      const second = await logs.listGroups('a/', { limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((g) => g.name)).toEqual(['a/y']);
      expect(second.nextCursor).toBeUndefined();
      expect(await logs.ensureStream('a/x', 's', T0)).toBe(true);
      expect(await logs.ensureStream('missing', 's', T0)).toBe(false);
      expect(await logs.deleteGroup('a/x')).toBe(true);
      expect(await logs.getStream('a/x', 's')).toBeUndefined();
      expect(await logs.deleteGroup('a/x')).toBe(false);
    });

    it('appends events, reads them by time both ways with filters, and expires by retention', async () => {
      const logs = storage().logs;
      await logs.createGroup('g', T0);
      await logs.ensureStream('g', 's1', T0);
      await logs.ensureStream('g', 's2', T0);
      expect(
        await logs.append(
          'g',
          's1',
          [
            { timestamp: T0 + 10, message: 'one alpha' },
            { timestamp: T0 + 30, message: 'three beta' },
          ],
          T0 + 40,
        ),
      ).toBe(true);
      await logs.append('g', 's2', [{ timestamp: T0 + 20, message: 'two alpha' }], T0 + 40);
      expect(await logs.append('g', 'nope', [{ timestamp: T0, message: 'x' }], T0)).toBe(false);
      const all = await logs.events({ groupName: 'g' }, { limit: 2 });
      expect(all.items.map((e) => e.message)).toEqual(['one alpha', 'two alpha']);
      const rest = await logs.events({ groupName: 'g' }, { limit: 2, cursor: all.nextCursor! });
      expect(rest.items.map((e) => e.message)).toEqual(['three beta']);
      const newest = await logs.events(
        { groupName: 'g', streamNames: ['s1'], descending: true },
        { limit: 1 },
      );
      expect(newest.items.map((e) => e.message)).toEqual(['three beta']);
      const alpha = await logs.events(
        { groupName: 'g', terms: ['alpha'], startTime: T0 + 15 },
        { limit: 10 },
      );
      expect(alpha.items.map((e) => e.message)).toEqual(['two alpha']);
      const stream = await logs.getStream('g', 's1');
      expect(stream).toMatchObject({
        firstEventAt: T0 + 10,
        lastEventAt: T0 + 30,
        lastIngestionAt: T0 + 40,
      });
      const byTime = await logs.listStreams(
        { groupName: 'g', orderBy: 'LastEventTime', descending: true },
        { limit: 10 },
      );
      expect(byTime.items.map((s) => s.name)).toEqual(['s1', 's2']);
      expect(await logs.setRetention('g', 1)).toBe(true);
      expect(await logs.expireEvents(T0 + 86_400_000 + 25)).toBe(2);
      expect(
        (await logs.events({ groupName: 'g' }, { limit: 10 })).items.map((e) => e.message),
      ).toEqual(['three beta']);
    });
  });

  describe('recording index', () => {
    const recording: RecordingRecord = {
      sessionId: 'admin-0123456789abcdef0',
      target: 'mi-0123456789abcdef0',
      owner: 'arn:openssm:iam::000000000000:user/admin',
      bucket: 'openssm-session-recordings',
      keyPrefix: 'team/',
      inputRecorded: true,
      status: 'Recording',
      castBytes: 0,
      transcriptBytes: 0,
      startedAt: T0,
      endedAt: null,
      deletedAt: null,
    };

    it('round-trips, ends, lists the old ones and marks them deleted once', async () => {
      const recordings = storage().recordings;
      await recordings.insert(recording);
      expect(await recordings.get(recording.sessionId)).toEqual(recording);
      await recordings.update(recording.sessionId, {
        status: 'Complete',
        castBytes: 10,
        transcriptBytes: 5,
        endedAt: T0 + 1,
      });
      expect(await recordings.listStartedBefore(T0, 10)).toEqual([]);
      const old = await recordings.listStartedBefore(T0 + 1, 10);
      expect(old.map((r) => [r.status, r.castBytes])).toEqual([['Complete', 10]]);
      expect(await recordings.markDeleted(recording.sessionId, T0 + 2)).toBe(true);
      expect(await recordings.markDeleted(recording.sessionId, T0 + 3)).toBe(false);
      expect(await recordings.listStartedBefore(T0 + 1, 10)).toEqual([]);
      expect((await recordings.get(recording.sessionId))?.deletedAt).toBe(T0 + 2);
    });
  });

  describe('audit trail', () => {
    it('chains appended rows from the genesis hash, without gaps', async () => {
      const audit = storage().audit;
      expect(await audit.head()).toBeUndefined();
      const first = await audit.append([auditRow(1), auditRow(2)], seal);
      expect(first.map((row) => [row.seq, row.prevHash])).toEqual([
        [1, AUDIT_GENESIS_HASH],
        [2, first[0]!.hash],
      ]);
      const [third] = await audit.append([auditRow(3)], seal);
      expect(third).toMatchObject({
        seq: 3,
        prevHash: first[1]!.hash,
        hash: seal(first[1]!.hash, 3, '{"n":3}'),
      });
      expect((await audit.head())?.seq).toBe(3);
      expect((await audit.scan(2, 10)).map((row) => row.eventId)).toEqual(['event-2', 'event-3']);
      await expect(audit.append([auditRow(1)], seal)).rejects.toThrow();
      expect((await audit.head())?.seq).toBe(3);
    });

    it('looks up newest first by every attribute, with pages', async () => {
      const audit = storage().audit;
      await audit.append(
        [1, 2, 3, 4, 5, 6].map((n) => auditRow(n)),
        seal,
      );
      const ids = async (filter: Parameters<Storage['audit']['lookup']>[0]) =>
        (await audit.lookup(filter, { limit: 10 })).items.map((row) => row.eventId);
      expect(await ids({ eventName: 'StartSession' })).toEqual(['event-6', 'event-4', 'event-2']);
      expect(await ids({ username: 'bob' })).toEqual(['event-6', 'event-3']);
      expect(await ids({ readOnly: true, endTime: T0 + 3 })).toEqual(['event-3', 'event-1']);
      expect(await ids({ resourceName: 's-4' })).toEqual(['event-4']);
      expect(await ids({ eventId: 'event-5', startTime: T0 + 5 })).toEqual(['event-5']);
      const page = await audit.lookup({}, { limit: 4 });
      const next = await audit.lookup({}, { limit: 4, cursor: page.nextCursor! });
      expect([...page.items, ...next.items].map((row) => row.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    });
  });
}
