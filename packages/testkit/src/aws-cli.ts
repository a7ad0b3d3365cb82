// Runs Debian's AWS CLI v2 (/usr/bin/aws) against a test server, isolated from the user's own
// AWS configuration: credentials only from the environment, one attempt, no pager.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Credentials } from './signed-fetch.js';
import type { TestServer } from './test-server.js';

const execFileAsync = promisify(execFile);

export const AWS_CLI = '/usr/bin/aws';

export interface AwsCliOptions {
  /** Default: the server's administrator. */
  readonly credentials?: Credentials;
  /** Directories searched before /usr/bin:/bin (a session-manager-plugin, for instance). */
  readonly pathPrefix?: string;
  /** HOME for the CLI (its cache); default the server's data directory. */
  readonly home?: string;
}

/** `aws --endpoint-url <server> --region <region> --output json <args…>`; rejects on failure. */
export function runAwsCli(
  server: TestServer,
  args: readonly string[],
  options: AwsCliOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const credentials: Credentials = options.credentials ?? server.adminCredentials;
  return execFileAsync(
    AWS_CLI,
    ['--endpoint-url', server.url, '--region', server.region, '--output', 'json', ...args],
    {
      env: {
        PATH: `${options.pathPrefix === undefined ? '' : `${options.pathPrefix}:`}/usr/bin:/bin`,
        HOME: options.home ?? server.dataDir,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...(credentials.sessionToken === undefined
          ? {}
          : { AWS_SESSION_TOKEN: credentials.sessionToken }),
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
        AWS_PAGER: '',
      },
      timeout: 30_000,
    },
  );
}
