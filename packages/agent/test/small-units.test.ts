// Small pieces: the logger's format and threshold, agent versions, os-release parsing, the
// address a heartbeat reports, and error formatting.

import { describe, expect, it } from 'vitest';
import {
  AgentError,
  createLogger,
  firstExternalIPv4,
  formatAgentError,
  parseOsRelease,
  readPlatformInfo,
  silentLogger,
  toAgentVersion,
  AGENT_VERSION,
} from '../src/index.js';

describe('createLogger', () => {
  it('writes one JSON object per line at or above its level', () => {
    const lines: string[] = [];
    const log = createLogger(
      'info',
      (line) => lines.push(line),
      () => new Date(0),
    );
    log.debug('hidden');
    log.info('shown', { sessionId: 's' });
    log.warn('warned');
    log.error('failed');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'info', message: 'shown', sessionId: 's' },
      { time: '1970-01-01T00:00:00.000Z', level: 'warn', message: 'warned' },
      { time: '1970-01-01T00:00:00.000Z', level: 'error', message: 'failed' },
    ]);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(
      true,
    );
    silentLogger.error('nothing');
  });
});

describe('versions', () => {
  it.each([
    ['0.1.0', '0.1.0.0'],
    ['1.2.3-beta.1', '1.2.3.0'],
    ['3.3.987.0', '3.3.987.0'],
    ['1.2.3.4.5', '1.2.3.4'],
    ['junk', '0.0.0.0'],
  ])('%s → %s', (input, output) => {
    expect(toAgentVersion(input)).toBe(output);
  });

  it('reports the package version', () => {
    expect(AGENT_VERSION).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});

describe('platform information', () => {
  it('parses os-release with quotes and escapes', () => {
    const text =
      'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# comment\nPRETTY_NAME=\'x y\'\nQ="a \\"b\\" \\$c"\nbad line\n';
    expect(parseOsRelease(text)).toEqual({
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      ID: 'debian',
      PRETTY_NAME: 'x y',
      Q: 'a "b" $c',
    });
  });

  it('reports Linux with what it can read', async () => {
    const info = await readPlatformInfo('/nonexistent/os-release');
    expect(info).toMatchObject({
      platformType: 'Linux',
      platformName: 'Linux',
      platformVersion: '',
    });
    expect(info.computerName).not.toBe('');
  });

  it('takes the first non-internal IPv4 address', () => {
    const lo = { address: '127.0.0.1', family: 'IPv4', internal: true } as const;
    const v6 = { address: 'fe80::1', family: 'IPv6', internal: false } as const;
    const eth = { address: '10.0.0.5', family: 'IPv4', internal: false } as const;
    const info = { netmask: '', mac: '', cidr: null };
    expect(
      firstExternalIPv4({
        lo: [{ ...lo, ...info }],
        eth0: [
          { ...v6, ...info, scopeid: 0 },
          { ...eth, ...info },
        ],
      }),
    ).toBe('10.0.0.5');
    expect(firstExternalIPv4({ lo: [{ ...lo, ...info }], none: undefined })).toBe('127.0.0.1');
  });
});

describe('formatAgentError', () => {
  it('prefers AWS’s code, then ours, then any code', () => {
    expect(formatAgentError(new AgentError('ServerError', 'm', { awsCode: 'X' }))).toBe('X: m');
    expect(formatAgentError(new AgentError('NetworkError', 'm'))).toBe('NetworkError: m');
    expect(formatAgentError(Object.assign(new Error('m'), { code: 'ENOENT' }))).toBe('ENOENT: m');
    expect(formatAgentError(new Error('m'))).toBe('m');
    expect(formatAgentError('text')).toBe('text');
  });
});
