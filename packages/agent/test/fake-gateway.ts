// A fake OpenSSM server for agent tests, on 127.0.0.1:0: the SSM JSON calls a node makes
// (RegisterManagedInstance, RequestManagedInstanceRoleToken and UpdateManagedInstancePublicKey
// with their RSA-PSS signatures checked, UpdateInstanceInformation), the Message Gateway's REST
// calls (201 + XML token) and its two WebSockets. Every HMAC SigV4 signature is checked too,
// with a SigV4 implementation written here from the specification, not the agent's signer.

import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  randomBytes,
  randomUUID,
  verify,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  MessageFlags,
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeAgentJobPayload,
  encodeAgentJobReplyAck,
  encodeAgentMessage,
  parseAgentJobAck,
  parseAgentJobReply,
  parseAgentOpenDataChannel,
  parseOpenControlChannel,
  type AgentJobAck,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { WebSocketServer, type WebSocket } from 'ws';

export const ACTIVATION_ID = '11111111-2222-3333-4444-555555555555';
export const ACTIVATION_CODE = 'activation-code-0123456789';
export const REGION = 'us-east-1';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export interface JsonCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
  /** How the request was authenticated, once verified. */
  readonly auth: 'none' | 'rsa' | 'hmac';
}

export interface NodeRecord {
  readonly instanceId: string;
  publicKey: KeyObject;
  readonly fingerprint: string;
}

interface IssuedCredentials {
  readonly instanceId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
}

export interface AgentDataSocket {
  readonly sessionId: string;
  readonly socket: WebSocket;
  /** Frames from the agent, decoded, in order. */
  readonly received: DecodedAgentMessage[];
}

/** An agent_job_reply as the gateway received it, its content parsed. */
export interface ReceivedJobReply {
  /** The AgentMessage MessageId (stable across resends). */
  readonly messageId: string;
  readonly jobId: string;
  readonly topic: string;
  readonly content: Record<string, unknown>;
}

export interface FakeGatewayOptions {
  /** False plays a dead peer: WebSocket pings go unanswered. */
  readonly answerPings?: boolean;
}

type Fault =
  /** UpdateManagedInstancePublicKey: apply the new key, then drop the connection unanswered. */
  | 'drop-after-key-update'
  /** UpdateManagedInstancePublicKey: refuse with a 400. */
  | 'refuse-key-update';

export class FakeGateway {
  readonly nodes = new Map<string, NodeRecord>();
  readonly jsonCalls: JsonCall[] = [];
  /** Every REST / WebSocket path the agent reached, with its verified SigV4 service. */
  readonly channelRequests: { kind: 'rest' | 'ws'; path: string; service: string }[] = [];
  readonly controlSockets: WebSocket[] = [];
  readonly controlReceived: DecodedAgentMessage[] = [];
  readonly dataSockets: AgentDataSocket[] = [];
  /** Set by a test to answer RequestManagedInstanceRoleToken with UpdateKeyPair: true once. */
  requestKeyUpdate = false;
  /** Lifetime of the credentials handed out. */
  credentialLifetimeMs = 60 * 60 * 1000;
  /** Acknowledge agent_task_complete as soon as it arrives. */
  autoAcknowledge = true;
  /** Answer every agent_job_reply (and output chunk) with agent_job_reply_ack. */
  autoAckJobReplies = true;
  /** CreateControlChannel answers 503: the agent cannot get a control channel. */
  refuseControlChannels = false;
  fault: Fault | undefined;
  /** CreateDataChannel answers 400 DoesNotExistException (the session is gone). */
  refuseDataChannels = false;
  /** The next UpdateInstanceInformation answers ExpiredTokenException. */
  expireNextHeartbeat = false;
  /** Called for each new agent data socket (after its OpenDataChannel was checked). */
  onDataSocket: (socket: AgentDataSocket) => void = () => undefined;

