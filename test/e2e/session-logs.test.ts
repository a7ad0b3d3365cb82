// Session logs, limits and the audit trail as an operator meets them: a real openssm-agent,
// sessions typed in a terminal (tmux running `openssm connect`), preferences changed with
// `aws ssm update-document`, logs read with `aws logs`, audit events with `aws cloudtrail`,
// and `openssm sessions|audit`. One preferences "minute" lasts 1 s here (--session-minute-ms).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  operatorEnvironment,
  pollUntil,
  runAwsCli,
  runOpenssm,
  setSessionPreferences,
  startTestAgent,
  startTestServer,
  TmuxTerminal,
  type CommandResult,
  type TestAgent,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MINUTE_MS = 1000;

let server: TestServer;
let agent: TestAgent;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-logs-e2e-'));
  server = await startTestServer({
    extraArgs: ['--session-minute-ms', String(MINUTE_MS), '--audit-digest-every', '20'],
  });
  agent = await startTestAgent(server, { stateDir: join(workDir, 'agent'), name: 'logs-node' });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

function clientEnv(): Record<string, string> {
  return operatorEnvironment(server, workDir);
}

function openssm(...args: string[]): Promise<CommandResult> {
  return runOpenssm(clientEnv(), args);
}

describe('session logs and recordings', () => {
  it('records a typed command: transcript without escapes, replay, and the log stream while the session runs', async () => {
    await setSessionPreferences(server, {
      cloudWatchLogGroupName: 'SessionLogs',
      cloudWatchStreamingEnabled: true,
      idleSessionTimeout: '60',
    });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('logs-node', clientEnv());
      await terminal.type('echo marker-$((2+2))');
      await terminal.waitFor(/^marker-4\s*$/m, 'marker-4 on the screen');
      // Streaming: the line is in the session's log stream before the session ends.
      const streamed = await pollUntil(async () => {
        const { stdout } = await runAwsCli(server, [
          'logs',
          'get-log-events',
          '--log-group-name',
          'SessionLogs',
          '--log-stream-name',
          sessionId,
        ]).catch(() => ({ stdout: '' }));
        return stdout.includes('marker-4') ? stdout : undefined;
      }, 'marker-4 in the log stream while the session runs');
      expect(JSON.parse(streamed)).toMatchObject({ events: [expect.anything()] });
      expect((await server.server.services.sessions.get(sessionId))?.status).toBe('Connected');

      await terminal.type('exit');
      await terminal.waitFor(/Exiting session with sessionId/, 'the session to end');
      await pollUntil(
        async () =>
          (await server.server.services.recordings.get(sessionId))?.status === 'Complete'
            ? true
            : undefined,
        'the recording to be complete',
      );

      const log = await openssm('sessions', 'log', sessionId);
      expect(log.code).toBe(0);
      expect(log.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z marker-4$/m);
      expect(log.stdout).not.toContain('\u001b');

      const play = await openssm('sessions', 'play', sessionId, '--speed', '100');
      expect(play.code).toBe(0);
      expect(play.stdout).toContain('marker-4');

      const exported = await openssm('sessions', 'export', sessionId, '--dir', join(workDir, 'x'));
      expect(exported.stdout).toContain(`${sessionId}.cast`);

      const tail = await runAwsCli(server, ['logs', 'tail', 'SessionLogs', '--since', '1h']);
      expect(tail.stdout).toContain('marker-4');
    } finally {
      await terminal.close();
    }
  }, 120_000);

  it('keeps a session that prints every second, closes a silent one after the idle timeout', async () => {
    await setSessionPreferences(server, { idleSessionTimeout: '3' });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('logs-node', clientEnv());
      await terminal.type('for i in 1 2 3 4 5 6; do echo tick-$i; sleep 1; done; echo ticks-done');
      await terminal.waitFor(/^ticks-done\s*$/m, 'six seconds of output', 30_000);
      // Twice the idle timeout went by with output only: still open.
      expect(await terminal.screen()).not.toMatch(/timed out/);
      expect((await server.server.services.sessions.get(sessionId))?.status).toBe('Connected');
      // Now silent: closed, and the client says why.
      await terminal.waitFor(
        /SessionId: \S+ : Your session timed out due to inactivity and has been terminated\./,
        'the idle close',
        15_000,
      );
      const session = await server.server.services.sessions.get(sessionId);
      expect(session?.status).toBe('Terminated');
      const { stdout } = await runAwsCli(server, [
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        'AttributeKey=EventName,AttributeValue=SessionIdleTimeout',
      ]);
      expect(stdout).toContain(sessionId);
    } finally {
      await terminal.close();
    }
  }, 90_000);

  it('closes a busy session at its maximum duration', async () => {
    await setSessionPreferences(server, { idleSessionTimeout: '60', maxSessionDuration: '4' });
    const terminal = new TmuxTerminal();
    try {
      await terminal.connect('logs-node', clientEnv());
      await terminal.type('while true; do echo busy; sleep 0.5; done');
      await terminal.waitFor(
        /SessionId: \S+ : Your session reached its maximum duration of 4 minutes and has been terminated\./,
        'the maximum duration close',
        20_000,
      );
    } finally {
      await terminal.close();
    }
  }, 60_000);
});

