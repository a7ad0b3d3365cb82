// `openssm ls`: the managed nodes, one per line, every page of DescribeInstanceInformation.

import type { InstanceInformation } from '@aws-sdk/client-ssm';
import { listInstances } from '../api/list-instances.js';
import { formatTable, formatTimestamp, type Column } from '../output/table.js';
import type { Command } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

const COLUMNS: readonly Column<InstanceInformation>[] = [
  { header: 'InstanceId', value: (node) => node.InstanceId },
  { header: 'Name', value: (node) => node.Name },
  { header: 'PingStatus', value: (node) => node.PingStatus },
  {
    header: 'Platform',
    value: (node) =>
      [node.PlatformName, node.PlatformVersion].filter(Boolean).join(' ') || node.PlatformType,
  },
  { header: 'IP', value: (node) => node.IPAddress },
  { header: 'LastPing', value: (node) => formatTimestamp(node.LastPingDateTime) },
];

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the managed nodes',
  help: `Usage: openssm ls

Lists every managed node: id, name, ping status, platform, IP address and last ping (UTC).

${GLOBAL_HELP}`,
  options: {},
  positionals: { min: 0, max: 0, names: '' },
  async run(context) {
    const nodes = await listInstances(context.api().client, []);
    const out = context.host.stdout;
    if (nodes.length === 0) out.write('No managed nodes.\n');
    else out.write(formatTable(COLUMNS, nodes));
    return 0;
  },
};
