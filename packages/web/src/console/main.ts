// The console's entry: restores the session the cookie names (or shows sign-in), draws the
// navigation, and routes `#/…` hashes to pages. Hash routes keep every page one static file.

import { currentUser, onSignedOut, restoreSession, signOut } from './api.js';
import { h, notice, replace } from './dom.js';
import { ROUTES, type Route } from './routes.js';
import { renderSignIn } from './pages/sign-in.js';

const app = document.getElementById('app')!;
let leaveCurrent: (() => void)[] = [];

function leave(): void {
  const cleanups = leaveCurrent;
  leaveCurrent = [];
  for (const cleanup of cleanups) cleanup();
}

function match(hash: string): { route: Route; params: string[] } {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (found !== null)
      return { route, params: found.slice(1).map((p) => decodeURIComponent(p ?? '')) };
  }
  return { route: ROUTES[0]!, params: [] };
}

function render(): void {
  leave();
  const user = currentUser();
  if (user === undefined) {
    document.title = 'Sign in · OpenSSM';
    renderSignIn(app, navigate);
    return;
  }
  const { route, params } = match(location.hash);
  const main = h('main', { id: 'main', tabindex: -1 });
  const nav = h(
    'nav',
    { 'aria-label': 'Console' },
    h('a', { class: 'brand', href: '#/nodes' }, 'OpenSSM'),
    h(
      'ul',
      {},
      ROUTES.filter((r) => r.nav !== undefined).map((r) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: r.href,
              ...(r.section === route.section ? { 'aria-current': 'page' } : {}),
            },
            r.nav,
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'user' },
      h('a', { href: '#/account', title: user.arn, id: 'account-link' }, user.userName),
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: () => void signOut(),
        },
        'Sign out',
      ),
    ),
  );
  // Not a hash link: #main would be read as a route. It moves focus, as a skip link should.
  const skip = h(
    'a',
    {
      class: 'skip',
      href: '#main',
      onclick: (event: Event) => {
        event.preventDefault();
        main.focus();
      },
    },
    'Skip to content',
  );
  replace(app, skip, nav, main);
  document.title = `${route.page.title} · OpenSSM`;
  const result = route.page.render(main, {
    params,
    go: (hash) => {
      location.hash = hash;
    },
    onLeave: (cleanup) => leaveCurrent.push(cleanup),
  });
  if (result instanceof Promise) {
    result.catch((error: unknown) => replace(main, notice('error', String(error))));
  }
}

/**
 * A followed link redraws the page, and the element that had focus is gone: focus goes to the
 * new page's content (not the top of the document), so the next Tab continues there — unless
 * the page already put it somewhere (the terminal, a form field).
 */
function navigate(): void {
  render();
  const main = document.getElementById('main');
  if (main !== null && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

onSignedOut(render);
window.addEventListener('hashchange', navigate);
replace(app, notice('loading', 'Loading…'));
restoreSession()
  .catch(() => undefined)
  .finally(render);
