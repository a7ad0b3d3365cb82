// Console sign-in sessions: an opaque random token in an HttpOnly cookie names a session that
// holds the signed-in IAM user and the CSRF token the page must echo in a header. Only the
// SHA-256 of the cookie token is kept, so a memory dump does not hand out live cookies.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../storage/records.js';

/** A session unused this long is gone: a console left open over lunch signs in again. */
export const CONSOLE_IDLE_TIMEOUT_MS = 60 * 60_000;
/** However busy, a session lasts at most this long (AWS's console: 12 hours). */
export const CONSOLE_MAX_SESSION_MS = 12 * 60 * 60_000;
/** Sessions held at most; the least recently used go first (memory stays bounded). */
const MAX_SESSIONS = 10_000;

export interface ConsoleSession {
  readonly userId: string;
  readonly principal: Principal;
  readonly csrfToken: string;
  /** Signed in with a TOTP code: feeds aws:MultiFactorAuthPresent. */
  multiFactor: boolean;
  readonly createdAt: number;
  lastUsedAt: number;
}

export interface ConsoleSessions {
  /** Opens a session; returns the cookie token (shown to the browser once, never stored). */
  open(principal: Principal, userId: string, multiFactor: boolean, now: number): OpenedSession;
  /** The live session the cookie token names, refreshed; undefined when unknown or expired. */
  get(token: string, now: number): ConsoleSession | undefined;
  close(token: string): void;
  /** Ends every session of a user (password changed, user deleted). */
  closeUser(userId: string): void;
}

export interface OpenedSession {
  readonly token: string;
  readonly session: ConsoleSession;
}

export function createConsoleSessions(): ConsoleSessions {
  const sessions = new Map<string, ConsoleSession>();
  const keyOf = (token: string) => createHash('sha256').update(token).digest('hex');
  return {
    open(principal, userId, multiFactor, now) {
      const token = randomBytes(32).toString('base64url');
      const session: ConsoleSession = {
        userId,
        principal,
        csrfToken: randomBytes(32).toString('base64url'),
        multiFactor,
        createdAt: now,
        lastUsedAt: now,
      };
      sessions.set(keyOf(token), session);
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      return { token, session };
    },
    get(token, now) {
      if (token.length === 0 || token.length > 128) return undefined;
      const key = keyOf(token);
      const session = sessions.get(key);
      if (session === undefined) return undefined;
      if (
        now - session.lastUsedAt > CONSOLE_IDLE_TIMEOUT_MS ||
        now - session.createdAt > CONSOLE_MAX_SESSION_MS
      ) {
        sessions.delete(key);
        return undefined;
      }
      session.lastUsedAt = now;
      // Re-inserted so the map's order is least recently used first.
      sessions.delete(key);
      sessions.set(key, session);
      return session;
    },
    close(token) {
      sessions.delete(keyOf(token));
    },
    closeUser(userId) {
      for (const [key, session] of sessions) if (session.userId === userId) sessions.delete(key);
    },
  };
}

/** Constant-time comparison of two secrets given as text. */
export function secretsEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
