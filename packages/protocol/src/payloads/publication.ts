// The payload OpenSSM puts in `start_publication` / `pause_publication`. AWS peers ignore it, but
// it must not be empty (ssm-wire §4.2: AWS's agent mishandles empty payloads), so we define one.

import { JsonObjectReader, parseJsonBytes } from '../json-shape.js';
import { MessageType } from '../message-types.js';
import { assertInteger, encodeJson, UINT32_MAX } from './encode-checks.js';
import { SMALL_PAYLOAD_MAX_BYTES } from './limits.js';

export const PublicationMessageType = {
  Start: MessageType.StartPublication,
  Pause: MessageType.PausePublication,
} as const;
export type PublicationMessageType =
  (typeof PublicationMessageType)[keyof typeof PublicationMessageType];

export interface PublicationPayload {
  readonly messageType: PublicationMessageType;
  readonly schemaVersion: number;
  readonly sessionId: string;
}

/**
 * What a parsed payload may hold. Parsing is lenient (nothing is required, an empty payload is
 * accepted, since AWS's MGS defines no content) but each field that is present must be well typed.
 */
export type ReceivedPublicationPayload = Partial<PublicationPayload>;

const WHAT = 'PublicationPayload';
const TYPES = Object.values(PublicationMessageType);

export function encodePublicationPayload(
  value: Omit<PublicationPayload, 'schemaVersion'> & { readonly schemaVersion?: number },
): Uint8Array {
  if (!(TYPES as readonly string[]).includes(value.messageType)) {
    throw new RangeError(`messageType ${JSON.stringify(value.messageType)}`);
  }
  const schemaVersion = value.schemaVersion ?? 1;
  assertInteger(schemaVersion, 0, UINT32_MAX, 'schemaVersion');
  return encodeJson(
    { MessageType: value.messageType, SchemaVersion: schemaVersion, SessionId: value.sessionId },
    SMALL_PAYLOAD_MAX_BYTES,
    WHAT,
  );
}

export function parsePublicationPayload(bytes: Uint8Array): ReceivedPublicationPayload {
  if (bytes.length === 0) return {};
  const reader = JsonObjectReader.from(parseJsonBytes(bytes, WHAT, SMALL_PAYLOAD_MAX_BYTES), WHAT);
  return {
    ...(reader.has('MessageType') ? { messageType: reader.oneOf('MessageType', TYPES) } : {}),
    ...(reader.has('SchemaVersion')
      ? { schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX) }
      : {}),
    ...(reader.has('SessionId') ? { sessionId: reader.string('SessionId') } : {}),
  };
}
