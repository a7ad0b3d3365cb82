// Session recordings in an S3-compatible bucket, as an operator meets them: the server started
// with `--object-store s3` against a real S3 server on loopback (s3rver), preferences naming
// s3BucketName/s3KeyPrefix, a session typed in a terminal, the transcript read back with
// `openssm sessions log`, retention deleting old objects, Run Command's full output in the
// bucket, and a bucket that is missing or an endpoint that is down reported and handled per
// openssmLogFailureMode.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  operatorEnvironment,
  pollUntil,
  runAwsCli,
  runOpenssm,
  setSessionPreferences,
  signedFetch,
  startS3Server,
  startTestAgent,
  startTestServer,
  TmuxTerminal,
  type CommandResult,
  type TestAgent,
  type TestS3Server,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUCKET = 'team-recordings';
const DAY = 86_400_000;

let s3: TestS3Server;
let server: TestServer;
let agent: TestAgent;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-s3-e2e-'));
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  server = await startTestServer({
    extraArgs: [...s3.serverArgs, '--recording-retention-days', '7'],
  });
  agent = await startTestAgent(server, { stateDir: join(workDir, 'agent'), name: 's3-node' });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await s3?.close();
  await rm(workDir, { recursive: true, force: true });
});

function clientEnv(): Record<string, string> {
  return operatorEnvironment(server, workDir);
}

function openssm(...args: string[]): Promise<CommandResult> {
  return runOpenssm(clientEnv(), args);
}

async function auditDetails(
  name: string,
  sessionId: string,
): Promise<Record<string, unknown> | undefined> {
  const { stdout } = await runAwsCli(server, [
    'cloudtrail',
    'lookup-events',
    '--lookup-attributes',
    `AttributeKey=EventName,AttributeValue=${name}`,
  ]);
  return (JSON.parse(stdout) as { Events: { CloudTrailEvent: string }[] }).Events.map(
    (event) =>
      (JSON.parse(event.CloudTrailEvent) as { serviceEventDetails: Record<string, unknown> })
        .serviceEventDetails,
  ).find((details) => details['sessionId'] === sessionId);
}

async function recordingComplete(sessionId: string): Promise<void> {
  await pollUntil(
    async () =>
      (await server.server.services.recordings.get(sessionId))?.status === 'Complete'
        ? true
        : undefined,
    'the recording to be complete',
    30_000,
  );
}

