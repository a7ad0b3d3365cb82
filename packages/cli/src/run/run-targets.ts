// What `openssm run --targets` names, as SendCommand takes it: tags (`tag:Key=Value`) go to the
// server as Targets, resolved there when the command is sent (a fleet of thousands is one
// request); ids and names (a node's Name or its Name tag — every node that has it) are resolved
// here to InstanceIds. The API takes one or the other, so a mix is resolved here entirely.

import type { InstanceInformation, Target } from '@aws-sdk/client-ssm';
import { CliError, UsageError } from '../errors.js';
import type { ListInstances } from '../targets/resolve-target.js';

/** SendCommand takes at most 50 InstanceIds. */
export const MAX_INSTANCE_IDS = 50;
const INSTANCE_ID = /^(mi|i)-[0-9a-f]{8,32}$/;

export type RunTargets =
  | { readonly kind: 'instances'; readonly instanceIds: readonly string[] }
  | { readonly kind: 'targets'; readonly targets: readonly Target[] };

interface TagSpec {
  readonly key: string;
  readonly value: string;
}

/** Splits `a,b,tag:K=V` (commas separate specs; repeated --targets add up). */
export function parseTargetSpecs(values: readonly string[]): string[] {
  const specs = values
    .flatMap((value) => value.split(','))
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0) throw new UsageError('--targets names no node');
  return specs;
}

function tagOf(spec: string): TagSpec | undefined {
  if (!spec.startsWith('tag:')) return undefined;
  const body = spec.slice('tag:'.length);
  const equals = body.indexOf('=');
  if (equals <= 0 || equals === body.length - 1) {
    throw new UsageError(`"${spec}" is not tag:KEY=VALUE`);
  }
  return { key: body.slice(0, equals), value: body.slice(equals + 1) };
}

/**
 * Tags only: Targets, values of one key OR-ed and keys AND-ed (AWS's rule). Otherwise every spec
 * is resolved to node ids here (a tag then means every node that has it, OR-ed with the rest).
 */
export async function resolveRunTargets(
  specs: readonly string[],
  list: ListInstances,
): Promise<RunTargets> {
  const tags = specs.map(tagOf);
  if (tags.every((tag) => tag !== undefined)) {
    const byKey = new Map<string, string[]>();
    for (const tag of tags) {
      byKey.set(tag.key, [...(byKey.get(tag.key) ?? []), tag.value]);
    }
    if (byKey.size > 5) throw new UsageError('at most 5 different tag keys may be targeted');
    return {
      kind: 'targets',
      targets: [...byKey].map(([key, values]) => ({ Key: `tag:${key}`, Values: values })),
    };
  }
  const ids = new Set<string>();
  let everyone: Promise<InstanceInformation[]> | undefined;
  for (const [index, spec] of specs.entries()) {
    const tag = tags[index];
    if (INSTANCE_ID.test(spec)) {
      ids.add(spec);
      continue;
    }
    let matches: InstanceInformation[];
    if (tag !== undefined) {
      matches = await list([{ Key: `tag:${tag.key}`, Values: [tag.value] }]);
    } else {
      everyone ??= list([]);
      const [tagged, all] = await Promise.all([
        list([{ Key: 'tag:Name', Values: [spec] }]),
        everyone,
      ]);
      matches = [...tagged, ...all.filter((node) => node.Name === spec)];
    }
    if (matches.length === 0) throw new CliError(`no managed node matches "${spec}"`);
    for (const node of matches) if (node.InstanceId !== undefined) ids.add(node.InstanceId);
  }
  if (ids.size > MAX_INSTANCE_IDS) {
    throw new CliError(
      `the targets name ${ids.size} nodes; by id or name at most ${MAX_INSTANCE_IDS} — target a tag instead (tag:KEY=VALUE)`,
    );
  }
  return { kind: 'instances', instanceIds: [...ids].sort() };
}
