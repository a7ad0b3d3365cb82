// Agents' control channels on this server (ssm-wire §6.3–§6.6): which node is connected, how to
// send it a message, and what to do with what it sends — acknowledge `agent_task_complete` and
// report it so the session ends; hand Run Command's agent_job_ack and agent_job_reply to the
// command engine. A payload that does not parse is logged and dropped (a reply is acknowledged,
// or the node would resend it forever); only a malformed frame closes the channel.

import {
  CodedError,
  MessageType,
  decodeAgentMessage,
  parseAgentJobAck,
  parseAgentJobReply,
  parseAgentTaskComplete,
  type AgentJobAck,
  type AgentJobReply,
  type AgentTaskComplete,
} from '@openssm/protocol';
import type { Logger } from '../logging/logger.js';
import type { ConnectionRegistry } from '../services/connection-registry.js';
import { agentJobReplyAckMessage, taskAcknowledgeMessage } from './frames.js';
import type { ChannelSocket } from './socket.js';

/** Largest message an agent may send on its control channel (AWS's agent caps replies at 120 000 bytes). */
export const MAX_CONTROL_PAYLOAD_BYTES = 256 * 1024;

/** WebSocket close code of a control channel whose node was deregistered (4403: forbidden). */
export const NODE_DEREGISTERED_CLOSE_CODE = 4403;

export interface ControlHubEvents {
  taskComplete(instanceId: string, complete: AgentTaskComplete): void;
  nodeConnected(instanceId: string): void;
  nodeDisconnected(instanceId: string): void;
  jobAcknowledged(instanceId: string, ack: AgentJobAck): void;
  jobReplied(instanceId: string, messageId: string, reply: AgentJobReply): void;
}

export interface ControlConnection {
  /** Feed one binary message from the agent; throws CodedError for a malformed frame. */
  receive(bytes: Uint8Array): void;
  closed(): void;
}

export class ControlHub {
  private readonly sockets = new Map<string, ChannelSocket>();

  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly events: ControlHubEvents,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** Registers a node's freshly opened control channel (a newer one replaces an older one). */
  attach(instanceId: string, socket: ChannelSocket): ControlConnection {
    const previous = this.sockets.get(instanceId);
    this.sockets.set(instanceId, socket);
    this.connections.markConnected(instanceId);
    if (previous !== undefined) previous.close(4409, 'replaced by a newer control channel');
    this.events.nodeConnected(instanceId);
    let open = true;
    return {
      receive: (bytes) => this.receive(instanceId, socket, bytes),
      closed: () => {
        if (!open) return;
        open = false;
        this.connections.markDisconnected(instanceId);
        if (this.sockets.get(instanceId) === socket) {
          this.sockets.delete(instanceId);
          this.events.nodeDisconnected(instanceId);
        }
      },
    };
  }

  /** The node has a control channel on this server. */
  has(instanceId: string): boolean {
    return this.sockets.has(instanceId);
  }

  /**
   * Closes the node's control channel (it was deregistered): the socket goes at once, with a
   * close code the agent logs, rather than lingering until its credentials would have expired.
   */
  disconnect(instanceId: string, reason: string): boolean {
    const socket = this.sockets.get(instanceId);
    if (socket === undefined) return false;
    socket.close(NODE_DEREGISTERED_CLOSE_CODE, reason);
    return true;
  }

  /** Sends a message to a node; false when it has no control channel here. */
  send(instanceId: string, bytes: Uint8Array): boolean {
    const socket = this.sockets.get(instanceId);
    if (socket === undefined) return false;
    socket.send(bytes);
    return true;
  }

  private receive(instanceId: string, socket: ChannelSocket, bytes: Uint8Array): void {
    const message = decodeAgentMessage(bytes, { maxPayloadLength: MAX_CONTROL_PAYLOAD_BYTES });
    switch (message.messageType) {
      case MessageType.AgentTaskComplete: {
        const complete = parseAgentTaskComplete(message.payload);
        // Acknowledge every copy (the agent resends until acked), report the first.
        socket.send(
          taskAcknowledgeMessage(message.messageId, complete.taskId, complete.topic, this.now()),
        );
        this.events.taskComplete(instanceId, complete);
        return;
      }
      case MessageType.AgentJobAck: {
        let ack: AgentJobAck;
        try {
          ack = parseAgentJobAck(message.payload);
        } catch (error) {
          this.dropped(instanceId, message.messageType, error);
          return;
        }
        this.events.jobAcknowledged(instanceId, ack);
        return;
      }
      case MessageType.AgentJobReply: {
        let reply: AgentJobReply;
        try {
          reply = parseAgentJobReply(message.payload);
        } catch (error) {
          this.dropped(instanceId, message.messageType, error);
          // Acknowledged all the same: it can never be read, and unacknowledged it comes back.
          socket.send(agentJobReplyAckMessage('', message.messageId, this.now()));
          return;
        }
        this.events.jobReplied(instanceId, message.messageId, reply);
        return;
      }
      default:
        // Telemetry and unknown types.
        this.log.debug('control message ignored', { instanceId, messageType: message.messageType });
    }
  }

  private dropped(instanceId: string, messageType: string, error: unknown): void {
    this.log.warn('unreadable control message dropped', {
      instanceId,
      messageType,
      code: error instanceof CodedError ? error.code : undefined,
      error: error instanceof Error ? error.message.slice(0, 300) : String(error),
    });
  }
}
