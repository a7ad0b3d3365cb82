// ShellSession against real processes in real time: a PTY shell and pipe commands driven
// through an agent DataChannel by a client DataChannel, as the session controller will wire
// them. Every wait is a poll with a deadline.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  CLOSE_FDS_SCRIPT,
  createSystemUserDirectory,
  listSessionProcesses,
  SessionError,
  ShellSession,
  SYSTEM_PATH,
  type ShellSessionOptions,
  type UserDirectory,
} from '../src/session/index.js';
import {
  PayloadFlag,
  PayloadType,
  encodeFlagPayload,
  encodeSizePayload,
  parseExitCodePayload,
} from '@openssm/protocol';
import type { ChannelConfig } from '@openssm/channel';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSessionPair, utf8, waitFor, within, type SessionPair } from './session-harness.js';

const isRoot = process.getuid?.() === 0;
const me = userInfo();
/**
 * The agent's own user with a fresh, empty home: login shells read /etc/profile but none of the
 * real user's dotfiles, which may be slow or hold locks (a pyenv rehash killed by terminate()
 * leaves its lock behind, and every later login shell waits a minute for it).
 */
const home = mkdtempSync(join(tmpdir(), 'openssm-shell-session-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const hermeticUsers: UserDirectory = {
  current: () => ({
    name: me.username,
    uid: me.uid,
    gid: me.gid,
    home,
    shell: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
  }),
  lookup: () => Promise.reject(new Error('these tests run as the agent user')),
};
const nobody = existsSync('/etc/passwd') && /^nobody:/m.test(readFileSync('/etc/passwd', 'utf8'));

interface Running {
  readonly pair: SessionPair;
  readonly session: ShellSession;
  readonly warnings: string[];
  readonly type: (text: string) => void;
}

async function run(
  options: Partial<ShellSessionOptions> = {},
  agentConfig: Partial<ChannelConfig> = {},
): Promise<Running> {
  const pair = createSessionPair(agentConfig);
  const warnings: string[] = [];
  const session = new ShellSession({
    channel: pair.agent,
    sessionType: 'Standard_Stream',
    environment: { PATH: SYSTEM_PATH, PS1: '$ ' },
    terminateGraceMs: 300,
    users: hermeticUsers,
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  pair.onAgentMessage = (message) => session.handleStreamMessage(message);
  onTestFinished(async () => {
    pair.release();
    await within(
      session.terminate().catch(() => undefined),
      'cleanup terminate',
      5000,
    );
    pair.close();
  });
  await session.start();
  return {
    pair,
    session,
    warnings,
    type: (text) => void pair.client.send(PayloadType.Output, utf8(text)),
  };
}

/**
 * Lines of a PTY transcript as a terminal shows them: escape sequences (bash's bracketed-paste
 * switches) removed, a carriage return overwriting the line. The echo of a typed command thus
 * never equals its output.
 */
function lines(pair: SessionPair): string[] {
  return (
    pair
      .text()
      // eslint-disable-next-line no-control-regex -- ESC is exactly what this removes
      .replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '')
      .split(/\r?\n/)
      .map((line) => line.slice(line.lastIndexOf('\r') + 1))
  );
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('ShellSession with a PTY (Standard_Stream)', () => {
  it('runs what the client types and sends the output back', async () => {
    const { pair, type } = await run();
    type('echo $((6*7))\r');
    await waitFor(() => lines(pair).includes('42'), 'the output 42');
    for (const message of pair.received) {
      expect(message.payloadType).toBe(PayloadType.Output);
      expect(message.payload.length).toBeLessThanOrEqual(1024);
    }
  });

  it('applies a Size message to the terminal', async () => {
    const { pair, type } = await run();
    void pair.client.send(PayloadType.Size, encodeSizePayload({ cols: 132, rows: 50 }));
    type('stty size\r');
    await waitFor(() => lines(pair).includes('50 132'), 'stty size to print 50 132');
  });

  it('never splits a UTF-8 character across two messages', async () => {
    const { pair, type } = await run();
    // Typed as octal escapes so the echoed command line is ASCII; 2-, 3- and 4-byte characters.
    const unit = 'h\\303\\251llo \\342\\202\\254 \\360\\235\\204\\236 \\346\\227\\245 ';
    type(`for i in $(seq 1 400); do printf '${unit}'; done; echo; echo E''ND\r`);
    await waitFor(() => lines(pair).includes('END'), 'the end marker', 8000);
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const message of pair.received) expect(() => strict.decode(message.payload)).not.toThrow();
    expect(pair.text()).toContain('héllo € 𝄞 日 '.repeat(400));
  });

  it('ends with the exit code of the shell and sends no ExitCode payload, as AWS', async () => {
    const { pair, session, type } = await run();
    type('exit 3\r');
    await expect(within(session.done, 'the shell to exit')).resolves.toEqual({
      exitCode: 3,
      terminated: false,
    });
    expect(pair.received.some((m) => m.payloadType === PayloadType.ExitCode)).toBe(false);
    // done waited for the client to acknowledge everything.
    expect(pair.agent.inFlight).toBe(0);
    expect(
      session.handleStreamMessage({
        sequenceNumber: 99,
        messageId: 'x',
        payloadType: 1,
        payload: utf8('late'),
      }),
    ).toBe(true);
  });

  it('types the shell profile as the first input line', async () => {
    const { pair, type } = await run({ shellProfile: { linux: 'export PROFILED=$((20+22))' } });
    type('echo "v=$PROFILED"\r');
    await waitFor(() => lines(pair).includes('v=42'), 'the variable the profile set');
  });

  it('terminate() hangs up the shell and its jobs and kills what ignores the hangup', async () => {
    const { session, type } = await run();
    type('sleep 1000 & nohup sleep 1001 >/dev/null 2>&1 & sleep 1002\r');
    const pid = session.pid!;
    let members: number[] = [];
    await waitFor(async () => {
      members = await listSessionProcesses(pid);
      return members.length >= 4;
    }, 'the shell and three sleeps');
    await expect(within(session.terminate(), 'terminate')).resolves.toMatchObject({
      exitCode: null,
      terminated: true,
    });
    for (const member of members) expect(isRunning(member), `pid ${member}`).toBe(false);
    expect(await listSessionProcesses(pid)).toEqual([]);
  });

  it('ends on the TerminateSession flag', async () => {
    const { pair, session } = await run();
    void pair.client.send(PayloadType.Flag, encodeFlagPayload(PayloadFlag.TerminateSession));
    await expect(within(session.done, 'the flag to end the session')).resolves.toMatchObject({
      terminated: true,
    });
  });

  it('delivers a flood completely and in order while the client does not read, in bounded memory', async () => {
    const { pair, type } = await run();
    const count = 200_000;
    pair.holdClientBound();
    type(`seq 1 ${count}; echo E''ND\r`);
    // The window fills, then the shell must be paused: the queue stays small.
    const { windowSize } = pair.agent.currentConfig;
    await waitFor(() => pair.agent.inFlight >= windowSize, 'the window to fill');
    let maxQueued = 0;
    const until = Date.now() + 300;
    await waitFor(() => {
      maxQueued = Math.max(maxQueued, pair.agent.queued);
      return Date.now() > until;
    }, 'a while of backpressure');
    expect(pair.agent.inFlight).toBeLessThanOrEqual(windowSize);
    // One PTY read (≤ 64 KiB) can be in the queue while the shell is paused, never more.
    expect(maxQueued).toBeLessThanOrEqual(128);
    pair.release();
    await waitFor(() => lines(pair).includes('END'), 'the end of the flood', 15_000);
    const all = lines(pair);
    const first = all.findIndex((line, i) => line === '1' && all[i + 1] === '2');
    expect(first).toBeGreaterThanOrEqual(0);
    const numbers = all.slice(first, first + count);
    expect(numbers.length).toBe(count);
    numbers.forEach((line, i) => {
      if (line !== String(i + 1)) expect.fail(`line ${i + 1} is ${JSON.stringify(line)}`);
    });
  }, 20_000);
});

describe('ShellSession input', () => {
  it('delivers a large paste to a program that reads it late, every byte once and in order', async () => {
    const size = 2 * 1024 * 1024; // twice the agent's input bound: the client must resend
    const { pair, session } = await run({
      sessionType: 'InteractiveCommands',
      // Raw mode so the line discipline passes bytes as they are; the pause lets input pile up.
      command: `stty raw -echo; sleep 0.5; head -c ${size} | sha256sum`,
    });
    const input = new Uint8Array(size);
    for (let i = 0; i < size; i++) input[i] = 0x21 + ((i * 7) % 90);
    const expected = createHash('sha256').update(input).digest('hex');
    await waitFor(() => session.pid !== undefined, 'the command to start');
    await pair.client.send(PayloadType.Output, input);
    await expect(within(session.done, 'the command', 20_000)).resolves.toMatchObject({
      exitCode: 0,
    });
    expect(pair.text()).toContain(expected);
  }, 30_000);
});

describe('ShellSession with a command', () => {
  it('InteractiveCommands runs the command in a PTY and ends with its exit code', async () => {
    const { pair, session } = await run({
      sessionType: 'InteractiveCommands',
      command: 'tty >/dev/null && echo has-tty; exit 7',
    });
    await expect(within(session.done, 'the command')).resolves.toEqual({
      exitCode: 7,
      terminated: false,
    });
    expect(lines(pair)).toContain('has-tty');
  });

  it('keeps the last output of a PTY command that exits while the output is paused', async () => {
    // An 8-message window fills long before the command ends (16 KB); the rest fits in the
    // terminal's buffers (Linux gives a pty about 12 KB), so the command exits while the
    // session holds the PTY paused.
    const { pair, session } = await run(
      { sessionType: 'InteractiveCommands', command: 'seq 1 3500' },
      { windowSize: 8 },
    );
    pair.holdClientBound();
    await waitFor(() => !isRunning(session.pid!), 'the command to finish');
    // What the process wrote before it exited may still be on its way into the window.
    await waitFor(() => pair.agent.inFlight === 8, 'a full window');
    // Longer than node-pty's 200 ms between the exit and dropping unread output.
    await new Promise((resolve) => setTimeout(resolve, 400));
    pair.release();
    await expect(within(session.done, 'the session to end')).resolves.toMatchObject({
      exitCode: 0,
    });
    const all = lines(pair).filter((line) => line !== '');
    expect(all).toEqual(Array.from({ length: 3500 }, (_, i) => String(i + 1)));
  });

  it('NonInteractiveCommands with separate streams sends StdErr and ExitCode, as AWS', async () => {
    const { pair, session } = await run({
      sessionType: 'NonInteractiveCommands',
      command: `sh -c "echo out; echo err >&2; exit 5"`,
      separateOutputStream: { stdoutPrefix: 'OUT:', stderrPrefix: 'ERR:' },
    });
    await expect(within(session.done, 'the command')).resolves.toEqual({
      exitCode: 5,
      terminated: false,
    });
    expect(pair.text(PayloadType.Output)).toBe('OUT:out\n');
    expect(pair.text(PayloadType.StdErr)).toBe('ERR:err\n');
    const last = pair.received.at(-1)!;
    expect(last.payloadType).toBe(PayloadType.ExitCode);
    expect(parseExitCodePayload(last.payload)).toBe(5);
  });

  it('NonInteractiveCommands merges stdout and stderr in order and sends no ExitCode', async () => {
    const { pair, session } = await run({
      sessionType: 'NonInteractiveCommands',
      command: `sh -c 'echo a; echo b >&2; echo c; exit 4'`,
    });
    await expect(within(session.done, 'the command')).resolves.toEqual({
      exitCode: 4,
      terminated: false,
    });
    expect(pair.text()).toBe('a\nb\nc\n');
    expect(pair.received.every((m) => m.payloadType === PayloadType.Output)).toBe(true);
  });

  it('NonInteractiveCommands keeps all output of a command that exits while the output is paused', async () => {
    const { pair, session } = await run(
      { sessionType: 'NonInteractiveCommands', command: 'seq 1 10000' },
      { windowSize: 20 },
    );
    pair.holdClientBound();
    await waitFor(() => !isRunning(session.pid!), 'the command to finish');
    // What the process wrote before it exited may still be on its way into the window.
    await waitFor(() => pair.agent.inFlight === 20, 'a full window');
    await new Promise((resolve) => setTimeout(resolve, 400));
    pair.release();
    await expect(within(session.done, 'the session to end')).resolves.toMatchObject({
      exitCode: 0,
    });
    const expected = Array.from({ length: 10_000 }, (_, i) => `${i + 1}\n`).join('');
    expect(pair.text() === expected).toBe(true);
  });

  it('NonInteractiveCommands turns Ctrl-C into SIGINT and reports -1 for a signal', async () => {
    const { pair, session } = await run({
      sessionType: 'NonInteractiveCommands',
      command: 'sleep 1000',
      separateOutputStream: {},
    });
    void pair.client.send(PayloadType.Output, utf8('x\u0003'));
    await expect(within(session.done, 'the interrupt')).resolves.toEqual({
      exitCode: null,
      signal: 2,
      terminated: false,
    });
    expect(parseExitCodePayload(pair.received.at(-1)!.payload)).toBe(-1);
  });

  it('NonInteractiveCommands reports a command that cannot start', async () => {
    const { pair, session } = await run({
      sessionType: 'NonInteractiveCommands',
      command: '/nonexistent/program',
      separateOutputStream: {},
    });
    await expect(within(session.done, 'the failure')).resolves.toMatchObject({ exitCode: 1 });
    expect(pair.text(PayloadType.StdErr)).toMatch(/^Error occurred starting the command: .*ENOENT/);
    expect(pair.received.some((m) => m.payloadType === PayloadType.ExitCode)).toBe(true);
  });
});

describe('ShellSession isolation', () => {
  /**
   * Terminal devices a process holds open, once it runs the session's program: it no longer runs
   * Node, nor the wrapper that closes inherited descriptors (whose argv holds its script).
   */
  async function terminalsOf(pid: number): Promise<string[]> {
    await waitFor(() => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        // An empty cmdline is a process inside execve (the new image's arguments are not set
        // up yet): its descriptors are still the wrapper's, before the closing loop ran.
        return (
          cmdline !== '' &&
          readlinkSync(`/proc/${pid}/exe`) !== readlinkSync('/proc/self/exe') &&
          !cmdline.includes(CLOSE_FDS_SCRIPT)
        );
      } catch {
        return false;
      }
    }, `process ${pid} to exec the session's program`);
    return readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((target) => target.startsWith('/dev/pt'));
  }

  // Regression: node-pty 1.1 leaves each PTY master without FD_CLOEXEC, so every process started
  // later inherited the masters (/dev/ptmx) of the sessions already running and could read and
  // type into them. The spawners now start the program through a shell that closes every
  // descriptor above 2 first (close-inherited-fds.ts); without it both tests see /dev/ptmx.
  it('a PTY session holds no other session’s terminal', async () => {
    const first = await run({ sessionType: 'InteractiveCommands', command: 'sleep 30' });
    const second = await run({ sessionType: 'InteractiveCommands', command: 'sleep 30' });
    // Each session holds its own terminal only (stdin, stdout, stderr, and any duplicate the
    // shell opens of it) and never a PTY master: a leaked master shows up as /dev/ptmx.
    for (const session of [first, second]) {
      const pid = session.session.pid!;
      const held = new Set(await terminalsOf(pid));
      // On failure, say exactly what the process holds: the next occurrence must be diagnosable.
      const detail = () =>
        `${session === first ? 'first' : 'second'} session (pid ${pid}, ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 120)}) holds ` +
        readdirSync(`/proc/${pid}/fd`)
          .map((fd) => `${fd}->${readlinkSync(`/proc/${pid}/fd/${fd}`)}`)
          .join(' ');
      expect(held.size, held.size === 1 ? '' : detail()).toBe(1);
      expect([...held][0]).toMatch(/^\/dev\/pts\/\d+$/);
    }
    const [ownOfFirst] = await terminalsOf(first.session.pid!);
    const [ownOfSecond] = await terminalsOf(second.session.pid!);
    expect(ownOfSecond).not.toBe(ownOfFirst);
  });

  it('a pipe command holds no terminal of a running session', async () => {
    await run({ sessionType: 'InteractiveCommands', command: 'sleep 30' });
    const command = await run({ sessionType: 'NonInteractiveCommands', command: 'sleep 30' });
    expect(await terminalsOf(command.session.pid!)).toEqual([]);
  });
});

