// Run Command's status model as pure functions (ssm-wire §10, docs/run-command.md): what
// MaxConcurrency and MaxErrors allow for a number of targets, which statuses are final and count
// as errors, how a node's reply changes an invocation, and what a command's status, details and
// counters are given its invocations.

import { JsonObjectReader, parseSendReplyContent, type JsonValue } from '@openssm/protocol';
import type {
  CommandInvocationRecord,
  CommandRecord,
  CommandStatus,
  InvocationPluginRecord,
  InvocationStatus,
  PluginDescriptor,
  PluginStatus,
  StreamSummary,
} from '../storage/command-records.js';
import { FINAL_INVOCATION_STATUSES } from '../storage/command-records.js';

// ---- StatusDetails texts (the API's, ssm-wire §10.2) -------------------------------------------

export const Details = {
  Pending: 'Pending',
  InProgress: 'In Progress',
  Delayed: 'Delayed',
  Success: 'Success',
  Failed: 'Failed',
  DeliveryTimedOut: 'Delivery Timed Out',
  ExecutionTimedOut: 'Execution Timed Out',
  Cancelled: 'Cancelled',
  Cancelling: 'Cancelling',
  Terminated: 'Terminated',
  Undeliverable: 'Undeliverable',
  Incomplete: 'Incomplete',
} as const;

// ---- API limits of result fields ---------------------------------------------------------------

export const OUTPUT_MAX_LENGTH = 2500;
export const STANDARD_OUTPUT_MAX_LENGTH = 24_000;
/** The API's limit for StandardErrorContent (AWS's agent sends up to 24,000). */
export const STANDARD_ERROR_MAX_LENGTH = 8000;
export const TRACE_OUTPUT_MAX_LENGTH = 2500;
/** What AWS's agent appends to a cut standard stream. */
export const OUTPUT_TRUNCATED_SUFFIX = '--output truncated--';
/** Plugins one invocation may report (a document has at most 100 steps here). */
const MAX_PLUGINS = 100;

// ---- MaxConcurrency and MaxErrors --------------------------------------------------------------

export const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/**
 * How many invocations may run at once. A percentage of the targets is rounded down, but never
 * below one (so `10%` of 5 nodes still runs them, one at a time).
 */
export function maxConcurrencyOf(value: string, targetCount: number): number {
  if (!value.endsWith('%')) return Number(value);
  return Math.max(1, Math.floor((Number(value.slice(0, -1)) * targetCount) / 100));
}

/**
 * How many errors are tolerated: sending stops when one more arrives. A percentage of the
 * targets is rounded down (AWS's example: 10% of 50 stops at the sixth error).
 */
export function maxErrorsOf(value: string, targetCount: number): number {
  if (!value.endsWith('%')) return Number(value);
  return Math.floor((Number(value.slice(0, -1)) * targetCount) / 100);
}

/**
 * AWS's ramp-up: one invocation first, and each one that finishes lets two more go, up to
 * MaxConcurrency — so a command that fails everywhere fails on few nodes.
 */
export function concurrencyWindow(maxConcurrency: number, finishedDispatched: number): number {
  return Math.min(maxConcurrency, finishedDispatched + 1);
}

// ---- invocation statuses -----------------------------------------------------------------------

export function isFinalInvocation(status: InvocationStatus): boolean {
  return FINAL_INVOCATION_STATUSES.includes(status);
}

/** Failed (not Undeliverable) and Execution Timed Out count against MaxErrors. */
export function isError(invocation: Pick<CommandInvocationRecord, 'status' | 'statusDetails'>) {
  return (
    (invocation.status === 'Failed' && invocation.statusDetails !== Details.Undeliverable) ||
    (invocation.status === 'TimedOut' && invocation.statusDetails === Details.ExecutionTimedOut)
  );
}

function isDeliveryTimeout(invocation: Pick<CommandInvocationRecord, 'status' | 'statusDetails'>) {
  return invocation.status === 'TimedOut' && invocation.statusDetails === Details.DeliveryTimedOut;
}

/** Reached the node (acknowledged or replied to). */
export function isDelivered(invocation: CommandInvocationRecord): boolean {
  return invocation.deliveredAt !== null;
}

