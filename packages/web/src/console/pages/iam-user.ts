// One IAM user: access keys (a new secret is shown once), the console password, groups,
// attached managed policies and inline policies (edited with the validating editor).

import { ApiError, callQuery } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice } from '../page.js';
import { members, text } from '../xml.js';
import { policyEditor } from './iam.js';

function section(title: string, body: HTMLElement): HTMLElement[] {
  return [h('h2', {}, title), body];
}

async function fill(
  box: HTMLElement,
  build: () => Promise<(HTMLElement | string)[] | HTMLElement>,
): Promise<void> {
  replace(box, notice('loading', 'Loading…'));
  try {
    const built = await build();
    replace(box, ...(Array.isArray(built) ? built : [built]));
  } catch (error) {
    replace(box, errorNotice(error));
  }
}

export async function renderUser(root: HTMLElement, userName: string): Promise<void> {
  const keys = h('div', { id: 'user-keys' });
  const password = h('div', { id: 'user-password' });
  const groups = h('div', { id: 'user-groups' });
  const attached = h('div', { id: 'user-attached' });
  const inline = h('div', { id: 'user-inline' });
  replace(
    root,
    h('h1', {}, 'User ', userName),
    h('p', {}, h('a', { href: '#/iam/users' }, '← Users')),
    section('Access keys', keys),
    section('Console password', password),
    section('Groups', groups),
    section('Managed policies', attached),
    section('Inline policies', inline),
  );
  const user = { UserName: userName };
  /** Outlives reloads of the key list, so a new secret stays on screen until the page is left. */
  const secret = h('div', { 'aria-live': 'polite' });

  const loadKeys = () =>
    fill(keys, async () => {
      const list = members(await callQuery('ListAccessKeys', user), 'AccessKeyMetadata');
      const create = h(
        'button',
        {
          type: 'button',
          onclick: () => {
            callQuery('CreateAccessKey', user)
              .then((answer) => {
                replace(
                  secret,
                  h(
                    'div',
                    { class: 'notice', id: 'new-secret' },
                    h('strong', {}, 'Save the secret now: it is shown only once.'),
                    h(
                      'dl',
                      { class: 'facts' },
                      h('dt', {}, 'Access key id'),
                      h('dd', { class: 'mono' }, text(answer, 'AccessKeyId')),
                      h('dt', {}, 'Secret access key'),
                      h(
                        'dd',
                        { class: 'mono', id: 'new-secret-value' },
                        text(answer, 'SecretAccessKey'),
                      ),
                    ),
                  ),
                );
                return loadKeys();
              })
              .catch((error: unknown) => replace(secret, errorNotice(error)));
          },
        },
        'Create access key',
      );
      const rows = list.map((key) => {
        const id = text(key, 'AccessKeyId');
        const active = text(key, 'Status') === 'Active';
        return h(
          'tr',
          { 'data-key': id },
          h('td', { class: 'mono' }, id),
          h('td', {}, text(key, 'Status')),
          h('td', {}, formatTime(Date.parse(text(key, 'CreateDate')))),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                onclick: () =>
                  void callQuery('UpdateAccessKey', {
                    ...user,
                    AccessKeyId: id,
                    Status: active ? 'Inactive' : 'Active',
                  }).then(loadKeys, (e: unknown) => replace(keys, errorNotice(e))),
              },
              active ? 'Deactivate' : 'Activate',
            ),
            ' ',
            h(
              'button',
              {
                type: 'button',
                onclick: () =>
                  void callQuery('DeleteAccessKey', { ...user, AccessKeyId: id }).then(
                    loadKeys,
                    (e: unknown) => replace(keys, errorNotice(e)),
                  ),
              },
              'Delete',
            ),
          ),
        );
      });
      return [
        list.length === 0
          ? notice('empty', 'No access keys.')
          : h(
              'table',
              { class: 'data' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Access key id', 'Status', 'Created', ''].map((t) => h('th', {}, t)),
                ),
              ),
              h('tbody', {}, rows),
            ),
        h('div', { class: 'toolbar', style: 'margin-top:8px' }, create),
        secret,
      ];
    });

  const loadPassword = () =>
    fill(password, async () => {
      let has = true;
      try {
        await callQuery('GetLoginProfile', user);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'NoSuchEntity') throw error;
        has = false;
      }
      const input = h('input', {
        type: 'password',
        id: 'user-new-password',
        autocomplete: 'new-password',
        'aria-label': 'New console password',
        maxlength: 128,
      });
      const status = h('span', { 'aria-live': 'polite' });
      const form = h(
        'form',
        { class: 'toolbar' },
        input,
        h('button', { type: 'submit' }, has ? 'Change password' : 'Set password'),
        status,
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        callQuery(has ? 'UpdateLoginProfile' : 'CreateLoginProfile', {
          ...user,
          Password: input.value,
        })
          .then(() => loadPassword())
          .catch((error: unknown) => replace(status, errorNotice(error)));
      });
      return [
        h(
          'p',
          {},
          has
            ? 'The user can sign in to the console.'
            : 'No console password: the user cannot sign in to the console.',
        ),
        form,
      ];
    });

  const loadGroups = () =>
    fill(groups, async () => {
      const list = members(await callQuery('ListGroupsForUser', user), 'Groups');
      const name = h('input', { placeholder: 'Group name', 'aria-label': 'Add to group' });
      const form = h(
        'form',
        { class: 'toolbar' },
        name,
        h('button', { type: 'submit' }, 'Add to group'),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        callQuery('AddUserToGroup', { ...user, GroupName: name.value }).then(
          loadGroups,
          (e: unknown) => replace(groups, errorNotice(e)),
        );
      });
      return [
        list.length === 0
          ? notice('empty', 'In no group.')
          : h(
              'ul',
              {},
              list.map((g) => h('li', {}, text(g, 'GroupName'))),
            ),
        form,
      ];
    });

  const loadAttached = () =>
    fill(attached, async () => {
      const [list, all] = await Promise.all([
        callQuery('ListAttachedUserPolicies', user).then((a) => members(a, 'AttachedPolicies')),
        callQuery('ListPolicies', { Scope: 'All', MaxItems: '1000' }).then((a) =>
          members(a, 'Policies'),
        ),
      ]);
      const choice = h(
        'select',
        { 'aria-label': 'Policy to attach' },
        all.map((p) => h('option', { value: text(p, 'Arn') }, text(p, 'PolicyName'))),
      );
      const form = h(
        'form',
        { class: 'toolbar' },
        choice,
        h('button', { type: 'submit' }, 'Attach'),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        callQuery('AttachUserPolicy', { ...user, PolicyArn: choice.value }).then(
          loadAttached,
          (e: unknown) => replace(attached, errorNotice(e)),
        );
      });
      return [
        list.length === 0
          ? notice('empty', 'No managed policies attached.')
          : h(
              'ul',
              {},
              list.map((p) =>
                h(
                  'li',
                  {},
                  text(p, 'PolicyName'),
                  ' ',
                  h(
                    'button',
                    {
                      type: 'button',
                      onclick: () =>
                        void callQuery('DetachUserPolicy', {
                          ...user,
                          PolicyArn: text(p, 'PolicyArn'),
                        }).then(loadAttached),
                    },
                    'Detach',
                  ),
                ),
              ),
            ),
        form,
      ];
    });

  const loadInline = () =>
    fill(inline, async () => {
      const names = Array.from(
        (await callQuery('ListUserPolicies', user)).getElementsByTagName('PolicyNames')[0]
          ?.children ?? [],
        (m) => m.textContent ?? '',
      );
      const policyName = h('input', {
        id: 'inline-name',
        'aria-label': 'Inline policy name',
        placeholder: 'Policy name',
        maxlength: 128,
      });
      const { element, editor, validate } = policyEditor(
        '{\n  "Version": "2012-10-17",\n  "Statement": []\n}',
        'inline-document',
      );
      const status = h('span', { 'aria-live': 'polite' });
      const save = h('button', { type: 'button', class: 'primary' }, 'Save inline policy');
      save.addEventListener('click', () => {
        void validate().then(async (valid) => {
          if (!valid) return;
          try {
            await callQuery('PutUserPolicy', {
              ...user,
              PolicyName: policyName.value,
              PolicyDocument: editor.value,
            });
            await loadInline();
          } catch (error) {
            replace(status, errorNotice(error));
          }
        });
      });
      const open = (name: string) => {
        void callQuery('GetUserPolicy', { ...user, PolicyName: name }).then((answer) => {
          policyName.value = name;
          editor.value = JSON.stringify(
            JSON.parse(decodeURIComponent(text(answer, 'PolicyDocument'))),
            null,
            2,
          );
        });
      };
      return [
        names.length === 0
          ? notice('empty', 'No inline policies.')
          : h(
              'ul',
              {},
              names.map((name) =>
                h('li', {}, h('button', { type: 'button', onclick: () => open(name) }, name)),
              ),
            ),
        h('div', { class: 'toolbar' }, policyName),
        element,
        h('div', { class: 'toolbar' }, save, status),
      ];
    });

  await Promise.all([loadKeys(), loadPassword(), loadGroups(), loadAttached(), loadInline()]);
}
