// What the Run Command operations share: reading CommandId/InstanceId and the lower-case
// {key, value} filters of ListCommands / ListCommandInvocations, and AWS's response shapes of
// Command, CommandInvocation and CommandPlugin (ssm-wire §2.3), epoch-second timestamps.

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import type { CommandService } from '../services/command-service.js';
import { isFinalPlugin } from '../services/command-status.js';
import type {
  CommandInvocationRecord,
  CommandRecord,
  CommandStatus,
  InvocationPluginRecord,
  InvocationStatus,
} from '../storage/command-records.js';
import { COMMAND_STATUSES, INVOCATION_STATUSES } from '../storage/command-records.js';
import type { CommandFilter } from '../storage/command-repositories.js';
import { boundedString, epochSeconds, optionalBoundedString } from './input.js';

/** AWS's pattern for SendCommand's InstanceIds (EC2 and managed instances). */
export const COMMAND_INSTANCE_ID_PATTERN = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;

export function commandId(input: JsonObjectReader): string {
  const value = boundedString(input, 'CommandId', 36, 36);
  return value;
}

export function optionalCommandId(input: JsonObjectReader): string | undefined {
  return input.has('CommandId') ? commandId(input) : undefined;
}

/** An instance id; a malformed one is InvalidInstanceId, as on AWS. */
export function instanceId(input: JsonObjectReader, key = 'InstanceId'): string {
  const value = input.string(key);
  if (!COMMAND_INSTANCE_ID_PATTERN.test(value)) {
    throw new CodedError('InvalidInstanceId', `${value.slice(0, 64)} is not a valid instance id.`);
  }
  return value;
}

export function optionalInstanceId(input: JsonObjectReader): string | undefined {
  return input.has('InstanceId') ? instanceId(input) : undefined;
}

/** InstanceIds (at most 50, each once) for SendCommand and CancelCommand. */
export function instanceIdList(input: JsonObjectReader): string[] | undefined {
  if (!input.has('InstanceIds')) return undefined;
  const values = input.stringArray('InstanceIds');
  if (values.length > 50) throw input.fail('InstanceIds', 'must hold at most 50 ids');
  const seen = new Set<string>();
  for (const value of values) {
    if (!COMMAND_INSTANCE_ID_PATTERN.test(value)) {
      throw new CodedError(
        'InvalidInstanceId',
        `${value.slice(0, 64)} is not a valid instance id.`,
      );
    }
    if (seen.has(value)) throw new CodedError('DuplicateInstanceId', '');
    seen.add(value);
  }
  return [...values];
}

const FILTER_KEYS = ['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName'];

/** The Filters of ListCommands (statuses of commands) or ListCommandInvocations (of invocations). */
export function commandFilters(
  input: JsonObjectReader,
  statuses: readonly (CommandStatus | InvocationStatus)[],
): Omit<CommandFilter, 'commandId' | 'instanceId' | 'status'> & { status?: string } {
  const filter: {
    status?: string;
    final?: boolean;
    requestedAfter?: number;
    requestedBefore?: number;
    documentName?: string;
  } = {};
  if (!input.has('Filters')) return filter;
  const items = input.objectArray('Filters');
  if (items.length < 1 || items.length > 5) throw input.fail('Filters', 'must hold 1 to 5 filters');
  for (const item of items) {
    const key = item.string('key');
    if (!FILTER_KEYS.includes(key)) {
      throw new CodedError(
        'InvalidFilterKey',
        `Unsupported filter key ${JSON.stringify(key.slice(0, 64))}; use one of ${FILTER_KEYS.join(', ')}.`,
      );
    }
    const value = boundedString(item, 'value', 1, 128);
    switch (key) {
      case 'InvokedAfter':
        filter.requestedAfter = timestamp(value);
        break;
      case 'InvokedBefore':
        filter.requestedBefore = timestamp(value);
        break;
      case 'Status':
        if (!(statuses as readonly string[]).includes(value)) {
          throw new CodedError(
            'ValidationException',
            `Status filter value must be one of ${statuses.join(', ')}.`,
          );
        }
        filter.status = value;
        break;
      case 'ExecutionStage':
        if (value !== 'Executing' && value !== 'Complete') {
          throw new CodedError(
            'ValidationException',
            'ExecutionStage filter value must be Executing or Complete.',
          );
        }
        filter.final = value === 'Complete';
        break;
      default:
        filter.documentName = value;
    }
  }
  return filter;
}

export const COMMAND_STATUS_VALUES = COMMAND_STATUSES;
export const INVOCATION_STATUS_VALUES = INVOCATION_STATUSES;

function timestamp(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new CodedError('ValidationException', `${value.slice(0, 64)} is not a date (ISO 8601).`);
  }
  return ms;
}

export function optionalNextToken(input: JsonObjectReader): string | undefined {
  return optionalBoundedString(input, 'NextToken', 1, 1024);
}

// ---- responses ---------------------------------------------------------------------------------

