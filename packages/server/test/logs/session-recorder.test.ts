// The recorder sees frames as the relay does: resent duplicates and out-of-order arrivals are
// recorded once, in sequence order; output becomes asciicast "o" events and transcript lines,
// sizes "r" events, keystrokes "i" events only when the preferences ask.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeAgentMessage,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../../src/logging/logger.js';
import { SessionRecorder } from '../../src/logs/session-recorder.js';
import type { SessionPreferences } from '../../src/logs/session-preferences.js';
import type { LogService } from '../../src/services/log-service.js';
import { sha256 } from '../../src/audit/audit-trail.js';
import type { RecordingRecord } from '../../src/storage/log-records.js';
import type { RecordingRepository } from '../../src/storage/log-repositories.js';
import { FilesystemObjectStore } from '../../src/storage/objects/filesystem-object-store.js';
import type { ObjectStore } from '../../src/storage/objects/object-store.js';

const T0 = 1_795_719_693_000;
const BUCKET = 'recordings';

/** The directory driver in a temporary directory, and each object's text once completed. */
function directoryStore(): ObjectStore & { text(key: string): string } {
  const root = mkdtempSync(join(tmpdir(), 'openssm-recorder-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const store = new FilesystemObjectStore(root);
  return Object.assign(store, {
    text: (key: string) => {
      const path = join(root, BUCKET, key);
      return existsSync(path) ? readFileSync(path, 'utf8') : '';
    },
  });
}

function frame(type: string, seq: number, payloadType: number, text: string): DecodedAgentMessage {
  return decodeAgentMessage(
    encodeAgentMessage(
      {
        messageType: type,
        schemaVersion: 1,
        createdDate: T0,
        sequenceNumber: seq,
        flags: 0,
        messageId: randomUUID(),
        payloadType,
        payload: new TextEncoder().encode(text),
      },
      sha256,
    ),
  );
}

const preferences = (recordInput: boolean): SessionPreferences => ({
  s3BucketName: '',
  s3KeyPrefix: '',
  cloudWatchLogGroupName: '',
  cloudWatchStreamingEnabled: false,
  idleSessionTimeout: 20,
  maxSessionDuration: undefined,
  recordInput,
  logFailureMode: 'open',
  runAsEnabled: false,
  runAsDefaultUser: '',
});

function recorder(recordInput: boolean) {
  const store = directoryStore();
  let clock = T0;
  const recording: RecordingRecord = {
    sessionId: 'admin-0123456789abcdef0',
    target: 'mi-0123456789abcdef0',
    owner: 'arn:openssm:iam::000000000000:user/admin',
    bucket: BUCKET,
    keyPrefix: '',
    inputRecorded: recordInput,
    status: 'Recording',
    castBytes: 0,
    transcriptBytes: 0,
    startedAt: T0,
    endedAt: null,
    deletedAt: null,
  };
  const updates: unknown[] = [];
  const instance = new SessionRecorder({
    recording,
    preferences: preferences(recordInput),
    region: 'us-east-1',
    runAsUser: '',
    store,
    logs: {} as LogService,
    repository: {
      update: (_id: string, change: unknown) => {
        updates.push(change);
        return Promise.resolve(true);
      },
    } as unknown as RecordingRepository,
    now: () => clock,
    log: silentLogger,
    report: { failed: () => undefined, recovered: () => undefined, closeSession: () => undefined },
    flushMs: 10,
    drainMs: 1000,
  });
  return { instance, store, updates, tick: (ms: number) => (clock += ms) };
}

describe('SessionRecorder', () => {
  it('records each output sequence number once, in order, with timing, size and input', async () => {
    const { instance, store, updates, tick } = recorder(true);
    instance.fromClient(
      frame(MessageType.InputStreamData, 0, PayloadType.Size, '{"cols":100,"rows":30}'),
    );
    instance.fromAgent(frame(MessageType.OutputStreamData, 0, PayloadType.HandshakeRequest, '{}'));
    tick(500);
    instance.fromAgent(frame(MessageType.OutputStreamData, 2, PayloadType.Output, 'world\r\n'));
    instance.fromAgent(frame(MessageType.OutputStreamData, 1, PayloadType.Output, 'hello '));
    instance.fromAgent(frame(MessageType.OutputStreamData, 1, PayloadType.Output, 'hello '));
    tick(500);
    instance.fromClient(frame(MessageType.InputStreamData, 1, PayloadType.Output, 'ls\r'));
    instance.fromClient(frame(MessageType.InputStreamData, 1, PayloadType.Output, 'ls\r'));
    instance.fromAgent(frame(MessageType.OutputStreamData, 2, PayloadType.Output, 'world\r\n'));
    await instance.finish(T0 + 2000);
    const cast = store.text('admin-0123456789abcdef0.cast').trim().split('\n');
    expect(JSON.parse(cast[0]!)).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(cast.slice(1).map((line) => JSON.parse(line) as unknown)).toEqual([
      [0.5, 'o', 'hello '],
      [0.5, 'o', 'world\r\n'],
      [1, 'i', 'ls\r'],
    ]);
    expect(store.text('admin-0123456789abcdef0.log')).toBe(
      `${new Date(T0 + 500).toISOString()} hello world\n`,
    );
    expect(updates).toEqual([expect.objectContaining({ status: 'Complete', endedAt: T0 + 2000 })]);
  });

  it('leaves keystrokes out unless the preferences ask for them', async () => {
    const { instance, store } = recorder(false);
    instance.fromAgent(frame(MessageType.OutputStreamData, 0, PayloadType.Output, '$ '));
    instance.fromClient(frame(MessageType.InputStreamData, 0, PayloadType.Output, 'secret\r'));
    await instance.finish(T0 + 1);
    expect(store.text('admin-0123456789abcdef0.cast')).not.toContain('secret');
  });
});
