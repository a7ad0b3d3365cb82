// Control-channel payloads between MGS and the agent (ssm-wire §6.4-6.6, §7.2): interactive_shell,
// agent_job and their double-encoded `Content`, agent_job_ack, agent_job_reply(_ack),
// agent_task_complete, agent_task_acknowledge. Keys are PascalCase except in agent_job_* replies.

import {
  type JsonObject,
  JsonObjectReader,
  parseJsonBytes,
  parseJsonText,
  payloadInvalid,
} from '../json-shape.js';
import { isUuid } from '../uuid.js';
import {
  assertInteger,
  assertNonEmpty,
  assertUuid,
  encodeJson,
  encodeJsonText,
  UINT32_MAX,
} from './encode-checks.js';
import {
  DOCUMENT_PAYLOAD_MAX_BYTES,
  SMALL_PAYLOAD_MAX_BYTES,
  TEXT_PAYLOAD_MAX_BYTES,
} from './limits.js';

const GO_INT32_MAX = 0x7fff_ffff;

// ---- interactive_shell and agent_job (MGS → agent) -------------------------------------------

/** interactive_shell payload (AWS's MGSPayload). */
export interface InteractiveShellPayload {
  /** JSON text of an {@link AgentTaskPayload} (double-encoded on the wire). */
  readonly content: string;
  /** The session id. */
  readonly taskId: string;
  readonly topic: string;
  readonly schemaVersion: number;
}

/** agent_job payload (AWS's AgentJobPayload). */
export interface AgentJobPayload {
  /** JSON text of a SendCommand payload (§7.2) or a {@link CancelCommandContent}. */
  readonly content: string;
  /** `aws.ssm.<CommandId>.<InstanceId>`. */
  readonly jobId: string;
  /** Starts with one of {@link AgentJobTopic}. */
  readonly topic: string;
  readonly schemaVersion: number;
}

type WithOptionalSchemaVersion<T extends { readonly schemaVersion: number }> = Omit<
  T,
  'schemaVersion'
> & { readonly schemaVersion?: number };

export function encodeInteractiveShellPayload(
  value: WithOptionalSchemaVersion<InteractiveShellPayload>,
): Uint8Array {
  return encodeJson(
    {
      Content: value.content,
      TaskId: value.taskId,
      Topic: value.topic,
      SchemaVersion: schemaVersionOf(value),
    },
    DOCUMENT_PAYLOAD_MAX_BYTES,
    'InteractiveShell',
  );
}

export function parseInteractiveShellPayload(bytes: Uint8Array): InteractiveShellPayload {
  const reader = readBytes(bytes, 'InteractiveShell', DOCUMENT_PAYLOAD_MAX_BYTES);
  return {
    content: reader.string('Content'),
    taskId: reader.string('TaskId'),
    topic: reader.string('Topic'),
    schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX),
  };
}

export function encodeAgentJobPayload(
  value: WithOptionalSchemaVersion<AgentJobPayload>,
): Uint8Array {
  return encodeJson(
    {
      Content: value.content,
      JobId: value.jobId,
      Topic: value.topic,
      SchemaVersion: schemaVersionOf(value),
    },
    DOCUMENT_PAYLOAD_MAX_BYTES,
    'AgentJob',
  );
}

export function parseAgentJobPayload(bytes: Uint8Array): AgentJobPayload {
  const reader = readBytes(bytes, 'AgentJob', DOCUMENT_PAYLOAD_MAX_BYTES);
  return {
    content: reader.string('Content'),
    jobId: reader.string('JobId'),
    topic: reader.string('Topic'),
    schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX),
  };
}

/** agent_job topics are prefixes: the agent accepts any suffix. */
export const AgentJobTopic = {
  SendCommand: 'aws.ssm.sendCommand',
  CancelCommand: 'aws.ssm.cancelCommand',
} as const;
export type AgentJobTopic = (typeof AgentJobTopic)[keyof typeof AgentJobTopic];

/** Which kind of job a topic names (by prefix, as the agent decides), or undefined. */
export function agentJobTopicKind(topic: string): AgentJobTopic | undefined {
  return Object.values(AgentJobTopic).find((prefix) => topic.startsWith(prefix));
}

/** `aws.ssm.<CommandId>.<InstanceId>`, the MDS message-id form the agent requires. */
export function createAgentJobId(commandId: string, instanceId: string): string {
  if (commandId.includes('.') || instanceId.includes('.') || !commandId || !instanceId) {
    throw new RangeError('commandId and instanceId must be non-empty and contain no dots');
  }
  return `aws.ssm.${commandId}.${instanceId}`;
}

