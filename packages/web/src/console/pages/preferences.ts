// Preferences: Session Manager's preferences document (SSM-SessionManagerRunShell) as a form.
// Saving writes a new document version and makes it the default, as `aws ssm update-document`
// and `update-document-default-version` would; the server validates it (InvalidDocumentContent).

import { ApiError, ssm } from '../api.js';
import { h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';

const DOCUMENT = 'SSM-SessionManagerRunShell';

type Field =
  | { key: string; label: string; kind: 'text'; hint?: string }
  | { key: string; label: string; kind: 'check'; hint?: string }
  | { key: string; label: string; kind: 'select'; options: string[]; hint?: string }
  | { key: string; label: string; kind: 'lines'; hint?: string };

const FIELDS: readonly Field[] = [
  {
    key: 's3BucketName',
    label: 'Recording bucket',
    kind: 'text',
    hint: "Empty: the server's default bucket.",
  },
  { key: 's3KeyPrefix', label: 'Recording key prefix', kind: 'text' },
  {
    key: 'cloudWatchLogGroupName',
    label: 'Log group',
    kind: 'text',
    hint: 'The transcript also goes to this log group.',
  },
  {
    key: 'cloudWatchStreamingEnabled',
    label: 'Stream to the log group while the session runs',
    kind: 'check',
  },
  {
    key: 'idleSessionTimeout',
    label: 'Idle timeout (minutes)',
    kind: 'text',
    hint: '1–60; no input and no output for this long ends the session.',
  },
  {
    key: 'maxSessionDuration',
    label: 'Maximum duration (minutes)',
    kind: 'text',
    hint: '1–1440; empty for none.',
  },
  { key: 'runAsEnabled', label: 'Run shells as a chosen user', kind: 'check' },
  { key: 'runAsDefaultUser', label: 'Run as user', kind: 'text' },
  {
    key: 'shellProfile.linux',
    label: 'Shell profile (Linux)',
    kind: 'lines',
    hint: 'Commands typed into every new shell.',
  },
  {
    key: 'openssmRecordInput',
    label: 'Record keystrokes too',
    kind: 'check',
    hint: 'Off by default: input can hold passwords typed at silent prompts.',
  },
  {
    key: 'openssmLogFailureMode',
    label: 'When logs cannot be written',
    kind: 'select',
    options: ['open', 'closed'],
    hint: 'open: the session goes on; closed: it is closed.',
  },
];

function read(inputs: Record<string, unknown>, key: string): unknown {
  const [first, second] = key.split('.');
  const value = inputs[first!];
  if (second === undefined) return value;
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[second]
    : undefined;
}

function write(inputs: Record<string, unknown>, key: string, value: unknown): void {
  const [first, second] = key.split('.');
  if (second === undefined) {
    inputs[first!] = value;
    return;
  }
  const nested =
    typeof inputs[first!] === 'object' && inputs[first!] !== null
      ? (inputs[first!] as Record<string, unknown>)
      : {};
  nested[second] = value;
  inputs[first!] = nested;
}

export const preferencesPage: Page = {
  title: 'Preferences',
  async render(root) {
    replace(root, h('h1', {}, 'Session preferences'), notice('loading', 'Loading preferences…'));
    let content: Record<string, unknown>;
    let exists = true;
    try {
      const document = await ssm<{ Content: string }>('GetDocument', { Name: DOCUMENT });
      content = JSON.parse(document.Content) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'InvalidDocument') {
        replace(root, h('h1', {}, 'Session preferences'), errorNotice(error));
        return;
      }
      exists = false;
      content = {
        schemaVersion: '1.0',
        description: 'Session Manager preferences',
        sessionType: 'Standard_Stream',
        inputs: {},
      };
    }
    const inputs = (
      typeof content['inputs'] === 'object' && content['inputs'] !== null ? content['inputs'] : {}
    ) as Record<string, unknown>;
    const controls = FIELDS.map((field) => {
      const id = `pref-${field.key.replace('.', '-')}`;
      const value = read(inputs, field.key);
      let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      switch (field.kind) {
        case 'check':
          control = h('input', {
            id,
            type: 'checkbox',
            checked: value === true || value === 'true',
          });
          break;
        case 'select':
          control = h(
            'select',
            { id },
            field.options.map((option) =>
              h('option', { value: option, selected: value === option }, option),
            ),
          );
          break;
        case 'lines':
          control = h(
            'textarea',
            { id, rows: 3, class: 'mono' },
            typeof value === 'string' ? value : '',
          );
          break;
        case 'text':
          control = h('input', {
            id,
            value: typeof value === 'string' || typeof value === 'number' ? String(value) : '',
          });
          break;
      }
      return {
        field,
        control,
        row: [
          h('label', { for: id }, field.label),
          control,
          h('span', { class: 'hint' }, field.hint ?? ''),
        ],
      };
    });
    const status = h('div', { 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save preferences');
    const form = h(
      'form',
      { class: 'stack', 'aria-label': 'Session preferences' },
      controls.map((c) => c.row),
      h('div', { class: 'actions' }, save, status),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next: Record<string, unknown> = { ...inputs };
      for (const { field, control } of controls) {
        if (field.kind === 'check') write(next, field.key, (control as HTMLInputElement).checked);
        else write(next, field.key, control.value);
      }
      const body = JSON.stringify({ ...content, inputs: next }, null, 2);
      save.disabled = true;
      replace(status, notice('loading', 'Saving…'));
      const saving = exists
        ? ssm<{ DocumentDescription: { DocumentVersion: string } }>('UpdateDocument', {
            Name: DOCUMENT,
            Content: body,
            DocumentVersion: '$LATEST',
          }).then(({ DocumentDescription }) =>
            ssm('UpdateDocumentDefaultVersion', {
              Name: DOCUMENT,
              DocumentVersion: DocumentDescription.DocumentVersion,
            }),
          )
        : ssm('CreateDocument', {
            Name: DOCUMENT,
            Content: body,
            DocumentType: 'Session',
            DocumentFormat: 'JSON',
          });
      saving
        .then(() => {
          exists = true;
          Object.assign(inputs, next);
          replace(status, notice('empty', 'Saved. New sessions use these preferences.'));
        })
        .catch((error: unknown) =>
          replace(
            status,
            error instanceof ApiError && error.code === 'DuplicateDocumentContent'
              ? notice('empty', 'No changes to save.')
              : errorNotice(error),
          ),
        )
        .finally(() => {
          save.disabled = false;
        });
    });
    replace(
      root,
      h('h1', {}, 'Session preferences'),
      h(
        'p',
        {},
        'The ',
        h('code', {}, DOCUMENT),
        ' document: what every shell session records and how long it may last.',
      ),
      form,
    );
  },
};
