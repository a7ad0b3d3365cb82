// Session recordings at rest: where each session's asciicast and transcript live in the object
// store (the preferences' s3BucketName/s3KeyPrefix, or the server's default bucket), reading
// them back in pieces for GetSessionRecording, and the retention sweep that deletes old ones
// and audits each deletion.

import { CodedError } from '@openssm/protocol';
import type { RecordingRecord } from '../storage/log-records.js';
import type { RecordingRepository } from '../storage/log-repositories.js';
import {
  readObjectOrParts,
  type ObjectLocation,
  type ObjectStore,
} from '../storage/objects/object-store.js';

export type RecordingFormat = 'asciicast' | 'transcript';

/** Pieces handed out by GetSessionRecording; cut at a line end so UTF-8 stays whole. */
export const MAX_RECORDING_CHUNK = 1024 * 1024;

export function recordingLocation(
  recording: Pick<RecordingRecord, 'bucket' | 'keyPrefix' | 'sessionId'>,
  format: RecordingFormat,
): ObjectLocation {
  // `.log` as AWS names uploaded transcripts (ssm-wire §6.7); `.cast` as asciinema does.
  const suffix = format === 'asciicast' ? 'cast' : 'log';
  return {
    bucket: recording.bucket,
    key: `${recording.keyPrefix}${recording.sessionId}.${suffix}`,
  };
}

/** `s3KeyPrefix` as AWS joins it: `<prefix>/<sessionId>.log`, no leading slash. */
export function normalizeKeyPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

export interface RecordingChunk {
  readonly recording: RecordingRecord;
  readonly content: string;
  /** Where the next piece starts; undefined at the end. */
  readonly nextOffset: number | undefined;
  readonly totalBytes: number;
}

export interface RecordingService {
  readonly store: ObjectStore;
  readonly defaultBucket: string;
  get(sessionId: string): Promise<RecordingRecord | undefined>;
  read(sessionId: string, format: RecordingFormat, offset: number): Promise<RecordingChunk>;
  /**
   * Deletes recordings that started more than `days` ago, except those still being written
   * (`isLive`); reports each one deleted. A recording left `Recording` by a server that stopped
   * mid-session is not live and goes too.
   */
  sweep(
    now: number,
    days: number,
    deleted: (recording: RecordingRecord) => Promise<void>,
    isLive?: (sessionId: string) => boolean,
  ): Promise<number>;
}

export function createRecordingService(deps: {
  readonly repository: RecordingRepository;
  readonly store: ObjectStore;
  readonly defaultBucket: string;
}): RecordingService {
  const { repository, store } = deps;
  return {
    store,
    defaultBucket: deps.defaultBucket,
    get: (sessionId) => repository.get(sessionId),

    async read(sessionId, format, offset) {
      const recording = await repository.get(sessionId);
      if (recording === undefined || recording.status === 'Deleted') {
        throw new CodedError(
          'ResourceNotFoundException',
          `Session ${sessionId.slice(0, 96)} has no recording${recording === undefined ? '' : ' (deleted by retention)'}.`,
        );
      }
      const { bucket, key } = recordingLocation(recording, format);
      // While the session runs (or when a crash left it so) the file is still its parts.
      const found = await readObjectOrParts(store, bucket, key, offset, MAX_RECORDING_CHUNK);
      const totalBytes = found?.totalBytes ?? 0;
      const bytes = found?.bytes ?? new Uint8Array();
      let end = bytes.length;
      if (offset + end < totalBytes) {
        const newline = bytes.lastIndexOf(0x0a);
        if (newline >= 0) end = newline + 1;
      }
      const next = offset + end;
      return {
        recording,
        content: Buffer.from(bytes.subarray(0, end)).toString('utf8'),
        nextOffset: next < totalBytes ? next : undefined,
        totalBytes,
      };
    },

    async sweep(now, days, deleted, isLive = () => false) {
      const before = now - days * 86_400_000;
      let count = 0;
      for (;;) {
        const batch = await repository.listStartedBefore(before, 100);
        // Sessions still being recorded are left until they end.
        const due = batch.filter((recording) => !isLive(recording.sessionId));
        if (due.length === 0) return count;
        for (const recording of due) {
          for (const format of ['asciicast', 'transcript'] as const) {
            const { bucket, key } = recordingLocation(recording, format);
            await store.delete(bucket, key);
          }
          if (await repository.markDeleted(recording.sessionId, now)) {
            count += 1;
            await deleted(recording);
          }
        }
        if (batch.length < 100) return count;
      }
    },
  };
}
