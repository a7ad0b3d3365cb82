// Activations: create one and get the exact command that registers a new node with it (the
// code is shown once), list them with their use, delete them.

import { currentUser, ssm, ssmAll } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';

interface Activation {
  readonly ActivationId: string;
  readonly Description?: string;
  readonly DefaultInstanceName?: string;
  readonly IamRole: string;
  readonly RegistrationLimit: number;
  readonly RegistrationsCount: number;
  readonly ExpirationDate?: number;
  readonly Expired: boolean;
  readonly CreatedDate?: number;
}

/** When the server serves agent bundles: the one-line installer (docs/install.md). */
export function installCommand(origin: string, id: string, code: string): string {
  return `curl -fsSL ${origin}/install.sh | sudo sh -s -- --activation-code ${code} --activation-id ${id}`;
}

/** Without bundles: register once with the activation, then run the agent (its service). */
export function registerCommand(origin: string, region: string, id: string, code: string): string {
  return [
    `sudo openssm-agent register --server ${origin} --region ${region} \\`,
    `  --activation-code ${code} --activation-id ${id}`,
    'sudo openssm-agent run',
  ].join('\n');
}

/** Whether this server serves agent bundles (and so /install.sh can install one). */
async function serverHasAgentBundles(): Promise<boolean> {
  try {
    return (await fetch('/agent/latest', { credentials: 'omit' })).ok;
  } catch {
    return false;
  }
}

export const activationsPage: Page = {
  title: 'Activations',
  render(root) {
    const role = h('input', {
      id: 'activation-role',
      value: 'OpenSSMNodeRole',
      required: true,
      maxlength: 64,
    });
    const name = h('input', { id: 'activation-name', maxlength: 256 });
    const description = h('input', { id: 'activation-description', maxlength: 256 });
    const limit = h('input', {
      id: 'activation-limit',
      type: 'number',
      min: 1,
      max: 1000,
      value: 1,
    });
    const days = h('input', { id: 'activation-days', type: 'number', min: 1, max: 30, value: 1 });
    const tag = h('input', { id: 'activation-tag', placeholder: 'Key=Value (optional)' });
    const created = h('div', { 'aria-live': 'polite' });
    const list = h('div', {}, notice('loading', 'Loading activations…'));

    const load = async () => {
      try {
        const activations = await ssmAll<Activation>('DescribeActivations', {}, 'ActivationList');
        replace(
          list,
          activations.length === 0
            ? notice('empty', 'No activations.')
            : h(
                'table',
                { class: 'data', id: 'activations' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    [
                      'Activation id',
                      'Description',
                      'Node name',
                      'IAM role',
                      'Registrations',
                      'Expires',
                      '',
                    ].map((t) => h('th', {}, t)),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  activations.map((a) =>
                    h(
                      'tr',
                      { 'data-activation': a.ActivationId },
                      h('td', { class: 'mono' }, a.ActivationId),
                      h('td', {}, a.Description ?? ''),
                      h('td', {}, a.DefaultInstanceName ?? ''),
                      h('td', {}, a.IamRole),
                      h(
                        'td',
                        {},
                        `${String(a.RegistrationsCount)} / ${String(a.RegistrationLimit)}`,
                      ),
                      h(
                        'td',
                        {},
                        a.Expired
                          ? h('span', { class: 'badge badge-failed' }, 'Expired')
                          : formatTime(a.ExpirationDate),
                      ),
                      h(
                        'td',
                        {},
                        h(
                          'button',
                          {
                            type: 'button',
                            onclick: (event: Event) => {
                              const button = event.currentTarget as HTMLButtonElement;
                              if (
                                !confirm(
                                  `Delete activation ${a.ActivationId}? Registered nodes stay.`,
                                )
                              )
                                return;
                              button.disabled = true;
                              ssm('DeleteActivation', { ActivationId: a.ActivationId })
                                .then(load)
                                .catch((error: unknown) => button.replaceWith(errorNotice(error)));
                            },
                          },
                          'Delete',
                        ),
                      ),
                    ),
                  ),
                ),
              ),
        );
      } catch (error) {
        replace(list, errorNotice(error));
      }
    };

    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create activation');
    const form = h(
      'form',
      { class: 'stack', 'aria-label': 'Create an activation' },
      h('label', { for: 'activation-role' }, 'IAM role'),
      role,
      h('span', { class: 'hint' }, 'The role whose policies the registered nodes get.'),
      h('label', { for: 'activation-name' }, 'Node name'),
      name,
      h('label', { for: 'activation-description' }, 'Description'),
      description,
      h('label', { for: 'activation-limit' }, 'Registration limit'),
      limit,
      h('label', { for: 'activation-days' }, 'Valid for (days)'),
      days,
      h('label', { for: 'activation-tag' }, 'Tag'),
      tag,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      const [key = '', ...rest] = tag.value.split('=');
      ssm<{ ActivationId: string; ActivationCode: string }>('CreateActivation', {
        IamRole: role.value,
        RegistrationLimit: Number(limit.value),
        ExpirationDate: Math.floor(Date.now() / 1000) + Number(days.value) * 86_400,
        ...(name.value === '' ? {} : { DefaultInstanceName: name.value }),
        ...(description.value === '' ? {} : { Description: description.value }),
        ...(key.trim() === '' ? {} : { Tags: [{ Key: key.trim(), Value: rest.join('=').trim() }] }),
      })
        .then(async ({ ActivationId, ActivationCode }) => {
          const installable = await serverHasAgentBundles();
          const command = installable
            ? installCommand(location.origin, ActivationId, ActivationCode)
            : registerCommand(
                location.origin,
                currentUser()?.region ?? 'us-east-1',
                ActivationId,
                ActivationCode,
              );
          replace(
            created,
            h('h2', {}, installable ? 'Install the agent on a node' : 'Register a node'),
            h(
              'p',
              {},
              installable
                ? 'Run this as root on the new node: it downloads and verifies the agent, registers and starts it. With a certificate from a private CA, give curl --cacert (openssm activation create prints the command with the CA). The activation code is shown only now.'
                : 'Run this on the new node (with the OpenSSM agent installed; this server serves no agent bundles, see docs/install.md). The activation code is shown only now.',
            ),
            h('pre', { id: 'install-command' }, command),
            h(
              'button',
              { type: 'button', onclick: () => void navigator.clipboard.writeText(command) },
              'Copy',
            ),
          );
          return load();
        })
        .catch((error: unknown) => replace(created, errorNotice(error)))
        .finally(() => {
          submit.disabled = false;
        });
    });
    replace(root, h('h1', {}, 'Activations'), form, created, h('h2', {}, 'Activations'), list);
    void load();
  },
};
