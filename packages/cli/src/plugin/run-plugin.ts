// session-manager-plugin: what `aws ssm start-session` runs (ssm-wire §3). Parses AWS's argv
// contract, then runs a shell session on this terminal. Like AWS's plugin it reports every
// outcome on stdout and exits 0: `aws` treats any other status as its own failure and would print
// the whole argv — StartSession token included — in its error message.

import { randomUUID } from 'node:crypto';
import { SessionType } from '@openssm/protocol';
import { createApiContext, type ApiContext, type ApiFactory } from '../api/ssm-client.js';
import { resumeSession, terminateSessionQuietly } from '../api/session-api.js';
import type { Host } from '../host/host.js';
import type { RetryPolicy } from '../session/retry-policy.js';
import { cannotStartMessage, startingSessionMessage } from '../session/session-messages.js';
import { runShellSession } from '../session/shell-session.js';
import { ListenerSwitch } from '../session/listener-switch.js';
import { createNodeEnvironment } from '../session/node-environment.js';
import { createPluginRetryPolicy } from '../session/retry-policy.js';
import { SessionConnection } from '../session/session-connection.js';
import { runPluginPortSession } from '../port/plugin-port-session.js';
import { createDialer, type Dialer } from '../session/websocket-transport.js';
import { PLUGIN_VERSION } from '../version.js';
import { parsePluginArgv } from './plugin-argv.js';

/** Seams for tests: a fake SSM endpoint, fast retries. */
export interface PluginDependencies {
  readonly createApi?: ApiFactory;
  readonly retry?: RetryPolicy;
  readonly dialer?: (ca: readonly string[] | undefined) => Dialer;
}

export const PLUGIN_USER_AGENT = `openssm-session-manager-plugin/${PLUGIN_VERSION}`;

export async function runPlugin(
  host: Host,
  dependencies: PluginDependencies = {},
): Promise<number> {
  const out = host.stdout;
  const invocation = parsePluginArgv([host.programPath, ...host.args], host.env);
  switch (invocation.kind) {
    case 'installed':
      out.write(
        '\nsession-manager-plugin (OpenSSM) is installed. ' +
          'Start a session with: aws ssm start-session --target <instance-id>\n\n',
      );
      return 0;
    case 'version':
      out.write(`${PLUGIN_VERSION}\n`);
      return 0;
    case 'unknown-operation':
      out.write(
        `\nUnknown operation ${invocation.argument}. ` +
          'Run session-manager-plugin --version to see the installed version.\n\n',
      );
      return 0;
    case 'invalid-operation':
      out.write('Invalid Operation');
      return 0;
    case 'invalid-response':
      out.write(cannotStartMessage(invocation.reason));
      return 0;
    case 'start-session':
      break;
  }

  const { start } = invocation;
  out.write(startingSessionMessage(start.sessionId));
  // The SDK client is only needed to resume or terminate; a bad profile must not stop a session
  // that may never need either, so its error waits until then.
  let api: ApiContext | undefined;
  let apiError: unknown;
  try {
    api = (dependencies.createApi ?? createApiContext)(
      {
        region: invocation.region,
        profile: invocation.profile,
        endpointUrl: invocation.endpoint,
      },
      host,
    );
  } catch (error) {
    apiError = error;
  }
  const dial = (dependencies.dialer ?? defaultDialer)(api?.ca);
  const resume = (): Promise<string | undefined> => {
    if (api === undefined) {
      return Promise.reject(apiError instanceof Error ? apiError : new Error(String(apiError)));
    }
    return resumeSession(api.client, start.sessionId);
  };
  // The handshake says what kind of session this is (§4.8): open first, then pick the handler.
  const listeners = new ListenerSwitch();
  const connection = new SessionConnection({
    start,
    // One per process: the gateway recognises a resumed client by it (§4.1).
    clientId: randomUUID(),
    clientVersion: PLUGIN_VERSION,
    dial,
    resume,
    retry: dependencies.retry ?? createPluginRetryPolicy(),
    environment: createNodeEnvironment(),
    supportedSessionTypes: Object.values(SessionType),
    listener: listeners,
    ...(host.env['OPENSSM_PLUGIN_AWS_TRANSPORT'] === '1' ? { transportLimits: null } : {}),
  });
  let handshake;
  try {
    await connection.open();
    handshake = await listeners.readyOrEnded(connection.ready);
  } catch (error) {
    connection.close();
    out.write(cannotStartMessage(error instanceof Error ? error.message : String(error)));
    if (api !== undefined) await terminateSessionQuietly(api.client, start.sessionId);
    return 0;
  }
  if (handshake.sessionType === SessionType.Port) {
    const outcome = await runPluginPortSession({
      sessionId: start.sessionId,
      connection,
      listeners,
      handshake,
      io: host,
    });
    if (outcome.kind === 'failed') {
      out.write(`\n\nSession ${start.sessionId} ended: ${outcome.error.message}\n`);
    }
    if (outcome.kind !== 'closed' && outcome.kind !== 'timed-out' && api !== undefined) {
      // Nobody else can join this session: free it on the server rather than let it idle out.
      await terminateSessionQuietly(api.client, start.sessionId);
    }
    return 0;
  }
  const outcome = await runShellSession({
    start,
    clientId: '',
    clientVersion: PLUGIN_VERSION,
    io: host,
    dial,
    resume,
    onStdinEnd: 'end',
    exitCodes: 'print',
    attached: { connection, listeners },
  });
  switch (outcome.kind) {
    case 'closed':
    case 'timed-out':
    case 'escaped':
      return 0;
    case 'stdin-ended':
      out.write(cannotStartMessage('EOF'));
      return 0;
    case 'failed':
      if (outcome.stage === 'connect') {
        out.write(cannotStartMessage(outcome.error.message));
      } else {
        out.write(`\n\nSession ${start.sessionId} ended: ${outcome.error.message}\n`);
      }
      // Nobody else can join this session: free it on the server rather than let it idle out.
      if (api !== undefined) await terminateSessionQuietly(api.client, start.sessionId);
      return 0;
  }
}

function defaultDialer(ca: readonly string[] | undefined): Dialer {
  return createDialer({ ca, userAgent: PLUGIN_USER_AGENT });
}
