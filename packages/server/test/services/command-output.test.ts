// The full-output store: chunks stored by offset in any order (resends included) complete the
// object once, with the announced SHA-256 checked; the cap keeps a prefix and says so; keys laid
// out as AWS lays out S3 output never leave the store's directory; bad chunks are refused.

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import {
  CommandOutputStore,
  outputLocation,
  parseOutputChunk,
  type OutputChunk,
} from '../../src/services/command-output.js';
import { FilesystemObjectStore } from '../../src/storage/objects/filesystem-object-store.js';
import { isSafeObjectKey } from '../../src/storage/objects/object-store.js';

let dir: string;
let logs: string[];
let store: FilesystemObjectStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-objects-'));
  logs = [];
  store = new FilesystemObjectStore(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const COMMAND = {
  commandId: '11111111-2222-3333-4444-555555555555',
  outputS3BucketName: '',
  outputS3KeyPrefix: 'runs/2026/',
};
const PLUGIN = {
  name: 'aws:runShellScript',
  pluginName: 'aws:runShellScript',
  stepName: '0.awsrunShellScript',
};

function chunksOf(bytes: Buffer, size: number): OutputChunk[] {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const chunks: OutputChunk[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) {
    chunks.push({
      commandId: COMMAND.commandId,
      pluginId: PLUGIN.name,
      stream: 'stdout',
      offset,
      totalBytes: bytes.length,
      sha256,
      data: bytes.subarray(offset, offset + size),
    });
  }
  return chunks;
}

describe('command output store', () => {
  it('lays streams out as AWS lays out S3 output', () => {
    expect(outputLocation(COMMAND, 'mi-00000000000000001', PLUGIN, 'stdout')).toEqual({
      bucket: 'openssm-output',
      key: `runs/2026/${COMMAND.commandId}/mi-00000000000000001/awsrunShellScript/0.awsrunShellScript/stdout`,
    });
    const odd = outputLocation(
      { ...COMMAND, outputS3BucketName: 'my-bucket', outputS3KeyPrefix: '' },
      'mi-00000000000000001',
      { name: '..', pluginName: 'aws:runShellScript', stepName: '..' },
      'stderr',
    );
    expect(odd.bucket).toBe('my-bucket');
    expect(isSafeObjectKey(odd.key)).toBe(true);
    expect(odd.key).not.toContain('/../');
  });

  it('assembles chunks that arrive out of order and twice, once complete, and checks the digest', async () => {
    const output = new CommandOutputStore(
      store,
      createLogger('debug', (line) => logs.push(line)),
    );
    const location = outputLocation(COMMAND, 'mi-00000000000000001', PLUGIN, 'stdout');
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
    const chunks = chunksOf(bytes, 4096);
    const order = [3, 0, 3, 5, 1, 9, 2, 4, 6, 8, 7, 0];
    for (const [step, index] of order.entries()) {
      const chunk = chunks[index];
      if (chunk === undefined) continue;
      if (step < order.length - 1) expect(await output.isComplete(location)).toBe(false);
      await output.write(location, chunk, bytes.length);
    }
    for (const chunk of chunks) await output.write(location, chunk, bytes.length);
    expect(await output.isComplete(location)).toBe(true);
    expect(await text((await output.read(location))!)).toBe(bytes.toString());
    expect(logs.filter((line) => line.includes('does not match'))).toEqual([]);
    // No parts and no temporary files are left behind.
    const left = readdirSync(join(dir, '.parts'), { recursive: true, withFileTypes: true });
    expect(left.filter((entry) => entry.isFile())).toEqual([]);
    const objects = readdirSync(join(dir, location.bucket), {
      recursive: true,
      withFileTypes: true,
    });
    expect(objects.filter((entry) => entry.isFile()).map((entry) => entry.name)).toEqual([
      'stdout',
    ]);
  });

  it('keeps what the node sent when the digest does not match, and says so once', async () => {
    const output = new CommandOutputStore(
      store,
      createLogger('debug', (line) => logs.push(line)),
    );
    const location = outputLocation(COMMAND, 'mi-00000000000000002', PLUGIN, 'stdout');
    const [chunk] = chunksOf(Buffer.from('hello'), 4096);
    await output.write(location, { ...chunk!, sha256: 'f'.repeat(64) }, 5);
    expect(await text((await output.read(location))!)).toBe('hello');
    expect(logs.filter((line) => line.includes('does not match'))).toHaveLength(1);
  });

  it('keeps a prefix under the cap, ending with a marker, and drops what lies beyond', async () => {
    const output = new CommandOutputStore(
      store,
      createLogger('error', () => undefined),
      10_000,
    );
    const location = outputLocation(COMMAND, 'mi-00000000000000003', PLUGIN, 'stdout');
    const bytes = Buffer.alloc(30_000, 'x');
    const chunks = chunksOf(bytes, 4096);
    for (const chunk of chunks.reverse()) await output.write(location, chunk, 10_000);
    const kept = await text((await output.read(location))!);
    expect(kept.startsWith('x'.repeat(10_000))).toBe(true);
    expect(kept.slice(10_000)).toBe(
      '\n[openssm: output truncated: 10000 of 30000 bytes kept; at most 10000 bytes of output are kept per invocation]\n',
    );
  });

  it('refuses chunks that are not chunks', () => {
    const good = {
      schemaVersion: 1,
      commandId: COMMAND.commandId,
      pluginId: 'p',
      stream: 'stdout',
      offset: 0,
      totalBytes: 3,
      sha256: 'a'.repeat(64),
      eof: true,
      data: Buffer.from('abc').toString('base64'),
    };
    expect(parseOutputChunk(JSON.stringify(good)).data.toString()).toBe('abc');
    for (const bad of [
      { ...good, stream: 'stdin' },
      { ...good, offset: -1 },
      { ...good, totalBytes: 2 },
      { ...good, sha256: 'xyz' },
      { ...good, data: 'not base64!' },
      { ...good, data: Buffer.alloc(300 * 1024).toString('base64'), totalBytes: 400 * 1024 },
    ]) {
      expect(() => parseOutputChunk(JSON.stringify(bad))).toThrow();
    }
    expect(() => parseOutputChunk('{')).toThrow();
  });

  it('refuses object keys and buckets that could leave the store', async () => {
    for (const key of ['', '/abs', 'a//b', 'a/../b', 'a/./b', 'a\\b', 'a/b/', 'nul\u0000']) {
      expect(isSafeObjectKey(key)).toBe(false);
    }
    await expect(store.put('..', 'a', Buffer.from('x'))).rejects.toThrow();
    await expect(store.put('bucket', '../a', Buffer.from('x'))).rejects.toThrow();
  });
});
