// Endpoint, region, profile and credential resolution with temporary AWS files and environments,
// in AWS CLI's order of precedence.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCaCertificates } from '../src/config/ca-bundle.js';
import { resolveCliConfig } from '../src/config/cli-config.js';
import { createCredentialProvider } from '../src/config/credentials.js';
import { configProfileSection, parseIni } from '../src/config/ini-file.js';
import { readTextIfExists } from '../src/config/read-text.js';
import { UsageError } from '../src/errors.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'openssm-cli-config-'));
  mkdirSync(join(home, '.aws'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function writeAws(name: 'config' | 'credentials', text: string): string {
  const path = join(home, '.aws', name);
  writeFileSync(path, text);
  return path;
}

const resolve = (flags: Parameters<typeof resolveCliConfig>[0], env: Record<string, string> = {}) =>
  resolveCliConfig(flags, env, home, readTextIfExists);

describe('parseIni', () => {
  it('reads sections, trims, skips comments, blank lines and nested values', () => {
    const sections = parseIni(
      [
        '# comment',
        'orphan = ignored',
        '[default]',
        'region = eu-west-1',
        '; another comment',
        's3 =',
        '  max_concurrent_requests = 20',
        'no equals sign',
        '[profile dev]',
        'region=ap-south-1',
        'endpoint_url = http://h:1/a=b',
        '[default]',
        'output = json',
      ].join('\r\n'),
    );
    expect(Object.fromEntries(sections.get('default')!)).toEqual({
      region: 'eu-west-1',
      s3: '',
      output: 'json',
    });
    expect(sections.get('profile dev')!.get('endpoint_url')).toBe('http://h:1/a=b');
    expect(configProfileSection(sections, 'dev')!.get('region')).toBe('ap-south-1');
    expect(configProfileSection(sections, 'default')!.get('region')).toBe('eu-west-1');
    expect(configProfileSection(sections, 'missing')).toBeUndefined();
  });

  it('finds [profile default] when there is no [default]', () => {
    const sections = parseIni('[profile default]\nregion = x\n');
    expect(configProfileSection(sections, 'default')!.get('region')).toBe('x');
  });
});

describe('resolveCliConfig', () => {
  it('defaults to us-east-1, the default profile and no endpoint', () => {
    const config = resolve({});
    expect(config).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      profile: 'default',
      profileSource: 'default',
      credentialsFile: join(home, '.aws', 'credentials'),
      configFile: join(home, '.aws', 'config'),
      caBundleFile: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('orders region sources: flag, AWS_REGION, AWS_DEFAULT_REGION, profile, default', () => {
    writeAws('config', '[default]\nregion = from-profile\n');
    const env = { AWS_REGION: 'from-region', AWS_DEFAULT_REGION: 'from-default-region' };
    expect(resolve({ region: 'from-flag' }, env).region).toBe('from-flag');
    expect(resolve({}, env).region).toBe('from-region');
    expect(resolve({}, { AWS_DEFAULT_REGION: 'from-default-region' }).region).toBe(
      'from-default-region',
    );
    expect(resolve({}).region).toBe('from-profile');
    expect(resolve({ region: '  ' }, { AWS_REGION: '' }).region).toBe('from-profile');
  });

  it("uses the selected profile's region and endpoint from the config file", () => {
    writeAws(
      'config',
      '[default]\nregion = r-default\n[profile dev]\nregion = r-dev\nendpoint_url = https://dev.example:8443\n',
    );
    expect(resolve({ profile: 'dev' })).toMatchObject({
      profile: 'dev',
      profileSource: 'flag',
      region: 'r-dev',
      endpoint: 'https://dev.example:8443',
    });
    expect(resolve({}, { AWS_PROFILE: 'dev' })).toMatchObject({
      profileSource: 'environment',
      region: 'r-dev',
    });
  });

  it('orders endpoint sources: flag, OPENSSM_ENDPOINT, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, profile', () => {
    writeAws('config', '[default]\nendpoint_url = https://profile\n');
    const env = {
      OPENSSM_ENDPOINT: 'https://openssm',
      AWS_ENDPOINT_URL_SSM: 'https://ssm-specific',
      AWS_ENDPOINT_URL: 'https://generic',
    };
    expect(resolve({ endpointUrl: 'https://flag' }, env).endpoint).toBe('https://flag');
    expect(resolve({}, env).endpoint).toBe('https://openssm');
    expect(
      resolve({}, { AWS_ENDPOINT_URL_SSM: 'https://ssm-specific', AWS_ENDPOINT_URL: 'https://g' })
        .endpoint,
    ).toBe('https://ssm-specific');
    expect(resolve({}, { AWS_ENDPOINT_URL: 'https://generic' }).endpoint).toBe('https://generic');
    expect(resolve({}).endpoint).toBe('https://profile');
  });

  it('rejects endpoints that are not http(s) URLs', () => {
    expect(() => resolve({ endpointUrl: 'not a url' })).toThrow(UsageError);
    expect(() => resolve({ endpointUrl: 'ftp://x' })).toThrow(/https:\/\/ or http:\/\//);
  });

  it('honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE', () => {
    const config = resolve({}, { AWS_SHARED_CREDENTIALS_FILE: '/c', AWS_CONFIG_FILE: '/k' });
    expect(config.credentialsFile).toBe('/c');
    expect(config.configFile).toBe('/k');
  });

  it('refuses a named profile that exists in neither file', () => {
    expect(() => resolve({ profile: 'typo' })).toThrow(/profile "typo"/);
    expect(() => resolve({}, { AWS_PROFILE: 'typo' })).toThrow(UsageError);
    writeAws('credentials', '[typo]\naws_access_key_id = a\naws_secret_access_key = b\n');
    expect(resolve({ profile: 'typo' }).profile).toBe('typo');
  });

  it('takes the CA bundle from AWS_CA_BUNDLE, then the profile', () => {
    writeAws('config', '[default]\nca_bundle = /from/profile.pem\n');
    expect(resolve({}).caBundleFile).toBe('/from/profile.pem');
    expect(resolve({}, { AWS_CA_BUNDLE: '/from/env.pem' }).caBundleFile).toBe('/from/env.pem');
  });
});

describe('createCredentialProvider', () => {
  const KEYS = { AWS_ACCESS_KEY_ID: 'AKENV', AWS_SECRET_ACCESS_KEY: 'env-secret' };

  it('uses environment keys (with the session token) when no --profile is given', async () => {
    const env = { ...KEYS, AWS_SESSION_TOKEN: 'tok' };
    const credentials = await createCredentialProvider(resolve({}, env), env)();
    expect(credentials).toEqual({
      accessKeyId: 'AKENV',
      secretAccessKey: 'env-secret',
      sessionToken: 'tok',
    });
  });

  it('prefers environment keys over AWS_PROFILE, like the AWS CLI', async () => {
    writeAws('credentials', '[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = dev\n');
    const env = { ...KEYS, AWS_PROFILE: 'dev' };
    expect((await createCredentialProvider(resolve({}, env), env)()).accessKeyId).toBe('AKENV');
  });

  it('lets --profile win over environment keys', async () => {
    writeAws('credentials', '[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = dev\n');
    const credentials = await createCredentialProvider(resolve({ profile: 'dev' }, KEYS), KEYS)();
    expect(credentials).toMatchObject({ accessKeyId: 'AKDEV', secretAccessKey: 'dev' });
  });

  it('reads the default profile from AWS_SHARED_CREDENTIALS_FILE (openssm server admin file)', async () => {
    const path = join(home, 'admin-credentials');
    writeFileSync(path, '[default]\naws_access_key_id = AKADMIN\naws_secret_access_key = s3cret\n');
    const env = { AWS_SHARED_CREDENTIALS_FILE: path, AWS_CONFIG_FILE: join(home, 'none') };
    const credentials = await createCredentialProvider(resolve({}, env), env)();
    expect(credentials).toMatchObject({ accessKeyId: 'AKADMIN', secretAccessKey: 's3cret' });
  });
});

describe('loadCaCertificates', () => {
  it("keeps Node's defaults when no bundle is configured", () => {
    expect(loadCaCertificates({ caBundleFile: undefined }, {}, readTextIfExists)).toBeUndefined();
  });

  it('adds the bundle and NODE_EXTRA_CA_CERTS to the public roots', () => {
    const bundle = join(home, 'ca.pem');
    const extra = join(home, 'extra.pem');
    writeFileSync(bundle, 'BUNDLE');
    writeFileSync(extra, 'EXTRA');
    const ca = loadCaCertificates(
      { caBundleFile: bundle },
      { NODE_EXTRA_CA_CERTS: extra },
      readTextIfExists,
    )!;
    expect(ca.slice(-2)).toEqual(['BUNDLE', 'EXTRA']);
    expect(ca.length).toBe(rootCertificates.length + 2);
  });

  it('fails clearly when the bundle does not exist', () => {
    expect(() =>
      loadCaCertificates({ caBundleFile: join(home, 'missing.pem') }, {}, readTextIfExists),
    ).toThrow(/does not exist/);
  });
});

describe('readTextIfExists', () => {
  it('returns undefined for a missing file and throws for other errors', () => {
    expect(readTextIfExists(join(home, 'nope'))).toBeUndefined();
    expect(() => readTextIfExists(home)).toThrow(/EISDIR/);
  });
});
