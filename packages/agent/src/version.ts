// The agent's version: the package version, reported in OpenControlChannel, the handshake and the
// heartbeat. AWS agents report four dotted numbers (3.3.987.0), so we pad ours to four.

import { readFileSync } from 'node:fs';

/** Set by the bundle build (scripts/build-agent-bundle.mjs), where no package.json ships. */
declare const OPENSSM_BUNDLED_VERSION: string | undefined;

/** src/ and dist/ both sit one level below the package root. */
const PACKAGE_JSON = new URL('../package.json', import.meta.url);

export const PACKAGE_VERSION =
  typeof OPENSSM_BUNDLED_VERSION === 'string' ? OPENSSM_BUNDLED_VERSION : readPackageVersion();

/** `0.1.0` → `0.1.0.0`; a pre-release suffix is dropped (the API wants digits and dots). */
export const AGENT_VERSION = toAgentVersion(PACKAGE_VERSION);

export const AGENT_NAME = 'openssm-agent';

/**
 * What the agent reports in the handshake of Port sessions. AWS's plugin picks its port mode by
 * the agent version (ssm-wire §5.2): smux above 3.0.196.0, and its smux keep-alive (which kills
 * a session whose peer never sends NOPs) only up to 3.1.1511.0. Our agent behaves like AWS
 * agents above both, so it says so; shell sessions keep reporting AGENT_VERSION.
 */
export const HANDSHAKE_AGENT_VERSION = '3.3.0.0';

export function toAgentVersion(version: string): string {
  const numbers = (/^\d+(\.\d+)*/.exec(version)?.[0] ?? '0').split('.');
  while (numbers.length < 4) numbers.push('0');
  return numbers.slice(0, 4).join('.');
}

function readPackageVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
