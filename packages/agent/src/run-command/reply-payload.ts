// The content of agent_job_reply: AWS's SendReplyPayload (ssm-wire §7.4) with the agent's own
// aggregation rules (contracts/aggregator.go), key for key, plus one OpenSSM key, `openssm`, that
// AWS's parsers ignore: the reply's place in its job and the size and digest of every step's full
// output (docs/decisions/0006-run-command-output.md).

import { AGENT_NAME, AGENT_VERSION } from '../version.js';
import {
  OUTPUT_TRUNCATED_SUFFIX,
  STANDARD_OUTPUT_MAX_LENGTH,
  stringPrefix,
} from './output-truncation.js';

/** Statuses a step (plugin) reports; `Skipped` counts as success (the API has no such value). */
export type PluginStatus =
  'NotStarted' | 'InProgress' | 'Success' | 'Failed' | 'Cancelled' | 'TimedOut' | 'Skipped';

export type DocumentStatus = 'InProgress' | 'Success' | 'Failed' | 'Cancelled' | 'TimedOut';

/** One entry of `runtimeStatus`, keys in AWS's order. */
export interface PluginRuntimeStatus {
  readonly status: PluginStatus;
  readonly code: number;
  readonly name: string;
  readonly output: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly outputS3BucketName: string;
  readonly outputS3KeyPrefix: string;
  readonly stepName: string;
  readonly standardOutput: string;
  readonly standardError: string;
}

export interface AgentInfo {
  readonly lang: string;
  readonly name: string;
  readonly os: string;
  readonly osver: string;
  readonly ver: string;
}

export interface StreamSummary {
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the whole stream. */
  readonly sha256: string;
}

/** The OpenSSM key of a reply. */
export interface ReplyExtension {
  /** Position of this reply among its job's replies; a later one supersedes an earlier one. */
  readonly sequence: number;
  /** Full stdout/stderr of every finished step that ran, by plugin id. */
  readonly fullOutput?: Readonly<
    Record<string, { readonly stdout: StreamSummary; readonly stderr: StreamSummary }>
  >;
}

export interface SendReplyPayload {
  readonly additionalInfo: {
    readonly agent: AgentInfo;
    readonly dateTime: string;
    readonly runId: string;
    readonly runtimeStatusCounts: Readonly<Record<string, number>> | null;
  };
  readonly documentStatus: DocumentStatus;
  readonly documentTraceOutput: string;
  readonly runtimeStatus: Readonly<Record<string, PluginRuntimeStatus>> | null;
  readonly openssm: ReplyExtension;
}

/**
 * What AWS's agent refuses to send over the control channel (larger replies are dropped). Ours
 * are made to fit instead: standardOutput/standardError are cut shorter (the full output is
 * uploaded apart anyway).
 */
export const REPLY_CONTENT_MAX_BYTES = 120_000;

export function createAgentInfo(os: string, osVersion: string): AgentInfo {
  return { lang: 'en-US', name: AGENT_NAME, os, osver: osVersion, ver: AGENT_VERSION };
}

/** A reply about the whole document only: `runtimeStatus` null (the first one, parse errors). */
export function createDocumentReply(
  agent: AgentInfo,
  status: DocumentStatus,
  traceOutput: string,
  extension: ReplyExtension,
  now: Date = new Date(),
): SendReplyPayload {
  return {
    additionalInfo: { agent, dateTime: now.toISOString(), runId: '', runtimeStatusCounts: null },
    documentStatus: status,
    documentTraceOutput: traceOutput,
    runtimeStatus: null,
    openssm: extension,
  };
}

/**
 * A reply about the document so far (AWS's DocumentResultAggregator): with `currentPluginId` it
 * is an intermediate reply (InProgress, that step only); without, the final one, whose
 * `runtimeStatus` lists the steps only when there is at most one.
 */
export function createResultReply(
  agent: AgentInfo,
  results: ReadonlyMap<string, PluginRuntimeStatus>,
  currentPluginId: string | undefined,
  extension: ReplyExtension,
  now: Date = new Date(),
): SendReplyPayload {
  const counts: Record<string, number> = {};
  for (const result of results.values()) counts[result.status] = (counts[result.status] ?? 0) + 1;
  let runtimeStatus: Record<string, PluginRuntimeStatus> = {};
  if (currentPluginId !== undefined) {
    const current = results.get(currentPluginId);
    if (current !== undefined) runtimeStatus = { [currentPluginId]: normalise(current) };
  } else if (results.size <= 1) {
    runtimeStatus = Object.fromEntries(
      [...results].map(([pluginId, result]) => [pluginId, normalise(result)]),
    );
  }
  return {
    additionalInfo: {
      agent,
      dateTime: now.toISOString(),
      runId: '',
      runtimeStatusCounts: counts,
    },
    documentStatus:
      currentPluginId === undefined ? aggregateDocumentStatus(results.values()) : 'InProgress',
    documentTraceOutput: '',
    runtimeStatus,
    openssm: extension,
  };
}

/**
 * AWS's precedence: any Failed → Failed, else TimedOut, else Cancelled, else all Success or
 * Skipped → Success, else InProgress. (SuccessAndReboot never happens here: no reboots.)
 */
export function aggregateDocumentStatus(results: Iterable<PluginRuntimeStatus>): DocumentStatus {
  const statuses = [...results].map((result) => result.status);
  if (statuses.includes('Failed')) return 'Failed';
  if (statuses.includes('TimedOut')) return 'TimedOut';
  if (statuses.includes('Cancelled')) return 'Cancelled';
  if (statuses.every((status) => status === 'Success' || status === 'Skipped')) return 'Success';
  return 'InProgress';
}

/** AWS reports a Failed step with code 0 as code 1. */
function normalise(result: PluginRuntimeStatus): PluginRuntimeStatus {
  return result.status === 'Failed' && result.code === 0 ? { ...result, code: 1 } : result;
}

/**
 * The reply as JSON text of at most REPLY_CONTENT_MAX_BYTES UTF-8 bytes: when it is larger
 * (output full of characters JSON escapes), standardOutput and standardError are cut to half,
 * a quarter, ... of their usual length until it fits.
 */
export function encodeReplyContent(payload: SendReplyPayload): string {
  let text = JSON.stringify(payload);
  for (
    let limit = STANDARD_OUTPUT_MAX_LENGTH / 2;
    Buffer.byteLength(text) > REPLY_CONTENT_MAX_BYTES && limit >= 64;
    limit = Math.floor(limit / 2)
  ) {
    const runtimeStatus =
      payload.runtimeStatus === null
        ? null
        : Object.fromEntries(
            Object.entries(payload.runtimeStatus).map(([pluginId, result]) => [
              pluginId,
              {
                ...result,
                standardOutput: stringPrefix(result.standardOutput, limit, OUTPUT_TRUNCATED_SUFFIX),
                standardError: stringPrefix(result.standardError, limit, OUTPUT_TRUNCATED_SUFFIX),
              },
            ]),
          );
    text = JSON.stringify({ ...payload, runtimeStatus });
  }
  return text;
}