function notificationConfigOut(command: CommandRecord) {
  const config = command.notificationConfig;
  return {
    NotificationArn: config?.arn ?? '',
    NotificationEvents: [...(config?.events ?? [])],
    NotificationType: config?.type ?? '',
  };
}

export function cloudWatchOutputConfigOut(command: CommandRecord) {
  return {
    CloudWatchLogGroupName: command.cloudWatchOutputConfig?.logGroupName ?? '',
    CloudWatchOutputEnabled: command.cloudWatchOutputConfig?.enabled ?? false,
  };
}

/** AWS's Command structure. */
export function commandOut(command: CommandRecord, region: string) {
  return {
    CommandId: command.commandId,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    Comment: command.comment,
    ExpiresAfter: epochSeconds(command.expiresAt),
    Parameters: command.parameters,
    InstanceIds: [...command.instanceIds],
    Targets: command.targets.map((target) => ({ Key: target.key, Values: [...target.values] })),
    RequestedDateTime: epochSeconds(command.requestedAt),
    Status: command.status,
    StatusDetails: command.statusDetails,
    OutputS3Region: command.outputS3Region || region,
    OutputS3BucketName: command.outputS3BucketName,
    OutputS3KeyPrefix: command.outputS3KeyPrefix,
    MaxConcurrency: command.maxConcurrency,
    MaxErrors: command.maxErrors,
    TargetCount: command.targetCount,
    CompletedCount: command.completedCount,
    ErrorCount: command.errorCount,
    DeliveryTimedOutCount: command.deliveryTimedOutCount,
    ServiceRole: command.serviceRole,
    NotificationConfig: notificationConfigOut(command),
    CloudWatchOutputConfig: cloudWatchOutputConfigOut(command),
    TimeoutSeconds: command.timeoutSeconds,
    TriggeredAlarms: [],
  };
}

/** The URL a step's full stream is served at ('' until the node announced it). */
export function outputUrl(
  commands: CommandService,
  invocation: CommandInvocationRecord,
  pluginIndex: number,
  stream: 'stdout' | 'stderr',
): string {
  const plugin = invocation.plugins[pluginIndex];
  if (plugin === undefined || plugin.fullOutput === null) return '';
  return commands.outputUrl(invocation.commandId, invocation.instanceId, pluginIndex, stream);
}

function epochOf(iso: string): number | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : epochSeconds(ms);
}

/** AWS's CommandPlugin structure. */
export function pluginOut(
  commands: CommandService,
  command: CommandRecord,
  invocation: CommandInvocationRecord,
  plugin: InvocationPluginRecord,
  index: number,
  region: string,
) {
  const started = epochOf(plugin.startedAt);
  const finished = epochOf(plugin.finishedAt);
  return {
    Name: plugin.name,
    Status: plugin.status,
    StatusDetails: plugin.statusDetails,
    ResponseCode: plugin.responseCode,
    ...(started === undefined ? {} : { ResponseStartDateTime: started }),
    ...(finished === undefined ? {} : { ResponseFinishDateTime: finished }),
    Output: plugin.output,
    StandardOutputUrl: outputUrl(commands, invocation, index, 'stdout'),
    StandardErrorUrl: outputUrl(commands, invocation, index, 'stderr'),
    OutputS3Region: command.outputS3Region || region,
    OutputS3BucketName: plugin.outputS3BucketName || command.outputS3BucketName,
    OutputS3KeyPrefix: plugin.outputS3KeyPrefix,
  };
}

/** AWS's CommandInvocation structure; CommandPlugins only with Details. */
export function invocationOut(
  commands: CommandService,
  command: CommandRecord,
  invocation: CommandInvocationRecord,
  details: boolean,
  region: string,
) {
  const single = invocation.plugins.length === 1;
  return {
    CommandId: command.commandId,
    InstanceId: invocation.instanceId,
    InstanceName: invocation.instanceName,
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    RequestedDateTime: epochSeconds(invocation.requestedAt),
    Status: invocation.status,
    StatusDetails: invocation.statusDetails,
    TraceOutput: invocation.traceOutput,
    // "Populated if there is just one plugin defined for the command" (AWS's model).
    StandardOutputUrl: single ? outputUrl(commands, invocation, 0, 'stdout') : '',
    StandardErrorUrl: single ? outputUrl(commands, invocation, 0, 'stderr') : '',
    CommandPlugins: details
      ? invocation.plugins.map((plugin, index) =>
          pluginOut(commands, command, invocation, plugin, index, region),
        )
      : [],
    ServiceRole: command.serviceRole,
    NotificationConfig: notificationConfigOut(command),
    CloudWatchOutputConfig: cloudWatchOutputConfigOut(command),
  };
}

/** GetCommandInvocation's status for one plugin: the plugin's once it ended, else the invocation's. */
export function pluginViewStatus(
  invocation: CommandInvocationRecord,
  plugin: InvocationPluginRecord | undefined,
): { status: InvocationStatus; details: string } {
  if (plugin === undefined || !isFinalPlugin(plugin.status)) {
    return { status: invocation.status, details: invocation.statusDetails };
  }
  return { status: plugin.status, details: plugin.statusDetails };
}
