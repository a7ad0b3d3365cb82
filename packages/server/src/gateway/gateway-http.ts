// The gateway's HTTP surface at the shared listener (ssm-wire §6.2–§6.3, §4.1): the agent's
// CreateControlChannel/CreateDataChannel calls (SigV4 `ssmmessages`, answered 201 with an XML
// token), and the WebSocket upgrades of control and data channels, each opened by a text frame
// carrying a one-time token.

import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CodedError,
  DEFAULT_MAX_PAYLOAD_LENGTH,
  parseAnyOpenDataChannel,
  parseOpenControlChannel,
} from '@openssm/protocol';
import { resolveClientAddress, type TrustedProxies } from '../http/client-address.js';
import type { Authenticator } from '../http/request-authenticator.js';
import type { Logger } from '../logging/logger.js';
import type { Authorizer } from '../policy/authorizer.js';
import type { Storage } from '../storage/repositories.js';
import { instanceArn, type ServerIdentity } from '../services/services.js';
import type { ChannelTokens } from './channel-tokens.js';
import type { Gateway } from './gateway.js';
import { wrapWebSocket } from './socket.js';

/** A socket must present its token this soon after connecting. */
export const OPEN_FRAME_TIMEOUT_MS = 10_000;
/** Frames held while the open frame's token is checked. */
const MAX_EARLY_FRAMES = 64;
/** Ping interval; a socket that missed a whole interval without a pong is dropped. */
export const SERVER_PING_INTERVAL_MS = 30_000;

export interface GatewayHttpOptions {
  readonly gateway: Gateway;
  readonly storage: Storage;
  readonly tokens: ChannelTokens;
  readonly identity: ServerIdentity;
  readonly log: Logger;
  readonly now: () => number;
  readonly authenticate: Authenticator;
  readonly authorize: Authorizer;
  readonly secureTransport: boolean;
  /** Whose X-Forwarded-For names the client (the same rule as request.ip everywhere else). */
  readonly trustedProxies: TrustedProxies;
}

type ChannelKind = 'control' | 'data';

const CHANNEL_PATH = /^\/v1\/(control|data)-channel\/([A-Za-z0-9_.@:-]{1,128})$/;

export function registerGatewayRoutes(app: FastifyInstance, options: GatewayHttpOptions): void {
  const { storage, tokens, identity, now } = options;

  app.post<{ Params: { id: string } }>('/v1/control-channel/:id', async (request, reply) => {
    await withGatewayErrors(reply, async () => {
      const instanceId = request.params.id;
      await authenticateNode(request, instanceId, 'ssmmessages:CreateControlChannel');
      const token = await tokens.issue('agent-control', instanceId, now());
      await reply
        .code(201)
        .header('content-type', 'application/xml')
        .send(tokenXml('CreateControlChannelResponse', token));
    });
  });

  app.post<{ Params: { id: string } }>('/v1/data-channel/:id', async (request, reply) => {
    await withGatewayErrors(reply, async () => {
      const sessionId = request.params.id;
      const session = await storage.sessions.get(sessionId);
      const instanceId = session?.target ?? '';
      await authenticateNode(request, instanceId, 'ssmmessages:CreateDataChannel');
      if (session === undefined || session.status === 'Terminated' || session.status === 'Failed') {
        throw new CodedError('DoesNotExistException', `Session ${sessionId} is not active.`);
      }
      const token = await tokens.issue('agent-data', sessionId, now());
      await reply
        .code(201)
        .header('content-type', 'application/xml')
        .send(tokenXml('CreateDataChannelResponse', token));
    });
  });

  /** The caller must be the node itself, signed for `ssmmessages`, and its role must allow it. */
  async function authenticateNode(
    request: {
      method: string;
      url: string;
      headers: IncomingMessage['headers'];
      body: unknown;
      ip: string;
      id: string;
    },
    instanceId: string,
    action: string,
  ): Promise<void> {
    const queryAt = request.url.indexOf('?');
    const principal = await options.authenticate(
      'sigv4',
      {
        method: request.method,
        path: queryAt < 0 ? request.url : request.url.slice(0, queryAt),
        query: queryAt < 0 ? '' : request.url.slice(queryAt + 1),
        headers: request.headers,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        sourceIp: request.ip,
        requestId: request.id,
      },
      { service: 'ssmmessages', region: identity.region, signedTarget: false },
    );
    if (principal.kind !== 'node' || principal.id !== instanceId) {
      throw new CodedError('AccessDeniedException', 'Only the node itself may open its channels.');
    }
    await options.authorize({
      principal,
      checks: [{ action, resource: instanceArn(identity, instanceId) }],
      facts: {
        sourceIp: request.ip,
        secureTransport: options.secureTransport,
        now: now(),
        region: identity.region,
      },
    });
  }

  const sockets = new WebSocketServer({
    noServer: true,
    // Measured: deflate costs ×20 throughput and ×9 memory per connection (DESIGN.md §4).
    perMessageDeflate: false,
    maxPayload: DEFAULT_MAX_PAYLOAD_LENGTH + 1024,
  });
  const alive = new WeakSet<WebSocket>();
  const pinger = setInterval(() => {
    for (const socket of sockets.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, SERVER_PING_INTERVAL_MS);
  pinger.unref();

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = CHANNEL_PATH.exec(path);
    if (match === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      ws.on('ping', () => alive.add(ws));
      // Keystrokes must not wait for Nagle's algorithm.
      if (socket instanceof Socket) socket.setNoDelay(true);
      serveChannel(
        ws,
        match[1] as ChannelKind,
        decodeURIComponent(match[2]!),
        options,
        request.socket.remoteAddress === undefined
          ? undefined
          : resolveClientAddress(
              request.socket.remoteAddress,
              request.headers['x-forwarded-for'],
              options.trustedProxies,
            ),
        socket,
      );
    });
  });
  // preClose: upgraded sockets would otherwise keep the HTTP server from closing.
  app.addHook('preClose', (done) => {
    clearInterval(pinger);
    for (const client of sockets.clients) client.terminate();
    sockets.close(() => done());
  });
}

