// Interactive sessions as an operator has them: a real openssm-agent process registered with
// a real activation, and a terminal (tmux) running either Debian's `aws ssm start-session` with
// our session-manager-plugin on PATH, or `openssm connect`. Typing, resizing and exiting are
// checked on the screen.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer, pollUntil } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

let server: TestServer;
let agent: ChildProcess;
let workDir: string;
let instanceId: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-e2e-'));
  server = await startTestServer();
  const ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
  });
  const activation = await ssm.send(
    new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole', DefaultInstanceName: 'e2e-node' }),
  );
  ssm.destroy();
  const stateDir = join(workDir, 'agent');
  await execFileAsync(join(BIN, 'openssm-agent'), [
    'register',
    '--server',
    server.url,
    '--activation-code',
    activation.ActivationCode!,
    '--activation-id',
    activation.ActivationId!,
    '--state-dir',
    stateDir,
  ]);
  instanceId = (
    JSON.parse(await readFile(join(stateDir, 'registration.json'), 'utf8')) as {
      instanceId: string;
    }
  ).instanceId;
  agent = spawn(join(BIN, 'openssm-agent'), ['run', '--state-dir', stateDir], { stdio: 'ignore' });
  await pollUntil(
    () => (server.server.services.connections.isConnected(instanceId) ? true : undefined),
    'the agent to connect',
  );
}, 60_000);

afterAll(async () => {
  agent?.kill('SIGTERM');
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** A tmux server of our own, so tests never touch a user's tmux. */
class Terminal {
  private readonly socket = `openssm-e2e-${process.pid}-${Math.random().toString(36).slice(2)}`;

  async start(command: string, env: Record<string, string>): Promise<void> {
    const exports = Object.entries(env)
      .map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'`)
      .join(' ');
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      '120',
      '-y',
      '40',
      `env -i ${exports} ${command}; sleep 60`,
    );
    await this.tmux('set-option', '-g', 'window-size', 'manual');
  }

  tmux(...args: string[]) {
    return execFileAsync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args]);
  }

  async screen(): Promise<string> {
    return (await this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'main')).stdout;
  }

  async waitFor(pattern: RegExp, what: string): Promise<string> {
    return pollUntil(
      async () => {
        const text = await this.screen();
        return pattern.test(text) ? text : undefined;
      },
      `${what}; screen:\n${await this.screen().catch(() => '')}`,
    );
  }

  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', '-l', text);
    await this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}

function clientEnv(): Record<string, string> {
  return {
    PATH: `${BIN}:/usr/local/bin:/usr/bin:/bin`,
    HOME: workDir,
    TERM: 'xterm-256color',
    AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    AWS_REGION: server.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    OPENSSM_ENDPOINT: server.url,
  };
}

async function exerciseShell(terminal: Terminal): Promise<void> {
  await terminal.waitFor(/Starting session with SessionId: \S+/, 'the session to start');
  await terminal.type('echo $((6*7))');
  await terminal.waitFor(/^42\s*$/m, '42 on the screen');
  await terminal.tmux('resize-window', '-t', 'main', '-x', '100', '-y', '30');
  // The client checks the size and sends it; ask until the node reports the new one.
  await pollUntil(async () => {
    await terminal.type('stty size');
    return /^30 100\s*$/m.test(await terminal.screen()) ? true : undefined;
  }, 'the new terminal size on the node');
  await terminal.type('exit');
}

describe('interactive sessions end to end', () => {
  it('aws ssm start-session with our session-manager-plugin: type, resize, exit', async () => {
    const terminal = new Terminal();
    try {
      await terminal.start(
        `/usr/bin/aws --endpoint-url ${server.url} ssm start-session --target ${instanceId}`,
        clientEnv(),
      );
      await exerciseShell(terminal);
      const screen = await terminal.waitFor(
        /Exiting session with sessionId: \S+\./,
        'the plugin’s exit message',
      );
      expect(screen).toMatch(/^42\s*$/m);
    } finally {
      await terminal.close();
    }
  }, 90_000);

  it('openssm connect by node name: type, resize, exit', async () => {
    const terminal = new Terminal();
    try {
      await terminal.start(`${join(BIN, 'openssm')} connect e2e-node`, clientEnv());
      await exerciseShell(terminal);
      const screen = await terminal.waitFor(
        /Exiting session with sessionId: \S+\./,
        'the exit message',
      );
      expect(screen).toMatch(/^30 100\s*$/m);
    } finally {
      await terminal.close();
    }
  }, 90_000);
});
