// Runs one aws:runShellScript script the way AWS's agent does — the lines written to `_script.sh`
// (0700) and executed through `sh`, so a `#!` line picks the interpreter — and watches it to the
// end: the script exits and nothing holds its output any more (AWS waits for its pipes to close
// the same way), or the deadline passes / a cancel arrives and the whole process tree is killed.
//
// stdout and stderr go straight to files, not through the agent, and a tiny wrapper records the
// exit status in a file: a script outlives an agent that dies or restarts, keeps its output, and
// the next agent adopts it (finds it by its script path in /proc) instead of running it again.

import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { open, readFile, realpath, stat, writeFile, chmod } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { closingInheritedFds } from '../session/close-inherited-fds.js';
import {
  findFileHolders,
  findSessionLeadersWithArgument,
  isProcessGone,
  killProcessTree,
  readCommandLine,
} from './process-scan.js';

/** `$0` of the wrapper, so `ps` shows what it is. */
const WRAPPER_NAME = 'openssm-run-command';

/**
 * Runs the script as a command (the kernel honours its `#!`; without one `sh` interprets it, as
 * AWS's `sh -c <script>`), then records its exit status where a restarted agent finds it.
 */
const WRAPPER_SCRIPT = '"$1"; code=$?; echo "$code" > "$2"; exit "$code"';

/** How often an adopted process is looked at (one /proc read: cheap). */
const POLL_MIN_MS = 50;
const POLL_MAX_MS = 500;
/**
 * How often, at most, a step whose script exited is checked for processes still holding its
 * output: that scans every process's descriptors, so it slows down while something lingers.
 */
const HOLDER_POLL_MAX_MS = 2000;

export interface ScriptLaunch {
  readonly scriptPath: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly exitStatusPath: string;
  readonly lines: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Epoch milliseconds at which the script is killed (its execution timeout). */
  readonly deadline: number;
}

export type ScriptOutcome =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'timedOut' }
  | { readonly kind: 'cancelled' }
  /** Nothing ran; `error` is the text AWS's agent adds to stderr. */
  | { readonly kind: 'notStarted'; readonly error: string }
  /** Adopted after a restart, and gone without leaving an exit status. */
  | { readonly kind: 'lost' }
  /** The agent stopped watching (it is stopping); the script runs on. */
  | { readonly kind: 'detached' };

export class ScriptProcess {
  readonly finished: Promise<ScriptOutcome>;
  private stopping: 'cancel' | 'detach' | undefined;
  /** Set by wake() and consumed by pause(), so a wake between two pauses is never lost. */
  private woken = false;
  private resume: () => void = () => undefined;

  private constructor(
    /** The wrapper's pid: leader of the script's session and process group. */
    readonly pid: number | undefined,
    private readonly launch: ScriptLaunch,
    watch: (self: ScriptProcess) => Promise<ScriptOutcome>,
  ) {
    this.finished = watch(this);
  }

  /** Writes the script and starts it; a failure to do either is a `notStarted` outcome. */
  static async start(launch: ScriptLaunch): Promise<ScriptProcess> {
    try {
      await writeFile(launch.scriptPath, `${launch.lines.join('\n')}\n`, { mode: 0o700 });
      await chmod(launch.scriptPath, 0o700);
    } catch (error) {
      return ScriptProcess.notStarted(launch, `failed to create script file. ${message(error)}`);
    }
    const cwdError = await checkDirectory(launch.cwd);
    if (cwdError !== undefined) {
      return ScriptProcess.notStarted(launch, `failed to run commands: ${cwdError}`);
    }
    let stdout;
    let stderr;
    try {
      const flags = fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT;
      stdout = await open(launch.stdoutPath, flags, 0o600);
      stderr = await open(launch.stderrPath, flags, 0o600);
      // Node marks its descriptors close-on-exec; spawn dups these onto 1 and 2 of the child.
      const { file, args } = closingInheritedFds('/bin/sh', [
        '-c',
        WRAPPER_SCRIPT,
        WRAPPER_NAME,
        launch.scriptPath,
        launch.exitStatusPath,
      ]);
      const child = spawn(file, args, {
        cwd: launch.cwd,
        env: { ...launch.env },
        // Its own session and process group: the tree can be found and killed as one.
        detached: true,
        stdio: ['ignore', stdout.fd, stderr.fd],
      });
      const exited = new Promise<number | string>((resolve) => {
        child.once('error', (error) => resolve(error.message));
        child.once('exit', (code, signalName) =>
          resolve(code ?? 128 + (signalName === null ? 0 : osConstants.signals[signalName])),
        );
      });
      // The agent does not wait for its child to exit before it may exit itself.
      child.unref();
      if (child.pid === undefined) {
        const error = await exited;
        return ScriptProcess.notStarted(launch, `failed to run commands: ${String(error)}`);
      }
      return new ScriptProcess(child.pid, launch, (self) => self.watch(exited));
    } catch (error) {
      return ScriptProcess.notStarted(launch, `failed to run commands: ${message(error)}`);
    } finally {
      await stdout?.close();
      await stderr?.close();
    }
  }

