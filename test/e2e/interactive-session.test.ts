// Interactive sessions as an operator has them: a real openssm-agent process registered with
// a real activation, and a terminal (tmux) running either Debian's `aws ssm start-session` with
// our session-manager-plugin on PATH, or `openssm connect`. Typing, resizing and exiting are
// checked on the screen.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  operatorEnvironment,
  pollUntil,
  startTestAgent,
  startTestServer,
  TmuxTerminal,
  WORKSPACE_BIN,
  type TestAgent,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: TestServer;
let agent: TestAgent;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-e2e-'));
  server = await startTestServer();
  agent = await startTestAgent(server, { stateDir: join(workDir, 'agent'), name: 'e2e-node' });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

function clientEnv(): Record<string, string> {
  return operatorEnvironment(server, workDir);
}

async function exerciseShell(terminal: TmuxTerminal): Promise<void> {
  await terminal.waitFor(/Starting session with SessionId: \S+/, 'the session to start');
  await terminal.type('echo $((6*7))');
  await terminal.waitFor(/^42\s*$/m, '42 on the screen');
  await terminal.resize({ columns: 100, rows: 30 });
  // The client checks the size and sends it; ask until the node reports the new one.
  await pollUntil(async () => {
    await terminal.type('stty size');
    return /^30 100\s*$/m.test(await terminal.screen()) ? true : undefined;
  }, 'the new terminal size on the node');
  await terminal.type('exit');
}

describe('interactive sessions end to end', () => {
  it('aws ssm start-session with our session-manager-plugin: type, resize, exit', async () => {
    const terminal = new TmuxTerminal();
    try {
      await terminal.start(
        `/usr/bin/aws --endpoint-url ${server.url} ssm start-session --target ${agent.instanceId}`,
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
    const terminal = new TmuxTerminal();
    try {
      await terminal.start(`${join(WORKSPACE_BIN, 'openssm')} connect e2e-node`, clientEnv());
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
