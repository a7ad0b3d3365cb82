// Run Command's persistent records (docs/run-command.md): a command as SendCommand created it,
// with its counters and status, and one invocation per target node with the results of each
// plugin (step). Plain data, times in epoch milliseconds, no driver types.

/** Command.Status (ssm-wire §10.1). */
export type CommandStatus =
  'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut' | 'Cancelling';

/** CommandInvocation.Status (ssm-wire §10.1). */
export type InvocationStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'TimedOut'
  | 'Failed'
  | 'Cancelling';

/** CommandPlugin.Status (ssm-wire §10.1). */
export type PluginStatus =
  'Pending' | 'InProgress' | 'Success' | 'TimedOut' | 'Cancelled' | 'Failed';

export const COMMAND_STATUSES: readonly CommandStatus[] = [
  'Pending',
  'InProgress',
  'Success',
  'Cancelled',
  'Failed',
  'TimedOut',
  'Cancelling',
];

export const INVOCATION_STATUSES: readonly InvocationStatus[] = [
  'Pending',
  'InProgress',
  'Delayed',
  'Success',
  'Cancelled',
  'TimedOut',
  'Failed',
  'Cancelling',
];

/** Statuses after which nothing changes any more. */
export const FINAL_COMMAND_STATUSES: readonly CommandStatus[] = [
  'Success',
  'Cancelled',
  'Failed',
  'TimedOut',
];
export const FINAL_INVOCATION_STATUSES: readonly InvocationStatus[] = [
  'Success',
  'Cancelled',
  'Failed',
  'TimedOut',
];

/** One `Targets` entry of SendCommand: values are OR-ed, entries AND-ed. */
export interface CommandTarget {
  readonly key: string;
  readonly values: readonly string[];
}

/** A step of the command's document, as every invocation reports it. */
export interface PluginDescriptor {
  /** The plugin id the node reports: the step's `name` (2.x) or the plugin name (1.2). */
  readonly name: string;
  /** The action, e.g. `aws:runShellScript`. */
  readonly pluginName: string;
  /** AWS's S3 `stepName`: the step id without colons. */
  readonly stepName: string;
}

export interface CloudWatchOutputConfig {
  readonly logGroupName: string;
  readonly enabled: boolean;
}

export interface NotificationConfig {
  readonly arn: string;
  readonly events: readonly string[];
  readonly type: string;
}

export interface CommandRecord {
  /** A UUID (36 characters). */
  readonly commandId: string;
  readonly documentName: string;
  /** The version that runs, as text ("1", "2", …). */
  readonly documentVersion: string;
  readonly comment: string;
  /** Parameters as the caller gave them (lists of strings, as on the API). */
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  /**
   * The agent_job `Content` every node is sent (ssm-wire §7.2): document with its placeholders,
   * typed parameters, output settings. Fixed at send time, so a resend after a restart is the
   * same job even when the document changed since.
   */
  readonly jobContent: string;
  readonly plugins: readonly PluginDescriptor[];
  /** As requested (empty when Targets were used). */
  readonly instanceIds: readonly string[];
  readonly targets: readonly CommandTarget[];
  readonly requestedAt: number;
  /** SendCommand's TimeoutSeconds: undelivered invocations time out at requestedAt + this. */
  readonly timeoutSeconds: number;
  /** RequestedDateTime + delivery and execution timeout: nothing still open survives it. */
  readonly expiresAt: number;
  readonly outputS3Region: string;
  readonly outputS3BucketName: string;
  readonly outputS3KeyPrefix: string;
  /** As given: a number or a percentage. */
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly serviceRole: string;
  readonly notificationConfig: NotificationConfig | null;
  readonly cloudWatchOutputConfig: CloudWatchOutputConfig | null;
  /** The caller's ARN. */
  readonly owner: string;
  readonly status: CommandStatus;
  readonly statusDetails: string;
  readonly targetCount: number;
  readonly completedCount: number;
  readonly errorCount: number;
  readonly deliveryTimedOutCount: number;
  /** CancelCommand named the whole command. */
  readonly cancelRequested: boolean;
  /** No more invocations are sent: errors exceeded MaxErrors, or it was cancelled. */
  readonly dispatchStopped: boolean;
}

export interface StreamSummary {
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the whole stream. */
  readonly sha256: string;
}

/** One plugin (step) of one invocation. */
export interface InvocationPluginRecord {
  readonly name: string;
  readonly pluginName: string;
  readonly stepName: string;
  readonly status: PluginStatus;
  readonly statusDetails: string;
  /** -1 until the node reports one. */
  readonly responseCode: number;
  /** ISO-8601 times as the node reported them; '' when unknown. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** ≤ 2,500 characters (stdout and stderr, as AWS's agent combines them). */
  readonly output: string;
  /** ≤ 24,000 characters. */
  readonly standardOutput: string;
  /** ≤ 8,000 characters (the API's limit for StandardErrorContent). */
  readonly standardError: string;
  readonly outputS3BucketName: string;
  readonly outputS3KeyPrefix: string;
  /** The reply sequence this plugin's fields came from (a lower one never overwrites them). */
  readonly sequence: number;
  /** Size and digest of the step's whole stdout and stderr, as the node announced them. */
  readonly fullOutput: { readonly stdout: StreamSummary; readonly stderr: StreamSummary } | null;
  /**
   * How many bytes of each stream the server keeps (decided when its first chunk arrives, within
   * the per-invocation cap); null before that.
   */
  readonly outputKept: { readonly stdout: number | null; readonly stderr: number | null };
}

/** A cancel sent for one invocation (its own agent_job) and what the node answered. */
export interface InvocationCancel {
  /** `aws.ssm.<cancel id>.<instance id>`. */
  readonly jobId: string;
  readonly requestedAt: number;
  /** The cancel job reached the node (acknowledged). */
  readonly delivered: boolean;
  /** The node's answer to the cancel itself: '' until it comes, then Success or Failed. */
  readonly result: string;
}

export interface CommandInvocationRecord {
  readonly commandId: string;
  readonly instanceId: string;
  /** The node's name when the command was sent. */
  readonly instanceName: string;
  /** Order in which invocations are sent (0, 1, …). */
  readonly position: number;
  /** The command's RequestedDateTime (listings sort and filter by it). */
  readonly requestedAt: number;
  readonly status: InvocationStatus;
  readonly statusDetails: string;
  /** When it was handed to the dispatcher (it then counts against MaxConcurrency). */
  readonly dispatchedAt: number | null;
  /** When the node acknowledged the job (or first replied). */
  readonly deliveredAt: number | null;
  readonly sendAttempts: number;
  /** When an undelivered job is sent again. */
  readonly nextAttemptAt: number | null;
  /** MessageId of the last agent_job sent for it (the node's ack names it). */
  readonly jobMessageId: string | null;
  /** Highest reply sequence applied to the document status (-1: none). */
  readonly replySequence: number;
  /** documentTraceOutput, ≤ 2,500 characters. */
  readonly traceOutput: string;
  readonly plugins: readonly InvocationPluginRecord[];
  readonly cancel: InvocationCancel | null;
  readonly updatedAt: number;
}
