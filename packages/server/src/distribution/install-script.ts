// /install.sh: the installer (assets/install.sh) with this server's URL, its CA (fingerprint
// and certificate, when it made its own) and the latest bundles' version and checksums filled
// in — so the one command an operator pastes verifies what it downloads against values that
// came from the server it already chose to trust.

import { readFile } from 'node:fs/promises';
import type { AgentRelease } from './agent-bundles.js';

const TEMPLATE = new URL('../../assets/install.sh', import.meta.url);

export interface InstallScriptValues {
  readonly serverUrl: string;
  /** SHA-256 of the server's CA (hex, colons allowed), or undefined for public CAs. */
  readonly caFingerprint: string | undefined;
  /** The CA certificate (PEM), when the server generated its own. */
  readonly caPem: string | undefined;
  readonly release: AgentRelease;
}

let template: Promise<string> | undefined;

export async function renderInstallScript(values: InstallScriptValues): Promise<string> {
  template ??= readFile(TEMPLATE, 'utf8');
  const text = await template;
  // Every value lands inside single quotes (or a quoted heredoc): check none can break out.
  const replacements: Record<string, string> = {
    __OPENSSM_SERVER_URL__: safe(values.serverUrl, /^https?:\/\/[A-Za-z0-9.\-:[\]]+$/),
    __OPENSSM_CA_FINGERPRINT__: safe(values.caFingerprint ?? '', /^[0-9A-Fa-f:]*$/),
    __OPENSSM_AGENT_VERSION__: safe(values.release.version, /^[0-9.]+$/),
    __OPENSSM_SHA256_LINUX_X64__: safe(
      values.release.bundles['linux-x64']?.sha256 ?? '',
      /^[0-9a-f]*$/,
    ),
    __OPENSSM_SHA256_LINUX_ARM64__: safe(
      values.release.bundles['linux-arm64']?.sha256 ?? '',
      /^[0-9a-f]*$/,
    ),
    __OPENSSM_CA_PEM__: safe(values.caPem?.trim() ?? '', /^[A-Za-z0-9+/=\s-]*$/),
  };
  return text.replace(/__OPENSSM_[A-Z0-9_]+__/g, (name) => replacements[name] ?? name);
}

function safe(value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`install.sh value refused: ${value.slice(0, 80)}`);
  return value;
}
