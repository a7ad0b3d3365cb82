// The AgentMessage header as data: one row per field in wire order (ssm-wire §4.2). The codec
// reads offsets from here and a test recomputes every offset from the lengths, because AWS's
// own comments disagree with its constants.

export const AGENT_MESSAGE_LAYOUT = [
  { field: 'headerLength', offset: 0, length: 4 },
  { field: 'messageType', offset: 4, length: 32 },
  { field: 'schemaVersion', offset: 36, length: 4 },
  { field: 'createdDate', offset: 40, length: 8 },
  { field: 'sequenceNumber', offset: 48, length: 8 },
  { field: 'flags', offset: 56, length: 8 },
  { field: 'messageId', offset: 64, length: 16 },
  { field: 'payloadDigest', offset: 80, length: 32 },
  { field: 'payloadType', offset: 112, length: 4 },
  { field: 'payloadLength', offset: 116, length: 4 },
] as const;

export type AgentMessageField = (typeof AGENT_MESSAGE_LAYOUT)[number]['field'];

type FieldRow = (typeof AGENT_MESSAGE_LAYOUT)[number];

/** Field rows by name, for readable offsets in the codec. */
export const FIELD = Object.fromEntries(AGENT_MESSAGE_LAYOUT.map((row) => [row.field, row])) as {
  readonly [F in AgentMessageField]: Extract<FieldRow, { field: F }>;
};

/** The value both AWS writers put in HeaderLength: the offset of PayloadLength. */
export const HEADER_LENGTH = FIELD.payloadLength.offset;
/** Where the payload starts in a message we write (HeaderLength + 4). */
export const PAYLOAD_OFFSET = HEADER_LENGTH + FIELD.payloadLength.length;
/** Default ceiling for a payload we accept; checked before anything is allocated for it. */
export const DEFAULT_MAX_PAYLOAD_LENGTH = 1024 * 1024;
