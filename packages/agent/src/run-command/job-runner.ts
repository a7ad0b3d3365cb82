// Runs one accepted job's steps in order with AWS's control flow (runpluginutil.go): exit codes
// 168 (success, skip the rest) and 169 (failure, skip the rest), `onFailure: exit|successAndExit`,
// `onSuccess: exit`, `finallyStep`, cancel. Every change is written to state.json, and a reply
// is queued before the state that caused it is saved: a crash in between re-creates the same
// reply (same MessageId), never loses it. A restarted agent resumes a job here: finished steps
// are kept, a running step is adopted (never started again), the rest run normally.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { formatAgentError } from '../agent-error.js';
import type { Logger } from '../logging/logger.js';
import type { CommandPlan, PlannedStep, ScriptInput } from './command-plan.js';
import type { JobRecord, JobState, JobStore, OutputProgress, StepState } from './job-store.js';
import {
  STANDARD_OUTPUT_MAX_LENGTH,
  OUTPUT_TRUNCATED_SUFFIX,
  readTextPrefix,
  stringPrefix,
  truncateOutput,
} from './output-truncation.js';
import {
  createDocumentReply,
  createResultReply,
  encodeReplyContent,
  type AgentInfo,
  type PluginRuntimeStatus,
  type PluginStatus,
  type ReplyExtension,
  type SendReplyPayload,
} from './reply-payload.js';
import type { QueuedReply } from './reply-queue.js';
import { ScriptProcess, type ScriptOutcome } from './script-process.js';
import { stableUuid } from './stable-id.js';

/** The topic of every SendCommand reply (AWS's agent uses the bare prefix). */
export const SEND_COMMAND_TOPIC = 'aws.ssm.sendCommand';

/** Exit codes with a meaning of their own (contracts/model.go). */
export const EXIT_SUCCESS_AND_STOP = 168;
export const EXIT_FAILURE_AND_STOP = 169;
/** What AWS reports for a script it killed (timeout or cancel): 128 + SIGKILL. */
export const EXIT_KILLED = 137;

const NOTE_168 =
  '\nStep exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped.';
const NOTE_169 =
  '\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped.';
const NOTE_ON_FAILURE =
  '\nStep was found to have onFailure property. Further document steps will be skipped.';
const LOST_MESSAGE =
  'The agent restarted while this step ran and the step ended without an exit status; it was not run again.';

const TERMINAL: readonly PluginStatus[] = ['Success', 'Failed', 'Cancelled', 'TimedOut', 'Skipped'];

export interface JobServices {
  readonly store: JobStore;
  readonly enqueueReply: (reply: QueuedReply) => Promise<void>;
  /** A step finished with full output to upload. */
  readonly outputReady: (job: JobRunner, stepIndex: number) => void;
  readonly agent: AgentInfo;
  readonly log: Logger;
  /** The environment every script starts from (SSM_COMMAND_ID etc. are added per job). */
  readonly environment: Readonly<Record<string, string>>;
  readonly instanceId: string;
  readonly region: string;
  readonly platformName: string;
  readonly platformVersion: string;
}

/** The stable MessageId of a job's reply number `sequence`. */
export function replyMessageId(jobId: string, sequence: number): string {
  return stableUuid(`${jobId}/reply/${sequence}`);
}

export class JobRunner {
  private current: ScriptProcess | undefined;
  private detached = false;

  constructor(
    readonly record: JobRecord,
    readonly plan: CommandPlan,
    private jobState: JobState,
    readonly outputS3: { readonly bucket: string; readonly keyPrefix: string },
    private readonly services: JobServices,
  ) {}

  get state(): JobState {
    return this.jobState;
  }

  get commandId(): string {
    return this.record.commandId;
  }

  /** The steps a new job starts with: all NotStarted. */
  static initialSteps(plan: CommandPlan): StepState[] {
    return plan.steps.map((step) => ({
      status: 'NotStarted',
      code: 0,
      name: step.pluginName,
      output: '',
      startDateTime: '',
      endDateTime: '',
      outputS3BucketName: '',
      outputS3KeyPrefix: '',
      stepName: '',
      standardOutput: '',
      standardError: '',
    }));
  }

  /** The first reply: the job is accepted and in progress. */
  static acceptedReply(record: JobRecord, agent: AgentInfo): QueuedReply {
    return documentReply(record, 0, createDocumentReply(agent, 'InProgress', '', { sequence: 0 }));
  }

