// `openssm ssh-proxy <target> [port]` (ssh's ProxyCommand: stdin and stdout are the connection
// to the node's sshd, through an AWS-StartSSHSession session) and `openssm ssh-config` (a Host
// block so `ssh mi-…` and `scp` go through it without further flags).

import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { StartSessionCommand } from '@aws-sdk/client-ssm';
import { SessionType } from '@openssm/protocol';
import { listInstances } from '../api/list-instances.js';
import { resumeSession, terminateSessionQuietly } from '../api/session-api.js';
import { CliError, UsageError } from '../errors.js';
import { runPluginPortSession } from '../port/plugin-port-session.js';
import { ListenerSwitch } from '../session/listener-switch.js';
import { createNodeEnvironment } from '../session/node-environment.js';
import { createPluginRetryPolicy } from '../session/retry-policy.js';
import { SessionConnection } from '../session/session-connection.js';
import { createDialer } from '../session/websocket-transport.js';
import { resolveTarget } from '../targets/resolve-target.js';
import { OPENSSM_VERSION, PLUGIN_VERSION } from '../version.js';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

export const SSH_DOCUMENT = 'AWS-StartSSHSession';
const SESSION_FAILED_EXIT_CODE = 255;

export const sshProxyCommand: Command = {
  name: 'ssh-proxy',
  summary: "connect stdin/stdout to a node's sshd (ssh ProxyCommand)",
  help: `Usage: openssm ssh-proxy <target> [PORT]

Connects stdin and stdout to PORT (default 22) on the node, through a session of
AWS-StartSSHSession, for ssh's ProxyCommand:

  ssh -o ProxyCommand='openssm ssh-proxy %h %p' ec2-user@mi-0123456789abcdef0

'openssm ssh-config' prints a Host block that does this for every mi-… and i-… name.
Messages go to stderr; the exit status is 0 when the session ended normally.

${GLOBAL_HELP}`,
  options: {},
  positionals: { min: 1, max: 2, names: '<target> [PORT]' },
  async run(context, _values, [target, portText]) {
    const { host } = context;
    const port = portText ?? '22';
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new UsageError(`${port} is not a port number`);
    }
    const api = context.api();
    const resolved = await resolveTarget(target!, (filters) => listInstances(api.client, filters));
    const response = await api.client.send(
      new StartSessionCommand({
        Target: resolved.instanceId,
        DocumentName: SSH_DOCUMENT,
        Parameters: { portNumber: [port] },
      }),
    );
    const { SessionId: sessionId, StreamUrl: streamUrl, TokenValue: tokenValue } = response;
    if (!sessionId || !streamUrl || !tokenValue) {
      throw new CliError('StartSession returned no SessionId, StreamUrl or TokenValue');
    }
    const dialer =
      context.dependencies.dialer ??
      ((ca) => createDialer({ ca, userAgent: `openssm/${OPENSSM_VERSION}` }));
    const listeners = new ListenerSwitch();
    const connection = new SessionConnection({
      start: { sessionId, streamUrl, tokenValue },
      clientId: randomUUID(),
      clientVersion: PLUGIN_VERSION,
      dial: dialer(api.ca),
      resume: () => resumeSession(api.client, sessionId),
      retry: context.dependencies.retry ?? createPluginRetryPolicy(),
      environment: createNodeEnvironment(),
      supportedSessionTypes: [SessionType.Port],
      listener: listeners,
    });
    let handshake;
    try {
      await connection.open();
      handshake = await listeners.readyOrEnded(connection.ready);
    } catch (error) {
      connection.close();
      await terminateSessionQuietly(api.client, sessionId);
      throw new CliError(
        `session ${sessionId}: ${error instanceof Error ? error.message : String(error)}`,
        SESSION_FAILED_EXIT_CODE,
      );
    }
    const outcome = await runPluginPortSession({
      sessionId,
      connection,
      listeners,
      handshake,
      io: host,
      messages: host.stderr,
    });
    if (outcome.kind !== 'closed') await terminateSessionQuietly(api.client, sessionId);
    if (outcome.kind === 'failed') {
      throw new CliError(
        `session ${sessionId}: ${outcome.error.message}`,
        SESSION_FAILED_EXIT_CODE,
      );
    }
    return outcome.kind === 'timed-out' ? SESSION_FAILED_EXIT_CODE : 0;
  },
};

export const sshConfigCommand: Command = {
  name: 'ssh-config',
  summary: 'print an ssh_config Host block for managed nodes',
  help: `Usage: openssm ssh-config [--host PATTERN]

Prints a Host block for ~/.ssh/config so that 'ssh mi-…' and 'scp file mi-…:' reach nodes
through openssm ssh-proxy. The global options given here (--endpoint-url, --profile,
--region) are written into the ProxyCommand.

  --host PATTERN   the ssh Host patterns (default: "mi-* i-*")

Example: openssm ssh-config >> ~/.ssh/config && ssh ec2-user@mi-0123456789abcdef0

${GLOBAL_HELP}`,
  options: { host: { type: 'string' } },
  positionals: { min: 0, max: 0, names: '' },
  run(context, values) {
    const { host, flags } = context;
    const patterns = typeof values['host'] === 'string' ? values['host'] : 'mi-* i-*';
    if (!/^[A-Za-z0-9*?.!_ -]+$/.test(patterns)) {
      throw new UsageError(`--host ${patterns} is not a list of ssh Host patterns`);
    }
    const program = isAbsolute(host.programPath) ? host.programPath : 'openssm';
    const options = [
      ...(flags.endpointUrl === undefined ? [] : ['--endpoint-url', flags.endpointUrl]),
      ...(flags.profile === undefined ? [] : ['--profile', flags.profile]),
      ...(flags.region === undefined ? [] : ['--region', flags.region]),
    ];
    const command = [program, ...options, 'ssh-proxy', '%h', '%p'].map(quoteForSsh).join(' ');
    host.stdout.write(
      `# OpenSSM: ssh and scp to managed nodes through a session (openssm ssh-config)\nHost ${patterns}\n  ProxyCommand ${command}\n`,
    );
    return Promise.resolve(0);
  },
};

/** ssh runs ProxyCommand through the shell: quote what could be split or expanded. */
function quoteForSsh(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
