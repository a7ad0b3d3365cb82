// A fake message gateway with the agent behind it, on 127.0.0.1:0: accepts the client's
// OpenDataChannel text frame (checking its token), then plays the agent with the real channel
// engine (agent role) and AgentHandshake. Tests drive it: send output, drop the socket, close.

import { randomUUID } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  AgentHandshake,
  DataChannel,
  type AgentHandshakeOutcome,
  type Environment,
  type StreamMessage,
} from '@openssm/channel';
import {
  MessageFlags,
  MessageType,
  PayloadType,
  SessionType,
  encodeAgentMessage,
  encodeChannelClosed,
  parseClientOpenDataChannel,
  parseSizePayload,
  type ClientOpenDataChannel,
  type OpenSSMTransportParameters,
  type SizePayload,
} from '@openssm/protocol';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { createNodeEnvironment, nodeSha256 } from '../../src/session/node-environment.js';

export interface FakeGatewayOptions {
  readonly sessionId?: string;
  readonly token?: string;
  /** Run the §4.8 handshake (default true); false: the agent streams output at once. */
  readonly handshake?: boolean;
  readonly customerMessage?: string;
  /** The session type the agent asks for (default Standard_Stream). */
  readonly sessionType?: string;
  /** Offer OpenSSM's fast transport in the handshake. */
  readonly transportOffer?: OpenSSMTransportParameters;
  /** Serve wss:// with this key and certificate chain (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface ReceivedInput {
  readonly payloadType: number;
  readonly payload: Uint8Array;
}

export class FakeGateway {
  readonly sessionId: string;
  readonly streamUrl: string;
  /** Every OpenDataChannel frame received, in order. */
  readonly opens: ClientOpenDataChannel[] = [];
  /** Stream messages from the client that reached the "agent", in order, handshake excluded. */
  readonly inputs: ReceivedInput[] = [];
  /** Request paths of every WebSocket upgrade. */
  readonly paths: string[] = [];
  readonly acceptedTokens = new Set<string>();
  handshakeOutcome: AgentHandshakeOutcome | undefined;
  channel: DataChannel | undefined;
  private handshake: AgentHandshake | undefined;
  private socket: WebSocket | undefined;
  private readonly environment: Environment = createNodeEnvironment();

  private constructor(
    private readonly server: WebSocketServer,
    private readonly options: FakeGatewayOptions,
    port: number,
  ) {
    this.sessionId = options.sessionId ?? 'test-0a1b2c3d4e5f67890';
    const scheme = options.tls === undefined ? 'ws' : 'wss';
    this.streamUrl = `${scheme}://127.0.0.1:${port}/v1/data-channel/${this.sessionId}?role=publish_subscribe`;
    this.acceptedTokens.add(options.token ?? 'token-0');
    server.on('connection', (socket, request) => {
      this.paths.push(request.url ?? '');
      this.onConnection(socket);
    });
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    if (options.tls !== undefined) {
      const https = createHttpsServer(options.tls);
      await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
      const server = new WebSocketServer({ server: https, perMessageDeflate: false });
      server.on('close', () => https.close());
      return new FakeGateway(server, options, (https.address() as AddressInfo).port);
    }
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new FakeGateway(server, options, (server.address() as AddressInfo).port);
  }

  get token(): string {
    return this.options.token ?? 'token-0';
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Output payload text received so far (keystrokes). */
  inputText(): string {
    return Buffer.concat(
      this.inputs
        .filter((input) => input.payloadType === PayloadType.Output)
        .map((input) => Buffer.from(input.payload)),
    ).toString('latin1');
  }

  sizes(): SizePayload[] {
    return this.inputs
      .filter((input) => input.payloadType === PayloadType.Size)
      .map((input) => parseSizePayload(input.payload));
  }

  async sendOutput(
    data: string | Uint8Array,
    payloadType: number = PayloadType.Output,
  ): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    await this.requireChannel().send(payloadType, bytes);
  }

