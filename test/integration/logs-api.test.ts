// The CloudWatch Logs subset with Debian's AWS CLI: groups, retention in AWS's values, streams,
// events read by time with AWS's tokens and pagination, and AWS's errors.

import { spawn } from 'node:child_process';
import { AWS_CLI, pollUntil, runAwsCli, startTestServer, type TestServer } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: TestServer;
const T0 = Date.now() - 60_000;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await runAwsCli(server, args);
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

describe('CloudWatch Logs API', () => {
  it('creates, describes, retains and deletes log groups with AWS errors', async () => {
    await aws('logs', 'create-log-group', '--log-group-name', '/ssm/sessions');
    await expect(
      aws('logs', 'create-log-group', '--log-group-name', '/ssm/sessions'),
    ).rejects.toThrow(/ResourceAlreadyExistsException/);
    await aws(
      'logs',
      'put-retention-policy',
      '--log-group-name',
      '/ssm/sessions',
      '--retention-in-days',
      '14',
    );
    await expect(
      aws(
        'logs',
        'put-retention-policy',
        '--log-group-name',
        '/ssm/sessions',
        '--retention-in-days',
        '2',
      ),
    ).rejects.toThrow(/InvalidParameterException/);
    const described = await aws('logs', 'describe-log-groups', '--log-group-name-prefix', '/ssm/');
    expect(described['logGroups']).toEqual([
      expect.objectContaining({
        logGroupName: '/ssm/sessions',
        retentionInDays: 14,
        arn: 'arn:openssm:logs:us-east-1:000000000000:log-group:/ssm/sessions:*',
      }),
    ]);
    await aws('logs', 'delete-log-group', '--log-group-name', '/ssm/sessions');
    await expect(
      aws('logs', 'delete-log-group', '--log-group-name', '/ssm/sessions'),
    ).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('reads events by time: get-log-events tail and tokens, filter-log-events across pages', async () => {
    const logs = server.server.services.logs;
    const events = Array.from({ length: 30 }, (_, i) => ({
      timestamp: T0 + i * 10,
      message: `line ${String(i)}${i % 3 === 0 ? ' fizz' : ''}`,
    }));
    await logs.append('G', 'a', events.slice(0, 20), Date.now());
    await logs.append('G', 'b', events.slice(20), Date.now());

    const tail = await aws(
      'logs',
      'get-log-events',
      '--log-group-name',
      'G',
      '--log-stream-name',
      'a',
      '--limit',
      '5',
    );
    expect((tail['events'] as { message: string }[]).map((e) => e.message)).toEqual([
      'line 15 fizz',
      'line 16',
      'line 17',
      'line 18 fizz',
      'line 19',
    ]);
    const back = await aws(
      'logs',
      'get-log-events',
      '--log-group-name',
      'G',
      '--log-stream-name',
      'a',
      '--limit',
      '5',
      '--next-token',
      String(tail['nextBackwardToken']),
    );
    expect((back['events'] as { message: string }[])[0]!.message).toBe('line 10');
    const none = await aws(
      'logs',
      'get-log-events',
      '--log-group-name',
      'G',
      '--log-stream-name',
      'a',
      '--next-token',
      String(tail['nextForwardToken']),
    );
    expect(none['events']).toEqual([]);
    expect(none['nextForwardToken']).toBe(tail['nextForwardToken']);

    // The CLI follows nextToken itself; pages of 4 must add up to every match, in time order.
    const filtered = await aws(
      'logs',
      'filter-log-events',
      '--log-group-name',
      'G',
      '--filter-pattern',
      'fizz',
      '--page-size',
      '4',
    );
    expect((filtered['events'] as { message: string }[]).map((e) => e.message)).toEqual(
      events.filter((e) => e.message.includes('fizz')).map((e) => e.message),
    );
    const streams = await aws(
      'logs',
      'describe-log-streams',
      '--log-group-name',
      'G',
      '--order-by',
      'LastEventTime',
      '--descending',
    );
    expect(
      (streams['logStreams'] as { logStreamName: string }[]).map((s) => s.logStreamName),
    ).toEqual(['b', 'a']);
    await expect(
      aws('logs', 'get-log-events', '--log-group-name', 'G', '--log-stream-name', 'zz'),
    ).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('aws logs tail --follow prints events appended while it runs', async () => {
    const logs = server.server.services.logs;
    await logs.append(
      'Followed',
      'session-1',
      [{ timestamp: Date.now(), message: 'before' }],
      Date.now(),
    );
    const tail = spawn(
      AWS_CLI,
      [
        '--endpoint-url',
        server.url,
        '--region',
        server.region,
        'logs',
        'tail',
        'Followed',
        '--follow',
      ],
      {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: server.dataDir,
          AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
          // Python block-buffers a piped stdout; --follow would never flush.
          PYTHONUNBUFFERED: '1',
        },
      },
    );
    let output = '';
    tail.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await pollUntil(() => output.includes('before'), 'the existing event', 20_000);
      await logs.append(
        'Followed',
        'session-1',
        [{ timestamp: Date.now(), message: 'after-marker' }],
        Date.now(),
      );
      // The CLI polls every 5 s.
      await pollUntil(() => output.includes('after-marker'), 'the new event', 20_000);
      expect(output).toMatch(/session-1 after-marker/);
    } finally {
      tail.kill('SIGINT');
    }
  }, 60_000);
});
