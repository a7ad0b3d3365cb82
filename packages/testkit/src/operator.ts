// The operator's side of an end-to-end test: the environment of a shell on the operator's
// machine (the server's administrator credentials, the workspace's bins first on PATH, nothing
// of the user's own AWS configuration) and `openssm` run in it.

import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestServer } from './test-server.js';

const execFileAsync = promisify(execFile);

/** `node_modules/.bin` of the workspace: `openssm`, `openssm-agent`, `session-manager-plugin`. */
export const WORKSPACE_BIN = resolve(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin');

export function operatorEnvironment(server: TestServer, home: string): Record<string, string> {
  return {
    PATH: `${WORKSPACE_BIN}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    TERM: 'xterm-256color',
    AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    AWS_REGION: server.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    OPENSSM_ENDPOINT: server.url,
  };
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `openssm <args>` in `env`; resolves with the exit status instead of rejecting on failure. */
export async function runOpenssm(
  env: Readonly<Record<string, string>>,
  args: readonly string[],
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(join(WORKSPACE_BIN, 'openssm'), args, {
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