/** Splits a job id; the CommandId is the second-to-last dot-separated field, as in the agent. */
export function parseAgentJobId(jobId: string): { commandId: string; instanceId: string } {
  const parts = jobId.split('.');
  const [aws, ssm] = parts;
  const commandId = parts.at(-2);
  const instanceId = parts.at(-1);
  if (parts.length < 4 || aws !== 'aws' || ssm !== 'ssm' || !commandId || !instanceId) {
    throw payloadInvalid('JobId', 'must look like aws.ssm.<CommandId>.<InstanceId>');
  }
  return { commandId, instanceId };
}

// ---- Content of interactive_shell: AgentTaskPayload ------------------------------------------

/** Parameter values: scalars for String parameters, arrays for StringList (§6.4). */
export type SessionParameterValue = string | readonly string[];

export interface AgentTaskPayload {
  readonly sessionId: string;
  readonly documentName: string;
  /** The Session document (§8.3) as JSON. */
  readonly documentContent: JsonObject;
  readonly parameters: Readonly<Record<string, SessionParameterValue>>;
  /** Overrides the document's runAsDefaultUser when non-blank. */
  readonly runAsUser?: string;
  /** Caller ARN (CloudWatch streaming metadata). */
  readonly sessionOwner?: string;
}

const TASK = 'AgentTaskPayload';

/** JSON text for InteractiveShellPayload.content. */
export function encodeAgentTaskPayload(value: AgentTaskPayload): string {
  return encodeJsonText(
    {
      SessionId: value.sessionId,
      DocumentName: value.documentName,
      DocumentContent: value.documentContent,
      Parameters: value.parameters,
      ...(value.runAsUser === undefined ? {} : { RunAsUser: value.runAsUser }),
      ...(value.sessionOwner === undefined ? {} : { SessionOwner: value.sessionOwner }),
    },
    DOCUMENT_PAYLOAD_MAX_BYTES,
    TASK,
  );
}

export function parseAgentTaskPayload(content: string): AgentTaskPayload {
  const reader = JsonObjectReader.from(
    parseJsonText(content, TASK, DOCUMENT_PAYLOAD_MAX_BYTES),
    TASK,
  );
  const parametersReader = reader.object('Parameters');
  const parameters = parametersReader
    .entries()
    .map(([name, value]): [string, SessionParameterValue] => {
      if (typeof value === 'string') return [name, value];
      return [name, parametersReader.stringArray(name)];
    });
  const runAsUser = reader.optionalString('RunAsUser');
  const sessionOwner = reader.optionalString('SessionOwner');
  return {
    sessionId: reader.string('SessionId'),
    documentName: reader.string('DocumentName'),
    documentContent: reader.jsonObject('DocumentContent'),
    // fromEntries defines own properties, so a parameter named __proto__ stays a plain key.
    parameters: Object.fromEntries(parameters),
    ...(runAsUser === undefined ? {} : { runAsUser }),
    ...(sessionOwner === undefined ? {} : { sessionOwner }),
  };
}

// ---- Content of agent_job: SendCommand and CancelCommand -------------------------------------

/** JSON text for AgentJobPayload.content from a SendCommand payload object (§7.2). */
export function encodeSendCommandContent(value: JsonObject): string {
  return encodeJsonText(value, DOCUMENT_PAYLOAD_MAX_BYTES, 'SendCommandContent');
}

/** A SendCommand payload: only checked to be a JSON object for now (§7.2 lists its keys). */
export function parseSendCommandContent(content: string): JsonObject {
  const what = 'SendCommandContent';
  return JsonObjectReader.from(parseJsonText(content, what, DOCUMENT_PAYLOAD_MAX_BYTES), what).json;
}

export interface CancelCommandContent {
  /** The job id of the command to cancel: `aws.ssm.<CommandId>.<InstanceId>`. */
  readonly cancelMessageId: string;
}

export function encodeCancelCommandContent(value: CancelCommandContent): string {
  assertNonEmpty(value.cancelMessageId, 'cancelMessageId');
  return encodeJsonText(
    { CancelMessageId: value.cancelMessageId },
    SMALL_PAYLOAD_MAX_BYTES,
    'CancelCommandContent',
  );
}

export function parseCancelCommandContent(content: string): CancelCommandContent {
  const what = 'CancelCommandContent';
  const reader = JsonObjectReader.from(parseJsonText(content, what, SMALL_PAYLOAD_MAX_BYTES), what);
  return { cancelMessageId: reader.nonEmptyString('CancelMessageId') };
}

// ---- agent_job_ack (agent → MGS, camelCase) --------------------------------------------------

