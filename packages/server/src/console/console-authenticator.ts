// Lets the console's browser call the very same API endpoints as the AWS CLI: a request without
// a SigV4 Authorization header but with the console cookie is authenticated as the signed-in IAM
// user, provided it echoes the session's CSRF token in a header (a cross-site page can make the
// browser send the cookie, never read the token). Authorization and audit then happen exactly as
// for a signed request, in the dispatchers — the console is never a way around a denial.

import { CodedError } from '@openssm/protocol';
import { headerValue, type RawRequest } from '../http/raw-request.js';
import type { Authenticator } from '../http/request-authenticator.js';
import { secretsEqual, type ConsoleSessions } from './console-sessions.js';

/** The header a console request carries its CSRF token in. */
export const CSRF_HEADER = 'x-openssm-csrf';

export interface ConsoleAuthenticatorOptions {
  readonly sessions: ConsoleSessions;
  readonly cookieName: string;
  readonly now: () => number;
}

export function withConsoleSessions(
  inner: Authenticator,
  options: ConsoleAuthenticatorOptions,
): Authenticator {
  return async (scheme, request, scope) => {
    const token = readCookie(request, options.cookieName);
    // Signed requests (and node credentials) never look at cookies.
    if (
      scheme !== 'sigv4' ||
      token === undefined ||
      headerValue(request, 'authorization') !== undefined
    ) {
      return inner(scheme, request, scope);
    }
    // Unknown, expired, signed out, or its user deleted or its password changed.
    const session = await options.sessions.get(token, options.now());
    if (session === undefined) {
      throw new CodedError(
        'UnrecognizedClientException',
        'The console session has expired or was signed out; sign in again.',
      );
    }
    const csrf = headerValue(request, CSRF_HEADER) ?? '';
    if (!secretsEqual(csrf, session.csrfToken)) {
      throw new CodedError(
        'MissingAuthenticationToken',
        `The console request is missing its ${CSRF_HEADER} header or it does not match the session.`,
      );
    }
    return { ...session.principal, multiFactor: session.multiFactor };
  };
}

/** The value of one cookie in the request's Cookie header(s), or undefined. */
export function readCookie(request: Pick<RawRequest, 'headers'>, name: string): string | undefined {
  const header = request.headers['cookie'];
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const line of lines) {
    for (const part of line.split(';')) {
      const at = part.indexOf('=');
      if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
    }
  }
  return undefined;
}
