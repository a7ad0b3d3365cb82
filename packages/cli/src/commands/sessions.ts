// `openssm sessions`: active sessions, or with --history the ended ones (DescribeSessions);
// `log`, `play` and `export` read a session's recording (session-recordings.ts).

import { paginateDescribeSessions, type Session } from '@aws-sdk/client-ssm';
import { formatTable, formatTimestamp, type Column } from '../output/table.js';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';
import { UsageError } from '../errors.js';
import { sessionExport, sessionLog, sessionPlay } from './session-recordings.js';

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
  summary: 'list sessions; log, play or export a session’s recording',
  help: `Usage: openssm sessions [--history]
       openssm sessions log SESSION-ID
       openssm sessions play SESSION-ID [--speed N] [--idle-limit SECONDS]
       openssm sessions export SESSION-ID [--dir DIR]

Lists the active sessions, or with --history the sessions that have ended.
log     prints the session's transcript: every line it showed, without escape codes, each
        with the time it appeared.
play    replays the recording in this terminal with the original timing (--speed 2 is twice
        as fast; --idle-limit caps every pause).
export  writes SESSION-ID.cast (asciicast v2, plays with asciinema) and SESSION-ID.log (the
        transcript) into DIR (default: here).

${GLOBAL_HELP}`,
  options: {
    history: { type: 'boolean' },
    speed: { type: 'string' },
    'idle-limit': { type: 'string' },
    dir: { type: 'string' },
  },
  positionals: { min: 0, max: 2, names: 'log|play|export and a SESSION-ID' },
  async run(context, values, positionals) {
    const [subcommand, sessionId] = positionals;
    if (subcommand !== undefined) {
      if (sessionId === undefined)
        throw new UsageError(`sessions ${subcommand} takes a SESSION-ID`);
      switch (subcommand) {
        case 'log':
          return sessionLog(context, sessionId);
        case 'play':
          return sessionPlay(context, sessionId, values);
        case 'export':
          return sessionExport(context, sessionId, values);
        default:
          throw new UsageError(`unknown sessions subcommand "${subcommand}"`);
      }
    }
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
