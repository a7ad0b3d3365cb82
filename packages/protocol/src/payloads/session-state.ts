// The `agent_session_state` payload (ssm-wire §4.3): the agent tells MGS its data channel is
// Connected, or that the session is Terminating.

import { JsonObjectReader, parseJsonBytes } from '../json-shape.js';
import { assertInteger, assertOneOf, encodeJson, UINT32_MAX } from './encode-checks.js';
import { SMALL_PAYLOAD_MAX_BYTES } from './limits.js';

export const SessionState = {
  Connected: 'Connected',
  Terminating: 'Terminating',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

export interface AgentSessionStateContent {
  readonly schemaVersion: number;
  readonly sessionState: SessionState;
  readonly sessionId: string;
}

const WHAT = 'AgentSessionState';
const STATES = Object.values(SessionState);

export function encodeAgentSessionState(
  value: Omit<AgentSessionStateContent, 'schemaVersion'> & { readonly schemaVersion?: number },
): Uint8Array {
  const schemaVersion = value.schemaVersion ?? 1;
  assertInteger(schemaVersion, 0, UINT32_MAX, 'schemaVersion');
  assertOneOf(value.sessionState, STATES, 'sessionState');
  return encodeJson(
    { SchemaVersion: schemaVersion, SessionState: value.sessionState, SessionId: value.sessionId },
    SMALL_PAYLOAD_MAX_BYTES,
    WHAT,
  );
}

export function parseAgentSessionState(bytes: Uint8Array): AgentSessionStateContent {
  const reader = JsonObjectReader.from(parseJsonBytes(bytes, WHAT, SMALL_PAYLOAD_MAX_BYTES), WHAT);
  return {
    schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX),
    sessionState: reader.oneOf('SessionState', STATES),
    sessionId: reader.string('SessionId'),
  };
}