  /**
   * Takes over a script a previous agent started: the process `knownPid` if it still runs this
   * script, else any session leader running it. When none runs any more, its exit-status file
   * (or its absence: `lost`) gives the outcome.
   */
  static async adopt(launch: ScriptLaunch, knownPid: number | undefined): Promise<ScriptProcess> {
    let pid: number | undefined;
    if (
      knownPid !== undefined &&
      Number.isInteger(knownPid) &&
      knownPid > 1 &&
      !(await isProcessGone(knownPid)) &&
      (await readCommandLine(knownPid))?.includes(launch.scriptPath)
    ) {
      pid = knownPid;
    } else {
      pid = (await findSessionLeadersWithArgument(launch.scriptPath))[0];
    }
    return new ScriptProcess(pid, launch, (self) => self.watch(undefined));
  }

  private static notStarted(launch: ScriptLaunch, error: string): ScriptProcess {
    return new ScriptProcess(undefined, launch, () =>
      Promise.resolve({ kind: 'notStarted', error }),
    );
  }

  /** Kills the whole tree; the outcome becomes `cancelled` (unless it already ended). */
  cancel(): void {
    this.stopping ??= 'cancel';
    this.wake();
  }

  /** Stops watching and leaves the script running (the agent is stopping). */
  detach(): void {
    this.stopping ??= 'detach';
    this.wake();
  }

  /**
   * Until the script is over: the wrapper exits (`exited` for our own child; polled for an
   * adopted one), then nothing holds the output files any more. The deadline and cancel()
   * interrupt either wait.
   */
  private async watch(exited: Promise<number | string> | undefined): Promise<ScriptOutcome> {
    const { launch } = this;
    const outputs = await Promise.all(
      [launch.stdoutPath, launch.stderrPath].map((path) => realpath(path).catch(() => path)),
    );
    // Set from a callback, so held in an object (control-flow narrowing cannot see it change).
    const main: { exit?: number | string } = {};
    void exited?.then((value) => {
      main.exit = value;
      this.wake();
    });
    let poll = POLL_MIN_MS;
    // Phase 1: the wrapper runs.
    for (;;) {
      const interrupted = await this.interruption(outputs);
      if (interrupted !== undefined) return interrupted;
      if (exited !== undefined) {
        if (main.exit !== undefined) break;
        await this.pause(launch.deadline - Date.now());
      } else {
        if (this.pid === undefined || (await isProcessGone(this.pid))) break;
        await this.pause(Math.min(poll, launch.deadline - Date.now()));
        poll = Math.min(poll * 2, POLL_MAX_MS);
      }
    }
    const exitCode = main.exit;
    if (typeof exitCode === 'string') return { kind: 'notStarted', error: exitCode };
    // Phase 2: background processes it left may still write to its output.
    poll = POLL_MIN_MS;
    for (;;) {
      const interrupted = await this.interruption(outputs);
      if (interrupted !== undefined) return interrupted;
      if ((await findFileHolders(outputs)).length === 0) break;
      await this.pause(Math.min(poll, launch.deadline - Date.now()));
      poll = Math.min(poll * 2, HOLDER_POLL_MAX_MS);
    }
    if (exitCode !== undefined) return { kind: 'exited', exitCode };
    const recorded = await readExitStatus(launch.exitStatusPath);
    return recorded === undefined ? { kind: 'lost' } : { kind: 'exited', exitCode: recorded };
  }

  /** The outcome when the deadline passed or a stop was asked for (after killing), else none. */
  private async interruption(outputs: readonly string[]): Promise<ScriptOutcome | undefined> {
    if (this.stopping === 'detach') return { kind: 'detached' };
    if (this.stopping === 'cancel') {
      await killProcessTree(this.pid, outputs);
      return { kind: 'cancelled' };
    }
    if (Date.now() >= this.launch.deadline) {
      await killProcessTree(this.pid, outputs);
      return { kind: 'timedOut' };
    }
    return undefined;
  }

  private wake(): void {
    this.woken = true;
    this.resume();
  }

  /** Resolves after `ms`, or at once when wake() was called since the last pause. */
  private pause(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.woken = false;
        this.resume = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.resume = done;
    });
  }
}

/** The exit status the wrapper recorded, or undefined when there is none (or it is garbled). */
export async function readExitStatus(path: string): Promise<number | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return /^\d{1,3}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Why `path` cannot be a working directory (Go's wording), or undefined. */
async function checkDirectory(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return undefined;
    return `chdir ${path}: not a directory`;
  } catch {
    return `chdir ${path}: no such file or directory`;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