  private readonly credentials = new Map<string, IssuedCredentials>();
  private readonly tokens = new Map<string, { kind: string; id: string; expiresAt: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly wss: WebSocketServer;

  private constructor(
    private readonly server: Server,
    options: FakeGatewayOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      autoPong: options.answerPings ?? true,
    });
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    const server = createServer();
    const gateway = new FakeGateway(server, options);
    server.on('connection', (socket) => {
      gateway.sockets.add(socket);
      socket.on('close', () => gateway.sockets.delete(socket));
    });
    server.on('request', (request, response) => {
      void gateway.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ __type: 'InternalServerError', message: String(error) }));
      });
    });
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      gateway.upgrade(request, socket, head),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return gateway;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get controlSocket(): WebSocket | undefined {
    return this.controlSockets.at(-1);
  }

  calls(target: string): JsonCall[] {
    return this.jsonCalls.filter((call) => call.target === target);
  }

  restCount(kind: 'control' | 'data'): number {
    return this.channelRequests.filter(
      (request) => request.kind === 'rest' && request.path.startsWith(`/v1/${kind}-channel/`),
    ).length;
  }

  /** Sends a control-channel message to the agent (sequence 0, flags 0, like MGS). */
  sendControl(messageType: string, payload: Uint8Array): string {
    const messageId = randomUUID();
    this.controlSocket!.send(
      encodeAgentMessage(
        {
          messageType,
          schemaVersion: 1,
          createdDate: Date.now(),
          sequenceNumber: 0,
          flags: MessageFlags.None,
          messageId,
          payloadType: PayloadType.None,
          payload,
        },
        sha256,
      ),
    );
    return messageId;
  }

  /** A data-channel message from the gateway itself (channel_closed): SYN|FIN like MGS. */
  static dataMessage(messageType: string, payload: Uint8Array): Uint8Array {
    return encodeAgentMessage(
      {
        messageType,
        schemaVersion: 1,
        createdDate: Date.now(),
        sequenceNumber: 0,
        flags: MessageFlags.SynFin,
        messageId: randomUUID(),
        payloadType: PayloadType.None,
        payload,
      },
      sha256,
    );
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP ------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0]!;
    if (request.method === 'POST' && path === '/') {
      this.handleJson(request, body, response);
      return;
    }
    const channel = /^\/v1\/(control|data)-channel\/([^/]+)$/.exec(path);
    if (request.method === 'POST' && channel !== null) {
      const verified = this.verifyHmac(request, body);
      if (typeof verified === 'string') {
        return void sendError(response, 403, 'InvalidSignatureException', verified);
      }
      this.channelRequests.push({ kind: 'rest', path, service: verified.service });
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      if (parsed['MessageSchemaVersion'] !== '1.0' || typeof parsed['RequestId'] !== 'string') {
        return void sendError(response, 400, 'ValidationException', 'bad channel request');
      }
      const kind = channel[1]!;
      const id = decodeURIComponent(channel[2]!);
      if (kind === 'control' && this.refuseControlChannels) {
        return void sendError(response, 503, 'ServiceUnavailable', 'try again later');
      }
      if (kind === 'data' && this.refuseDataChannels) {
        return void sendError(
          response,
          400,
          'DoesNotExistException',
          `Session ${id} does not exist.`,
        );
      }
      if (kind === 'control' && id !== verified.instanceId) {
        return void sendError(response, 403, 'AccessDeniedException', 'not your channel');
      }
      const token = randomBytes(24).toString('base64url');
      this.tokens.set(token, { kind, id, expiresAt: Date.now() + 60_000 });
      response.statusCode = 201;
      response.setHeader('content-type', 'application/xml');
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Create${kind === 'control' ? 'Control' : 'Data'}ChannelResponse><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>${token}</TokenValue></Create${kind === 'control' ? 'Control' : 'Data'}ChannelResponse>`,
      );
      return;
    }
    sendError(response, 404, 'UnknownOperationException', `${request.method} ${path}`);
  }

  private handleJson(request: IncomingMessage, raw: Buffer, response: ServerResponse): void {
    const target = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const reply = (value: object): void => {
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(JSON.stringify(value));
    };
    switch (target) {
      case 'RegisterManagedInstance': {
        if (request.headers['authorization'] !== undefined) {
          return void sendError(response, 400, 'ValidationException', 'must be unsigned');
        }
        if (body['ActivationId'] !== ACTIVATION_ID || body['ActivationCode'] !== ACTIVATION_CODE) {
          return void sendError(response, 400, 'InvalidActivation', 'Activation does not exist.');
        }
        if (body['PublicKeyType'] !== 'Rsa' || String(body['PublicKey']).length !== 392) {
          return void sendError(response, 400, 'ValidationException', 'bad public key');
        }
        const instanceId = `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
        this.nodes.set(instanceId, {
          instanceId,
          publicKey: spki(String(body['PublicKey'])),
          fingerprint: String(body['Fingerprint']),
        });
        this.jsonCalls.push({ target, body, auth: 'none' });
        return reply({ InstanceId: instanceId });
      }
      case 'RequestManagedInstanceRoleToken':
      case 'UpdateManagedInstancePublicKey': {
        const node = this.verifyRsa(request, raw);
        if (typeof node === 'string') {
          const code = node.startsWith('unknown')
            ? 'UnrecognizedClientException'
            : 'InvalidSignatureException';
          return void sendError(response, 400, code, node);
        }
        this.jsonCalls.push({ target, body, auth: 'rsa' });
        if (target === 'UpdateManagedInstancePublicKey') {
          if (this.fault === 'refuse-key-update') {
            this.fault = undefined;
            return void sendError(response, 400, 'ValidationException', 'key refused');
          }
          node.publicKey = spki(String(body['NewPublicKey']));
          if (this.fault === 'drop-after-key-update') {
            this.fault = undefined;
            request.socket.destroy();
            return;
          }
          return reply({});
        }
        if (body['Fingerprint'] !== node.fingerprint) {
          return void sendError(response, 400, 'InvalidKeyId', 'The fingerprint does not match.');
        }
        const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
        const issued: IssuedCredentials = {
          instanceId: node.instanceId,
          secretAccessKey: randomBytes(20).toString('base64'),
          sessionToken: randomBytes(32).toString('base64'),
          expiresAt: Date.now() + this.credentialLifetimeMs,
        };
        this.credentials.set(accessKeyId, issued);
        const updateKeyPair = this.requestKeyUpdate;
        this.requestKeyUpdate = false;
        return reply({
          AccessKeyId: accessKeyId,
          SecretAccessKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          TokenExpirationDate: issued.expiresAt / 1000,
          UpdateKeyPair: updateKeyPair,
        });
      }
      case 'UpdateInstanceInformation': {
        const verified = this.verifyHmac(request, raw);
        if (typeof verified === 'string') {
          return void sendError(response, 400, 'InvalidSignatureException', verified);
        }
        if (verified.service !== 'ssm' || body['InstanceId'] !== verified.instanceId) {
          return void sendError(response, 400, 'AccessDeniedException', 'wrong scope or node');
        }
        if (this.expireNextHeartbeat) {
          this.expireNextHeartbeat = false;
          return void sendError(
            response,
            400,
            'ExpiredTokenException',
            'The security token included in the request is expired',
          );
        }
        this.jsonCalls.push({ target, body, auth: 'hmac' });
        return reply({});
      }
      default:
        sendError(response, 400, 'UnknownOperationException', target);
    }
  }

  // ---- WebSockets ------------------------------------------------------------------------

  private upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const match = /^\/v1\/(control|data)-channel\/([^/]+)$/.exec(url.pathname);
    const verified = this.verifyHmac(request, Buffer.alloc(0));
    if (match === null || typeof verified === 'string') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const kind = match[1]!;
    const id = decodeURIComponent(match[2]!);
    const expectedQuery =
      kind === 'control' ? 'role=subscribe&stream=input' : 'role=publish_subscribe';
    if (url.search !== `?${expectedQuery}`) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    this.channelRequests.push({ kind: 'ws', path: url.pathname, service: verified.service });
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      ws.once('message', (data, isBinary) => {
        const text = isBinary ? '' : (data as Buffer).toString('utf8');
        try {
          if (kind === 'control') {
            const open = parseOpenControlChannel(text);
            this.consume(open.tokenValue, 'control', id);
            if (open.platformType !== 'linux' || open.cookie !== null) throw new Error('bad open');
            this.serveControl(ws);
          } else {
            const open = parseAgentOpenDataChannel(text);
            this.consume(open.tokenValue, 'data', id);
            if (open.clientInstanceId !== verified.instanceId) throw new Error('bad instance');
            this.serveData(id, ws);
          }
        } catch {
          ws.close(4401, 'bad open frame');
        }
      });
    });
  }

  private serveControl(ws: WebSocket): void {
    this.controlSockets.push(ws);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const message = decodeAgentMessage(new Uint8Array(data as Buffer), {
        verifyDigestWith: sha256,
      });
      this.controlReceived.push(message);
      if (message.messageType === MessageType.AgentTaskComplete && this.autoAcknowledge) {
        this.acknowledge(message);
      }
      if (message.messageType === MessageType.AgentJobReply && this.autoAckJobReplies) {
        this.acknowledgeJobReply(message, ws);
      }
    });
  }

  /** Sends agent_task_acknowledge for an agent_task_complete. */
  acknowledge(complete: DecodedAgentMessage): void {
    const { TaskId, Topic } = JSON.parse(new TextDecoder().decode(complete.payload)) as {
      TaskId: string;
      Topic: string;
    };
    this.sendControl(
      MessageType.AgentTaskAcknowledge,
      new TextEncoder().encode(
        JSON.stringify({ SchemaVersion: 1, MessageId: complete.messageId, TaskId, Topic }),
      ),
    );
  }

  /** Sends an agent_job (Run Command) to the agent; returns its MessageId. */
  sendAgentJob(jobId: string, content: string, topic = 'aws.ssm.sendCommand.test'): string {
    return this.sendControl(MessageType.AgentJob, encodeAgentJobPayload({ content, jobId, topic }));
  }

  /** Sends agent_job_reply_ack for an agent_job_reply (on `ws`, the socket it came on). */
  acknowledgeJobReply(
    reply: DecodedAgentMessage,
    ws: WebSocket | undefined = this.controlSocket,
  ): void {
    const { jobId } = parseAgentJobReply(reply.payload);
    ws?.send(
      encodeAgentMessage(
        {
          messageType: MessageType.AgentJobReplyAck,
          schemaVersion: 1,
          createdDate: Date.now(),
          sequenceNumber: 0,
          flags: MessageFlags.None,
          messageId: randomUUID(),
          payloadType: PayloadType.None,
          payload: encodeAgentJobReplyAck({ jobId, acknowledgedMessageId: reply.messageId }),
        },
        sha256,
      ),
    );
  }

  /** Every agent_job_ack received, in order. */
  jobAcks(): AgentJobAck[] {
    return this.controlReceived
      .filter((message) => message.messageType === MessageType.AgentJobAck)
      .map((message) => parseAgentJobAck(message.payload));
  }

  /** Every agent_job_reply received (resends included), in order, optionally of one topic. */
  jobReplies(topic?: string): ReceivedJobReply[] {
    return this.controlReceived
      .filter((message) => message.messageType === MessageType.AgentJobReply)
      .map((message) => {
        const reply = parseAgentJobReply(message.payload);
        return {
          messageId: message.messageId,
          jobId: reply.jobId,
          topic: reply.topic,
          content: JSON.parse(reply.content) as Record<string, unknown>,
        };
      })
      .filter((reply) => topic === undefined || reply.topic === topic);
  }

  private serveData(sessionId: string, ws: WebSocket): void {
    const entry: AgentDataSocket = { sessionId, socket: ws, received: [] };
    this.dataSockets.push(entry);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      entry.received.push(decodeAgentMessage(new Uint8Array(data as Buffer)));
    });
    this.onDataSocket(entry);
  }

  private consume(token: string, kind: string, id: string): void {
    const entry = this.tokens.get(token);
    this.tokens.delete(token); // single use, whatever happens
    if (
      entry === undefined ||
      entry.kind !== kind ||
      entry.id !== id ||
      entry.expiresAt < Date.now()
    ) {
      throw new Error('token refused');
    }
  }

  // ---- Signatures --------------------------------------------------------------------------

  /** The node whose RSA key signed the request, or why not. */
  private verifyRsa(request: IncomingMessage, body: Buffer): NodeRecord | string {
    const auth = parseAuthorization(request.headers['authorization']);
    if (auth === undefined) return 'no authorization';
    const node = this.nodes.get(auth.accessKeyId);
    if (node === undefined) return `unknown node ${auth.accessKeyId}`;
    if (auth.service !== 'ssm' || auth.region !== REGION) return 'wrong scope';
    const stringToSign = createStringToSign(request, body, auth);
    const ok = verify(
      'sha256',
      Buffer.from(stringToSign),
      { key: node.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(auth.signature, 'base64'),
    );
    return ok ? node : 'signature does not verify';
  }

  private verifyHmac(
    request: IncomingMessage,
    body: Buffer,
  ): { instanceId: string; service: string } | string {
    const auth = parseAuthorization(request.headers['authorization']);
    if (auth === undefined) return 'no authorization';
    const issued = this.credentials.get(auth.accessKeyId);
    if (issued === undefined) return 'unknown access key';
    if (issued.expiresAt < Date.now()) return 'expired';
    if (request.headers['x-amz-security-token'] !== issued.sessionToken) return 'bad token';
    if (!auth.signedHeaders.includes('x-amz-security-token')) return 'token not signed';
    if (auth.region !== REGION) return 'wrong region';
    let key: Buffer = Buffer.from(`AWS4${issued.secretAccessKey}`);
    for (const part of [auth.date, auth.region, auth.service, 'aws4_request']) {
      key = createHmac('sha256', key).update(part).digest();
    }
    const expected = createHmac('sha256', key)
      .update(createStringToSign(request, body, auth))
      .digest('hex');
    if (expected !== auth.signature) return 'signature mismatch';
    return { instanceId: issued.instanceId, service: auth.service };
  }
}

interface Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

function parseAuthorization(header: string | undefined): Authorization | undefined {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=(\S+)$/.exec(
      header ?? '',
    );
  if (match === null) return undefined;
  return {
    accessKeyId: match[1]!,
    date: match[2]!,
    region: match[3]!,
    service: match[4]!,
    signedHeaders: match[5]!.split(';'),
    signature: match[6]!,
  };
}

/** SigV4's string to sign, from the request as received (AWS's published algorithm). */
function createStringToSign(request: IncomingMessage, body: Buffer, auth: Authorization): string {
  const url = new URL(request.url ?? '/', 'http://gateway');
  // Every service but S3 signs the wire path (already percent-encoded) encoded once more.
  const path = url.pathname.split('/').map(rfc3986).join('/');
  const query = [...url.searchParams]
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = auth.signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [
    request.method,
    path,
    query,
    headers,
    auth.signedHeaders.join(';'),
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const amzDate = String(request.headers['x-amz-date']);
  return [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${auth.date}/${auth.region}/${auth.service}/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function spki(base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/x-amz-json-1.1');
  response.end(JSON.stringify({ __type: code, message }));
}
