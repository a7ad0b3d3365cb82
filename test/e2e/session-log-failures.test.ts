// A session whose logs cannot be written (a full disk, a failing log store): the failure is
// reported (server log and audit trail) and retried, and the session goes on — or, when its
// preferences say `openssmLogFailureMode: closed`, it is closed with a reason the client prints.
// The object store and the log store are wrapped to fail on demand.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemObjectStore, type LogService, type ObjectStore } from '@openssm/server';
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

let server: TestServer;
let agent: TestAgent;
let workDir: string;
/** How many of the next writes fail; Infinity: all of them. */
const faults = { objects: 0, logs: 0 };

function diskFull(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-logfail-e2e-'));
  const dataDir = join(workDir, 'server');
  const real = new FilesystemObjectStore(join(dataDir, 'objects'));
  const objectStore: ObjectStore = Object.assign(Object.create(real) as ObjectStore, {
    async putPart(bucket: string, key: string, offset: number, data: Uint8Array) {
      if (faults.objects > 0) {
        faults.objects -= 1;
        throw diskFull();
      }
      await real.putPart(bucket, key, offset, data);
    },
  });
  const wrapLogService = (logs: LogService): LogService => ({
    ...logs,
    async append(group, stream, events, now) {
      if (events.length > 0 && faults.logs > 0) {
        faults.logs -= 1;
        throw new Error('SQLITE_FULL: database or disk is full');
      }
      await logs.append(group, stream, events, now);
    },
  });
  server = await startTestServer({ dataDir, objectStore, wrapLogService });
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

async function auditEvents(name: string): Promise<string> {
  return (
    await runAwsCli(server, [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      `AttributeKey=EventName,AttributeValue=${name}`,
    ])
  ).stdout;
}

describe('session log write failures', () => {
  it('fails open: reports, retries, keeps the session, and the recording ends complete', async () => {
    await setSessionPreferences(server, {
      cloudWatchLogGroupName: 'FailingLogs',
      cloudWatchStreamingEnabled: true,
    });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('logs-node', clientEnv());
      faults.objects = 3;
      faults.logs = 2;
      await terminal.type('echo marker-$((2+2))');
      await terminal.waitFor(/^marker-4\s*$/m, 'marker-4 on the screen');
      await pollUntil(
        async () =>
          (await auditEvents('SessionLogWriteFailed')).includes(sessionId) ? true : undefined,
        'the failure in the audit trail',
      );
      // The session is alive while its logs fail.
      await terminal.type('echo after-$((3+3))');
      await terminal.waitFor(/^after-6\s*$/m, 'after-6 on the screen');
      await pollUntil(
        async () =>
          (await auditEvents('SessionLogWriteRecovered')).includes(sessionId) ? true : undefined,
        'the recovery in the audit trail',
        30_000,
      );
      await terminal.type('exit');
      await terminal.waitFor(/Exiting session with sessionId/, 'the session to end');
      await pollUntil(
        async () =>
          (await server.server.services.recordings.get(sessionId))?.status === 'Complete'
            ? true
            : undefined,
        'the recording to be complete',
        30_000,
      );
      const log = await openssm('sessions', 'log', sessionId);
      expect(log.stdout).toMatch(/ marker-4$/m);
      expect(log.stdout).toMatch(/ after-6$/m);
      const { stdout } = await runAwsCli(server, [
        'logs',
        'get-log-events',
        '--log-group-name',
        'FailingLogs',
        '--log-stream-name',
        sessionId,
      ]);
      expect(stdout).toContain('marker-4');
      const failed = JSON.parse(await auditEvents('SessionLogWriteFailed')) as {
        Events: { CloudTrailEvent: string }[];
      };
      const record = failed.Events.map(
        (event) =>
          JSON.parse(event.CloudTrailEvent) as {
            serviceEventDetails: { sessionId: string; error: string; logFailureMode: string };
          },
      ).find((event) => event.serviceEventDetails.sessionId === sessionId);
      expect(record?.serviceEventDetails).toMatchObject({ logFailureMode: 'open' });
      expect(record?.serviceEventDetails.error).toMatch(/ENOSPC|SQLITE_FULL/);
    } finally {
      faults.objects = 0;
      faults.logs = 0;
      await terminal.close();
    }
  }, 120_000);

  it('fails closed when the preferences say so: the client is told why', async () => {
    await setSessionPreferences(server, { openssmLogFailureMode: 'closed' });
    const terminal = new TmuxTerminal();
    try {
      const sessionId = await terminal.connect('logs-node', clientEnv());
      faults.objects = Number.POSITIVE_INFINITY;
      await terminal.type('echo marker-$((2+2))');
      await terminal.waitFor(
        /SessionId: \S+ : The session was closed because its (recording|transcript) could not be written \(session logging fails closed\)\./,
        'the fail-closed message',
        30_000,
      );
      expect((await server.server.services.sessions.get(sessionId))?.status).toBe('Terminated');
      expect(await auditEvents('SessionClosedOnLogFailure')).toContain(sessionId);
    } finally {
      faults.objects = 0;
      await terminal.close();
    }
  }, 90_000);
});
