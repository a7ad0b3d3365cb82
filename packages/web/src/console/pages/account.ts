// The signed-in user's account: who they are and their MFA device — set up with an authenticator
// app (the key is shown once) and confirmed with a first code, or removed with a current one.

import { consoleRoute, currentUser } from '../api.js';
import { h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';

export const accountPage: Page = {
  title: 'Account',
  async render(root) {
    const user = currentUser();
    const mfa = h('div', { id: 'mfa' });
    replace(
      root,
      h('h1', {}, 'Account'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'User'),
        h('dd', {}, user?.userName ?? ''),
        h('dt', {}, 'ARN'),
        h('dd', { class: 'mono' }, user?.arn ?? ''),
      ),
      h('h2', {}, 'Multi-factor authentication'),
      mfa,
    );
    const codeForm = (label: string, submit: (code: string) => Promise<unknown>) => {
      const code = h('input', {
        id: 'mfa-code',
        'aria-label': 'Code from the app',
        inputmode: 'numeric',
        maxlength: 6,
        autocomplete: 'one-time-code',
      });
      const status = h('span', { 'aria-live': 'polite' });
      const form = h(
        'form',
        { class: 'toolbar' },
        code,
        h('button', { type: 'submit', class: 'primary' }, label),
        status,
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        submit(code.value)
          .then(load)
          .catch((error: unknown) => replace(status, errorNotice(error)));
      });
      return form;
    };
    async function load(): Promise<void> {
      replace(mfa, notice('loading', 'Loading…'));
      try {
        const { status, multiFactor } = await consoleRoute<{
          status: string;
          multiFactor: boolean;
        }>('mfa');
        if (status === 'enabled') {
          replace(
            mfa,
            h(
              'p',
              { id: 'mfa-status' },
              'An authenticator app is set up: sign-in asks for its code.',
              multiFactor ? ' This session was opened with it.' : '',
            ),
            h('p', {}, 'To remove it, enter a current code:'),
            codeForm('Remove MFA', (code) => consoleRoute('mfa/disable', { code })),
          );
          return;
        }
        const start = h(
          'button',
          { type: 'button', class: 'primary', id: 'mfa-start' },
          'Set up an authenticator app',
        );
        start.addEventListener('click', () => {
          consoleRoute<{ secret: string; uri: string }>('mfa/enrol', {})
            .then(({ secret, uri }) =>
              replace(
                mfa,
                h(
                  'p',
                  {},
                  'Add this key to your authenticator app (time-based, 6 digits, 30 seconds). It is shown only now.',
                ),
                h(
                  'dl',
                  { class: 'facts' },
                  h('dt', {}, 'Key'),
                  h('dd', { class: 'mono', id: 'mfa-secret' }, secret),
                  h('dt', {}, 'URI'),
                  h('dd', { class: 'mono' }, uri),
                ),
                h('p', {}, 'Then enter the code the app shows:'),
                codeForm('Turn on MFA', (code) => consoleRoute('mfa/enable', { code })),
              ),
            )
            .catch((error: unknown) => replace(mfa, errorNotice(error)));
        });
        replace(
          mfa,
          h('p', { id: 'mfa-status' }, 'Not set up: sign-in asks for the password only.'),
          start,
        );
      } catch (error) {
        replace(mfa, errorNotice(error));
      }
    }
    await load();
  },
};
