// Runs commands to their end (docs/run-command.md): sends each invocation's agent_job within
// MaxConcurrency (AWS's ramp-up: one, then two more per finished one), stops sending once errors
// exceed MaxErrors, re-sends jobs a node has not acknowledged (on reconnect, on a retryable
// refusal, after a silence), times out what was not delivered in time, applies the nodes'
// acknowledgements and replies — in sequence, deduplicated, a node only ever about its own
// invocations — stores the full output they upload, and cancels. Every change is written
// before it is acted on (CommandWriter); after a restart, `start` picks up where it was.

import { randomUUID } from 'node:crypto';
import {
  AgentJobAckStatus,
  AgentJobTopic,
  createAgentJobId,
  encodeCancelCommandContent,
  parseAgentJobId,
  type AgentJobAck,
  type AgentJobReply,
} from '@openssm/protocol';
import type { Logger } from '../logging/logger.js';
import type {
  CommandInvocationRecord,
  CommandRecord,
  InvocationPluginRecord,
} from '../storage/command-records.js';
import type { CommandRepository } from '../storage/command-repositories.js';
import {
  OUTPUT_CHUNK_TOPIC,
  outputLocation,
  parseOutputChunk,
  type CommandOutputStore,
  type OutputChunk,
} from './command-output.js';
import {
  Details,
  applyReply,
  concurrencyWindow,
  finishInvocation,
  isError,
  isFinalInvocation,
  maxConcurrencyOf,
  maxErrorsOf,
  parseReplyContent,
  summarizeCommand,
} from './command-status.js';
import { CommandWriter } from './command-writer.js';

/** How the engine reaches nodes; implemented by the gateway's control hub. */
export interface CommandGateway {
  /** The node has a control channel on this server. */
  isConnected(instanceId: string): boolean;
  /** Sends an agent_job; false when the node has no control channel here. */
  sendJob(instanceId: string, job: OutgoingJob): boolean;
  /** Sends agent_job_reply_ack naming the reply (or output chunk) `messageId`. */
  acknowledgeReply(instanceId: string, jobId: string, messageId: string): void;
}

export interface OutgoingJob {
  readonly messageId: string;
  readonly jobId: string;
  readonly topic: string;
  readonly content: string;
}

export interface CommandEngineOptions {
  readonly repository: CommandRepository;
  readonly output: CommandOutputStore;
  readonly gateway: () => CommandGateway;
  readonly log: Logger;
  readonly now: () => number;
  /** How often timeouts and retries are looked at (default 1 s). */
  readonly tickMs?: number;
  /** A job sent but not acknowledged this long is sent again (default 30 s). */
  readonly ackTimeoutMs?: number;
}

/** A command the engine holds: its record and its invocations by node, in sending order. */
interface CommandState {
  command: CommandRecord;
  readonly invocations: Map<string, CommandInvocationRecord>;
  /** Node ids in sending order. */
  readonly order: readonly string[];
}

export const DEFAULT_TICK_MS = 1000;
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
/** A refused or failed delivery is tried again after 2 s, doubling to a minute. */
const RETRY_BASE_MS = 2000;
const RETRY_MAX_MS = 60_000;
/** Reply MessageIds remembered to recognise resends without touching state. */
const RECENT_REPLIES = 100_000;
/** Finished commands kept in memory (by invocation count) for late replies and output. */
const FINISHED_CACHE_INVOCATIONS = 20_000;

/** Ack codes after which the job reached the node (it runs, or a Failed reply follows). */
const DELIVERED_CODES: readonly string[] = [
  AgentJobAckStatus.Successful,
  AgentJobAckStatus.DuplicateCommand,
  AgentJobAckStatus.AgentJobMessageParseError,
];
/** Ack codes for a job the node will never run. */
const REFUSED_CODES: readonly string[] = [
  AgentJobAckStatus.UnexpectedDocumentType,
  AgentJobAckStatus.ProcessorErrorCodeTranslationFailed,
  AgentJobAckStatus.ContainerNotSupported,
  AgentJobAckStatus.InvalidDocument,
];