/** `statusCode` values (the agent's ackSkipCodes); errorMessage carries the key name. */
export const AgentJobAckStatus = {
  Successful: '200',
  ClosedProcessor: '51401',
  ProcessorBufferFull: '51402',
  UnexpectedDocumentType: '51403',
  ProcessorErrorCodeTranslationFailed: '51404',
  DuplicateCommand: '51405',
  InvalidDocument: '51406',
  ContainerNotSupported: '51407',
  AgentJobMessageParseError: '51408',
  UnexpectedError: '51499',
} as const;
export type AgentJobAckStatus = (typeof AgentJobAckStatus)[keyof typeof AgentJobAckStatus];

export interface AgentJobAck {
  readonly jobId: string;
  /** MessageId of the agent_job being acknowledged. */
  readonly acknowledgedMessageId: string;
  /** ISO-8601 UTC with milliseconds, e.g. `2026-11-26T19:01:33.230Z`. */
  readonly createdDate: string;
  /** A decimal code, usually one of {@link AgentJobAckStatus}; newer agents may add codes. */
  readonly statusCode: string;
  readonly errorMessage: string;
}

const STATUS_CODE_PATTERN = /^[0-9]{1,9}$/;

export function encodeAgentJobAck(value: AgentJobAck): Uint8Array {
  assertUuid(value.acknowledgedMessageId, 'acknowledgedMessageId');
  if (!STATUS_CODE_PATTERN.test(value.statusCode)) {
    throw new RangeError(`statusCode ${JSON.stringify(value.statusCode)} is not a decimal code`);
  }
  return encodeJson(
    {
      jobId: value.jobId,
      acknowledgedMessageId: value.acknowledgedMessageId,
      createdDate: value.createdDate,
      statusCode: value.statusCode,
      errorMessage: value.errorMessage,
    },
    SMALL_PAYLOAD_MAX_BYTES,
    'AgentJobAck',
  );
}

export function parseAgentJobAck(bytes: Uint8Array): AgentJobAck {
  const reader = readBytes(bytes, 'AgentJobAck', SMALL_PAYLOAD_MAX_BYTES);
  const jobId = reader.string('jobId');
  const acknowledgedMessageId = readUuid(reader, 'acknowledgedMessageId');
  const createdDate = reader.string('createdDate');
  const statusCode = reader.string('statusCode');
  if (!STATUS_CODE_PATTERN.test(statusCode)) {
    throw reader.fail('statusCode', 'must be a decimal code such as "200"');
  }
  return {
    jobId,
    acknowledgedMessageId,
    createdDate,
    statusCode,
    errorMessage: reader.string('errorMessage'),
  };
}

// ---- agent_job_reply (agent → MGS, camelCase) and its ack ------------------------------------

export interface AgentJobReply {
  readonly schemaVersion: number;
  readonly jobId: string;
  /** JSON text of a SendReplyPayload (§7.4). */
  readonly content: string;
  readonly topic: string;
}

export function encodeAgentJobReply(value: WithOptionalSchemaVersion<AgentJobReply>): Uint8Array {
  return encodeJson(
    {
      schemaVersion: schemaVersionOf(value),
      jobId: value.jobId,
      content: value.content,
      topic: value.topic,
    },
    DOCUMENT_PAYLOAD_MAX_BYTES,
    'AgentJobReply',
  );
}

export function parseAgentJobReply(bytes: Uint8Array): AgentJobReply {
  const reader = readBytes(bytes, 'AgentJobReply', DOCUMENT_PAYLOAD_MAX_BYTES);
  return {
    schemaVersion: reader.integer('schemaVersion', 0, UINT32_MAX),
    jobId: reader.string('jobId'),
    content: reader.string('content'),
    topic: reader.string('topic'),
  };
}

/** A SendReplyPayload (§7.4): only checked to be a JSON object for now. */
export function parseSendReplyContent(content: string): JsonObject {
  const what = 'SendReplyContent';
  return JsonObjectReader.from(parseJsonText(content, what, DOCUMENT_PAYLOAD_MAX_BYTES), what).json;
}

export interface AgentJobReplyAck {
  readonly jobId: string;
  /** MessageId of the agent_job_reply being acknowledged. */
  readonly acknowledgedMessageId: string;
}

export function encodeAgentJobReplyAck(value: AgentJobReplyAck): Uint8Array {
  assertUuid(value.acknowledgedMessageId, 'acknowledgedMessageId');
  return encodeJson(
    { jobId: value.jobId, acknowledgedMessageId: value.acknowledgedMessageId },
    SMALL_PAYLOAD_MAX_BYTES,
    'AgentJobReplyAck',
  );
}

export function parseAgentJobReplyAck(bytes: Uint8Array): AgentJobReplyAck {
  const reader = readBytes(bytes, 'AgentJobReplyAck', SMALL_PAYLOAD_MAX_BYTES);
  return {
    jobId: reader.string('jobId'),
    acknowledgedMessageId: readUuid(reader, 'acknowledgedMessageId'),
  };
}

