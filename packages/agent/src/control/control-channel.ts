// The node's one control channel to the server (ssm-wire §6.3): CreateControlChannel for a fresh
// token, the signed WebSocket, OpenControlChannel as the first text frame, then binary
// AgentMessages both ways. Reconnects forever with full-jitter backoff; a dropped control channel
// touches nothing else (running sessions have their own data channels).

import { randomUUID } from 'node:crypto';
import {
  CodedError,
  decodeAgentMessage,
  encodeOpenControlChannel,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { WebSocket } from 'ws';
import { AgentError, formatAgentError } from '../agent-error.js';
import type { Logger } from '../logging/logger.js';
import { sha256 } from '../mgs/agent-messages.js';
import { MAX_MESSAGE_BYTES, type MessageGatewayClient } from '../mgs/mgs-client.js';
import { keepAlive, toBytes } from '../mgs/websocket-connection.js';
import { Backoff, sleep, type BackoffPolicy, type Random } from '../retry/backoff.js';
import { AGENT_VERSION } from '../version.js';

/** A connection that lasted this long was a success: the next failure starts the backoff over. */
const STABLE_CONNECTION_MS = 30_000;

export interface ControlChannelOptions {
  readonly instanceId: string;
  readonly mgs: MessageGatewayClient;
  readonly pingIntervalMs: number;
  readonly connectionTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly random?: Random;
  readonly log: Logger;
  /** One decoded message from the server; exceptions are logged, never fatal. */
  readonly onMessage: (message: DecodedAgentMessage) => void;
  /** Each time a control channel is open (after OpenControlChannel was sent). */
  readonly onConnected?: () => void;
  /** The open control channel closed (the loop reconnects). */
  readonly onDisconnected?: () => void;
}

export class ControlChannel {
  private socket: WebSocket | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private waiters = new Set<(connected: boolean) => void>();

  constructor(private readonly options: ControlChannelOptions) {}

  get isConnected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops reconnecting and closes the socket. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.socket?.close(1000, 'agent stopping');
    for (const wake of this.waiters) wake(false);
    this.waiters.clear();
    await this.running;
  }

  /** Sends one AgentMessage; false when there is no open control channel right now. */
  send(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(bytes, { binary: true });
    return true;
  }

  /** Resolves true once a control channel is open, false after `timeoutMs` or when stopping. */
  whenConnected(timeoutMs: number): Promise<boolean> {
    if (this.isConnected) return Promise.resolve(true);
    if (this.stopping.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (connected: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(connected);
      };
      const timer = setTimeout(() => wake(false), timeoutMs);
      this.waiters.add(wake);
    });
  }

  private async loop(): Promise<void> {
    const { log } = this.options;
    const backoff = new Backoff(this.options.backoff, this.options.random);
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let openedAt: number | undefined;
      try {
        openedAt = await this.connectAndServe();
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof AgentError && error.code === 'RegistrationRejected') {
          // The agent is stopping because of it; nothing to retry.
          return;
        }
        log.warn('control channel failed', { error: formatAgentError(error) });
      }
      if (signal.aborted) break;
      if (openedAt !== undefined && Date.now() - openedAt >= STABLE_CONNECTION_MS) backoff.reset();
      const delay = backoff.next();
      log.info('reconnecting the control channel', { inMs: delay, failures: backoff.failures });
      await sleep(delay, signal);
    }
  }

  /** One connection from token to close; resolves with when it opened once it closed. */
  private async connectAndServe(): Promise<number> {
    const { instanceId, mgs, log } = this.options;
    const token = await mgs.createControlChannel(instanceId);
    const socket = await mgs.openControlChannel(instanceId);
    if (this.stopping.signal.aborted) {
      socket.close(1000, 'agent stopping');
      throw new AgentError('Stopped', 'the agent is stopping');
    }
    socket.send(
      encodeOpenControlChannel({
        cookie: null,
        requestId: randomUUID(),
        tokenValue: token,
        agentVersion: AGENT_VERSION,
        platformType: 'linux',
      }),
    );
    const openedAt = Date.now();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const stopKeepAlive = keepAlive(socket, {
      pingIntervalMs: this.options.pingIntervalMs,
      timeoutMs: this.options.connectionTimeoutMs,
      onTimeout: () => {
        log.warn('control channel silent for too long; reconnecting');
        socket.terminate();
      },
    });
    socket.on('message', (data, isBinary) => this.receive(socket, toBytes(data), isBinary));
    this.socket = socket;
    log.info('control channel open', { instanceId });
    for (const wake of this.waiters) wake(true);
    this.waiters.clear();
    this.options.onConnected?.();
    await closed;
    this.options.onDisconnected?.();
    stopKeepAlive();
    if (this.socket === socket) this.socket = undefined;
    if (!this.stopping.signal.aborted) log.warn('control channel closed');
    return openedAt;
  }

  private receive(socket: WebSocket, bytes: Uint8Array, isBinary: boolean): void {
    const { log } = this.options;
    if (!isBinary) {
      log.debug('ignored a text frame on the control channel');
      return;
    }
    let message: DecodedAgentMessage;
    try {
      message = decodeAgentMessage(bytes, {
        maxPayloadLength: MAX_MESSAGE_BYTES,
        verifyDigestWith: sha256,
      });
    } catch (error) {
      // A bad frame closes this connection with its coded reason; the loop reconnects.
      const code = error instanceof CodedError ? (error.spec.wsCloseCode ?? 1002) : 1002;
      log.warn('bad frame on the control channel', { error: formatAgentError(error) });
      socket.close(code, error instanceof CodedError ? error.code : 'bad frame');
      return;
    }
    try {
      this.options.onMessage(message);
    } catch (error) {
      log.warn('handling a control message failed', {
        messageType: message.messageType,
        error: formatAgentError(error),
      });
    }
  }
}
