// Choosing and resolving the session user, looking users up and creating ssm-user — with an
// injected command runner and user directory: no test creates or changes a real user.

import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  createSystemUserDirectory,
  ensureUser,
  isAcceptableUserName,
  parsePasswdLine,
  resolveSessionUser,
  runCommand,
  selectRunAsUser,
  SessionError,
  type CommandResult,
  type CommandRunner,
  type SessionUser,
  type UserDirectory,
} from '../src/session/index.js';

const root: SessionUser = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' };
const alice: SessionUser = {
  name: 'alice',
  uid: 1000,
  gid: 1000,
  home: '/home/alice',
  shell: '/bin/sh',
};

function directory(current: SessionUser, known: readonly SessionUser[] = []): UserDirectory {
  return {
    current: () => current,
    lookup: (name) => Promise.resolve(known.find((user) => user.name === name)),
  };
}

/** A runner that answers from a script and records every call. */
function scripted(
  answers: Record<string, CommandResult | Error>,
): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const runner = (file: string, args: readonly string[]) => {
    calls.push([file, ...args]);
    const answer = answers[file];
    if (answer === undefined) return Promise.reject(new Error(`unexpected ${file}`));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return Object.assign(runner, { calls });
}

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const exit = (exitCode: number, stderr = ''): CommandResult => ({ exitCode, stdout: '', stderr });

describe('selectRunAsUser (AWS’s rules)', () => {
  it.each([
    [
      { runAsEnabled: false, agentIsRoot: true },
      { user: 'ssm-user', createIfMissing: true },
    ],
    [{ runAsEnabled: false, agentIsRoot: false }, { createIfMissing: false }],
    [
      { runAsEnabled: true, runAsDefaultUser: ' bob ', agentIsRoot: true },
      { user: 'bob', createIfMissing: false },
    ],
    [
      { runAsEnabled: true, runAsDefaultUser: 'bob', runAsUser: 'carol', agentIsRoot: true },
      { user: 'carol', createIfMissing: false },
    ],
    [
      { runAsEnabled: true, runAsDefaultUser: 'bob', runAsUser: '  ', agentIsRoot: true },
      { user: 'bob', createIfMissing: false },
    ],
    [
      { runAsEnabled: true, agentIsRoot: true },
      { user: '', createIfMissing: false },
    ],
    [
      { runAsEnabled: true, runAsDefaultUser: 'bob', runAsElevated: true, agentIsRoot: true },
      { createIfMissing: false },
    ],
  ])('%j → %j', (settings, expected) => {
    expect(selectRunAsUser(settings)).toEqual(expected);
  });
});

