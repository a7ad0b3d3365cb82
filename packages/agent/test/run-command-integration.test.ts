// Run Command end to end over real WebSockets: the real agent (registered, running in this
// process) against the fake gateway playing the server's end of ssm-wire §6.6 — agent_job in,
// agent_job_ack and agent_job_reply out, agent_job_reply_ack back. A job runs and replies; a
// duplicate is acknowledged and not run; an execution timeout and a cancel kill the whole tree;
// a bad document fails; replies made while disconnected arrive after the reconnect; the full
// output is uploaded in chunks.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentJobAckStatus, createAgentJobId, encodeSendCommandContent } from '@openssm/protocol';
import { pollUntil } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  Agent,
  createLogger,
  isProcessGone,
  registerNode,
  resolveAgentConfig,
  type AgentDependencies,
} from '../src/index.js';
import { FakeGateway } from './fake-gateway.js';
import {
  PLUGIN_ID,
  finalReplies,
  pluginStatus,
  sendCancel,
  sendRunShellScript,
  uploadedOutput,
} from './run-command-harness.js';
import { quickRunArgs, registerArgs } from './agent-under-test.js';

let dir: string;
let work: string;
let gateway: FakeGateway;
let logs: string[];
let instanceId: string;
const agents: Agent[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-rc-it-'));
  work = mkdtempSync(join(tmpdir(), 'openssm-rc-work-'));
  gateway = await FakeGateway.start();
  logs = [];
  onTestFailed(() => {
    process.stderr.write(`agent log:\n${logs.join('')}\n`);
  });
  const config = resolveAgentConfig('register', [...registerArgs(gateway, dir)], {}, process.cwd());
  instanceId = (
    await registerNode(
      config,
      createLogger('debug', (line) => logs.push(line)),
    )
  ).instanceId;
});

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

async function startAgent(deps: AgentDependencies = {}): Promise<Agent> {
  const config = resolveAgentConfig(
    'run',
    [...quickRunArgs(dir)],
    { PATH: process.env['PATH'] },
    process.cwd(),
  );
  const agent = await Agent.load(config, {
    log: createLogger('debug', (line) => logs.push(line)),
    agentIsRoot: false,
    replyRetry: { baseMs: 200, capMs: 1000 },
    shutdownTimeoutMs: 5000,
    ...deps,
  });
  agents.push(agent);
  await agent.start();
  await pollUntil(() => agent.control.isConnected && gateway.controlSockets.length > 0, 'control');
  return agent;
}

const file = (name: string): string => join(work, name);
const read = (name: string): string =>
  existsSync(file(name)) ? readFileSync(file(name), 'utf8') : '';
/** A pid a script wrote to `name`, once it is complete. */
const pidIn = (name: string): Promise<number> =>
  pollUntil(() => (/^\d+\n$/.test(read(name)) ? Number(read(name)) : undefined), name);

async function finalReply(jobId: string, what = 'the final reply', timeoutMs = 20_000) {
  return pollUntil(() => finalReplies(gateway, jobId)[0], what, timeoutMs);
}

