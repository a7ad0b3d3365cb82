// Turns what the user typed after `openssm connect` into one managed node id: an id as it is,
// `tag:Key=Value` through DescribeInstanceInformation's tag filter, anything else as a name —
// the node's Name (set at registration) or its `Name` tag. Ambiguity is an error that lists the
// candidates, never a guess.

import type { InstanceInformation, InstanceInformationStringFilter } from '@aws-sdk/client-ssm';
import { CliError, UsageError } from '../errors.js';
import { formatTable } from '../output/table.js';

/** DescribeInstanceInformation with every page followed. */
export type ListInstances = (
  filters: readonly InstanceInformationStringFilter[],
) => Promise<InstanceInformation[]>;

export interface ResolvedTarget {
  readonly instanceId: string;
  /** What the user asked for when it was not the id itself, for messages. */
  readonly name: string | undefined;
}

/** `mi-` (hybrid, OpenSSM) and `i-` (EC2) ids. */
const INSTANCE_ID = /^(mi|i)-[0-9a-f]{8,32}$/;

/** Exit status when the target matches several nodes: the user must say which (a usage error). */
export const AMBIGUOUS_TARGET_EXIT_CODE = 2;

export async function resolveTarget(target: string, list: ListInstances): Promise<ResolvedTarget> {
  if (INSTANCE_ID.test(target)) return { instanceId: target, name: undefined };
  let matches: InstanceInformation[];
  let described: string;
  if (target.startsWith('tag:')) {
    const spec = target.slice('tag:'.length);
    const equals = spec.indexOf('=');
    if (equals <= 0 || equals === spec.length - 1) {
      throw new UsageError(`"${target}" is not tag:KEY=VALUE`);
    }
    const key = spec.slice(0, equals);
    const value = spec.slice(equals + 1);
    matches = await list([{ Key: `tag:${key}`, Values: [value] }]);
    described = `has the tag ${key}=${value}`;
  } else {
    // AWS has no Name filter, so Names are compared here; the Name tag is filtered server-side.
    const [tagged, all] = await Promise.all([
      list([{ Key: 'tag:Name', Values: [target] }]),
      list([]),
    ]);
    matches = [...tagged, ...all.filter((instance) => instance.Name === target)];
    described = `is named "${target}" (Name or Name tag)`;
  }
  const unique = dedupe(matches);
  if (unique.length === 0) throw new CliError(`no managed node ${described}`);
  if (unique.length > 1) {
    const table = formatTable(
      [
        { header: 'InstanceId', value: (row: InstanceInformation) => row.InstanceId },
        { header: 'Name', value: (row) => row.Name },
        { header: 'PingStatus', value: (row) => row.PingStatus },
      ],
      unique,
    );
    throw new CliError(
      `${unique.length} managed nodes match "${target}"; connect to one by its id:\n${table.trimEnd()}`,
      AMBIGUOUS_TARGET_EXIT_CODE,
    );
  }
  return { instanceId: unique[0]!.InstanceId!, name: target };
}

function dedupe(instances: readonly InstanceInformation[]): InstanceInformation[] {
  const byId = new Map<string, InstanceInformation>();
  for (const instance of instances) {
    if (instance.InstanceId !== undefined && !byId.has(instance.InstanceId)) {
      byId.set(instance.InstanceId, instance);
    }
  }
  return [...byId.values()].sort((a, b) => a.InstanceId!.localeCompare(b.InstanceId!));
}
