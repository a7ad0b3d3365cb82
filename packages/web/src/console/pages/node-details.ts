// One node: its facts and tags, and the ways in — Start session (a browser terminal) and the
// `openssm forward` command for port forwarding, to copy.

import { ssm } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';
import { statusBadge, type InstanceInformation } from './nodes.js';

export const nodeDetailsPage: Page = {
  title: 'Node',
  async render(root, { params }) {
    const instanceId = params[0] ?? '';
    replace(root, h('h1', {}, instanceId), notice('loading', 'Loading node…'));
    try {
      const [info, tags] = await Promise.all([
        ssm<{ InstanceInformationList: InstanceInformation[] }>('DescribeInstanceInformation', {
          Filters: [{ Key: 'InstanceIds', Values: [instanceId] }],
        }),
        ssm<{ TagList?: { Key: string; Value: string }[] }>('ListTagsForResource', {
          ResourceType: 'ManagedInstance',
          ResourceId: instanceId,
        }).catch(() => ({ TagList: undefined })),
      ]);
      const node = info.InstanceInformationList[0];
      if (node === undefined) {
        replace(
          root,
          h('h1', {}, instanceId),
          notice('empty', 'No such node (it may have been deregistered).'),
        );
        return;
      }
      const facts: [string, string | Node][] = [
        ['Node id', node.InstanceId],
        ['Ping status', statusBadge(node.PingStatus)],
        ['Last ping', formatTime(node.LastPingDateTime)],
        ['Computer name', node.ComputerName ?? '—'],
        ['IP address', node.IPAddress ?? '—'],
        ['Platform', `${node.PlatformName ?? ''} ${node.PlatformVersion ?? ''}`.trim() || '—'],
        ['Agent version', node.AgentVersion ?? '—'],
        ['IAM role', node.IamRole ?? '—'],
        ['Registered', formatTime(node.RegistrationDate)],
        ['Activation', node.ActivationId ?? '—'],
      ];
      const forward = `openssm forward ${node.InstanceId} 8080:localhost:80`;
      replace(
        root,
        h('h1', {}, node.Name || node.ComputerName || node.InstanceId),
        h(
          'div',
          { class: 'toolbar' },
          h(
            'a',
            {
              class: 'button primary',
              href: `#/nodes/${node.InstanceId}/shell`,
              id: 'start-session',
            },
            'Start session',
          ),
          h('a', { class: 'button', href: `#/run?target=${node.InstanceId}` }, 'Run command'),
        ),
        h(
          'dl',
          { class: 'facts' },
          facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
        ),
        h('h2', {}, 'Tags'),
        tags.TagList === undefined
          ? notice('error', 'Tags could not be read (ssm:ListTagsForResource).')
          : tags.TagList.length === 0
            ? notice('empty', 'No tags.')
            : h(
                'table',
                { class: 'data' },
                h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'))),
                h(
                  'tbody',
                  {},
                  tags.TagList.map((t) => h('tr', {}, h('td', {}, t.Key), h('td', {}, t.Value))),
                ),
              ),
        h('h2', {}, 'Port forwarding'),
        h('p', {}, 'Forward local ports through the node with the OpenSSM CLI:'),
        h(
          'div',
          { class: 'copy-line' },
          h('code', { id: 'forward-command' }, forward),
          h(
            'button',
            {
              type: 'button',
              onclick: () => void navigator.clipboard.writeText(forward),
            },
            'Copy',
          ),
        ),
      );
    } catch (error) {
      replace(root, h('h1', {}, instanceId), errorNotice(error));
    }
  },
};
