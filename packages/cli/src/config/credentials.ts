// Who the CLI signs as: AWS's default credential chain (environment keys, the shared credentials
// and config files, SSO, credential_process, web identity, container and instance roles), with
// AWS CLI's precedence between environment keys and a profile.

import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Env } from '../host/host.js';
import type { CliConfig } from './cli-config.js';

/** The SDK's credential provider type, named through the package we depend on. */
export type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

export function createCredentialProvider(config: CliConfig, env: Env): CredentialProvider {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  // AWS's CLI lets environment keys win over AWS_PROFILE and loses to --profile only; the JS SDK
  // prefers AWS_PROFILE. Users' habits come from the CLI, so decide here and hand the SDK a
  // profile only when one should be used.
  if (config.profileSource !== 'flag' && accessKeyId && secretAccessKey) {
    const sessionToken = env['AWS_SESSION_TOKEN'];
    const identity: Credentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    };
    return () => Promise.resolve(identity);
  }
  return fromNodeProviderChain({
    profile: config.profile,
    filepath: config.credentialsFile,
    configFilepath: config.configFile,
  });
}
