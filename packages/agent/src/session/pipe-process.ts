// Starts a NonInteractiveCommands process without a terminal, as AWS's agent does (exec.Cmd,
// shell_unix.go): stdin closed, stdout and stderr either merged in write order or kept apart.
// It starts through closingInheritedFds: libuv marks its own descriptors close-on-exec, but the
// PTY masters node-pty opened for other sessions are not.

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { closingInheritedFds, explainUnexecutable } from './close-inherited-fds.js';
import type { LaunchPlan, OutputStream, ProcessExit, SessionProcess } from './session-process.js';

/**
 * How long to keep reading after the process ended while something it left behind still holds
 * the pipes open (a background job); node-pty gives a terminal the same 200 ms.
 */
const PIPE_LINGER_MS = 200;

export function spawnPipes(plan: LaunchPlan): SessionProcess {
  return new PipeProcess(plan);
}

class PipeProcess implements SessionProcess {
  /** Undefined when the program cannot be executed: nothing was started. */
  private readonly child: ChildProcess | undefined;
  private spawnError: string | undefined;
  private exited = false;
  private linger: NodeJS.Timeout | undefined;

  constructor(private readonly plan: LaunchPlan) {
    // The wrapper always starts; a missing program must still fail as a spawn error (AWS's
    // "Error occurred starting the command"), not as the wrapper's exit status 127.
    this.spawnError = explainUnexecutable(plan.file, plan.env['PATH'], plan.cwd);
    if (this.spawnError !== undefined) return;
    const { file, args, spawnAs } = closingInheritedFds(plan.file, plan.args, plan.switchTo);
    const child = spawn(file, args, {
      cwd: plan.cwd,
      env: { ...plan.env },
      // Its own session and process group, so terminate() can end everything it starts.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Only where setpriv is missing; libuv then drops all supplementary groups.
      ...(spawnAs === undefined ? {} : { uid: spawnAs.uid, gid: spawnAs.gid }),
    });
    this.child = child;
    child.on('error', (error) => {
      this.spawnError ??= error.message;
    });
    child.on('exit', () => {
      // Read what is left at full speed (paused pipes would hold it), then stop waiting for
      // pipe holders that outlive the process.
      this.exited = true;
      this.resume();
      this.linger = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_LINGER_MS);
    });
    child.on('close', () => clearTimeout(this.linger));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  onData(listener: (bytes: Uint8Array, stream: OutputStream) => void): void {
    // Merged output is one pipe (the launch plan redirects 2>&1); what still reaches stderr then
    // comes from the wrapper itself and belongs in the same stream.
    const stderrAs: OutputStream = this.plan.separateStreams ? 'stderr' : 'stdout';
    this.child?.stdout?.on('data', (bytes: Buffer) => listener(bytes, 'stdout'));
    this.child?.stderr?.on('data', (bytes: Buffer) => listener(bytes, stderrAs));
  }

  onExit(listener: (exit: ProcessExit) => void): void {
    if (this.child === undefined) {
      const spawnError = this.spawnError ?? 'not started';
      // Asynchronously, as a failed spawn reports it.
      setImmediate(() => listener({ exitCode: 1, spawnError }));
      return;
    }
    // 'close' comes after the process ended and both pipes reached end of file.
    this.child.on('close', (code: number | null, signalName: NodeJS.Signals | null) => {
      if (this.spawnError !== undefined) {
        listener({ exitCode: 1, spawnError: this.spawnError });
      } else if (signalName !== null) {
        listener({ exitCode: null, signal: constants.signals[signalName] });
      } else {
        listener({ exitCode: code ?? 1 });
      }
    });
  }

  write(): boolean {
    // No terminal and stdin is closed: keystrokes have nowhere to go (AWS ignores them too).
    return true;
  }

  resize(): void {
    // No terminal to resize.
  }

  pause(): void {
    if (this.exited) return;
    this.child?.stdout?.pause();
    this.child?.stderr?.pause();
  }

  resume(): void {
    this.child?.stdout?.resume();
    this.child?.stderr?.resume();
  }

  signal(signal: NodeJS.Signals): void {
    try {
      this.child?.kill(signal);
    } catch {
      // Already gone.
    }
  }
}