  /** Stop the job: a running script is killed, steps not started end Cancelled. */
  async cancel(): Promise<void> {
    if (!this.jobState.cancelRequested) {
      await this.update({ ...this.jobState, cancelRequested: true });
    }
    this.current?.cancel();
  }

  /** The agent is stopping: stop watching, leave a running script to the next agent. */
  detach(): void {
    this.detached = true;
    this.current?.detach();
  }

  /** Updates upload progress of a step's stream (the uploader calls it). */
  async recordUpload(
    stepIndex: number,
    stream: 'stdout' | 'stderr',
    uploaded: number,
  ): Promise<void> {
    const step = this.jobState.steps[stepIndex];
    if (step?.fullOutput === undefined) return;
    const fullOutput = { ...step.fullOutput, [stream]: { ...step.fullOutput[stream], uploaded } };
    await this.updateStep(stepIndex, { ...step, fullOutput });
  }

  /** True when the job is finished and all its output acknowledged. */
  get complete(): boolean {
    return (
      this.jobState.phase === 'finished' &&
      this.jobState.steps.every(
        (step) =>
          step.fullOutput === undefined ||
          (step.fullOutput.stdout.uploaded >= step.fullOutput.stdout.bytes &&
            step.fullOutput.stderr.uploaded >= step.fullOutput.stderr.bytes),
      )
    );
  }

  /** Runs (or resumes) the job to its final reply; returns early only when detached. */
  async run(): Promise<void> {
    const { log } = this.services;
    if (this.jobState.phase === 'finished') return;
    if (this.jobState.phase === 'accepted')
      await this.update({ ...this.jobState, phase: 'running' });
    for (const step of this.plan.steps) {
      if (this.detached) return;
      const state = this.jobState.steps[step.index]!;
      if (TERMINAL.includes(state.status)) continue;
      try {
        const result = await this.runStep(step, state);
        if (result === undefined) return; // detached
        await this.finishStep(step, result);
      } catch (error) {
        // Disk trouble: the step fails with the reason instead of taking the job down.
        log.error('a step could not be run', {
          commandId: this.commandId,
          step: step.pluginId,
          error: formatAgentError(error),
        });
        await this.finishStep(step, {
          ...this.jobState.steps[step.index]!,
          status: 'Failed',
          code: 1,
          output: `the agent could not run this step: ${formatAgentError(error)}`,
          startDateTime: state.startDateTime || now(),
          endDateTime: now(),
          running: undefined,
        });
      }
    }
    await this.finishJob();
  }

  // ---- one step ----------------------------------------------------------------------------

  /** The step's final state (not yet saved), or undefined when detached. */
  private async runStep(step: PlannedStep, state: StepState): Promise<StepState | undefined> {
    const base = { ...state, ...this.s3Fields(step), name: step.pluginName };
    if (state.status !== 'InProgress') {
      if (this.jobState.cancelRequested) {
        return { ...base, status: 'Cancelled', code: 1, startDateTime: now(), endDateTime: now() };
      }
      if (this.skippedByPriorStep(step)) {
        return {
          ...base,
          status: 'Skipped',
          code: 0,
          output: `Plugin with name ${step.pluginName} and id ${step.pluginId} skipped due to prior step with an exit condition`,
          startDateTime: now(),
          endDateTime: now(),
        };
      }
      const { decision } = step;
      if (decision.kind === 'skip') {
        return {
          ...base,
          status: 'Skipped',
          code: 0,
          output: decision.message,
          startDateTime: now(),
          endDateTime: now(),
        };
      }
      if (decision.kind === 'fail') {
        return {
          ...base,
          status: 'Failed',
          code: 1,
          output: decision.message,
          startDateTime: now(),
          endDateTime: now(),
        };
      }
    }
    if (step.decision.kind !== 'run') throw new Error('only a script step can be in progress');
    return this.runScripts(step, step.decision.inputs, base);
  }

