// Ends everything a session started. The shell is a session leader (setsid), but an interactive
// shell puts each job in its own process group, so signalling the shell's group alone would
// miss them: on Linux we signal every process whose session id is the shell's (from /proc).

import { readdir, readFile } from 'node:fs/promises';

/** How often killSession looks whether the processes are gone. */
const POLL_MS = 25;
/** How long after SIGKILL to wait for the processes to be gone. */
const KILL_SETTLE_MS = 1000;

/** Live (non-zombie) processes whose session id is `sessionId`; empty where /proc is missing. */
export async function listSessionProcesses(sessionId: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        try {
          const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
          // Fields after the command name, which may itself contain spaces and parentheses:
          // state ppid pgrp session …
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (fields[0] !== 'Z' && Number(fields[3]) === sessionId) found.push(Number(entry));
        } catch {
          // The process ended while we looked.
        }
      }),
  );
  return found.sort((a, b) => a - b);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to the leader's process group and to every other process of its session. */
export async function signalSession(sessionId: number, signal: NodeJS.Signals): Promise<void> {
  const targets = new Set([-sessionId, ...(await listSessionProcesses(sessionId))]);
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone, or never ours to signal.
    }
  }
}

/**
 * SIGHUP (what a terminal hangup sends) with SIGCONT so stopped jobs can act on it; after
 * `graceMs`, SIGKILL whatever is left. Resolves once nothing is left, or at the latest
 * KILL_SETTLE_MS after the SIGKILL (a process in uninterruptible sleep dies when it wakes).
 */
export async function killSession(sessionId: number, graceMs: number): Promise<void> {
  await signalSession(sessionId, 'SIGHUP');
  await signalSession(sessionId, 'SIGCONT');
  if (await waitUntilGone(sessionId, graceMs)) return;
  await signalSession(sessionId, 'SIGKILL');
  await waitUntilGone(sessionId, KILL_SETTLE_MS);
}

async function waitUntilGone(sessionId: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isProcessAlive(sessionId) && (await listSessionProcesses(sessionId)).length === 0) {
      return true;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