describe('ShellSession run-as', () => {
  it('runs as the agent user when runAs names it', async () => {
    const { pair, session } = await run({
      sessionType: 'InteractiveCommands',
      command: 'id -un; pwd',
      runAs: { user: me.username },
      users: createSystemUserDirectory(),
    });
    await expect(within(session.done, 'the command')).resolves.toMatchObject({ exitCode: 0 });
    expect(lines(pair)).toEqual(expect.arrayContaining([me.username, me.homedir]));
  });

  it.skipIf(!isRoot || !nobody)(
    'switches to another user with only that user’s groups (needs root and a nobody user)',
    async () => {
      const { pair, session } = await run({
        sessionType: 'InteractiveCommands',
        command: 'id -u; id -G; echo "home=$HOME user=$USER"; stat -c %U $(tty)',
        runAs: { user: 'nobody' },
        users: createSystemUserDirectory(),
      });
      await expect(within(session.done, 'the command')).resolves.toMatchObject({ exitCode: 0 });
      const out = lines(pair);
      expect(out).toContain('65534');
      const groups = out[out.indexOf('65534') + 1]!.split(' ');
      expect(groups).not.toContain('0');
      expect(out).toContain('home=/nonexistent user=nobody');
      expect(out).toContain('nobody');
    },
  );

  it('refuses another user when the agent is not root, with AWS’s message', async () => {
    const users: UserDirectory = {
      current: () => ({
        name: 'alice',
        uid: 1000,
        gid: 1000,
        home: '/home/alice',
        shell: '/bin/sh',
      }),
      lookup: () => Promise.reject(new Error('must not be called')),
    };
    const pair = createSessionPair();
    onTestFinished(() => pair.close());
    const session = new ShellSession({
      channel: pair.agent,
      sessionType: 'Standard_Stream',
      runAs: { user: 'bob' },
      users,
    });
    const failure = session.start();
    await expect(failure).rejects.toBeInstanceOf(SessionError);
    await expect(failure).rejects.toMatchObject({ code: 'RunAsNotPermitted' });
    await expect(failure).rejects.toThrow(/^the agent must run as root to use RunAs/);
    await expect(session.done).rejects.toBe(await failure.catch((error: unknown) => error));
  });
});
