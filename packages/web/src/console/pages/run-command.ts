// Run Command: choose a command document, fill its parameters (a form generated from the
// document's parameter definitions), pick targets (node ids or a tag) and rate control, send;
// below, the command history. The command page follows each node live (command-status.ts).

import { ssm, ssmAll } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';
import type { InstanceInformation } from './nodes.js';
import { statusBadge } from './nodes.js';

interface DocumentParameter {
  readonly Name: string;
  readonly Type: string;
  readonly Description?: string;
  readonly DefaultValue?: string;
}

interface CommandSummary {
  readonly CommandId: string;
  readonly DocumentName: string;
  readonly Comment?: string;
  readonly Status: string;
  readonly RequestedDateTime?: number;
  readonly TargetCount?: number;
  readonly CompletedCount?: number;
  readonly ErrorCount?: number;
}

/** One form field per parameter; StringList and multi-line values take one item per line. */
function parameterField(parameter: DocumentParameter): {
  row: HTMLElement[];
  read: () => string[] | undefined;
} {
  const id = `param-${parameter.Name}`;
  const list = parameter.Type === 'StringList' || parameter.Type === 'MapList';
  const defaults = parameter.DefaultValue ?? '';
  let initial = defaults;
  if (list) {
    try {
      const parsed: unknown = JSON.parse(defaults);
      if (Array.isArray(parsed)) initial = parsed.map(String).join('\n');
    } catch {
      // A plain default stays as it is.
    }
  }
  const input = list
    ? h('textarea', { id, name: parameter.Name, rows: 4, class: 'mono' }, initial)
    : h('input', { id, name: parameter.Name, value: initial });
  return {
    row: [
      h('label', { for: id }, parameter.Name, list ? ' (one per line)' : ''),
      input,
      parameter.Description === undefined || parameter.Description === ''
        ? h('span', { class: 'hint' })
        : h('span', { class: 'hint' }, parameter.Description),
    ],
    read: () => {
      const value = input.value;
      if (value.trim() === '' && defaults === '') return undefined;
      return list ? value.split('\n').filter((line) => line.trim() !== '') : [value];
    },
  };
}

