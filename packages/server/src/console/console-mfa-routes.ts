// The signed-in user's own MFA device: status, enrolment (the secret is shown once), enabling
// with a first code, removal with a current code. Each change is authorized by the policy
// engine as AWS's equivalent IAM action on the user's own ARN, and audited.

import type { FastifyInstance } from 'fastify';
import { isCodedError } from '@openssm/protocol';
import type { ServiceEvent } from '../audit/cloudtrail-record.js';
import type { Authorizer } from '../policy/authorizer.js';
import { callerOf, parseJsonForm, sendError, sessionOf } from './console-http.js';
import type { ConsoleMfa } from './console-mfa.js';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.js';
import { encodeBase32, otpauthUri } from './totp.js';

export interface ConsoleMfaRoutesOptions {
  readonly sessions: ConsoleSessions;
  readonly cookieName: string;
  readonly mfa: ConsoleMfa;
  readonly authorize: Authorizer;
  readonly secureTransport: boolean;
  readonly region: string;
  /** The issuer authenticator apps show beside the account. */
  readonly issuer: string;
  readonly audit: (event: ServiceEvent) => void;
  readonly now: () => number;
}

export function registerConsoleMfaRoutes(
  http: FastifyInstance,
  options: ConsoleMfaRoutesOptions,
): void {
  const { sessions, cookieName, mfa } = options;

  http.get('/console/api/mfa', async (request, reply) => {
    const session = await sessionOf(request, sessions, cookieName, options.now());
    if (session === undefined) {
      return sendError(reply, request, 401, 'UnrecognizedClientException', 'Not signed in.');
    }
    void reply.header('cache-control', 'no-store');
    return { status: await mfa.status(session.userId), multiFactor: session.multiFactor };
  });

  /** Registers a state-changing MFA route: signed in, authorized as `action`, then `run`. */
  function post(
    path: string,
    action: string,
    run: (
      session: ConsoleSession,
      code: string,
      now: number,
    ) => Promise<{ status: number; body: object; event?: ServiceEvent['name'] }>,
  ) {
    http.post(path, async (request, reply) => {
      const now = options.now();
      const session = await sessionOf(request, sessions, cookieName, now);
      if (session === undefined) {
        return sendError(reply, request, 401, 'UnrecognizedClientException', 'Not signed in.');
      }
      const form = parseJsonForm(request.body) ?? {};
      const code = typeof form['code'] === 'string' ? form['code'].slice(0, 16) : '';
      try {
        await options.authorize({
          principal: session.principal,
          checks: [{ action, resource: session.principal.arn }],
          facts: {
            sourceIp: request.ip,
            secureTransport: options.secureTransport,
            now,
            region: options.region,
            multiFactor: session.multiFactor,
          },
        });
      } catch (error) {
        if (isCodedError(error)) {
          return sendError(reply, request, 400, error.spec.awsType, error.message);
        }
        throw error;
      }
      const outcome = await run(session, code, now);
      if (outcome.event !== undefined) {
        options.audit({
          name: outcome.event,
          time: now,
          owner: { arn: session.principal.arn, name: session.principal.name },
          caller: callerOf(request),
          details: { userName: session.principal.name },
        });
      }
      void reply.code(outcome.status).header('cache-control', 'no-store');
      return outcome.body;
    });
  }

  const wrongCode = {
    status: 400,
    body: { __type: 'ConsoleSignInFailed', message: 'The MFA code is not valid.' },
  };

  post('/console/api/mfa/enrol', 'iam:CreateVirtualMFADevice', async (session, _code, now) => {
    const secret = await mfa.enrol(session.userId, now);
    if (secret === undefined) {
      return {
        status: 409,
        body: {
          __type: 'EntityAlreadyExists',
          message: 'An MFA device is already enabled; remove it first.',
        },
      };
    }
    // Shown once: the server keeps it sealed and never returns it again.
    return {
      status: 200,
      body: {
        secret: encodeBase32(secret),
        uri: otpauthUri(options.issuer, session.principal.name, secret),
      },
    };
  });

  post('/console/api/mfa/enable', 'iam:EnableMFADevice', async (session, code, now) => {
    if (!(await mfa.enable(session.userId, code, now))) return wrongCode;
    // This session has just shown a code; the user's other sessions have not.
    await sessions.markMultiFactor(session);
    return { status: 200, body: { status: 'enabled' }, event: 'ConsoleMfaEnabled' };
  });

  post('/console/api/mfa/disable', 'iam:DeactivateMFADevice', async (session, code, now) => {
    if (!(await mfa.disable(session.userId, code, now))) return wrongCode;
    return { status: 200, body: { status: 'none' }, event: 'ConsoleMfaDisabled' };
  });
}
