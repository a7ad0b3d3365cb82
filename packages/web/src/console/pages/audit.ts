// Audit: the hash-chained trail through CloudTrail's LookupEvents — search by event name, user,
// resource or source, a time range, newest first, and every event's full record on demand.

import { callJson } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';

interface AuditEvent {
  readonly EventId: string;
  readonly EventName: string;
  readonly EventTime: number;
  readonly EventSource?: string;
  readonly Username?: string;
  readonly Resources?: { ResourceName?: string }[];
  readonly CloudTrailEvent: string;
}

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

export const auditPage: Page = {
  title: 'Audit',
  render(root) {
    const attribute = h(
      'select',
      { id: 'audit-attribute', 'aria-label': 'Search in' },
      ['EventName', 'Username', 'ResourceName', 'EventSource', 'EventId'].map((key) =>
        h('option', { value: key }, key),
      ),
    );
    const value = h('input', {
      type: 'search',
      id: 'audit-value',
      placeholder: 'Value, e.g. StartSession',
      'aria-label': 'Search value',
    });
    const from = h('input', { type: 'datetime-local', id: 'audit-from', 'aria-label': 'From' });
    const to = h('input', { type: 'datetime-local', id: 'audit-to', 'aria-label': 'To' });
    const results = h('div', {}, notice('loading', 'Loading events…'));
    let nextToken: string | undefined;
    const more = h('button', { type: 'button', hidden: true }, 'Older events');

    const rows = (events: AuditEvent[]) =>
      events.map((event) => {
        let record: Record<string, unknown> = {};
        try {
          record = JSON.parse(event.CloudTrailEvent) as Record<string, unknown>;
        } catch {
          // Shown raw below.
        }
        const errorCode = typeof record['errorCode'] === 'string' ? record['errorCode'] : '';
        return h(
          'tr',
          { 'data-event': event.EventName },
          h('td', {}, formatTime(event.EventTime)),
          h(
            'td',
            {},
            h(
              'details',
              { class: 'event' },
              h('summary', {}, event.EventName),
              h('pre', {}, JSON.stringify(record, null, 2) || event.CloudTrailEvent),
            ),
          ),
          h('td', {}, event.Username ?? '—'),
          h('td', {}, event.EventSource ?? ''),
          h(
            'td',
            { class: 'mono' },
            (event.Resources ?? []).map((r) => r.ResourceName ?? '').join(', '),
          ),
          h(
            'td',
            {},
            errorCode === '' ? 'OK' : h('span', { class: 'badge badge-failed' }, errorCode),
          ),
        );
      });

    let body: HTMLTableSectionElement | undefined;
    const load = async (append: boolean) => {
      if (!append) {
        replace(results, notice('loading', 'Loading events…'));
        nextToken = undefined;
      }
      const input = {
        MaxResults: 50,
        ...(value.value.trim() === ''
          ? {}
          : {
              LookupAttributes: [
                { AttributeKey: attribute.value, AttributeValue: value.value.trim() },
              ],
            }),
        ...(from.value === '' ? {} : { StartTime: new Date(from.value).getTime() / 1000 }),
        ...(to.value === '' ? {} : { EndTime: new Date(to.value).getTime() / 1000 }),
        ...(append && nextToken !== undefined ? { NextToken: nextToken } : {}),
      };
      try {
        const output = await callJson<{ Events: AuditEvent[]; NextToken?: string }>(LOOKUP, input);
        nextToken = output.NextToken;
        more.hidden = nextToken === undefined;
        if (append && body !== undefined) {
          body.append(...rows(output.Events));
          return;
        }
        if (output.Events.length === 0) {
          replace(results, notice('empty', 'No event matches.'));
          return;
        }
        body = h('tbody', {}, rows(output.Events));
        replace(
          results,
          h(
            'table',
            { class: 'data', id: 'audit-events' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Time', 'Event', 'User', 'Source', 'Resources', 'Result'].map((t) =>
                  h('th', {}, t),
                ),
              ),
            ),
            body,
          ),
        );
      } catch (error) {
        replace(results, errorNotice(error));
      }
    };
    more.addEventListener('click', () => void load(true));
    const form = h(
      'form',
      { class: 'toolbar', role: 'search' },
      attribute,
      value,
      from,
      to,
      h('button', { type: 'submit' }, 'Search'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void load(false);
    });
    replace(root, h('h1', {}, 'Audit'), form, results, more);
    void load(false);
  },
};
