// Session handshake payloads (ssm-wire §4.8, §4.9): HandshakeRequest (PayloadType 5),
// HandshakeResponse (6), HandshakeComplete (7), EncChallengeRequest/Response (8/9), plus
// OpenSSM's own `OpenSSMTransport` action that two OpenSSM ends use to negotiate transport limits.

import {
  type JsonObject,
  type JsonValue,
  JsonObjectReader,
  parseJsonBytes,
} from '../json-shape.js';
import { assertInteger, encodeJson } from './encode-checks.js';
import {
  DOCUMENT_PAYLOAD_MAX_BYTES,
  SMALL_PAYLOAD_MAX_BYTES,
  TEXT_PAYLOAD_MAX_BYTES,
} from './limits.js';

export const HandshakeActionType = {
  SessionType: 'SessionType',
  KMSEncryption: 'KMSEncryption',
  /** OpenSSM extension; AWS's plugin answers it as an unknown action (see below). */
  OpenSSMTransport: 'OpenSSMTransport',
} as const;
export type HandshakeActionType = (typeof HandshakeActionType)[keyof typeof HandshakeActionType];

export const HandshakeActionStatus = {
  Success: 1,
  Failed: 2,
  Unsupported: 3,
} as const;
export type HandshakeActionStatus =
  (typeof HandshakeActionStatus)[keyof typeof HandshakeActionStatus];

/**
 * AWS's plugin answers an action it does not know with ActionStatus left at Go's zero value and
 * ActionResult = 3 (Unsupported) — `processedAction.ActionResult = message.Unsupported` in its
 * streaming.go. Parsers accept it; treat it like Unsupported.
 */
export const AWS_PLUGIN_UNKNOWN_ACTION_STATUS = 0;
export type ReceivedActionStatus = HandshakeActionStatus | typeof AWS_PLUGIN_UNKNOWN_ACTION_STATUS;

/** Session types the agent requests; AWS's plugin answers anything else with Failed. */
export const SessionType = {
  StandardStream: 'Standard_Stream',
  InteractiveCommands: 'InteractiveCommands',
  NonInteractiveCommands: 'NonInteractiveCommands',
  Port: 'Port',
} as const;
export type SessionType = (typeof SessionType)[keyof typeof SessionType];

export interface SessionTypeParameters {
  /** Usually a {@link SessionType}; any string parses (the client decides what it supports). */
  readonly sessionType: string;
  /** The Session document's resolved `properties` (Port), or null. */
  readonly properties: JsonValue;
}

export interface KMSEncryptionParameters {
  readonly kmsKeyId: string;
  /** Base64; sent by current agents, absent from older ones. */
  readonly challenge?: string;
}

/** OpenSSMTransport ActionParameters (the agent's offer) and ActionResult (the client's choice). */
export interface OpenSSMTransportParameters {
  /** Largest stream payload either end may send, in bytes. */
  readonly maxPayloadLength: number;
  /** Most unacknowledged stream messages in flight. */
  readonly windowSize: number;
  /** Whether `OpenSSMCumulative` acknowledgements may be used. */
  readonly cumulativeAcks: boolean;
  /**
   * `SkipPayloadDigest`: both ends leave the payload digest zero and do not check it, because
   * TLS already protects both legs (decision 0012). Offered by an agent whose leg is TLS,
   * accepted by a client whose leg is TLS; absent means false (older ends never send it).
   */
  readonly skipPayloadDigest?: boolean;
}

/**
 * Allowed ranges: 1 KiB is AWS's own chunk size and 16 MiB bounds buffers; a window of a million
 * messages bounds memory.
 */
export const OPENSSM_TRANSPORT_LIMITS = {
  maxPayloadLength: { min: 1024, max: 16 * 1024 * 1024 },
  windowSize: { min: 1, max: 1_000_000 },
} as const;

/** `known` tells the variants apart: a known action type with bad parameters is PayloadInvalid. */
export type RequestedClientAction =
  | {
      readonly known: true;
      readonly actionType: typeof HandshakeActionType.SessionType;
      readonly actionParameters: SessionTypeParameters;
    }
  | {
      readonly known: true;
      readonly actionType: typeof HandshakeActionType.KMSEncryption;
      readonly actionParameters: KMSEncryptionParameters;
    }
  | {
      readonly known: true;
      readonly actionType: typeof HandshakeActionType.OpenSSMTransport;
      readonly actionParameters: OpenSSMTransportParameters;
    }
  | UnknownClientAction;