describe('audit trail', () => {
  it('answers aws cloudtrail lookup-events with StartSession by the caller, and a denied call with its code', async () => {
    const { stdout } = await runAwsCli(server, [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=StartSession',
    ]);
    const events = (
      JSON.parse(stdout) as { Events: { CloudTrailEvent: string; Username: string }[] }
    ).Events;
    expect(events.length).toBeGreaterThan(0);
    const record = JSON.parse(events[0]!.CloudTrailEvent) as Record<string, unknown>;
    expect(record).toMatchObject({
      eventName: 'StartSession',
      eventSource: 'ssm.amazonaws.com',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:openssm:iam::000000000000:user/admin',
        userName: 'admin',
        accessKeyId: server.adminCredentials.accessKeyId,
      },
      responseElements: { TokenValue: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
      readOnly: false,
      eventType: 'AwsApiCall',
    });
    expect(events[0]!.Username).toBe('admin');

    await runAwsCli(server, ['iam', 'create-user', '--user-name', 'nobody']);
    const key = JSON.parse(
      (await runAwsCli(server, ['iam', 'create-access-key', '--user-name', 'nobody'])).stdout,
    ) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
    await expect(
      runAwsCli(server, ['ssm', 'describe-sessions', '--state', 'Active'], {
        credentials: {
          accessKeyId: key.AccessKey.AccessKeyId,
          secretAccessKey: key.AccessKey.SecretAccessKey,
        },
      }),
    ).rejects.toThrow(/AccessDeniedException/);
    const denied = JSON.parse(
      (
        await runAwsCli(server, [
          'cloudtrail',
          'lookup-events',
          '--lookup-attributes',
          'AttributeKey=Username,AttributeValue=nobody',
        ])
      ).stdout,
    ) as { Events: { EventName: string; CloudTrailEvent: string }[] };
    const call = denied.Events.find((event) => event.EventName === 'DescribeSessions');
    expect(JSON.parse(call!.CloudTrailEvent)).toMatchObject({
      errorCode: 'AccessDeniedException',
      userIdentity: { arn: 'arn:openssm:iam::000000000000:user/nobody' },
    });
    // The secret the key was created with never reaches the trail.
    const all = await openssm('audit', 'export');
    expect(all.stdout).not.toContain(key.AccessKey.SecretAccessKey);
    expect(all.stdout).toContain('"SecretAccessKey":"HIDDEN_DUE_TO_SECURITY_REASONS"');
    const mine = await openssm('audit', '--user', 'nobody');
    expect(mine.stdout).toMatch(/DescribeSessions .*AccessDeniedException/);
  }, 120_000); // seven AWS CLI and openssm processes: CLI v2 takes seconds to start on a busy machine

  it('verifies the chain and names a record changed in the database', async () => {
    const intact = await openssm('audit', 'verify');
    expect(intact.stdout).toMatch(/^OK: \d+ records, [1-9]\d* signed digests/m);
    await server.server.services.audit.flush();
    const db = new Database(join(server.dataDir, 'openssm.db'));
    let eventId: string;
    try {
      const row = db
        .prepare(
          "SELECT seq, event_id, record FROM audit_records WHERE event_name = 'StartSession' LIMIT 1",
        )
        .get() as { seq: number; event_id: string; record: string };
      eventId = row.event_id;
      db.prepare('UPDATE audit_records SET record = ? WHERE seq = ?').run(
        row.record.replace('"sourceIPAddress":"127.0.0.1"', '"sourceIPAddress":"203.0.113.9"'),
        row.seq,
      );
    } finally {
      db.close();
    }
    const tampered = await openssm('audit', 'verify');
    expect(tampered.code).toBe(4);
    expect(tampered.stdout).toContain(`FAIL position`);
    expect(tampered.stdout).toContain(`${eventId} at position`);
    expect(tampered.stdout).toMatch(/was changed after it was written/);
  }, 60_000);
});
