// The console's pages and the hash routes that reach them; the ones with `nav` are in the menu.

import { lazyPage, type Page } from './page.js';
import { nodeDetailsPage } from './pages/node-details.js';
import { nodesPage } from './pages/nodes.js';
import { commandStatusPage } from './pages/command-status.js';
import { runCommandPage } from './pages/run-command.js';
import { sessionsPage } from './pages/sessions.js';
import { auditPage } from './pages/audit.js';
import { activationsPage } from './pages/activations.js';
import { preferencesPage } from './pages/preferences.js';
import { iamPage } from './pages/iam.js';
import { accountPage } from './pages/account.js';

export interface Route {
  readonly pattern: RegExp;
  readonly page: Page;
  /** The menu entry this route belongs to (highlighted while on it). */
  readonly section: string;
  readonly nav?: string;
  readonly href?: string;
}

export const ROUTES: readonly Route[] = [
  { pattern: /^\/nodes\/?$/, page: nodesPage, section: 'nodes', nav: 'Nodes', href: '#/nodes' },
  { pattern: /^\/nodes\/(mi-[0-9a-f]+)\/?$/, page: nodeDetailsPage, section: 'nodes' },
  {
    pattern: /^\/nodes\/(mi-[0-9a-f]+)\/shell$/,
    page: lazyPage('Shell', () => import('./pages/terminal.js').then((m) => m.terminalPage)),
    section: 'nodes',
  },
  {
    pattern: /^\/run\/?$/,
    page: runCommandPage,
    section: 'run',
    nav: 'Run Command',
    href: '#/run',
  },
  { pattern: /^\/run\/([0-9a-f-]{36})$/, page: commandStatusPage, section: 'run' },
  {
    pattern: /^\/sessions\/?$/,
    page: sessionsPage,
    section: 'sessions',
    nav: 'Sessions',
    href: '#/sessions',
  },
  {
    pattern: /^\/sessions\/([\w.@+=,-]+)$/,
    page: lazyPage('Recording', () => import('./pages/recording.js').then((m) => m.recordingPage)),
    section: 'sessions',
  },
  { pattern: /^\/audit\/?$/, page: auditPage, section: 'audit', nav: 'Audit', href: '#/audit' },
  {
    pattern: /^\/activations\/?$/,
    page: activationsPage,
    section: 'activations',
    nav: 'Activations',
    href: '#/activations',
  },
  {
    pattern: /^\/iam(?:\/(\w+)(?:\/([\w+=,.@-]+))?)?\/?$/,
    page: iamPage,
    section: 'iam',
    nav: 'IAM',
    href: '#/iam/users',
  },
  { pattern: /^\/account\/?$/, page: accountPage, section: 'account' },
  {
    pattern: /^\/preferences\/?$/,
    page: preferencesPage,
    section: 'preferences',
    nav: 'Preferences',
    href: '#/preferences',
  },
];