export const runCommandPage: Page = {
  title: 'Run Command',
  async render(root, { go }) {
    const preselected = new URLSearchParams(location.hash.split('?')[1] ?? '').get('target');
    replace(root, h('h1', {}, 'Run Command'), notice('loading', 'Loading documents and nodes…'));
    let documents: { Name: string }[];
    let nodes: InstanceInformation[];
    try {
      [documents, nodes] = await Promise.all([
        ssmAll<{ Name: string }>(
          'ListDocuments',
          { Filters: [{ Key: 'DocumentType', Values: ['Command'] }] },
          'DocumentIdentifiers',
        ),
        ssmAll<InstanceInformation>('DescribeInstanceInformation', {}, 'InstanceInformationList'),
      ]);
    } catch (error) {
      replace(root, h('h1', {}, 'Run Command'), errorNotice(error));
      return;
    }
    const documentSelect = h(
      'select',
      { id: 'run-document', name: 'document' },
      documents.map((d) =>
        h('option', { value: d.Name, selected: d.Name === 'AWS-RunShellScript' }, d.Name),
      ),
    );
    const parameterBox = h('div', { class: 'contents' });
    let fields: { name: string; read: () => string[] | undefined }[] = [];
    const loadParameters = async () => {
      replace(parameterBox, notice('loading', 'Loading parameters…'));
      try {
        const { Document } = await ssm<{ Document: { Parameters?: DocumentParameter[] } }>(
          'DescribeDocument',
          { Name: documentSelect.value },
        );
        const built = (Document.Parameters ?? []).map((p) => ({ p, field: parameterField(p) }));
        fields = built.map(({ p, field }) => ({ name: p.Name, read: field.read }));
        replace(
          parameterBox,
          built.length === 0
            ? notice('empty', 'This document takes no parameters.')
            : built.map(({ field }) => field.row),
        );
      } catch (error) {
        replace(parameterBox, errorNotice(error));
      }
    };
    documentSelect.addEventListener('change', () => void loadParameters());

    const targetKind = h(
      'select',
      { id: 'run-target-kind', 'aria-label': 'Target by' },
      h('option', { value: 'ids' }, 'Choose nodes'),
      h('option', { value: 'tag' }, 'Nodes with a tag'),
    );
    const nodeList = h(
      'fieldset',
      { id: 'run-nodes', class: 'node-picks' },
      h('legend', {}, 'Nodes'),
      nodes.length === 0
        ? notice('empty', 'No nodes registered.')
        : nodes.map((node) =>
            h(
              'label',
              { class: 'pick' },
              h('input', {
                type: 'checkbox',
                value: node.InstanceId,
                checked: node.InstanceId === preselected,
              }),
              ` ${node.Name || node.ComputerName || node.InstanceId} (${node.InstanceId}) `,
              statusBadge(node.PingStatus),
            ),
          ),
    );
    const tagInput = h('input', {
      id: 'run-tag',
      placeholder: 'Key=Value',
      'aria-label': 'Target tag (Key=Value)',
      hidden: true,
    });
    targetKind.addEventListener('change', () => {
      nodeList.hidden = targetKind.value !== 'ids';
      tagInput.hidden = targetKind.value !== 'tag';
    });
    const concurrency = h('input', { id: 'run-concurrency', value: '50' });
    const maxErrors = h('input', { id: 'run-errors', value: '0' });
    const timeout = h('input', { id: 'run-timeout', type: 'number', value: '600', min: 30 });
    const comment = h('input', { id: 'run-comment', maxlength: 100 });
    const status = h('div', { 'aria-live': 'polite' });
    const send = h('button', { type: 'submit', class: 'primary', id: 'run-send' }, 'Run');
    const form = h(
      'form',
      { class: 'stack', 'aria-label': 'Run a command' },
      h('label', { for: 'run-document' }, 'Document'),
      documentSelect,
      parameterBox,
      h('label', { for: 'run-target-kind' }, 'Targets'),
      h('div', {}, targetKind, nodeList, tagInput),
      h('label', { for: 'run-concurrency' }, 'Concurrency'),
      concurrency,
      h('span', { class: 'hint' }, 'Nodes at a time: a number or a percentage (10%).'),
      h('label', { for: 'run-errors' }, 'Error threshold'),
      maxErrors,
      h('span', { class: 'hint' }, 'Stop sending after this many errors (a number or 10%).'),
      h('label', { for: 'run-timeout' }, 'Delivery timeout (s)'),
      timeout,
      h('label', { for: 'run-comment' }, 'Comment'),
      comment,
      h('div', { class: 'actions' }, send, status),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const parameters: Record<string, string[]> = {};
      for (const field of fields) {
        const value = field.read();
        if (value !== undefined) parameters[field.name] = value;
      }
      const targeting =
        targetKind.value === 'ids'
          ? {
              InstanceIds: Array.from(
                nodeList.querySelectorAll<HTMLInputElement>('input:checked'),
                (box) => box.value,
              ),
            }
          : (() => {
              const [key = '', ...rest] = tagInput.value.split('=');
              return { Targets: [{ Key: `tag:${key.trim()}`, Values: [rest.join('=').trim()] }] };
            })();
      send.disabled = true;
      replace(status, notice('loading', 'Sending…'));
      ssm<{ Command: { CommandId: string } }>('SendCommand', {
        DocumentName: documentSelect.value,
        Parameters: parameters,
        ...targeting,
        MaxConcurrency: concurrency.value,
        MaxErrors: maxErrors.value,
        TimeoutSeconds: Number(timeout.value),
        ...(comment.value === '' ? {} : { Comment: comment.value }),
      })
        .then(({ Command }) => go(`#/run/${Command.CommandId}`))
        .catch((error: unknown) => replace(status, errorNotice(error)))
        .finally(() => {
          send.disabled = false;
        });
    });

    const history = h('div', {}, notice('loading', 'Loading command history…'));
    replace(root, h('h1', {}, 'Run Command'), form, h('h2', {}, 'Command history'), history);
    await loadParameters();
    try {
      const { Commands } = await ssm<{ Commands: CommandSummary[] }>('ListCommands', {
        MaxResults: 50,
      });
      replace(
        history,
        Commands.length === 0
          ? notice('empty', 'No commands yet.')
          : h(
              'table',
              { class: 'data', id: 'command-history' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Command', 'Document', 'Comment', 'Status', 'Targets', 'Requested'].map((t) =>
                    h('th', {}, t),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                Commands.map((c) =>
                  h(
                    'tr',
                    {},
                    h(
                      'td',
                      { class: 'mono' },
                      h('a', { href: `#/run/${c.CommandId}` }, c.CommandId),
                    ),
                    h('td', {}, c.DocumentName),
                    h('td', {}, c.Comment ?? ''),
                    h('td', {}, statusBadge(c.Status)),
                    h(
                      'td',
                      {},
                      `${String(c.CompletedCount ?? 0)}/${String(c.TargetCount ?? 0)}` +
                        (c.ErrorCount ? `, ${String(c.ErrorCount)} errors` : ''),
                    ),
                    h('td', {}, formatTime(c.RequestedDateTime)),
                  ),
                ),
              ),
            ),
      );
    } catch (error) {
      replace(history, errorNotice(error));
    }
  },
};
