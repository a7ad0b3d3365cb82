// Relays one session's data channel between the client and the agent (ssm-wire §4.5, §11.1):
// stream data and acknowledgements pass verbatim in both directions; the gateway only reads
// headers. While the client is away the agent is paused; if the agent's socket is gone for
// longer than a grace period the session fails. Ending sends channel_closed to both sides.

import {
  CodedError,
  MessageType,
  decodeAgentMessage,
  parseAgentSessionState,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import type { SessionStatus } from '../storage/records.js';
import { channelClosedMessage, publicationMessage } from './frames.js';
import type { ChannelSocket } from './socket.js';

export interface RelayEvents {
  statusChanged(sessionId: string, status: SessionStatus): void;
  /** The agent's data socket stayed away for the whole grace period. */
  agentLost(sessionId: string): void;
}

/**
 * Sees every stream frame the relay forwards (the session monitor: recording, idle timer).
 * It gets the decoded message and must not throw; the relay forwards the original bytes.
 */
export interface RelayTap {
  fromClient(message: DecodedAgentMessage): void;
  fromAgent(message: DecodedAgentMessage): void;
  /** A client (re)joined the data channel from this address. */
  clientAttached?(address: string): void;
}

export interface RelayOptions {
  readonly sessionId: string;
  readonly target: string;
  /** How long a vanished agent socket may take to come back (an agent re-creates it). */
  readonly agentGraceMs: number;
  /** Largest payload relayed (the decode limit); checked before anything else. */
  readonly maxPayloadLength: number;
  readonly now: () => number;
  readonly events: RelayEvents;
  readonly tap?: RelayTap;
}

export interface RelayEnd {
  /** One binary frame from this side; throws CodedError for a malformed one. */
  receive(bytes: Uint8Array): void;
  closed(): void;
}

const CLIENT_TO_AGENT: ReadonlySet<string> = new Set([
  MessageType.InputStreamData,
  MessageType.Acknowledge,
]);
const AGENT_TO_CLIENT: ReadonlySet<string> = new Set([
  MessageType.OutputStreamData,
  MessageType.Acknowledge,
]);

export class SessionRelay {
  private client: ChannelSocket | undefined;
  private agent: ChannelSocket | undefined;
  private agentGrace: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(private readonly options: RelayOptions) {}

  get isEnded(): boolean {
    return this.ended;
  }

  attachClient(socket: ChannelSocket): RelayEnd {
    this.client?.close(4409, 'replaced by a resumed connection');
    this.client = socket;
    if (socket.remoteAddress !== undefined)
      this.options.tap?.clientAttached?.(socket.remoteAddress);
    if (this.agent !== undefined) {
      this.agent.send(
        publicationMessage(
          MessageType.StartPublication,
          this.options.sessionId,
          this.options.now(),
        ),
      );
      this.options.events.statusChanged(this.options.sessionId, 'Connected');
    }
    return {
      receive: (bytes) => {
        const message = this.decode(bytes);
        if (CLIENT_TO_AGENT.has(message.messageType)) {
          this.options.tap?.fromClient(message);
          this.agent?.send(bytes);
        }
      },
      closed: () => {
        if (this.client !== socket) return;
        this.client = undefined;
        if (this.ended) return;
        // The client may resume; until then the agent holds its output (§11.1).
        this.agent?.send(
          publicationMessage(
            MessageType.PausePublication,
            this.options.sessionId,
            this.options.now(),
          ),
        );
        this.options.events.statusChanged(this.options.sessionId, 'Disconnected');
      },
    };
  }

  attachAgent(socket: ChannelSocket): RelayEnd {
    this.agent?.close(4409, 'replaced by a newer data channel');
    this.agent = socket;
    if (this.agentGrace !== undefined) clearTimeout(this.agentGrace);
    this.agentGrace = undefined;
    const kind =
      this.client === undefined ? MessageType.PausePublication : MessageType.StartPublication;
    socket.send(publicationMessage(kind, this.options.sessionId, this.options.now()));
    return {
      receive: (bytes) => {
        const message = this.decode(bytes);
        if (AGENT_TO_CLIENT.has(message.messageType)) {
          this.options.tap?.fromAgent(message);
          this.client?.send(bytes);
        } else if (message.messageType === MessageType.AgentSessionState) {
          this.onSessionState(message);
        }
      },
      closed: () => {
        if (this.agent !== socket) return;
        this.agent = undefined;
        if (this.ended) return;
        this.agentGrace = setTimeout(() => {
          this.agentGrace = undefined;
          if (this.agent === undefined && !this.ended)
            this.options.events.agentLost(this.options.sessionId);
        }, this.options.agentGraceMs);
      },
    };
  }

  /** Sends channel_closed to both sides and closes their sockets. Idempotent. */
  end(output: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.agentGrace !== undefined) clearTimeout(this.agentGrace);
    const closed = channelClosedMessage(
      { sessionId: this.options.sessionId, target: this.options.target },
      output,
      this.options.now(),
      false,
    );
    for (const socket of [this.client, this.agent]) {
      socket?.send(closed);
      socket?.close(1000, 'session ended');
    }
    this.client = undefined;
    this.agent = undefined;
  }

  private decode(bytes: Uint8Array): DecodedAgentMessage {
    // No digest check: the peers verify digests; the relay must not spend CPU re-hashing
    // payloads. The payload is a view into `bytes`, not a copy.
    return decodeAgentMessage(bytes, { maxPayloadLength: this.options.maxPayloadLength });
  }

  private onSessionState(message: DecodedAgentMessage): void {
    const state = parseAgentSessionState(message.payload);
    if (state.sessionId !== '' && state.sessionId !== this.options.sessionId) {
      throw new CodedError('PayloadInvalid', 'agent_session_state names another session');
    }
    if (state.sessionState === 'Connected' && this.client !== undefined) {
      this.options.events.statusChanged(this.options.sessionId, 'Connected');
    } else if (state.sessionState === 'Terminating') {
      this.options.events.statusChanged(this.options.sessionId, 'Terminating');
    }
  }
}
