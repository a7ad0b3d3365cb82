// Run Command for the API (docs/run-command.md): SendCommand checks the document, parameters,
// output location and targets, stores the command with one Pending invocation per node — durably,
// before it answers — and hands it to the engine; CancelCommand, the listings and
// GetCommandInvocation read what the engine and the nodes recorded; the full output of a step
// is read back from the object store.

import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CodedError,
  encodeAgentJobPayload,
  encodeSendCommandContent,
  type JsonObject,
  type JsonValue,
} from '@openssm/protocol';
import type { VersionChoice } from '../documents/document-names.js';
import type {
  CloudWatchOutputConfig,
  CommandInvocationRecord,
  CommandRecord,
  CommandTarget,
  NotificationConfig,
  PluginDescriptor,
} from '../storage/command-records.js';
import type {
  CommandFilter,
  CommandRepository,
  InvocationFilter,
} from '../storage/command-repositories.js';
import type { Page, PageRequest, Principal } from '../storage/records.js';
import type { CommandEngine } from './command-engine.js';
import {
  outputLocation,
  type CommandOutputStore,
  type OutputStreamName,
} from './command-output.js';
import { Details, initialPlugins, summarizeCommand } from './command-status.js';
import { resolveTargets, type ResolvedTargets } from './command-targets.js';
import type { DocumentService } from './document-service.js';
import type { InstanceService } from './instance-service.js';
import type { ServerIdentity } from './services.js';

/** SendCommand's TimeoutSeconds when none is given (the model states none; AWS's console: 600). */
export const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 3600;
/** A step's execution timeout when the document does not say (AWS's agent default). */
const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3600;

export interface SendCommandInput {
  readonly instanceIds: readonly string[];
  readonly targets: readonly CommandTarget[];
  readonly documentName: string;
  readonly documentVersion: string | undefined;
  readonly choice: VersionChoice;
  readonly documentHash: string | undefined;
  readonly documentHashType: 'Sha256' | 'Sha1' | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly comment: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly outputS3Region: string;
  readonly outputS3BucketName: string;
  readonly outputS3KeyPrefix: string;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly serviceRoleArn: string;
  readonly notificationConfig: NotificationConfig | null;
  readonly cloudWatchOutputConfig: CloudWatchOutputConfig | null;
}

/** An invocation with the command it belongs to (listings show fields of both). */
export interface InvocationView {
  readonly command: CommandRecord;
  readonly invocation: CommandInvocationRecord;
}

export interface CommandService {
  /** The nodes a SendCommand would reach (authorization checks each). */
  resolveTargets(input: SendCommandInput): Promise<ResolvedTargets>;
  send(
    input: SendCommandInput,
    resolved: ResolvedTargets,
    owner: Principal,
    now: number,
  ): Promise<CommandRecord>;
  cancel(commandId: string, instanceIds: readonly string[] | undefined): Promise<void>;
  /** A node is gone: its open invocations end Undeliverable. */
  nodeDeregistered(instanceId: string): Promise<void>;
  get(commandId: string): Promise<CommandRecord | undefined>;
  list(filter: CommandFilter, page: PageRequest): Promise<Page<CommandRecord>>;
  listInvocations(filter: InvocationFilter, page: PageRequest): Promise<Page<InvocationView>>;
  /** InvalidCommandId / InvocationDoesNotExist when there is no such invocation. */
  getInvocation(commandId: string, instanceId: string): Promise<InvocationView>;
  /**
   * The whole stream of one step: its stored object, what the API shows when the node sent no
   * full output (AWS's agent), or undefined while it is still being uploaded.
   */
  readOutput(
    view: InvocationView,
    pluginIndex: number,
    stream: OutputStreamName,
  ): Promise<Readable | string | undefined>;
  /** Where readOutput is served (GET, SigV4-signed): `<server>/v1/command-output/…`. */
  outputUrl(
    commandId: string,
    instanceId: string,
    pluginIndex: number,
    stream: OutputStreamName,
  ): string;
}

/** The path of a step's full output on the server (gateway/command-output-http.ts serves it). */
export const COMMAND_OUTPUT_PATH = '/v1/command-output';

export interface CommandServiceDependencies {
  readonly repository: CommandRepository;
  readonly engine: CommandEngine;
  readonly output: CommandOutputStore;
  readonly documents: DocumentService;
  readonly instances: InstanceService;
  readonly identity: ServerIdentity;
  /** The server's public URL (known once it listens). */
  readonly publicUrl: () => string;
}