// ---- agent_task_complete (agent → MGS) and agent_task_acknowledge (MGS → agent) --------------

export interface AgentTaskComplete {
  readonly schemaVersion: number;
  /** The session id. */
  readonly taskId: string;
  readonly topic: string;
  /** The session plugin's result status: Success, Failed, ... */
  readonly finalTaskStatus: string;
  readonly isRoutingFailure: boolean;
  readonly awsAccountId: string;
  readonly instanceId: string;
  /** Error text, or "". */
  readonly output: string;
  readonly s3Bucket: string;
  readonly s3UrlSuffix: string;
  readonly cwlGroup: string;
  readonly cwlStream: string;
  /** How often the agent has resent this message (it retries up to 3 times). */
  readonly retryNumber: number;
}

export function encodeAgentTaskComplete(
  value: WithOptionalSchemaVersion<AgentTaskComplete>,
): Uint8Array {
  assertInteger(value.retryNumber, 0, GO_INT32_MAX, 'retryNumber');
  return encodeJson(
    {
      SchemaVersion: schemaVersionOf(value),
      TaskId: value.taskId,
      Topic: value.topic,
      FinalTaskStatus: value.finalTaskStatus,
      IsRoutingFailure: value.isRoutingFailure,
      AwsAccountId: value.awsAccountId,
      InstanceId: value.instanceId,
      Output: value.output,
      S3Bucket: value.s3Bucket,
      S3UrlSuffix: value.s3UrlSuffix,
      CwlGroup: value.cwlGroup,
      CwlStream: value.cwlStream,
      RetryNumber: value.retryNumber,
    },
    TEXT_PAYLOAD_MAX_BYTES,
    'AgentTaskComplete',
  );
}

export function parseAgentTaskComplete(bytes: Uint8Array): AgentTaskComplete {
  const reader = readBytes(bytes, 'AgentTaskComplete', TEXT_PAYLOAD_MAX_BYTES);
  return {
    schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX),
    taskId: reader.string('TaskId'),
    topic: reader.string('Topic'),
    finalTaskStatus: reader.string('FinalTaskStatus'),
    isRoutingFailure: reader.boolean('IsRoutingFailure'),
    awsAccountId: reader.string('AwsAccountId'),
    instanceId: reader.string('InstanceId'),
    output: reader.string('Output'),
    s3Bucket: reader.string('S3Bucket'),
    s3UrlSuffix: reader.string('S3UrlSuffix'),
    cwlGroup: reader.string('CwlGroup'),
    cwlStream: reader.string('CwlStream'),
    retryNumber: reader.integer('RetryNumber', 0, GO_INT32_MAX),
  };
}

export interface AgentTaskAcknowledge {
  readonly schemaVersion: number;
  /** MessageId of the agent_task_complete being acknowledged (the agent matches on it). */
  readonly messageId: string;
  readonly taskId: string;
  readonly topic: string;
}

export function encodeAgentTaskAcknowledge(
  value: WithOptionalSchemaVersion<AgentTaskAcknowledge>,
): Uint8Array {
  assertUuid(value.messageId, 'messageId');
  return encodeJson(
    {
      SchemaVersion: schemaVersionOf(value),
      MessageId: value.messageId,
      TaskId: value.taskId,
      Topic: value.topic,
    },
    SMALL_PAYLOAD_MAX_BYTES,
    'AgentTaskAcknowledge',
  );
}

export function parseAgentTaskAcknowledge(bytes: Uint8Array): AgentTaskAcknowledge {
  const reader = readBytes(bytes, 'AgentTaskAcknowledge', SMALL_PAYLOAD_MAX_BYTES);
  return {
    schemaVersion: reader.integer('SchemaVersion', 0, UINT32_MAX),
    messageId: readUuid(reader, 'MessageId'),
    taskId: reader.string('TaskId'),
    topic: reader.string('Topic'),
  };
}

// ---- helpers ---------------------------------------------------------------------------------

function readBytes(bytes: Uint8Array, what: string, maxBytes: number): JsonObjectReader {
  return JsonObjectReader.from(parseJsonBytes(bytes, what, maxBytes), what);
}

function readUuid(reader: JsonObjectReader, key: string): string {
  const value = reader.string(key);
  if (!isUuid(value)) throw reader.fail(key, 'must be a UUID');
  return value;
}

function schemaVersionOf(value: { readonly schemaVersion?: number }): number {
  const schemaVersion = value.schemaVersion ?? 1;
  assertInteger(schemaVersion, 0, UINT32_MAX, 'schemaVersion');
  return schemaVersion;
}