describe('session recordings in an S3 bucket', () => {
  let recordedSession = '';

  it('writes the recording and transcript under the key prefix while the session runs, and reads them back', async () => {
    await setSessionPreferences(server, { s3BucketName: BUCKET, s3KeyPrefix: '/prod/sessions/' });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('s3-node', clientEnv());
      recordedSession = sessionId;
      await terminal.type('echo marker-$((2+2))');
      await terminal.waitFor(/^marker-4\s*$/m, 'marker-4 on the screen');
      // While the session runs the transcript is parts in the bucket, readable already.
      const live = await pollUntil(async () => {
        const log = await openssm('sessions', 'log', sessionId);
        return / marker-4$/m.test(log.stdout) ? log.stdout : undefined;
      }, 'marker-4 in the transcript while the session runs');
      expect(live).not.toContain('\u001b');
      expect(await s3.keys(BUCKET, `prod/sessions/${sessionId}.log.parts/`)).not.toEqual([]);

      await terminal.type('exit');
      await terminal.waitFor(/Exiting session with sessionId/, 'the session to end');
      await recordingComplete(sessionId);
      // One object per file, under the prefix; the parts are gone.
      expect(await s3.keys(BUCKET)).toEqual([
        `prod/sessions/${sessionId}.cast`,
        `prod/sessions/${sessionId}.log`,
      ]);
      expect(await s3.text(BUCKET, `prod/sessions/${sessionId}.log`)).toMatch(/ marker-4$/m);
      const cast = await s3.text(BUCKET, `prod/sessions/${sessionId}.cast`);
      expect(JSON.parse(cast.split('\n')[0]!)).toMatchObject({ version: 2 });

      const log = await openssm('sessions', 'log', sessionId);
      expect(log.code).toBe(0);
      expect(log.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z marker-4$/m);
      const play = await openssm('sessions', 'play', sessionId, '--speed', '100');
      expect(play.stdout).toContain('marker-4');
    } finally {
      await terminal.close();
    }
  }, 120_000);

  it('deletes recordings past the retention from the bucket, and audits it', async () => {
    const { store } = server.server.services.recordings;
    const sessionId = 'admin-000000000000000old';
    await server.server.storage.recordings.insert({
      sessionId,
      target: 'mi-0123456789abcdef0',
      owner: 'arn:openssm:iam::000000000000:user/admin',
      bucket: BUCKET,
      keyPrefix: 'prod/sessions/',
      inputRecorded: false,
      status: 'Complete',
      castBytes: 3,
      transcriptBytes: 3,
      startedAt: Date.now() - 8 * DAY,
      endedAt: Date.now() - 8 * DAY,
      deletedAt: null,
    });
    for (const suffix of ['cast', 'log']) {
      await store.put(BUCKET, `prod/sessions/${sessionId}.${suffix}`, Buffer.from('hi\n'));
    }
    expect((await s3.keys(BUCKET)).length).toBe(4);
    expect((await server.server.runMaintenance()).recordings).toBe(1);
    // The old one is gone from the bucket; the session recorded above is kept.
    expect(await s3.keys(BUCKET)).toEqual([
      `prod/sessions/${recordedSession}.cast`,
      `prod/sessions/${recordedSession}.log`,
    ]);
    expect(await auditDetails('RecordingDeleted', sessionId)).toMatchObject({ retentionDays: 7 });
  });

  it('fails open on a missing bucket: reports it, keeps the session, and writes everything once the bucket exists', async () => {
    await setSessionPreferences(server, { s3BucketName: 'created-later', s3KeyPrefix: 'x' });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('s3-node', clientEnv());
      await terminal.type('echo marker-$((2+2))');
      await terminal.waitFor(/^marker-4\s*$/m, 'marker-4 on the screen');
      const failed = await pollUntil(
        () => auditDetails('SessionLogWriteFailed', sessionId),
        'the failure in the audit trail',
      );
      expect(failed).toMatchObject({ logFailureMode: 'open' });
      expect(failed['error']).toMatch(/^S3 PutObject s3:\/\/created-later\/x\/.*NoSuchBucket/);
      await terminal.type('echo after-$((3+3))');
      await terminal.waitFor(/^after-6\s*$/m, 'after-6 on the screen: the session goes on');

      await s3.createBucket('created-later');
      await pollUntil(
        () => auditDetails('SessionLogWriteRecovered', sessionId),
        'the recovery in the audit trail',
        45_000,
      );
      await terminal.type('exit');
      await terminal.waitFor(/Exiting session with sessionId/, 'the session to end');
      await recordingComplete(sessionId);
      const log = await openssm('sessions', 'log', sessionId);
      expect(log.stdout).toMatch(/ marker-4$/m);
      expect(log.stdout).toMatch(/ after-6$/m);
      expect(await s3.keys('created-later')).toEqual([`x/${sessionId}.cast`, `x/${sessionId}.log`]);
    } finally {
      await terminal.close();
    }
  }, 120_000);

  it("keeps Run Command's full output in the command's OutputS3BucketName", async () => {
    const sent = JSON.parse(
      (
        await runAwsCli(server, [
          'ssm',
          'send-command',
          '--instance-ids',
          agent.instanceId,
          '--document-name',
          'AWS-RunShellScript',
          '--parameters',
          'commands=["seq 1 20000"]',
          '--output-s3-bucket-name',
          BUCKET,
          '--output-s3-key-prefix',
          'runs',
        ])
      ).stdout,
    ) as { Command: { CommandId: string } };
    const commandId = sent.Command.CommandId;
    const invocation = await pollUntil(async () => {
      const { stdout } = await runAwsCli(server, [
        'ssm',
        'get-command-invocation',
        '--command-id',
        commandId,
        '--instance-id',
        agent.instanceId,
      ]).catch(() => ({ stdout: '{}' }));
      const result = JSON.parse(stdout) as { Status?: string; StandardOutputUrl?: string };
      return result.Status === 'Success' ? result : undefined;
    }, 'the command to succeed');
    const full = await pollUntil(async () => {
      const response = await signedFetch({
        url: invocation.StandardOutputUrl!,
        method: 'GET',
        service: 'ssm',
        region: server.region,
        credentials: server.adminCredentials,
      });
      return response.status === 200 ? response.text() : undefined;
    }, 'the full output');
    expect(full.startsWith('1\n2\n3\n')).toBe(true);
    expect(full.endsWith('19999\n20000\n')).toBe(true);
    const keys = await s3.keys(BUCKET, `runs/${commandId}/`);
    expect(keys).toContain(
      `runs/${commandId}/${agent.instanceId}/awsrunShellScript/0.awsrunShellScript/stdout`,
    );
    expect(keys.filter((key) => key.includes('.parts/'))).toEqual([]);
  }, 60_000);

  it('fails closed on an unreachable endpoint when the preferences say so', async () => {
    await setSessionPreferences(server, {
      s3BucketName: BUCKET,
      s3KeyPrefix: 'prod/sessions',
      openssmLogFailureMode: 'closed',
    });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('s3-node', clientEnv());
      await s3.stop(); // nothing listens on the endpoint any more
      await terminal.type('echo marker-$((2+2))');
      await terminal.waitFor(
        /SessionId: \S+ : The session was closed because its (recording|transcript) could not be written \(session logging fails closed\)\./,
        'the fail-closed message',
        30_000,
      );
      expect((await server.server.services.sessions.get(sessionId))?.status).toBe('Terminated');
      expect(await auditDetails('SessionClosedOnLogFailure', sessionId)).toBeDefined();
      const failed = await auditDetails('SessionLogWriteFailed', sessionId);
      expect(failed?.['error']).toMatch(/ECONNREFUSED/);
    } finally {
      await terminal.close();
    }
  }, 90_000);
});
