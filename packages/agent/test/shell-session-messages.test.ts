// ShellSession's handling of client messages, its life cycle and its backpressure, driven with
// a fake process (no PTY), so every branch is reached deterministically.

import { DataChannel } from '@openssm/channel';
import { PayloadFlag, PayloadType, encodeFlagPayload, encodeSizePayload } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  SessionError,
  ShellSession,
  type LaunchPlan,
  type OutputStream,
  type ProcessExit,
  type SessionUser,
  type ShellSessionOptions,
  type UserDirectory,
} from '../src/session/index.js';
import { realEnvironment, utf8, within } from './session-harness.js';

const me: SessionUser = { name: 'me', uid: 1000, gid: 1000, home: '/', shell: '/bin/sh' };
const users: UserDirectory = { current: () => me, lookup: () => Promise.resolve(undefined) };

class FakeProcess {
  readonly pid = undefined;
  readonly writes: string[] = [];
  readonly sizes: [number, number][] = [];
  readonly signals: string[] = [];
  paused = false;
  resizeError: Error | undefined;
  private dataListener: ((bytes: Uint8Array, stream: OutputStream) => void) | undefined;
  private exitListener: ((exit: ProcessExit) => void) | undefined;

  constructor(readonly plan: LaunchPlan) {}

  onData(listener: (bytes: Uint8Array, stream: OutputStream) => void): void {
    this.dataListener = listener;
  }
  onExit(listener: (exit: ProcessExit) => void): void {
    this.exitListener = listener;
  }
  /** Plays a program with a full input queue: writes are refused until set back. */
  inputFull = false;
  write(bytes: Uint8Array): boolean {
    if (this.inputFull) return false;
    this.writes.push(new TextDecoder().decode(bytes));
    return true;
  }
  resize(cols: number, rows: number): void {
    if (this.resizeError) throw this.resizeError;
    this.sizes.push([cols, rows]);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  signal(signal: NodeJS.Signals): void {
    this.signals.push(signal);
  }
  emit(text: string | Uint8Array, stream: OutputStream = 'stdout'): void {
    this.dataListener!(typeof text === 'string' ? utf8(text) : text, stream);
  }
  exit(exit: ProcessExit): void {
    this.exitListener!(exit);
  }
}

interface Fixture {
  readonly session: ShellSession;
  readonly channel: DataChannel;
  readonly sent: { payloadType: number; text: string }[];
  readonly warnings: string[];
  readonly process: () => FakeProcess;
}

/** A session on an agent channel whose frames go nowhere (or are recorded when `record`). */
function fixture(options: Partial<ShellSessionOptions> = {}, record = true): Fixture {
  const sent: Fixture['sent'] = [];
  const channel = new DataChannel({
    role: 'agent',
    environment: realEnvironment,
    handlers: { onStreamMessage: () => true },
    config: { windowSize: 4 },
  });
  if (record) {
    const original = channel.send.bind(channel);
    channel.send = (payloadType, payload) => {
      sent.push({ payloadType, text: new TextDecoder().decode(payload) });
      return original(payloadType, payload);
    };
  }
  const warnings: string[] = [];
  let fake: FakeProcess | undefined;
  const session = new ShellSession({
    channel,
    sessionType: 'Standard_Stream',
    users,
    drainTimeoutMs: 30,
    onWarning: (message) => warnings.push(message),
    spawn: (plan) => (fake = new FakeProcess(plan)),
    ...options,
  });
  return { session, channel, sent, warnings, process: () => fake! };
}

const message = (payloadType: number, payload: Uint8Array) => ({
  sequenceNumber: 0,
  messageId: 'm',
  payloadType,
  payload,
});

describe('ShellSession messages', () => {
  it('is not ready before the process runs, so the client resends', async () => {
    const { session } = fixture();
    expect(session.handleStreamMessage(message(PayloadType.Output, utf8('ls\r')))).toBe(false);
    const starting = session.start();
    expect(session.handleStreamMessage(message(PayloadType.Output, utf8('ls\r')))).toBe(false);
    await starting;
    expect(session.handleStreamMessage(message(PayloadType.Output, utf8('ls\r')))).toBe(true);
    await expect(session.start()).rejects.toThrow('may be called once');
  });

  it('writes keystrokes to the terminal and resizes it', async () => {
    const { session, process, warnings } = fixture();
    await session.start();
    session.handleStreamMessage(message(PayloadType.Output, utf8('ls\r')));
    session.handleStreamMessage(
      message(PayloadType.Size, encodeSizePayload({ cols: 120, rows: 40 })),
    );
    expect(process().writes).toEqual(['ls\r']);
    expect(process().sizes).toEqual([[120, 40]]);
    expect(warnings).toEqual([]);
  });

  it('is not ready while the program has too much unread input, and takes the resend', async () => {
    const { session, process } = fixture();
    await session.start();
    process().inputFull = true;
    expect(session.handleStreamMessage(message(PayloadType.Output, utf8('a')))).toBe(false);
    process().inputFull = false;
    expect(session.handleStreamMessage(message(PayloadType.Output, utf8('a')))).toBe(true);
    expect(process().writes).toEqual(['a']);
  });

  it('ignores sizes that are unknown, impossible or not JSON, with a warning where it matters', async () => {
    const { session, process, warnings } = fixture();
    await session.start();
    for (const payload of [
      encodeSizePayload({ cols: 0, rows: 0 }),
      encodeSizePayload({ cols: 80, rows: 0 }),
      encodeSizePayload({ cols: 70_000, rows: 24 }),
      utf8('{"cols":"wide"}'),
      utf8('not json'),
    ]) {
      expect(session.handleStreamMessage(message(PayloadType.Size, payload))).toBe(true);
    }
    expect(process().sizes).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/terminal size of 70000×24/);
    expect(warnings[1]).toMatch(/^ignored an invalid Size payload/);
    process().resizeError = new Error('EBADF');
    session.handleStreamMessage(
      message(PayloadType.Size, encodeSizePayload({ cols: 90, rows: 30 })),
    );
    expect(warnings.at(-1)).toMatch(/resizing the terminal failed: Error: EBADF/);
  });

  it('warns about flags other than TerminateSession and other payload types pass silently', async () => {
    const { session, warnings } = fixture();
    await session.start();
    expect(
      session.handleStreamMessage(
        message(PayloadType.Flag, encodeFlagPayload(PayloadFlag.DisconnectToPort)),
      ),
    ).toBe(true);
    expect(session.handleStreamMessage(message(PayloadType.Flag, Uint8Array.of(1, 2)))).toBe(true);
    expect(session.handleStreamMessage(message(PayloadType.Parameter, utf8('x')))).toBe(true);
    expect(warnings).toEqual([
      'ignored flag 1, which means nothing to a shell session',
      expect.stringMatching(/^ignored an invalid Flag payload/),
    ]);
  });

  it('ends on TerminateSession once the process exits, and drops what comes after', async () => {
    const { session, process } = fixture();
    await session.start();
    session.handleStreamMessage(
      message(PayloadType.Flag, encodeFlagPayload(PayloadFlag.TerminateSession)),
    );
    process().exit({ exitCode: null, signal: 1 });
    await expect(within(session.done, 'done')).resolves.toEqual({
      exitCode: null,
      signal: 1,
      terminated: true,
    });
    expect(session.handleStreamMessage(message(PayloadType.Output, utf8('late')))).toBe(true);
    expect(process().writes).toEqual([]);
    await expect(session.terminate()).resolves.toMatchObject({ terminated: true });
  });

  it('without a terminal turns only Ctrl-C and Ctrl-\\ into signals and ignores Size', async () => {
    const { session, process } = fixture({
      sessionType: 'NonInteractiveCommands',
      command: 'sleep 9',
    });
    await session.start();
    expect(process().plan.terminal).toBe(false);
    session.handleStreamMessage(message(PayloadType.Output, utf8('abc')));
    session.handleStreamMessage(message(PayloadType.Output, utf8('a\u001cb\u0003')));
    session.handleStreamMessage(message(PayloadType.Size, encodeSizePayload({ cols: 1, rows: 1 })));
    expect(process().signals).toEqual(['SIGQUIT']);
    expect(process().writes).toEqual([]);
    expect(process().sizes).toEqual([]);
  });
});

