// Resolves where the CLI and the plugin send API calls and as whom, the way AWS's tools do:
// flags beat environment variables, which beat the profile in ~/.aws/config, which beats the
// default. The only module (with credentials.ts) that reads the environment; the result is frozen.

import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Env } from '../host/host.js';
import { configProfileSection, parseIni, type IniSections } from './ini-file.js';

export const DEFAULT_REGION = 'us-east-1';

export interface CliFlags {
  readonly endpointUrl?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

export interface CliConfig {
  /** Undefined: the SDK's own endpoint for the region (real AWS). */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly profile: string;
  /**
   * Where the profile name came from. Like AWS's CLI, only `--profile` beats the
   * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair; AWS_PROFILE does not.
   */
  readonly profileSource: 'flag' | 'environment' | 'default';
  readonly credentialsFile: string;
  readonly configFile: string;
  /** A PEM bundle to trust for HTTPS and WSS (AWS_CA_BUNDLE or the profile's `ca_bundle`). */
  readonly caBundleFile: string | undefined;
}

/** Reads a file as UTF-8, undefined when it does not exist. */
export type ReadText = (path: string) => string | undefined;

export function resolveCliConfig(
  flags: CliFlags,
  env: Env,
  homeDir: string,
  readText: ReadText,
): CliConfig {
  const fromFlag = nonEmpty(flags.profile);
  const fromEnv = nonEmpty(env['AWS_PROFILE']) ?? nonEmpty(env['AWS_DEFAULT_PROFILE']);
  const profile = fromFlag ?? fromEnv ?? 'default';
  const profileSource =
    fromFlag !== undefined ? 'flag' : fromEnv !== undefined ? 'environment' : 'default';
  const credentialsFile =
    nonEmpty(env['AWS_SHARED_CREDENTIALS_FILE']) ?? join(homeDir, '.aws', 'credentials');
  const configFile = nonEmpty(env['AWS_CONFIG_FILE']) ?? join(homeDir, '.aws', 'config');
  const configSections = readIni(readText, configFile);
  const profileSettings = configProfileSection(configSections, profile);
  if (profileSource !== 'default' && profileSettings === undefined) {
    // A typo in --profile must not silently fall back to other credentials.
    const credentialSections = readIni(readText, credentialsFile);
    if (!credentialSections.has(profile)) {
      throw new UsageError(
        `the profile "${profile}" is in neither ${credentialsFile} nor ${configFile}`,
      );
    }
  }
  const endpoint =
    nonEmpty(flags.endpointUrl) ??
    nonEmpty(env['OPENSSM_ENDPOINT']) ??
    nonEmpty(env['AWS_ENDPOINT_URL_SSM']) ??
    nonEmpty(env['AWS_ENDPOINT_URL']) ??
    nonEmpty(profileSettings?.get('endpoint_url'));
  if (endpoint !== undefined) assertEndpoint(endpoint);
  const region =
    nonEmpty(flags.region) ??
    nonEmpty(env['AWS_REGION']) ??
    nonEmpty(env['AWS_DEFAULT_REGION']) ??
    nonEmpty(profileSettings?.get('region')) ??
    DEFAULT_REGION;
  const caBundleFile =
    nonEmpty(env['AWS_CA_BUNDLE']) ?? nonEmpty(profileSettings?.get('ca_bundle'));
  return Object.freeze({
    endpoint,
    region,
    profile,
    profileSource,
    credentialsFile,
    configFile,
    caBundleFile,
  });
}

function readIni(readText: ReadText, path: string): IniSections {
  const text = readText(path);
  return text === undefined ? new Map() : parseIni(text);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function assertEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`the endpoint "${endpoint}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`the endpoint "${endpoint}" must start with https:// or http://`);
  }
}
