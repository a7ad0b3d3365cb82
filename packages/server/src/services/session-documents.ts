// The built-in Session documents StartSession can name (ssm-wire §8.3), and how a request's
// parameters (lists of strings on the API) become the scalars the agent substitutes (§6.4).
// Custom documents and the editable preferences document arrive with the documents issue.

import { CodedError, type JsonObject, type SessionParameterValue } from '@openssm/protocol';

export interface SessionDocument {
  readonly name: string;
  readonly content: JsonObject;
  /** Parameter name → default (undefined: required). */
  readonly parameters: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_SESSION_DOCUMENT = 'SSM-SessionManagerRunShell';

const PREFERENCE_INPUTS: JsonObject = {
  s3BucketName: '',
  s3KeyPrefix: '',
  s3EncryptionEnabled: false,
  cloudWatchLogGroupName: '',
  cloudWatchEncryptionEnabled: false,
  cloudWatchStreamingEnabled: false,
  kmsKeyId: '',
  runAsEnabled: false,
  runAsDefaultUser: '',
  idleSessionTimeout: '20',
  maxSessionDuration: '',
  shellProfile: { windows: '', linux: '' },
};

const DOCUMENTS: readonly SessionDocument[] = [
  {
    name: DEFAULT_SESSION_DOCUMENT,
    parameters: {},
    content: {
      schemaVersion: '1.0',
      description: 'Document to hold regional settings for Session Manager',
      sessionType: 'Standard_Stream',
      inputs: PREFERENCE_INPUTS,
    },
  },
  {
    name: 'AWS-StartInteractiveCommand',
    parameters: { command: undefined },
    content: {
      schemaVersion: '1.0',
      description: 'Run an interactive command in a pseudo-terminal.',
      sessionType: 'InteractiveCommands',
      inputs: PREFERENCE_INPUTS,
      parameters: { command: { type: 'String', description: 'The command to run.' } },
      properties: { linux: { commands: '{{ command }}', runAsElevated: false } },
    },
  },
  {
    name: 'AWS-StartNonInteractiveCommand',
    parameters: { command: undefined },
    content: {
      schemaVersion: '1.0',
      description: 'Run a command without a pseudo-terminal.',
      sessionType: 'NonInteractiveCommands',
      inputs: PREFERENCE_INPUTS,
      parameters: { command: { type: 'String', description: 'The command to run.' } },
      properties: { linux: { commands: '{{ command }}', runAsElevated: false } },
    },
  },
];

export function findSessionDocument(name: string): SessionDocument {
  const document = DOCUMENTS.find((candidate) => candidate.name === name);
  if (document === undefined) {
    throw new CodedError(
      'InvalidDocument',
      `Document ${name.slice(0, 128)} does not exist or is not a Session document.`,
    );
  }
  return document;
}

/**
 * Checks the request's parameters against the document and resolves defaults. String
 * parameters go to the agent as scalars: it substitutes `{{ name }}` with the value as is.
 */
export function resolveSessionParameters(
  document: SessionDocument,
  given: Readonly<Record<string, readonly string[]>>,
): Record<string, SessionParameterValue> {
  const resolved: Record<string, SessionParameterValue> = {};
  for (const name of Object.keys(given)) {
    if (!(name in document.parameters)) {
      throw new CodedError(
        'InvalidParameters',
        `Document ${document.name} has no parameter ${name.slice(0, 64)}.`,
      );
    }
  }
  for (const [name, fallback] of Object.entries(document.parameters)) {
    const values = given[name];
    if (values !== undefined && values.length !== 1) {
      throw new CodedError('InvalidParameters', `Parameter ${name} takes exactly one value.`);
    }
    const value = values?.[0] ?? fallback;
    if (value === undefined) {
      throw new CodedError(
        'InvalidParameters',
        `Parameter ${name} is required by ${document.name}.`,
      );
    }
    resolved[name] = value;
  }
  return resolved;
}
