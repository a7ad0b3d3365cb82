// The server configuration: defaults < environment < flags, unknown flags refused, plain HTTP
// only on loopback unless allowed, and every combination that cannot work rejected clearly.

import { ConfigError, resolveServerConfig } from '@openssm/server';
import { describe, expect, it } from 'vitest';

const resolve = (argv: string[], env: Record<string, string> = {}) =>
  resolveServerConfig(argv, env, '/srv');

describe('resolveServerConfig', () => {
  it('has sane defaults: loopback, SQLite under ./.openssm, us-east-1', () => {
    expect(resolve([])).toEqual({
      dataDir: '/srv/.openssm',
      listenHost: '127.0.0.1',
      listenPort: 8443,
      publicUrl: undefined,
      region: 'us-east-1',
      tlsCert: undefined,
      tlsKey: undefined,
      tlsSelfSigned: false,
      allowInsecureHttp: false,
      logLevel: 'info',
      recordingBucket: 'openssm-session-recordings',
      objectStore: { driver: 'directory' },
      recordingRetentionDays: 0,
      auditDigestEvery: 1000,
      auditDigestIntervalSeconds: 3600,
      sessionMinuteMs: 60_000,
      maxCommandOutputBytes: 100 * 1024 * 1024,
      nodeInactiveAfterSeconds: 0,
      nodeDeregisterAfterSeconds: 0,
      agentBundleDir: undefined,
      trustedProxies: [],
    });
    expect(Object.isFrozen(resolve([]))).toBe(true);
  });

  it('reads trusted proxies as addresses and CIDR blocks, and refuses anything else', () => {
    expect(resolve(['--trusted-proxies', '10.0.0.0/8, 192.0.2.7,fd00::/8']).trustedProxies).toEqual(
      ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'],
    );
    expect(resolve([], { OPENSSM_TRUSTED_PROXIES: '127.0.0.1' }).trustedProxies).toEqual([
      '127.0.0.1',
    ]);
    for (const bad of [
      'proxy.example.com',
      '10.0.0.0/33',
      '10.0.0.0/8/1',
      'fd00::/129',
      '10.0.0.0/x',
    ]) {
      expect(() => resolve(['--trusted-proxies', bad])).toThrow(/--trusted-proxies takes IP/);
    }
  });

  it('reads the logging options and refuses bad ones', () => {
    expect(resolve(['--recording-retention-days', '30', '--session-minute-ms=1000'])).toMatchObject(
      { recordingRetentionDays: 30, sessionMinuteMs: 1000 },
    );
    expect(() => resolve(['--recording-retention-days', '-1'])).toThrow(
      /--recording-retention-days must be a whole number from 0 to 36500/,
    );
    expect(() => resolve(['--session-minute-ms', '60001'])).toThrow(/--session-minute-ms/);
    expect(() => resolve(['--recording-bucket', 'Not_A_Bucket'])).toThrow(/--recording-bucket/);
  });

  it('lets the environment override defaults and flags override the environment', () => {
    const env = {
      OPENSSM_REGION: 'eu-west-1',
      OPENSSM_DATA_DIR: 'env-dir',
      OPENSSM_LOG_LEVEL: 'warn',
    };
    expect(resolve([], env)).toMatchObject({
      region: 'eu-west-1',
      dataDir: '/srv/env-dir',
      logLevel: 'warn',
    });
    expect(resolve(['--region', 'ap-south-1', '--data-dir=/var/lib/openssm'], env)).toMatchObject({
      region: 'ap-south-1',
      dataDir: '/var/lib/openssm',
    });
  });

  it('parses listen addresses, IPv6 included', () => {
    expect(resolve(['--listen', '127.0.0.2:0'])).toMatchObject({
      listenHost: '127.0.0.2',
      listenPort: 0,
    });
    expect(resolve(['--listen', '[::1]:9000'])).toMatchObject({
      listenHost: '::1',
      listenPort: 9000,
    });
    for (const bad of ['nohost', '1.2.3.4:99999', '[zz::1]:80', ':80']) {
      expect(() => resolve(['--listen', bad]), bad).toThrow(ConfigError);
    }
  });

  it('refuses plain HTTP on a non-loopback address unless explicitly allowed', () => {
    expect(() => resolve(['--listen', '0.0.0.0:443'])).toThrow(/refusing plain HTTP on 0\.0\.0\.0/);
    expect(resolve(['--listen', '0.0.0.0:443', '--allow-insecure-http'])).toMatchObject({
      allowInsecureHttp: true,
    });
    expect(
      resolve(['--listen', '0.0.0.0:443', '--tls-cert', 'c.pem', '--tls-key', 'k.pem']),
    ).toMatchObject({
      tlsCert: '/srv/c.pem',
      tlsKey: '/srv/k.pem',
    });
    expect(
      resolve([], { OPENSSM_LISTEN: '0.0.0.0:80', OPENSSM_ALLOW_INSECURE_HTTP: 'yes' })
        .allowInsecureHttp,
    ).toBe(true);
  });

  it('rejects unknown flags, missing values and contradictions with a clear message', () => {
    expect(() => resolve(['--nope'])).toThrow('unknown option --nope');
    expect(() => resolve(['--region'])).toThrow('--region needs a value');
    expect(() => resolve(['--tls-cert', 'c.pem'])).toThrow('--tls-cert and --tls-key go together');
    expect(() => resolve(['--tls-self-signed', '--tls-cert', 'c', '--tls-key', 'k'])).toThrow(
      /either/,
    );
    expect(() => resolve(['--log-level', 'loud'])).toThrow(/--log-level/);
    expect(() => resolve(['--region', 'US EAST'])).toThrow(/invalid --region/);
    expect(() => resolve(['--public-url', 'ftp://x'])).toThrow(/--public-url/);
    expect(() => resolve([], { OPENSSM_ALLOW_INSECURE_HTTP: 'maybe' })).toThrow(/true or false/);
    expect(resolve(['--public-url', 'https://ssm.example.com/']).publicUrl).toBe(
      'https://ssm.example.com',
    );
  });

  it('reads the Run Command output cap in bytes or binary units', () => {
    expect(resolve(['--max-command-output', '1048576']).maxCommandOutputBytes).toBe(1048576);
    expect(resolve(['--max-command-output', '512KiB']).maxCommandOutputBytes).toBe(524288);
    expect(resolve([], { OPENSSM_MAX_COMMAND_OUTPUT: '2GiB' }).maxCommandOutputBytes).toBe(
      2 * 1024 ** 3,
    );
    expect(resolve(['--max-command-output', '0']).maxCommandOutputBytes).toBe(0);
    for (const bad of ['-1', '1.5MiB', '10MB', 'lots', '']) {
      expect(() => resolve(['--max-command-output', bad])).toThrow(/--max-command-output/);
    }
  });
});

