// What the console's own routes share: AWS-shaped JSON errors, bounded JSON bodies, and the
// signed-in session a state-changing request must carry (cookie plus matching CSRF header).

import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, readCookie } from './console-authenticator.js';
import { secretsEqual, type ConsoleSession, type ConsoleSessions } from './console-sessions.js';

/** Console forms are small; anything bigger is not ours. */
const MAX_FORM_BYTES = 4096;

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  type: string,
  message: string,
) {
  return reply
    .code(status)
    .headers({ 'content-type': 'application/json', 'x-amzn-requestid': request.id })
    .send(JSON.stringify({ __type: type, message }));
}

/** The body as a JSON object, or undefined when it is not one (or too big). */
export function parseJsonForm(body: unknown): Record<string, unknown> | undefined {
  if (!Buffer.isBuffer(body) || body.length > MAX_FORM_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Where a console request came from, for its audit event's sourceIPAddress and userAgent. */
export function callerOf(request: FastifyRequest): {
  sourceIp: string;
  userAgent: string | undefined;
} {
  return { sourceIp: request.ip, userAgent: request.headers['user-agent'] };
}

/** The session of a request that proves it with the cookie and the CSRF header. */
export async function sessionOf(
  request: FastifyRequest,
  sessions: ConsoleSessions,
  cookieName: string,
  now: number,
): Promise<ConsoleSession | undefined> {
  const token = readCookie({ headers: request.headers }, cookieName);
  const session = token === undefined ? undefined : await sessions.get(token, now);
  const csrf = request.headers[CSRF_HEADER];
  if (
    token === undefined ||
    session === undefined ||
    typeof csrf !== 'string' ||
    !secretsEqual(csrf, session.csrfToken)
  ) {
    return undefined;
  }
  return session;
}
