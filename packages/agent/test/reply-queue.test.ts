// The durable reply queue: a reply is on disk before it is sent, is resent until acknowledged
// (after a delay, and at once on reconnect), survives a restart with the same MessageId, keeps
// queue order, and is forgotten — file and all — when agent_job_reply_ack names it.

import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MessageType,
  decodeAgentMessage,
  parseAgentJobReply,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { pollUntil } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplyQueue, silentLogger, stableUuid, type QueuedReply } from '../src/index.js';

let dir: string;
const queues: ReplyQueue[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-replies-'));
});

afterEach(() => {
  for (const queue of queues.splice(0)) queue.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A control channel stand-in: records what was sent while `up`, refuses otherwise. */
class Link {
  up = true;
  readonly sent: DecodedAgentMessage[] = [];
  send(bytes: Uint8Array): boolean {
    if (!this.up) return false;
    this.sent.push(decodeAgentMessage(bytes));
    return true;
  }
  ids(): string[] {
    return this.sent.map((message) => message.messageId);
  }
}

function createQueue(link: Link, retryMs = 60_000): ReplyQueue {
  const queue = new ReplyQueue({
    dir: join(dir, 'replies'),
    link,
    log: silentLogger,
    retry: { baseMs: retryMs, capMs: retryMs },
    random: () => 0,
  });
  queues.push(queue);
  return queue;
}

function reply(n: number): QueuedReply {
  return {
    messageId: stableUuid(`test/${n}`),
    jobId: `aws.ssm.cmd-${n}.mi-0123456789abcdef0`,
    topic: 'aws.ssm.sendCommand',
    content: JSON.stringify({ documentStatus: 'InProgress', n }),
  };
}

const files = (): string[] => readdirSync(join(dir, 'replies')).filter((f) => f.endsWith('.json'));

describe('ReplyQueue', () => {
  it('persists a reply (0600) before sending it as agent_job_reply with its MessageId', async () => {
    const link = new Link();
    const queue = createQueue(link);
    await queue.start();
    await queue.enqueue(reply(1));
    expect(files()).toHaveLength(1);
    expect(statSync(join(dir, 'replies', files()[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'replies')).mode & 0o777).toBe(0o700);
    const [message] = link.sent;
    expect(message).toMatchObject({
      messageType: MessageType.AgentJobReply,
      messageId: reply(1).messageId,
      sequenceNumber: 0,
      flags: 0,
    });
    expect(parseAgentJobReply(message!.payload)).toEqual({
      schemaVersion: 1,
      jobId: reply(1).jobId,
      content: reply(1).content,
      topic: 'aws.ssm.sendCommand',
    });
  });

  it('drops a reply, file included, when its ack arrives; unknown acks are not its', async () => {
    const link = new Link();
    const queue = createQueue(link);
    await queue.start();
    await queue.enqueue(reply(1));
    expect(queue.acknowledge(stableUuid('someone else'))).toBe(false);
    expect(queue.acknowledge(reply(1).messageId)).toBe(true);
    expect(queue.size).toBe(0);
    await pollUntil(() => files().length === 0, 'the reply file to be removed');
    queue.connected();
    expect(link.ids()).toEqual([reply(1).messageId]);
  });

  it('resends an unacknowledged reply after the retry delay, same MessageId', async () => {
    const link = new Link();
    const queue = createQueue(link, 30);
    await queue.start();
    await queue.enqueue(reply(1));
    await pollUntil(() => link.sent.length >= 3, 'two resends');
    expect(new Set(link.ids())).toEqual(new Set([reply(1).messageId]));
    queue.acknowledge(reply(1).messageId);
  });

  it('keeps replies made while disconnected and sends them in order on reconnect', async () => {
    const link = new Link();
    link.up = false;
    const queue = createQueue(link);
    await queue.start();
    for (const n of [1, 2, 3]) await queue.enqueue(reply(n));
    expect(link.sent).toHaveLength(0);
    link.up = true;
    queue.connected();
    expect(link.ids()).toEqual([1, 2, 3].map((n) => reply(n).messageId));
  });

  it('resends everything unacknowledged at once on reconnect', async () => {
    const link = new Link();
    const queue = createQueue(link);
    await queue.start();
    await queue.enqueue(reply(1));
    await queue.enqueue(reply(2));
    queue.acknowledge(reply(1).messageId);
    queue.connected();
    expect(link.ids()).toEqual([reply(1), reply(2), reply(2)].map((r) => r.messageId));
  });

  it('survives a restart: a new queue on the same directory resends in order', async () => {
    const first = new Link();
    const before = createQueue(first);
    await before.start();
    for (const n of [1, 2, 3]) await before.enqueue(reply(n));
    before.acknowledge(reply(2).messageId);
    await pollUntil(() => files().length === 2, 'the acknowledged reply file to go');
    before.stop();

    const second = new Link();
    const after = createQueue(second);
    await after.start();
    expect(after.list()).toEqual([reply(1), reply(3)]);
    expect(second.ids()).toEqual([reply(1).messageId, reply(3).messageId]);
    after.acknowledge(reply(1).messageId);
    after.acknowledge(reply(3).messageId);
    await pollUntil(() => files().length === 0, 'every reply file to go');
  });

  it('queues a MessageId once however often it is enqueued', async () => {
    const link = new Link();
    link.up = false;
    const queue = createQueue(link);
    await queue.start();
    await queue.enqueue(reply(1));
    await queue.enqueue({ ...reply(1), content: '{"later":true}' });
    expect(queue.size).toBe(1);
    expect(files()).toHaveLength(1);
  });

  it('drops unreadable and expired files on start', async () => {
    const link = new Link();
    const queue = new ReplyQueue({
      dir: join(dir, 'replies'),
      link,
      log: silentLogger,
      maxAgeMs: 60_000,
    });
    queues.push(queue);
    await queue.start();
    writeFileSync(join(dir, 'replies', '000000000000001-000000-bad.json'), '{not json');
    writeFileSync(
      join(dir, 'replies', '000000000000002-000000-old.json'),
      JSON.stringify({ ...reply(9), queuedAt: Date.now() - 120_000 }),
    );
    queue.stop();
    const restarted = new ReplyQueue({
      dir: join(dir, 'replies'),
      link,
      log: silentLogger,
      maxAgeMs: 60_000,
    });
    queues.push(restarted);
    await restarted.start();
    expect(restarted.size).toBe(0);
    expect(files()).toEqual([]);
    expect(link.sent).toHaveLength(0);
  });
});
