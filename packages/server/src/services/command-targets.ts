// Which nodes a SendCommand reaches, resolved once when it is sent (ssm-wire §2.3, §10.3):
// InstanceIds as given (each must be a registered node), or Targets — `tag:<key>` (any of the
// values), `tag-key` (any of the keys), `InstanceIds` — where values of one target are OR-ed and
// targets are AND-ed. Nodes come out in id order: the order invocations are sent in.

import { CodedError } from '@openssm/protocol';
import type { CommandTarget } from '../storage/command-records.js';
import type { ManagedInstanceRecord } from '../storage/records.js';
import type { InstanceFilter } from '../storage/repositories.js';
import type { InstanceService } from './instance-service.js';

/** Most nodes one command may target (each invocation is a row and a job). */
export const MAX_COMMAND_TARGETS = 10_000;
const PAGE = 500;

export interface ResolvedTargets {
  /** The nodes, in sending order. */
  readonly nodes: readonly ManagedInstanceRecord[];
  /** InstanceIds that name no registered node (SendCommand refuses them). */
  readonly unknownIds: readonly string[];
}

export async function resolveTargets(
  instances: InstanceService,
  input: { readonly instanceIds: readonly string[]; readonly targets: readonly CommandTarget[] },
): Promise<ResolvedTargets> {
  if (input.instanceIds.length > 0) {
    const nodes: ManagedInstanceRecord[] = [];
    const unknownIds: string[] = [];
    for (const instanceId of input.instanceIds) {
      const node = await instances.get(instanceId).catch(() => undefined);
      if (node === undefined) unknownIds.push(instanceId);
      else nodes.push(node);
    }
    return { nodes, unknownIds };
  }
  let matched: Map<string, ManagedInstanceRecord> | undefined;
  for (const target of input.targets) {
    const found = new Map<string, ManagedInstanceRecord>();
    for (const filter of filtersOf(target)) {
      for (const node of await listAll(instances, filter)) found.set(node.instanceId, node);
    }
    matched =
      matched === undefined
        ? found
        : new Map([...matched].filter(([instanceId]) => found.has(instanceId)));
  }
  const nodes = [...(matched?.values() ?? [])].sort((a, b) =>
    a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0,
  );
  if (nodes.length > MAX_COMMAND_TARGETS) {
    throw new CodedError(
      'InvalidParameters',
      `The targets match ${nodes.length} nodes; one command may reach at most ${MAX_COMMAND_TARGETS}.`,
    );
  }
  return { nodes, unknownIds: [] };
}

/** The listing filters whose union is one target's nodes. */
function filtersOf(target: CommandTarget): InstanceFilter[] {
  const key = target.key;
  if (key.startsWith('tag:')) {
    return [{ tags: [{ key: key.slice('tag:'.length), values: target.values }] }];
  }
  if (key.toLowerCase() === 'tag-key') {
    return target.values.map((tagKey) => ({ tags: [{ key: tagKey, values: [] }] }));
  }
  if (key.toLowerCase() === 'instanceids') {
    return target.values.length === 0 ? [] : [{ instanceIds: target.values }];
  }
  throw new CodedError(
    'InvalidParameters',
    `Target key ${JSON.stringify(key.slice(0, 163))} is not supported; use tag:<key>, tag-key or InstanceIds.`,
  );
}

async function listAll(
  instances: InstanceService,
  filter: InstanceFilter,
): Promise<ManagedInstanceRecord[]> {
  const nodes: ManagedInstanceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await instances.list(
      filter,
      cursor === undefined ? { limit: PAGE } : { limit: PAGE, cursor },
    );
    nodes.push(...page.items);
    cursor = page.nextCursor;
    if (nodes.length > MAX_COMMAND_TARGETS) break;
  } while (cursor !== undefined);
  return nodes;
}
