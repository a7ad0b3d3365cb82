// session-manager-plugin: what `aws ssm start-session` runs (ssm-wire §3). Parses AWS's argv
// contract, then runs a shell session on this terminal. Like AWS's plugin it reports every
// outcome on stdout and exits 0: `aws` treats any other status as its own failure and would print
// the whole argv — StartSession token included — in its error message.

import { randomUUID } from 'node:crypto';
import { createApiContext, type ApiContext, type ApiFactory } from '../api/ssm-client.js';
import { resumeSession, terminateSessionQuietly } from '../api/session-api.js';
import type { Host } from '../host/host.js';
import type { RetryPolicy } from '../session/retry-policy.js';
import { cannotStartMessage, startingSessionMessage } from '../session/session-messages.js';
import { runShellSession } from '../session/shell-session.js';
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
  const outcome = await runShellSession({
    start,
    // One per process: the gateway recognises a resumed client by it (§4.1).
    clientId: randomUUID(),
    clientVersion: PLUGIN_VERSION,
    io: host,
    dial,
    resume: () => {
      if (api === undefined) {
        return Promise.reject(apiError instanceof Error ? apiError : new Error(String(apiError)));
      }
      return resumeSession(api.client, start.sessionId);
    },
    onStdinEnd: 'end',
    exitCodes: 'print',
    ...(dependencies.retry === undefined ? {} : { retry: dependencies.retry }),
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
