// The step runner with real scripts: status and code from the exit status, stderr in `output`
// and `standardError`, the working directory and environment a script gets, AWS's control flow
// across steps (onFailure, 168/169, finallyStep, isEnd), cancel, truncation of large output,
// the replies each step produces, and a job resumed by a new runner after a restart.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@openssm/protocol';
import { pollUntil } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  JobRunner,
  JobStore,
  createAgentInfo,
  planCommandDocument,
  replyMessageId,
  silentLogger,
  type JobRecord,
  type QueuedReply,
  type SendReplyPayload,
} from '../src/index.js';

let dir: string;
let store: JobStore;
let replies: QueuedReply[];
let ready: number[];
const runners: JobRunner[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-job-'));
  store = new JobStore(dir);
  await store.init();
  replies = [];
  ready = [];
});

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.cancel();
  rmSync(dir, { recursive: true, force: true });
});

const INSTANCE = 'mi-0123456789abcdef0';
let counter = 0;

async function createJob(
  steps: JsonObject[] | JsonObject,
  parameters: JsonObject = {},
  outputS3 = { bucket: '', keyPrefix: '' },
): Promise<JobRunner> {
  const commandId = `cmd-${++counter}-${process.pid}`;
  const record: JobRecord = {
    version: 1,
    jobId: `aws.ssm.${commandId}.${INSTANCE}`,
    commandId,
    messageId: '6f1c1f4e-0000-4000-8000-000000000000',
    topic: 'aws.ssm.sendCommand',
    receivedAt: new Date().toISOString(),
  };
  const document = Array.isArray(steps) ? { schemaVersion: '2.2', mainSteps: steps } : steps;
  const plan = planCommandDocument(document, parameters);
  const state = {
    version: 1 as const,
    phase: 'accepted' as const,
    cancelRequested: false,
    steps: JobRunner.initialSteps(plan),
  };
  await store.create(record, '{}', state);
  return newRunner(record, plan, state, outputS3);
}

function newRunner(
  record: JobRecord,
  plan: ReturnType<typeof planCommandDocument>,
  state: JobRunner['state'],
  outputS3 = { bucket: '', keyPrefix: '' },
): JobRunner {
  const runner = new JobRunner(record, plan, state, outputS3, {
    store,
    enqueueReply: (reply) => {
      replies.push(reply);
      return Promise.resolve();
    },
    outputReady: (_, index) => ready.push(index),
    agent: createAgentInfo('Debian GNU/Linux', '12'),
    log: silentLogger,
    environment: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', FROM_AGENT: 'yes' },
    instanceId: INSTANCE,
    region: 'eu-west-1',
    platformName: 'Debian GNU/Linux',
    platformVersion: '12',
  });
  runners.push(runner);
  return runner;
}

function shell(name: string, lines: string[], inputs: JsonObject = {}, step: JsonObject = {}) {
  return { action: 'aws:runShellScript', name, inputs: { runCommand: lines, ...inputs }, ...step };
}

const contents = (): SendReplyPayload[] =>
  replies.map((reply) => JSON.parse(reply.content) as SendReplyPayload);
const final = (): SendReplyPayload => contents().at(-1)!;

