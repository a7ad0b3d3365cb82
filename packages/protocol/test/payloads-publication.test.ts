// start_publication / pause_publication: OpenSSM's small, never-empty payload, parsed leniently
// (AWS defines no content) but with typed fields when present.

import {
  encodePublicationPayload,
  parsePublicationPayload,
  PublicationMessageType,
  SMALL_PAYLOAD_MAX_BYTES,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import { invalid, NOT_A_JSON_OBJECT, text, utf8, WRONG } from './payloads-helpers.js';

describe('PublicationPayload', () => {
  it('encodes a small JSON object with a fixed key order', () => {
    expect(
      text(
        encodePublicationPayload({
          messageType: 'start_publication',
          sessionId: 'x-0a1b2c3d4e5f67890',
        }),
      ),
    ).toBe(
      '{"MessageType":"start_publication","SchemaVersion":1,"SessionId":"x-0a1b2c3d4e5f67890"}',
    );
  });

  it('round-trips both message types', () => {
    for (const messageType of Object.values(PublicationMessageType)) {
      const value = { messageType, schemaVersion: 3, sessionId: 's-1' };
      expect(parsePublicationPayload(encodePublicationPayload(value))).toEqual(value);
    }
  });

  it('is lenient about content: empty payload, empty object, partial objects, unknown keys', () => {
    expect(parsePublicationPayload(new Uint8Array())).toEqual({});
    expect(parsePublicationPayload(utf8('{}'))).toEqual({});
    expect(parsePublicationPayload(utf8('{"SessionId":"s","Foo":1}'))).toEqual({ sessionId: 's' });
    expect(parsePublicationPayload(utf8('{"MessageType":"pause_publication"}'))).toEqual({
      messageType: 'pause_publication',
    });
  });

  it('still rejects present fields of the wrong type, and anything that is not an object', () => {
    for (const wrong of [...WRONG.string, 'acknowledge']) {
      invalid(
        () => parsePublicationPayload(utf8(JSON.stringify({ MessageType: wrong }))),
        'MessageType',
      );
    }
    for (const wrong of WRONG.integer) {
      invalid(
        () => parsePublicationPayload(utf8(JSON.stringify({ SchemaVersion: wrong }))),
        'SchemaVersion',
      );
    }
    for (const wrong of WRONG.string) {
      invalid(
        () => parsePublicationPayload(utf8(JSON.stringify({ SessionId: wrong }))),
        'SessionId',
      );
    }
    for (const [name, bytes] of NOT_A_JSON_OBJECT) {
      if (name !== 'empty') invalid(() => parsePublicationPayload(bytes));
    }
    invalid(
      () => parsePublicationPayload(new Uint8Array(SMALL_PAYLOAD_MAX_BYTES + 1).fill(0x20)),
      'limit',
    );
  });

  it('refuses to encode other message types', () => {
    expect(() =>
      encodePublicationPayload({
        messageType: 'acknowledge' as 'start_publication',
        sessionId: 's',
      }),
    ).toThrow(RangeError);
    expect(() =>
      encodePublicationPayload({
        messageType: 'start_publication',
        sessionId: 's',
        schemaVersion: 1.5,
      }),
    ).toThrow(RangeError);
  });
});
