// The first WebSocket text frame of each channel (ssm-wire §4.1, §6.3): OpenDataChannel from the
// client (plugin) or the agent, and OpenControlChannel from the agent. Text, not AgentMessages.

import { JsonObjectReader, parseJsonText } from '../json-shape.js';
import { assertNonEmpty, encodeJsonText } from './encode-checks.js';
import { OPEN_CHANNEL_TEXT_MAX_LENGTH } from './limits.js';

/** The only MessageSchemaVersion AWS's endpoints send. */
export const OPEN_CHANNEL_SCHEMA_VERSION = '1.0';

/** OpenDataChannel from a client (session-manager-plugin or OpenSSM's CLI). */
export interface ClientOpenDataChannel {
  readonly messageSchemaVersion: string;
  /** A fresh UUID per (re)connect. */
  readonly requestId: string;
  /** The session token from StartSession / ResumeSession. */
  readonly tokenValue: string;
  /** Stable for the client process across reconnects. */
  readonly clientId: string;
  /** Absent from plugins older than the `ClientVersion` release. */
  readonly clientVersion?: string;
}

/** OpenDataChannel from an agent (recognised by its `ClientInstanceId`). */
export interface AgentOpenDataChannel {
  readonly messageSchemaVersion: string;
  readonly requestId: string;
  /** The token from CreateDataChannel. */
  readonly tokenValue: string;
  /** The instance id, e.g. `i-0123456789abcdef0` or `mi-…`. */
  readonly clientInstanceId: string;
  /** AWS's agent sends "" here. */
  readonly clientId: string;
}

export interface OpenControlChannel {
  /** Nullable and never set by AWS's agent. */
  readonly cookie: string | null;
  readonly messageSchemaVersion: string;
  readonly requestId: string;
  /** The token from CreateControlChannel. */
  readonly tokenValue: string;
  readonly agentVersion: string;
  /** `linux`, `windows`, `macos`. */
  readonly platformType: string;
}

type WithOptionalSchema<T extends { readonly messageSchemaVersion: string }> = Omit<
  T,
  'messageSchemaVersion'
> & { readonly messageSchemaVersion?: string };

const CLIENT = 'OpenDataChannel';
const AGENT = 'AgentOpenDataChannel';
const CONTROL = 'OpenControlChannel';

export function encodeClientOpenDataChannel(
  value: WithOptionalSchema<ClientOpenDataChannel>,
): string {
  return encodeText(value, CLIENT, {
    MessageSchemaVersion: value.messageSchemaVersion ?? OPEN_CHANNEL_SCHEMA_VERSION,
    RequestId: value.requestId,
    TokenValue: value.tokenValue,
    ClientId: value.clientId,
    ...(value.clientVersion === undefined ? {} : { ClientVersion: value.clientVersion }),
  });
}

export function parseClientOpenDataChannel(text: string): ClientOpenDataChannel {
  return readClient(read(text, CLIENT));
}

export function encodeAgentOpenDataChannel(
  value: WithOptionalSchema<AgentOpenDataChannel>,
): string {
  assertNonEmpty(value.clientInstanceId, 'clientInstanceId');
  return encodeText(value, AGENT, {
    MessageSchemaVersion: value.messageSchemaVersion ?? OPEN_CHANNEL_SCHEMA_VERSION,
    RequestId: value.requestId,
    TokenValue: value.tokenValue,
    ClientInstanceId: value.clientInstanceId,
    ClientId: value.clientId,
  });
}

export function parseAgentOpenDataChannel(text: string): AgentOpenDataChannel {
  return readAgent(read(text, AGENT));
}

/**
 * Both ends open a data channel at the same URL; the agent's frame is the one with
 * `ClientInstanceId`. Which token it must carry is the caller's check.
 */
export function parseAnyOpenDataChannel(
  text: string,
):
  | { readonly from: 'client'; readonly request: ClientOpenDataChannel }
  | { readonly from: 'agent'; readonly request: AgentOpenDataChannel } {
  const reader = read(text, CLIENT);
  return reader.has('ClientInstanceId')
    ? { from: 'agent', request: readAgent(reader) }
    : { from: 'client', request: readClient(reader) };
}

export function encodeOpenControlChannel(value: WithOptionalSchema<OpenControlChannel>): string {
  return encodeText(value, CONTROL, {
    Cookie: value.cookie,
    MessageSchemaVersion: value.messageSchemaVersion ?? OPEN_CHANNEL_SCHEMA_VERSION,
    RequestId: value.requestId,
    TokenValue: value.tokenValue,
    AgentVersion: value.agentVersion,
    PlatformType: value.platformType,
  });
}

export function parseOpenControlChannel(text: string): OpenControlChannel {
  const reader = read(text, CONTROL);
  return {
    cookie: reader.nullableString('Cookie'),
    messageSchemaVersion: reader.nonEmptyString('MessageSchemaVersion'),
    requestId: reader.nonEmptyString('RequestId'),
    tokenValue: reader.nonEmptyString('TokenValue'),
    agentVersion: reader.string('AgentVersion'),
    platformType: reader.string('PlatformType'),
  };
}

/** Checks what every frame requires and that the text fits the parser's cap. */
function encodeText(
  value: {
    readonly messageSchemaVersion?: string;
    readonly requestId: string;
    readonly tokenValue: string;
  },
  what: string,
  json: object,
): string {
  if (value.messageSchemaVersion !== undefined) {
    assertNonEmpty(value.messageSchemaVersion, 'messageSchemaVersion');
  }
  assertNonEmpty(value.requestId, 'requestId');
  assertNonEmpty(value.tokenValue, 'tokenValue');
  return encodeJsonText(json, OPEN_CHANNEL_TEXT_MAX_LENGTH, what);
}

function read(text: string, what: string): JsonObjectReader {
  return JsonObjectReader.from(parseJsonText(text, what, OPEN_CHANNEL_TEXT_MAX_LENGTH), what);
}

function readClient(reader: JsonObjectReader): ClientOpenDataChannel {
  const clientVersion = reader.optionalString('ClientVersion');
  return {
    messageSchemaVersion: reader.nonEmptyString('MessageSchemaVersion'),
    requestId: reader.nonEmptyString('RequestId'),
    tokenValue: reader.nonEmptyString('TokenValue'),
    clientId: reader.string('ClientId'),
    ...(clientVersion === undefined ? {} : { clientVersion }),
  };
}

function readAgent(reader: JsonObjectReader): AgentOpenDataChannel {
  return {
    messageSchemaVersion: reader.nonEmptyString('MessageSchemaVersion'),
    requestId: reader.nonEmptyString('RequestId'),
    tokenValue: reader.nonEmptyString('TokenValue'),
    clientInstanceId: reader.nonEmptyString('ClientInstanceId'),
    clientId: reader.string('ClientId'),
  };
}
