// The AgentMessages the agent itself writes outside the data-channel engine: control-channel
// messages (agent_task_complete: sequence 0, flags 0, as AWS's agent) and agent_session_state on
// a data channel (sequence 0, flags SYN|FIN, as AWS's datachannel.go), plus the engine's Node
// environment.

import { hash, randomUUID } from 'node:crypto';
import type { Environment } from '@openssm/channel';
import {
  MessageFlags,
  MessageType,
  PayloadType,
  encodeAgentMessage,
  encodeAgentSessionState,
  type SessionState,
} from '@openssm/protocol';

export function sha256(data: Uint8Array): Uint8Array {
  // One-shot hash(): half the cost of createHash() for a 1 KiB message, and no copy.
  return hash('sha256', data, 'buffer');
}

/** Real time, node:crypto hashing and UUIDs for DataChannel and AgentHandshake. */
export const nodeEnvironment: Environment = {
  clock: {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
  sha256,
  randomUUID: () => randomUUID(),
};

/** A control-channel message from the agent. */
export function encodeControlMessage(
  messageType: MessageType,
  payload: Uint8Array,
  messageId: string = randomUUID(),
  now: number = Date.now(),
): Uint8Array {
  return encodeAgentMessage(
    {
      messageType,
      schemaVersion: 1,
      createdDate: now,
      sequenceNumber: 0,
      flags: MessageFlags.None,
      messageId,
      payloadType: PayloadType.None,
      payload,
    },
    sha256,
  );
}

/** agent_session_state for a data channel: Connected after it opened, Terminating at the end. */
export function encodeSessionStateMessage(
  sessionId: string,
  sessionState: SessionState,
  now: number = Date.now(),
): Uint8Array {
  return encodeAgentMessage(
    {
      messageType: MessageType.AgentSessionState,
      schemaVersion: 1,
      createdDate: now,
      sequenceNumber: 0,
      flags: MessageFlags.SynFin,
      messageId: randomUUID(),
      payloadType: PayloadType.None,
      payload: encodeAgentSessionState({ sessionState, sessionId }),
    },
    sha256,
  );
}