/** An action type this version does not know; a client answers it Unsupported. */
export interface UnknownClientAction {
  readonly known: false;
  readonly actionType: string;
  readonly actionParameters: JsonValue;
}

export interface HandshakeRequest {
  readonly agentVersion: string;
  readonly requestedClientActions: readonly RequestedClientAction[];
}

export interface ProcessedClientAction {
  readonly actionType: string;
  readonly actionStatus: ReceivedActionStatus;
  /** Any JSON: null, a KMS or OpenSSMTransport result object, or 3 from AWS's plugin. */
  readonly actionResult: JsonValue;
  readonly error: string;
}

export interface HandshakeResponse {
  readonly clientVersion: string;
  readonly processedClientActions: readonly ProcessedClientAction[];
  /** Go's nil slice: null when there were no errors. */
  readonly errors: readonly string[] | null;
}

export interface HandshakeComplete {
  /** Nanoseconds (Go time.Duration). */
  readonly handshakeTimeToComplete: number;
  /** Printed by the plugin on its own line when non-empty. */
  readonly customerMessage: string;
}

/** EncChallengeRequest and EncChallengeResponse share this shape. */
export interface EncChallenge {
  /** Base64 of the encrypted challenge bytes (Go []byte). */
  readonly challenge: string;
}

/** The KMSEncryption ActionResult a client returns on success. */
export interface KMSEncryptionResult {
  /** Base64 of the KMS ciphertext blob. */
  readonly kmsCipherTextKey: string;
  readonly kmsCipherTextHash: string | null;
  /** Newer ends: the client used the random challenge in the encryption context. */
  readonly challengeAcknowledgement?: boolean;
}

const REQUEST = 'HandshakeRequest';
const RESPONSE = 'HandshakeResponse';
const COMPLETE = 'HandshakeComplete';
const KNOWN_ACTION_TYPES: readonly string[] = Object.values(HandshakeActionType);
/** Go's base64.StdEncoding, padded. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ---- HandshakeRequest ------------------------------------------------------------------------

export function encodeHandshakeRequest(value: HandshakeRequest): Uint8Array {
  return encodeJson(
    {
      AgentVersion: value.agentVersion,
      RequestedClientActions: value.requestedClientActions.map((action) => ({
        ActionType: action.actionType,
        ActionParameters: encodeActionParameters(action),
      })),
    },
    DOCUMENT_PAYLOAD_MAX_BYTES,
    REQUEST,
  );
}

function encodeActionParameters(action: RequestedClientAction): JsonValue {
  if (!action.known) {
    if (KNOWN_ACTION_TYPES.includes(action.actionType)) {
      throw new RangeError(`action type ${action.actionType} is known; set known: true`);
    }
    return action.actionParameters;
  }
  switch (action.actionType) {
    case HandshakeActionType.SessionType:
      return {
        SessionType: action.actionParameters.sessionType,
        Properties: action.actionParameters.properties,
      };
    case HandshakeActionType.KMSEncryption: {
      const { kmsKeyId, challenge } = action.actionParameters;
      if (challenge !== undefined) assertBase64(challenge, 'challenge');
      return { KMSKeyId: kmsKeyId, ...(challenge === undefined ? {} : { Challenge: challenge }) };
    }
    case HandshakeActionType.OpenSSMTransport:
      return createOpenSSMTransportResult(action.actionParameters);
  }
}

export function parseHandshakeRequest(bytes: Uint8Array): HandshakeRequest {
  const reader = JsonObjectReader.from(
    parseJsonBytes(bytes, REQUEST, DOCUMENT_PAYLOAD_MAX_BYTES),
    REQUEST,
  );
  return {
    agentVersion: reader.string('AgentVersion'),
    requestedClientActions: reader.objectArray('RequestedClientActions').map(parseRequestedAction),
  };
}

function parseRequestedAction(action: JsonObjectReader): RequestedClientAction {
  const actionType = action.string('ActionType');
  switch (actionType) {
    case HandshakeActionType.SessionType: {
      const parameters = action.object('ActionParameters');
      return {
        known: true,
        actionType,
        actionParameters: {
          sessionType: parameters.string('SessionType'),
          properties: parameters.value('Properties'),
        },
      };
    }
    case HandshakeActionType.KMSEncryption: {
      const parameters = action.object('ActionParameters');
      const challenge = parameters.optionalString('Challenge');
      if (challenge !== undefined && !BASE64_PATTERN.test(challenge)) {
        throw parameters.fail('Challenge', 'must be base64');
      }
      return {
        known: true,
        actionType,
        actionParameters: {
          kmsKeyId: parameters.string('KMSKeyId'),
          ...(challenge === undefined ? {} : { challenge }),
        },
      };
    }
    case HandshakeActionType.OpenSSMTransport:
      return {
        known: true,
        actionType,
        actionParameters: readTransport(action.object('ActionParameters')),
      };
    default:
      return { known: false, actionType, actionParameters: action.value('ActionParameters') };
  }
}

// ---- OpenSSMTransport parameters and result --------------------------------------------------

/** The ActionParameters / ActionResult JSON object for OpenSSMTransport, in wire key order. */
export function createOpenSSMTransportResult(value: OpenSSMTransportParameters): JsonObject {
  const { maxPayloadLength, windowSize } = OPENSSM_TRANSPORT_LIMITS;
  assertInteger(
    value.maxPayloadLength,
    maxPayloadLength.min,
    maxPayloadLength.max,
    'maxPayloadLength',
  );
  assertInteger(value.windowSize, windowSize.min, windowSize.max, 'windowSize');
  return {
    MaxPayloadLength: value.maxPayloadLength,
    WindowSize: value.windowSize,
    CumulativeAcks: value.cumulativeAcks,
    ...(value.skipPayloadDigest === true ? { SkipPayloadDigest: true } : {}),
  };
}

