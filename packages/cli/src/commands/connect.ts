// `openssm connect <target>`: resolves the target, calls StartSession and runs the session in
// this process — the same client as session-manager-plugin, plus ssh's `~.` escape, Ctrl-D on
// piped input's EOF, and the agent's ExitCode (when it sends one) as our exit status.

import { randomUUID } from 'node:crypto';
import { StartSessionCommand } from '@aws-sdk/client-ssm';
import { listInstances } from '../api/list-instances.js';
import { resumeSession, terminateSessionQuietly } from '../api/session-api.js';
import { CliError } from '../errors.js';
import { startingSessionMessage } from '../session/session-messages.js';
import { runShellSession } from '../session/shell-session.js';
import { createDialer } from '../session/websocket-transport.js';
import { resolveTarget } from '../targets/resolve-target.js';
import { OPENSSM_VERSION, PLUGIN_VERSION } from '../version.js';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

/** Exit status when the session could not be joined or was lost (ssh uses 255 for its own). */
const SESSION_FAILED_EXIT_CODE = 255;

export const connectCommand: Command = {
  name: 'connect',
  summary: 'open a shell on a managed node',
  help: `Usage: openssm connect <target> [--reason TEXT] [--document-name NAME]

<target> is a managed node id (mi-…), tag:KEY=VALUE, or a name (the node's Name or its Name tag).
A target that matches several nodes lists them and exits with status 2.

  --reason TEXT          recorded with the session (StartSession Reason)
  --document-name NAME   a Session document (default: the server's, SSM-SessionManagerRunShell)

In the session, ~. at the start of a line disconnects (and ends the session), ~~ types a ~.
A dropped connection is resumed automatically. The exit status is 0 when the server ends the
session (as with AWS's plugin, also when the node was lost: the message printed says why), the
command's exit code when the agent reports one, and 255 when the session could not be joined,
its resume timed out, or the connection was lost for good.

${GLOBAL_HELP}`,
  options: {
    reason: { type: 'string' },
    'document-name': { type: 'string' },
  },
  positionals: { min: 1, max: 1, names: '<target>' },
  async run(context, values, [target]) {
    const { host } = context;
    const api = context.api();
    const resolved = await resolveTarget(target!, (filters) => listInstances(api.client, filters));
    if (resolved.name !== undefined) {
      host.stderr.write(`Connecting to ${resolved.instanceId} (${resolved.name})\n`);
    }
    const reason = values['reason'];
    const documentName = values['document-name'];
    const response = await api.client.send(
      new StartSessionCommand({
        Target: resolved.instanceId,
        ...(typeof documentName === 'string' ? { DocumentName: documentName } : {}),
        ...(typeof reason === 'string' ? { Reason: reason } : {}),
      }),
    );
    const { SessionId: sessionId, StreamUrl: streamUrl, TokenValue: tokenValue } = response;
    if (!sessionId || !streamUrl || !tokenValue) {
      throw new CliError('StartSession returned no SessionId, StreamUrl or TokenValue');
    }
    host.stdout.write(startingSessionMessage(sessionId));
    const dialer =
      context.dependencies.dialer ??
      ((ca) => createDialer({ ca, userAgent: `openssm/${OPENSSM_VERSION}` }));
    const outcome = await runShellSession({
      start: { sessionId, streamUrl, tokenValue },
      clientId: randomUUID(),
      // Agents switch features on the plugin version they see (ssm-wire §5.3): report the plugin's.
      clientVersion: PLUGIN_VERSION,
      io: host,
      dial: dialer(api.ca),
      resume: () => resumeSession(api.client, sessionId),
      onStdinEnd: 'send-eot',
      exitCodes: 'collect',
      escape: host.terminal.isInteractive,
      ...(context.dependencies.retry === undefined ? {} : { retry: context.dependencies.retry }),
    });
    switch (outcome.kind) {
      case 'closed':
        return toExitStatus(outcome.exitCode);
      case 'escaped':
        await terminateSessionQuietly(api.client, sessionId);
        host.stdout.write(`\nDisconnected; session ${sessionId} terminated.\n`);
        return 0;
      case 'timed-out':
      case 'stdin-ended':
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

/** The remote exit code when it fits a process status; -1 (killed by a signal) and others: 1. */
function toExitStatus(exitCode: number | undefined): number {
  if (exitCode === undefined) return 0;
  return exitCode >= 0 && exitCode <= 255 ? exitCode : 1;
}