export class CommandEngine {
  private readonly writer: CommandWriter;
  /** Commands not yet final. */
  private readonly running = new Map<string, CommandState>();
  /** Recently finished commands, oldest first. */
  private readonly finished = new Map<string, CommandState>();
  private finishedInvocations = 0;
  private readonly loading = new Map<string, Promise<CommandState | undefined>>();
  /** Cancel job ids → the invocation they cancel. */
  private readonly cancelJobs = new Map<string, { commandId: string; instanceId: string }>();
  /** When an undelivered cancel is sent again. */
  private readonly cancelDue = new Map<string, number>();
  private readonly recentReplies = new Set<string>();
  private readonly dirty = new Set<CommandState>();
  private settleScheduled = false;
  private ticker: NodeJS.Timeout | undefined;
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: CommandEngineOptions) {
    this.writer = new CommandWriter(options.repository, options.log);
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  }

  /** Resumes every unfinished command and starts the timer. */
  async start(): Promise<void> {
    const { repository, log } = this.options;
    for (const command of await repository.listUnfinished()) {
      const invocations = await repository.invocationsOf(command.commandId);
      const state = this.hold(command, invocations);
      for (const invocation of invocations) {
        if (invocation.cancel !== null && !isFinalInvocation(invocation.status)) {
          this.cancelJobs.set(invocation.cancel.jobId, {
            commandId: command.commandId,
            instanceId: invocation.instanceId,
          });
        }
      }
      this.markDirty(state);
      log.info('resuming a command from before the restart', {
        commandId: command.commandId,
        status: command.status,
        targets: command.targetCount,
      });
    }
    this.ticker = setInterval(() => this.tick(), this.options.tickMs ?? DEFAULT_TICK_MS);
    this.ticker.unref();
  }

  /** Stops the timer and waits for pending writes. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await this.writer.stop();
  }

  /** A command SendCommand just stored: start sending it. */
  track(command: CommandRecord, invocations: readonly CommandInvocationRecord[]): void {
    this.markDirty(this.hold(command, invocations));
  }

  /** Resolves once every change so far is durable (tests, shutdown). */
  durable(): Promise<void> {
    return this.writer.durable();
  }

  /**
   * CancelCommand: invocations not yet sent end Cancelled at once; those on a node become
   * Cancelling and the node is sent a cancel job (its own reply ends them). Without instance
   * ids the whole command is cancelled and nothing more is sent.
   */
  async cancel(commandId: string, instanceIds: readonly string[] | undefined): Promise<void> {
    const state = this.running.get(commandId);
    if (state === undefined) return; // finished: nothing to cancel (AWS answers success too)
    const now = this.options.now();
    if (instanceIds === undefined) {
      state.command = { ...state.command, cancelRequested: true, dispatchStopped: true };
      this.writer.putCommand(state.command);
    }
    for (const instanceId of instanceIds ?? state.order) {
      const invocation = state.invocations.get(instanceId);
      if (invocation === undefined || isFinalInvocation(invocation.status)) continue;
      if (invocation.status === 'Cancelling') continue;
      if (invocation.dispatchedAt === null || invocation.status === 'Delayed') {
        // Never reached the node (a Delayed one was not accepted by it): nothing runs there.
        this.update(state, finishInvocation(invocation, 'Cancelled', Details.Cancelled, now));
        continue;
      }
      const jobId = createAgentJobId(randomUUID(), instanceId);
      this.cancelJobs.set(jobId, { commandId, instanceId });
      this.update(state, {
        ...invocation,
        status: 'Cancelling',
        statusDetails: Details.Cancelling,
        cancel: { jobId, requestedAt: now, delivered: false, result: '' },
        updatedAt: now,
      });
      this.sendCancelWhenDurable(state, instanceId);
    }
    await this.writer.durable();
  }

  /** A deregistered node will never run or report anything: what waits for it is Undeliverable. */
  async nodeDeregistered(instanceId: string): Promise<void> {
    const now = this.options.now();
    for (const state of this.running.values()) {
      const invocation = state.invocations.get(instanceId);
      if (invocation === undefined || isFinalInvocation(invocation.status)) continue;
      this.update(
        state,
        finishInvocation(
          invocation,
          'Failed',
          Details.Undeliverable,
          now,
          'The node was deregistered before it reported a result.',
        ),
      );
    }
    await this.writer.durable();
  }

  // ---- events from the gateway -------------------------------------------------------------

  /** A node's control channel opened: what it has not acknowledged goes to it now. */
  nodeConnected(instanceId: string): void {
    const now = this.options.now();
    for (const state of this.running.values()) {
      const invocation = state.invocations.get(instanceId);
      if (invocation === undefined || isFinalInvocation(invocation.status)) continue;
      if (invocation.dispatchedAt === null)
        this.markDirty(state); // its turn may have come
      else if (invocation.deliveredAt === null) this.send(state, invocation, now);
      if (invocation.cancel !== null && !invocation.cancel.delivered) {
        this.sendCancelWhenDurable(state, instanceId);
      }
    }
  }

  /** agent_job_ack from `instanceId`. */
  jobAcknowledged(instanceId: string, ack: AgentJobAck): void {
    const { log } = this.options;
    const ids = this.jobIds(instanceId, ack.jobId, 'agent_job_ack');
    if (ids === undefined) return;
    const now = this.options.now();
    const cancelled = this.cancelJobs.get(ack.jobId);
    if (cancelled !== undefined) {
      this.cancelAcknowledged(cancelled, ack, now);
      return;
    }
    const state = this.running.get(ids.commandId);
    const invocation = state?.invocations.get(instanceId);
    if (state === undefined || invocation === undefined) {
      log.debug('agent_job_ack for no running invocation', { instanceId, jobId: ack.jobId });
      return;
    }
    if (isFinalInvocation(invocation.status) || invocation.deliveredAt !== null) return;
    if (DELIVERED_CODES.includes(ack.statusCode)) {
      this.update(state, {
        ...invocation,
        deliveredAt: now,
        nextAttemptAt: null,
        ...(invocation.status === 'Pending' || invocation.status === 'Delayed'
          ? { status: 'InProgress', statusDetails: Details.InProgress }
          : {}),
        updatedAt: now,
      });
    } else if (REFUSED_CODES.includes(ack.statusCode)) {
      log.warn('a node refused a command', {
        instanceId,
        commandId: ids.commandId,
        statusCode: ack.statusCode,
      });
      const invalid = ack.statusCode === AgentJobAckStatus.InvalidDocument;
      this.update(
        state,
        finishInvocation(
          invocation,
          'Failed',
          invalid ? Details.Failed : Details.Undeliverable,
          now,
          `The node refused the command (${ack.statusCode} ${ack.errorMessage.slice(0, 100)}).`,
        ),
      );
    } else {
      // ProcessorBufferFull, ClosedProcessor, UnexpectedError and codes we do not know: the
      // node did not take it, so it gives its slot back and is tried again later.
      this.update(state, delayed(invocation, now + retryDelay(invocation.sendAttempts), now));
    }
  }

  /** agent_job_reply from `instanceId`: a status reply, an output chunk or a cancel's reply. */
  jobReplied(instanceId: string, messageId: string, reply: AgentJobReply): void {
    void this.receiveReply(instanceId, messageId, reply).catch((error: unknown) =>
      this.options.log.error('a command reply could not be handled', {
        instanceId,
        jobId: reply.jobId.slice(0, 200),
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }

  // ---- reads for the API ---------------------------------------------------------------------

  /** The command as the engine holds it (fresher than storage by at most one write). */
  held(commandId: string): CommandState | undefined {
    return this.running.get(commandId) ?? this.finished.get(commandId);
  }

  // ---- replies -------------------------------------------------------------------------------

  private async receiveReply(
    instanceId: string,
    messageId: string,
    reply: AgentJobReply,
  ): Promise<void> {
    const { log } = this.options;
    const acknowledge = () =>
      this.writer.afterDurable(() =>
        this.options.gateway().acknowledgeReply(instanceId, reply.jobId, messageId),
      );
    let ids: { commandId: string; instanceId: string };
    try {
      ids = parseAgentJobId(reply.jobId);
    } catch {
      // It can never be applied: acknowledge it so the node stops sending it.
      log.warn('agent_job_reply with an unusable job id; acknowledged and dropped', {
        instanceId,
      });
      acknowledge();
      return;
    }
    if (ids.instanceId !== instanceId) {
      log.warn('a node replied for another node’s job; ignored', {
        instanceId,
        jobId: reply.jobId.slice(0, 200),
      });
      return;
    }
    if (this.recentReplies.has(messageId)) {
      acknowledge();
      return;
    }
    if (reply.topic === OUTPUT_CHUNK_TOPIC) {
      await this.receiveChunk(instanceId, ids.commandId, reply);
    } else if (reply.topic.startsWith(AgentJobTopic.CancelCommand)) {
      this.receiveCancelReply(reply);
    } else {
      await this.receiveStatus(instanceId, ids.commandId, reply);
    }
    this.remember(messageId);
    acknowledge();
  }

  private async receiveStatus(
    instanceId: string,
    commandId: string,
    reply: AgentJobReply,
  ): Promise<void> {
    const { log } = this.options;
    const state = await this.stateOf(commandId);
    if (state?.invocations.get(instanceId) === undefined) {
      log.warn('a reply for a command this node was not sent; dropped', { instanceId, commandId });
      return;
    }
    let content;
    try {
      content = parseReplyContent(reply.content);
    } catch (error) {
      log.warn('an unreadable command reply; dropped', {
        instanceId,
        commandId,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    // Read again: the state may have moved while it loaded.
    const invocation = state.invocations.get(instanceId)!;
    const updated = applyReply(invocation, content, this.options.now());
    this.update(state, updated);
  }

  private async receiveChunk(
    instanceId: string,
    commandId: string,
    reply: AgentJobReply,
  ): Promise<void> {
    const { log, output } = this.options;
    let chunk: OutputChunk;
    try {
      chunk = parseOutputChunk(reply.content);
      if (chunk.commandId !== commandId) throw new Error('its commandId is not its job’s');
    } catch (error) {
      log.warn('an unreadable output chunk; dropped', {
        instanceId,
        commandId,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    const state = await this.stateOf(commandId);
    const invocation = state?.invocations.get(instanceId);
    const plugin = invocation?.plugins.find((candidate) => candidate.name === chunk.pluginId);
    if (state === undefined || invocation === undefined || plugin === undefined) {
      log.warn('output for no known step of this node; dropped', {
        instanceId,
        commandId,
        pluginId: chunk.pluginId.slice(0, 100),
      });
      return;
    }
    const kept = this.keptBytes(state, instanceId, chunk);
    const location = outputLocation(state.command, instanceId, plugin, chunk.stream);
    await this.writer.durable();
    await output.write(location, chunk, kept);
  }

  /**
   * How much of a stream is kept: decided (and recorded) with its first chunk, as what remains
   * of the invocation's cap after the streams decided before it.
   */
  private keptBytes(state: CommandState, instanceId: string, chunk: OutputChunk): number {
    const invocation = state.invocations.get(instanceId)!;
    const index = invocation.plugins.findIndex((plugin) => plugin.name === chunk.pluginId);
    const plugin = invocation.plugins[index]!;
    const decided = plugin.outputKept[chunk.stream];
    if (decided !== null) return decided;
    const used = invocation.plugins.reduce(
      (sum, other) => sum + (other.outputKept.stdout ?? 0) + (other.outputKept.stderr ?? 0),
      0,
    );
    const kept = Math.max(
      0,
      Math.min(chunk.totalBytes, this.options.output.maxBytesPerInvocation - used),
    );
    const plugins: InvocationPluginRecord[] = [...invocation.plugins];
    plugins[index] = { ...plugin, outputKept: { ...plugin.outputKept, [chunk.stream]: kept } };
    this.update(state, { ...invocation, plugins, updatedAt: this.options.now() });
    return kept;
  }

  private receiveCancelReply(reply: AgentJobReply): void {
    const { log } = this.options;
    const target = this.cancelJobs.get(reply.jobId);
    const state = target === undefined ? undefined : this.running.get(target.commandId);
    const invocation = target === undefined ? undefined : state?.invocations.get(target.instanceId);
    if (state === undefined || !invocation?.cancel) {
      log.debug('a cancel reply for no pending cancel', { jobId: reply.jobId.slice(0, 200) });
      return;
    }
    let result = 'Failed';
    try {
      result = parseReplyContent(reply.content).documentStatus === 'Success' ? 'Success' : 'Failed';
    } catch {
      log.warn('an unreadable cancel reply; taken as Failed', { jobId: reply.jobId });
    }
    const now = this.options.now();
    let updated: CommandInvocationRecord = {
      ...invocation,
      cancel: { ...invocation.cancel, delivered: true, result },
      updatedAt: now,
    };
    // The node never had the command: nothing will report it Cancelled but us.
    if (result === 'Failed' && invocation.deliveredAt === null) {
      updated = finishInvocation(updated, 'Cancelled', Details.Cancelled, now);
    }
    this.cancelDue.delete(invocation.cancel.jobId);
    this.update(state, updated);
  }

  private cancelAcknowledged(
    target: { commandId: string; instanceId: string },
    ack: AgentJobAck,
    now: number,
  ): void {
    const state = this.running.get(target.commandId);
    const invocation = state?.invocations.get(target.instanceId);
    if (state === undefined || !invocation?.cancel || invocation.cancel.delivered) return;
    if (DELIVERED_CODES.includes(ack.statusCode)) {
      this.cancelDue.delete(invocation.cancel.jobId);
      this.update(state, {
        ...invocation,
        cancel: { ...invocation.cancel, delivered: true },
        updatedAt: now,
      });
    } else {
      this.cancelDue.set(invocation.cancel.jobId, now + RETRY_BASE_MS);
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Records a send of the job — the first (it then holds a slot) or a repeat of one the node has
   * not acknowledged — and sends it once that is durable.
   */
  private send(state: CommandState, invocation: CommandInvocationRecord, now: number): void {
    // Being cancelled before it was acknowledged: the cancel goes instead.
    if (invocation.status === 'Cancelling') return;
    const first = invocation.dispatchedAt === null;
    if (!this.options.gateway().isConnected(invocation.instanceId)) {
      this.update(
        state,
        first
          ? delayed(invocation, null, now)
          : { ...invocation, nextAttemptAt: null, updatedAt: now },
      );
      return;
    }
    const messageId = randomUUID();
    this.update(state, {
      ...invocation,
      dispatchedAt: invocation.dispatchedAt ?? now,
      status: first || invocation.status === 'Delayed' ? 'Pending' : invocation.status,
      statusDetails:
        first || invocation.status === 'Delayed' ? Details.Pending : invocation.statusDetails,
      sendAttempts: invocation.sendAttempts + 1,
      jobMessageId: messageId,
      nextAttemptAt: now + this.ackTimeoutMs,
      updatedAt: now,
    });
    const { commandId } = state.command;
    this.writer.afterDurable(() => {
      const current = state.invocations.get(invocation.instanceId);
      // Superseded by a newer send, delivered or ended meanwhile: nothing to send.
      if (current?.jobMessageId !== messageId || current.deliveredAt !== null) return;
      if (isFinalInvocation(current.status) || current.status === 'Cancelling') return;
      const sent = this.options.gateway().sendJob(invocation.instanceId, {
        messageId,
        jobId: createAgentJobId(commandId, invocation.instanceId),
        topic: AgentJobTopic.SendCommand,
        content: state.command.jobContent,
      });
      if (!sent) {
        // Gone meanwhile: a first send gives its slot back, a repeat waits for the node.
        const at = this.options.now();
        this.update(
          state,
          first ? delayed(current, null, at) : { ...current, nextAttemptAt: null, updatedAt: at },
        );
      }
    });
  }

  private sendCancelWhenDurable(state: CommandState, instanceId: string): void {
    this.writer.afterDurable(() => {
      const invocation = state.invocations.get(instanceId);
      const cancel = invocation?.cancel;
      if (invocation === undefined || !cancel || cancel.delivered) return;
      if (isFinalInvocation(invocation.status)) return;
      this.cancelDue.set(cancel.jobId, this.options.now() + this.ackTimeoutMs);
      this.options.gateway().sendJob(instanceId, {
        messageId: randomUUID(),
        jobId: cancel.jobId,
        topic: AgentJobTopic.CancelCommand,
        content: encodeCancelCommandContent({
          cancelMessageId: createAgentJobId(state.command.commandId, instanceId),
        }),
      });
    });
  }

  // ---- the schedule --------------------------------------------------------------------------

  private tick(): void {
    const now = this.options.now();
    const gateway = this.options.gateway();
    for (const state of this.running.values()) {
      // Nodes back online, refusals whose retry time came: the next settle looks again.
      this.markDirty(state);
      const { command } = state;
      const deliveryDeadline = command.requestedAt + command.timeoutSeconds * 1000;
      for (const invocation of state.invocations.values()) {
        if (isFinalInvocation(invocation.status)) continue;
        if (invocation.deliveredAt === null && now >= deliveryDeadline) {
          this.update(
            state,
            finishInvocation(invocation, 'TimedOut', Details.DeliveryTimedOut, now),
          );
          continue;
        }
        if (now >= command.expiresAt) {
          // AWS's ExpiresAfter: whatever is still open then ends as a delivery timeout.
          this.update(
            state,
            finishInvocation(invocation, 'TimedOut', Details.DeliveryTimedOut, now),
          );
          continue;
        }
        if (invocation.dispatchedAt !== null && invocation.deliveredAt === null) {
          const due =
            invocation.nextAttemptAt === null
              ? gateway.isConnected(invocation.instanceId)
              : invocation.nextAttemptAt <= now;
          if (due) this.send(state, invocation, now);
        }
        const cancel = invocation.cancel;
        if (cancel !== null && !cancel.delivered) {
          const dueAt = this.cancelDue.get(cancel.jobId) ?? 0;
          if (dueAt <= now && gateway.isConnected(invocation.instanceId)) {
            this.sendCancelWhenDurable(state, invocation.instanceId);
          }
        }
      }
    }
  }

  /** Changes one invocation: in memory now, durably with the next batch. */
  private update(state: CommandState, invocation: CommandInvocationRecord): void {
    state.invocations.set(invocation.instanceId, invocation);
    this.writer.putInvocation(invocation);
    this.markDirty(state);
  }

  private markDirty(state: CommandState): void {
    this.dirty.add(state);
    if (this.settleScheduled) return;
    this.settleScheduled = true;
    setImmediate(() => {
      this.settleScheduled = false;
      const states = [...this.dirty];
      this.dirty.clear();
      for (const dirty of states) this.settle(dirty);
    });
  }

  /**
   * After invocations changed: stop sending once errors exceed MaxErrors (what was not sent
   * ends Terminated), send what the concurrency window allows, and recompute the command's
   * status and counters.
   */
  private settle(state: CommandState): void {
    const now = this.options.now();
    let { command } = state;
    const targets = state.order.length;
    if (!command.dispatchStopped) {
      let errors = 0;
      for (const invocation of state.invocations.values()) if (isError(invocation)) errors++;
      if (errors > maxErrorsOf(command.maxErrors, targets)) {
        command = { ...command, dispatchStopped: true };
        this.options.log.info('errors exceeded MaxErrors: no more invocations are sent', {
          commandId: command.commandId,
          errors,
          maxErrors: command.maxErrors,
        });
        for (const invocation of state.invocations.values()) {
          if (isFinalInvocation(invocation.status)) continue;
          if (invocation.dispatchedAt === null) {
            this.update(state, finishInvocation(invocation, 'Cancelled', Details.Terminated, now));
          }
        }
      }
    }
    if (!command.dispatchStopped) this.dispatch(state, now);
    const summary = summarizeCommand(command, state.invocations.values());
    const changed =
      command !== state.command ||
      summary.status !== command.status ||
      summary.statusDetails !== command.statusDetails ||
      summary.completedCount !== command.completedCount ||
      summary.errorCount !== command.errorCount ||
      summary.deliveryTimedOutCount !== command.deliveryTimedOutCount;
    if (changed) {
      command = { ...command, ...summary };
      state.command = command;
      this.writer.putCommand(command);
    }
    if (summary.completedCount === targets && this.running.get(command.commandId) === state) {
      this.running.delete(command.commandId);
      this.keepFinished(state);
      this.options.log.info('command finished', {
        commandId: command.commandId,
        status: command.status,
        statusDetails: command.statusDetails,
        targets,
        errors: command.errorCount,
      });
    }
  }

  /**
   * Sends what the window allows, in order. A node that is offline (or refused a job a moment
   * ago) is skipped — its invocation is Delayed and waits without holding a slot, so one
   * unreachable node never stalls a rollout — and is sent when it is back and a slot is free.
   */
  private dispatch(state: CommandState, now: number): void {
    const { command } = state;
    const gateway = this.options.gateway();
    let inFlight = 0;
    let finishedDispatched = 0;
    for (const invocation of state.invocations.values()) {
      if (invocation.dispatchedAt === null) continue;
      if (isFinalInvocation(invocation.status)) finishedDispatched++;
      else inFlight++;
    }
    const limit = concurrencyWindow(
      maxConcurrencyOf(command.maxConcurrency, state.order.length),
      finishedDispatched,
    );
    for (const instanceId of state.order) {
      if (inFlight >= limit) break;
      const invocation = state.invocations.get(instanceId)!;
      if (invocation.dispatchedAt !== null || isFinalInvocation(invocation.status)) continue;
      if (invocation.nextAttemptAt !== null && invocation.nextAttemptAt > now) continue;
      if (!gateway.isConnected(instanceId)) {
        if (invocation.status !== 'Delayed') this.update(state, delayed(invocation, null, now));
        continue;
      }
      this.send(state, invocation, now);
      inFlight++;
    }
  }

  // ---- holding commands ----------------------------------------------------------------------

  private hold(
    command: CommandRecord,
    invocations: readonly CommandInvocationRecord[],
  ): CommandState {
    const sorted = [...invocations].sort((a, b) => a.position - b.position);
    const state: CommandState = {
      command,
      invocations: new Map(sorted.map((invocation) => [invocation.instanceId, invocation])),
      order: sorted.map((invocation) => invocation.instanceId),
    };
    this.running.set(command.commandId, state);
    return state;
  }

  private keepFinished(state: CommandState): void {
    this.finished.set(state.command.commandId, state);
    this.finishedInvocations += state.order.length;
    for (const [commandId, old] of this.finished) {
      if (this.finishedInvocations <= FINISHED_CACHE_INVOCATIONS || old === state) break;
      this.finished.delete(commandId);
      this.finishedInvocations -= old.order.length;
    }
  }

  /** A command's state: held, or loaded from storage (a late reply for an old command). */
  private async stateOf(commandId: string): Promise<CommandState | undefined> {
    const held = this.held(commandId);
    if (held !== undefined) return held;
    let loading = this.loading.get(commandId);
    if (loading === undefined) {
      loading = (async () => {
        const command = await this.options.repository.get(commandId);
        if (command === undefined) return undefined;
        const invocations = await this.options.repository.invocationsOf(commandId);
        if (this.held(commandId) !== undefined) return this.held(commandId);
        const sorted = [...invocations].sort((a, b) => a.position - b.position);
        const state: CommandState = {
          command,
          invocations: new Map(sorted.map((invocation) => [invocation.instanceId, invocation])),
          order: sorted.map((invocation) => invocation.instanceId),
        };
        this.keepFinished(state);
        return state;
      })().finally(() => this.loading.delete(commandId));
      this.loading.set(commandId, loading);
    }
    return loading;
  }

  private jobIds(
    instanceId: string,
    jobId: string,
    what: string,
  ): { commandId: string; instanceId: string } | undefined {
    let ids;
    try {
      ids = parseAgentJobId(jobId);
    } catch {
      this.options.log.warn(`${what} with an unusable job id; ignored`, { instanceId });
      return undefined;
    }
    if (ids.instanceId !== instanceId) {
      this.options.log.warn(`${what} from a node about another node’s job; ignored`, {
        instanceId,
        jobId: jobId.slice(0, 200),
      });
      return undefined;
    }
    return ids;
  }

  private remember(messageId: string): void {
    this.recentReplies.add(messageId);
    if (this.recentReplies.size > RECENT_REPLIES) {
      const oldest = this.recentReplies.values().next().value;
      if (oldest !== undefined) this.recentReplies.delete(oldest);
    }
  }
}

/** Back to waiting, Delayed: not sent, holding no slot, eligible again at `retryAt` (or now). */
function delayed(
  invocation: CommandInvocationRecord,
  retryAt: number | null,
  now: number,
): CommandInvocationRecord {
  return {
    ...invocation,
    dispatchedAt: null,
    status: 'Delayed',
    statusDetails: Details.Delayed,
    nextAttemptAt: retryAt,
    updatedAt: now,
  };
}

function retryDelay(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, Math.min(attempts - 1, 10)));
}