export function initialPlugins(descriptors: readonly PluginDescriptor[]): InvocationPluginRecord[] {
  return descriptors.map((descriptor) => ({
    ...descriptor,
    status: 'Pending',
    statusDetails: Details.Pending,
    responseCode: -1,
    startedAt: '',
    finishedAt: '',
    output: '',
    standardOutput: '',
    standardError: '',
    outputS3BucketName: '',
    outputS3KeyPrefix: '',
    sequence: -1,
    fullOutput: null,
    outputKept: { stdout: null, stderr: null },
  }));
}

/**
 * Ends an invocation on the server's own account (delivery timeout, MaxErrors, cancel before
 * sending, a node that refused the job): plugins that had not finished end the same way.
 */
export function finishInvocation(
  invocation: CommandInvocationRecord,
  status: InvocationStatus & PluginStatus,
  details: string,
  now: number,
  traceOutput?: string,
): CommandInvocationRecord {
  return {
    ...invocation,
    status,
    statusDetails: details,
    nextAttemptAt: null,
    ...(traceOutput === undefined
      ? {}
      : { traceOutput: cut(traceOutput, TRACE_OUTPUT_MAX_LENGTH) }),
    plugins: invocation.plugins.map((plugin) =>
      isFinalPlugin(plugin.status) ? plugin : { ...plugin, status, statusDetails: details },
    ),
    updatedAt: now,
  };
}

export function isFinalPlugin(status: PluginStatus): boolean {
  return (
    status === 'Success' || status === 'Failed' || status === 'TimedOut' || status === 'Cancelled'
  );
}

// ---- the command's status and counters ---------------------------------------------------------

export type CommandSummary = Pick<
  CommandRecord,
  'status' | 'statusDetails' | 'completedCount' | 'errorCount' | 'deliveryTimedOutCount'
>;

/**
 * The command's Status, StatusDetails and counters from its invocations (ssm-wire §10.2). When
 * every invocation is final: Cancelled if the command was cancelled; Success if all succeeded
 * (Undeliverable ones aside); Failed / TimedOut when the errors, execution timeouts or delivery
 * timeouts exceed MaxErrors; Cancelled when the only other outcome is cancellation; otherwise
 * Failed with details Incomplete.
 */
export function summarizeCommand(
  command: Pick<CommandRecord, 'cancelRequested' | 'maxErrors'>,
  invocations: Iterable<CommandInvocationRecord>,
): CommandSummary {
  let total = 0;
  let completed = 0;
  let failed = 0;
  let executionTimedOut = 0;
  let deliveryTimedOut = 0;
  let succeeded = 0;
  let undeliverable = 0;
  let cancelled = 0;
  let dispatched = 0;
  for (const invocation of invocations) {
    total++;
    // Delayed ones were attempted: the command is under way.
    if (invocation.dispatchedAt !== null || invocation.status === 'Delayed') dispatched++;
    if (!isFinalInvocation(invocation.status)) continue;
    completed++;
    if (invocation.status === 'Success') succeeded++;
    else if (invocation.statusDetails === Details.Undeliverable) undeliverable++;
    else if (invocation.status === 'Failed') failed++;
    else if (isDeliveryTimeout(invocation)) deliveryTimedOut++;
    else if (invocation.status === 'TimedOut') executionTimedOut++;
    else if (invocation.status === 'Cancelled') cancelled++;
  }
  const counts = {
    completedCount: completed,
    errorCount: failed + executionTimedOut,
    deliveryTimedOutCount: deliveryTimedOut,
  };
  const is = (status: CommandStatus, statusDetails: string): CommandSummary => ({
    status,
    statusDetails,
    ...counts,
  });
  if (completed < total) {
    if (command.cancelRequested) return is('Cancelling', Details.Cancelling);
    return dispatched === 0 ? is('Pending', Details.Pending) : is('InProgress', Details.InProgress);
  }
  if (command.cancelRequested) return is('Cancelled', Details.Cancelled);
  if (succeeded + undeliverable === total) return is('Success', Details.Success);
  const maxErrors = maxErrorsOf(command.maxErrors, total);
  if (failed > maxErrors) return is('Failed', Details.Failed);
  if (executionTimedOut > maxErrors) return is('TimedOut', Details.ExecutionTimedOut);
  if (failed + executionTimedOut > maxErrors) return is('Failed', Details.Failed);
  if (deliveryTimedOut > maxErrors) return is('TimedOut', Details.DeliveryTimedOut);
  if (cancelled > 0 && succeeded + undeliverable + cancelled === total) {
    return is('Cancelled', Details.Cancelled);
  }
  return is('Failed', Details.Incomplete);
}

