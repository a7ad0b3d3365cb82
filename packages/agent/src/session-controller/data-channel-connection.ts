// One session's data-channel WebSocket (ssm-wire §4.1, agent side): CreateDataChannel for a token,
// the signed upgrade, the agent's OpenDataChannel, then the DataChannel engine on top. When the
// socket drops, a new token and socket are fetched and attached to the same engine, which resends
// everything unacknowledged — the shell keeps running and no output is lost.

import { randomUUID } from 'node:crypto';
import type { DataChannel } from '@openssm/channel';
import { CodedError, encodeAgentOpenDataChannel, type SessionState } from '@openssm/protocol';
import { WebSocket } from 'ws';
import { AgentError, formatAgentError, hasAwsCode } from '../agent-error.js';
import type { Logger } from '../logging/logger.js';
import { encodeSessionStateMessage } from '../mgs/agent-messages.js';
import type { MessageGatewayClient } from '../mgs/mgs-client.js';
import { corkPerTick, keepAlive, toBytes } from '../mgs/websocket-connection.js';
import { Backoff, sleep, type BackoffPolicy, type Random } from '../retry/backoff.js';

/**
 * How long a session keeps trying to get its data channel back before it gives up and ends. The
 * server keeps a session whose agent vanished for a grace period of its own; two minutes covers
 * a server restart without keeping an orphaned shell for long.
 */
export const DATA_CHANNEL_RECONNECT_DEADLINE_MS = 120_000;

export interface DataChannelConnectionOptions {
  readonly sessionId: string;
  readonly instanceId: string;
  readonly mgs: MessageGatewayClient;
  readonly channel: DataChannel;
  readonly pingIntervalMs: number;
  readonly connectionTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly random?: Random;
  readonly reconnectDeadlineMs?: number;
  readonly log: Logger;
  /** The channel could not be re-established: the session must end. */
  readonly onLost: (error: unknown) => void;
}

export class DataChannelConnection {
  private socket: WebSocket | undefined;
  private readonly closing = new AbortController();
  private reconnecting: Promise<void> | undefined;

  constructor(private readonly options: DataChannelConnectionOptions) {}

  /** Opens the first socket, retrying transient failures until the deadline. */
  async connect(): Promise<void> {
    const deadline =
      Date.now() + (this.options.reconnectDeadlineMs ?? DATA_CHANNEL_RECONNECT_DEADLINE_MS);
    const backoff = new Backoff(this.options.backoff, this.options.random);
    for (;;) {
      if (this.closing.signal.aborted) throw new AgentError('Stopped', 'the session ended');
      try {
        this.adopt(await this.open());
        return;
      } catch (error) {
        if (this.closing.signal.aborted || isDefinite(error) || Date.now() >= deadline) throw error;
        const delay = backoff.next();
        this.options.log.warn('opening the data channel failed; retrying', {
          sessionId: this.options.sessionId,
          error: formatAgentError(error),
          inMs: delay,
        });
        await sleep(delay, this.closing.signal);
      }
    }
  }

  /** agent_session_state on the current socket (lost if there is none: it is informational). */
  sendSessionState(state: SessionState): void {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    socket.send(encodeSessionStateMessage(this.options.sessionId, state), { binary: true });
  }

  /** Stops reconnecting; the server said the session is over. */
  stopReconnecting(): void {
    this.closing.abort();
  }

  /** Stops reconnecting and closes the socket. */
  async close(): Promise<void> {
    this.closing.abort();
    const socket = this.socket;
    this.socket = undefined;
    this.options.channel.detach();
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.close(1000, 'session ended');
      const timer = setTimeout(() => socket.terminate(), 2000);
      await closed;
      clearTimeout(timer);
    }
    await this.reconnecting;
  }

  private async open(): Promise<WebSocket> {
    const { mgs, sessionId, instanceId } = this.options;
    const token = await mgs.createDataChannel(sessionId);
    const socket = await mgs.openDataChannel(sessionId);
    socket.send(
      encodeAgentOpenDataChannel({
        requestId: randomUUID(),
        tokenValue: token,
        clientInstanceId: instanceId,
        clientId: '',
      }),
    );
    return socket;
  }

  private adopt(socket: WebSocket): void {
    const { channel, log, sessionId } = this.options;
    if (this.closing.signal.aborted) {
      socket.close(1000, 'session ended');
      return;
    }
    this.socket = socket;
    const stopKeepAlive = keepAlive(socket, {
      pingIntervalMs: this.options.pingIntervalMs,
      timeoutMs: this.options.connectionTimeoutMs,
      onTimeout: () => {
        log.warn('data channel silent for too long; reconnecting', { sessionId });
        socket.terminate();
      },
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return;
      try {
        channel.receive(toBytes(data));
      } catch (error) {
        // A bad frame closes this socket with its coded reason; the session reconnects.
        const code = error instanceof CodedError ? (error.spec.wsCloseCode ?? 1002) : 1002;
        log.warn('bad frame on the data channel', { sessionId, error: formatAgentError(error) });
        socket.close(code, error instanceof CodedError ? error.code : 'bad frame');
      }
    });
    socket.once('close', () => {
      stopKeepAlive();
      if (this.socket !== socket) return;
      this.socket = undefined;
      channel.detach();
      if (this.closing.signal.aborted) return;
      log.warn('data channel dropped; re-creating it', { sessionId });
      this.reconnecting = this.reconnect().finally(() => {
        this.reconnecting = undefined;
      });
    });
    const cork = corkPerTick(socket);
    channel.attach({
      send: (bytes) => {
        if (socket.readyState !== WebSocket.OPEN) return;
        cork();
        socket.send(bytes, { binary: true });
      },
    });
  }

  private async reconnect(): Promise<void> {
    const { log, sessionId } = this.options;
    const signal = this.closing.signal;
    const deadline =
      Date.now() + (this.options.reconnectDeadlineMs ?? DATA_CHANNEL_RECONNECT_DEADLINE_MS);
    const backoff = new Backoff(this.options.backoff, this.options.random);
    while (!signal.aborted) {
      await sleep(backoff.next(), signal);
      if (signal.aborted) return;
      try {
        this.adopt(await this.open());
        log.info('data channel re-created', { sessionId });
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (isDefinite(error) || Date.now() >= deadline) {
          log.warn('giving up on the data channel', { sessionId, error: formatAgentError(error) });
          this.options.onLost(error);
          return;
        }
        log.warn('re-creating the data channel failed; retrying', {
          sessionId,
          error: formatAgentError(error),
        });
      }
    }
  }
}

/**
 * A refusal that retrying cannot change: the server answered 4xx for reasons other than
 * throttling or credentials (which are renewed and retried), e.g. the session no longer exists.
 */
function isDefinite(error: unknown): boolean {
  if (!(error instanceof AgentError)) return false;
  const status = error.httpStatus;
  if (status === undefined || status < 400 || status >= 500) return false;
  if (hasAwsCode(error, 'AccessDeniedException')) return true;
  if (status === 401 || status === 403 || status === 429) return false;
  return !hasAwsCode(
    error,
    'ThrottlingException',
    'ExpiredTokenException',
    'UnrecognizedClientException',
    'InvalidSignatureException',
  );
}
