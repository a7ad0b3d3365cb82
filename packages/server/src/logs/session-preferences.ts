// Session Manager preferences as the server enforces them (docs/session-logs.md): the session
// document's `inputs` (ssm-wire §8.3), with `{{ }}` parameters substituted, and for keys it does
// not set the account's SSM-SessionManagerRunShell. idleSessionTimeout and maxSessionDuration
// are minutes, as on AWS; recording, streaming and failure handling are read here too.

import {
  interpolateParameters,
  withParameterDefaults,
  type JsonObject,
  type JsonValue,
  type SessionParameterValue,
} from '@openssm/protocol';

export type LogFailureMode = 'open' | 'closed';

export interface SessionPreferences {
  /** Empty: the server's default bucket. */
  readonly s3BucketName: string;
  readonly s3KeyPrefix: string;
  /** Empty: no log group. */
  readonly cloudWatchLogGroupName: string;
  readonly cloudWatchStreamingEnabled: boolean;
  /** Minutes; AWS's default 20. */
  readonly idleSessionTimeout: number;
  /** Minutes; undefined for no limit. */
  readonly maxSessionDuration: number | undefined;
  /** OpenSSM: record keystrokes ("i" events) too. */
  readonly recordInput: boolean;
  /** OpenSSM: what a session does when its logs cannot be written. */
  readonly logFailureMode: LogFailureMode;
  readonly runAsEnabled: boolean;
  readonly runAsDefaultUser: string;
}

export const DEFAULT_IDLE_MINUTES = 20;

/** The keys OpenSSM adds to AWS's session document inputs. */
export const OPENSSM_INPUTS = {
  recordInput: 'openssmRecordInput',
  logFailureMode: 'openssmLogFailureMode',
} as const;

/**
 * Reads the preferences of a session document (its content and the session's parameters),
 * falling back key by key to `regional` (the account's SSM-SessionManagerRunShell inputs).
 */
export function resolveSessionPreferences(
  document: JsonObject,
  parameters: Readonly<Record<string, SessionParameterValue>>,
  regional: JsonObject | undefined,
): SessionPreferences {
  const values = withParameterDefaults(document, parameters);
  const own = asObject(interpolateParameters(document['inputs'] ?? {}, values));
  const fallback = regional ?? {};
  const pick = (key: string): JsonValue | undefined => {
    const value = own[key];
    return value === undefined || value === '' ? fallback[key] : value;
  };
  const text = (key: string) => {
    const value = pick(key);
    return typeof value === 'string' ? value.trim() : '';
  };
  const flag = (key: string) => {
    const value = pick(key);
    return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
  };
  const minutes = (key: string): number | undefined => {
    const value = text(key);
    return /^[0-9]+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
  };
  return {
    s3BucketName: text('s3BucketName'),
    s3KeyPrefix: text('s3KeyPrefix'),
    cloudWatchLogGroupName: text('cloudWatchLogGroupName'),
    cloudWatchStreamingEnabled: flag('cloudWatchStreamingEnabled'),
    idleSessionTimeout: minutes('idleSessionTimeout') ?? DEFAULT_IDLE_MINUTES,
    maxSessionDuration: minutes('maxSessionDuration'),
    recordInput: flag(OPENSSM_INPUTS.recordInput),
    logFailureMode: text(OPENSSM_INPUTS.logFailureMode) === 'closed' ? 'closed' : 'open',
    runAsEnabled: flag('runAsEnabled'),
    runAsDefaultUser: text('runAsDefaultUser'),
  };
}

function asObject(value: JsonValue | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}
