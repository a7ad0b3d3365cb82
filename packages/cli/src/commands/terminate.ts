// `openssm terminate <session-id>`: ends a session for everyone in it (TerminateSession).

import { TerminateSessionCommand } from '@aws-sdk/client-ssm';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

export const terminateCommand: Command = {
  name: 'terminate',
  summary: 'end a session',
  help: `Usage: openssm terminate <session-id>

Ends the session: its shell is stopped and every connected client is told it is over.

${GLOBAL_HELP}`,
  options: {},
  positionals: { min: 1, max: 1, names: '<session-id>' },
  async run(context, _values, [sessionId]) {
    await context.api().client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    context.host.stdout.write(`Session ${sessionId} terminated.\n`);
    return 0;
  },
};
