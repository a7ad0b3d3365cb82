// `openssm sessions`: active sessions, or with --history the ended ones (DescribeSessions).

import { paginateDescribeSessions, type Session } from '@aws-sdk/client-ssm';
import { formatTable, formatTimestamp, type Column } from '../output/table.js';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

const COMMON: readonly Column<Session>[] = [
  { header: 'SessionId', value: (session) => session.SessionId },
  { header: 'Target', value: (session) => session.Target },
  { header: 'Status', value: (session) => session.Status },
  { header: 'Started', value: (session) => formatTimestamp(session.StartDate) },
];
const TAIL: readonly Column<Session>[] = [
  { header: 'Document', value: (session) => session.DocumentName },
  { header: 'Owner', value: (session) => session.Owner },
  { header: 'Reason', value: (session) => session.Reason },
];
const ENDED: Column<Session> = {
  header: 'Ended',
  value: (session) => formatTimestamp(session.EndDate),
};

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'list active sessions (--history: ended ones)',
  help: `Usage: openssm sessions [--history]

Lists the active sessions, or with --history the sessions that have ended.

${GLOBAL_HELP}`,
  options: { history: { type: 'boolean' } },
  positionals: { min: 0, max: 0, names: '' },
  async run(context, values) {
    const history = values['history'] === true;
    const sessions: Session[] = [];
    const pages = paginateDescribeSessions(
      { client: context.api().client },
      { State: history ? 'History' : 'Active' },
    );
    for await (const page of pages) sessions.push(...(page.Sessions ?? []));
    const out = context.host.stdout;
    if (sessions.length === 0) {
      out.write(history ? 'No ended sessions.\n' : 'No active sessions.\n');
      return 0;
    }
    const columns = history ? [...COMMON, ENDED, ...TAIL] : [...COMMON, ...TAIL];
    out.write(formatTable(columns, sessions));
    return 0;
  },
};
