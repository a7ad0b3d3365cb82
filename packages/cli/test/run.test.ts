// `openssm run` in-process against the real server and simulated nodes: targets by id, name and
// tag, live per-node lines with exit codes and output, the exit status, `--output json`,
// `--no-wait`, `run output` with the full streams, and usage errors.

import { SimulatedFleet, startTestServer, type TestServer } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpenssm } from '../src/commands/run-openssm.js';
import { parseParameters } from '../src/commands/run.js';
import { createTestHost } from './helpers/test-host.js';

let server: TestServer;
let fleet: SimulatedFleet;

beforeAll(async () => {
  server = await startTestServer({ commandTickMs: 25 });
  fleet = await SimulatedFleet.start(server, { count: 3, tags: [{ Key: 'Env', Value: 'prod' }] });
}, 30_000);

afterAll(async () => {
  for (const agent of fleet?.agents ?? []) agent.stop();
  await fleet?.close();
  await server?.close();
});

async function openssm(...args: string[]) {
  const host = createTestHost({
    args,
    interactive: false,
    env: {
      AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
      AWS_REGION: server.region,
      OPENSSM_ENDPOINT: server.url,
    },
  });
  const code = await runOpenssm(host, { pollIntervalMs: 50 });
  return { code, stdout: host.stdout.text, stderr: host.stderr.text };
}

describe('openssm run', () => {
  it('runs a command on nodes by id and shows each node’s result and output', async () => {
    const [a, b] = fleet.instanceIds;
    const { code, stdout, stderr } = await openssm(
      'run',
      '--targets',
      `${a},${b}`,
      '--',
      'echo',
      'hello',
      'there',
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/^Command [0-9a-f-]{36} sent to 2 nodes$/m);
    expect(stdout).toContain(`${a} (sim)  Success  exit 0\n    hello there\n`);
    expect(stdout).toContain(`${b} (sim)  Success  exit 0\n    hello there\n`);
    expect(stdout).toMatch(/^2 nodes: 2 Success \(command Success\)$/m);
  });

  it('exits 1 when a node fails, targets by tag or name, and cuts long output with a hint', async () => {
    const lines = Array.from({ length: 8 }, (_, i) => `echo line-${i}`);
    const failing = await openssm(
      'run',
      '-t',
      'tag:Env=prod',
      '--parameters',
      `commands=${JSON.stringify([...lines, 'exit 3'])}`,
    );
    expect(failing.code).toBe(1);
    // MaxErrors 0 (AWS's default): after the first failure nothing more is sent.
    expect(failing.stdout.match(/ \(sim\) {2}Failed {2}exit 3$/gm)).toHaveLength(1);
    expect(failing.stdout.match(/ \(sim\) {2}Terminated$/gm)).toHaveLength(2);
    expect(failing.stdout).toMatch(/^ {4}… 3 more lines: openssm run output [0-9a-f-]{36} mi-/m);
    expect(failing.stdout).toMatch(
      /^3 nodes: (1 Failed, 2 Terminated|2 Terminated, 1 Failed) \(command Failed\)$/m,
    );
    const tolerant = await openssm(
      'run',
      '-t',
      'tag:Env=prod',
      '--max-errors',
      '3',
      '--',
      'exit',
      '4',
    );
    expect(tolerant.code).toBe(1);
    expect(tolerant.stdout.match(/ \(sim\) {2}Failed {2}exit 4$/gm)).toHaveLength(3);
    expect(tolerant.stdout).toMatch(/^3 nodes: 3 Failed \(command Failed: Incomplete\)$/m);
    const byName = await openssm(
      'run',
      '--targets',
      'sim',
      '--max-concurrency',
      '1',
      '--',
      'echo',
      'hi',
    );
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(/^3 nodes: 3 Success/m);
  });

  it('prints JSON for scripts, or only the command id with --no-wait', async () => {
    const json = await openssm('run', '-t', fleet.instanceIds[0]!, '-o', 'json', '--', 'echo', 'x');
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as {
      CommandId: string;
      Status: string;
      Invocations: { InstanceId: string; Plugins: { ResponseCode: number; Output: string }[] }[];
    };
    expect(result).toMatchObject({ Status: 'Success', TargetCount: 1 });
    expect(result.Invocations[0]!.Plugins[0]).toMatchObject({ ResponseCode: 0, Output: 'x\n' });
    const noWait = await openssm(
      'run',
      '-t',
      fleet.instanceIds[0]!,
      '--no-wait',
      '--',
      'echo',
      'y',
    );
    expect(noWait.code).toBe(0);
    expect(noWait.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  });

  it('run output prints the full stdout of every node, or of one', async () => {
    const sent = await openssm('run', '-t', 'tag:Env=prod', '-o', 'json', '--', 'echo', 'full');
    const { CommandId: commandId } = JSON.parse(sent.stdout) as { CommandId: string };
    const all = await openssm('run', 'output', commandId);
    expect(all.code).toBe(0);
    for (const id of fleet.instanceIds) {
      expect(all.stdout).toContain(`==> ${id} aws:runShellScript (Success) <==\nfull\n`);
    }
    const one = await openssm('run', 'output', commandId, fleet.instanceIds[1]!);
    expect(one).toMatchObject({ code: 0, stdout: 'full\n', stderr: '' });
  });

  it('refuses what it cannot run with a usage error (exit 2)', async () => {
    expect((await openssm('run', '--', 'echo', 'x')).code).toBe(2);
    expect((await openssm('run', '-t', 'mi-00000000000000001')).code).toBe(2);
    expect((await openssm('run', '-t', 'mi-00000000000000001', '-o', 'yaml', '--', 'x')).code).toBe(
      2,
    );
    expect((await openssm('run', '-t', 'tag:Env', '--', 'x')).code).toBe(2);
    expect((await openssm('run', 'output', 'nope')).code).toBe(2);
    const unknown = await openssm('run', '-t', 'no-such-node', '--', 'x');
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('no managed node matches "no-such-node"');
    const none = await openssm('run', '-t', 'tag:Env=nowhere', '--', 'x');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no managed node matches the targets');
  });

  it('reads --parameters as NAME=VALUE or NAME=[JSON list], adding repeats', () => {
    expect(parseParameters(['a=1', 'b=["x","y"]', 'a=2', 'c=k=v'])).toEqual({
      a: ['1', '2'],
      b: ['x', 'y'],
      c: ['k=v'],
    });
    expect(() => parseParameters(['novalue'])).toThrow(/NAME=VALUE/);
    expect(() => parseParameters(['a=[1]'])).toThrow(/strings/);
    expect(() => parseParameters(['a=[oops'])).toThrow(/JSON list/);
  });
});
