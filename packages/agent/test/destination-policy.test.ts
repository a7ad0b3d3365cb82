import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DENIED_DESTINATIONS,
  DestinationDenied,
  DestinationPolicy,
  DestinationUnresolved,
} from '../src/port/destination-policy.js';
import { resolveAgentConfig, ConfigError } from '../src/config/agent-config.js';

const names: Record<string, { address: string; family: number }[]> = {
  'db.internal': [{ address: '10.0.0.5', family: 4 }],
  // A name that also points at the metadata service is refused outright.
  'sneaky.example': [
    { address: '10.0.0.6', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
};
const lookup = (host: string) =>
  names[host] === undefined
    ? Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`))
    : Promise.resolve(names[host]);

describe('DestinationPolicy', () => {
  const policy = DestinationPolicy.parse(DEFAULT_DENIED_DESTINATIONS, lookup);

  it('denies link-local and metadata addresses by default, in every spelling', () => {
    for (const address of [
      '169.254.169.254',
      '169.254.0.1',
      '::ffff:169.254.169.254',
      'fe80::1',
      'fd00:ec2::254',
    ]) {
      expect(policy.isDenied(address), address).toBe(true);
    }
    for (const address of ['127.0.0.1', '10.0.0.5', '::1', '2001:db8::1']) {
      expect(policy.isDenied(address), address).toBe(false);
    }
  });

  it('resolves names on the node and refuses one with any denied address', async () => {
    await expect(policy.resolve('db.internal')).resolves.toEqual({
      address: '10.0.0.5',
      family: 4,
    });
    await expect(policy.resolve('sneaky.example')).rejects.toBeInstanceOf(DestinationDenied);
    await expect(policy.resolve('[fe80::1]')).rejects.toBeInstanceOf(DestinationDenied);
    await expect(policy.resolve('nowhere.example')).rejects.toBeInstanceOf(DestinationUnresolved);
  });

  it('takes `none` and custom lists, and names the entry it cannot read', () => {
    expect(DestinationPolicy.parse('none', lookup).isDenied('169.254.169.254')).toBe(false);
    const custom = DestinationPolicy.parse('10.0.0.0/8, 192.0.2.7', lookup);
    expect(custom.isDenied('10.1.2.3')).toBe(true);
    expect(custom.isDenied('192.0.2.7')).toBe(true);
    expect(custom.isDenied('192.0.2.8')).toBe(false);
    expect(() => DestinationPolicy.parse('10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33 is not/);
    expect(() => DestinationPolicy.parse('metadata')).toThrow(/metadata is not/);
  });

  it('is an agent option, checked when the configuration is read', () => {
    const config = resolveAgentConfig('run', ['--port-forward-deny', '10.0.0.0/8'], {}, '/');
    expect(config.portForwardDeny).toBe('10.0.0.0/8');
    expect(resolveAgentConfig('run', [], {}, '/').portForwardDeny).toBe(
      DEFAULT_DENIED_DESTINATIONS,
    );
    expect(() => resolveAgentConfig('run', ['--port-forward-deny', 'x/1'], {}, '/')).toThrow(
      ConfigError,
    );
  });
});
