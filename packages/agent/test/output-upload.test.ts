// The full-output uploader: a stream goes out in chunks (agent_job_reply, topic
// openssm.commandOutput) with a bounded window, each chunk's MessageId fixed by its position;
// acknowledgements — even out of order — advance the recorded offset; an upload resumes from
// the recorded offset; unacknowledged chunks go again on reconnect.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeAgentMessage,
  parseAgentJobReply,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { pollUntil } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  OUTPUT_CHUNK_TOPIC,
  OutputUploader,
  outputChunkMessageId,
  silentLogger,
  type OutputChunkContent,
  type OutputStreamUpload,
} from '../src/index.js';

let dir: string;
const uploaders: OutputUploader[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-upload-'));
});

afterEach(async () => {
  for (const uploader of uploaders.splice(0)) await uploader.stop();
  rmSync(dir, { recursive: true, force: true });
});

class Link {
  up = true;
  readonly sent: DecodedAgentMessage[] = [];
  send(bytes: Uint8Array): boolean {
    if (!this.up) return false;
    this.sent.push(decodeAgentMessage(bytes));
    return true;
  }
  chunks(): (OutputChunkContent & { messageId: string; topic: string })[] {
    return this.sent.map((message) => {
      const reply = parseAgentJobReply(message.payload);
      return {
        ...(JSON.parse(reply.content) as OutputChunkContent),
        messageId: message.messageId,
        topic: reply.topic,
      };
    });
  }
}

/** 10 bytes per chunk, 2 in flight: small numbers make every edge visible. */
function createUploader(link: Link, progress: number[]): OutputUploader {
  const uploader = new OutputUploader({
    link,
    log: silentLogger,
    chunkBytes: 10,
    window: 2,
    retry: { baseMs: 60_000, capMs: 60_000 },
    onProgress: (_, uploaded) => {
      progress.push(uploaded);
      return Promise.resolve();
    },
  });
  uploaders.push(uploader);
  return uploader;
}

function stream(text: string, uploaded = 0): OutputStreamUpload {
  const path = join(dir, 'stdout');
  writeFileSync(path, text);
  return {
    jobId: 'aws.ssm.cmd-1.mi-0123456789abcdef0',
    commandId: 'cmd-1',
    pluginId: 'aws:runShellScript',
    stream: 'stdout',
    path,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    uploaded,
  };
}

const TEXT = 'abcdefghij0123456789ABCDEFGHIJxyz'; // 33 bytes: 4 chunks

describe('OutputUploader', () => {
  it('sends chunks within the window, advances on acks, records progress', async () => {
    const link = new Link();
    const progress: number[] = [];
    const uploader = createUploader(link, progress);
    const upload = stream(TEXT);
    uploader.add(upload);
    await pollUntil(() => link.sent.length === 2, 'the first window');
    const [first, second] = link.chunks();
    expect(first).toMatchObject({
      topic: OUTPUT_CHUNK_TOPIC,
      schemaVersion: 1,
      commandId: 'cmd-1',
      pluginId: 'aws:runShellScript',
      stream: 'stdout',
      offset: 0,
      totalBytes: 33,
      sha256: upload.sha256,
      eof: false,
      messageId: outputChunkMessageId(upload.jobId, upload.pluginId, 'stdout', 0),
    });
    expect(Buffer.from(first!.data, 'base64').toString()).toBe('abcdefghij');
    // The second chunk acknowledged first: nothing is recorded until the first is too.
    expect(uploader.acknowledge(second!.messageId)).toBe(true);
    await pollUntil(() => link.sent.length === 3, 'the window to move');
    expect(progress).toEqual([]);
    uploader.acknowledge(first!.messageId);
    await pollUntil(() => link.sent.length === 4, 'the last chunk');
    const last = link.chunks()[3]!;
    expect(last).toMatchObject({ offset: 30, eof: true });
    expect(Buffer.from(last.data, 'base64').toString()).toBe('xyz');
    uploader.acknowledge(link.chunks()[2]!.messageId);
    uploader.acknowledge(last.messageId);
    await uploader.idle();
    expect(progress).toEqual([20, 30, 33]);
    expect(uploader.pending).toBe(0);
    expect(uploader.acknowledge(last.messageId)).toBe(false);
  });

  it('resumes from the recorded offset with the same chunk ids', async () => {
    const link = new Link();
    const uploader = createUploader(link, []);
    uploader.add(stream(TEXT, 20));
    await pollUntil(() => link.sent.length === 2, 'the rest');
    expect(link.chunks().map((chunk) => chunk.offset)).toEqual([20, 30]);
    expect(link.chunks()[0]!.messageId).toBe(
      outputChunkMessageId(
        'aws.ssm.cmd-1.mi-0123456789abcdef0',
        'aws:runShellScript',
        'stdout',
        20,
      ),
    );
  });

  it('waits while the link is down and resends unacknowledged chunks on reconnect', async () => {
    const link = new Link();
    link.up = false;
    const uploader = createUploader(link, []);
    uploader.add(stream(TEXT));
    link.up = true;
    uploader.connected();
    await pollUntil(() => link.sent.length === 2, 'the first window after reconnect');
    uploader.connected();
    await pollUntil(() => link.sent.length === 4, 'the same window again');
    expect(link.chunks().map((chunk) => chunk.offset)).toEqual([0, 10, 0, 10]);
  });

  it('has nothing to do for an empty or already uploaded stream', async () => {
    const link = new Link();
    const uploader = createUploader(link, []);
    uploader.add(stream(''));
    uploader.add(stream(TEXT, 33));
    await uploader.idle();
    expect(link.sent).toHaveLength(0);
  });
});
