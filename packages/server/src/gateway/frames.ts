// The messages the gateway itself writes (everything else it relays verbatim): control-channel
// messages to agents, channel_closed and publication messages on data channels.

import { createHash, randomUUID } from 'node:crypto';
import {
  MessageFlags,
  MessageType,
  PayloadType,
  encodeAgentJobPayload,
  encodeAgentJobReplyAck,
  encodeAgentMessage,
  encodeAgentTaskAcknowledge,
  encodeAgentTaskPayload,
  encodeChannelClosed,
  encodeInteractiveShellPayload,
  encodePublicationPayload,
  type AgentTaskPayload,
} from '@openssm/protocol';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/**
 * A message the gateway originates. Data-channel ones (channel_closed, publication) carry
 * sequence 0 and SYN|FIN like AWS's; control-channel ones carry flags 0 (ssm-wire §4.5).
 */
function message(
  messageType: string,
  payload: Uint8Array,
  now: number,
  flags: number,
  messageId: string = randomUUID(),
): Uint8Array {
  return encodeAgentMessage(
    {
      messageType,
      schemaVersion: 1,
      createdDate: now,
      sequenceNumber: 0,
      flags,
      messageId,
      payloadType: PayloadType.None,
      payload,
    },
    sha256,
  );
}

export function interactiveShellMessage(task: AgentTaskPayload, now: number): Uint8Array {
  const payload = encodeInteractiveShellPayload({
    content: encodeAgentTaskPayload(task),
    taskId: task.sessionId,
    topic: 'aws.ssm.startSession',
  });
  return message(MessageType.InteractiveShell, payload, now, MessageFlags.None);
}

export function channelClosedMessage(
  session: { readonly sessionId: string; readonly target: string },
  output: string,
  now: number,
  onControlChannel: boolean,
): Uint8Array {
  const payload = encodeChannelClosed({
    messageId: randomUUID(),
    createdDate: String(now),
    destinationId: session.target,
    sessionId: session.sessionId,
    ...(onControlChannel ? {} : { output }),
  });
  return message(
    MessageType.ChannelClosed,
    payload,
    now,
    onControlChannel ? MessageFlags.None : MessageFlags.SynFin,
  );
}

export function publicationMessage(
  kind: typeof MessageType.StartPublication | typeof MessageType.PausePublication,
  sessionId: string,
  now: number,
): Uint8Array {
  return message(
    kind,
    encodePublicationPayload({ messageType: kind, sessionId }),
    now,
    MessageFlags.SynFin,
  );
}

export function taskAcknowledgeMessage(
  completeMessageId: string,
  taskId: string,
  topic: string,
  now: number,
): Uint8Array {
  const payload = encodeAgentTaskAcknowledge({ messageId: completeMessageId, taskId, topic });
  return message(MessageType.AgentTaskAcknowledge, payload, now, MessageFlags.None);
}

/** agent_job (ssm-wire §6.6) with the MessageId the node's agent_job_ack will name. */
export function agentJobMessage(
  messageId: string,
  job: { readonly jobId: string; readonly topic: string; readonly content: string },
  now: number,
): Uint8Array {
  const payload = encodeAgentJobPayload({
    content: job.content,
    jobId: job.jobId,
    topic: job.topic,
  });
  return message(MessageType.AgentJob, payload, now, MessageFlags.None, messageId);
}

/** agent_job_reply_ack: the reply (or output chunk) `acknowledgedMessageId` is stored. */
export function agentJobReplyAckMessage(
  jobId: string,
  acknowledgedMessageId: string,
  now: number,
): Uint8Array {
  const payload = encodeAgentJobReplyAck({ jobId, acknowledgedMessageId });
  return message(MessageType.AgentJobReplyAck, payload, now, MessageFlags.None);
}
