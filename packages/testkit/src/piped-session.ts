// `openssm connect <target>` as a child process with its input piped (no terminal): tests type
// lines into the node's shell, wait for what it prints, and see how the session ended. The CLI
// is the one an operator runs, talking to the server with the administrator's credentials.

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pollUntil } from './poll-until.js';
import type { TestServer } from './test-server.js';

const BIN = resolve(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin');

export interface PipedSession {
  readonly process: ChildProcess;
  /** Everything printed so far (stdout and stderr interleaved as they arrived). */
  output(): string;
  /** Writes `line` and a newline to the remote shell. */
  type(line: string): void;
  /** Resolves once the output matches `pattern` (bounded by the poll deadline). */
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
  /** The exit status once the CLI has exited. */
  readonly exited: Promise<number | null>;
  /** Kills the CLI if it still runs. */
  stop(): Promise<void>;
}

export function startPipedSession(
  server: Pick<TestServer, 'url' | 'region' | 'adminCredentials'>,
  target: string,
  /** More environment for the CLI (AWS_CA_BUNDLE for a server with a private CA). */
  extraEnv: Readonly<Record<string, string>> = {},
): PipedSession {
  const child = spawn(join(BIN, 'openssm'), ['connect', target], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
      AWS_REGION: server.region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      OPENSSM_ENDPOINT: server.url,
      ...extraEnv,
    },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    process: child,
    output: () => text,
    type: (line) => void child.stdin.write(`${line}\n`),
    async waitFor(pattern, what, timeoutMs) {
      await pollUntil(
        () => pattern.test(text),
        () => `${what}; the session printed:\n${text.slice(-2000)}`,
        timeoutMs,
      );
    },
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
