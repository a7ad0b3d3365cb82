// Names of every AgentMessage MessageType and stream PayloadType (ssm-wire §4.3, §4.4), with the
// header flag bits and the Flag payload values. `as const` objects so they cross package borders
// as plain strings and numbers.

export const MessageType = {
  InputStreamData: 'input_stream_data',
  OutputStreamData: 'output_stream_data',
  Acknowledge: 'acknowledge',
  ChannelClosed: 'channel_closed',
  StartPublication: 'start_publication',
  PausePublication: 'pause_publication',
  AgentSessionState: 'agent_session_state',
  InteractiveShell: 'interactive_shell',
  AgentTaskComplete: 'agent_task_complete',
  AgentTaskAcknowledge: 'agent_task_acknowledge',
  AgentTaskReply: 'agent_task_reply',
  AgentJob: 'agent_job',
  AgentJobAck: 'agent_job_ack',
  AgentJobReply: 'agent_job_reply',
  AgentJobReplyAck: 'agent_job_reply_ack',
  AgentTelemetry: 'agent_telemetry',
  AgentUpdateResult: 'agent_update_result',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const PayloadType = {
  /** Not a stream payload: acknowledge, channel_closed and control-channel messages. */
  None: 0,
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];

/** Header Flags bits (§4.5). */
export const MessageFlags = {
  None: 0,
  Syn: 1,
  Fin: 2,
  /** What acknowledge, channel_closed and agent_session_state carry on a data channel. */
  SynFin: 3,
} as const;

/** Values of a PayloadType 10 (Flag) payload (§4.10). */
export const PayloadFlag = {
  DisconnectToPort: 1,
  TerminateSession: 2,
  ConnectToPortError: 3,
} as const;
export type PayloadFlag = (typeof PayloadFlag)[keyof typeof PayloadFlag];

/** Handshake and encryption-challenge payloads: acknowledged before they are handled (§4.6). */
export function isHandshakePayloadType(payloadType: number): boolean {
  return (
    payloadType >= PayloadType.HandshakeRequest && payloadType <= PayloadType.EncChallengeResponse
  );
}
