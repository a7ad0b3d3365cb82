// Nodes: the fleet as a table (name, id, status, platform, agent version, IP, last ping) with a
// text search and filters for tag, ping status and platform. Tag, status and platform filter on
// the server (DescribeInstanceInformation's Filters); the search narrows what came back.

import { ssmAll } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';

export interface InstanceInformation {
  readonly InstanceId: string;
  readonly PingStatus: string;
  readonly LastPingDateTime?: number;
  readonly AgentVersion?: string;
  readonly PlatformType?: string;
  readonly PlatformName?: string;
  readonly PlatformVersion?: string;
  readonly IPAddress?: string;
  readonly ComputerName?: string;
  readonly Name?: string;
  readonly IamRole?: string;
  readonly RegistrationDate?: number;
  readonly ActivationId?: string;
}

/** How often the table refreshes itself (the agent's heartbeat is about a minute apart). */
const REFRESH_MS = 15_000;

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, status);
}

export const nodesPage: Page = {
  title: 'Nodes',
  render(root, { onLeave }) {
    const search = h('input', {
      type: 'search',
      id: 'node-search',
      placeholder: 'Search name, id, host or IP',
      'aria-label': 'Search nodes',
    });
    const tag = h('input', {
      id: 'node-tag',
      placeholder: 'Tag Key=Value',
      'aria-label': 'Filter by tag (Key=Value)',
    });
    const ping = h(
      'select',
      { id: 'node-status', 'aria-label': 'Filter by ping status' },
      h('option', { value: '' }, 'Any status'),
      h('option', { value: 'Online' }, 'Online'),
      h('option', { value: 'ConnectionLost' }, 'ConnectionLost'),
    );
    const platform = h(
      'select',
      { id: 'node-platform', 'aria-label': 'Filter by platform' },
      h('option', { value: '' }, 'Any platform'),
      h('option', { value: 'Linux' }, 'Linux'),
      h('option', { value: 'MacOS' }, 'macOS'),
      h('option', { value: 'Windows' }, 'Windows'),
    );
    const table = h('div', { class: 'table-wrap' }, notice('loading', 'Loading nodes…'));
    let nodes: InstanceInformation[] = [];

    const show = () => {
      const term = search.value.trim().toLowerCase();
      const shown = nodes.filter((node) =>
        [node.Name, node.InstanceId, node.ComputerName, node.IPAddress].some((field) =>
          (field ?? '').toLowerCase().includes(term),
        ),
      );
      if (shown.length === 0) {
        replace(
          table,
          notice(
            'empty',
            nodes.length === 0
              ? 'No nodes match. Register one from Activations.'
              : 'No node matches the search.',
          ),
        );
        return;
      }
      replace(
        table,
        h(
          'table',
          { class: 'data', id: 'nodes-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'Name',
                'Node id',
                'Ping status',
                'Platform',
                'Agent',
                'IP address',
                'Last ping',
              ].map((label) => h('th', { scope: 'col' }, label)),
            ),
          ),
          h(
            'tbody',
            {},
            shown.map((node) =>
              h(
                'tr',
                { 'data-node': node.InstanceId },
                h(
                  'td',
                  {},
                  h(
                    'a',
                    { href: `#/nodes/${node.InstanceId}` },
                    node.Name || node.ComputerName || node.InstanceId,
                  ),
                ),
                h('td', { class: 'mono' }, node.InstanceId),
                h('td', {}, statusBadge(node.PingStatus)),
                h(
                  'td',
                  {},
                  `${node.PlatformName ?? ''} ${node.PlatformVersion ?? ''}`.trim() || '—',
                ),
                h('td', {}, node.AgentVersion ?? '—'),
                h('td', { class: 'mono' }, node.IPAddress ?? '—'),
                h('td', {}, formatTime(node.LastPingDateTime)),
              ),
            ),
          ),
        ),
      );
    };

    const load = async (quiet = false) => {
      if (!quiet) replace(table, notice('loading', 'Loading nodes…'));
      const filters: { Key: string; Values: string[] }[] = [];
      if (ping.value !== '') filters.push({ Key: 'PingStatus', Values: [ping.value] });
      if (platform.value !== '') filters.push({ Key: 'PlatformTypes', Values: [platform.value] });
      const tagText = tag.value.trim();
      if (tagText !== '') {
        const at = tagText.indexOf('=');
        if (at < 0) filters.push({ Key: 'tag-key', Values: [tagText] });
        else filters.push({ Key: `tag:${tagText.slice(0, at)}`, Values: [tagText.slice(at + 1)] });
      }
      try {
        nodes = await ssmAll<InstanceInformation>(
          'DescribeInstanceInformation',
          { MaxResults: 50, ...(filters.length === 0 ? {} : { Filters: filters }) },
          'InstanceInformationList',
        );
        show();
      } catch (error) {
        replace(table, errorNotice(error));
      }
    };

    search.addEventListener('input', show);
    for (const control of [ping, platform]) control.addEventListener('change', () => void load());
    tag.addEventListener('change', () => void load());
    const refresh = h('button', { type: 'button', onclick: () => void load() }, 'Refresh');
    replace(
      root,
      h('h1', {}, 'Nodes'),
      h('div', { class: 'toolbar', role: 'search' }, search, tag, ping, platform, refresh),
      table,
    );
    void load();
    // A page kept open all day: statuses refresh on their own, without the loading flash.
    // Not while a keyboard user is in the table: redrawing it would take their focus away.
    const timer = window.setInterval(() => {
      if (!table.contains(document.activeElement)) void load(true);
    }, REFRESH_MS);
    onLeave(() => window.clearInterval(timer));
  },
};