describe('resolveSessionUser', () => {
  it('runs as the agent’s user without runAs or when runAs names it', async () => {
    await expect(resolveSessionUser(undefined, directory(alice))).resolves.toEqual({
      user: alice,
      switchUser: false,
    });
    await expect(resolveSessionUser({ user: 'alice' }, directory(alice))).resolves.toEqual({
      user: alice,
      switchUser: false,
    });
  });

  it('switches a root agent to an existing user', async () => {
    await expect(resolveSessionUser({ user: 'alice' }, directory(root, [alice]))).resolves.toEqual({
      user: alice,
      switchUser: true,
    });
    const toor = { ...root, name: 'toor' };
    await expect(resolveSessionUser({ user: 'toor' }, directory(root, [toor]))).resolves.toEqual({
      user: toor,
      switchUser: false,
    });
  });

  it.each([
    [{ user: '  ' }, root, 'RunAsUserMissing', 'please set the RunAs default user'],
    [
      { user: 'root' },
      alice,
      'RunAsNotPermitted',
      /^the agent must run as root to use RunAs \(it runs as alice/,
    ],
    [
      { user: 'bob' },
      root,
      'RunAsUserNotFound',
      'failed to start pty since RunAs user bob does not exist',
    ],
  ] as const)('%j as %j fails with %s', async (runAs, agent, code, message) => {
    const failure = resolveSessionUser(runAs, directory(agent, [alice]));
    await expect(failure).rejects.toBeInstanceOf(SessionError);
    await expect(failure).rejects.toMatchObject({ code });
    await expect(failure).rejects.toThrow(message);
  });

  it('reports a directory that fails', async () => {
    const broken: UserDirectory = {
      current: () => root,
      lookup: () => Promise.reject(new Error('ldap down')),
    };
    await expect(resolveSessionUser({ user: 'bob' }, broken)).rejects.toMatchObject({
      code: 'RunAsUserNotFound',
      message: 'failed to look up RunAs user bob',
    });
  });
});

describe('the system user directory', () => {
  it('parses passwd lines and refuses malformed ones', () => {
    expect(parsePasswdLine('alice:x:1000:1000:Alice,,,:/home/alice:/bin/sh')).toEqual(alice);
    expect(parsePasswdLine('svc:x:999:999::/:')).toEqual({
      name: 'svc',
      uid: 999,
      gid: 999,
      home: '/',
      shell: '',
    });
    expect(parsePasswdLine('alice:x:1000:1000:/home/alice:/bin/sh')).toBeUndefined();
    expect(parsePasswdLine('alice:x:-1:1000::/home/alice:/bin/sh')).toBeUndefined();
    expect(parsePasswdLine('')).toBeUndefined();
  });

  it.each([
    ['ssm-user', true],
    ['alice@corp.example.com', true],
    ['machine$', true],
    ['', false],
    ['-rf', false],
    ['a:b', false],
    ['a b', false],
    ['a/b', false],
    ['a\nb', false],
    ['x'.repeat(257), false],
  ])('%j acceptable: %s', (name, expected) => {
    expect(isAcceptableUserName(name)).toBe(expected);
  });

  it('asks getent and understands its answers', async () => {
    const found = scripted({ getent: ok('alice:x:1000:1000:Alice:/home/alice:/bin/sh\n') });
    await expect(createSystemUserDirectory(found).lookup('alice')).resolves.toEqual(alice);
    expect(found.calls).toEqual([['getent', 'passwd', '--', 'alice']]);
    await expect(
      createSystemUserDirectory(scripted({ getent: exit(2) })).lookup('bob'),
    ).resolves.toBeUndefined();
    await expect(
      createSystemUserDirectory(scripted({ getent: exit(1, 'bad db') })).lookup('bob'),
    ).rejects.toThrow('getent passwd bob failed: bad db');
  });

  it('never passes an option-like name to getent', async () => {
    const runner = scripted({});
    await expect(createSystemUserDirectory(runner).lookup('-x')).resolves.toBeUndefined();
    expect(runner.calls).toEqual([]);
  });

  it('reads /etc/passwd when getent is missing', async () => {
    const noGetent = scripted({ getent: new Error('getent could not be started: ENOENT') });
    const found = await createSystemUserDirectory(noGetent).lookup('root');
    expect(found).toMatchObject({ name: 'root', uid: 0 });
    await expect(
      createSystemUserDirectory(noGetent).lookup('no-such-user-here'),
    ).resolves.toBeUndefined();
  });

  it('describes the agent’s own user', () => {
    const me = userInfo();
    expect(createSystemUserDirectory().current()).toMatchObject({
      name: me.username,
      uid: me.uid,
      home: me.homedir,
    });
  });

  it('runs real commands: exit codes, and a program that does not exist', async () => {
    await expect(runCommand('sh', ['-c', 'echo hi; echo oops >&2; exit 3'])).resolves.toEqual({
      exitCode: 3,
      stdout: 'hi\n',
      stderr: 'oops\n',
    });
    await expect(runCommand('sh', ['-c', 'kill -TERM $$'])).resolves.toMatchObject({
      exitCode: null,
    });
    await expect(runCommand('/nonexistent/tool', [])).rejects.toThrow(/could not be started/);
  });
});

describe('ensureUser', () => {
  it('does nothing when the user exists', async () => {
    const runner = scripted({ getent: ok('ssm-user:x:1001:1001::/home/ssm-user:/bin/bash\n') });
    await expect(ensureUser('ssm-user', { run: runner })).resolves.toBe(false);
    expect(runner.calls).toEqual([['getent', 'passwd', '--', 'ssm-user']]);
  });

  it('creates a missing user with a home directory and bash', async () => {
    const runner = scripted({ getent: exit(2), useradd: ok() });
    await expect(ensureUser('ssm-user', { run: runner })).resolves.toBe(true);
    expect(runner.calls.at(-1)).toEqual([
      'useradd',
      '--create-home',
      '--shell',
      '/bin/bash',
      'ssm-user',
    ]);
  });

  it('accepts losing the race to another session that created it', async () => {
    await expect(
      ensureUser('ssm-user', { run: scripted({ getent: exit(2), useradd: exit(9) }) }),
    ).resolves.toBe(false);
  });

  it('reports useradd failures and refuses unsafe names without running anything', async () => {
    await expect(
      ensureUser('ssm-user', {
        run: scripted({ getent: exit(2), useradd: exit(1, 'useradd: cannot lock /etc/passwd') }),
      }),
    ).rejects.toMatchObject({
      code: 'UserCreationFailed',
      message: 'failed to create user ssm-user: useradd: cannot lock /etc/passwd',
    });
    await expect(
      ensureUser('x', { run: scripted({ getent: exit(2), useradd: exit(12) }) }),
    ).rejects.toThrow('failed to create user x: useradd exited with 12');
    const runner = scripted({});
    await expect(ensureUser('--help', { run: runner })).rejects.toMatchObject({
      code: 'UserCreationFailed',
    });
    expect(runner.calls).toEqual([]);
  });
});
