// Run Command on this node (ssm-wire §6.6, §7): takes agent_job messages from the control
// channel, records each job durably and only then acknowledges it (agent_job_ack), runs up to
// MAX_CONCURRENT_JOBS at once, cancels on aws.ssm.cancelCommand, and hands every reply to the
// durable reply queue and every finished step's output to the uploader. A job id already
// recorded — running, finished, or from before a restart — is acknowledged as a duplicate and
// never run again. On start it resumes what a previous agent left: queued jobs run, a running
// step is adopted, unacknowledged replies and output go out again.

import { join } from 'node:path';
import {
  AgentJobAckStatus,
  AgentJobTopic,
  MessageType,
  agentJobTopicKind,
  encodeAgentJobAck,
  parseAgentJobId,
  parseAgentJobPayload,
  parseAgentJobReplyAck,
  parseCancelCommandContent,
  type AgentJobPayload,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { formatAgentError } from '../agent-error.js';
import type { Logger } from '../logging/logger.js';
import { encodeControlMessage } from '../mgs/agent-messages.js';
import type { PlatformInfo } from '../platform/platform-info.js';
import type { BackoffPolicy, Random } from '../retry/backoff.js';
import { planCommandDocument, type CommandPlan } from './command-plan.js';
import { JobRunner, SEND_COMMAND_TOPIC, joinS3, replyMessageId } from './job-runner.js';
import { JobStore, isValidCommandId, type JobRecord, type JobState } from './job-store.js';
import { OutputUploader, type OutputStreamUpload } from './output-upload.js';
import {
  createAgentInfo,
  createDocumentReply,
  encodeReplyContent,
  type AgentInfo,
} from './reply-payload.js';
import { ReplyQueue, type QueuedReply, type ReplyLink } from './reply-queue.js';
import { parseSendCommandPayload, type SendCommandPayload } from './send-command-payload.js';

/** Jobs running at once (AWS's Mds.CommandWorkersLimit); the others wait their turn. */
export const MAX_CONCURRENT_JOBS = 5;
/** Jobs waiting beyond that: more are refused with ProcessorBufferFull, the server retries. */
export const MAX_QUEUED_JOBS = 1000;
/** How long a finished job's record is kept to recognise a late duplicate: 30 days. */
export const JOB_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** How often old records are looked for. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** The topic of the reply to a cancel job. */
export const CANCEL_COMMAND_TOPIC = 'aws.ssm.cancelCommand';

export interface RunCommandOptions {
  /** The agent's state directory; Run Command keeps everything in `run-command/` under it. */
  readonly stateDir: string;
  readonly instanceId: string;
  readonly region: string;
  readonly control: ReplyLink;
  readonly log: Logger;
  /** What scripts start from (PATH, LANG, HOME, ...). */
  readonly environment: Readonly<Record<string, string>>;
  readonly platform: () => Promise<PlatformInfo>;
  readonly maxConcurrentJobs?: number;
  readonly replyRetry?: BackoffPolicy;
  readonly random?: Random;
}

export class RunCommandManager {
  readonly replies: ReplyQueue;
  readonly uploads: OutputUploader;
  private readonly store: JobStore;
  /** Jobs with something left to do: waiting, running, or output still uploading. */
  private readonly runners = new Map<string, JobRunner>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiting: JobRunner[] = [];
  /** Per CommandId, the handling of its messages so far (one at a time per job). */
  private readonly turns = new Map<string, Promise<void>>();
  private started: Promise<void> | undefined;
  private agent: AgentInfo = createAgentInfo('Linux', '');
  private platform: PlatformInfo | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: RunCommandOptions) {
    const dir = join(options.stateDir, 'run-command');
    this.store = new JobStore(dir);
    this.replies = new ReplyQueue({
      dir: join(dir, 'replies'),
      link: options.control,
      log: options.log,
      ...(options.replyRetry === undefined ? {} : { retry: options.replyRetry }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.uploads = new OutputUploader({
      link: options.control,
      log: options.log,
      onProgress: (upload, uploaded) => this.recordUpload(upload, uploaded),
      ...(options.replyRetry === undefined ? {} : { retry: options.replyRetry }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
  }

  /** Loads and resumes what a previous run left. Call before the control channel opens. */
  start(): Promise<void> {
    this.started ??= this.recover();
    return this.started;
  }

  /** The control channel is (back) up: unacknowledged replies and output go again. */
  connected(): void {
    this.replies.connected();
    this.uploads.connected();
  }

  /** An agent_job message. Never throws: failures are logged and acknowledged as such. */
  handleJob(message: DecodedAgentMessage): void {
    void this.receiveJob(message).catch((error: unknown) =>
      this.options.log.error('an agent_job could not be handled', {
        messageId: message.messageId,
        error: formatAgentError(error),
      }),
    );
  }

  /** An agent_job_reply_ack: removes the reply (or output chunk) it names. */
  handleReplyAck(payload: Uint8Array): void {
    const ack = parseAgentJobReplyAck(payload);
    if (this.replies.acknowledge(ack.acknowledgedMessageId)) return;
    if (this.uploads.acknowledge(ack.acknowledgedMessageId)) return;
    this.options.log.debug('agent_job_reply_ack for nothing pending', {
      jobId: ack.jobId,
      messageId: ack.acknowledgedMessageId,
    });
  }

  /** The job of `commandId` while it has something left to do (tests, status). */
  job(commandId: string): JobRunner | undefined {
    return this.runners.get(commandId);
  }

  /**
   * Stops watching: running scripts go on (the next agent adopts them), nothing is killed,
   * everything unacknowledged stays on disk.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    await this.started?.catch(() => undefined);
    for (const runner of this.runners.values()) runner.detach();
    await Promise.all(this.running.values());
    await Promise.all(this.turns.values());
    this.replies.stop();
    await this.uploads.stop();
    await this.store.flush();
  }

  // ---- receiving jobs ------------------------------------------------------------------------

  private async receiveJob(message: DecodedAgentMessage): Promise<void> {
    const { log } = this.options;
    await this.start();
    let job: AgentJobPayload;
    try {
      job = parseAgentJobPayload(message.payload);
    } catch (error) {
      log.warn('unreadable agent_job', { error: formatAgentError(error) });
      this.ack(message, '', 'AgentJobMessageParseError');
      return;
    }
    const kind = agentJobTopicKind(job.topic);
    if (kind === undefined) {
      log.warn('agent_job with an unknown topic', { jobId: job.jobId, topic: job.topic });
      this.ack(message, job.jobId, 'UnexpectedDocumentType');
      return;
    }
    let commandId: string;
    try {
      commandId = parseAgentJobId(job.jobId).commandId;
      if (!isValidCommandId(commandId)) throw new Error(`CommandId ${commandId} is not usable`);
    } catch (error) {
      log.warn('agent_job with an unusable JobId', { jobId: job.jobId });
      this.ack(message, job.jobId, 'AgentJobMessageParseError');
      if (job.jobId !== '' && kind === AgentJobTopic.SendCommand) {
        await this.replies.enqueue(this.failureReply(job.jobId, formatAgentError(error)));
      }
      return;
    }
    if (this.stopping) {
      this.ack(message, job.jobId, 'ClosedProcessor');
      return;
    }
    let target = commandId;
    if (kind === AgentJobTopic.CancelCommand) {
      try {
        const { cancelMessageId } = parseCancelCommandContent(job.content);
        target = parseAgentJobId(cancelMessageId).commandId;
      } catch (error) {
        log.warn('unreadable cancel', { jobId: job.jobId, error: formatAgentError(error) });
        this.ack(message, job.jobId, 'AgentJobMessageParseError');
        return;
      }
    }
    // One message at a time per command: a duplicate waits until the first is recorded, and a
    // cancel right behind its command finds it recorded.
    const previous = this.turns.get(target) ?? Promise.resolve();
    const turn = previous.then(() =>
      kind === AgentJobTopic.SendCommand
        ? this.acceptSendCommand(message, job, commandId)
        : this.acceptCancel(message, job, target),
    );
    const settled = turn.catch(() => undefined);
    this.turns.set(target, settled);
    void settled.then(() => {
      if (this.turns.get(target) === settled) this.turns.delete(target);
    });
    await turn;
  }

  private async acceptSendCommand(
    message: DecodedAgentMessage,
    job: AgentJobPayload,
    commandId: string,
  ): Promise<void> {
    const { log } = this.options;
    if (this.runners.has(commandId) || (await this.store.has(commandId))) {
      log.info('duplicate agent_job: acknowledged, not run again', { jobId: job.jobId });
      this.ack(message, job.jobId, 'DuplicateCommand');
      return;
    }
    if (this.waiting.length >= MAX_QUEUED_JOBS) {
      log.warn('too many commands waiting; refusing one', { jobId: job.jobId });
      this.ack(message, job.jobId, 'ProcessorBufferFull');
      return;
    }
    const record: JobRecord = {
      version: 1,
      jobId: job.jobId,
      commandId,
      messageId: message.messageId,
      topic: job.topic,
      receivedAt: new Date().toISOString(),
    };
    let planned: { payload: SendCommandPayload; plan: CommandPlan };
    try {
      planned = this.plan(job.content);
    } catch (error) {
      const failure = formatAgentError(error);
      log.warn('agent_job cannot be run', { jobId: job.jobId, error: failure });
      const state: JobState = {
        version: 1,
        phase: 'finished',
        cancelRequested: false,
        failure,
        steps: [],
        finishedAt: new Date().toISOString(),
      };
      await this.store.create(record, job.content, state);
      this.ack(message, job.jobId, 'AgentJobMessageParseError');
      await this.replies.enqueue(this.failureReply(job.jobId, failure));
      return;
    }
    const state: JobState = {
      version: 1,
      phase: 'accepted',
      cancelRequested: false,
      steps: JobRunner.initialSteps(planned.plan),
    };
    try {
      await this.store.create(record, job.content, state);
    } catch (error) {
      log.error('could not record a command; refusing it', {
        jobId: job.jobId,
        error: formatAgentError(error),
      });
      this.ack(message, job.jobId, 'UnexpectedError');
      return;
    }
    this.ack(message, job.jobId, 'Successful');
    log.info('command accepted', {
      commandId,
      documentName: planned.payload.documentName,
      steps: planned.plan.steps.length,
    });
    await this.replies.enqueue(JobRunner.acceptedReply(record, this.agent));
    this.enlist(this.createRunner(record, planned, state));
  }

  private async acceptCancel(
    message: DecodedAgentMessage,
    job: AgentJobPayload,
    target: string,
  ): Promise<void> {
    const { log } = this.options;
    // The cancel is recorded (in the job's state) before it is acknowledged.
    const runner = this.runners.get(target);
    const cancellable = runner !== undefined && runner.state.phase !== 'finished';
    if (cancellable) {
      await runner.cancel();
      const index = this.waiting.indexOf(runner);
      if (index >= 0) {
        // Nothing of it will run: finish it now rather than after the queue.
        this.waiting.splice(index, 1);
        this.launch(runner);
      }
    }
    this.ack(message, job.jobId, 'Successful');
    log.info(cancellable ? 'command cancelled' : 'cancel for no running command', {
      commandId: target,
      cancelJobId: job.jobId,
    });
    const payload = createDocumentReply(
      this.agent,
      cancellable ? 'Success' : 'Failed',
      cancellable ? `Command ${target} cancelled` : `Command ${target} couldn't be cancelled`,
      { sequence: 1 },
    );
    await this.replies.enqueue({
      messageId: replyMessageId(job.jobId, 1),
      jobId: job.jobId,
      topic: CANCEL_COMMAND_TOPIC,
      content: encodeReplyContent(payload),
    });
  }

  private ack(
    message: DecodedAgentMessage,
    jobId: string,
    code: keyof typeof AgentJobAckStatus,
  ): void {
    const sent = this.options.control.send(
      encodeControlMessage(
        MessageType.AgentJobAck,
        encodeAgentJobAck({
          jobId,
          acknowledgedMessageId: message.messageId,
          // AWS's agent echoes the agent_job's own CreatedDate here.
          createdDate: isoDate(message.createdDate),
          statusCode: AgentJobAckStatus[code],
          errorMessage: code,
        }),
      ),
    );
    this.options.log.debug('sent agent_job_ack', { jobId, code, sent });
  }

  /** The Failed reply of a job that cannot be run, the reason in documentTraceOutput. */
  private failureReply(jobId: string, reason: string, sequence = 1): QueuedReply {
    const payload = createDocumentReply(this.agent, 'Failed', reason.slice(0, 2500), {
      sequence,
    });
    return {
      messageId: replyMessageId(jobId, sequence),
      jobId,
      topic: SEND_COMMAND_TOPIC,
      content: encodeReplyContent(payload),
    };
  }

  // ---- running jobs --------------------------------------------------------------------------

  private plan(content: string): { payload: SendCommandPayload; plan: CommandPlan } {
    const payload = parseSendCommandPayload(content);
    const plan = planCommandDocument(payload.documentContent, payload.parameters);
    return { payload, plan };
  }

  private createRunner(
    record: JobRecord,
    { payload, plan }: { payload: SendCommandPayload; plan: CommandPlan },
    state: JobState,
  ): JobRunner {
    const platform = this.platform;
    const runner = new JobRunner(
      record,
      plan,
      state,
      {
        bucket: payload.outputS3BucketName,
        keyPrefix: joinS3(payload.outputS3KeyPrefix, payload.commandId, this.options.instanceId),
      },
      {
        store: this.store,
        enqueueReply: (reply) => this.replies.enqueue(reply),
        outputReady: (job, stepIndex) => this.uploadStep(job, stepIndex),
        agent: this.agent,
        log: this.options.log,
        environment: this.options.environment,
        instanceId: this.options.instanceId,
        region: this.options.region,
        platformName: platform?.platformName ?? '',
        platformVersion: platform?.platformVersion ?? '',
      },
    );
    this.runners.set(record.commandId, runner);
    return runner;
  }

  private enlist(runner: JobRunner): void {
    this.waiting.push(runner);
    this.schedule();
  }

  private schedule(): void {
    const limit = this.options.maxConcurrentJobs ?? MAX_CONCURRENT_JOBS;
    while (!this.stopping && this.running.size < limit && this.waiting.length > 0) {
      this.launch(this.waiting.shift()!);
    }
  }

  private launch(runner: JobRunner): void {
    const { log } = this.options;
    const run = runner
      .run()
      .catch((error: unknown) =>
        log.error('a command stopped unexpectedly', {
          commandId: runner.commandId,
          error: formatAgentError(error),
        }),
      )
      .finally(() => {
        this.running.delete(runner.commandId);
        if (!this.stopping) {
          void this.settle(runner);
          this.schedule();
        }
      });
    this.running.set(runner.commandId, run);
  }

  private uploadStep(runner: JobRunner, stepIndex: number): void {
    const step = runner.state.steps[stepIndex];
    const planned = runner.plan.steps[stepIndex];
    if (step?.fullOutput === undefined || planned === undefined) return;
    const dir = this.store.stepDir(runner.commandId, stepIndex, planned.pluginId);
    for (const stream of ['stdout', 'stderr'] as const) {
      const progress = step.fullOutput[stream];
      const upload: StepUpload = {
        jobId: runner.record.jobId,
        commandId: runner.commandId,
        pluginId: planned.pluginId,
        stream,
        path: join(dir, stream),
        bytes: progress.bytes,
        sha256: progress.sha256,
        uploaded: progress.uploaded,
        stepIndex,
      };
      this.uploads.add(upload);
    }
  }

  private async recordUpload(upload: OutputStreamUpload, uploaded: number): Promise<void> {
    const runner = this.runners.get(upload.commandId);
    if (runner === undefined) return;
    await runner.recordUpload((upload as StepUpload).stepIndex, upload.stream, uploaded);
    await this.settle(runner);
  }

  /** A finished job whose output is all acknowledged keeps only its record. */
  private async settle(runner: JobRunner): Promise<void> {
    if (!runner.complete || this.running.has(runner.commandId) || runner.state.cleaned) return;
    this.runners.delete(runner.commandId);
    try {
      await this.store.clean(runner.commandId);
      await this.store.saveState(runner.commandId, { ...runner.state, cleaned: true });
    } catch (error) {
      this.options.log.warn('could not clean a finished command', {
        commandId: runner.commandId,
        error: formatAgentError(error),
      });
    }
  }

  // ---- restart -------------------------------------------------------------------------------

  private async recover(): Promise<void> {
    const { log } = this.options;
    try {
      this.platform = await this.options.platform();
      this.agent = createAgentInfo(this.platform.platformName, this.platform.platformVersion);
    } catch (error) {
      log.warn('platform unknown for command replies', { error: formatAgentError(error) });
    }
    await this.store.init();
    await this.replies.start();
    const jobs = await this.store.list((commandId, error) =>
      log.warn('unreadable command record', { commandId, error: formatAgentError(error) }),
    );
    for (const job of jobs) {
      try {
        await this.resume(job.record, job.state);
      } catch (error) {
        // One bad record must not keep the agent (and its sessions) from starting.
        log.error('could not resume a recorded command', {
          commandId: job.record.commandId,
          error: formatAgentError(error),
        });
      }
    }
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    this.schedule();
  }

  /** Picks up one recorded job: queue it, resume its uploads, or tidy it. */
  private async resume(record: JobRecord, state: JobState): Promise<void> {
    if (state.phase === 'finished' && state.cleaned === true) return;
    if (state.failure !== undefined) {
      await this.store.clean(record.commandId);
      await this.store.saveState(record.commandId, { ...state, cleaned: true });
      return;
    }
    const content = await this.store.readContent(record.commandId);
    let planned: { payload: SendCommandPayload; plan: CommandPlan };
    try {
      planned = this.plan(content ?? '');
    } catch (error) {
      // Its content is gone or damaged: it cannot go on, but it must still end with a reply.
      const failure = `the recorded command cannot be read any more: ${formatAgentError(error)}`;
      this.options.log.error('a recorded command cannot be resumed', {
        commandId: record.commandId,
        error: failure,
      });
      if (state.phase !== 'finished') {
        await this.replies.enqueue(
          this.failureReply(record.jobId, failure, 2 * state.steps.length + 1),
        );
        await this.store.saveState(record.commandId, {
          ...state,
          phase: 'finished',
          failure,
          finishedAt: new Date().toISOString(),
        });
      }
      await this.store.clean(record.commandId);
      return;
    }
    const runner = this.createRunner(record, planned, state);
    if (state.phase === 'accepted') {
      // Maybe sent before the restart: the same MessageId, so the server applies it once.
      await this.replies.enqueue(JobRunner.acceptedReply(record, this.agent));
    }
    if (state.phase !== 'finished') {
      this.options.log.info('resuming a command from before the restart', {
        commandId: record.commandId,
        phase: state.phase,
      });
      this.waiting.push(runner);
    }
    state.steps.forEach((step, index) => {
      if (step.fullOutput !== undefined) this.uploadStep(runner, index);
    });
    if (state.phase === 'finished') await this.settle(runner);
  }

  /** Forgets finished jobs older than the retention period. */
  private async sweep(): Promise<void> {
    const { log } = this.options;
    try {
      const jobs = await this.store.list(() => undefined);
      for (const { record, state } of jobs) {
        if (state.phase !== 'finished' || this.runners.has(record.commandId)) continue;
        const finishedAt = Date.parse(state.finishedAt ?? record.receivedAt);
        if (Date.now() - finishedAt > JOB_RETENTION_MS) await this.store.remove(record.commandId);
      }
    } catch (error) {
      log.warn('could not sweep old command records', { error: formatAgentError(error) });
    }
  }
}

/** Epoch milliseconds as ISO-8601; a value outside Date's range (a peer's garbage) is now. */
function isoDate(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}

interface StepUpload extends OutputStreamUpload {
  readonly stepIndex: number;
}
