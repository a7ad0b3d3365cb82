// IAM: users (with their keys, password, groups and policies), groups, roles, managed policies
// with an editor that validates before saving, and a simulator that explains a decision. Every
// action is the IAM query API the `aws iam` CLI calls.

import { callQuery } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page, type PageContext } from '../page.js';
import { memberParams, members, text } from '../xml.js';
import { renderUser } from './iam-user.js';

const TABS = [
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['roles', 'Roles'],
  ['policies', 'Policies'],
  ['simulate', 'Simulate'],
] as const;

function dataTable(
  id: string,
  headers: readonly string[],
  rows: readonly HTMLElement[],
): HTMLElement {
  return h(
    'table',
    { class: 'data', id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', {}, t)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

/** A small create form: inputs in a row and a button, the result below. */
function inlineForm(
  label: string,
  fields: HTMLElement[],
  submit: () => Promise<unknown>,
  done: () => void,
): HTMLElement {
  const status = h('span', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, label);
  const form = h('form', { class: 'toolbar', 'aria-label': label }, fields, button, status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    submit()
      .then(() => {
        replace(status);
        form.reset();
        done();
      })
      .catch((error: unknown) => replace(status, errorNotice(error)))
      .finally(() => {
        button.disabled = false;
      });
  });
  return form;
}

async function listInto(box: HTMLElement, build: () => Promise<HTMLElement>): Promise<void> {
  replace(box, notice('loading', 'Loading…'));
  try {
    replace(box, await build());
  } catch (error) {
    replace(box, errorNotice(error));
  }
}

function usersTab(root: HTMLElement): void {
  const list = h('div');
  const load = () =>
    listInto(list, async () => {
      const users = members(await callQuery('ListUsers', { MaxItems: '1000' }), 'Users');
      if (users.length === 0) return notice('empty', 'No users.');
      return dataTable(
        'iam-users',
        ['User', 'Path', 'ARN', 'Created'],
        users.map((user) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              h(
                'a',
                { href: `#/iam/users/${encodeURIComponent(text(user, 'UserName'))}` },
                text(user, 'UserName'),
              ),
            ),
            h('td', {}, text(user, 'Path')),
            h('td', { class: 'mono' }, text(user, 'Arn')),
            h('td', {}, formatTime(Date.parse(text(user, 'CreateDate')))),
          ),
        ),
      );
    });
  const name = h('input', {
    name: 'UserName',
    placeholder: 'User name',
    'aria-label': 'New user name',
    required: true,
    maxlength: 64,
  });
  replace(
    root,
    inlineForm(
      'Create user',
      [name],
      () => callQuery('CreateUser', { UserName: name.value }),
      () => void load(),
    ),
    list,
  );
  void load();
}

function groupsTab(root: HTMLElement): void {
  const list = h('div');
  const load = () =>
    listInto(list, async () => {
      const groups = members(await callQuery('ListGroups', { MaxItems: '1000' }), 'Groups');
      if (groups.length === 0) return notice('empty', 'No groups.');
      return dataTable(
        'iam-groups',
        ['Group', 'ARN', 'Created'],
        groups.map((group) =>
          h(
            'tr',
            {},
            h('td', {}, text(group, 'GroupName')),
            h('td', { class: 'mono' }, text(group, 'Arn')),
            h('td', {}, formatTime(Date.parse(text(group, 'CreateDate')))),
          ),
        ),
      );
    });
  const name = h('input', {
    placeholder: 'Group name',
    'aria-label': 'New group name',
    required: true,
    maxlength: 128,
  });
  replace(
    root,
    inlineForm(
      'Create group',
      [name],
      () => callQuery('CreateGroup', { GroupName: name.value }),
      () => void load(),
    ),
    list,
  );
  void load();
}

