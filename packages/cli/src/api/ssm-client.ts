// Creates the API clients from the resolved configuration: region, endpoint (an OpenSSM server
// or AWS), credentials and the trusted CAs. The only place that constructs SDK clients.

import { Agent } from 'node:https';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { loadCaCertificates } from '../config/ca-bundle.js';
import { resolveCliConfig, type CliConfig, type CliFlags } from '../config/cli-config.js';
import { createCredentialProvider } from '../config/credentials.js';
import { readTextIfExists } from '../config/read-text.js';
import type { Host } from '../host/host.js';
import { createJsonCall, type JsonCall } from './json-api.js';

export interface ApiContext {
  readonly config: CliConfig;
  readonly client: SSMClient;
  /** IAM is global: it is signed for us-east-1 whatever the region, as AWS's tools do. */
  readonly iam: IAMClient;
  readonly sts: STSClient;
  /** The CAs to trust for the data-channel WebSocket too; undefined keeps Node's defaults. */
  readonly ca: string[] | undefined;
  /** Signed JSON 1.1 calls to CloudTrail, CloudWatch Logs and OpenSSM's own operations. */
  readonly json: JsonCall;
}

/** Creates an SSMClient; tests replace this to talk to a fake endpoint without real files. */
export type ApiFactory = (flags: CliFlags, host: Host) => ApiContext;

export const createApiContext: ApiFactory = (flags, host) => {
  const config = resolveCliConfig(flags, host.env, host.homeDir, readTextIfExists);
  const ca = loadCaCertificates(config, host.env, readTextIfExists);
  const shared = {
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    credentials: createCredentialProvider(config, host.env),
    // AWS's CLI makes 3 attempts for throttling and 5xx (ssm-wire §12.3); so do we.
    maxAttempts: 3,
    ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new Agent({ ca }) } }),
  };
  return {
    config,
    client: new SSMClient({ region: config.region, ...shared }),
    iam: new IAMClient({ region: 'us-east-1', ...shared }),
    sts: new STSClient({ region: config.region, ...shared }),
    ca,
    json: createJsonCall({
      endpoint: config.endpoint,
      region: config.region,
      credentials: shared.credentials,
      ca,
    }),
  };
};
