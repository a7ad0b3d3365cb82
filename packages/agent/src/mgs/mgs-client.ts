// The agent's side of the Message Gateway contract at the server's one base URL (ssm-wire §6.2,
// §6.3, §4.1): CreateControlChannel / CreateDataChannel (signed POSTs answered 201 with an XML
// token) and the signed WebSocket upgrades for both channels. Tokens are single-use and expire
// quickly, so every (re)connect fetches a fresh one.

import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { AgentError, hasAwsCode } from '../agent-error.js';
import { parseAwsError } from '../api/ssm-client.js';
import type { HttpClient } from '../net/http-client.js';
import { signRequest, type TemporaryCredentials } from '../net/sigv4-signer.js';
import type { CreateConnection } from '../net/tls-policy.js';
import { parseTokenValue } from './token-xml.js';
import { openWebSocket } from './websocket-connection.js';

const SERVICE = 'ssmmessages';
const SCHEMA_VERSION = '1.0';

/**
 * Largest WebSocket message accepted: an AgentMessage header plus the decoder's 1 MiB payload
 * limit (interactive_shell carries whole documents; OpenSSM's data channels carry up to 64 KiB).
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024 + 1024;

export interface MessageGatewayOptions {
  readonly serverUrl: string;
  readonly region: string;
  readonly http: HttpClient;
  readonly tls: CreateConnection | undefined;
  readonly credentials: CredentialSource;
  readonly now?: () => Date;
}

export type ChannelKind = 'control' | 'data';

/** Where signing credentials come from, and where refused ones are reported. */
export interface CredentialSource {
  current(): Promise<TemporaryCredentials>;
  invalidate(credentials: TemporaryCredentials): void;
}

/** AWS codes that mean the signing credentials are no good (they are then dropped). */
const CREDENTIALS_REFUSED = [
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
];

export class MessageGatewayClient {
  private readonly now: () => Date;

  constructor(private readonly options: MessageGatewayOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** True when the channels' WebSockets are wss:// (TLS to the server, through any proxy). */
  get usesTls(): boolean {
    return new URL(this.options.serverUrl).protocol === 'https:';
  }

  /** POST /v1/control-channel/<instanceId> → a fresh control-channel token. */
  createControlChannel(instanceId: string): Promise<string> {
    return this.createChannel('control', instanceId, {
      MessageSchemaVersion: SCHEMA_VERSION,
      RequestId: randomUUID(),
    });
  }

  /** POST /v1/data-channel/<sessionId> → a fresh data-channel token. */
  createDataChannel(sessionId: string): Promise<string> {
    // AWS's agent sends ClientId empty (ssm-wire §4.1).
    return this.createChannel('data', sessionId, {
      MessageSchemaVersion: SCHEMA_VERSION,
      RequestId: randomUUID(),
      ClientId: '',
    });
  }

  /** The control channel's WebSocket, upgrade signed; the caller sends OpenControlChannel. */
  openControlChannel(instanceId: string): Promise<WebSocket> {
    const url = this.channelUrl('control', instanceId, 'ws');
    // Query keys sorted, as AWS's agent builds it.
    url.search = '?role=subscribe&stream=input';
    return this.open(url);
  }

  /** The session's data-channel WebSocket; the caller sends the agent's OpenDataChannel. */
  openDataChannel(sessionId: string): Promise<WebSocket> {
    const url = this.channelUrl('data', sessionId, 'ws');
    url.search = '?role=publish_subscribe';
    return this.open(url);
  }

  private async createChannel(
    kind: ChannelKind,
    id: string,
    request: Record<string, string>,
  ): Promise<string> {
    const url = this.channelUrl(kind, id, 'http');
    const body = JSON.stringify(request);
    const credentials = await this.options.credentials.current();
    const headers = await signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
      credentials,
      this.options.region,
      SERVICE,
      this.now(),
    );
    const operation = kind === 'control' ? 'CreateControlChannel' : 'CreateDataChannel';
    const response = await this.options.http({ method: 'POST', url, headers, body });
    if (response.status !== 201) {
      const text = response.body.toString('utf8');
      // AWS's agent reads the body as the error; MGS's access denial is XML.
      if (text.includes('<AccessDeniedException>')) {
        throw new AgentError('ServerError', `${operation} was denied`, {
          awsCode: 'AccessDeniedException',
          httpStatus: response.status,
        });
      }
      const error = parseAwsError(operation, response);
      if (hasAwsCode(error, ...CREDENTIALS_REFUSED))
        this.options.credentials.invalidate(credentials);
      throw error;
    }
    return parseTokenValue(response.body.toString('utf8'), `${operation}'s answer`);
  }

  private async open(url: URL): Promise<WebSocket> {
    const credentials = await this.options.credentials.current();
    const headers = await signRequest(
      { method: 'GET', url, headers: {} },
      credentials,
      this.options.region,
      SERVICE,
      this.now(),
    );
    try {
      return await openWebSocket({
        url,
        headers,
        tls: this.options.tls,
        maxPayload: MAX_MESSAGE_BYTES,
      });
    } catch (error) {
      // The token travels in the first frame, so a refused upgrade is about the signature.
      if (error instanceof AgentError && (error.httpStatus === 401 || error.httpStatus === 403)) {
        this.options.credentials.invalidate(credentials);
      }
      throw error;
    }
  }

  private channelUrl(kind: ChannelKind, id: string, scheme: 'http' | 'ws'): URL {
    const url = new URL(`/v1/${kind}-channel/${encodePathSegment(id)}`, this.options.serverUrl);
    if (scheme === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url;
  }
}

/**
 * A path segment as AWS's agent sends ids: `@` and `:` are legal in a path (RFC 3986 pchar) and
 * stay literal — session ids carry the caller's name, e.g. `alice@example.com-0a1b…`; anything
 * else outside the unreserved set is percent-encoded.
 */
export function encodePathSegment(id: string): string {
  return encodeURIComponent(id).replace(/%40/g, '@').replace(/%3A/gi, ':');
}