function rolesTab(root: HTMLElement): void {
  const list = h('div');
  replace(root, list);
  void listInto(list, async () => {
    const roles = members(await callQuery('ListRoles', { MaxItems: '1000' }), 'Roles');
    if (roles.length === 0) return notice('empty', 'No roles.');
    return dataTable(
      'iam-roles',
      ['Role', 'ARN', 'Description', 'Created'],
      roles.map((role) =>
        h(
          'tr',
          {},
          h('td', {}, text(role, 'RoleName')),
          h('td', { class: 'mono' }, text(role, 'Arn')),
          h('td', {}, text(role, 'Description')),
          h('td', {}, formatTime(Date.parse(text(role, 'CreateDate')))),
        ),
      ),
    );
  });
}

const SAMPLE_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ssm:StartSession'],
        Resource: '*',
        Condition: { StringEquals: { 'ssm:resourceTag/Env': 'dev' } },
      },
    ],
  },
  null,
  2,
);

/**
 * Validates a policy before anything is saved: JSON syntax here (with the position), the IAM
 * grammar by the server's own parser (SimulateCustomPolicy refuses a malformed document).
 */
export async function validatePolicy(document: string): Promise<string | undefined> {
  try {
    JSON.parse(document);
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    await callQuery('SimulateCustomPolicy', {
      ...memberParams('PolicyInputList', [document]),
      ...memberParams('ActionNames', ['ssm:StartSession']),
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function policyEditor(
  initial: string,
  id: string,
): { element: HTMLElement; editor: HTMLTextAreaElement; validate: () => Promise<boolean> } {
  const editor = h(
    'textarea',
    {
      id,
      class: 'mono policy-editor',
      rows: 14,
      spellcheck: false,
      'aria-label': 'Policy document (JSON)',
    },
    initial,
  );
  const result = h('div', { 'aria-live': 'polite', class: 'policy-validation' });
  const validate = async () => {
    replace(result, notice('loading', 'Validating…'));
    const problem = await validatePolicy(editor.value);
    replace(
      result,
      problem === undefined
        ? notice('empty', '✓ Valid policy document.')
        : notice('error', problem),
    );
    return problem === undefined;
  };
  const button = h('button', { type: 'button', onclick: () => void validate() }, 'Validate');
  return {
    element: h(
      'div',
      { class: 'policy-edit' },
      editor,
      h('div', { class: 'toolbar' }, button),
      result,
    ),
    editor,
    validate,
  };
}

function policiesTab(root: HTMLElement): void {
  const list = h('div');
  const load = () =>
    listInto(list, async () => {
      const policies = members(
        await callQuery('ListPolicies', { Scope: 'All', MaxItems: '1000' }),
        'Policies',
      );
      return dataTable(
        'iam-policies',
        ['Policy', 'ARN', 'Attachments', 'Updated'],
        policies.map((policy) =>
          h(
            'tr',
            {},
            h('td', {}, text(policy, 'PolicyName')),
            h('td', { class: 'mono' }, text(policy, 'Arn')),
            h('td', {}, text(policy, 'AttachmentCount')),
            h('td', {}, formatTime(Date.parse(text(policy, 'UpdateDate')))),
          ),
        ),
      );
    });
  const name = h('input', { id: 'policy-name', required: true, maxlength: 128 });
  const description = h('input', { id: 'policy-description', maxlength: 1000 });
  const { element, editor, validate } = policyEditor(SAMPLE_POLICY, 'policy-document');
  const status = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Create policy');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Create a policy' },
    h('label', { for: 'policy-name' }, 'Policy name'),
    name,
    h('label', { for: 'policy-description' }, 'Description'),
    description,
    h('label', { for: 'policy-document' }, 'Document'),
    element,
    h('div', { class: 'actions' }, save, status),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save.disabled = true;
    void validate()
      .then(async (valid) => {
        if (!valid) return;
        await callQuery('CreatePolicy', {
          PolicyName: name.value,
          PolicyDocument: editor.value,
          ...(description.value === '' ? {} : { Description: description.value }),
        });
        replace(status, notice('empty', `Created ${name.value}.`));
        await load();
      })
      .catch((error: unknown) => replace(status, errorNotice(error)))
      .finally(() => {
        save.disabled = false;
      });
  });
  replace(root, h('h2', {}, 'New policy'), form, h('h2', {}, 'Policies'), list);
  void load();
}

function simulateTab(root: HTMLElement): void {
  const principal = h('select', { id: 'sim-principal' });
  const actions = h('input', {
    id: 'sim-actions',
    value: 'ssm:StartSession',
    'aria-label': 'Actions',
  });
  const resource = h('input', { id: 'sim-resource', value: '*', 'aria-label': 'Resource ARN' });
  const results = h('div', { id: 'sim-results' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Simulate');
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Simulate a decision' },
    h('label', { for: 'sim-principal' }, 'User or role'),
    principal,
    h('label', { for: 'sim-actions' }, 'Actions'),
    actions,
    h('span', { class: 'hint' }, 'Comma-separated, e.g. ssm:StartSession, ssm:SendCommand'),
    h('label', { for: 'sim-resource' }, 'Resource ARN'),
    resource,
    h('div', { class: 'actions' }, button),
  );
  void Promise.all([
    callQuery('ListUsers', { MaxItems: '1000' }),
    callQuery('ListRoles', { MaxItems: '1000' }),
  ])
    .then(([users, roles]) => {
      replace(
        principal,
        members(users, 'Users').map((user) =>
          h('option', { value: text(user, 'Arn') }, `user/${text(user, 'UserName')}`),
        ),
        members(roles, 'Roles').map((role) =>
          h('option', { value: text(role, 'Arn') }, `role/${text(role, 'RoleName')}`),
        ),
      );
    })
    .catch((error: unknown) => replace(results, errorNotice(error)));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    const actionNames = actions.value
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    callQuery('SimulatePrincipalPolicy', {
      PolicySourceArn: principal.value,
      ...memberParams('ActionNames', actionNames),
      ...memberParams('ResourceArns', [resource.value.trim() || '*']),
    })
      .then((answer) => {
        const rows = members(answer, 'EvaluationResults');
        replace(
          results,
          dataTable(
            'sim-table',
            ['Action', 'Resource', 'Decision', 'Why'],
            rows.map((row) => {
              const decision = text(row, 'EvalDecision');
              const matched = members(row, 'MatchedStatements').map((m) =>
                text(m, 'SourcePolicyId'),
              );
              const why =
                decision === 'allowed'
                  ? `Allowed by ${matched.join(', ')}.`
                  : decision === 'explicitDeny'
                    ? `Denied explicitly by ${matched.join(', ')}.`
                    : 'No policy allows it (implicit deny).';
              return h(
                'tr',
                { 'data-action': text(row, 'EvalActionName') },
                h('td', {}, text(row, 'EvalActionName')),
                h('td', { class: 'mono' }, text(row, 'EvalResourceName')),
                h(
                  'td',
                  {},
                  h(
                    'span',
                    { class: `badge badge-${decision === 'allowed' ? 'success' : 'failed'}` },
                    decision,
                  ),
                ),
                h('td', {}, why),
              );
            }),
          ),
        );
      })
      .catch((error: unknown) => replace(results, errorNotice(error)))
      .finally(() => {
        button.disabled = false;
      });
  });
  replace(root, form, results);
}

export const iamPage: Page = {
  title: 'IAM',
  render(root, context: PageContext) {
    const [tab = 'users', userName] = context.params;
    if (tab === 'users' && userName !== undefined && userName !== '') {
      return renderUser(root, userName);
    }
    const body = h('div', { class: 'tab-body' });
    replace(
      root,
      h('h1', {}, 'IAM'),
      h(
        'div',
        { class: 'tabs', role: 'tablist' },
        TABS.map(([id, label]) =>
          h(
            'a',
            { href: `#/iam/${id}`, role: 'tab', 'aria-selected': id === tab ? 'true' : 'false' },
            label,
          ),
        ),
      ),
      body,
    );
    switch (tab) {
      case 'groups':
        return groupsTab(body);
      case 'roles':
        return rolesTab(body);
      case 'policies':
        return policiesTab(body);
      case 'simulate':
        return simulateTab(body);
      default:
        return usersTab(body);
    }
  },
};
