import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  NODE_CA_PATH,
  cloudInitUserData,
  installCommand,
  shellQuote,
} from '../src/fleet/install-snippet.js';
import { parseTags } from '../src/commands/activation.js';
import { UsageError } from '../src/errors.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n';

describe('install snippets', () => {
  it('quotes what the shell would otherwise interpret', () => {
    expect(shellQuote('abc-DEF_1')).toBe('abc-DEF_1');
    expect(shellQuote("it's $(x)")).toBe(`'it'\\''s $(x)'`);
  });

  it('prints the one-machine command with sudo, trusting the CA when there is one', () => {
    const target = {
      serverUrl: 'https://ssm.example.com:8443/',
      activationId: 'id',
      activationCode: 'c$de',
    };
    expect(installCommand(target)).toBe(
      `curl -fsSL https://ssm.example.com:8443/install.sh | sudo sh -s -- --activation-code 'c$de' --activation-id id`,
    );
    expect(installCommand({ ...target, caPem: CA })).toContain(
      `curl -fsSL --cacert ${NODE_CA_PATH} https://ssm.example.com:8443/install.sh | sudo sh -s -- --activation-code 'c$de' --activation-id id --ca-file ${NODE_CA_PATH}`,
    );
  });

  it('writes the CA with write_files and runs the installer once from runcmd', () => {
    const userData = cloudInitUserData({
      serverUrl: 'https://ssm.example.com',
      activationId: 'id',
      activationCode: 'code"with\\quotes',
      caPem: CA,
    });
    const parsed = parseYaml(userData) as {
      write_files: { path: string; content: string }[];
      runcmd: string[][];
    };
    expect(parsed.write_files[0]).toMatchObject({ path: NODE_CA_PATH, content: CA });
    expect(parsed.runcmd[0]).toEqual([
      'sh',
      '-c',
      `curl -fsSL --cacert ${NODE_CA_PATH} https://ssm.example.com/install.sh | sh -s -- --activation-code 'code"with\\quotes' --activation-id id --ca-file ${NODE_CA_PATH}`,
    ]);
  });

  it('parses tags and refuses a pair without a key', () => {
    expect(parseTags('Env=prod, Role=web=1')).toEqual([
      { Key: 'Env', Value: 'prod' },
      { Key: 'Role', Value: 'web=1' },
    ]);
    expect(parseTags(undefined)).toEqual([]);
    expect(() => parseTags('=x')).toThrow(UsageError);
    expect(() => parseTags('novalue')).toThrow(UsageError);
  });
});
