// Bad payloads are data, not crashes: seeded random bytes, random JSON-ish text (some of it valid
// payloads with edited fields) and byte mutations of valid encodings go through every parser. The
// only error allowed is PayloadInvalid; whatever a parser accepts must re-encode to the same value.

import {
  CodedError,
  createKMSEncryptionResult,
  createOpenSSMTransportResult,
  encodeAcknowledgeContent,
  encodeAgentJobAck,
  encodeAgentJobPayload,
  encodeAgentJobReply,
  encodeAgentJobReplyAck,
  encodeAgentOpenDataChannel,
  encodeAgentSessionState,
  encodeAgentTaskAcknowledge,
  encodeAgentTaskComplete,
  encodeAgentTaskPayload,
  encodeCancelCommandContent,
  encodeChannelClosed,
  encodeClientOpenDataChannel,
  encodeEncChallengeRequest,
  encodeEncChallengeResponse,
  encodeExitCodePayload,
  encodeFlagPayload,
  encodeHandshakeComplete,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  encodeInteractiveShellPayload,
  encodeOpenControlChannel,
  encodePublicationPayload,
  encodeSendCommandContent,
  encodeSizePayload,
  parseAcknowledgeContent,
  parseAgentJobAck,
  parseAgentJobId,
  parseAgentJobPayload,
  parseAgentJobReply,
  parseAgentJobReplyAck,
  parseAgentOpenDataChannel,
  parseAgentSessionState,
  parseAgentTaskAcknowledge,
  parseAgentTaskComplete,
  parseAgentTaskPayload,
  parseAnyOpenDataChannel,
  parseCancelCommandContent,
  parseChannelClosed,
  parseClientOpenDataChannel,
  parseEncChallengeRequest,
  parseEncChallengeResponse,
  parseExitCodePayload,
  parseFlagPayload,
  parseHandshakeComplete,
  parseHandshakeRequest,
  parseHandshakeResponse,
  parseInteractiveShellPayload,
  parseKMSEncryptionResult,
  parseOpenControlChannel,
  parseOpenSSMTransportResult,
  parsePublicationPayload,
  parseSendCommandContent,
  parseSendReplyContent,
  parseSizePayload,
  type JsonValue,
} from '@openssm/protocol';
import { createRandom, mutateBytes, type Random } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import { text, utf8 } from './payloads-helpers.js';

/** Inputs for each parser: the floor of 20,000 random and mutated inputs per decoder. */
const INPUTS_PER_PARSER = 20_000;
const SEED = 0x9a710ad;

const UUID = 'bb252f5d-af83-4398-afd7-e7778696026c';
const JOB_ID = 'aws.ssm.11111111-2222-3333-4444-555555555555.i-0123456789abcdef0';

interface Target {
  readonly name: string;
  readonly parse: (input: Uint8Array) => unknown;
  /** Valid encodings to mutate. */
  readonly valid: readonly Uint8Array[];
  /** Encodes a parsed value again; omitted where the parsed type is not an encoder input. */
  readonly reencode?: (parsed: never) => Uint8Array;
}

/** Feeds a value-taking parser: the JSON the bytes hold, or else the text itself. */
function asJsonValue(bytes: Uint8Array): JsonValue {
  const input = text(bytes);
  try {
    return JSON.parse(input) as JsonValue;
  } catch {
    return input;
  }
}

const transport = { maxPayloadLength: 4096, windowSize: 64, cumulativeAcks: true };
const task = {
  sessionId: 's',
  documentName: 'SSM-SessionManagerRunShell',
  documentContent: { schemaVersion: '1.0', sessionType: 'Standard_Stream' },
  parameters: { a: 'b', c: ['d'] },
  runAsUser: 'u',
};
const taskComplete = {
  schemaVersion: 1,
  taskId: 's',
  topic: 'agent_task_complete',
  finalTaskStatus: 'Success',
  isRoutingFailure: false,
  awsAccountId: '',
  instanceId: 'i-1',
  output: '',
  s3Bucket: '',
  s3UrlSuffix: '',
  cwlGroup: '',
  cwlStream: '',
  retryNumber: 0,
};

