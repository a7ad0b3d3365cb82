// One command, live: every node's status and output, polled until each invocation is final.

import { ssm } from '../api.js';
import { h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';
import { statusBadge } from './nodes.js';

interface Invocation {
  readonly InstanceId: string;
  readonly InstanceName?: string;
  readonly Status: string;
  readonly StatusDetails: string;
  readonly CommandPlugins: {
    Name: string;
    Status: string;
    Output?: string;
    ResponseCode?: number;
  }[];
}

const FINAL = new Set([
  'Success',
  'Failed',
  'Cancelled',
  'TimedOut',
  'Undeliverable',
  'Terminated',
]);
const POLL_MS = 1000;

export const commandStatusPage: Page = {
  title: 'Command',
  async render(root, { params, onLeave }) {
    const commandId = params[0] ?? '';
    const summary = h('p', { id: 'command-summary' });
    const list = h('div', { id: 'command-invocations' }, notice('loading', 'Loading…'));
    replace(
      root,
      h('h1', {}, 'Command ', h('span', { class: 'mono' }, commandId)),
      h('p', {}, h('a', { href: '#/run' }, '← Run Command')),
      summary,
      list,
    );
    let timer: number | undefined;
    let left = false;
    onLeave(() => {
      left = true;
      window.clearTimeout(timer);
    });
    const poll = async () => {
      try {
        const [{ Commands }, { CommandInvocations }] = await Promise.all([
          ssm<{ Commands: { DocumentName: string; Status: string; Comment?: string }[] }>(
            'ListCommands',
            { CommandId: commandId },
          ),
          ssm<{ CommandInvocations: Invocation[] }>('ListCommandInvocations', {
            CommandId: commandId,
            Details: true,
          }),
        ]);
        if (left) return;
        const command = Commands[0];
        replace(
          summary,
          command === undefined
            ? 'Unknown command.'
            : [
                command.DocumentName,
                ' ',
                statusBadge(command.Status),
                command.Comment ? ` — ${command.Comment}` : '',
              ],
        );
        replace(
          list,
          CommandInvocations.length === 0
            ? notice('empty', 'No node was targeted (yet).')
            : CommandInvocations.map((invocation) =>
                h(
                  'section',
                  { class: 'invocation', 'data-node': invocation.InstanceId },
                  h(
                    'h2',
                    {},
                    invocation.InstanceName || invocation.InstanceId,
                    ' ',
                    h('span', { class: 'mono' }, invocation.InstanceId),
                    ' ',
                    statusBadge(invocation.StatusDetails || invocation.Status),
                  ),
                  invocation.CommandPlugins.map((plugin) =>
                    h(
                      'div',
                      {},
                      invocation.CommandPlugins.length > 1 ? h('h3', {}, plugin.Name) : null,
                      plugin.Output
                        ? h('pre', { class: 'output' }, plugin.Output)
                        : notice('empty', 'No output yet.'),
                    ),
                  ),
                ),
              ),
        );
        const done =
          command !== undefined &&
          CommandInvocations.length > 0 &&
          CommandInvocations.every((invocation) => FINAL.has(invocation.Status));
        if (!done) timer = window.setTimeout(() => void poll(), POLL_MS);
      } catch (error) {
        if (!left) replace(list, errorNotice(error));
      }
    };
    await poll();
  },
};
