// What Run Command needs to know about processes, read from /proc (Linux): which belong to a
// step (its session and process group, their descendants, and whatever still holds its output
// files), whether one is gone (zombies count as gone: nobody may ever reap them), and how to end
// them all without letting one fork away first.

import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly sid: number;
  /** One letter: R, S, D, T, Z, ... */
  readonly state: string;
}

/** Rounds of "find the tree, stop what is new" before the SIGKILL; each round is one /proc scan. */
const MAX_FREEZE_ROUNDS = 10;
/** How long killProcessTree waits for the killed processes to be gone. */
const KILL_SETTLE_MS = 2000;
const POLL_MS = 20;

/** Every process, or an empty list where there is no /proc. */
export async function listProcesses(): Promise<ProcessEntry[]> {
  const pids = await listPids();
  const entries = await Promise.all(pids.map(readProcess));
  return entries.filter((entry): entry is ProcessEntry => entry !== undefined);
}

export async function readProcess(pid: number): Promise<ProcessEntry | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: the fields follow its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      state: fields[0] ?? '?',
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      sid: Number(fields[3]),
    };
  } catch {
    return undefined;
  }
}

/** True when `pid` no longer runs: no such process, or a zombie. */
export async function isProcessGone(pid: number): Promise<boolean> {
  // kill(0) and kill(-n) address groups, not a process: asking about them is a mistake.
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`not a process id: ${pid}`);
  const entry = await readProcess(pid);
  if (entry !== undefined) return entry.state === 'Z' || entry.state === 'X';
  try {
    process.kill(pid, 0);
    // Alive but unreadable in /proc (no /proc here): it runs.
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** The argument vector of `pid`, or undefined when it is gone or unreadable. */
export async function readCommandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/** Live session leaders whose argument vector contains `argument` exactly. */
export async function findSessionLeadersWithArgument(argument: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await listProcesses()) {
    if (entry.pid !== entry.sid || entry.state === 'Z') continue;
    if ((await readCommandLine(entry.pid))?.includes(argument)) found.push(entry.pid);
  }
  return found;
}

/**
 * Live processes holding one of `paths` open (absolute, symlinks resolved by the caller). Only
 * processes whose descriptors we may read are seen — all of them for a root agent, our own
 * user's otherwise, which is who a step's processes run as.
 */
export async function findFileHolders(paths: readonly string[]): Promise<number[]> {
  const wanted = new Set(paths);
  const holders: number[] = [];
  await Promise.all(
    (await listPids()).map(async (pid) => {
      if (pid === process.pid) return;
      let fds: string[];
      try {
        fds = await readdir(`/proc/${pid}/fd`);
      } catch {
        return;
      }
      for (const fd of fds) {
        try {
          if (wanted.has(await readlink(`/proc/${pid}/fd/${fd}`))) {
            const entry = await readProcess(pid);
            if (entry !== undefined && entry.state !== 'Z') holders.push(pid);
            return;
          }
        } catch {
          // The descriptor or the process went away while we looked.
        }
      }
    }),
  );
  return holders.sort((a, b) => a - b);
}

/**
 * Ends a step's processes: the session and process group led by `root`, every descendant of
 * them (also one that started a session of its own), and every process holding one of
 * `holdingPaths`. Each round stops what it finds (SIGSTOP: a stopped process cannot fork), until
 * a round finds nothing new; then all of them get SIGKILL. Resolves with the pids it killed once
 * they are gone, or after KILL_SETTLE_MS.
 */
export async function killProcessTree(
  root: number | undefined,
  holdingPaths: readonly string[] = [],
): Promise<number[]> {
  const spared = new Set([process.pid, process.ppid, 1, 0]);
  const caught = new Set<number>();
  for (let round = 0; round < MAX_FREEZE_ROUNDS; round++) {
    const table = await listProcesses();
    const members = root === undefined ? new Set(caught) : treeOf(root, table, caught);
    if (holdingPaths.length > 0) {
      for (const pid of await findFileHolders(holdingPaths)) members.add(pid);
    }
    const fresh = [...members].filter((pid) => !caught.has(pid) && !spared.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      caught.add(pid);
      signal(pid, 'SIGSTOP');
    }
  }
  if (root !== undefined && !spared.has(root)) {
    caught.add(root);
    signal(-root, 'SIGKILL');
  }
  for (const pid of caught) signal(pid, 'SIGKILL');
  const deadline = Date.now() + KILL_SETTLE_MS;
  for (const pid of caught) {
    while (!(await isProcessGone(pid)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  return [...caught].sort((a, b) => a - b);
}

/** `root`, its session and group, what is already caught, and all their descendants. */
function treeOf(root: number, table: readonly ProcessEntry[], caught: Set<number>): Set<number> {
  const members = new Set<number>([root, ...caught]);
  for (const entry of table) {
    if (entry.sid === root || entry.pgrp === root) members.add(entry.pid);
  }
  const children = new Map<number, number[]>();
  for (const entry of table) {
    const list = children.get(entry.ppid) ?? [];
    list.push(entry.pid);
    children.set(entry.ppid, list);
  }
  const queue = [...members];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (!members.has(child)) {
        members.add(child);
        queue.push(child);
      }
    }
  }
  const alive = new Set(table.map((entry) => entry.pid));
  return new Set([...members].filter((pid) => alive.has(pid) || pid === root));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone, or never ours to signal.
  }
}

async function listPids(): Promise<number[]> {
  try {
    return (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}
