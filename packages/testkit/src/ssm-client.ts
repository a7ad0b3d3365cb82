// The administrator's SDK client for a test server (trusting its private CA when it serves TLS,
// and never retrying, so a failure shows at once), and Run Command as tests use it: send a
// shell script to one node and wait for its Success.

import { Agent as HttpsAgent } from 'node:https';
import { readFileSync } from 'node:fs';
import {
  GetCommandInvocationCommand,
  SSMClient,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { pollUntil } from './poll-until.js';
import type { TestServer } from './test-server.js';

export function adminSsmClient(server: TestServer): SSMClient {
  const caPath = server.server.selfSignedCa?.path;
  return new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
    ...(caPath === undefined
      ? {}
      : { requestHandler: { httpsAgent: new HttpsAgent({ ca: readFileSync(caPath, 'utf8') }) } }),
  });
}

/** Runs `commands` with AWS-RunShellScript on one node; resolves once the invocation succeeded. */
export async function runShellScriptOn(
  ssm: SSMClient,
  instanceId: string,
  commands: readonly string[],
  timeoutMs = 30_000,
): Promise<GetCommandInvocationCommandOutput> {
  const sent = await ssm.send(
    new SendCommandCommand({
      InstanceIds: [instanceId],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: [...commands] },
    }),
  );
  const commandId = sent.Command!.CommandId!;
  return pollUntil(
    async () => {
      const result = await ssm
        .send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }))
        .catch(() => undefined);
      return result?.Status === 'Success' ? result : undefined;
    },
    () => `${commands.join('; ')} to succeed on ${instanceId}`,
    timeoutMs,
    250,
  );
}
