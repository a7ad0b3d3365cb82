// Starts a session's process in a PTY with node-pty and adapts it to SessionProcess, working
// around node-pty behaviours on Linux:
// - it loses the last output when the child exits (the master reads EIO before the kernel has
//   handed over everything, microsoft/node-pty#85/#726): we hold the slave open ourselves, so the
//   master never hangs up before we have read it all;
// - it destroys the stream 200 ms after the child exits even when paused, dropping what was not
//   read: while paused we watch the child and stop pausing once it is gone;
// - with uid/gid it keeps the agent's supplementary groups (root's!) in the child: we switch the
//   agent to the user's groups (initgroups) around the synchronous fork and switch back;
// - it writes keystrokes through the thread pool with an unbounded queue: TerminalWriter writes
//   them directly, with a bounded queue.
// node-pty ≥ 1.2 marks every inherited descriptor close-on-exec in the child before exec
// (microsoft/node-pty#867), so a shell never holds another session's terminal: the version is
// pinned, and a test checks the property. Pipe processes need close-inherited-fds.ts instead.

import { closeSync, constants, fchmodSync, fchownSync, openSync } from 'node:fs';
import { spawn, type IPty } from 'node-pty';
import { isProcessAlive } from './process-tree.js';
import { TerminalWriter } from './terminal-writer.js';
import type { LaunchPlan, ProcessExit, SessionProcess } from './session-process.js';
import type { SessionUser } from './user-directory.js';

/** While paused, how often to look whether the child has gone (must stay well below 200 ms). */
const EXIT_WATCH_MS = 50;
/** sshd's mode for a session's terminal: the owner reads and writes, the tty group writes. */
const SLAVE_MODE = 0o620;

export function spawnTerminal(plan: LaunchPlan): SessionProcess {
  return new TerminalProcess(plan);
}

class TerminalProcess implements SessionProcess {
  private readonly pty: IPty;
  private readonly writer: TerminalWriter;
  private slaveFd: number | undefined;
  private watch: NodeJS.Timeout | undefined;
  private childGone = false;

  constructor(plan: LaunchPlan) {
    const user = plan.switchTo;
    this.pty = withGroupsOf(user, () =>
      spawn(plan.file, [...plan.args], {
        name: 'xterm-256color',
        cols: plan.cols,
        rows: plan.rows,
        cwd: plan.cwd,
        env: { ...plan.env },
        // Raw bytes: the session cuts them at character boundaries itself.
        encoding: null,
        ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
      }),
    );
    this.slaveFd = openSlave(this.pty, user);
    this.writer = new TerminalWriter((this.pty as unknown as { fd: number }).fd);
    this.pty.onExit(() => {
      this.writer.close();
      this.stopWatch();
      if (this.slaveFd !== undefined) closeSync(this.slaveFd);
      this.slaveFd = undefined;
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  onData(listener: (bytes: Uint8Array, stream: 'stdout') => void): void {
    // With `encoding: null` node-pty hands over Buffers, whatever its typings say.
    this.pty.onData((data: string | Buffer) =>
      listener(typeof data === 'string' ? Buffer.from(data) : data, 'stdout'),
    );
  }

  onExit(listener: (exit: ProcessExit) => void): void {
    this.pty.onExit(({ exitCode, signal }) =>
      listener(signal ? { exitCode: null, signal } : { exitCode }),
    );
  }

  write(bytes: Uint8Array): boolean {
    return this.writer.write(bytes);
  }

  resize(cols: number, rows: number): void {
    this.pty.resize(cols, rows);
  }

  pause(): void {
    if (this.childGone) return;
    this.pty.pause();
    this.watch ??= setInterval(() => {
      if (isProcessAlive(this.pty.pid)) return;
      // node-pty drops unread output 200 ms after the exit: read it all now, unpaused.
      this.childGone = true;
      this.stopWatch();
      this.pty.resume();
    }, EXIT_WATCH_MS);
  }

  resume(): void {
    this.stopWatch();
    this.pty.resume();
  }

  signal(signal: NodeJS.Signals): void {
    this.pty.kill(signal);
  }

  private stopWatch(): void {
    if (this.watch !== undefined) clearInterval(this.watch);
    this.watch = undefined;
  }
}

/** Node has had process.initgroups on POSIX since 0.9; @types/node 20 lacks it. */
interface PosixGroups {
  readonly initgroups?: (user: string | number, extraGroup: string | number) => void;
}

/** Runs the synchronous fork with `user`'s supplementary groups, which the child inherits. */
function withGroupsOf<T>(user: SessionUser | undefined, fork: () => T): T {
  if (user === undefined) return fork();
  const posix = process as NodeJS.Process & PosixGroups;
  if (
    posix.initgroups === undefined ||
    process.getgroups === undefined ||
    process.setgroups === undefined
  ) {
    throw new Error('switching users needs POSIX process.initgroups');
  }
  const saved = process.getgroups();
  posix.initgroups(user.name, user.gid);
  try {
    return fork();
  } finally {
    process.setgroups(saved);
  }
}

/**
 * Opens our own handle on the terminal's slave side (close-on-exec, as every fd Node opens) and
 * gives the terminal to the session user, as sshd does, so tools that reopen it by name work.
 */
function openSlave(pty: IPty, user: SessionUser | undefined): number | undefined {
  const path = (pty as unknown as { ptsName?: unknown }).ptsName;
  if (typeof path !== 'string') return undefined;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return undefined; // the child is already gone; node-pty's own handling applies
  }
  if (user !== undefined) {
    try {
      fchownSync(fd, user.uid, -1);
      fchmodSync(fd, SLAVE_MODE);
    } catch {
      // Best effort: the session works without it, only tools that reopen the tty complain.
    }
  }
  return fd;
}
