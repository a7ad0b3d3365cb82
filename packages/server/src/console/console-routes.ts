// The console's own HTTP routes on the one listener: sign-in, the current session (with its CSRF
// token), sign-out, and the built single-page app under /console/. Everything else the console
// does goes through the API endpoint at `POST /`, authenticated by the cookie (console-authenticator.ts).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCodedError } from '@openssm/protocol';
import type { ServiceEvent } from '../audit/cloudtrail-record.js';
import { createFailureThrottle } from '../auth/failure-throttle.js';
import type { IamService } from '../services/iam/iam-service.js';
import { readCookie } from './console-authenticator.js';
import { callerOf, parseJsonForm, sendError, sessionOf } from './console-http.js';
import type { ConsoleMfa } from './console-mfa.js';
import { CONSOLE_MAX_SESSION_MS, type ConsoleSessions } from './console-sessions.js';
import { serveConsoleFile } from './console-static.js';

/** Failed sign-ins one user name may have in a burst before it is locked for a while. */
export const SIGN_IN_FAILURE_BURST = 5;
/** One more attempt per minute once locked: guessing a password stays hopeless. */
export const SIGN_IN_FAILURES_PER_SECOND = 1 / 60;

export interface ConsoleRoutesOptions {
  readonly sessions: ConsoleSessions;
  readonly cookieName: string;
  /** Served over TLS (or behind a TLS proxy): the cookie gets `Secure`. */
  readonly secure: boolean;
  readonly iam: IamService;
  readonly mfa: ConsoleMfa;
  /** The built console (index.html and assets). */
  readonly consoleDir: string;
  readonly audit: (event: ServiceEvent) => void;
  /** The server's region: what the console puts in the commands it shows (agent register). */
  readonly region: string;
  readonly now: () => number;
}

