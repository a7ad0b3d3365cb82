// The message gateway's session bookkeeping: opens sessions on nodes, keeps one relay per live
// session, turns what the relays and control channels observe into session statuses, and ends
// sessions on both sides. In-process now; the scale-out issue routes across replicas.

import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_PAYLOAD_LENGTH,
  type AgentJobAck,
  type AgentJobReply,
  type AgentTaskComplete,
  type AgentTaskPayload,
} from '@openssm/protocol';
import type { CommandGateway, OutgoingJob } from '../services/command-engine.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionRegistry } from '../services/connection-registry.js';
import type { SessionGateway, SessionService } from '../services/session-service.js';
import type { SessionRecord, SessionStatus } from '../storage/records.js';
import { ControlHub } from './control-hub.js';
import {
  agentJobMessage,
  agentJobReplyAckMessage,
  channelClosedMessage,
  interactiveShellMessage,
} from './frames.js';
import { SessionRelay } from './data-relay.js';

export interface GatewayOptions {
  readonly connections: ConnectionRegistry;
  readonly sessions: () => SessionService;
  /** Run Command: where acknowledgements and replies go, and who hears of (re)connections. */
  readonly commands: () => CommandEvents;
  readonly log: Logger;
  readonly now: () => number;
  /** How long a session survives its agent's data socket being gone. */
  readonly agentGraceMs: number;
}

/** What the gateway tells the command engine. */
export interface CommandEvents {
  nodeConnected(instanceId: string): void;
  jobAcknowledged(instanceId: string, ack: AgentJobAck): void;
  jobReplied(instanceId: string, messageId: string, reply: AgentJobReply): void;
}

/** What the node printed when its agent vanished mid-session. */
export const AGENT_LOST_OUTPUT = 'The session ended because the node disconnected.';

export class Gateway implements SessionGateway, CommandGateway {
  readonly control: ControlHub;
  private readonly relays = new Map<string, SessionRelay>();

  constructor(private readonly options: GatewayOptions) {
    this.control = new ControlHub(
      options.connections,
      {
        taskComplete: (instanceId, complete) => this.onTaskComplete(instanceId, complete),
        nodeConnected: (instanceId) => options.commands().nodeConnected(instanceId),
        nodeDisconnected: () => undefined,
        jobAcknowledged: (instanceId, ack) => options.commands().jobAcknowledged(instanceId, ack),
        jobReplied: (instanceId, messageId, reply) =>
          options.commands().jobReplied(instanceId, messageId, reply),
      },
      options.log,
      options.now,
    );
  }

  openOnNode(instanceId: string, task: AgentTaskPayload): boolean {
    this.relayFor({ sessionId: task.sessionId, target: instanceId });
    const sent = this.control.send(instanceId, interactiveShellMessage(task, this.options.now()));
    if (!sent) this.dropRelay(task.sessionId);
    return sent;
  }

  isConnected(instanceId: string): boolean {
    return this.control.has(instanceId);
  }

  sendJob(instanceId: string, job: OutgoingJob): boolean {
    return this.control.send(instanceId, agentJobMessage(job.messageId, job, this.options.now()));
  }

  acknowledgeReply(instanceId: string, jobId: string, messageId: string): void {
    this.control.send(instanceId, agentJobReplyAckMessage(jobId, messageId, this.options.now()));
  }

  closeChannels(session: SessionRecord, output: string): void {
    this.relays.get(session.sessionId)?.end(output);
    this.dropRelay(session.sessionId);
    // The control-channel copy reaches the agent even when its data channel is gone.
    this.control.send(session.target, channelClosedMessage(session, '', this.options.now(), true));
  }

  /** The relay of a live session, created on first use. */
  relayFor(session: { readonly sessionId: string; readonly target: string }): SessionRelay {
    let relay = this.relays.get(session.sessionId);
    if (relay === undefined || relay.isEnded) {
      relay = new SessionRelay({
        sessionId: session.sessionId,
        target: session.target,
        agentGraceMs: this.options.agentGraceMs,
        maxPayloadLength: DEFAULT_MAX_PAYLOAD_LENGTH,
        now: this.options.now,
        events: {
          statusChanged: (sessionId, status) => this.setStatus(sessionId, status),
          agentLost: (sessionId) => {
            this.endSession(sessionId, 'Failed', AGENT_LOST_OUTPUT).catch((error: unknown) =>
              this.logFailure('session end', error),
            );
          },
        },
      });
      this.relays.set(session.sessionId, relay);
    }
    return relay;
  }

  /** Ends every relay (server shutdown). */
  closeAll(): void {
    for (const relay of this.relays.values()) relay.end('The server is shutting down.');
    this.relays.clear();
  }

  private onTaskComplete(instanceId: string, complete: AgentTaskComplete): void {
    void (async () => {
      const session = await this.options.sessions().get(complete.taskId);
      // A node may only complete its own sessions.
      if (session === undefined || session.target !== instanceId) return;
      const failed = complete.finalTaskStatus === 'Failed';
      await this.endSession(session.sessionId, failed ? 'Failed' : 'Terminated', complete.output);
    })().catch((error: unknown) => this.logFailure('task completion', error));
  }

  private async endSession(
    sessionId: string,
    status: SessionStatus,
    output: string,
  ): Promise<void> {
    await this.options
      .sessions()
      .setStatus(sessionId, status, this.options.now(), output.slice(0, 1024));
    this.relays.get(sessionId)?.end(output);
    this.dropRelay(sessionId);
  }

  private setStatus(sessionId: string, status: SessionStatus): void {
    this.options
      .sessions()
      .setStatus(sessionId, status, this.options.now())
      .catch((error: unknown) => this.logFailure('session status', error));
  }

  private dropRelay(sessionId: string): void {
    this.relays.delete(sessionId);
  }

  private logFailure(what: string, error: unknown): void {
    this.options.log.error(`gateway ${what} failed`, {
      errorId: randomUUID(),
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
