// What the heartbeat reports about this machine (ssm-wire §2.3 UpdateInstanceInformation): the
// distribution from /etc/os-release, the host name and the first non-internal IPv4 address.

import { readFile } from 'node:fs/promises';
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface PlatformInfo {
  readonly platformType: 'Linux';
  readonly platformName: string;
  readonly platformVersion: string;
  readonly computerName: string;
  readonly ipAddress: string;
}

export async function readPlatformInfo(osReleasePath = '/etc/os-release'): Promise<PlatformInfo> {
  let release: Record<string, string> = {};
  try {
    release = parseOsRelease(await readFile(osReleasePath, 'utf8'));
  } catch {
    // Not every system has it (containers built from scratch): report what we know.
  }
  return {
    platformType: 'Linux',
    platformName: (release['NAME'] ?? 'Linux').slice(0, 120),
    platformVersion: (release['VERSION_ID'] ?? '').slice(0, 120),
    computerName: hostname().slice(0, 255),
    ipAddress: firstExternalIPv4(networkInterfaces()),
  };
}

/** os-release(5): KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match === null) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    out[match[1]!] = value;
  }
  return out;
}

export function firstExternalIPv4(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}