export function registerConsoleRoutes(http: FastifyInstance, options: ConsoleRoutesOptions): void {
  const { sessions, cookieName } = options;
  // Per source and per user name: one address guessing many users, many addresses guessing one.
  const bySource = createFailureThrottle();
  const byUser = createFailureThrottle(SIGN_IN_FAILURE_BURST, SIGN_IN_FAILURES_PER_SECOND);
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${String(maxAgeSeconds)}${options.secure ? '; Secure' : ''}`;

  http.get('/', (_request, reply) => reply.redirect('/console/', 302));

  http.post('/console/api/sign-in', async (request, reply) => {
    const now = options.now();
    const form = parseSignIn(request.body);
    if (form === undefined) {
      return sendError(reply, request, 400, 'ValidationException', 'Give userName and password.');
    }
    const source = request.ip;
    const auditFailure = (reason: string) => {
      options.audit({
        name: 'ConsoleSignInFailed',
        time: now,
        caller: callerOf(request),
        details: { userName: form.userName, reason },
      });
    };
    const failed = (reason: string) => {
      auditFailure(reason);
      return sendError(
        reply,
        request,
        401,
        'ConsoleSignInFailed',
        'The user name, password or MFA code is not valid.',
      );
    };
    try {
      bySource.check(source, now);
      byUser.check(form.userName, now);
    } catch {
      auditFailure('throttled');
      return sendError(
        reply,
        request,
        429,
        'ThrottlingException',
        'Too many failed sign-ins; wait a minute and try again.',
      );
    }
    const user = await options.iam.users.checkPassword(form.userName, form.password);
    if (user === undefined) {
      bySource.recordFailure(source, now);
      byUser.recordFailure(form.userName, now);
      return failed('bad-password');
    }
    let multiFactor = false;
    if ((await options.mfa.status(user.userId)) === 'enabled') {
      if (form.mfaCode === undefined || form.mfaCode === '') {
        // The password was right; the page now asks for the code (nothing is counted).
        return sendError(
          reply,
          request,
          401,
          'ConsoleMfaRequired',
          'Enter the code from your authenticator app.',
        );
      }
      if (!(await options.mfa.verify(user.userId, form.mfaCode, now))) {
        bySource.recordFailure(source, now);
        byUser.recordFailure(form.userName, now);
        return failed('bad-mfa-code');
      }
      multiFactor = true;
    }
    // A password an administrator set with --password-reset-required is for one use: the user
    // picks their own before anything else (AWS's console does the same).
    const profile = await options.iam.users.getLoginProfile(user.userName);
    if (profile.passwordResetRequired) {
      if (form.newPassword === undefined || form.newPassword === '') {
        return sendError(
          reply,
          request,
          401,
          'ConsolePasswordResetRequired',
          'Your password must be changed: choose a new one.',
        );
      }
      if (form.newPassword === form.password) {
        return sendError(
          reply,
          request,
          400,
          'PasswordPolicyViolation',
          'The new password must differ from the current one.',
        );
      }
      try {
        await options.iam.users.setPassword(user.userName, form.newPassword, false, now, false);
      } catch (error) {
        if (!isCodedError(error)) throw error;
        return sendError(reply, request, error.spec.httpStatus, error.spec.awsType, error.message);
      }
      options.audit({
        name: 'ConsolePasswordChanged',
        time: now,
        owner: { arn: user.arn, name: user.userName },
        caller: callerOf(request),
        details: { userName: user.userName, reason: 'reset-required' },
      });
    }
    const { token, session } = await sessions.open(user.userId, multiFactor, now);
    options.audit({
      name: 'ConsoleSignIn',
      time: now,
      owner: { arn: user.arn, name: user.userName },
      caller: callerOf(request),
      details: { userName: user.userName, multiFactor },
    });
    void reply
      .header('set-cookie', cookie(token, CONSOLE_MAX_SESSION_MS / 1000))
      .header('cache-control', 'no-store');
    return {
      userName: user.userName,
      arn: user.arn,
      csrfToken: session.csrfToken,
      multiFactor: session.multiFactor,
      region: options.region,
    };
  });

  http.get('/console/api/session', async (request, reply) => {
    const token = readCookie(rawHeaders(request), cookieName);
    const session = token === undefined ? undefined : await sessions.get(token, options.now());
    void reply.header('cache-control', 'no-store');
    if (session === undefined) {
      return sendError(reply, request, 401, 'UnrecognizedClientException', 'Not signed in.');
    }
    return {
      userName: session.principal.name,
      arn: session.principal.arn,
      csrfToken: session.csrfToken,
      multiFactor: session.multiFactor,
      region: options.region,
    };
  });

  http.post('/console/api/sign-out', async (request, reply) => {
    const session = await sessionOf(request, sessions, cookieName, options.now());
    if (session === undefined) {
      return sendError(reply, request, 401, 'UnrecognizedClientException', 'Not signed in.');
    }
    await sessions.close(session);
    options.audit({
      name: 'ConsoleSignOut',
      time: options.now(),
      owner: { arn: session.principal.arn, name: session.principal.name },
      caller: callerOf(request),
      details: { userName: session.principal.name },
    });
    void reply.header('set-cookie', cookie('', 0));
    return { signedOut: true };
  });

  http.get('/console', (_request, reply) => reply.redirect('/console/', 301));
  http.get('/console/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    return serveConsoleFile(reply, options.consoleDir, path);
  });
}

interface SignInForm {
  readonly userName: string;
  readonly password: string;
  readonly mfaCode: string | undefined;
  /** Only when the login profile requires a new password. */
  readonly newPassword: string | undefined;
}

function parseSignIn(body: unknown): SignInForm | undefined {
  const value = parseJsonForm(body);
  if (value === undefined) return undefined;
  const { userName, password, mfaCode, newPassword } = value;
  if (typeof userName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(userName)) return undefined;
  if (typeof password !== 'string' || password.length === 0 || password.length > 128) {
    return undefined;
  }
  if (mfaCode !== undefined && (typeof mfaCode !== 'string' || mfaCode.length > 16)) {
    return undefined;
  }
  if (newPassword !== undefined && (typeof newPassword !== 'string' || newPassword.length > 128)) {
    return undefined;
  }
  return { userName, password, mfaCode, newPassword };
}

function rawHeaders(request: FastifyRequest) {
  return { headers: request.headers };
}