  private async runScripts(
    step: PlannedStep,
    inputs: readonly ScriptInput[],
    base: StepState,
  ): Promise<StepState | undefined> {
    const dir = this.services.store.stepDir(this.commandId, step.index, step.pluginId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const stdoutPath = join(dir, 'stdout');
    const stderrPath = join(dir, 'stderr');
    const resuming = base.status === 'InProgress' ? base.running : undefined;
    let merged = resuming?.merged;
    let state: StepState = base;
    if (resuming === undefined) {
      state = { ...base, status: 'InProgress', code: 0, startDateTime: now(), endDateTime: '' };
    }
    for (let index = resuming?.input ?? 0; index < inputs.length; index++) {
      const input = inputs[index]!;
      if (this.jobState.cancelRequested && !(resuming !== undefined && index === resuming.input)) {
        merged = mergeStatus(merged, { status: 'Cancelled', code: 1 });
        continue;
      }
      const scriptDir = inputs.length === 1 ? dir : join(dir, `input-${index}`);
      await mkdir(scriptDir, { recursive: true, mode: 0o700 });
      const adopting = resuming !== undefined && index === resuming.input;
      const deadline = adopting ? resuming.deadline : Date.now() + input.timeoutSeconds * 1000;
      const launch = {
        scriptPath: join(scriptDir, '_script.sh'),
        stdoutPath,
        stderrPath,
        exitStatusPath: join(scriptDir, 'exit-status'),
        lines: input.lines,
        cwd: await this.workingDirectory(input, dir),
        env: this.environmentFor(input),
        deadline,
      };
      let script: ScriptProcess;
      if (adopting) {
        script = await ScriptProcess.adopt(launch, resuming.pid);
        this.services.log.info('resuming a step the previous agent started', {
          commandId: this.commandId,
          step: step.pluginId,
          pid: script.pid ?? null,
        });
      } else {
        if (index > 0) await separateRuns(stdoutPath, stderrPath);
        const running = { input: index, deadline, ...(merged === undefined ? {} : { merged }) };
        state = { ...state, running };
        if (index === 0) await this.queueStepReply(step, state, 2 * step.index + 1);
        await this.updateStep(step.index, state);
        script = await ScriptProcess.start(launch);
        if (script.pid !== undefined) {
          state = { ...state, running: { ...running, pid: script.pid } };
          await this.updateStep(step.index, state);
        }
      }
      this.current = script;
      if (this.detached) script.detach();
      else if (this.jobState.cancelRequested) script.cancel();
      const outcome = await script.finished;
      this.current = undefined;
      if (outcome.kind === 'detached') return undefined;
      merged = mergeStatus(merged, await this.statusOf(outcome, stderrPath));
    }
    return this.completeScriptStep(
      step,
      { ...state, running: undefined },
      merged,
      stdoutPath,
      stderrPath,
    );
  }

  /** AWS's plugin status and code for one script's outcome (pluginutil GetStatus, executers). */
  private async statusOf(
    outcome: Exclude<ScriptOutcome, { kind: 'detached' }>,
    stderrPath: string,
  ): Promise<{ status: PluginStatus; code: number }> {
    switch (outcome.kind) {
      case 'exited':
        return { status: outcome.exitCode === 0 ? 'Success' : 'Failed', code: outcome.exitCode };
      case 'timedOut':
        return { status: 'TimedOut', code: EXIT_KILLED };
      case 'cancelled':
        return { status: 'Cancelled', code: EXIT_KILLED };
      case 'notStarted':
        await appendError(stderrPath, outcome.error);
        return { status: 'Failed', code: 1 };
      case 'lost':
        await appendError(stderrPath, LOST_MESSAGE);
        return { status: 'Failed', code: 1 };
    }
  }

  /** The reply fields of a script step from its output files, with AWS's exit-code rules. */
  private async completeScriptStep(
    step: PlannedStep,
    state: StepState,
    merged: { status: PluginStatus; code: number } | undefined,
    stdoutPath: string,
    stderrPath: string,
  ): Promise<StepState> {
    let { status, code } = merged ?? { status: 'Success' as PluginStatus, code: 0 };
    const limit = STANDARD_OUTPUT_MAX_LENGTH + 1;
    const stdout = (await readTextPrefix(stdoutPath, limit)).text;
    const stderr = (await readTextPrefix(stderrPath, limit)).text;
    const output = truncateOutput(stdout, code === EXIT_SUCCESS_AND_STOP ? '' : stderr);
    let standardOutput = stdout;
    let standardError = stderr;
    if (code === EXIT_SUCCESS_AND_STOP) {
      status = 'Success';
      standardError = '';
      standardOutput += NOTE_168;
    } else if (code === EXIT_FAILURE_AND_STOP) {
      standardOutput += NOTE_169;
      standardError += NOTE_169;
    } else if (status === 'Failed' && step.control.onFailure !== undefined) {
      standardOutput += NOTE_ON_FAILURE;
      standardError += NOTE_ON_FAILURE;
      if (step.control.onFailure === 'successAndExit') {
        status = 'Success';
        code = EXIT_SUCCESS_AND_STOP;
      }
    }
    const [stdoutSummary, stderrSummary] = await Promise.all([
      summarise(stdoutPath),
      summarise(stderrPath),
    ]);
    return {
      ...state,
      status,
      code,
      output,
      standardOutput: stringPrefix(
        standardOutput,
        STANDARD_OUTPUT_MAX_LENGTH,
        OUTPUT_TRUNCATED_SUFFIX,
      ),
      standardError: stringPrefix(
        standardError,
        STANDARD_OUTPUT_MAX_LENGTH,
        OUTPUT_TRUNCATED_SUFFIX,
      ),
      endDateTime: now(),
      fullOutput: { stdout: stdoutSummary, stderr: stderrSummary },
    };
  }

  /** Reply first, then state: a crash in between re-creates the same reply. */
  private async finishStep(step: PlannedStep, result: StepState): Promise<void> {
    const finished: StepState = { ...result, running: undefined };
    await this.queueStepReply(step, finished, 2 * step.index + 2);
    await this.updateStep(step.index, finished);
    if (finished.fullOutput !== undefined) this.services.outputReady(this, step.index);
  }

  private async finishJob(): Promise<void> {
    const sequence = 2 * this.plan.steps.length + 1;
    const payload = createResultReply(
      this.services.agent,
      this.results(),
      undefined,
      this.extension(
        sequence,
        this.plan.steps.map((step) => step.index),
      ),
    );
    await this.services.enqueueReply(documentReply(this.record, sequence, payload));
    await this.update({ ...this.jobState, phase: 'finished', finishedAt: now() });
    this.services.log.info('command finished', {
      commandId: this.commandId,
      status: payload.documentStatus,
    });
  }

  // ---- control flow --------------------------------------------------------------------------

  /** AWS's getShouldPluginSkipBasedOnControlFlow, plus `isEnd` on an earlier step. */
  private skippedByPriorStep(step: PlannedStep): boolean {
    const last = step.index === this.plan.steps.length - 1;
    if (step.control.finallyStep && last) return false;
    return this.plan.steps.slice(0, step.index).some((previous) => {
      const result = this.jobState.steps[previous.index]!;
      return (
        result.code === EXIT_SUCCESS_AND_STOP ||
        result.code === EXIT_FAILURE_AND_STOP ||
        (result.status === 'Failed' && previous.control.onFailure === 'exit') ||
        (result.status === 'Success' && previous.control.onSuccess === 'exit') ||
        previous.control.isEnd
      );
    });
  }

  // ---- replies -------------------------------------------------------------------------------

  private async queueStepReply(
    step: PlannedStep,
    state: StepState,
    sequence: number,
  ): Promise<void> {
    const results = this.results();
    results.set(step.pluginId, runtimeStatusOf(state));
    const payload = createResultReply(
      this.services.agent,
      results,
      step.pluginId,
      this.extension(sequence, state.fullOutput === undefined ? [] : [step.index], state),
    );
    await this.services.enqueueReply(documentReply(this.record, sequence, payload));
  }

  /** Every step that has started or finished, by plugin id, in document order. */
  private results(): Map<string, PluginRuntimeStatus> {
    const results = new Map<string, PluginRuntimeStatus>();
    for (const step of this.plan.steps) {
      const state = this.jobState.steps[step.index]!;
      if (state.status !== 'NotStarted') results.set(step.pluginId, runtimeStatusOf(state));
    }
    return results;
  }

  private extension(
    sequence: number,
    stepIndexes: readonly number[],
    override?: StepState,
  ): ReplyExtension {
    const fullOutput: Record<
      string,
      { stdout: { bytes: number; sha256: string }; stderr: { bytes: number; sha256: string } }
    > = {};
    for (const index of stepIndexes) {
      const state = override ?? this.jobState.steps[index]!;
      if (state.fullOutput === undefined) continue;
      const { stdout, stderr } = state.fullOutput;
      fullOutput[this.plan.steps[index]!.pluginId] = {
        stdout: { bytes: stdout.bytes, sha256: stdout.sha256 },
        stderr: { bytes: stderr.bytes, sha256: stderr.sha256 },
      };
    }
    return Object.keys(fullOutput).length === 0 ? { sequence } : { sequence, fullOutput };
  }

  /** AWS's S3 fields: filled only when the command names a bucket (§7.4 S3 layout). */
  private s3Fields(
    step: PlannedStep,
  ): Pick<StepState, 'outputS3BucketName' | 'outputS3KeyPrefix' | 'stepName'> {
    if (this.outputS3.bucket === '') {
      return { outputS3BucketName: '', outputS3KeyPrefix: '', stepName: '' };
    }
    return {
      outputS3BucketName: this.outputS3.bucket,
      outputS3KeyPrefix: joinS3(this.outputS3.keyPrefix, step.pluginName.replaceAll(':', '')),
      stepName: step.stepName,
    };
  }

  // ---- environment ---------------------------------------------------------------------------

  /**
   * Absolute: as given. Relative: under the job's `downloads` directory if it exists there (as
   * AWS's agent), else the step's own directory, which is also the default.
   */
  private async workingDirectory(input: ScriptInput, stepDir: string): Promise<string> {
    if (isAbsolute(input.workingDirectory)) return input.workingDirectory;
    const candidate = join(
      this.services.store.jobDir(this.commandId),
      'downloads',
      input.workingDirectory,
    );
    if (input.workingDirectory !== '' && (await isDirectory(candidate))) return candidate;
    return stepDir;
  }

  /** The agent's environment, the step's own variables, then what AWS's agent sets. */
  private environmentFor(input: ScriptInput): Record<string, string> {
    const { services } = this;
    return {
      ...services.environment,
      ...input.environment,
      SSM_COMMAND_ID: this.commandId,
      AWS_SSM_INSTANCE_ID: services.instanceId,
      AWS_SSM_REGION_NAME: services.region,
      AWS_SSM_PLATFORM_NAME: services.platformName,
      AWS_SSM_PLATFORM_VERSION: services.platformVersion,
    };
  }

  // ---- state ---------------------------------------------------------------------------------

  private async updateStep(index: number, step: StepState): Promise<void> {
    const steps = [...this.jobState.steps];
    steps[index] = step;
    await this.update({ ...this.jobState, steps });
  }

  private async update(state: JobState): Promise<void> {
    this.jobState = state;
    await this.services.store.saveState(this.commandId, state);
  }
}

/** A reply of `record`'s job as the queue takes it. */
function documentReply(
  record: JobRecord,
  sequence: number,
  payload: SendReplyPayload,
): QueuedReply {
  return {
    messageId: replyMessageId(record.jobId, sequence),
    jobId: record.jobId,
    topic: SEND_COMMAND_TOPIC,
    content: encodeReplyContent(payload),
  };
}

function runtimeStatusOf(state: StepState): PluginRuntimeStatus {
  return {
    status: state.status,
    code: state.code,
    name: state.name,
    output: state.output,
    startDateTime: state.startDateTime,
    endDateTime: state.endDateTime,
    outputS3BucketName: state.outputS3BucketName,
    outputS3KeyPrefix: state.outputS3KeyPrefix,
    stepName: state.stepName,
    standardOutput: state.standardOutput,
    standardError: state.standardError,
  };
}

/** Which status wins when inputs of one plugin end differently: the worst. */
const MERGE_RANK: Partial<Record<PluginStatus, number>> = { Failed: 3, TimedOut: 2, Cancelled: 1 };

/** Several inputs of one plugin: the first non-zero code, the worst status (AWS's Merge). */
function mergeStatus(
  merged: { status: PluginStatus; code: number } | undefined,
  next: { status: PluginStatus; code: number },
): { status: PluginStatus; code: number } {
  if (merged === undefined) return next;
  const rank = (status: PluginStatus): number => MERGE_RANK[status] ?? 0;
  return {
    status: rank(next.status) > rank(merged.status) ? next.status : merged.status,
    code: merged.code !== 0 ? merged.code : next.code,
  };
}

/** Size and SHA-256 of a whole output file (empty when it does not exist). */
async function summarise(path: string): Promise<OutputProgress> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { bytes, sha256: hash.digest('hex'), uploaded: 0 };
}

/** AWS's AppendError: the message on a line of its own at the end of stderr. */
async function appendError(path: string, message: string): Promise<void> {
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  await appendFile(path, size > 0 ? `\n${message}` : message, { mode: 0o600 });
}

/** Between two inputs of one plugin AWS's Merge puts a newline in each non-empty stream. */
async function separateRuns(stdoutPath: string, stderrPath: string): Promise<void> {
  for (const path of [stdoutPath, stderrPath]) {
    const size = await stat(path).then(
      (info) => info.size,
      () => 0,
    );
    if (size > 0) await appendFile(path, '\n');
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** Go's path.Join of S3 key parts: slashes collapsed, no leading or trailing slash. */
export function joinS3(...parts: string[]): string {
  return parts
    .join('/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

function now(): string {
  return new Date().toISOString();
}
