// The `acknowledge` payload (AcknowledgeContent, ssm-wire §4.6), with OpenSSM's optional
// cumulative-ack extension that only two OpenSSM ends exchange.

import { JsonObjectReader, parseJsonBytes } from '../json-shape.js';
import { isValidMessageTypeText } from '../agent-message.js';
import { isUuid } from '../uuid.js';
import { assertInteger, assertUuid, encodeJson } from './encode-checks.js';
import { SMALL_PAYLOAD_MAX_BYTES } from './limits.js';

export interface AcknowledgeContent {
  /** MessageType of the acknowledged message, e.g. `output_stream_data`. */
  readonly acknowledgedMessageType: string;
  /** Its MessageId as UUID text (AWS peers match on the sequence number, not on this). */
  readonly acknowledgedMessageId: string;
  readonly acknowledgedSequenceNumber: number;
  readonly isSequentialMessage: boolean;
  /**
   * OpenSSM extension (`OpenSSMCumulative`): true means every message up to and including this
   * sequence number has arrived in order. AWS peers ignore the unknown key; sent only when set.
   */
  readonly openSsmCumulative?: boolean;
}

const WHAT = 'AcknowledgeContent';

/** The acknowledgement AWS's endpoints send for a received stream message. */
export function createAcknowledgeContent(message: {
  readonly messageType: string;
  readonly messageId: string;
  readonly sequenceNumber: number;
}): AcknowledgeContent {
  return {
    acknowledgedMessageType: message.messageType,
    acknowledgedMessageId: message.messageId,
    acknowledgedSequenceNumber: message.sequenceNumber,
    isSequentialMessage: true,
  };
}

export function encodeAcknowledgeContent(value: AcknowledgeContent): Uint8Array {
  if (!isValidMessageTypeText(value.acknowledgedMessageType)) {
    throw new RangeError(
      `acknowledgedMessageType ${JSON.stringify(value.acknowledgedMessageType)}`,
    );
  }
  assertUuid(value.acknowledgedMessageId, 'acknowledgedMessageId');
  assertInteger(
    value.acknowledgedSequenceNumber,
    0,
    Number.MAX_SAFE_INTEGER,
    'acknowledgedSequenceNumber',
  );
  return encodeJson(
    {
      AcknowledgedMessageType: value.acknowledgedMessageType,
      AcknowledgedMessageId: value.acknowledgedMessageId,
      AcknowledgedMessageSequenceNumber: value.acknowledgedSequenceNumber,
      IsSequentialMessage: value.isSequentialMessage,
      ...(value.openSsmCumulative === undefined
        ? {}
        : { OpenSSMCumulative: value.openSsmCumulative }),
    },
    SMALL_PAYLOAD_MAX_BYTES,
    WHAT,
  );
}

export function parseAcknowledgeContent(bytes: Uint8Array): AcknowledgeContent {
  const reader = JsonObjectReader.from(parseJsonBytes(bytes, WHAT, SMALL_PAYLOAD_MAX_BYTES), WHAT);
  const acknowledgedMessageType = reader.string('AcknowledgedMessageType');
  if (!isValidMessageTypeText(acknowledgedMessageType)) {
    throw reader.fail('AcknowledgedMessageType', 'must be 1-32 printable ASCII characters');
  }
  const acknowledgedMessageId = reader.string('AcknowledgedMessageId');
  if (!isUuid(acknowledgedMessageId)) throw reader.fail('AcknowledgedMessageId', 'must be a UUID');
  const acknowledgedSequenceNumber = reader.integer(
    'AcknowledgedMessageSequenceNumber',
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const isSequentialMessage = reader.boolean('IsSequentialMessage');
  const openSsmCumulative = reader.optionalBoolean('OpenSSMCumulative');
  return {
    acknowledgedMessageType,
    acknowledgedMessageId,
    acknowledgedSequenceNumber,
    isSequentialMessage,
    ...(openSsmCumulative === undefined ? {} : { openSsmCumulative }),
  };
}
