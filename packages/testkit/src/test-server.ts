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
  type StartOptions,
} from '@openssm/server';

export interface TestServer {
  readonly server: RunningServer;
  /** Where clients reach the API: publicUrl when one was given. */
  readonly url: string;
  /** The listener's own address, `http(s)://127.0.0.1:<port>` (for agents when url is a proxy). */
  readonly directUrl: string;
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
  /**
   * The server's `--public-url`: StartSession's StreamUrls and `url` point there (say a
   * TcpProxy in front of the server) instead of at the listener.
   */
  readonly publicUrl?: string;
  /** More `openssm server` flags, e.g. `['--tls-self-signed']`. */
  readonly extraArgs?: readonly string[];
  /** Receives every API call's audit event (the audit trail records them too). */
  readonly audit?: StartOptions['audit'];
  /** Where recordings go instead of DATA_DIR/objects (fault injection). */
  readonly objectStore?: StartOptions['objectStore'];
  /** Wraps the log store session transcripts are written to (fault injection). */
  readonly wrapLogService?: StartOptions['wrapLogService'];
  /** How often Run Command looks at timeouts and retries (ms). */
  readonly commandTickMs?: number;
  /** A logger (default: silent). */
  readonly log?: StartOptions['log'];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'openssm-test-')));
  const config = resolveServerConfig(
    [
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      ...(options.publicUrl === undefined ? [] : ['--public-url', options.publicUrl]),
      ...(options.extraArgs ?? []),
    ],
    {},
    dataDir,
  );
  const server = await startServer(config, {
    log: options.log ?? silentLogger,
    ...(options.commandTickMs === undefined ? {} : { commandTickMs: options.commandTickMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.agentGraceMs === undefined ? {} : { agentGraceMs: options.agentGraceMs }),
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.objectStore === undefined ? {} : { objectStore: options.objectStore }),
    ...(options.wrapLogService === undefined ? {} : { wrapLogService: options.wrapLogService }),
  });
  const tls = config.tlsSelfSigned || config.tlsCert !== undefined;
  const text = await readFile(server.adminCredentials.path, 'utf8');
  const accessKeyId = /aws_access_key_id = (\S+)/.exec(text)?.[1] ?? '';
  const secretAccessKey = /aws_secret_access_key = (\S+)/.exec(text)?.[1] ?? '';
  return {
    server,
    url: server.url,
    directUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}`,
    dataDir,
    region: config.region,
    adminCredentials: { accessKeyId, secretAccessKey },
    async close() {
      await server.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
