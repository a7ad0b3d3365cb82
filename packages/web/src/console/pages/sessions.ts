// Sessions: the active ones (terminate) and the history, with owner, reason and duration; a
// finished session links to its recording.

import { ssm, ssmAll } from '../api.js';
import { formatDuration, formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';
import { statusBadge } from './nodes.js';

interface SessionInfo {
  readonly SessionId: string;
  readonly Target: string;
  readonly Status: string;
  readonly StartDate?: number;
  readonly EndDate?: number;
  readonly Owner?: string;
  readonly Reason?: string;
  readonly DocumentName?: string;
}

function ownerName(arn: string | undefined): string {
  return arn === undefined ? '—' : arn.slice(arn.lastIndexOf('/') + 1);
}

function duration(session: SessionInfo): string {
  if (session.StartDate === undefined) return '—';
  const end = session.EndDate ?? Date.now() / 1000;
  return formatDuration((end - session.StartDate) * 1000);
}

function table(sessions: SessionInfo[], active: boolean, reload: () => void): HTMLElement {
  if (sessions.length === 0) {
    return notice('empty', active ? 'No active sessions.' : 'No finished sessions yet.');
  }
  return h(
    'table',
    { class: 'data', id: active ? 'sessions-active' : 'sessions-history' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Session', 'Node', 'Owner', 'Status', 'Reason', 'Started', 'Duration', ''].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      sessions.map((s) =>
        h(
          'tr',
          { 'data-session': s.SessionId },
          h(
            'td',
            { class: 'mono' },
            active ? s.SessionId : h('a', { href: `#/sessions/${s.SessionId}` }, s.SessionId),
          ),
          h('td', { class: 'mono' }, h('a', { href: `#/nodes/${s.Target}` }, s.Target)),
          h('td', { title: s.Owner ?? '' }, ownerName(s.Owner)),
          h('td', {}, statusBadge(s.Status)),
          h('td', {}, s.Reason ?? ''),
          h('td', {}, formatTime(s.StartDate)),
          h('td', {}, duration(s)),
          h(
            'td',
            {},
            active
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: (event: Event) => {
                      const button = event.currentTarget as HTMLButtonElement;
                      button.disabled = true;
                      ssm('TerminateSession', { SessionId: s.SessionId })
                        .then(reload)
                        .catch((error: unknown) => button.replaceWith(errorNotice(error)));
                    },
                  },
                  'Terminate',
                )
              : h('a', { href: `#/sessions/${s.SessionId}` }, 'Recording'),
          ),
        ),
      ),
    ),
  );
}

export const sessionsPage: Page = {
  title: 'Sessions',
  render(root) {
    const active = h('div', {}, notice('loading', 'Loading active sessions…'));
    const history = h('div', {}, notice('loading', 'Loading session history…'));
    const load = () => {
      ssmAll<SessionInfo>('DescribeSessions', { State: 'Active' }, 'Sessions')
        .then((sessions) => replace(active, table(sessions, true, load)))
        .catch((error: unknown) => replace(active, errorNotice(error)));
      ssmAll<SessionInfo>('DescribeSessions', { State: 'History' }, 'Sessions', 5)
        .then((sessions) => replace(history, table(sessions, false, load)))
        .catch((error: unknown) => replace(history, errorNotice(error)));
    };
    replace(
      root,
      h('h1', {}, 'Sessions'),
      h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: load }, 'Refresh')),
      h('h2', {}, 'Active'),
      active,
      h('h2', {}, 'History'),
      history,
    );
    load();
  },
};