describe('Run Command over the control channel', () => {
  it('acks a job, reports InProgress, then Success with its output; uploads the full output', async () => {
    await startAgent();
    const command = sendRunShellScript(gateway, instanceId, [
      'echo "hello from $SSM_COMMAND_ID"',
      'echo oops >&2',
      'head -c 200000 /dev/zero | tr "\\0" x',
    ]);
    const final = await finalReply(command.jobId);
    const [ack] = gateway.jobAcks();
    expect(ack).toEqual({
      jobId: command.jobId,
      acknowledgedMessageId: command.messageId,
      createdDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      statusCode: '200',
      errorMessage: 'Successful',
    });
    const replies = gateway.jobReplies('aws.ssm.sendCommand');
    expect(replies[0]!.content).toMatchObject({
      documentStatus: 'InProgress',
      runtimeStatus: null,
      openssm: { sequence: 0 },
    });
    expect(final.content['documentStatus']).toBe('Success');
    const status = pluginStatus(final);
    expect(status).toMatchObject({ status: 'Success', code: 0, standardError: 'oops\n' });
    expect(status.standardOutput.startsWith(`hello from ${command.commandId}\nxxx`)).toBe(true);
    expect(status.standardOutput).toHaveLength(24_000);
    const stdout = await pollUntil(
      () => uploadedOutput(gateway, command.commandId, 'stdout'),
      'the full stdout',
    );
    expect(stdout.length).toBe(`hello from ${command.commandId}\n`.length + 200_000);
    expect(uploadedOutput(gateway, command.commandId, 'stderr')?.toString()).toBe('oops\n');
    const summary = (final.content['openssm'] as { fullOutput: Record<string, unknown> })
      .fullOutput[PLUGIN_ID];
    expect(summary).toMatchObject({ stdout: { bytes: stdout.length }, stderr: { bytes: 5 } });
  });

  it('acknowledges a duplicate agent_job as DuplicateCommand and never runs it twice', async () => {
    const agent = await startAgent();
    const command = sendRunShellScript(gateway, instanceId, [
      `echo run >> ${file('marker')}`,
      'sleep 0.5',
    ]);
    // Again while it runs, and again once it is done.
    await pollUntil(() => read('marker') !== '', 'the command to start');
    gateway.sendAgentJob(command.jobId, command.content);
    await finalReply(command.jobId);
    gateway.sendAgentJob(command.jobId, command.content);
    await pollUntil(() => gateway.jobAcks().length === 3, 'three acks');
    expect(gateway.jobAcks().map((ack) => [ack.statusCode, ack.errorMessage])).toEqual([
      ['200', 'Successful'],
      ['51405', 'DuplicateCommand'],
      ['51405', 'DuplicateCommand'],
    ]);
    expect(read('marker')).toBe('run\n');
    expect(finalReplies(gateway, command.jobId)).toHaveLength(1);
    expect(agent.runCommand.replies.size).toBe(0);
  });

  it('kills the whole tree at the execution timeout: TimedOut, the grandchild gone', async () => {
    await startAgent();
    const command = sendRunShellScript(
      gateway,
      instanceId,
      [`sleep 1000 & echo $! > ${file('grandchild')}`, 'sleep 1000'],
      { executionTimeout: '5' },
    );
    const grandchild = await pidIn('grandchild');
    expect(await isProcessGone(grandchild)).toBe(false);
    const final = await finalReply(command.jobId, 'TimedOut', 15_000);
    expect(final.content['documentStatus']).toBe('TimedOut');
    expect(pluginStatus(final)).toMatchObject({ status: 'TimedOut', code: 137 });
    expect(await isProcessGone(grandchild)).toBe(true);
  });

  it('cancels a running command: the tree is killed and the command reports Cancelled', async () => {
    await startAgent();
    const command = sendRunShellScript(gateway, instanceId, [
      `sleep 1000 & echo $! > ${file('grandchild')}`,
      'sleep 1000',
    ]);
    const grandchild = await pidIn('grandchild');
    const cancelJobId = sendCancel(gateway, instanceId, command);
    const final = await finalReply(command.jobId, 'Cancelled');
    expect(final.content['documentStatus']).toBe('Cancelled');
    expect(pluginStatus(final)).toMatchObject({ status: 'Cancelled', code: 137 });
    await pollUntil(() => isProcessGone(grandchild), 'the grandchild to be gone', 5000);
    const cancelReply = await pollUntil(
      () => gateway.jobReplies('aws.ssm.cancelCommand').find((r) => r.jobId === cancelJobId),
      'the reply to the cancel',
    );
    expect(cancelReply.content).toMatchObject({
      documentStatus: 'Success',
      documentTraceOutput: `Command ${command.commandId} cancelled`,
    });
    expect(gateway.jobAcks().at(-1)).toMatchObject({ jobId: cancelJobId, statusCode: '200' });
  });

  it('handles a job sent twice back to back once, and a cancel right behind a job', async () => {
    await startAgent();
    const command = sendRunShellScript(gateway, instanceId, [`echo run >> ${file('marker')}`]);
    gateway.sendAgentJob(command.jobId, command.content);
    await finalReply(command.jobId);
    expect(gateway.jobAcks().map((ack) => ack.statusCode)).toEqual(['200', '51405']);
    expect(read('marker')).toBe('run\n');

    const doomed = sendRunShellScript(gateway, instanceId, [`echo run >> ${file('doomed')}`]);
    sendCancel(gateway, instanceId, doomed);
    const final = await finalReply(doomed.jobId, 'the cancelled command');
    expect(final.content['documentStatus']).toBe('Cancelled');
    expect(pluginStatus(final)).toMatchObject({ status: 'Cancelled', code: 1 });
    expect(read('doomed')).toBe('');
  });

  it('answers a cancel for a command it does not run with a Failed cancel reply', async () => {
    await startAgent();
    const cancelJobId = sendCancel(gateway, instanceId, {
      commandId: 'unknown',
      jobId: createAgentJobId('unknown', instanceId),
      content: '',
      messageId: '',
    });
    const reply = await pollUntil(
      () => gateway.jobReplies('aws.ssm.cancelCommand').find((r) => r.jobId === cancelJobId),
      'the reply to the cancel',
    );
    expect(reply.content).toMatchObject({
      documentStatus: 'Failed',
      documentTraceOutput: "Command unknown couldn't be cancelled",
    });
  });

  it('fails a job it cannot read: ack 51408 and a Failed reply saying why', async () => {
    await startAgent();
    const jobId = createAgentJobId('bad-command-1', instanceId);
    gateway.sendAgentJob(
      jobId,
      encodeSendCommandContent({
        CommandId: 'bad-command-1',
        DocumentContent: { schemaVersion: '9.9', mainSteps: [] },
      }),
    );
    const final = await finalReply(jobId);
    expect(gateway.jobAcks()[0]).toMatchObject({
      jobId,
      statusCode: AgentJobAckStatus.AgentJobMessageParseError,
      errorMessage: 'AgentJobMessageParseError',
    });
    expect(final.content).toMatchObject({
      documentStatus: 'Failed',
      documentTraceOutput: expect.stringContaining('schema version 9.9') as unknown,
      runtimeStatus: null,
    });
  });

  it('delivers replies made while disconnected, and resends unacknowledged ones, after reconnect', async () => {
    const agent = await startAgent();
    gateway.autoAckJobReplies = false;
    const command = sendRunShellScript(gateway, instanceId, [
      `until [ -e ${file('go')} ]; do sleep 0.05; done`,
      'echo finished',
    ]);
    await pollUntil(() => gateway.jobReplies().length > 0, 'the first InProgress reply');
    const unacknowledged = gateway.jobReplies().map((reply) => reply.messageId);
    // The control channel goes away and stays away while the command finishes.
    gateway.refuseControlChannels = true;
    gateway.controlSocket!.terminate();
    await pollUntil(() => !agent.control.isConnected, 'the control channel to drop');
    const before = gateway.controlReceived.length;
    writeFileSync(file('go'), '');
    await pollUntil(
      () => agent.runCommand.job(command.commandId)?.state.phase === 'finished',
      'the command to finish',
    );
    expect(gateway.controlReceived.length).toBe(before);
    gateway.autoAckJobReplies = true;
    gateway.refuseControlChannels = false;
    const final = await finalReply(command.jobId, 'the final reply after the reconnect');
    expect(pluginStatus(final).standardOutput).toBe('finished\n');
    // What was sent but never acknowledged came again, under the same MessageIds.
    const resent = gateway
      .jobReplies()
      .slice(unacknowledged.length)
      .map((r) => r.messageId);
    expect(resent).toEqual(expect.arrayContaining(unacknowledged));
    await pollUntil(() => agent.runCommand.replies.size === 0, 'every reply acknowledged');
  });
});
