// What each session type runs, as whom, where and with which environment (no processes).

import { describe, expect, it } from 'vitest';
import {
  createLaunchPlan,
  SessionError,
  SYSTEM_PATH,
  type LaunchPlanInput,
  type SessionUser,
} from '../src/session/index.js';

const alice: SessionUser = {
  name: 'alice',
  uid: 1000,
  gid: 1000,
  home: '/home/alice',
  shell: '/usr/bin/zsh',
};

function plan(overrides: Partial<LaunchPlanInput> = {}) {
  return createLaunchPlan({
    sessionType: 'Standard_Stream',
    user: alice,
    switchUser: false,
    cols: 80,
    rows: 24,
    separateOutputStream: false,
    isExecutable: () => true,
    isDirectory: () => true,
    ...overrides,
  });
}

describe('createLaunchPlan', () => {
  it('Standard_Stream runs the user’s login shell in a PTY in the home directory', () => {
    expect(plan()).toEqual({
      terminal: true,
      separateStreams: false,
      file: '/usr/bin/zsh',
      args: ['-l'],
      cwd: '/home/alice',
      cols: 80,
      rows: 24,
      env: {
        PATH: SYSTEM_PATH,
        HOME: '/home/alice',
        USER: 'alice',
        LOGNAME: 'alice',
        SHELL: '/usr/bin/zsh',
        TERM: 'xterm-256color',
        LANG: 'C.UTF-8',
      },
    });
  });

  it('falls back to /bin/bash, then /bin/sh, when the passwd shell cannot run', () => {
    expect(plan({ isExecutable: (path) => path === '/bin/bash' }).file).toBe('/bin/bash');
    expect(plan({ isExecutable: (path) => path === '/bin/sh' }).file).toBe('/bin/sh');
    expect(plan({ isExecutable: () => false }).file).toBe('/bin/sh');
    expect(plan({ user: { ...alice, shell: '' } }).file).toBe('/bin/bash');
  });

  it('starts in / when the home directory is missing', () => {
    expect(plan({ isDirectory: () => false }).cwd).toBe('/');
    const homeless = plan({ user: { ...alice, home: '' } });
    expect(homeless.cwd).toBe('/');
    expect(homeless.env['HOME']).toBe('/');
  });

  it('keeps the caller’s environment and LANG, and overrides what identifies the user', () => {
    const { env } = plan({
      environment: {
        PATH: '/opt/bin',
        LANG: 'de_DE.UTF-8',
        TERM: 'dumb',
        HOME: '/root',
        TZ: 'UTC',
      },
    });
    expect(env).toMatchObject({
      PATH: '/opt/bin',
      LANG: 'de_DE.UTF-8',
      TERM: 'xterm-256color',
      HOME: '/home/alice',
      TZ: 'UTC',
    });
    expect(plan({ environment: { LANG: '' } }).env['LANG']).toBe('C.UTF-8');
  });

  it('switches user only when asked', () => {
    expect(plan().switchTo).toBeUndefined();
    expect(plan({ switchUser: true }).switchTo).toBe(alice);
  });

  it('InteractiveCommands runs `sh -c` in a PTY, or a login shell for a blank command', () => {
    expect(plan({ sessionType: 'InteractiveCommands', command: 'top -b' })).toMatchObject({
      terminal: true,
      file: '/bin/sh',
      args: ['-c', 'top -b'],
    });
    expect(plan({ sessionType: 'InteractiveCommands', command: '  ' })).toMatchObject({
      file: '/usr/bin/zsh',
      args: ['-l'],
    });
  });

  it('NonInteractiveCommands runs the split command without a terminal', () => {
    expect(
      plan({
        sessionType: 'NonInteractiveCommands',
        command: 'ls -l "/my dir"',
        separateOutputStream: true,
      }),
    ).toMatchObject({
      terminal: false,
      separateStreams: true,
      file: 'ls',
      args: ['-l', '/my dir'],
    });
    expect(
      plan({ sessionType: 'NonInteractiveCommands', command: 'ls -l "/my dir"' }),
    ).toMatchObject({
      terminal: false,
      separateStreams: false,
      file: '/bin/sh',
      args: ['-c', 'exec "$@" 2>&1', 'sh', 'ls', '-l', '/my dir'],
    });
    expect(
      plan({ sessionType: 'NonInteractiveCommands', separateOutputStream: true }),
    ).toMatchObject({
      file: '/bin/sh',
      args: [],
    });
  });

  it('refuses a command line that does not parse, with AWS’s wording', () => {
    expect(() => plan({ sessionType: 'NonInteractiveCommands', command: 'echo "open' })).toThrow(
      new SessionError(
        'CommandInvalid',
        'Failed to parse commands input: EOF found when expecting closing quote',
      ),
    );
  });

  it('probes the real file system by default', () => {
    const real = createLaunchPlan({
      sessionType: 'Standard_Stream',
      user: { ...alice, home: '/definitely/not/here', shell: '/definitely/not/a/shell' },
      switchUser: false,
      cols: 80,
      rows: 24,
      separateOutputStream: false,
    });
    expect(real.cwd).toBe('/');
    expect(['/bin/bash', '/bin/sh']).toContain(real.file);
  });
});
