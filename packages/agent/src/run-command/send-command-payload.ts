// The SendCommand payload inside an agent_job (ssm-wire §6.6, §7.2), read into a typed value.
// Keys have AWS's exact casing. Fields AWS's agent would read as Go zero values when missing
// ("" for strings, no parameters) are optional here too.

import {
  JsonObjectReader,
  parseSendCommandContent,
  payloadInvalid,
  type JsonObject,
  type JsonValue,
} from '@openssm/protocol';

export interface SendCommandPayload {
  readonly commandId: string;
  readonly documentName: string;
  /** The full document, `{{ }}` references still in it. */
  readonly documentContent: JsonObject;
  /** As sent: String parameters as strings, StringList as arrays. */
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly outputS3BucketName: string;
  readonly outputS3KeyPrefix: string;
  readonly cloudWatchLogGroupName: string;
  /** A string "true"/"false" on the wire; a JSON boolean is accepted too. */
  readonly cloudWatchOutputEnabled: boolean;
}

const WHAT = 'SendCommandContent';

/** Throws CodedError('PayloadInvalid') naming the field. */
export function parseSendCommandPayload(content: string): SendCommandPayload {
  const reader = JsonObjectReader.from(parseSendCommandContent(content), WHAT);
  const optional = (key: string): string => {
    if (!reader.has(key) || reader.json[key] === null) return '';
    return reader.string(key);
  };
  let parameters: Record<string, JsonValue> = {};
  if (reader.has('Parameters') && reader.json['Parameters'] !== null) {
    parameters = { ...reader.jsonObject('Parameters') };
  }
  return {
    commandId: optional('CommandId'),
    documentName: optional('DocumentName'),
    documentContent: reader.jsonObject('DocumentContent'),
    parameters,
    outputS3BucketName: optional('OutputS3BucketName'),
    outputS3KeyPrefix: optional('OutputS3KeyPrefix'),
    cloudWatchLogGroupName: optional('CloudWatchLogGroupName'),
    cloudWatchOutputEnabled: readFlag(reader, 'CloudWatchOutputEnabled'),
  };
}

function readFlag(reader: JsonObjectReader, key: string): boolean {
  const value = reader.has(key) ? reader.json[key] : undefined;
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) {
    return value.toLowerCase() === 'true';
  }
  throw payloadInvalid(reader.pathOf(key), 'must be "true" or "false"');
}
