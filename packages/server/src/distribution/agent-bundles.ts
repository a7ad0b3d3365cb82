// The agent bundles this server hands out (issue 9): a directory laid out as the bundle build
// writes it, VERSION/linux-ARCH/{openssm-agent.tar.gz, manifest.json}. Read on demand (a new
// bundle dropped in is served without a restart); names are checked before they touch a path.

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const AGENT_PLATFORMS = ['linux-x64', 'linux-arm64'] as const;
export type AgentPlatform = (typeof AGENT_PLATFORMS)[number];

export const BUNDLE_FILE = 'openssm-agent.tar.gz';
const VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}$/;

export interface BundleInfo {
  readonly version: string;
  readonly platform: AgentPlatform;
  readonly sha256: string;
  readonly size: number;
  /** The file on disk. */
  readonly path: string;
}

export interface AgentRelease {
  readonly version: string;
  readonly bundles: Readonly<Partial<Record<AgentPlatform, BundleInfo>>>;
}

export function isAgentVersion(text: string): boolean {
  return VERSION.test(text);
}

export function isAgentPlatform(text: string): text is AgentPlatform {
  return (AGENT_PLATFORMS as readonly string[]).includes(text);
}

/** 1.10.0 > 1.9.3: numeric, part by part. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export class AgentBundleStore {
  constructor(private readonly dir: string) {}

  /** The bundle of `version` for `platform`, when it exists and its manifest is sound. */
  async get(version: string, platform: string): Promise<BundleInfo | undefined> {
    if (!isAgentVersion(version) || !isAgentPlatform(platform)) return undefined;
    const base = join(this.dir, version, platform);
    try {
      const manifest = JSON.parse(await readFile(join(base, 'manifest.json'), 'utf8')) as {
        sha256?: unknown;
      };
      const path = join(base, BUNDLE_FILE);
      const size = (await stat(path)).size;
      if (typeof manifest.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(manifest.sha256)) {
        return undefined;
      }
      return { version, platform, sha256: manifest.sha256, size, path };
    } catch {
      return undefined;
    }
  }

  /** The newest version with at least one bundle, or undefined when there is none. */
  async latest(): Promise<AgentRelease | undefined> {
    let versions: string[];
    try {
      versions = (await readdir(this.dir)).filter(isAgentVersion).sort(compareVersions).reverse();
    } catch {
      return undefined;
    }
    for (const version of versions) {
      const bundles: Partial<Record<AgentPlatform, BundleInfo>> = {};
      for (const platform of AGENT_PLATFORMS) {
        const bundle = await this.get(version, platform);
        if (bundle !== undefined) bundles[platform] = bundle;
      }
      if (Object.keys(bundles).length > 0) return { version, bundles };
    }
    return undefined;
  }
}