/**
 * Reads the client's OpenSSMTransport ActionResult. With `offered`, also rejects a result that
 * exceeds the offer (larger limits, or cumulative acks that were not offered).
 */
export function parseOpenSSMTransportResult(
  actionResult: JsonValue,
  offered?: OpenSSMTransportParameters,
): OpenSSMTransportParameters {
  const reader = JsonObjectReader.from(actionResult, `${RESPONSE}.OpenSSMTransport.ActionResult`);
  const result = readTransport(reader);
  if (offered !== undefined) {
    if (result.maxPayloadLength > offered.maxPayloadLength) {
      throw reader.fail('MaxPayloadLength', `exceeds the offered ${offered.maxPayloadLength}`);
    }
    if (result.windowSize > offered.windowSize) {
      throw reader.fail('WindowSize', `exceeds the offered ${offered.windowSize}`);
    }
    if (result.cumulativeAcks && !offered.cumulativeAcks) {
      throw reader.fail('CumulativeAcks', 'is true but was not offered');
    }
    if (result.skipPayloadDigest === true && offered.skipPayloadDigest !== true) {
      throw reader.fail('SkipPayloadDigest', 'is true but was not offered');
    }
  }
  return result;
}

function readTransport(reader: JsonObjectReader): OpenSSMTransportParameters {
  const { maxPayloadLength, windowSize } = OPENSSM_TRANSPORT_LIMITS;
  return {
    maxPayloadLength: reader.integer(
      'MaxPayloadLength',
      maxPayloadLength.min,
      maxPayloadLength.max,
    ),
    windowSize: reader.integer('WindowSize', windowSize.min, windowSize.max),
    cumulativeAcks: reader.boolean('CumulativeAcks'),
    ...(reader.optionalBoolean('SkipPayloadDigest') === true ? { skipPayloadDigest: true } : {}),
  };
}

// ---- KMSEncryption result --------------------------------------------------------------------

/** The KMSEncryption ActionResult JSON object, in AWS's key order. */
export function createKMSEncryptionResult(value: KMSEncryptionResult): JsonObject {
  assertBase64(value.kmsCipherTextKey, 'kmsCipherTextKey');
  if (value.kmsCipherTextHash !== null) assertBase64(value.kmsCipherTextHash, 'kmsCipherTextHash');
  return {
    KMSCipherTextKey: value.kmsCipherTextKey,
    KMSCipherTextHash: value.kmsCipherTextHash,
    ...(value.challengeAcknowledgement === undefined
      ? {}
      : { ChallengeAcknowledgement: value.challengeAcknowledgement }),
  };
}

export function parseKMSEncryptionResult(actionResult: JsonValue): KMSEncryptionResult {
  const reader = JsonObjectReader.from(actionResult, `${RESPONSE}.KMSEncryption.ActionResult`);
  const kmsCipherTextKey = readBase64(reader, 'KMSCipherTextKey');
  const hash = reader.nullableString('KMSCipherTextHash');
  if (hash !== null && !BASE64_PATTERN.test(hash)) {
    throw reader.fail('KMSCipherTextHash', 'must be base64');
  }
  const challengeAcknowledgement = reader.optionalBoolean('ChallengeAcknowledgement');
  return {
    kmsCipherTextKey,
    kmsCipherTextHash: hash,
    ...(challengeAcknowledgement === undefined ? {} : { challengeAcknowledgement }),
  };
}

