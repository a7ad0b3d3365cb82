// `openssm forward <target> [LOCAL_PORT:]HOST:PORT … [--socks PORT]`: several forwards, and a
// SOCKS5 proxy, over one session to the node (OpenSSM-StartMultiPortForwardingSession). HOST is
// resolved and reached from the node; listeners are on 127.0.0.1 unless --bind says otherwise.

import { randomUUID } from 'node:crypto';
import { StartSessionCommand } from '@aws-sdk/client-ssm';
import { listInstances } from '../api/list-instances.js';
import { resumeSession, terminateSessionQuietly } from '../api/session-api.js';
import { CliError, UsageError } from '../errors.js';
import { parseForwardSpec } from '../port/forward-spec.js';
import { runForwardSession } from '../port/forward-session.js';
import { createDialer } from '../session/websocket-transport.js';
import { resolveTarget } from '../targets/resolve-target.js';
import { OPENSSM_VERSION, PLUGIN_VERSION } from '../version.js';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

export const MULTI_PORT_FORWARDING_DOCUMENT = 'OpenSSM-StartMultiPortForwardingSession';
const SESSION_FAILED_EXIT_CODE = 255;

export const forwardCommand: Command = {
  name: 'forward',
  summary: 'forward local ports (or a SOCKS proxy) through a managed node',
  help: `Usage: openssm forward <target> [LOCAL_PORT:]HOST:PORT ... [--socks PORT] [--bind ADDRESS]

Forwards each LOCAL_PORT on this machine to HOST:PORT as the node reaches it, all over one
session. LOCAL_PORT defaults to PORT; 0 picks a free port. HOST is resolved on the node
(localhost is the node itself); IPv6 addresses go in brackets: 5432:[fd00::5]:5432.

  --socks PORT        also run a SOCKS5 proxy on PORT; its connections leave from the node
  --bind ADDRESS      listen on ADDRESS instead of 127.0.0.1 (anyone who can reach it uses
                      your session)
  --reason TEXT       recorded with the session (StartSession Reason)

One line is printed per connection when it ends (bytes each way, duration). Ctrl-C closes every
connection and ends the session. A dropped connection to the server is resumed; open forwarded
connections carry on. The node's agent refuses link-local and cloud metadata addresses.

Example: openssm forward web-1 8080:localhost:80 5432:db.internal:5432 --socks 1080

${GLOBAL_HELP}`,
  options: {
    socks: { type: 'string' },
    bind: { type: 'string' },
    reason: { type: 'string' },
  },
  positionals: { min: 1, max: 64, names: '<target> [LOCAL_PORT:]HOST:PORT ...' },
  async run(context, values, [target, ...specs]) {
    const { host } = context;
    const forwards = specs.map(parseForwardSpec);
    const socksText = values['socks'];
    let socksPort: number | undefined;
    if (typeof socksText === 'string') {
      if (!/^\d{1,5}$/.test(socksText) || Number(socksText) > 65535) {
        throw new UsageError(`--socks ${socksText} is not a port number`);
      }
      socksPort = Number(socksText);
    }
    if (forwards.length === 0 && socksPort === undefined) {
      throw new UsageError('forward needs at least one [LOCAL_PORT:]HOST:PORT or --socks PORT');
    }
    const bind = values['bind'];
    const bindAddress = typeof bind === 'string' ? bind : '127.0.0.1';
    const api = context.api();
    const resolved = await resolveTarget(target!, (filters) => listInstances(api.client, filters));
    const reason = values['reason'];
    const response = await api.client.send(
      new StartSessionCommand({
        Target: resolved.instanceId,
        DocumentName: MULTI_PORT_FORWARDING_DOCUMENT,
        ...(typeof reason === 'string' ? { Reason: reason } : {}),
      }),
    );
    const { SessionId: sessionId, StreamUrl: streamUrl, TokenValue: tokenValue } = response;
    if (!sessionId || !streamUrl || !tokenValue) {
      throw new CliError('StartSession returned no SessionId, StreamUrl or TokenValue');
    }
    host.stderr.write(
      `Session ${sessionId} to ${resolved.instanceId}${resolved.name === undefined ? '' : ` (${resolved.name})`}\n`,
    );
    const dialer =
      context.dependencies.dialer ??
      ((ca) => createDialer({ ca, userAgent: `openssm/${OPENSSM_VERSION}` }));
    const outcome = await runForwardSession({
      start: { sessionId, streamUrl, tokenValue },
      clientId: randomUUID(),
      clientVersion: PLUGIN_VERSION,
      forwards,
      ...(socksPort === undefined ? {} : { socksPort }),
      bindAddress,
      io: host,
      dial: dialer(api.ca),
      resume: () => resumeSession(api.client, sessionId),
      ...(context.dependencies.retry === undefined ? {} : { retry: context.dependencies.retry }),
    });
    switch (outcome.kind) {
      case 'closed':
        return 0;
      case 'interrupted':
        await terminateSessionQuietly(api.client, sessionId);
        host.stderr.write(`Session ${sessionId} terminated.\n`);
        return 0;
      case 'timed-out':
        return SESSION_FAILED_EXIT_CODE;
      case 'failed':
        await terminateSessionQuietly(api.client, sessionId);
        throw new CliError(
          `session ${sessionId}: ${outcome.error.message}`,
          SESSION_FAILED_EXIT_CODE,
        );
    }
  },
};
