// The sign-in form: an IAM user name and the password set with CreateLoginProfile.

import { ApiError, signIn } from '../api.js';
import { h, notice, replace } from '../dom.js';
import { errorNotice } from '../page.js';

export function renderSignIn(root: HTMLElement, onSignedIn: () => void): void {
  const status = h('div', { 'aria-live': 'polite' });
  const userName = h('input', {
    id: 'sign-in-user',
    name: 'username',
    autocomplete: 'username',
    required: true,
    maxlength: 64,
  });
  const password = h('input', {
    id: 'sign-in-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 128,
  });
  const code = h('input', {
    id: 'sign-in-code',
    name: 'mfa-code',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    maxlength: 6,
    pattern: '[0-9]{6}',
  });
  const codeRow = h(
    'div',
    { class: 'mfa-row', hidden: true },
    h('label', { for: 'sign-in-code' }, 'MFA code'),
    code,
  );
  const newPassword = h('input', {
    id: 'sign-in-new-password',
    type: 'password',
    autocomplete: 'new-password',
    maxlength: 128,
  });
  const newPasswordRow = h(
    'div',
    { class: 'mfa-row', hidden: true },
    h('label', { for: 'sign-in-new-password' }, 'New password'),
    newPassword,
  );
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-label': 'Sign in' },
    h('h1', {}, 'OpenSSM'),
    h('label', { for: 'sign-in-user' }, 'IAM user name'),
    userName,
    h('label', { for: 'sign-in-password' }, 'Password'),
    password,
    codeRow,
    newPasswordRow,
    button,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    replace(status, notice('loading', 'Signing in…'));
    signIn(
      userName.value,
      password.value,
      codeRow.hidden ? undefined : code.value,
      newPasswordRow.hidden ? undefined : newPassword.value,
    )
      .then(() => onSignedIn())
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'ConsolePasswordResetRequired') {
          newPasswordRow.hidden = false;
          replace(status, notice('empty', error.message));
          newPassword.focus();
          return;
        }
        if (error instanceof ApiError && error.code === 'ConsoleMfaRequired') {
          codeRow.hidden = false;
          replace(status, notice('empty', error.message));
          code.focus();
          return;
        }
        replace(status, errorNotice(error));
        code.value = '';
        if (
          !newPasswordRow.hidden &&
          error instanceof ApiError &&
          error.code === 'PasswordPolicyViolation'
        ) {
          newPassword.focus();
        } else if (codeRow.hidden) {
          password.value = '';
          password.focus();
        } else {
          code.focus();
        }
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  replace(root, h('main', { class: 'sign-in-page' }, form));
  userName.focus();
}
