// Records one shell session as it passes the gateway (docs/session-logs.md): output (and input
// when the preferences ask) into an asciicast v2 recording, an ANSI-clean timestamped
// transcript, and — with a log group — the session's log stream, streamed about every second
// when cloudWatchStreamingEnabled, else uploaded at the end. Frames are decoded here, never
// changed: the relay still forwards the original bytes. Resent frames are recorded once.

import {
  MessageType,
  PayloadType,
  decodeUtf8Strict,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import type { Logger } from '../logging/logger.js';
import type { LogService } from '../services/log-service.js';
import { recordingLocation } from '../services/recording-service.js';
import type { RecordingRecord } from '../storage/log-records.js';
import type { RecordingRepository } from '../storage/log-repositories.js';
import type { ObjectStore } from '../storage/objects/object-store.js';
import { encodeAsciicastEvent, encodeAsciicastHeader } from './asciicast.js';
import { TranscriptBuilder, formatTranscriptLine, type TranscriptLine } from './ansi-transcript.js';
import { InOrder } from './in-order.js';
import { RetryingSink } from './retrying-sink.js';
import type { SessionPreferences } from './session-preferences.js';

export interface RecorderReport {
  /** A store failed (first failure of an outage), recovered, or data had to be dropped. */
  failed(what: string, error: string): void;
  recovered(what: string, afterFailures: number): void;
  /** Fail closed: the preferences want the session ended now. */
  closeSession(reason: string): void;
}

export interface RecorderOptions {
  readonly recording: RecordingRecord;
  readonly preferences: SessionPreferences;
  readonly region: string;
  readonly runAsUser: string;
  readonly store: ObjectStore;
  readonly logs: LogService;
  readonly repository: RecordingRepository;
  readonly now: () => number;
  readonly log: Logger;
  readonly report: RecorderReport;
  /** How often buffered data is written (ms); 1 s, as AWS's agent streams. */
  readonly flushMs: number;
  /** How long writes are retried after the session ended (ms). */
  readonly drainMs: number;
}

/** Memory one session may hold while its stores fail, per sink. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Consecutive failed writes after which a fail-closed session is ended. */
export const FAIL_CLOSED_AFTER = 2;
const DEFAULT_SIZE = { cols: 80, rows: 24 };

interface Timed<T> {
  readonly time: number;
  readonly value: T;
}

export class SessionRecorder {
  private readonly output = new InOrder<Timed<DecodedAgentMessage>>();
  private readonly input = new InOrder<Timed<DecodedAgentMessage>>();
  private readonly decoders = { o: new TextDecoder('utf-8'), i: new TextDecoder('utf-8') };
  private readonly transcript = new TranscriptBuilder();
  private readonly cast: RetryingSink<string>;
  private readonly text: RetryingSink<string>;
  private readonly stream: RetryingSink<TranscriptLine[]> | undefined;
  private readonly endLines: TranscriptLine[] = [];
  private headerWritten = false;
  private size = DEFAULT_SIZE;
  private castBytes = 0;
  private transcriptBytes = 0;
  private closing = false;
  private finished = false;
  private readonly startedAt: number;

  constructor(private readonly options: RecorderOptions) {
    this.startedAt = options.recording.startedAt;
    const { store, recording } = options;
    // Each batch is a part at the offset written so far: a retried batch replaces its part,
    // and the parts become one object when the session ends (finish).
    const cast = recordingLocation(recording, 'asciicast');
    this.cast = this.sink('recording', async (chunks) => {
      const bytes = Buffer.from(chunks.join(''));
      await store.putPart(cast.bucket, cast.key, this.castBytes, bytes);
      this.castBytes += bytes.length;
    });
    const text = recordingLocation(recording, 'transcript');
    this.text = this.sink('transcript', async (chunks) => {
      const bytes = Buffer.from(chunks.join(''));
      await store.putPart(text.bucket, text.key, this.transcriptBytes, bytes);
      this.transcriptBytes += bytes.length;
    });
    const group = options.preferences.cloudWatchLogGroupName;
    if (group !== '' && options.preferences.cloudWatchStreamingEnabled) {
      this.stream = this.sink<TranscriptLine[]>(
        'log stream',
        async (batches) => {
          const lines = batches.flat();
          if (lines.length === 0) return;
          await options.logs.append(
            group,
            recording.sessionId,
            [{ timestamp: lines[0]!.time, message: this.streamEvent(lines) }],
            options.now(),
          );
        },
        (lines) => lines.reduce((sum, line) => sum + line.text.length + 32, 0),
      );
    }
  }

  /** A frame the agent sent (before the relay forwards it). */
  fromAgent(message: DecodedAgentMessage): void {
    if (this.finished || message.messageType !== MessageType.OutputStreamData) return;
    for (const { time, value } of this.output.accept(message.sequenceNumber, {
      time: this.options.now(),
      value: message,
    })) {
      if (value.payloadType === PayloadType.Output || value.payloadType === PayloadType.StdErr) {
        this.onOutput(this.decoders.o.decode(value.payload, { stream: true }), time);
      }
    }
  }

  /** A frame the client sent. */
  fromClient(message: DecodedAgentMessage): void {
    if (this.finished || message.messageType !== MessageType.InputStreamData) return;
    for (const { time, value } of this.input.accept(message.sequenceNumber, {
      time: this.options.now(),
      value: message,
    })) {
      if (value.payloadType === PayloadType.Size) this.onSize(value.payload, time);
      else if (value.payloadType === PayloadType.Output && this.options.preferences.recordInput) {
        this.event(time, 'i', this.decoders.i.decode(value.payload, { stream: true }));
      }
    }
  }

  /**
   * The session ended: writes what is buffered, makes each file one object of its parts,
   * uploads the transcript to the log group when it was not streamed, and records the
   * recording's final state. Retries go on in the
   * background for `drainMs`; resolves when everything is written or given up.
   */
  async finish(endedAt: number): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const tail = this.transcript.finish();
    this.lines(tail);
    const deadline = this.options.now() + this.options.drainMs;
    const now = this.options.now;
    const sinks: Pick<RetryingSink<unknown>, 'drain' | 'stop'>[] = [this.cast, this.text];
    if (this.stream !== undefined) sinks.push(this.stream);
    const results = await Promise.all(sinks.map((sink) => sink.drain(deadline, now)));
    let complete = results.every(Boolean) && this.output.skipped === 0;
    // What was written is completed even when a tail could not be (the recording says Incomplete).
    complete = (await this.completeObjects(deadline)) && complete;
    const group = this.options.preferences.cloudWatchLogGroupName;
    if (group !== '' && this.stream === undefined && this.endLines.length > 0) {
      complete = (await this.uploadTranscript(group, deadline)) && complete;
    }
    for (const sink of sinks) sink.stop();
    await this.options.repository
      .update(this.options.recording.sessionId, {
        status: complete ? 'Complete' : 'Incomplete',
        castBytes: this.castBytes,
        transcriptBytes: this.transcriptBytes,
        endedAt,
      })
      .catch((error: unknown) =>
        this.options.log.error('recording index update failed', {
          sessionId: this.options.recording.sessionId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }

  private onOutput(text: string, time: number): void {
    if (text === '') return;
    this.event(time, 'o', text);
    this.lines(this.transcript.write(text, time));
  }

  private onSize(payload: Uint8Array, time: number): void {
    const text = decodeUtf8Strict(payload);
    let size: { cols: number; rows: number } | undefined;
    try {
      const parsed = JSON.parse(text ?? '') as { cols?: unknown; rows?: unknown };
      if (
        Number.isInteger(parsed.cols) &&
        Number.isInteger(parsed.rows) &&
        (parsed.cols as number) > 0 &&
        (parsed.rows as number) > 0 &&
        (parsed.cols as number) < 10_000 &&
        (parsed.rows as number) < 10_000
      ) {
        size = { cols: parsed.cols as number, rows: parsed.rows as number };
      }
    } catch {
      // A malformed size is the agent's business; the recording keeps the last good one.
    }
    if (size === undefined) return;
    this.size = size;
    if (this.headerWritten) this.event(time, 'r', `${String(size.cols)}x${String(size.rows)}`);
  }

  private event(time: number, type: 'o' | 'i' | 'r', data: string): void {
    if (!this.headerWritten) {
      this.headerWritten = true;
      this.cast.push(
        encodeAsciicastHeader({
          version: 2,
          width: this.size.cols,
          height: this.size.rows,
          timestamp: Math.floor(this.startedAt / 1000),
          title: `${this.options.recording.sessionId} on ${this.options.recording.target}`,
          env: { TERM: 'xterm-256color', SHELL: '/bin/sh' },
        }),
      );
    }
    this.cast.push(encodeAsciicastEvent(Math.max(0, time - this.startedAt) / 1000, type, data));
  }

  private lines(lines: readonly TranscriptLine[]): void {
    if (lines.length === 0) return;
    for (const line of lines) this.text.push(formatTranscriptLine(line));
    if (this.stream !== undefined) this.stream.push([...lines]);
    else if (this.options.preferences.cloudWatchLogGroupName !== '') {
      for (const line of lines) if (line.text !== '') this.endLines.push(line);
    }
  }

  /** AWS's streamed session event (ssm-wire §6.7): who, where, and the lines. */
  private streamEvent(lines: readonly TranscriptLine[]): string {
    const { recording, region } = {
      recording: this.options.recording,
      region: this.options.region,
    };
    return JSON.stringify({
      eventVersion: '1.0',
      eventTime: new Date(lines[0]!.time).toISOString(),
      awsRegion: region,
      target: { id: recording.target },
      userIdentity: { arn: recording.owner },
      runAsUser: this.options.runAsUser,
      sessionId: recording.sessionId,
      sessionData: lines.map((line) => line.text),
    });
  }

  /** Joins each file's parts into its object, retried like any write until `deadline`. */
  private async completeObjects(deadline: number): Promise<boolean> {
    const { store, recording, now } = this.options;
    const files = [
      {
        what: 'recording',
        location: recordingLocation(recording, 'asciicast'),
        length: this.castBytes,
      },
      {
        what: 'transcript',
        location: recordingLocation(recording, 'transcript'),
        length: this.transcriptBytes,
      },
    ];
    const done = await Promise.all(
      files.map(async ({ what, location, length }) => {
        if (length === 0) return true; // nothing was written: no object, as before any output
        const completion = this.sink<'complete'>(
          what,
          async () => {
            await store.completeParts(location.bucket, location.key, length, new Uint8Array());
          },
          () => 0,
        );
        completion.push('complete');
        const written = await completion.drain(deadline, now);
        completion.stop();
        return written;
      }),
    );
    return done.every(Boolean);
  }

  private async uploadTranscript(group: string, deadline: number): Promise<boolean> {
    const upload = this.sink<TranscriptLine>(
      'log group upload',
      async (lines) => {
        for (let i = 0; i < lines.length; i += 1000) {
          await this.options.logs.append(
            group,
            this.options.recording.sessionId,
            lines.slice(i, i + 1000).map((line) => ({ timestamp: line.time, message: line.text })),
            this.options.now(),
          );
        }
      },
      (line) => line.text.length + 32,
    );
    for (const line of this.endLines) upload.push(line);
    const done = await upload.drain(deadline, this.options.now);
    upload.stop();
    return done;
  }

  private sink<T>(
    what: string,
    write: (items: readonly T[]) => Promise<void>,
    sizeOf: (item: T) => number = (item) => String(item).length,
  ): RetryingSink<T> {
    const { report, preferences } = this.options;
    return new RetryingSink<T>({
      write,
      sizeOf,
      flushMs: this.options.flushMs,
      maxBytes: MAX_BUFFERED_BYTES,
      onFailure: (error, consecutive) => {
        const message = error instanceof Error ? error.message : String(error);
        if (consecutive === 1) report.failed(what, message);
        if (
          preferences.logFailureMode === 'closed' &&
          consecutive >= FAIL_CLOSED_AFTER &&
          !this.closing &&
          !this.finished
        ) {
          this.closing = true;
          report.closeSession(
            `The session was closed because its ${what} could not be written (session logging fails closed).`,
          );
        }
      },
      onRecovered: (after) => report.recovered(what, after),
      onDropped: (bytes) =>
        report.failed(what, `${String(bytes)} bytes were dropped: the store kept failing`),
    });
  }
}
