// The agent's configuration: defaults < environment < flags, per-command flags, validation, the
// frozen result, and the generated documentation covering every option.

import { describe, expect, it } from 'vitest';
import {
  AGENT_OPTIONS,
  ConfigError,
  normalizeFingerprint,
  renderAgentConfigurationDocs,
  resolveAgentConfig,
} from '../src/index.js';

const REGISTER = [
  '--server',
  'https://ssm.example.com:8443',
  '--activation-code',
  'c'.repeat(20),
  '--activation-id',
  'i'.repeat(36),
];

describe('resolveAgentConfig', () => {
  it('has the documented defaults for run', () => {
    const config = resolveAgentConfig('run', [], {}, '/');
    expect(config).toMatchObject({
      command: 'run',
      stateDir: '/var/lib/openssm-agent',
      logLevel: 'info',
      heartbeatIntervalMs: 300_000,
      keyRotationDays: 30,
      pingIntervalMs: 54_000,
      connectionTimeoutMs: 114_000,
      reconnectBaseMs: 1000,
      reconnectCapMs: 60_000,
      caFile: undefined,
      caFingerprint: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sessionEnvironment)).toBe(true);
  });

  it('takes the environment over defaults and flags over the environment', () => {
    const env = { OPENSSM_AGENT_STATE_DIR: '/env/state', OPENSSM_AGENT_LOG_LEVEL: 'debug' };
    expect(resolveAgentConfig('status', [], env, '/')).toMatchObject({
      stateDir: '/env/state',
      logLevel: 'debug',
    });
    expect(resolveAgentConfig('status', ['--state-dir', 'rel'], env, '/work')).toMatchObject({
      stateDir: '/work/rel',
      logLevel: 'debug',
    });
    expect(resolveAgentConfig('status', ['--state-dir=/flag'], env, '/').stateDir).toBe('/flag');
  });

  it('ignores environment variables of options the command does not take', () => {
    const config = resolveAgentConfig('status', [], { OPENSSM_AGENT_SERVER: 'not a url' }, '/');
    expect(config.server).toBeUndefined();
  });

  it('passes PATH and LANG on to sessions, and nothing else', () => {
    const config = resolveAgentConfig(
      'run',
      [],
      { PATH: '/bin', LANG: 'de_DE.UTF-8', SECRET: 'x' },
      '/',
    );
    expect(config.sessionEnvironment).toEqual({ PATH: '/bin', LANG: 'de_DE.UTF-8' });
    expect(resolveAgentConfig('run', [], {}, '/').sessionEnvironment['PATH']).toContain(
      '/usr/sbin',
    );
  });

  it('reads register options, from the environment too (the code stays out of ps)', () => {
    const config = resolveAgentConfig(
      'register',
      REGISTER.slice(0, 4),
      { OPENSSM_AGENT_ACTIVATION_ID: 'from-env' },
      '/',
    );
    expect(config).toMatchObject({
      server: 'https://ssm.example.com:8443',
      activationId: 'from-env',
      region: 'us-east-1',
      force: false,
    });
    expect(resolveAgentConfig('register', [...REGISTER, '--force'], {}, '/').force).toBe(true);
    expect(resolveAgentConfig('register', [...REGISTER, '--force=false'], {}, '/').force).toBe(
      false,
    );
  });

  it.each([
    [['--bogus'], 'run', /unknown option --bogus/],
    [['--server', 'https://x'], 'run', /--server is not an option of run/],
    [['--state-dir'], 'status', /--state-dir needs a value/],
    [['--log-level', 'loud'], 'run', /--log-level must be/],
    [['--ping-interval', '0'], 'run', /positive number of seconds/],
    [['--ping-interval', '-1'], 'run', /positive number of seconds/],
    [['--heartbeat-interval', 'soon'], 'run', /positive number of seconds/],
    [['--key-rotation-days', '0'], 'run', /--key-rotation-days/],
    [['--ping-interval', '120'], 'run', /--connection-timeout must be longer/],
    [['--reconnect-base', '10', '--reconnect-cap', '5'], 'run', /--reconnect-cap/],
    [
      ['--ca-file', 'a.pem', '--ca-fingerprint', 'ab'.repeat(32)],
      'run',
      /either --ca-file or --ca-fingerprint/,
    ],
    [['--ca-fingerprint', 'abc'], 'run', /SHA-256 fingerprint/],
    [[], 'launch', /unknown command launch/],
  ])('refuses %j for %s', (argv, command, message) => {
    expect(() => resolveAgentConfig(command, argv, {}, '/')).toThrow(ConfigError);
    expect(() => resolveAgentConfig(command, argv, {}, '/')).toThrow(message);
  });

  it.each([
    ['ftp://ssm.example.com'],
    ['https://ssm.example.com/prefix'],
    ['https://user:pw@ssm.example.com'],
    ['https://ssm.example.com/?x=1'],
    ['not a url'],
  ])('refuses the server URL %s', (server) => {
    const argv = ['--server', server, ...REGISTER.slice(2)];
    expect(() => resolveAgentConfig('register', argv, {}, '/')).toThrow(/--server must be/);
  });

  it('requires the activation and the server to register', () => {
    expect(() => resolveAgentConfig('register', REGISTER.slice(0, 4), {}, '/')).toThrow(
      /--activation-id/,
    );
  });

  it('normalises a fingerprint with or without colons', () => {
    const hex = 'AB'.repeat(32);
    expect(normalizeFingerprint('ab:'.repeat(31) + 'ab')).toBe(hex);
    expect(normalizeFingerprint(` ${hex.toLowerCase()} `)).toBe(hex);
    expect(
      resolveAgentConfig('run', ['--ca-fingerprint', 'ab:'.repeat(31) + 'ab'], {}, '/')
        .caFingerprint,
    ).toBe(hex);
  });
});

describe('renderAgentConfigurationDocs', () => {
  it('documents every option with its flag, variable and default', () => {
    const docs = renderAgentConfigurationDocs();
    for (const spec of Object.values(AGENT_OPTIONS)) {
      expect(docs).toContain(`\`${spec.flag}\``);
      expect(docs).toContain(`\`${spec.env}\``);
      if (spec.default !== undefined) expect(docs).toContain(`\`${String(spec.default)}\``);
    }
  });
});