export function createCommandService(deps: CommandServiceDependencies): CommandService {
  const { repository, engine, documents, instances, identity } = deps;

  async function view(commandId: string, instanceId: string): Promise<InvocationView> {
    const held = engine.held(commandId);
    if (held !== undefined) {
      const invocation = held.invocations.get(instanceId);
      if (invocation === undefined) throw new CodedError('InvocationDoesNotExist', '');
      return { command: held.command, invocation };
    }
    const command = await repository.get(commandId);
    if (command === undefined) throw new CodedError('InvalidCommandId', '');
    const invocation = await repository.getInvocation(commandId, instanceId);
    if (invocation === undefined) throw new CodedError('InvocationDoesNotExist', '');
    return { command, invocation };
  }

  return {
    resolveTargets: (input) => resolveTargets(instances, input),

    async send(input, resolved, owner, now) {
      if (resolved.unknownIds.length > 0) {
        throw new CodedError(
          'InvalidInstanceId',
          `Instances [[${resolved.unknownIds.join(', ').slice(0, 800)}]] not in a valid state for account ${identity.accountId}`,
        );
      }
      const document = await documents.loadRunnable(input.documentName, 'Command', input.choice);
      if (input.documentHash !== undefined && input.documentHashType !== 'Sha1') {
        if (input.documentHash.toLowerCase() !== document.hash) {
          throw new CodedError(
            'InvalidDocument',
            `The document hash does not match version ${document.documentVersion} of ${document.name}.`,
          );
        }
      }
      const values = document.resolveParameters(input.parameters);
      const commandId = randomUUID();
      const jobContent = jobContentOf(commandId, document.name, document.content, values, input);
      const timeoutSeconds = input.timeoutSeconds ?? DEFAULT_DELIVERY_TIMEOUT_SECONDS;
      const plugins = pluginsOf(document.content);
      const command: CommandRecord = {
        commandId,
        documentName: document.name,
        documentVersion: input.documentVersion ?? '$DEFAULT',
        comment: input.comment,
        parameters: input.parameters,
        jobContent,
        plugins,
        instanceIds: input.instanceIds,
        targets: input.targets,
        requestedAt: now,
        timeoutSeconds,
        expiresAt: now + (timeoutSeconds + executionTimeoutOf(document.content, values)) * 1000,
        outputS3Region: input.outputS3Region,
        outputS3BucketName: input.outputS3BucketName,
        outputS3KeyPrefix: input.outputS3KeyPrefix,
        maxConcurrency: input.maxConcurrency,
        maxErrors: input.maxErrors,
        serviceRole: input.serviceRoleArn,
        notificationConfig: input.notificationConfig,
        cloudWatchOutputConfig: input.cloudWatchOutputConfig,
        owner: owner.arn,
        status: 'Pending',
        statusDetails: Details.Pending,
        targetCount: resolved.nodes.length,
        completedCount: 0,
        errorCount: 0,
        deliveryTimedOutCount: 0,
        cancelRequested: false,
        dispatchStopped: false,
      };
      const invocations: CommandInvocationRecord[] = resolved.nodes.map((node, position) => ({
        commandId,
        instanceId: node.instanceId,
        instanceName: node.computerName || node.name,
        position,
        requestedAt: now,
        status: 'Pending',
        statusDetails: Details.Pending,
        dispatchedAt: null,
        deliveredAt: null,
        sendAttempts: 0,
        nextAttemptAt: null,
        jobMessageId: null,
        replySequence: -1,
        traceOutput: '',
        plugins: initialPlugins(plugins),
        cancel: null,
        updatedAt: now,
      }));
      const created = { ...command, ...summarizeCommand(command, invocations) };
      await repository.create(created, invocations);
      engine.track(created, invocations);
      return created;
    },

    async cancel(commandId, instanceIds) {
      const command = engine.held(commandId)?.command ?? (await repository.get(commandId));
      if (command === undefined) throw new CodedError('InvalidCommandId', '');
      if (instanceIds !== undefined) {
        const seen = new Set<string>();
        for (const instanceId of instanceIds) {
          if (seen.has(instanceId)) throw new CodedError('DuplicateInstanceId', '');
          seen.add(instanceId);
          await view(commandId, instanceId).catch(() => {
            throw new CodedError(
              'InvalidInstanceId',
              `Command ${commandId} was not sent to ${instanceId.slice(0, 64)}.`,
            );
          });
        }
      }
      await engine.cancel(commandId, instanceIds);
    },

    nodeDeregistered: (instanceId) => engine.nodeDeregistered(instanceId),

    async get(commandId) {
      return engine.held(commandId)?.command ?? (await repository.get(commandId));
    },

    list: (filter, page) => repository.list(filter, page),

    async listInvocations(filter, page) {
      const result = await repository.listInvocations(filter, page);
      const commands = new Map<string, CommandRecord>();
      const items: InvocationView[] = [];
      for (const invocation of result.items) {
        let command = commands.get(invocation.commandId);
        if (command === undefined) {
          command = await repository.get(invocation.commandId);
          if (command === undefined) continue; // deleted meanwhile
          commands.set(command.commandId, command);
        }
        items.push({ command, invocation });
      }
      return result.nextCursor === undefined ? { items } : { items, nextCursor: result.nextCursor };
    },

    getInvocation: view,

    outputUrl: (commandId, instanceId, pluginIndex, stream) =>
      `${deps.publicUrl()}${COMMAND_OUTPUT_PATH}/${commandId}/${instanceId}/${pluginIndex}/${stream}`,

    async readOutput({ command, invocation }, pluginIndex, stream) {
      const plugin = invocation.plugins[pluginIndex];
      if (plugin === undefined) return undefined;
      if (plugin.fullOutput === null) {
        // No full output from this node (AWS's agent sends none): the API's fields are all.
        if (plugin.status === 'Pending' || plugin.status === 'InProgress') return undefined;
        return stream === 'stdout' ? plugin.standardOutput : plugin.standardError;
      }
      if (plugin.fullOutput[stream].bytes === 0) return '';
      return deps.output.read(outputLocation(command, invocation.instanceId, plugin, stream));
    },
  };
}