describe('JobRunner', () => {
  it('runs a step and replies: step started, step done, final Success', async () => {
    const runner = await createJob([shell('hello', ['echo hello', 'echo warn >&2'])]);
    await runner.run();
    const [started, done, last] = contents();
    expect(replies.map((reply) => reply.topic)).toEqual(Array(3).fill('aws.ssm.sendCommand'));
    expect(started).toMatchObject({
      documentStatus: 'InProgress',
      runtimeStatus: { hello: { status: 'InProgress', name: 'aws:runShellScript' } },
      openssm: { sequence: 1 },
    });
    expect(done!.runtimeStatus!['hello']).toMatchObject({
      status: 'Success',
      code: 0,
      output: 'hello\n\n----------ERROR-------\nwarn\n',
      standardOutput: 'hello\n',
      standardError: 'warn\n',
    });
    expect(last).toMatchObject({
      documentStatus: 'Success',
      documentTraceOutput: '',
      additionalInfo: {
        agent: { lang: 'en-US', name: 'openssm-agent', os: 'Debian GNU/Linux', osver: '12' },
        runId: '',
        runtimeStatusCounts: { Success: 1 },
      },
      openssm: {
        sequence: 3,
        fullOutput: {
          hello: {
            stdout: {
              bytes: 6,
              sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
            },
            stderr: { bytes: 5 },
          },
        },
      },
    });
    expect(last!.runtimeStatus!['hello']!.status).toBe('Success');
    expect(Date.parse(last!.runtimeStatus!['hello']!.endDateTime)).toBeGreaterThan(0);
    expect(runner.state.phase).toBe('finished');
    expect(ready).toEqual([0]);
    // Stable ids: the n-th reply of a job always has the same MessageId.
    expect(new Set(replies.map((reply) => reply.messageId)).size).toBe(3);
  });

  it('reports a non-zero exit as Failed with its code and stderr', async () => {
    const runner = await createJob([shell('bad', ['echo partial', 'echo broken >&2', 'exit 3'])]);
    await runner.run();
    expect(final()).toMatchObject({
      documentStatus: 'Failed',
      runtimeStatus: {
        bad: { status: 'Failed', code: 3, standardOutput: 'partial\n', standardError: 'broken\n' },
      },
    });
  });

  it('runs in the step directory by default, or where told, with the environment', async () => {
    const runner = await createJob([
      shell(
        'where',
        [
          'pwd',
          'echo "$SSM_COMMAND_ID $AWS_SSM_INSTANCE_ID $AWS_SSM_REGION_NAME"',
          'echo "$FROM_AGENT $OWN"',
        ],
        {
          environment: { OWN: 'mine' },
        },
      ),
      shell('there', ['pwd'], { workingDirectory: tmpdir() }),
    ]);
    await runner.run();
    const [pwd, ids, env] = runner.state.steps[0]!.standardOutput.trim().split('\n');
    expect(pwd).toBe(store.stepDir(runner.commandId, 0, 'where'));
    expect(ids).toBe(`${runner.commandId} ${INSTANCE} eu-west-1`);
    expect(env).toBe('yes mine');
    expect(runner.state.steps[1]!.standardOutput.trim()).toBe(tmpdir());
    expect(readFileSync(join(pwd!, '_script.sh'), 'utf8')).toContain('echo "$FROM_AGENT $OWN"');
  });

  it('fails a step whose working directory does not exist, as AWS words it', async () => {
    const runner = await createJob([
      shell('nowhere', ['true'], { workingDirectory: '/no/such/dir' }),
    ]);
    await runner.run();
    expect(runner.state.steps[0]).toMatchObject({
      status: 'Failed',
      code: 1,
      standardError: 'failed to run commands: chdir /no/such/dir: no such file or directory',
    });
  });

  it('goes on after a failed step without exit condition; the document is Failed', async () => {
    const runner = await createJob([shell('a', ['exit 1']), shell('b', ['echo b'])]);
    await runner.run();
    expect(runner.state.steps.map((step) => step.status)).toEqual(['Failed', 'Success']);
    expect(final()).toMatchObject({
      documentStatus: 'Failed',
      runtimeStatus: {},
      additionalInfo: { runtimeStatusCounts: { Failed: 1, Success: 1 } },
    });
  });

  it('onFailure exit skips the rest; successAndExit makes it Success with code 168', async () => {
    const exit = await createJob([
      shell('a', ['exit 2'], { onFailure: 'exit' }),
      shell('b', ['echo never']),
    ]);
    await exit.run();
    expect(exit.state.steps.map((step) => [step.status, step.code])).toEqual([
      ['Failed', 2],
      ['Skipped', 0],
    ]);
    expect(exit.state.steps[0]!.standardError).toContain('onFailure property');
    expect(exit.state.steps[1]!.output).toBe(
      'Plugin with name aws:runShellScript and id b skipped due to prior step with an exit condition',
    );
    replies = [];
    const successAndExit = await createJob([
      shell('a', ['exit 2'], { onFailure: 'successAndExit' }),
      shell('b', ['echo never']),
    ]);
    await successAndExit.run();
    expect(successAndExit.state.steps.map((step) => [step.status, step.code])).toEqual([
      ['Success', 168],
      ['Skipped', 0],
    ]);
    expect(final().documentStatus).toBe('Success');
  });

  it('exit 168 succeeds and stops, exit 169 fails and stops, a finallyStep still runs', async () => {
    const runner = await createJob([
      shell('ok', ['echo out', 'echo noise >&2', 'exit 168']),
      shell('skipped', ['echo never']),
    ]);
    await runner.run();
    expect(runner.state.steps[0]).toMatchObject({
      status: 'Success',
      code: 168,
      output: 'out\n',
      standardError: '',
      standardOutput: expect.stringContaining('Step exited with code 168') as unknown,
    });
    expect(runner.state.steps[1]!.status).toBe('Skipped');
    const stop = await createJob([
      shell('fail', ['exit 169']),
      shell('skipped', ['echo never']),
      shell('cleanup', ['echo cleaning'], { finallyStep: true }),
    ]);
    await stop.run();
    expect(stop.state.steps.map((step) => [step.status, step.code])).toEqual([
      ['Failed', 169],
      ['Skipped', 0],
      ['Success', 0],
    ]);
  });

  it('runs every property of a 1.2 plugin as one step, merged as AWS merges them', async () => {
    const runner = await createJob({
      schemaVersion: '1.2',
      runtimeConfig: {
        'aws:runShellScript': {
          properties: [
            { id: '0.aws:runShellScript', runCommand: ['echo one', 'exit 2'] },
            { id: '1.aws:runShellScript', runCommand: ['echo two'] },
          ],
        },
      },
    });
    await runner.run();
    expect(runner.state.steps[0]).toMatchObject({
      status: 'Failed',
      code: 2,
      standardOutput: 'one\n\ntwo\n',
    });
    expect(final().runtimeStatus).toHaveProperty(['aws:runShellScript']);
  });

  it('isEnd ends the document after its step', async () => {
    const runner = await createJob([
      shell('a', ['true'], {}, { isEnd: true }),
      shell('b', ['echo never']),
    ]);
    await runner.run();
    expect(runner.state.steps.map((step) => step.status)).toEqual(['Success', 'Skipped']);
  });

  it('cancel kills the running step (137) and cancels the steps after it', async () => {
    const runner = await createJob([
      shell('long', ['echo started', 'sleep 1000']),
      shell('later', ['echo never']),
    ]);
    const done = runner.run();
    await pollUntil(() => runner.state.steps[0]!.running?.pid, 'the step to start');
    await pollUntil(() => readStdout(runner, 0, 'long').includes('started'), 'its output');
    await runner.cancel();
    await done;
    expect(runner.state.steps.map((step) => [step.status, step.code])).toEqual([
      ['Cancelled', 137],
      ['Cancelled', 1],
    ]);
    expect(final().documentStatus).toBe('Cancelled');
    expect(runner.state.cancelRequested).toBe(true);
  });

  it('cuts standardOutput at 24000 and output at 2500 characters; the full size is reported', async () => {
    const runner = await createJob([shell('big', ['head -c 30000 /dev/zero | tr "\\0" a'])]);
    await runner.run();
    const step = runner.state.steps[0]!;
    expect(step.standardOutput).toHaveLength(24_000);
    expect(step.standardOutput.endsWith('--output truncated--')).toBe(true);
    expect(step.output).toHaveLength(2500);
    expect(step.output.endsWith('\n---Output truncated---')).toBe(true);
    expect(step.fullOutput?.stdout.bytes).toBe(30_000);
  });

  it('fills the S3 fields as AWS does when the command names a bucket', async () => {
    const runner = await createJob(
      [shell('s3', ['true'])],
      {},
      {
        bucket: 'my-bucket',
        keyPrefix: 'logs/cmd/mi-1',
      },
    );
    await runner.run();
    expect(final().runtimeStatus!['s3']).toMatchObject({
      outputS3BucketName: 'my-bucket',
      outputS3KeyPrefix: 'logs/cmd/mi-1/awsrunShellScript',
      stepName: 's3',
    });
  });

  it('a new runner resumes a job: the running step is adopted, never run twice', async () => {
    const marker = join(dir, 'marker');
    const first = await createJob([
      shell('slow', [`echo run >> ${marker}`, 'sleep 1', 'echo finished']),
      shell('after', ['echo after']),
    ]);
    const running = first.run();
    await pollUntil(() => first.state.steps[0]!.running?.pid, 'the step to start');
    first.detach();
    await running;
    const [stored] = await store.list(() => undefined);
    expect(stored!.state.phase).toBe('running');
    expect(stored!.state.steps[0]!.status).toBe('InProgress');

    replies = [];
    const second = newRunner(stored!.record, first.plan, stored!.state);
    await second.run();
    expect(second.state.steps.map((step) => step.status)).toEqual(['Success', 'Success']);
    expect(second.state.steps[0]!.standardOutput).toBe('finished\n');
    expect(readFileSync(marker, 'utf8')).toBe('run\n');
    expect(final().documentStatus).toBe('Success');
    // The same replies as an uninterrupted run would have made, by MessageId.
    expect(replies.at(-1)!.messageId).toBe(replyMessageId(first.record.jobId, 5));
  });

  it('a resumed step whose process vanished without an exit status is Failed, not rerun', async () => {
    const marker = join(dir, 'marker');
    const first = await createJob([shell('gone', [`echo run >> ${marker}`, 'sleep 1000'])]);
    const running = first.run();
    const pid = await pollUntil(() => first.state.steps[0]!.running?.pid, 'the step to start');
    await pollUntil(() => existsSync(marker), 'the marker');
    first.detach();
    await running;
    process.kill(-pid, 'SIGKILL');
    const [stored] = await store.list(() => undefined);
    const second = newRunner(stored!.record, first.plan, stored!.state);
    await second.run();
    expect(second.state.steps[0]).toMatchObject({ status: 'Failed', code: 1 });
    expect(second.state.steps[0]!.standardError).toContain('it was not run again');
    expect(readFileSync(marker, 'utf8')).toBe('run\n');
  });
});

function readStdout(runner: JobRunner, index: number, name: string): string {
  const path = join(store.stepDir(runner.commandId, index, name), 'stdout');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}