describe('object store options', () => {
  it('choose the S3 driver with its endpoint, region, path style, keys and CA file', () => {
    expect(
      resolve(
        [
          '--object-store',
          's3',
          '--s3-endpoint',
          'https://minio.internal:9000/',
          '--s3-force-path-style',
          '--s3-ca-file',
          'certs/ca.pem',
        ],
        { OPENSSM_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE', OPENSSM_S3_SECRET_ACCESS_KEY: 'secret' },
      ).objectStore,
    ).toEqual({
      driver: 's3',
      endpoint: 'https://minio.internal:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      caFile: '/srv/certs/ca.pem',
    });
    // Without keys: the AWS SDK's own chain; without an endpoint: AWS S3 in the region.
    expect(resolve(['--object-store', 's3', '--s3-region', 'eu-west-1']).objectStore).toEqual({
      driver: 's3',
      endpoint: undefined,
      region: 'eu-west-1',
      forcePathStyle: false,
      credentials: undefined,
      caFile: undefined,
    });
  });

  it('refuses what cannot work, naming the option and never echoing a secret', () => {
    expect(() => resolve(['--object-store', 'nfs'])).toThrow(
      /--object-store must be directory or s3/,
    );
    expect(() => resolve(['--s3-endpoint', 'http://127.0.0.1:9000'])).toThrow(
      /--s3-endpoint needs --object-store s3/,
    );
    expect(() => resolve(['--object-store', 's3', '--s3-endpoint', 'minio:9000'])).toThrow(
      /--s3-endpoint must be an http\(s\) origin/,
    );
    expect(() => resolve(['--object-store', 's3', '--s3-region', 'EU West'])).toThrow(
      /invalid --s3-region/,
    );
    expect(() =>
      resolve(['--object-store', 's3', '--s3-secret-access-key', 'hunter2-secret']),
    ).toThrow(/^--s3-access-key-id and --s3-secret-access-key go together$/);
  });
});

describe('node lifecycle options', () => {
  it('take 0 (never) or at least a heartbeat-safe number of seconds', () => {
    const resolveWith = (args: string[]) => resolveServerConfig(args, {}, '/srv');
    expect(resolveWith(['--node-inactive-after', '600']).nodeInactiveAfterSeconds).toBe(600);
    expect(resolveWith(['--node-deregister-after', '0']).nodeDeregisterAfterSeconds).toBe(0);
    expect(() => resolveWith(['--node-inactive-after', '60'])).toThrow(/at least 600 seconds/);
    expect(() => resolveWith(['--node-deregister-after', '600'])).toThrow(/at least 3600 seconds/);
  });
});