function serveChannel(
  ws: WebSocket,
  kind: ChannelKind,
  channelId: string,
  options: GatewayHttpOptions,
  remoteAddress: string | undefined,
  raw: Duplex,
): void {
  // Data channels carry bursts worth batching; control messages go out as they come.
  const socket = wrapWebSocket(ws, remoteAddress, kind === 'data' ? raw : undefined);
  let handler: { receive(bytes: Uint8Array): void; closed(): void } | undefined;
  const early: Uint8Array[] = [];
  let opening = false;

  const fail = (error: unknown) => {
    const coded = error instanceof CodedError ? error : undefined;
    if (coded === undefined) {
      options.log.error('gateway channel error', {
        kind,
        channelId,
        error: error instanceof Error ? error.message : String(error),
      });
    } else {
      // A bad frame or token ends this connection only, with a coded reason.
      options.log.warn('gateway channel refused', { kind, channelId, code: coded.code });
    }
    socket.close(coded?.spec.wsCloseCode ?? 1011, coded?.code ?? 'InternalServerError');
  };
  const deliver = (bytes: Uint8Array) => {
    try {
      handler?.receive(bytes);
    } catch (error) {
      fail(error);
    }
  };
  const timeout = setTimeout(() => {
    if (handler === undefined) socket.close(4408, 'no open frame');
  }, OPEN_FRAME_TIMEOUT_MS);

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = toBytes(data);
    if (handler !== undefined) {
      if (isBinary) deliver(bytes);
      return;
    }
    if (!opening) {
      opening = true;
      if (isBinary) {
        fail(
          new CodedError(
            'ChannelTokenInvalid',
            'the first frame must be the open-channel text frame',
          ),
        );
        return;
      }
      open(Buffer.from(bytes).toString('utf8'))
        .then((attached) => {
          clearTimeout(timeout);
          handler = attached;
          for (const frame of early.splice(0)) deliver(frame);
        })
        .catch(fail);
      return;
    }
    if (!isBinary || early.length >= MAX_EARLY_FRAMES) {
      fail(new CodedError('ChannelTokenInvalid', 'unexpected frame before the channel opened'));
      return;
    }
    early.push(bytes);
  });
  ws.on('close', () => {
    clearTimeout(timeout);
    handler?.closed();
  });
  ws.on('error', () => ws.terminate());

  async function open(text: string) {
    const now = options.now();
    if (kind === 'control') {
      const request = parseOpenControlChannel(text);
      await options.tokens.consume(request.tokenValue, 'agent-control', channelId, now);
      await options.storage.instances.touch(channelId, now);
      return options.gateway.control.attach(channelId, socket);
    }
    const open = parseAnyOpenDataChannel(text);
    const session = await options.storage.sessions.get(channelId);
    const role = open.from === 'agent' ? 'agent-data' : 'client-data';
    await options.tokens.consume(open.request.tokenValue, role, channelId, now);
    if (session === undefined || session.status === 'Terminated' || session.status === 'Failed') {
      throw new CodedError('DoesNotExistException', 'the session has ended');
    }
    const relay = options.gateway.relayFor(session);
    return role === 'agent-data' ? relay.attachAgent(socket) : relay.attachClient(socket);
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function tokenXml(root: string, token: string): string {
  return `<${root}><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>${token}</TokenValue></${root}>`;
}

async function withGatewayErrors(
  reply: {
    code(status: number): { header(name: string, value: string): { send(body: string): unknown } };
  },
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const coded =
      error instanceof CodedError
        ? error
        : new CodedError('InternalServerError', 'An internal error occurred.');
    const status = coded.code === 'AccessDeniedException' ? 403 : coded.spec.httpStatus;
    await reply
      .code(status)
      .header('content-type', 'application/json')
      .send(
        JSON.stringify({
          __type: coded.spec.awsType,
          message:
            coded.code === 'InternalServerError' ? 'An internal error occurred.' : coded.message,
        }),
      );
  }
}
