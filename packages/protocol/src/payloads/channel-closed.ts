// The `channel_closed` payload (ssm-wire §4.11, §6.5): MGS tells a client or agent that a session
// is over. The data-channel form carries `Output`; the control-channel form omits it.

import { JsonObjectReader, parseJsonBytes } from '../json-shape.js';
import { MessageType } from '../message-types.js';
import { assertInteger, encodeJson, UINT32_MAX } from './encode-checks.js';
import { TEXT_PAYLOAD_MAX_BYTES } from './limits.js';

export interface ChannelClosed {
  readonly messageId: string;
  /** A string on the wire; MGS puts epoch milliseconds there (`"1795719696236"`). */
  readonly createdDate: string;
  /** The session's target, e.g. `i-0123456789abcdef0`. */
  readonly destinationId: string;
  readonly sessionId: string;
  readonly schemaVersion: number;
  /** Text the plugin prints when closing; "" when absent (the control-channel form has none). */
  readonly output: string;
}

/** Encoder input: `schemaVersion` defaults to 1; `output` is left out when undefined. */
export type ChannelClosedInit = Omit<ChannelClosed, 'schemaVersion' | 'output'> & {
  readonly schemaVersion?: number;
  readonly output?: string;
};

const WHAT = 'ChannelClosed';

/** Keys in the order of the captured MGS payload (§12.4). */
export function encodeChannelClosed(value: ChannelClosedInit): Uint8Array {
  const schemaVersion = value.schemaVersion ?? 1;
  assertInteger(schemaVersion, 0, UINT32_MAX, 'schemaVersion');
  return encodeJson(
    {
      MessageId: value.messageId,
      CreatedDate: value.createdDate,
      DestinationId: value.destinationId,
      SessionId: value.sessionId,
      MessageType: MessageType.ChannelClosed,
      SchemaVersion: schemaVersion,
      ...(value.output === undefined ? {} : { Output: value.output }),
    },
    TEXT_PAYLOAD_MAX_BYTES,
    WHAT,
  );
}

export function parseChannelClosed(bytes: Uint8Array): ChannelClosed {
  const reader = JsonObjectReader.from(parseJsonBytes(bytes, WHAT, TEXT_PAYLOAD_MAX_BYTES), WHAT);
  reader.literal('MessageType', MessageType.ChannelClosed);
  return {
    messageId: reader.string('MessageId'),
    createdDate: reader.string('CreatedDate'),
    destinationId: reader.string('DestinationId'),
    sessionId: reader.string('SessionId'),
    schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX),
    output: reader.optionalString('Output') ?? '',
  };
}
