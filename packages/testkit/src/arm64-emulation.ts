// arm64 programs on an x64 test machine: qemu-user through binfmt_misc, so the kernel hands any
// aarch64 ELF to qemu — the agent bundle's launcher, loader and Node run unchanged, and the
// x64 shells they start run natively. Registration with the F flag (Debian's qemu-user-static
// configuration) opens qemu once, so it also works inside a chroot without qemu in it.

import { execFile } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';
const ENTRY = `${BINFMT_DIR}/qemu-aarch64`;
/** What Debian's qemu-user-static installs; systemd-binfmt registers it on systemd machines. */
const QEMU_CONF = '/usr/lib/binfmt.d/qemu-aarch64.conf';

/**
 * Makes aarch64 programs runnable here, registering qemu-user-static's binfmt entry when it is
 * installed but not registered (as systemd-binfmt would at boot). Resolves with why it cannot,
 * or undefined when it can.
 */
export async function prepareArm64Emulation(): Promise<string | undefined> {
  if (process.arch === 'arm64') return undefined;
  if (await registered()) return undefined;
  if (!(await exists(QEMU_CONF))) {
    return `qemu-user is absent (${QEMU_CONF} missing): apt-get install qemu-user-static`;
  }
  if (process.getuid?.() !== 0) {
    return 'qemu-aarch64 is not registered with binfmt_misc and registering it needs root';
  }
  try {
    if (!(await exists(`${BINFMT_DIR}/register`))) {
      await execFileAsync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT_DIR]);
    }
    await execFileAsync('/lib/systemd/systemd-binfmt', [QEMU_CONF]).catch(async () => {
      // Without systemd's helper: the configuration line is what the register file takes.
      const line = (await readFile(QEMU_CONF, 'utf8'))
        .split('\n')
        .find((text) => text.startsWith(':'));
      if (line !== undefined) await writeFile(`${BINFMT_DIR}/register`, line);
    });
  } catch (error) {
    return `could not register qemu-aarch64 with binfmt_misc: ${(error as Error).message}`;
  }
  return (await registered())
    ? undefined
    : 'qemu-aarch64 did not register with binfmt_misc (with the F flag)';
}

/** Registered, enabled and fixed (F): the interpreter works in any root. */
async function registered(): Promise<boolean> {
  try {
    const entry = await readFile(ENTRY, 'utf8');
    return /^enabled$/m.test(entry) && /^flags: \S*F/m.test(entry);
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