describe('ShellSession life cycle', () => {
  it('types the shell profile only into Standard_Stream', async () => {
    const standard = fixture({ shellProfile: { linux: 'cd /srv' } });
    await standard.session.start();
    expect(standard.process().writes).toEqual(['cd /srv\n']);
    const blank = fixture({ shellProfile: { linux: '  ' } });
    await blank.session.start();
    expect(blank.process().writes).toEqual([]);
    const interactive = fixture({
      sessionType: 'InteractiveCommands',
      command: 'top',
      shellProfile: { linux: 'cd /srv' },
    });
    await interactive.session.start();
    expect(interactive.process().writes).toEqual([]);
  });

  it('terminate() before start() ends the session at once', async () => {
    const { session } = fixture();
    await expect(session.terminate()).resolves.toEqual({ exitCode: null, terminated: true });
  });

  it('terminate() while the user is looked up never starts the process', async () => {
    let answer!: (user: SessionUser | undefined) => void;
    const slow: UserDirectory = {
      current: () => ({ ...me, uid: 0 }),
      lookup: () => new Promise((resolve) => (answer = resolve)),
    };
    let spawned = false;
    const { session } = fixture({
      users: slow,
      runAs: { user: 'bob' },
      spawn: () => {
        spawned = true;
        throw new Error('must not spawn');
      },
    });
    const starting = session.start();
    await new Promise((resolve) => setImmediate(resolve));
    const done = session.terminate();
    answer({ ...me, name: 'bob', uid: 1001 });
    await starting;
    await expect(done).resolves.toEqual({ exitCode: null, terminated: true });
    expect(spawned).toBe(false);
  });

  it('reports a process that cannot be spawned and bad separator prefixes as SessionError', async () => {
    const broken = fixture({
      spawn: () => {
        throw new Error('forkpty(3) failed.');
      },
    });
    await expect(broken.session.start()).rejects.toMatchObject({
      code: 'SpawnFailed',
      message: 'Failed to start pty: Error: forkpty(3) failed.',
    });
    await expect(broken.session.done).rejects.toBeInstanceOf(SessionError);
    const prefixed = fixture({
      sessionType: 'NonInteractiveCommands',
      command: 'ls',
      separateOutputStream: { stdoutPrefix: 'ok', stderrPrefix: 'not ok!' },
    });
    await expect(prefixed.session.start()).rejects.toMatchObject({
      code: 'SeparatorPrefixInvalid',
      message: 'invalid stderrSeparatorPrefix not ok!',
    });
  });

  it('pauses the process while the window is full and gives up cleanly when the channel closes', async () => {
    // No transport: nothing is ever acknowledged, so the 4-message window fills.
    const { session, channel, process, warnings } = fixture({}, false);
    await session.start();
    process().emit('x'.repeat(3 * 1024));
    expect(process().paused).toBe(false);
    process().emit('y'.repeat(2 * 1024));
    expect(channel.queued).toBe(1);
    expect(process().paused).toBe(true);
    channel.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(process().paused).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/^output dropped, the channel refused it/)]);
    process().emit('more');
    process().exit({ exitCode: 0 });
    await expect(within(session.done, 'done')).resolves.toEqual({ exitCode: 0, terminated: false });
  });

  it('stops waiting for acknowledgements after the drain timeout', async () => {
    const { session, channel, process } = fixture({}, false);
    await session.start();
    process().emit('bye');
    process().exit({ exitCode: 0 });
    await expect(within(session.done, 'done')).resolves.toEqual({ exitCode: 0, terminated: false });
    expect(channel.inFlight).toBe(1);
  });

  it('sends separate streams with their prefixes, a held-back character at the end, then the exit code', async () => {
    const { session, process, sent } = fixture({
      sessionType: 'NonInteractiveCommands',
      command: 'x',
      separateOutputStream: { stdoutPrefix: 'O:', stderrPrefix: 'E:' },
    });
    await session.start();
    process().emit('a\nb');
    process().emit('c\n');
    process().emit('d\n');
    process().emit('oops\n', 'stderr');
    process().emit(Uint8Array.of(0x65, 0xe2, 0x82));
    process().exit({ exitCode: 2 });
    await within(session.done, 'done');
    expect(sent).toEqual([
      { payloadType: PayloadType.Output, text: 'O:a\nb' },
      { payloadType: PayloadType.Output, text: 'c\n' },
      { payloadType: PayloadType.Output, text: 'O:d\n' },
      { payloadType: PayloadType.StdErr, text: 'E:oops\n' },
      { payloadType: PayloadType.Output, text: 'O:e' },
      { payloadType: PayloadType.Output, text: '\ufffd' },
      { payloadType: PayloadType.ExitCode, text: 'EXIT_CODE: 2' },
    ]);
  });

  it('tells the client when the command could not start', async () => {
    const { session, process, sent } = fixture({
      sessionType: 'NonInteractiveCommands',
      command: 'x',
    });
    await session.start();
    process().exit({ exitCode: 1, spawnError: 'spawn x ENOENT' });
    await within(session.done, 'done');
    expect(sent).toEqual([
      {
        payloadType: PayloadType.StdErr,
        text: 'Error occurred starting the command: spawn x ENOENT\n',
      },
    ]);
  });
});