// ---- HandshakeResponse -----------------------------------------------------------------------

export function encodeHandshakeResponse(value: HandshakeResponse): Uint8Array {
  return encodeJson(
    {
      ClientVersion: value.clientVersion,
      ProcessedClientActions: value.processedClientActions.map((action) => {
        assertInteger(action.actionStatus, 0, 3, 'actionStatus');
        return {
          ActionType: action.actionType,
          ActionStatus: action.actionStatus,
          ActionResult: action.actionResult,
          Error: action.error,
        };
      }),
      Errors: value.errors,
    },
    DOCUMENT_PAYLOAD_MAX_BYTES,
    RESPONSE,
  );
}

export function parseHandshakeResponse(bytes: Uint8Array): HandshakeResponse {
  const reader = JsonObjectReader.from(
    parseJsonBytes(bytes, RESPONSE, DOCUMENT_PAYLOAD_MAX_BYTES),
    RESPONSE,
  );
  return {
    clientVersion: reader.string('ClientVersion'),
    processedClientActions: reader.objectArray('ProcessedClientActions').map((action) => ({
      actionType: action.string('ActionType'),
      actionStatus: action.integer('ActionStatus', 0, 3) as ReceivedActionStatus,
      actionResult: action.value('ActionResult'),
      error: action.string('Error'),
    })),
    errors: reader.nullableStringArray('Errors'),
  };
}

/** True only for an explicit Success (AWS's agent fails the handshake on anything else). */
export function isActionSuccess(action: ProcessedClientAction): boolean {
  return action.actionStatus === HandshakeActionStatus.Success;
}

// ---- HandshakeComplete -----------------------------------------------------------------------

export function encodeHandshakeComplete(value: HandshakeComplete): Uint8Array {
  assertInteger(
    value.handshakeTimeToComplete,
    0,
    Number.MAX_SAFE_INTEGER,
    'handshakeTimeToComplete',
  );
  return encodeJson(
    {
      HandshakeTimeToComplete: value.handshakeTimeToComplete,
      CustomerMessage: value.customerMessage,
    },
    TEXT_PAYLOAD_MAX_BYTES,
    COMPLETE,
  );
}

export function parseHandshakeComplete(bytes: Uint8Array): HandshakeComplete {
  const reader = JsonObjectReader.from(
    parseJsonBytes(bytes, COMPLETE, TEXT_PAYLOAD_MAX_BYTES),
    COMPLETE,
  );
  return {
    handshakeTimeToComplete: reader.integer('HandshakeTimeToComplete', 0, Number.MAX_SAFE_INTEGER),
    customerMessage: reader.string('CustomerMessage'),
  };
}

// ---- EncChallengeRequest / EncChallengeResponse ----------------------------------------------

export function encodeEncChallengeRequest(value: EncChallenge): Uint8Array {
  return encodeChallenge(value, 'EncChallengeRequest');
}

export function parseEncChallengeRequest(bytes: Uint8Array): EncChallenge {
  return parseChallenge(bytes, 'EncChallengeRequest');
}

export function encodeEncChallengeResponse(value: EncChallenge): Uint8Array {
  return encodeChallenge(value, 'EncChallengeResponse');
}

export function parseEncChallengeResponse(bytes: Uint8Array): EncChallenge {
  return parseChallenge(bytes, 'EncChallengeResponse');
}

function encodeChallenge(value: EncChallenge, what: string): Uint8Array {
  assertBase64(value.challenge, 'challenge');
  return encodeJson({ Challenge: value.challenge }, SMALL_PAYLOAD_MAX_BYTES, what);
}

function parseChallenge(bytes: Uint8Array, what: string): EncChallenge {
  const reader = JsonObjectReader.from(parseJsonBytes(bytes, what, SMALL_PAYLOAD_MAX_BYTES), what);
  return { challenge: readBase64(reader, 'Challenge') };
}

// ---- helpers ---------------------------------------------------------------------------------

function readBase64(reader: JsonObjectReader, key: string): string {
  const value = reader.string(key);
  if (!BASE64_PATTERN.test(value)) throw reader.fail(key, 'must be base64');
  return value;
}

function assertBase64(value: string, name: string): void {
  if (!BASE64_PATTERN.test(value)) throw new RangeError(`${name} must be base64`);
}

/** For callers that validate a base64 field themselves. */
export function isBase64(text: string): boolean {
  return BASE64_PATTERN.test(text);
}
