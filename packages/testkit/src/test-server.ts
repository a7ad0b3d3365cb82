// Starts a real OpenSSM server on 127.0.0.1:0 with SQLite in a fresh temporary directory, and
// tears both down. Tests get the URL and the administrator's credentials as a client would.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  resolveServerConfig,
  silentLogger,
  startServer,
  type RunningServer,
} from '@openssm/server';

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly region: string;
  readonly adminCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Stops the server and deletes its data directory. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly now?: () => number;
  /** Reuse a data directory (to test restarts); it is then not deleted by close(). */
  readonly dataDir?: string;
  /** How long a session survives its agent's data socket being gone. */
  readonly agentGraceMs?: number;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'openssm-test-')));
  const config = resolveServerConfig(
    ['--data-dir', dataDir, '--listen', '127.0.0.1:0'],
    {},
    dataDir,
  );
  const server = await startServer(config, {
    log: silentLogger,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.agentGraceMs === undefined ? {} : { agentGraceMs: options.agentGraceMs }),
  });
  const text = await readFile(server.adminCredentials.path, 'utf8');
  const accessKeyId = /aws_access_key_id = (\S+)/.exec(text)?.[1] ?? '';
  const secretAccessKey = /aws_secret_access_key = (\S+)/.exec(text)?.[1] ?? '';
  return {
    server,
    url: server.url,
    dataDir,
    region: config.region,
    adminCredentials: { accessKeyId, secretAccessKey },
    async close() {
      await server.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
