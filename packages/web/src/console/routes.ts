// The console's pages and the hash routes that reach them; the ones with `nav` are in the menu.

import { lazyPage, type Page } from './page.js';
import { nodeDetailsPage } from './pages/node-details.js';
import { nodesPage } from './pages/nodes.js';
import { commandStatusPage } from './pages/command-status.js';
import { runCommandPage } from './pages/run-command.js';

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
];
