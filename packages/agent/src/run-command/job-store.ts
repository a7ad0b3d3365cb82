// Run Command's durable record of every job this node accepted, under
// `<state dir>/run-command/jobs/<CommandId>/` (0700 directories, 0600 files, atomic writes):
//   job.json      what arrived (ids, topic, time) — written last, it marks a complete record;
//                 a job id with one is never run again, whatever state it is in
//   content.json  the SendCommand payload as received (the job is re-planned from it)
//   state.json    how far it got: phase, each step's result, upload progress
//   <n>.<step>/   one directory per step: _script.sh, stdout, stderr, exit-status
// A finished job whose output is uploaded keeps only job.json and state.json, for the
// retention period, so a late duplicate of it is still recognised.

import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginRuntimeStatus, PluginStatus, StreamSummary } from './reply-payload.js';
import {
  ensureStateDir,
  readOptionalFile,
  removeFile,
  writeFileAtomic,
} from '../state/state-files.js';

/** CommandIds become directory names: UUIDs in practice, never anything with a path in it. */
const COMMAND_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface JobRecord {
  readonly version: 1;
  /** `aws.ssm.<CommandId>.<InstanceId>` as received. */
  readonly jobId: string;
  readonly commandId: string;
  /** MessageId of the agent_job that delivered it. */
  readonly messageId: string;
  readonly topic: string;
  /** ISO-8601. */
  readonly receivedAt: string;
}

export type JobPhase = 'accepted' | 'running' | 'finished';

export interface OutputProgress extends StreamSummary {
  /** Bytes the server acknowledged. */
  readonly uploaded: number;
}

export interface StepState extends PluginRuntimeStatus {
  /** Set while the step runs: which inputs, the wrapper's pid once known, the deadline. */
  readonly running?: {
    readonly input: number;
    readonly pid?: number;
    /** Epoch milliseconds. */
    readonly deadline: number;
    /** The merged result of the inputs before this one (a 1.2 plugin may have several). */
    readonly merged?: { readonly status: PluginStatus; readonly code: number };
  };
  /** Set once the step ran and its output is complete. */
  readonly fullOutput?: { readonly stdout: OutputProgress; readonly stderr: OutputProgress };
}

export interface JobState {
  readonly version: 1;
  readonly phase: JobPhase;
  readonly cancelRequested: boolean;
  /** Why the job could not even be planned (its reply says Failed with this text). */
  readonly failure?: string;
  readonly steps: readonly StepState[];
  /** ISO-8601, once finished. */
  readonly finishedAt?: string;
  /** The step directories and content.json are gone (output uploaded, job finished). */
  readonly cleaned?: boolean;
}

export interface StoredJob {
  readonly record: JobRecord;
  readonly state: JobState;
}

export function isValidCommandId(commandId: string): boolean {
  return COMMAND_ID.test(commandId);
}

export class JobStore {
  readonly jobsDir: string;
  /** Per job, the chain of state writes (each write the snapshot taken when it was asked). */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(runCommandDir: string) {
    this.jobsDir = join(runCommandDir, 'jobs');
  }

  jobDir(commandId: string): string {
    if (!isValidCommandId(commandId)) throw new RangeError(`unsafe CommandId ${commandId}`);
    return join(this.jobsDir, commandId);
  }

  /** A step's working directory name: index first (names may repeat once sanitised). */
  stepDir(commandId: string, index: number, pluginId: string): string {
    return join(this.jobDir(commandId), `${index}.${pluginId.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  }

  /** Creates the jobs directory and removes records a crash left half-written. */
  async init(): Promise<void> {
    await ensureStateDir(this.jobsDir);
    for (const name of await readdir(this.jobsDir)) {
      if (!isValidCommandId(name)) continue;
      if ((await readOptionalFile(join(this.jobsDir, name, 'job.json'))) === undefined) {
        // Never acknowledged (job.json is written before the ack): as if it never arrived.
        await rm(join(this.jobsDir, name), { recursive: true, force: true });
      }
    }
  }

  /** True when a complete record of `commandId` exists. */
  async has(commandId: string): Promise<boolean> {
    return (await readOptionalFile(join(this.jobDir(commandId), 'job.json'))) !== undefined;
  }

  /** Records a job durably: content and state first, job.json last. */
  async create(record: JobRecord, content: string, state: JobState): Promise<void> {
    const dir = this.jobDir(record.commandId);
    await ensureStateDir(dir);
    await writeFileAtomic(join(dir, 'content.json'), content);
    await writeFileAtomic(join(dir, 'state.json'), `${JSON.stringify(state)}\n`);
    await writeFileAtomic(join(dir, 'job.json'), `${JSON.stringify(record)}\n`);
  }

  /** Writes `state` after any write of the same job still under way. */
  saveState(commandId: string, state: JobState): Promise<void> {
    const text = `${JSON.stringify(state)}\n`;
    const path = join(this.jobDir(commandId), 'state.json');
    const previous = this.writes.get(commandId) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => writeFileAtomic(path, text));
    this.writes.set(commandId, write);
    const forget = (): void => {
      if (this.writes.get(commandId) === write) this.writes.delete(commandId);
    };
    write.then(forget, forget);
    return write;
  }

  /** Resolves once every state write asked for so far is done (or failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()].map((write) => write.catch(() => undefined)));
  }

  async readContent(commandId: string): Promise<string | undefined> {
    return readOptionalFile(join(this.jobDir(commandId), 'content.json'));
  }

  /** Every complete record; unreadable ones are reported through `onInvalid` and skipped. */
  async list(onInvalid: (commandId: string, error: unknown) => void): Promise<StoredJob[]> {
    const jobs: StoredJob[] = [];
    for (const name of (await readdir(this.jobsDir)).sort()) {
      if (!isValidCommandId(name)) continue;
      try {
        const dir = join(this.jobsDir, name);
        const recordText = await readOptionalFile(join(dir, 'job.json'));
        if (recordText === undefined) continue;
        const record = JSON.parse(recordText) as JobRecord;
        const stateText = await readFile(join(dir, 'state.json'), 'utf8');
        jobs.push({ record, state: JSON.parse(stateText) as JobState });
      } catch (error) {
        onInvalid(name, error);
      }
    }
    return jobs;
  }

  /** Removes everything of a job but job.json and state.json. */
  async clean(commandId: string): Promise<void> {
    const dir = this.jobDir(commandId);
    await this.writes.get(commandId)?.catch(() => undefined);
    for (const name of await readdir(dir)) {
      if (name === 'job.json' || name === 'state.json') continue;
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }

  /** Forgets a job entirely (after the retention period). */
  async remove(commandId: string): Promise<void> {
    await this.writes.get(commandId)?.catch(() => undefined);
    await removeFile(join(this.jobDir(commandId), 'job.json'));
    await rm(this.jobDir(commandId), { recursive: true, force: true });
  }
}
