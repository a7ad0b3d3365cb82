// One interactive_shell task from start to report (ssm-wire §6.4, §4.8, §4.11, §6.5): plan the
// session from its document, open the data channel, say Connected, negotiate with the client,
// run the shell, say Terminating, close the channel and report agent_task_complete. A
// channel_closed, a lost channel or the agent stopping ends it through cancel().

import { AgentHandshake, DataChannel, OPENSSM_TRANSPORT_OFFER } from '@openssm/channel';
import {
  MessageType,
  SessionState,
  type AgentTaskPayload,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { formatAgentError } from '../agent-error.js';
import type { FinalTaskStatus, TaskCompletionReporter } from '../control/task-completion.js';
import type { Logger } from '../logging/logger.js';
import { nodeEnvironment } from '../mgs/agent-messages.js';
import type { MessageGatewayClient } from '../mgs/mgs-client.js';
import type { BackoffPolicy, Random } from '../retry/backoff.js';
import type { ProcessSpawner } from '../session/session-process.js';
import { DEFAULT_DENIED_DESTINATIONS, DestinationPolicy } from '../port/destination-policy.js';
import { planPortSession } from '../port/port-plan.js';
import { PortSession } from '../port/port-session.js';
import { ShellSession, waitForDrain, DEFAULT_DRAIN_TIMEOUT_MS } from '../session/shell-session.js';
import type { UserDirectory } from '../session/user-directory.js';
import { AGENT_VERSION, HANDSHAKE_AGENT_VERSION } from '../version.js';
import { DataChannelConnection } from './data-channel-connection.js';
import { planShellSession } from './session-document.js';

export interface SessionRuntime {
  readonly instanceId: string;
  readonly mgs: MessageGatewayClient;
  readonly completions: TaskCompletionReporter;
  readonly log: Logger;
  readonly pingIntervalMs: number;
  readonly connectionTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly random?: Random;
  /** Decides RunAs: only a root agent runs sessions as another user (ssm-user by default). */
  readonly agentIsRoot: boolean;
  readonly sessionEnvironment: Readonly<Record<string, string>>;
  /** Creates the session user (ssm-user) when it is missing. */
  readonly ensureUser: (name: string) => Promise<unknown>;
  readonly users?: UserDirectory;
  readonly spawn?: ProcessSpawner;
  readonly dataChannelReconnectDeadlineMs?: number;
  readonly handshakeTimeoutMs?: number;
  /** Where Port sessions may connect (--port-forward-deny); default: the built-in deny list. */
  readonly destinationPolicy?: DestinationPolicy;
}

/** What SessionTask runs after the handshake: a shell or a port session. */
interface SessionRun {
  handleStreamMessage(message: Parameters<ShellSession['handleStreamMessage']>[0]): boolean;
  start(clientVersion: string): Promise<void>;
  readonly done: Promise<{ readonly terminated: boolean; readonly error?: string }>;
  terminate(): unknown;
}

interface Outcome {
  readonly status: FinalTaskStatus;
  readonly output: string;
}

class Cancelled extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.output);
  }
}

const DEFAULT_POLICY = DestinationPolicy.parse(DEFAULT_DENIED_DESTINATIONS);

export class SessionTask {
  private cancelledWith: Outcome | undefined;
  private readonly cancelled: Promise<never>;
  private rejectCancelled: (error: Cancelled) => void = () => undefined;
  private session: SessionRun | undefined;
  private channel: DataChannel | undefined;
  private connection: DataChannelConnection | undefined;

  constructor(
    readonly sessionId: string,
    private readonly task: AgentTaskPayload,
    private readonly runtime: SessionRuntime,
  ) {
    this.cancelled = new Promise<never>((_, reject) => {
      this.rejectCancelled = reject;
    });
    this.cancelled.catch(() => undefined);
  }

  /**
   * Ends the session: a shell is hung up, a session still being set up stops there. `failed`
   * reports the session as Failed with `reason`; otherwise it ended as asked (Success).
   * `abandon` closes the data channel at once: nobody is left to receive the last output (the
   * server ended the session, or the channel is lost), so waiting for it to drain is pointless.
   */
  cancel(reason: string, options: { failed?: boolean; abandon?: boolean } = {}): void {
    if (this.cancelledWith !== undefined) return;
    const failed = options.failed === true;
    this.cancelledWith = { status: failed ? 'Failed' : 'Success', output: failed ? reason : '' };
    this.runtime.log.info('ending session', { sessionId: this.sessionId, reason });
    if (options.abandon === true) {
      this.connection?.stopReconnecting();
      this.channel?.close();
    }
    this.rejectCancelled(new Cancelled(this.cancelledWith));
    void this.session?.terminate();
  }

  /** Runs the session and reports how it ended; never rejects. */
  async run(): Promise<void> {
    const outcome = await this.execute();
    await this.runtime.completions.report(this.sessionId, outcome.status, outcome.output);
  }

