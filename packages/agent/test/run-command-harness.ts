// Run Command from the server's side of the wire, for agent tests over the fake gateway: the
// SendCommand payload a server puts in agent_job (AWS-RunShellScript, schema 1.2, as AWS
// publishes it), and readers for what comes back — final replies, output chunks reassembled.

import { randomUUID, createHash } from 'node:crypto';
import {
  createAgentJobId,
  encodeCancelCommandContent,
  encodeSendCommandContent,
  type JsonObject,
} from '@openssm/protocol';
import type { FakeGateway, ReceivedJobReply } from './fake-gateway.js';

export const RUN_SHELL_SCRIPT_DOCUMENT: JsonObject = {
  schemaVersion: '1.2',
  description: 'Run a shell script or specify the commands to run.',
  parameters: {
    commands: { type: 'StringList', description: '(Required) commands', minItems: 1 },
    workingDirectory: { type: 'String', default: '', description: '(Optional) directory' },
    executionTimeout: { type: 'String', default: '3600', description: '(Optional) seconds' },
  },
  runtimeConfig: {
    'aws:runShellScript': {
      properties: [
        {
          id: '0.aws:runShellScript',
          runCommand: '{{ commands }}',
          workingDirectory: '{{ workingDirectory }}',
          timeoutSeconds: '{{ executionTimeout }}',
        },
      ],
    },
  },
};

export const PLUGIN_ID = 'aws:runShellScript';

export interface SentCommand {
  readonly commandId: string;
  readonly jobId: string;
  readonly content: string;
  readonly messageId: string;
}

/** The Content of an agent_job for AWS-RunShellScript with these commands. */
export function runShellScriptContent(
  commandId: string,
  commands: string[],
  parameters: Record<string, string> = {},
): string {
  return encodeSendCommandContent({
    CommandId: commandId,
    DocumentName: 'AWS-RunShellScript',
    DocumentContent: RUN_SHELL_SCRIPT_DOCUMENT,
    Parameters: { commands, ...parameters },
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    CloudWatchLogGroupName: '',
    CloudWatchOutputEnabled: 'false',
  });
}

/** Sends AWS-RunShellScript to the node as a server would. */
export function sendRunShellScript(
  gateway: FakeGateway,
  instanceId: string,
  commands: string[],
  parameters: Record<string, string> = {},
): SentCommand {
  const commandId = randomUUID();
  const jobId = createAgentJobId(commandId, instanceId);
  const content = runShellScriptContent(commandId, commands, parameters);
  const messageId = gateway.sendAgentJob(jobId, content);
  return { commandId, jobId, content, messageId };
}

/** Sends CancelCommand for `target`; returns the cancel job's id. */
export function sendCancel(gateway: FakeGateway, instanceId: string, target: SentCommand): string {
  const jobId = createAgentJobId(randomUUID(), instanceId);
  gateway.sendAgentJob(
    jobId,
    encodeCancelCommandContent({ cancelMessageId: target.jobId }),
    'aws.ssm.cancelCommand.test',
  );
  return jobId;
}

/** The job's replies with a final documentStatus, one per MessageId (the server dedupes so). */
export function finalReplies(gateway: FakeGateway, jobId: string): ReceivedJobReply[] {
  const unique = new Map<string, ReceivedJobReply>();
  for (const reply of gateway.jobReplies('aws.ssm.sendCommand')) {
    if (reply.jobId === jobId && reply.content['documentStatus'] !== 'InProgress') {
      unique.set(reply.messageId, reply);
    }
  }
  return [...unique.values()];
}

export interface PluginStatusView {
  readonly status: string;
  readonly code: number;
  readonly output: string;
  readonly standardOutput: string;
  readonly standardError: string;
}

/** `runtimeStatus[pluginId]` of a reply. */
export function pluginStatus(reply: ReceivedJobReply, pluginId = PLUGIN_ID): PluginStatusView {
  const runtimeStatus = reply.content['runtimeStatus'] as Record<string, PluginStatusView>;
  return runtimeStatus[pluginId]!;
}

/**
 * A stream put together from the output chunks received (deduplicated by offset), checked
 * against the size and SHA-256 the chunks announce; undefined while incomplete.
 */
export function uploadedOutput(
  gateway: FakeGateway,
  commandId: string,
  stream: 'stdout' | 'stderr',
  pluginId = PLUGIN_ID,
): Buffer | undefined {
  const chunks = new Map<number, Buffer>();
  let total: number | undefined;
  let digest: string | undefined;
  for (const reply of gateway.jobReplies('openssm.commandOutput')) {
    const chunk = reply.content as {
      commandId: string;
      pluginId: string;
      stream: string;
      offset: number;
      totalBytes: number;
      sha256: string;
      data: string;
    };
    if (chunk.commandId !== commandId || chunk.pluginId !== pluginId || chunk.stream !== stream) {
      continue;
    }
    chunks.set(chunk.offset, Buffer.from(chunk.data, 'base64'));
    total = chunk.totalBytes;
    digest = chunk.sha256;
  }
  if (total === undefined) return undefined;
  const whole = Buffer.concat([...chunks].sort(([a], [b]) => a - b).map(([, data]) => data));
  if (whole.length !== total) return undefined;
  if (createHash('sha256').update(whole).digest('hex') !== digest) {
    throw new Error(`uploaded ${stream} does not match its announced SHA-256`);
  }
  return whole;
}
