// Console sign-in sessions: an opaque random token in an HttpOnly cookie names a session of an
// IAM user, kept in storage so a restart keeps people signed in and every replica knows it.
// Only the token's SHA-256 is stored; the CSRF token the page must echo is derived from the
// cookie token (one-way), so neither the database nor a memory dump hands out live sessions.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { userPrincipal } from '../services/iam/users.js';
import type { ConsoleSessionRepository, IamUserRepository } from '../storage/iam-repositories.js';
import type { Principal } from '../storage/records.js';

/** A session unused this long is gone: a console left open over lunch signs in again. */
export const CONSOLE_IDLE_TIMEOUT_MS = 60 * 60_000;
/** However busy, a session lasts at most this long (AWS's console: 12 hours). */
export const CONSOLE_MAX_SESSION_MS = 12 * 60 * 60_000;
/** A use is written back at most this often: idle expiry is an hour, a minute off is nothing. */
const TOUCH_EVERY_MS = 60_000;
/** Sessions one user may hold; the oldest go first, so storage stays bounded per user. */
export const MAX_SESSIONS_PER_USER = 50;
/** Cookie tokens are 43 characters; anything much longer is not ours and is not hashed. */
const MAX_TOKEN_LENGTH = 128;

export interface ConsoleSession {
  readonly tokenHash: string;
  readonly userId: string;
  /** From the user record as it is now (a renamed user keeps the session). */
  readonly principal: Principal;
  readonly csrfToken: string;
  /** Signed in with a TOTP code: feeds aws:MultiFactorAuthPresent. */
  readonly multiFactor: boolean;
  readonly createdAt: number;
}

export interface OpenedSession {
  /** The cookie token: shown to the browser once, never stored. */
  readonly token: string;
  readonly session: ConsoleSession;
}

export interface ConsoleSessions {
  open(userId: string, multiFactor: boolean, now: number): Promise<OpenedSession>;
  /** The live session the cookie token names; undefined when unknown, expired or its user is gone. */
  get(token: string, now: number): Promise<ConsoleSession | undefined>;
  close(session: ConsoleSession): Promise<void>;
  /** The session has just shown a TOTP code (MFA enabled in it). */
  markMultiFactor(session: ConsoleSession): Promise<void>;
}

export interface ConsoleSessionsDependencies {
  readonly sessions: ConsoleSessionRepository;
  readonly users: IamUserRepository;
}

export function createConsoleSessions(deps: ConsoleSessionsDependencies): ConsoleSessions {
  const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
  const csrfOf = (token: string) =>
    createHash('sha256').update('openssm-console-csrf:').update(token).digest('base64url');

  return {
    async open(userId, multiFactor, now) {
      const user = await deps.users.getById(userId);
      if (user === undefined) throw new Error(`no IAM user ${userId}`);
      const token = randomBytes(32).toString('base64url');
      const tokenHash = hashOf(token);
      await deps.sessions.deleteExpired(now, now - CONSOLE_IDLE_TIMEOUT_MS);
      await deps.sessions.insert({
        tokenHash,
        userId,
        multiFactor,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: now + CONSOLE_MAX_SESSION_MS,
      });
      await deps.sessions.trimUser(userId, MAX_SESSIONS_PER_USER);
      return {
        token,
        session: {
          tokenHash,
          userId,
          principal: userPrincipal(user),
          csrfToken: csrfOf(token),
          multiFactor,
          createdAt: now,
        },
      };
    },

    async get(token, now) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
      const tokenHash = hashOf(token);
      const record = await deps.sessions.get(tokenHash);
      if (record === undefined) return undefined;
      if (now >= record.expiresAt || now - record.lastUsedAt > CONSOLE_IDLE_TIMEOUT_MS) {
        await deps.sessions.delete(tokenHash);
        return undefined;
      }
      // The user record is the truth: a deleted user's sessions are gone with it.
      const user = await deps.users.getById(record.userId);
      if (user === undefined) {
        await deps.sessions.delete(tokenHash);
        return undefined;
      }
      if (now - record.lastUsedAt >= TOUCH_EVERY_MS) await deps.sessions.touch(tokenHash, now);
      return {
        tokenHash,
        userId: record.userId,
        principal: userPrincipal(user),
        csrfToken: csrfOf(token),
        multiFactor: record.multiFactor,
        createdAt: record.createdAt,
      };
    },

    async close(session) {
      await deps.sessions.delete(session.tokenHash);
    },

    async markMultiFactor(session) {
      await deps.sessions.setMultiFactor(session.tokenHash);
    },
  };
}

/** Constant-time comparison of two secrets given as text. */
export function secretsEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
