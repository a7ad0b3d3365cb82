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
import type { ServiceEvent } from '../audit/cloudtrail-record.js';
import { instanceArn, sessionArn, type ServerIdentity } from '../services/services.js';
import type { SessionRecord, SessionStatus } from '../storage/records.js';
import type { SessionMonitor } from './session-monitor.js';
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
  /** Session lifecycle events for the audit trail (connect, disconnect, end). */
  readonly audit?: (event: ServiceEvent) => void;
  readonly identity?: ServerIdentity;
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
  private readonly monitors = new Map<string, SessionMonitor>();
  /** The connection state last audited per live session: both ends report Connected. */
  private readonly audited = new Map<string, SessionStatus>();

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

  openOnNode(instanceId: string, task: AgentTaskPayload, monitor?: SessionMonitor): boolean {
    if (monitor !== undefined) this.monitors.set(task.sessionId, monitor);
    this.relayFor({ sessionId: task.sessionId, target: instanceId });
    const sent = this.control.send(instanceId, interactiveShellMessage(task, this.options.now()));
    if (!sent) {
      this.dropRelay(task.sessionId);
      this.finishMonitor(task.sessionId);
    }
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
    this.ended(session, output);
    // The control-channel copy reaches the agent even when its data channel is gone.
    this.control.send(session.target, channelClosedMessage(session, '', this.options.now(), true));
  }

  disconnectNode(instanceId: string, reason: string): void {
    this.control.disconnect(instanceId, reason);
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
        ...(this.monitors.has(session.sessionId)
          ? { tap: this.monitors.get(session.sessionId)! }
          : {}),
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
    for (const sessionId of [...this.monitors.keys()]) this.finishMonitor(sessionId);
  }

  /** True while this gateway records the session (its recording is still being written). */
  isMonitoring(sessionId: string): boolean {
    return this.monitors.has(sessionId);
  }

  /** Waits for recordings of ended sessions to be written (server shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all(this.finishing);
  }

  private readonly finishing = new Set<Promise<void>>();

  private finishMonitor(sessionId: string): void {
    const monitor = this.monitors.get(sessionId);
    if (monitor === undefined) return;
    this.monitors.delete(sessionId);
    const done = monitor
      .end(this.options.now())
      .catch((error: unknown) => this.logFailure('recording finish', error))
      .finally(() => this.finishing.delete(done));
    this.finishing.add(done);
  }

  /** The session is over: its recording is finished and the end is audited. */
  private ended(session: SessionRecord, output: string): void {
    this.finishMonitor(session.sessionId);
    this.audited.delete(session.sessionId);
    const identity = this.options.identity;
    if (this.options.audit === undefined || identity === undefined) return;
    const now = this.options.now();
    this.options.audit({
      name: 'SessionEnd',
      time: now,
      owner: { arn: session.owner, name: session.owner.slice(session.owner.lastIndexOf('/') + 1) },
      resources: [sessionArn(identity, session.sessionId), instanceArn(identity, session.target)],
      details: {
        sessionId: session.sessionId,
        target: session.target,
        status: session.status,
        reason: output.slice(0, 1024),
        durationSeconds: Math.max(0, Math.round((now - session.startedAt) / 1000)),
      },
    });
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
    const ended = await this.options
      .sessions()
      .setStatus(sessionId, status, this.options.now(), output.slice(0, 1024));
    this.relays.get(sessionId)?.end(output);
    this.dropRelay(sessionId);
    if (ended !== undefined) this.ended(ended, output);
    else this.finishMonitor(sessionId);
  }

  private setStatus(sessionId: string, status: SessionStatus): void {
    this.options
      .sessions()
      .setStatus(sessionId, status, this.options.now())
      .then((session) => {
        const identity = this.options.identity;
        if (session === undefined || identity === undefined || this.options.audit === undefined)
          return;
        if (status !== 'Connected' && status !== 'Disconnected') return;
        if (this.audited.get(sessionId) === status) return;
        this.audited.set(sessionId, status);
        this.options.audit({
          name: status === 'Connected' ? 'SessionConnect' : 'SessionDisconnect',
          time: this.options.now(),
          owner: {
            arn: session.owner,
            name: session.owner.slice(session.owner.lastIndexOf('/') + 1),
          },
          resources: [sessionArn(identity, sessionId), instanceArn(identity, session.target)],
          details: { sessionId, target: session.target, status },
        });
      })
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
