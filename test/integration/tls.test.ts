// `--tls-self-signed`: the server makes a private CA and a server certificate once, keeps the
// keys private, serves HTTPS with them, and reuses them on restart; AWS's CLI talks to it when
// told to trust the CA, and refuses it otherwise.

import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { startTestServer } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);

describe('self-signed TLS', () => {
  it('serves HTTPS with a private CA the AWS CLI can trust, and keeps it across restarts', async () => {
    const server = await startTestServer({ extraArgs: ['--tls-self-signed'] });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = server.server.selfSignedCa!;
      expect(ca.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      for (const key of ['ca.key', 'server.key']) {
        expect((await stat(`${server.dataDir}/tls/${key}`)).mode & 0o777).toBe(0o600);
      }
      const aws = (extraEnv: Record<string, string>) =>
        execFileAsync(
          '/usr/bin/aws',
          ['--endpoint-url', server.url, '--region', server.region, 'ssm', 'describe-activations'],
          {
            env: {
              PATH: '/usr/bin:/bin',
              HOME: server.dataDir,
              AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
              AWS_CONFIG_FILE: '/dev/null',
              AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
              AWS_MAX_ATTEMPTS: '1',
              ...extraEnv,
            },
            timeout: 30_000,
          },
        );
      expect(JSON.parse((await aws({ AWS_CA_BUNDLE: ca.path })).stdout)).toEqual({
        ActivationList: [],
      });
      await expect(aws({})).rejects.toMatchObject({
        stderr: expect.stringMatching(/SSL|certificate/i) as unknown,
      });

      await server.server.close();
      const again = await startTestServer({
        dataDir: server.dataDir,
        extraArgs: ['--tls-self-signed'],
      });
      try {
        expect(again.server.selfSignedCa?.fingerprint).toBe(ca.fingerprint);
      } finally {
        await again.close();
      }
    } finally {
      await server.close().catch(() => undefined);
    }
  }, 60_000);
});