  /** Resolves once the client acknowledged everything the agent sent. */
  async allAcknowledged(): Promise<void> {
    const channel = this.requireChannel();
    const deadline = Date.now() + 8000;
    while (channel.inFlight + channel.queued > 0) {
      if (Date.now() > deadline) throw new Error('the client never acknowledged the output');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** channel_closed on the current socket, as MGS sends it (§4.11). */
  sendChannelClosed(output?: string): void {
    const payload = encodeChannelClosed({
      messageId: randomUUID(),
      createdDate: String(Date.now()),
      destinationId: 'mi-0123456789abcdef0',
      sessionId: this.sessionId,
      ...(output === undefined ? {} : { output }),
    });
    this.sendRaw(
      encodeAgentMessage(
        {
          messageType: MessageType.ChannelClosed,
          schemaVersion: 1,
          createdDate: Date.now(),
          sequenceNumber: 0,
          flags: MessageFlags.SynFin,
          messageId: randomUUID(),
          payloadType: PayloadType.None,
          payload,
        },
        nodeSha256,
      ),
    );
  }

  sendRaw(bytes: Uint8Array | string): void {
    if (this.socket === undefined) throw new Error('no client is connected');
    this.socket.send(bytes, { binary: typeof bytes !== 'string' });
  }

  /** Kills the TCP connection without a close frame, as a dying proxy or NAT would. */
  dropConnection(): void {
    const socket = this.socket;
    if (socket === undefined) throw new Error('no client is connected');
    this.detach(socket);
    socket.terminate();
  }

  async close(): Promise<void> {
    this.channel?.close();
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private requireChannel(): DataChannel {
    if (this.channel === undefined) throw new Error('no client has connected yet');
    return this.channel;
  }

  private onConnection(socket: WebSocket): void {
    let opened = false;
    socket.on('message', (data: RawData, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (!opened) {
        if (isBinary) {
          socket.close(4000, 'OpenDataChannel expected');
          return;
        }
        const open = parseClientOpenDataChannel(bytes.toString('utf8'));
        this.opens.push(open);
        if (!this.acceptedTokens.has(open.tokenValue)) {
          socket.close(4001, 'token refused');
          return;
        }
        opened = true;
        this.attach(socket);
        return;
      }
      if (!isBinary) return;
      try {
        this.channel?.receive(new Uint8Array(bytes));
      } catch {
        // A bad frame is the client's bug; tests look at what arrived.
      }
    });
    socket.on('close', () => this.detach(socket));
  }

  private attach(socket: WebSocket): void {
    this.socket = socket;
    const first = this.channel === undefined;
    if (first) this.channel = this.createChannel();
    this.channel!.attach({ send: (bytes) => socket.send(bytes, { binary: true }) });
    if (first && this.options.handshake !== false) {
      this.handshake = new AgentHandshake({
        channel: this.channel!,
        clock: this.environment.clock,
        agentVersion: '3.3.987.0',
        sessionType: this.options.sessionType ?? SessionType.StandardStream,
        properties: null,
        ...(this.options.customerMessage === undefined
          ? {}
          : { customerMessage: this.options.customerMessage }),
        ...(this.options.transportOffer === undefined
          ? {}
          : { transportOffer: this.options.transportOffer }),
      });
      this.handshake.done.then(
        (outcome) => (this.handshakeOutcome = outcome),
        () => undefined,
      );
      void this.handshake.start().catch(() => undefined);
    }
  }

  private detach(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.channel?.detach();
  }

  private createChannel(): DataChannel {
    return new DataChannel({
      role: 'agent',
      environment: this.environment,
      handlers: {
        onStreamMessage: (message: StreamMessage) => {
          if (this.handshake?.handle(message) === true) return true;
          this.inputs.push({ payloadType: message.payloadType, payload: message.payload.slice() });
          return true;
        },
      },
    });
  }
}
