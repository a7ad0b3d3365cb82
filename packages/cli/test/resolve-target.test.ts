// Target resolution for `openssm connect` against a stubbed DescribeInstanceInformation.

import type { InstanceInformation, InstanceInformationStringFilter } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { CliError, UsageError } from '../src/errors.js';
import { resolveTarget, type ListInstances } from '../src/targets/resolve-target.js';

interface Node extends InstanceInformation {
  readonly tags: Readonly<Record<string, string>>;
}

const FLEET: readonly Node[] = [
  {
    InstanceId: 'mi-00000000000000001',
    Name: 'web-1',
    PingStatus: 'Online',
    tags: { Env: 'prod' },
  },
  {
    InstanceId: 'mi-00000000000000002',
    Name: 'host-b',
    PingStatus: 'Online',
    tags: { Name: 'db' },
  },
  { InstanceId: 'mi-00000000000000003', Name: 'dup', PingStatus: 'Online', tags: { Env: 'dev' } },
  {
    InstanceId: 'mi-00000000000000004',
    Name: 'dup',
    PingStatus: 'ConnectionLost',
    tags: { Env: 'dev' },
  },
  // Named one thing, tagged the same: must count once.
  {
    InstanceId: 'mi-00000000000000005',
    Name: 'both',
    PingStatus: 'Online',
    tags: { Name: 'both' },
  },
];

/** Answers like the server: tag:Key filters match tags; no filter lists everything. */
function stubList(calls: InstanceInformationStringFilter[][]): ListInstances {
  return (filters) => {
    calls.push([...filters]);
    return Promise.resolve(
      FLEET.filter((node) =>
        filters.every((filter) => {
          const key = filter.Key!.slice('tag:'.length);
          return filter.Values!.includes(node.tags[key] ?? '\u0000');
        }),
      ),
    );
  };
}

describe('resolveTarget', () => {
  it('takes instance ids as they are, without calling the API', async () => {
    const calls: InstanceInformationStringFilter[][] = [];
    for (const id of ['mi-0123456789abcdef0', 'i-0123456789abcdef0', 'i-01234567']) {
      expect(await resolveTarget(id, stubList(calls))).toEqual({ instanceId: id, name: undefined });
    }
    expect(calls).toEqual([]);
  });

  it('resolves tag:Key=Value with the tag filter', async () => {
    const calls: InstanceInformationStringFilter[][] = [];
    expect(await resolveTarget('tag:Env=prod', stubList(calls))).toEqual({
      instanceId: 'mi-00000000000000001',
      name: 'tag:Env=prod',
    });
    expect(calls).toEqual([[{ Key: 'tag:Env', Values: ['prod'] }]]);
  });

  it('keeps = signs after the first in a tag value', async () => {
    const calls: InstanceInformationStringFilter[][] = [];
    await expect(resolveTarget('tag:K=a=b', stubList(calls))).rejects.toThrow(CliError);
    expect(calls).toEqual([[{ Key: 'tag:K', Values: ['a=b'] }]]);
  });

  it.each(['tag:', 'tag:Env', 'tag:=x', 'tag:Env='])('rejects the malformed %s', async (target) => {
    await expect(resolveTarget(target, stubList([]))).rejects.toThrow(UsageError);
  });

  it("resolves a name by the node's Name", async () => {
    expect((await resolveTarget('web-1', stubList([]))).instanceId).toBe('mi-00000000000000001');
  });

  it('resolves a name by the Name tag, with the tag filter', async () => {
    const calls: InstanceInformationStringFilter[][] = [];
    expect((await resolveTarget('db', stubList(calls))).instanceId).toBe('mi-00000000000000002');
    expect(calls).toContainEqual([{ Key: 'tag:Name', Values: ['db'] }]);
  });

  it('counts a node matched by both its Name and its Name tag once', async () => {
    expect((await resolveTarget('both', stubList([]))).instanceId).toBe('mi-00000000000000005');
  });

  it('fails clearly when nothing matches', async () => {
    const error = await resolveTarget('nope', stubList([])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/no managed node is named "nope"/) as unknown,
    });
    await expect(resolveTarget('tag:Env=none', stubList([]))).rejects.toThrow(
      'no managed node has the tag Env=none',
    );
  });

  it('lists every candidate with name and ping status and exits 2 when several match', async () => {
    const error = (await resolveTarget('tag:Env=dev', stubList([])).catch(
      (caught: unknown) => caught,
    )) as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        '2 managed nodes match "tag:Env=dev"; connect to one by its id:',
        'InstanceId            Name  PingStatus',
        'mi-00000000000000003  dup   Online',
        'mi-00000000000000004  dup   ConnectionLost',
      ].join('\n'),
    );
  });
});
