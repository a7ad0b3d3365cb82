// Retention: recordings whose session started more than --recording-retention-days ago are
// deleted from the object store, marked Deleted, no longer served, and each deletion is audited.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runAwsCli, startTestServer, type TestServer } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DAY = 86_400_000;
let clock = Date.now();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    now: () => clock,
    extraArgs: ['--recording-retention-days', '7'],
  });
});

afterAll(async () => {
  await server?.close();
});

describe('recording retention', () => {
  it('deletes recordings older than the retention and audits each deletion', async () => {
    const { store } = server.server.services.recordings;
    const base = {
      target: 'mi-0123456789abcdef0',
      owner: 'arn:openssm:iam::000000000000:user/admin',
      bucket: 'openssm-session-recordings',
      keyPrefix: '',
      inputRecorded: false,
      status: 'Complete' as const,
      castBytes: 3,
      transcriptBytes: 3,
      endedAt: clock,
      deletedAt: null,
    };
    for (const [sessionId, age] of [
      ['admin-00000000000000old', 8 * DAY],
      ['admin-00000000000000new', 2 * DAY],
    ] as const) {
      await server.server.storage.recordings.insert({ ...base, sessionId, startedAt: clock - age });
      for (const suffix of ['cast', 'log']) {
        await store.put(base.bucket, `${sessionId}.${suffix}`, Buffer.from('hi\n'));
      }
    }
    // Left `Recording` by a server that stopped mid-session: nothing will finish it.
    await server.server.storage.recordings.insert({
      ...base,
      sessionId: 'admin-0000000000orphan',
      status: 'Recording',
      endedAt: null,
      startedAt: clock - 9 * DAY,
    });
    expect(await server.server.runMaintenance()).toEqual({ recordings: 2, logEvents: 0 });
    const dir = join(server.dataDir, 'objects', base.bucket);
    expect(existsSync(join(dir, 'admin-00000000000000old.cast'))).toBe(false);
    expect(existsSync(join(dir, 'admin-00000000000000old.log'))).toBe(false);
    expect(existsSync(join(dir, 'admin-00000000000000new.cast'))).toBe(true);
    await expect(
      server.server.services.recordings.read('admin-00000000000000old', 'transcript', 0),
    ).rejects.toThrow(/deleted by retention/);

    const { stdout } = await runAwsCli(server, [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=RecordingDeleted',
    ]);
    const events = (JSON.parse(stdout) as { Events: { CloudTrailEvent: string }[] }).Events;
    expect(events).toHaveLength(2);
    const details = events.map(
      (event) =>
        (JSON.parse(event.CloudTrailEvent) as { serviceEventDetails: { sessionId: string } })
          .serviceEventDetails.sessionId,
    );
    expect(details.sort()).toEqual(['admin-00000000000000old', 'admin-0000000000orphan']);
    const old = events.find((event) => event.CloudTrailEvent.includes('00000000000000old'))!;
    expect(JSON.parse(old.CloudTrailEvent)).toMatchObject({
      eventName: 'RecordingDeleted',
      eventType: 'AwsServiceEvent',
      serviceEventDetails: { sessionId: 'admin-00000000000000old', retentionDays: 7 },
      additionalEventData: { code: 'OS3004I' },
    });
    // A second sweep finds nothing more to delete.
    clock += DAY;
    expect((await server.server.runMaintenance()).recordings).toBe(0);
  });
});
