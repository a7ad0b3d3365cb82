// The wrapper that starts every session program with only descriptors 0-2: it closes what the
// agent leaked (any number, above 9 too), passes argv through untouched, and refuses to run where
// no shell can close high descriptors. explainUnexecutable gives missing programs AWS's error.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closingInheritedFds,
  explainUnexecutable,
  findFdClosingShell,
  findSetpriv,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openssm-fds-'));
const isRoot = process.getuid?.() === 0;
const hasNobody = spawnSync('getent', ['passwd', 'nobody']).status === 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('closingInheritedFds', () => {
  it('passes every argument through verbatim, however it is quoted', () => {
    const args = [
      'a b',
      '"q"',
      "'s'",
      '$(touch /tmp/x)',
      '`id`',
      '$HOME',
      '*',
      '',
      '-c',
      '\\n',
      'ü',
    ];
    const { file, args: wrapped } = closingInheritedFds('/usr/bin/printf', ['%s\\0', ...args]);
    const result = spawnSync(file, wrapped, { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(args);
  });

  it('closes inherited descriptors above 2, including ones above 9, and keeps 0-2', () => {
    const fds = [openSync('/dev/null', 'r'), openSync('/dev/null', 'r')];
    try {
      const { file, args } = closingInheritedFds('/bin/sh', ['-c', 'ls /proc/self/fd']);
      // Node's own descriptors are close-on-exec; these stdio extras are inherited on purpose,
      // like node-pty's masters, at 3 and at 12.
      const stdio = [
        'pipe',
        'pipe',
        'pipe',
        fds[0],
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        fds[1],
      ] as const;
      const unwrapped = spawnSync('/bin/sh', ['-c', 'ls /proc/self/fd'], {
        encoding: 'utf8',
        stdio: [...stdio],
      });
      expect(unwrapped.stdout.split('\n')).toEqual(expect.arrayContaining(['3', '12']));
      const wrapped = spawnSync(file, args, { encoding: 'utf8', stdio: [...stdio] });
      // What is left: 0-2 and the descriptor `ls` opened to read the directory.
      const left = wrapped.stdout
        .split('\n')
        .filter((fd) => fd !== '')
        .map(Number);
      expect(left.filter((fd) => fd > 2)).toHaveLength(1);
      expect(left).toEqual(expect.arrayContaining([0, 1, 2]));
      expect(left).not.toContain(12);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  });

  it('keeps the program’s exit status', () => {
    const { file, args } = closingInheritedFds('/bin/sh', ['-c', 'exit 7']);
    expect(spawnSync(file, args).status).toBe(7);
  });

  it.skipIf(!isRoot || findSetpriv() === null || !hasNobody)(
    'closes as the agent, then becomes the user with only the user’s groups (needs root)',
    () => {
      const leaked = openSync('/dev/null', 'r');
      try {
        const launch = closingInheritedFds(
          '/bin/sh',
          ['-c', 'id -u; id -G; ls /proc/self/fd | wc -l'],
          { uid: 65534, gid: 65534 },
        );
        // The wrapper itself starts as root: nothing of the user's ever holds the leaked fd.
        expect(launch.spawnAs).toBeUndefined();
        const result = spawnSync(launch.file, launch.args, {
          encoding: 'utf8',
          stdio: ['pipe', 'pipe', 'pipe', leaked],
        });
        const [uid, groups, fdCount] = result.stdout.trim().split('\n');
        expect(uid).toBe('65534');
        expect(groups?.split(' ')).not.toContain('0');
        // 0-2 and the one `ls` reads the directory with.
        expect(fdCount).toBe('4');
      } finally {
        closeSync(leaked);
      }
    },
  );

  it('leaves the user switch to the spawner where no setpriv exists', () => {
    expect(findSetpriv(['/nonexistent/setpriv'])).toBeNull();
  });
});

describe('findFdClosingShell', () => {
  it('skips shells that cannot close descriptors above 9 and reports when none can', () => {
    const limited = join(dir, 'limited-sh');
    // A shell that refuses multi-digit redirections, as dash does.
    writeFileSync(limited, '#!/bin/sh\nexit 127\n');
    chmodSync(limited, 0o755);
    expect(findFdClosingShell([[limited], ['/nonexistent/sh']])).toBeNull();
    if (existsSync('/bin/bash')) {
      expect(findFdClosingShell([[limited], ['/bin/bash']])).toEqual(['/bin/bash']);
    }
    expect(findFdClosingShell()).not.toBeNull();
  });
});

describe('explainUnexecutable', () => {
  it('finds programs as execvp does and words failures like libuv', () => {
    const script = join(dir, 'tool');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o644);
    expect(explainUnexecutable('sh', '/nonexistent:/bin', '/')).toBeUndefined();
    expect(explainUnexecutable('/bin/sh', undefined, '/')).toBeUndefined();
    expect(explainUnexecutable('tool', dir, '/')).toBe('spawn tool EACCES');
    expect(explainUnexecutable('./tool', undefined, dir)).toBe('spawn ./tool EACCES');
    expect(explainUnexecutable('no-such-tool', '/bin:/usr/bin', '/')).toBe(
      'spawn no-such-tool ENOENT',
    );
    expect(explainUnexecutable('/nonexistent/program', '/bin', '/')).toBe(
      'spawn /nonexistent/program ENOENT',
    );
    expect(explainUnexecutable('tmp', '/', '/')).toBe('spawn tmp EACCES'); // a directory
    chmodSync(script, 0o755);
    expect(explainUnexecutable('tool', `/nonexistent:${dir}`, '/')).toBeUndefined();
  });
});
