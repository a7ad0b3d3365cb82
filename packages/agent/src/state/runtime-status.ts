// What a running agent tells `openssm-agent status` (another process): its pid and version and
// whether its control channel to the server is up, since when. Kept in the state directory as
// runtime-status.json, rewritten on each change, removed when the agent stops.

import { join } from 'node:path';
import { readOptionalFile, removeFile, writeFileAtomic } from './state-files.js';

export interface RuntimeStatus {
  readonly pid: number;
  readonly version: string;
  readonly connected: boolean;
  /** ISO 8601: when `connected` last changed. */
  readonly since: string;
}

export const RUNTIME_STATUS_FILE = 'runtime-status.json';

export function writeRuntimeStatus(stateDir: string, status: RuntimeStatus): Promise<void> {
  return writeFileAtomic(join(stateDir, RUNTIME_STATUS_FILE), `${JSON.stringify(status)}\n`);
}

export function removeRuntimeStatus(stateDir: string): Promise<void> {
  return removeFile(join(stateDir, RUNTIME_STATUS_FILE));
}

/** The status the agent last wrote, or undefined (never ran, stopped, unreadable). */
export async function readRuntimeStatus(stateDir: string): Promise<RuntimeStatus | undefined> {
  const text = await readOptionalFile(join(stateDir, RUNTIME_STATUS_FILE)).catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RuntimeStatus>;
    if (
      typeof value.pid !== 'number' ||
      typeof value.version !== 'string' ||
      typeof value.connected !== 'boolean' ||
      typeof value.since !== 'string'
    ) {
      return undefined;
    }
    return value as RuntimeStatus;
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live process (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
