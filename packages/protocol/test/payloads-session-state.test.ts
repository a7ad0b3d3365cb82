// agent_session_state (ssm-wire §4.3): the agent's Connected / Terminating notice.

import {
  encodeAgentSessionState,
  parseAgentSessionState,
  SessionState,
  type SessionState as SessionStateName,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  text,
  utf8,
  WRONG,
} from './payloads-helpers.js';

// The shape of §4.3, as the agent's Go struct writes it.
const CONNECTED =
  '{"SchemaVersion":1,"SessionState":"Connected","SessionId":"x-0a1b2c3d4e5f67890"}';

describe('AgentSessionStateContent', () => {
  it('parses and encodes the agent payload byte for byte', () => {
    const value = {
      schemaVersion: 1,
      sessionState: SessionState.Connected,
      sessionId: 'x-0a1b2c3d4e5f67890',
    };
    expect(parseAgentSessionState(utf8(CONNECTED))).toEqual(value);
    expect(
      text(
        encodeAgentSessionState({ sessionState: 'Connected', sessionId: 'x-0a1b2c3d4e5f67890' }),
      ),
    ).toBe(CONNECTED);
  });

  it('round-trips both states', () => {
    for (const sessionState of Object.values(SessionState)) {
      const value = { schemaVersion: 1, sessionState, sessionId: 'sid' };
      expect(parseAgentSessionState(encodeAgentSessionState(value))).toEqual(value);
    }
  });

  it('enforces every field', () => {
    expectFieldsEnforced((json) => parseAgentSessionState(utf8(json)), JSON.parse(CONNECTED), [
      { key: 'SchemaVersion', wrong: WRONG.integer },
      { key: 'SessionState', wrong: [...WRONG.string, 'connected', 'Terminated', ''] },
      { key: 'SessionId', wrong: WRONG.string },
    ]);
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAgentSessionState(bytes));
  });

  it('refuses to encode unknown states', () => {
    expect(() =>
      encodeAgentSessionState({ sessionState: 'Gone' as SessionStateName, sessionId: 's' }),
    ).toThrow(RangeError);
    expect(() =>
      encodeAgentSessionState({ sessionState: 'Connected', sessionId: 's', schemaVersion: -1 }),
    ).toThrow(RangeError);
  });
});