/** The agent_job Content (ssm-wire §7.2); MaxDocumentSizeExceeded when no node would take it. */
function jobContentOf(
  commandId: string,
  documentName: string,
  content: JsonObject,
  parameters: Record<string, JsonValue>,
  input: SendCommandInput,
): string {
  let text: string;
  try {
    text = encodeSendCommandContent({
      CommandId: commandId,
      DocumentName: documentName,
      DocumentContent: content,
      Parameters: parameters,
      OutputS3BucketName: input.outputS3BucketName,
      OutputS3KeyPrefix: input.outputS3KeyPrefix,
      CloudWatchLogGroupName: input.cloudWatchOutputConfig?.logGroupName ?? '',
      CloudWatchOutputEnabled: input.cloudWatchOutputConfig?.enabled === true ? 'true' : 'false',
    });
    // The agent_job around it is what must fit the control channel's limit.
    encodeAgentJobPayload({
      content: text,
      jobId: `aws.ssm.${commandId}.mi-00000000000000000`,
      topic: 'aws.ssm.sendCommand',
    });
  } catch (error) {
    // The encoders refuse what exceeds the limit with a RangeError (a caller's size problem here).
    if (error instanceof RangeError) {
      throw new CodedError(
        'MaxDocumentSizeExceeded',
        'The document with its parameters is larger than a node accepts (1 MB).',
      );
    }
    throw error;
  }
  return text;
}

/** The steps every node will report: mainSteps (2.x) or the runtimeConfig plugins (1.2). */
export function pluginsOf(content: JsonObject): PluginDescriptor[] {
  const steps = listOf(content['mainSteps']);
  if (steps !== undefined) {
    return steps.flatMap((step): PluginDescriptor[] => {
      if (!isObject(step)) return [];
      const name = step['name'];
      const action = step['action'];
      if (typeof name !== 'string' || typeof action !== 'string') return [];
      return [{ name, pluginName: action, stepName: name.replaceAll(':', '') }];
    });
  }
  const runtimeConfig = content['runtimeConfig'];
  if (!isObject(runtimeConfig)) return [];
  return Object.entries(runtimeConfig).map(([pluginName, config]) => {
    let id = '';
    const properties = isObject(config) ? config['properties'] : undefined;
    const last = listOf(properties)?.at(-1) ?? properties;
    if (isObject(last)) {
      const value = last['id'];
      if (typeof value === 'string') id = value;
    }
    return { name: pluginName, pluginName, stepName: id.replaceAll(':', '') };
  });
}

/**
 * How long the steps may run, for ExpiresAfter: the `executionTimeout` parameter when the
 * document has one (AWS-RunShellScript), else each step's timeoutSeconds (default 3600) added up.
 */
function executionTimeoutOf(content: JsonObject, parameters: Record<string, JsonValue>): number {
  const parameter = seconds(parameters['executionTimeout']);
  if (parameter !== undefined) return parameter;
  const steps = listOf(content['mainSteps']);
  if (steps === undefined || steps.length === 0) return DEFAULT_EXECUTION_TIMEOUT_SECONDS;
  return steps.reduce<number>((sum, step) => {
    const inputs = isObject(step) ? step['inputs'] : undefined;
    const timeout = isObject(inputs) ? seconds(inputs['timeoutSeconds']) : undefined;
    return sum + (timeout ?? DEFAULT_EXECUTION_TIMEOUT_SECONDS);
  }, 0);
}

function seconds(value: JsonValue | undefined): number | undefined {
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 && number <= 172_800
    ? number
    : undefined;
}

function listOf(value: JsonValue | undefined): readonly JsonValue[] | undefined {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : undefined;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