const TARGETS: readonly Target[] = [
  {
    name: 'AcknowledgeContent',
    parse: parseAcknowledgeContent,
    valid: [
      encodeAcknowledgeContent({
        acknowledgedMessageType: 'output_stream_data',
        acknowledgedMessageId: UUID,
        acknowledgedSequenceNumber: 12,
        isSequentialMessage: true,
      }),
      encodeAcknowledgeContent({
        acknowledgedMessageType: 'input_stream_data',
        acknowledgedMessageId: UUID,
        acknowledgedSequenceNumber: 0,
        isSequentialMessage: false,
        openSsmCumulative: true,
      }),
    ],
    reencode: encodeAcknowledgeContent,
  },
  {
    name: 'ChannelClosed',
    parse: parseChannelClosed,
    valid: [
      encodeChannelClosed({
        messageId: UUID,
        createdDate: '1795719696236',
        destinationId: 'i-1',
        sessionId: 's',
        output: 'bye',
      }),
      encodeChannelClosed({
        messageId: UUID,
        createdDate: '1',
        destinationId: 'i-1',
        sessionId: 's',
      }),
    ],
    reencode: encodeChannelClosed,
  },
  {
    name: 'PublicationPayload',
    parse: parsePublicationPayload,
    valid: [encodePublicationPayload({ messageType: 'pause_publication', sessionId: 's' })],
  },
  {
    name: 'AgentSessionState',
    parse: parseAgentSessionState,
    valid: [encodeAgentSessionState({ sessionState: 'Terminating', sessionId: 's' })],
    reencode: encodeAgentSessionState,
  },
  {
    name: 'Size',
    parse: parseSizePayload,
    valid: [encodeSizePayload({ cols: 300, rows: 100 })],
    reencode: encodeSizePayload,
  },
  {
    name: 'Flag',
    parse: parseFlagPayload,
    valid: [encodeFlagPayload(2), encodeFlagPayload(0xfffffffe)],
    reencode: encodeFlagPayload,
  },
  {
    name: 'ExitCode',
    parse: parseExitCodePayload,
    valid: [encodeExitCodePayload(0), encodeExitCodePayload(-1), encodeExitCodePayload(4294967295)],
    reencode: encodeExitCodePayload,
  },
  {
    name: 'HandshakeRequest',
    parse: parseHandshakeRequest,
    valid: [
      encodeHandshakeRequest({
        agentVersion: '3.3.987.0',
        requestedClientActions: [
          {
            known: true,
            actionType: 'SessionType',
            actionParameters: { sessionType: 'Port', properties: { portNumber: '80' } },
          },
          {
            known: true,
            actionType: 'KMSEncryption',
            actionParameters: { kmsKeyId: 'k', challenge: 'AAECAw==' },
          },
          { known: true, actionType: 'OpenSSMTransport', actionParameters: transport },
          { known: false, actionType: 'Future', actionParameters: [1, { a: null }] },
        ],
      }),
    ],
    reencode: encodeHandshakeRequest,
  },
  {
    name: 'HandshakeResponse',
    parse: parseHandshakeResponse,
    valid: [
      encodeHandshakeResponse({
        clientVersion: '1.2.0.0',
        processedClientActions: [
          { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
          {
            actionType: 'OpenSSMTransport',
            actionStatus: 0,
            actionResult: 3,
            error: 'Unsupported action OpenSSMTransport',
          },
        ],
        errors: ['Unsupported action OpenSSMTransport'],
      }),
    ],
    reencode: encodeHandshakeResponse,
  },
  {
    name: 'OpenSSMTransportResult',
    parse: (bytes) => parseOpenSSMTransportResult(asJsonValue(bytes), transport),
    valid: [utf8(JSON.stringify(createOpenSSMTransportResult(transport)))],
    reencode: (value: typeof transport) =>
      utf8(JSON.stringify(createOpenSSMTransportResult(value))),
  },
  {
    name: 'KMSEncryptionResult',
    parse: (bytes) => parseKMSEncryptionResult(asJsonValue(bytes)),
    valid: [
      utf8(
        JSON.stringify(
          createKMSEncryptionResult({
            kmsCipherTextKey: 'AQIDBA==',
            kmsCipherTextHash: null,
            challengeAcknowledgement: true,
          }),
        ),
      ),
    ],
    reencode: (value: Parameters<typeof createKMSEncryptionResult>[0]) =>
      utf8(JSON.stringify(createKMSEncryptionResult(value))),
  },
  {
    name: 'HandshakeComplete',
    parse: parseHandshakeComplete,
    valid: [
      encodeHandshakeComplete({ handshakeTimeToComplete: 123000000, customerMessage: 'hello' }),
    ],
    reencode: encodeHandshakeComplete,
  },
  {
    name: 'EncChallengeRequest',
    parse: parseEncChallengeRequest,
    valid: [encodeEncChallengeRequest({ challenge: 'AAECAwQ=' })],
    reencode: encodeEncChallengeRequest,
  },
  {
    name: 'EncChallengeResponse',
    parse: parseEncChallengeResponse,
    valid: [encodeEncChallengeResponse({ challenge: 'AAECAwQF' })],
    reencode: encodeEncChallengeResponse,
  },
  {
    name: 'InteractiveShell',
    parse: parseInteractiveShellPayload,
    valid: [
      encodeInteractiveShellPayload({
        content: encodeAgentTaskPayload(task),
        taskId: 's',
        topic: 't',
      }),
    ],
    reencode: encodeInteractiveShellPayload,
  },
  {
    name: 'AgentTaskPayload',
    parse: (bytes) => parseAgentTaskPayload(text(bytes)),
    valid: [utf8(encodeAgentTaskPayload(task))],
    reencode: (value: typeof task) => utf8(encodeAgentTaskPayload(value)),
  },
  {
    name: 'AgentJob',
    parse: parseAgentJobPayload,
    valid: [
      encodeAgentJobPayload({
        content: '{"CommandId":"c"}',
        jobId: JOB_ID,
        topic: 'aws.ssm.sendCommand',
      }),
    ],
    reencode: encodeAgentJobPayload,
  },
  {
    name: 'SendCommandContent',
    parse: (bytes) => parseSendCommandContent(text(bytes)),
    valid: [
      utf8(encodeSendCommandContent({ CommandId: 'c', Parameters: { commands: ['df -h'] } })),
    ],
    reencode: (value: Record<string, JsonValue>) => utf8(encodeSendCommandContent(value)),
  },
  {
    name: 'CancelCommandContent',
    parse: (bytes) => parseCancelCommandContent(text(bytes)),
    valid: [utf8(encodeCancelCommandContent({ cancelMessageId: JOB_ID }))],
    reencode: (value: { cancelMessageId: string }) => utf8(encodeCancelCommandContent(value)),
  },
  { name: 'AgentJobId', parse: (bytes) => parseAgentJobId(text(bytes)), valid: [utf8(JOB_ID)] },
  {
    name: 'AgentJobAck',
    parse: parseAgentJobAck,
    valid: [
      encodeAgentJobAck({
        jobId: JOB_ID,
        acknowledgedMessageId: UUID,
        createdDate: '2026-11-26T19:01:33.230Z',
        statusCode: '200',
        errorMessage: '',
      }),
    ],
    reencode: encodeAgentJobAck,
  },
  {
    name: 'AgentJobReply',
    parse: parseAgentJobReply,
    valid: [
      encodeAgentJobReply({
        jobId: JOB_ID,
        content: '{"documentStatus":"InProgress"}',
        topic: 'aws.ssm.sendCommand',
      }),
    ],
    reencode: encodeAgentJobReply,
  },
  {
    name: 'SendReplyContent',
    parse: (bytes) => parseSendReplyContent(text(bytes)),
    valid: [utf8('{"documentStatus":"Success","runtimeStatus":{"aws:runShellScript":{"code":0}}}')],
  },
  {
    name: 'AgentJobReplyAck',
    parse: parseAgentJobReplyAck,
    valid: [encodeAgentJobReplyAck({ jobId: JOB_ID, acknowledgedMessageId: UUID })],
    reencode: encodeAgentJobReplyAck,
  },
  {
    name: 'AgentTaskComplete',
    parse: parseAgentTaskComplete,
    valid: [encodeAgentTaskComplete(taskComplete)],
    reencode: encodeAgentTaskComplete,
  },
  {
    name: 'AgentTaskAcknowledge',
    parse: parseAgentTaskAcknowledge,
    valid: [
      encodeAgentTaskAcknowledge({ messageId: UUID, taskId: 's', topic: 'agent_task_complete' }),
    ],
    reencode: encodeAgentTaskAcknowledge,
  },
  {
    name: 'ClientOpenDataChannel',
    parse: (bytes) => parseClientOpenDataChannel(text(bytes)),
    valid: [
      utf8(
        encodeClientOpenDataChannel({
          requestId: UUID,
          tokenValue: 'AAEAAfaketoken==',
          clientId: UUID,
          clientVersion: '1.2.0.0',
        }),
      ),
    ],
    reencode: (value: Parameters<typeof encodeClientOpenDataChannel>[0]) =>
      utf8(encodeClientOpenDataChannel(value)),
  },
  {
    name: 'AgentOpenDataChannel',
    parse: (bytes) => parseAgentOpenDataChannel(text(bytes)),
    valid: [
      utf8(
        encodeAgentOpenDataChannel({
          requestId: UUID,
          tokenValue: 't',
          clientInstanceId: 'i-1',
          clientId: '',
        }),
      ),
    ],
    reencode: (value: Parameters<typeof encodeAgentOpenDataChannel>[0]) =>
      utf8(encodeAgentOpenDataChannel(value)),
  },
  {
    name: 'AnyOpenDataChannel',
    parse: (bytes) => parseAnyOpenDataChannel(text(bytes)),
    valid: [
      utf8(
        encodeAgentOpenDataChannel({
          requestId: UUID,
          tokenValue: 't',
          clientInstanceId: 'i-1',
          clientId: '',
        }),
      ),
      utf8(encodeClientOpenDataChannel({ requestId: UUID, tokenValue: 't', clientId: 'c' })),
    ],
    reencode: (value: ReturnType<typeof parseAnyOpenDataChannel>) =>
      utf8(
        value.from === 'agent'
          ? encodeAgentOpenDataChannel(value.request)
          : encodeClientOpenDataChannel(value.request),
      ),
  },
  {
    name: 'OpenControlChannel',
    parse: (bytes) => parseOpenControlChannel(text(bytes)),
    valid: [
      utf8(
        encodeOpenControlChannel({
          cookie: null,
          requestId: UUID,
          tokenValue: 't',
          agentVersion: '3.3.987.0',
          platformType: 'linux',
        }),
      ),
    ],
    reencode: (value: Parameters<typeof encodeOpenControlChannel>[0]) =>
      utf8(encodeOpenControlChannel(value)),
  },
];

/** Every key the parsers look for, so random objects often reach field validation. */
const KEYS = [
  ...new Set(
    TARGETS.flatMap((target) =>
      target.valid.flatMap((bytes) =>
        Array.from(text(bytes).matchAll(/"([A-Za-z_]+)":/g), (m) => m[1]!),
      ),
    ),
  ),
];
const STRINGS = [
  '',
  'x',
  UUID,
  JOB_ID,
  'AAAA',
  'output_stream_data',
  'channel_closed',
  'Connected',
  'SessionType',
  'OpenSSMTransport',
  'KMSEncryption',
  '200',
  '\u0000',
  '\ud800',
  'é',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  2,
  3,
  1.5,
  1023,
  1024,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  -(2 ** 53),
  1e308,
];

function randomJson(random: Random, depth: number): JsonValue {
  switch (random.int(depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.chance(0.7) ? random.pick(NUMBERS) : random.int(100_000);
    case 3:
    case 4:
      return random.pick(STRINGS);
    case 5:
      return Array.from({ length: random.int(4) }, () => randomJson(random, depth + 1));
    default:
      return randomObject(random, depth + 1);
  }
}

function randomObject(random: Random, depth: number): { [key: string]: JsonValue } {
  const object: { [key: string]: JsonValue } = {};
  for (let i = random.int(8); i > 0; i--) object[random.pick(KEYS)] = randomJson(random, depth);
  return object;
}

/** A valid object with a few fields dropped or replaced by random JSON: reaches field checks. */
function editFields(valid: Uint8Array, random: Random): Uint8Array | undefined {
  const value = asJsonValue(valid);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const object = { ...(value as { [key: string]: JsonValue }) };
  const keys = Object.keys(object);
  for (let edits = 1 + random.int(2); edits > 0; edits--) {
    const key = random.chance(0.9) ? random.pick(keys) : random.pick(KEYS);
    if (random.chance(0.3)) delete object[key];
    else object[key] = randomJson(random, 1);
  }
  return utf8(JSON.stringify(object));
}

/** Random bytes, random JSON-ish text, or a valid object with edited fields. */
function randomInput(random: Random, valid: readonly Uint8Array[]): Uint8Array {
  const kind = random.int(3);
  if (kind === 0) return random.bytes(random.int(300));
  const edited = kind === 2 ? editFields(random.pick(valid), random) : undefined;
  if (edited !== undefined) return edited;
  const json = JSON.stringify(random.chance(0.9) ? randomObject(random, 0) : randomJson(random, 0));
  return utf8(random.chance(0.2) ? json.slice(0, random.int(json.length + 1)) : json);
}

describe('payload parsers fuzz', () => {
  it.each(TARGETS.map((target, index) => [target.name, target, index] as const))(
    `%s: ${INPUTS_PER_PARSER} random and mutated inputs raise only PayloadInvalid`,
    (_name, target, index) => {
      const problems: string[] = [];
      const counts = { accepted: 0, rejected: 0 };
      const random = createRandom(SEED + index);
      for (let i = 0; i < INPUTS_PER_PARSER; i++) {
        const input =
          i % 2 === 0
            ? randomInput(random, target.valid)
            : mutateBytes(random.pick(target.valid), random);
        let parsed: unknown;
        try {
          parsed = target.parse(input);
          counts.accepted++;
        } catch (error) {
          counts.rejected++;
          if (!(error instanceof CodedError) || error.code !== 'PayloadInvalid') {
            problems.push(`input ${i}: ${String(error)}`);
          }
          continue;
        }
        if (target.reencode !== undefined) {
          try {
            const again = target.parse(target.reencode(parsed as never));
            if (JSON.stringify(again) !== JSON.stringify(parsed)) {
              problems.push(`input ${i}: re-encoding changed the value`);
            }
          } catch (error) {
            problems.push(`input ${i}: accepted but could not re-encode: ${String(error)}`);
          }
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
      // The corpus must reach past the JSON layer: the parser accepted some inputs, rejected others.
      expect(counts.accepted, 'accepted nothing').toBeGreaterThan(0);
      expect(counts.rejected, 'rejected nothing').toBeGreaterThan(0);
    },
  );
});
