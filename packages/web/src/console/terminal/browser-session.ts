// One shell session's data channel in the browser (ssm-wire §4.1, §4.8, §4.13): dials the
// StreamUrl, sends OpenDataChannel, runs the shared channel engine and handshake, and when the
// link drops calls ResumeSession and re-dials with the new token and the same ClientId — the
// engine keeps its sequence numbers and resends what was not acknowledged, so nothing typed or
// printed is lost. The state it reports is what the page shows (Connecting, Reconnecting…).

import {
  ClientHandshake,
  DataChannel,
  OPENSSM_TRANSPORT_OFFER,
  type StreamMessage,
} from '@openssm/channel';
import {
  MessageType,
  PayloadType,
  encodeClientOpenDataChannel,
  encodeSizePayload,
  parseChannelClosed,
  parseHandshakeComplete,
} from '@openssm/protocol';
import { createBrowserEnvironment } from './browser-environment.js';

export type SessionState = 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

export interface BrowserSessionStart {
  readonly sessionId: string;
  readonly streamUrl: string;
  readonly tokenValue: string;
}

export interface BrowserSessionOptions {
  readonly start: BrowserSessionStart;
  /** Calls ResumeSession; resolves to the new token, or undefined when the session is gone. */
  readonly resume: () => Promise<string | undefined>;
  readonly onOutput: (bytes: Uint8Array) => void;
  readonly onState: (state: SessionState, detail?: string) => void;
}

/** The session types a browser terminal can show. */
const SHELL_SESSION_TYPES = ['Standard_Stream', 'InteractiveCommands', 'NonInteractiveCommands'];
const CLIENT_VERSION = '1.2.0.0';
/** Reconnect attempts after a drop, with growing delays (ms); then the page says it failed. */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];

export class BrowserSession {
  private readonly environment = createBrowserEnvironment();
  private readonly clientId = this.environment.randomUUID();
  private readonly channel: DataChannel;
  private readonly handshake: ClientHandshake;
  private socket: WebSocket | undefined;
  private ended = false;
  private reconnecting = false;
  private lastSize: { cols: number; rows: number } | undefined;
  /** The handshake is done: the agent's shell exists and takes sizes and input. */
  private ready = false;

  constructor(private readonly options: BrowserSessionOptions) {
    this.channel = new DataChannel({
      role: 'client',
      environment: this.environment,
      handlers: {
        onStreamMessage: (message) => this.onStreamMessage(message),
        onOtherMessage: (message) => {
          if (message.messageType !== MessageType.ChannelClosed) return;
          let output = '';
          try {
            output = parseChannelClosed(message.payload).output;
          } catch {
            // Over whatever the payload says.
          }
          this.end('closed', output || 'The session ended.');
        },
        onFailure: (error) => this.end('failed', error.message),
      },
    });
    this.handshake = new ClientHandshake({
      channel: this.channel,
      clientVersion: CLIENT_VERSION,
      supportedSessionTypes: SHELL_SESSION_TYPES,
      transportLimits: OPENSSM_TRANSPORT_OFFER,
    });
    this.handshake.done.then(
      () => {
        this.ready = true;
        if (!this.ended) this.options.onState('connected');
        if (this.lastSize !== undefined) this.sendSize(this.lastSize, true);
      },
      (error: unknown) => this.end('failed', String(error)),
    );
  }

  async open(): Promise<void> {
    this.options.onState('connecting');
    await this.connect(this.options.start.tokenValue);
  }

  /** Keystrokes, pasted text: Output payloads of at most the negotiated size, in order. */
  async sendInput(text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    try {
      for (let offset = 0; offset < bytes.length;) {
        const end = Math.min(bytes.length, offset + this.channel.currentConfig.maxPayloadLength);
        await this.channel.send(PayloadType.Output, bytes.subarray(offset, end));
        offset = end;
      }
    } catch {
      // The channel closed under us; onState already said why.
    }
  }

  /** The terminal's size; sent when it changes (and once the handshake is done). */
  sendSize(size: { cols: number; rows: number }, force = false): void {
    if (!force && this.lastSize?.cols === size.cols && this.lastSize.rows === size.rows) return;
    this.lastSize = size;
    if (!this.ready) return;
    this.channel.send(PayloadType.Size, encodeSizePayload(size)).catch(() => undefined);
  }

  /** Leaves the page: closes the socket without ending the session on the server. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.channel.close();
    this.socket?.close(1000);
    this.socket = undefined;
  }

  private connect(token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.options.start.streamUrl);
      socket.binaryType = 'arraybuffer';
      let opened = false;
      socket.addEventListener('open', () => {
        opened = true;
        socket.send(
          encodeClientOpenDataChannel({
            requestId: this.environment.randomUUID(),
            tokenValue: token,
            clientId: this.clientId,
            clientVersion: CLIENT_VERSION,
          }),
        );
        this.socket = socket;
        this.channel.attach({
          send: (bytes) => {
            // The engine keeps every message until it is acknowledged and resends it on the
            // next socket, so a send into a closing socket loses nothing.
            if (socket.readyState === WebSocket.OPEN) socket.send(bytes as Uint8Array<ArrayBuffer>);
          },
        });
        resolve();
      });
      socket.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
        if (socket !== this.socket || typeof event.data === 'string') return;
        try {
          this.channel.receive(new Uint8Array(event.data));
        } catch {
          // A frame that does not decode is dropped, as AWS's plugin does; its sender resends.
        }
      });
      socket.addEventListener('close', () => {
        if (!opened) {
          reject(new Error('the data channel could not be opened'));
          return;
        }
        if (socket !== this.socket) return;
        this.socket = undefined;
        this.channel.detach();
        if (!this.ended) void this.reconnect();
      });
    });
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (const delay of RECONNECT_DELAYS_MS) {
        if (this.ended) return;
        this.options.onState('reconnecting');
        await new Promise((wake) => window.setTimeout(wake, delay));
        if (this.ended) return;
        let token: string | undefined;
        try {
          token = await this.options.resume();
        } catch {
          continue; // the API is unreachable too: try again later
        }
        if (token === undefined || token === '') {
          this.end('closed', 'The session is over (it timed out or was terminated).');
          return;
        }
        try {
          await this.connect(token);
          this.options.onState('connected');
          return;
        } catch {
          // next attempt
        }
      }
      this.end('failed', 'The connection could not be brought back.');
    } finally {
      this.reconnecting = false;
    }
  }

  private onStreamMessage(message: StreamMessage): boolean {
    if (this.handshake.handle(message)) {
      if (message.payloadType === PayloadType.HandshakeComplete) {
        try {
          const { customerMessage } = parseHandshakeComplete(message.payload);
          if (customerMessage !== '') {
            this.options.onOutput(new TextEncoder().encode(`${customerMessage}\r\n`));
          }
        } catch {
          // The handshake reports an invalid HandshakeComplete itself.
        }
      }
      return true;
    }
    // Output, StdErr, ExitCode…: shown as they are, as AWS's plugin does.
    this.options.onOutput(message.payload);
    return true;
  }

  private end(state: 'closed' | 'failed', detail: string): void {
    if (this.ended) return;
    this.close();
    this.options.onState(state, detail);
  }
}
