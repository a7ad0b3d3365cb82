// Creates the SSM API client from the resolved configuration: region, endpoint (an OpenSSM server
// or AWS), credentials and the trusted CAs. The only place that constructs an SSMClient.

import { Agent } from 'node:https';
import { SSMClient } from '@aws-sdk/client-ssm';
import { loadCaCertificates } from '../config/ca-bundle.js';
import { resolveCliConfig, type CliConfig, type CliFlags } from '../config/cli-config.js';
import { createCredentialProvider } from '../config/credentials.js';
import { readTextIfExists } from '../config/read-text.js';
import type { Host } from '../host/host.js';

export interface ApiContext {
  readonly config: CliConfig;
  readonly client: SSMClient;
  /** The CAs to trust for the data-channel WebSocket too; undefined keeps Node's defaults. */
  readonly ca: string[] | undefined;
}

/** Creates an SSMClient; tests replace this to talk to a fake endpoint without real files. */
export type ApiFactory = (flags: CliFlags, host: Host) => ApiContext;

export const createApiContext: ApiFactory = (flags, host) => {
  const config = resolveCliConfig(flags, host.env, host.homeDir, readTextIfExists);
  const ca = loadCaCertificates(config, host.env, readTextIfExists);
  const client = new SSMClient({
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    credentials: createCredentialProvider(config, host.env),
    // AWS's CLI makes 3 attempts for throttling and 5xx (ssm-wire §12.3); so do we.
    maxAttempts: 3,
    ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new Agent({ ca }) } }),
  });
  return { config, client, ca };
};
