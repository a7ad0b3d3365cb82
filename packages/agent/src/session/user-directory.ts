// Who a session runs as: the agent's own user, or a passwd entry looked up by name through
// NSS (`getent passwd`, so LDAP/SSSD users work too), falling back to /etc/passwd where
// getent is missing.

import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { runCommand, type CommandRunner } from './command-runner.js';

export interface SessionUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  /** The login shell from the passwd entry; empty when it has none. */
  readonly shell: string;
}

export interface UserDirectory {
  /** The user the agent process runs as. */
  current(): SessionUser;
  /** The passwd entry for `name`, or undefined when there is none. */
  lookup(name: string): Promise<SessionUser | undefined>;
}

/** getent's exit status for "key not found". */
const GETENT_NOT_FOUND = 2;

/**
 * Names we pass to getent/useradd: no option-like leading dash, no passwd separators or
 * whitespace. Wider than useradd's own rule on purpose, so directory users such as
 * `alice@corp.example.com` can be looked up.
 */
export function isAcceptableUserName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 256 &&
    !name.startsWith('-') &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
    !/[:/\s\u0000-\u001f\u007f]/.test(name)
  );
}

/** Parses one passwd line (`name:x:uid:gid:gecos:home:shell`); undefined when malformed. */
export function parsePasswdLine(line: string): SessionUser | undefined {
  const fields = line.split(':');
  if (fields.length !== 7) return undefined;
  const [name, , uidText, gidText, , home, shell] = fields as [string, ...string[]];
  const uid = Number(uidText);
  const gid = Number(gidText);
  if (!/^\d+$/.test(uidText ?? '') || !/^\d+$/.test(gidText ?? '')) return undefined;
  return { name, uid, gid, home: home ?? '', shell: shell ?? '' };
}

export function createSystemUserDirectory(run: CommandRunner = runCommand): UserDirectory {
  return {
    current() {
      const info = userInfo();
      return {
        name: info.username,
        uid: info.uid,
        gid: info.gid,
        home: info.homedir,
        shell: info.shell ?? '',
      };
    },
    async lookup(name) {
      if (!isAcceptableUserName(name)) return undefined;
      let result;
      try {
        result = await run('getent', ['passwd', '--', name]);
      } catch {
        return lookupInPasswdFile(name);
      }
      if (result.exitCode === GETENT_NOT_FOUND) return undefined;
      if (result.exitCode !== 0) {
        throw new Error(`getent passwd ${name} failed: ${result.stderr.trim() || result.exitCode}`);
      }
      return parsePasswdLine(result.stdout.split('\n')[0] ?? '');
    },
  };
}

async function lookupInPasswdFile(name: string): Promise<SessionUser | undefined> {
  const text = await readFile('/etc/passwd', 'utf8');
  for (const line of text.split('\n')) {
    const user = parsePasswdLine(line);
    if (user !== undefined && user.name === name) return user;
  }
  return undefined;
}