// ---- replies from the node ---------------------------------------------------------------------

/** One `runtimeStatus` entry, read leniently (missing fields are empty). */
export interface PluginReply {
  readonly status: string;
  readonly code: number;
  readonly name: string;
  readonly output: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly outputS3BucketName: string;
  readonly outputS3KeyPrefix: string;
  readonly standardOutput: string;
  readonly standardError: string;
}

/** What the server reads from an agent_job_reply's content (AWS's SendReplyPayload, §7.4). */
export interface ReplyContent {
  readonly documentStatus: string;
  readonly documentTraceOutput: string;
  readonly runtimeStatus: ReadonlyMap<string, PluginReply>;
  /** OpenSSM's `openssm.sequence`; undefined from AWS's agent. */
  readonly sequence: number | undefined;
  readonly fullOutput: ReadonlyMap<string, { stdout: StreamSummary; stderr: StreamSummary }>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Parses a reply's content; throws CodedError('PayloadInvalid') when it is not one. */
export function parseReplyContent(content: string): ReplyContent {
  const reader = JsonObjectReader.from(parseSendReplyContent(content), 'SendReplyContent');
  const documentStatus = reader.string('documentStatus');
  const runtimeStatus = new Map<string, PluginReply>();
  const statuses = reader.has('runtimeStatus') ? reader.value('runtimeStatus') : null;
  if (statuses !== null) {
    const entries = reader.object('runtimeStatus');
    for (const [pluginId] of entries.entries().slice(0, MAX_PLUGINS)) {
      if (pluginId === '') continue;
      const entry = entries.object(pluginId);
      runtimeStatus.set(pluginId, {
        status: text(entry, 'status'),
        code: integer(entry, 'code'),
        name: text(entry, 'name'),
        output: text(entry, 'output'),
        startDateTime: text(entry, 'startDateTime'),
        endDateTime: text(entry, 'endDateTime'),
        outputS3BucketName: text(entry, 'outputS3BucketName'),
        outputS3KeyPrefix: text(entry, 'outputS3KeyPrefix'),
        standardOutput: text(entry, 'standardOutput'),
        standardError: text(entry, 'standardError'),
      });
    }
  }
  let sequence: number | undefined;
  const fullOutput = new Map<string, { stdout: StreamSummary; stderr: StreamSummary }>();
  if (reader.has('openssm') && reader.value('openssm') !== null) {
    const extension = reader.object('openssm');
    if (extension.has('sequence')) sequence = extension.integer('sequence', 0, 2 ** 31);
    if (extension.has('fullOutput') && extension.value('fullOutput') !== null) {
      const outputs = extension.object('fullOutput');
      for (const [pluginId] of outputs.entries().slice(0, MAX_PLUGINS)) {
        const streams = outputs.object(pluginId);
        fullOutput.set(pluginId, {
          stdout: summary(streams.object('stdout')),
          stderr: summary(streams.object('stderr')),
        });
      }
    }
  }
  return {
    documentStatus,
    documentTraceOutput: text(reader, 'documentTraceOutput'),
    runtimeStatus,
    sequence,
    fullOutput,
  };
}

function summary(reader: JsonObjectReader): StreamSummary {
  const bytes = reader.integer('bytes', 0, Number.MAX_SAFE_INTEGER);
  const sha256 = reader.string('sha256');
  if (!SHA256_HEX.test(sha256)) throw reader.fail('sha256', 'must be a lower-case hex SHA-256');
  return { bytes, sha256 };
}

function text(reader: JsonObjectReader, key: string): string {
  if (!reader.has(key)) return '';
  const value: JsonValue = reader.value(key);
  return typeof value === 'string' ? value : '';
}

function integer(reader: JsonObjectReader, key: string): number {
  if (!reader.has(key)) return 0;
  const value: JsonValue = reader.value(key);
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;
}

/** Agent statuses (AWS's and ours) → the API's plugin status and details. */
export function pluginStatusOf(agentStatus: string): { status: PluginStatus; details: string } {
  switch (agentStatus) {
    case 'Success':
    case 'Skipped':
    case 'SuccessAndReboot':
    case 'PassedAndReboot':
    case 'TestPass':
      return { status: 'Success', details: Details.Success };
    case 'Failed':
    case 'TestFailure':
      return { status: 'Failed', details: Details.Failed };
    case 'TimedOut':
      return { status: 'TimedOut', details: Details.ExecutionTimedOut };
    case 'Cancelled':
      return { status: 'Cancelled', details: Details.Cancelled };
    case 'NotStarted':
      return { status: 'Pending', details: Details.Pending };
    default:
      return { status: 'InProgress', details: Details.InProgress };
  }
}

/** documentStatus → the invocation's final status, or undefined while it runs. */
function finalStatusOf(
  documentStatus: string,
): { status: InvocationStatus & PluginStatus; details: string } | undefined {
  switch (documentStatus) {
    case 'Success':
    case 'SuccessAndReboot':
      return { status: 'Success', details: Details.Success };
    case 'Failed':
      return { status: 'Failed', details: Details.Failed };
    case 'TimedOut':
      return { status: 'TimedOut', details: Details.ExecutionTimedOut };
    case 'Cancelled':
      return { status: 'Cancelled', details: Details.Cancelled };
    default:
      return undefined;
  }
}

/**
 * Applies a node's reply. The document status moves only for a reply newer than every one
 * applied (`openssm.sequence`; AWS's agent has none, so its replies apply in arrival order until
 * the invocation is final); each plugin's fields likewise move only for a newer reply about that
 * plugin, so a resent step reply that arrives after the final one still fills its step in. A
 * final invocation never changes status again.
 */
export function applyReply(
  invocation: CommandInvocationRecord,
  reply: ReplyContent,
  now: number,
): CommandInvocationRecord {
  const sequence = reply.sequence ?? invocation.replySequence + 1;
  const plugins = [...invocation.plugins];
  for (const [pluginId, result] of reply.runtimeStatus) {
    let index = plugins.findIndex((plugin) => plugin.name === pluginId);
    if (index < 0) {
      if (plugins.length >= MAX_PLUGINS) continue;
      plugins.push({
        ...initialPlugins([
          { name: pluginId, pluginName: result.name || pluginId, stepName: '' },
        ])[0]!,
      });
      index = plugins.length - 1;
    }
    const plugin = plugins[index]!;
    if (plugin.sequence >= sequence && reply.sequence !== undefined) continue;
    const { status, details } = pluginStatusOf(result.status);
    plugins[index] = {
      ...plugin,
      status,
      statusDetails: details,
      responseCode: status === 'Failed' && result.code === 0 ? 1 : result.code,
      startedAt: result.startDateTime,
      finishedAt: result.endDateTime,
      output: cut(result.output, OUTPUT_MAX_LENGTH),
      standardOutput: cut(
        result.standardOutput,
        STANDARD_OUTPUT_MAX_LENGTH,
        OUTPUT_TRUNCATED_SUFFIX,
      ),
      standardError: cut(result.standardError, STANDARD_ERROR_MAX_LENGTH, OUTPUT_TRUNCATED_SUFFIX),
      outputS3BucketName: result.outputS3BucketName,
      outputS3KeyPrefix: result.outputS3KeyPrefix,
      sequence,
    };
  }
  for (const [pluginId, streams] of reply.fullOutput) {
    const index = plugins.findIndex((plugin) => plugin.name === pluginId);
    if (index >= 0) plugins[index] = { ...plugins[index]!, fullOutput: streams };
  }
  let next: CommandInvocationRecord = {
    ...invocation,
    plugins,
    deliveredAt: invocation.deliveredAt ?? now,
    updatedAt: now,
  };
  if (isFinalInvocation(invocation.status) || sequence <= invocation.replySequence) {
    return next;
  }
  next = {
    ...next,
    replySequence: sequence,
    nextAttemptAt: null,
    ...(reply.documentTraceOutput === ''
      ? {}
      : { traceOutput: cut(reply.documentTraceOutput, TRACE_OUTPUT_MAX_LENGTH) }),
  };
  const final = finalStatusOf(reply.documentStatus);
  if (final !== undefined) return finishInvocation(next, final.status, final.details, now);
  if (invocation.status === 'Cancelling') return next;
  return { ...next, status: 'InProgress', statusDetails: Details.InProgress };
}

/**
 * The first `limit` characters of `text`, ending with `suffix` when cut (never in the middle of
 * a surrogate pair).
 */
export function cut(text: string, limit: number, suffix = ''): string {
  if (text.length <= limit) return text;
  let end = limit - suffix.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + suffix;
}
