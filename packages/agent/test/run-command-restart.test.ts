// Run Command across agent crashes, with the real `openssm-agent run` program against the fake
// gateway: the agent is SIGKILLed while a 5-second command runs and started again — the server
// side gets exactly one final result and the script ran exactly once; a reply the server never
// acknowledged before the crash comes again after it, under the same MessageId.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pollUntil } from '@openssm/testkit';
import { afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { createLogger, registerNode, resolveAgentConfig } from '../src/index.js';
import { FakeGateway } from './fake-gateway.js';
import { finalReplies, pluginStatus, sendRunShellScript } from './run-command-harness.js';
import { quickRunArgs, registerArgs } from './agent-under-test.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const AGENT_BIN = join(ROOT, 'packages', 'agent', 'bin', 'openssm-agent.js');

let dir: string;
let work: string;
let gateway: FakeGateway;
let instanceId: string;
let output: string[];
const children = new Set<ChildProcess>();

beforeAll(() => {
  // The program runs dist/: build it (incremental, quick when nothing changed).
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/agent'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}, 120_000);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-rc-restart-'));
  work = mkdtempSync(join(tmpdir(), 'openssm-rc-restart-work-'));
  gateway = await FakeGateway.start();
  output = [];
  onTestFailed(() => {
    process.stderr.write(`agent output:\n${output.join('')}\n`);
  });
  const config = resolveAgentConfig('register', [...registerArgs(gateway, dir)], {}, process.cwd());
  instanceId = (
    await registerNode(
      config,
      createLogger('error', () => undefined),
    )
  ).instanceId;
});

afterEach(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
    await exited(child);
  }
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Starts `openssm-agent run` and waits until its control channel is the gateway's newest. */
async function startAgent(): Promise<ChildProcess> {
  const sockets = gateway.controlSockets.length;
  const child = spawn(
    process.execPath,
    [AGENT_BIN, 'run', ...quickRunArgs(dir), '--log-level', 'debug'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] } },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout.on('data', (data: Buffer) => output.push(data.toString()));
  child.stderr.on('data', (data: Buffer) => output.push(data.toString()));
  await pollUntil(
    () => gateway.controlSockets.length > sockets && gateway.controlSocket!.readyState === 1,
    'the agent’s control channel',
  );
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

async function crash(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await exited(child);
}

const read = (name: string): string =>
  existsSync(join(work, name)) ? readFileSync(join(work, name), 'utf8') : '';

describe('Run Command across agent restarts', () => {
  it('SIGKILL during a 5-second command: one final result after the restart, run once', async () => {
    const first = await startAgent();
    const marker = join(work, 'marker');
    const command = sendRunShellScript(gateway, instanceId, [
      `echo run >> ${marker}`,
      'sleep 5',
      'echo done',
    ]);
    await pollUntil(() => read('marker') === 'run\n', 'the command to start');
    await crash(first);

    await startAgent();
    const final = await pollUntil(
      () => finalReplies(gateway, command.jobId)[0],
      'the final reply from the restarted agent',
      30_000,
    );
    expect(final.content['documentStatus']).toBe('Success');
    expect(pluginStatus(final)).toMatchObject({ status: 'Success', code: 0 });
    expect(pluginStatus(final).standardOutput).toBe('done\n');

    // The server, unsure, sends the job again: acknowledged as a duplicate, not run.
    gateway.sendAgentJob(command.jobId, command.content);
    await pollUntil(
      () => gateway.jobAcks().some((ack) => ack.errorMessage === 'DuplicateCommand'),
      'the duplicate’s ack',
    );
    expect(read('marker')).toBe('run\n');
    expect(finalReplies(gateway, command.jobId)).toHaveLength(1);
    // Output uploaded and acknowledged: only the record of the job is left.
    await pollUntil(
      () =>
        readdirSync(join(dir, 'run-command', 'jobs', command.commandId))
          .sort()
          .join() === 'job.json,state.json',
      'the job directory to be cleaned',
    );
  });

  it('resends a reply the server never acknowledged, after a crash, with the same MessageId', async () => {
    gateway.autoAckJobReplies = false;
    const first = await startAgent();
    const command = sendRunShellScript(gateway, instanceId, ['echo quick']);
    const unacknowledged = await pollUntil(
      () => finalReplies(gateway, command.jobId)[0],
      'the final reply (left unacknowledged)',
    );
    await crash(first);
    const before = gateway.jobReplies().length;
    gateway.autoAckJobReplies = true;

    await startAgent();
    await pollUntil(
      () =>
        gateway
          .jobReplies()
          .slice(before)
          .some((reply) => reply.messageId === unacknowledged.messageId),
      'the same final reply again',
    );
    expect(finalReplies(gateway, command.jobId)).toHaveLength(1);
    await pollUntil(
      () => readdirSync(join(dir, 'run-command', 'replies')).length === 0,
      'every stored reply to be acknowledged and removed',
    );
  });
});