  private async execute(): Promise<Outcome> {
    const { runtime, sessionId } = this;
    const { log } = runtime;
    let channel: DataChannel | undefined;
    try {
      const sessionType = this.task.documentContent['sessionType'];
      const isPort = sessionType === 'Port';
      const shellPlan = isPort ? undefined : planShellSession(this.task, runtime.agentIsRoot);
      const portPlan = isPort ? planPortSession(this.task) : undefined;
      const runAsUser = shellPlan?.runAs.user;
      if (shellPlan?.runAs.createIfMissing === true && runAsUser !== undefined) {
        await this.unlessCancelled(runtime.ensureUser(runAsUser));
      }
      // Constructed and routed before anything starts (the session's own contract).
      let handshake: AgentHandshake | undefined = undefined;
      let session: SessionRun | undefined = undefined;
      channel = new DataChannel({
        role: 'agent',
        environment: nodeEnvironment,
        handlers: {
          onStreamMessage: (message) =>
            handshake?.handle(message) === true
              ? true
              : (session?.handleStreamMessage(message) ?? false),
          onOtherMessage: (message) => this.onDataChannelMessage(message),
          onFailure: (error) =>
            this.cancel(`the data channel failed: ${error.message}`, { failed: true }),
        },
      });
      this.channel = channel;
      if (portPlan !== undefined) {
        session = new PortSession({
          sessionId,
          channel,
          plan: portPlan,
          policy: runtime.destinationPolicy ?? DEFAULT_POLICY,
          log,
        });
      } else {
        const plan = shellPlan!;
        const shell = new ShellSession({
          channel,
          sessionType: plan.sessionType,
          ...(plan.command === undefined ? {} : { command: plan.command }),
          ...(plan.shellProfile === undefined ? {} : { shellProfile: plan.shellProfile }),
          ...(runAsUser === undefined ? {} : { runAs: { user: runAsUser } }),
          ...(plan.separateOutputStream === undefined
            ? {}
            : { separateOutputStream: plan.separateOutputStream }),
          environment: runtime.sessionEnvironment,
          ...(runtime.users === undefined ? {} : { users: runtime.users }),
          ...(runtime.spawn === undefined ? {} : { spawn: runtime.spawn }),
          onWarning: (message) => log.debug('session warning', { sessionId, message }),
        });
        session = {
          handleStreamMessage: (message) => shell.handleStreamMessage(message),
          start: () => shell.start(),
          done: shell.done,
          terminate: () => shell.terminate(),
        };
      }
      this.session = session;
      handshake = new AgentHandshake({
        channel,
        clock: nodeEnvironment.clock,
        // Port sessions: AWS's plugin picks smux and turns its keep-alive off by this (§5.2–§5.3).
        agentVersion: isPort ? HANDSHAKE_AGENT_VERSION : AGENT_VERSION,
        sessionType: isPort ? 'Port' : shellPlan!.sessionType,
        properties: portPlan?.properties ?? null,
        // AWS's plugin answers the offer "unsupported" and AWS's mode stays (decision 0001).
        // Digests are skipped only when this leg is TLS too (decision 0012).
        transportOffer: runtime.mgs.usesTls
          ? { ...OPENSSM_TRANSPORT_OFFER, skipPayloadDigest: true }
          : OPENSSM_TRANSPORT_OFFER,
        ...(runtime.handshakeTimeoutMs === undefined
          ? {}
          : { timeoutMs: runtime.handshakeTimeoutMs }),
      });
      const connection = new DataChannelConnection({
        sessionId,
        instanceId: runtime.instanceId,
        mgs: runtime.mgs,
        channel,
        pingIntervalMs: runtime.pingIntervalMs,
        connectionTimeoutMs: runtime.connectionTimeoutMs,
        backoff: runtime.backoff,
        ...(runtime.random === undefined ? {} : { random: runtime.random }),
        ...(runtime.dataChannelReconnectDeadlineMs === undefined
          ? {}
          : { reconnectDeadlineMs: runtime.dataChannelReconnectDeadlineMs }),
        log,
        onLost: (error) =>
          this.cancel(`the data channel was lost: ${formatAgentError(error)}`, {
            failed: true,
            abandon: true,
          }),
      });
      this.connection = connection;
      await this.unlessCancelled(connection.connect());
      connection.sendSessionState(SessionState.Connected);
      const started = handshake.start().then(() => handshake.done);
      const negotiated = await this.unlessCancelled(started);
      log.info('session handshake done', {
        sessionId,
        sessionType,
        clientVersion: negotiated.clientVersion,
        transport: negotiated.transport === undefined ? 'aws' : 'openssm',
      });
      if (this.cancelledWith !== undefined) return this.cancelledWith;
      await session.start(negotiated.clientVersion);
      const result = await session.done;
      log.info('session ended', { sessionId, terminated: result.terminated });
      if (isPort) {
        await waitForDrain(channel, DEFAULT_DRAIN_TIMEOUT_MS);
        if (result.error !== undefined) return { status: 'Failed', output: result.error };
      }
      // As AWS's shell plugin: Terminating once the output is delivered, when the session ended
      // by itself (a cancelled one was ended by the server or is going down with the agent).
      if (!result.terminated) connection.sendSessionState(SessionState.Terminating);
      return this.cancelledWith ?? { status: 'Success', output: '' };
    } catch (error) {
      if (error instanceof Cancelled) return error.outcome;
      // Whatever failed after a cancel failed because of it (a closed channel, say).
      if (this.cancelledWith !== undefined) return this.cancelledWith;
      const output = error instanceof Error ? error.message : String(error);
      log.warn('session failed', { sessionId, error: formatAgentError(error) });
      return { status: 'Failed', output };
    } finally {
      await this.connection?.close();
      channel?.close();
    }
  }

  private onDataChannelMessage(message: DecodedAgentMessage): void {
    if (message.messageType === MessageType.ChannelClosed) {
      this.cancel('the server closed the data channel', { abandon: true });
    }
  }

  /** `promise`, unless the session is cancelled first (then it rejects with Cancelled). */
  private unlessCancelled<T>(promise: Promise<T>): Promise<T> {
    promise.catch(() => undefined); // the loser of the race settles unobserved
    return Promise.race([promise, this.cancelled]);
  }
}
