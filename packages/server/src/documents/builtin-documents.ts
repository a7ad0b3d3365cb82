// The documents every OpenSSM server has (DESIGN.md §2): AWS's own documents that `aws ssm`
// users name (owner Amazon, read-only), and the Session Manager preferences document
// SSM-SessionManagerRunShell, which on AWS belongs to the account and is edited with
// UpdateDocument. Contents are reconstructed from ssm-wire §5.1, §8.1 and §8.3: the structure
// and parameter names are what clients and agents read; descriptions are ours.

import type { JsonObject } from '@openssm/protocol';
import type { RunnableDocumentType } from './document-schema.js';

export interface BuiltinDocument {
  readonly name: string;
  readonly documentType: RunnableDocumentType;
  /** Amazon-owned documents cannot be changed; the preferences document belongs to the account. */
  readonly owner: 'Amazon' | 'Self';
  readonly content: JsonObject;
}

/** What StartSession uses when no DocumentName is given (ssm-wire §2.3). */
export const DEFAULT_SESSION_DOCUMENT = 'SSM-SessionManagerRunShell';
export const RUN_SHELL_SCRIPT_DOCUMENT = 'AWS-RunShellScript';
export const MULTI_PORT_FORWARDING_DOCUMENT = 'OpenSSM-StartMultiPortForwardingSession';

/** The preferences AWS creates the document with: nothing logged, 20 minutes idle timeout. */
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

// Port numbers as AWS's port documents accept them: 1–65535, and 0 for "any free local port".
const PORT_PATTERN =
  '^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';
const LOCAL_PORT_PATTERN =
  '^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';

const commandProperties = (runAsElevated: boolean): JsonObject => ({
  windows: { commands: '{{ command }}', runAsElevated },
  linux: { commands: '{{ command }}', runAsElevated },
  macos: { commands: '{{ command }}', runAsElevated },
});

export const BUILTIN_DOCUMENTS: readonly BuiltinDocument[] = [
  {
    name: RUN_SHELL_SCRIPT_DOCUMENT,
    documentType: 'Command',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.2',
      description: 'Run a shell script or specify the commands to run.',
      parameters: {
        commands: {
          type: 'StringList',
          description: '(Required) Specify a shell script or a command to run.',
          minItems: 1,
          displayType: 'textarea',
        },
        workingDirectory: {
          type: 'String',
          default: '',
          description: '(Optional) The path to the working directory on your instance.',
          maxChars: 4096,
        },
        executionTimeout: {
          type: 'String',
          default: '3600',
          description:
            '(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).',
          allowedPattern:
            '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)',
        },
      },
      runtimeConfig: {
        'aws:runShellScript': {
          properties: [
            {
              id: '0.aws:runShellScript',
              runCommand: '{{ commands }}',
              workingDirectory: '{{ workingDirectory }}',
              timeoutSeconds: '{{ executionTimeout }}',
            },
          ],
        },
      },
    },
  },
  {
    name: DEFAULT_SESSION_DOCUMENT,
    documentType: 'Session',
    owner: 'Self',
    content: {
      schemaVersion: '1.0',
      description: 'Document to hold regional settings for Session Manager',
      sessionType: 'Standard_Stream',
      inputs: PREFERENCE_INPUTS,
    },
  },
  {
    name: 'AWS-StartInteractiveCommand',
    documentType: 'Session',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.0',
      description: 'Run an interactive command in a pseudo-terminal.',
      sessionType: 'InteractiveCommands',
      inputs: PREFERENCE_INPUTS,
      parameters: { command: { type: 'String', description: 'The command to run.' } },
      properties: commandProperties(false),
    },
  },
  {
    name: 'AWS-StartNonInteractiveCommand',
    documentType: 'Session',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.0',
      description: 'Run a command without a pseudo-terminal.',
      sessionType: 'NonInteractiveCommands',
      inputs: PREFERENCE_INPUTS,
      parameters: { command: { type: 'String', description: 'The command to run.' } },
      properties: commandProperties(false),
    },
  },
  {
    name: 'AWS-StartPortForwardingSession',
    documentType: 'Session',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.0',
      description: 'Forward a local port to a port on the managed node.',
      sessionType: 'Port',
      parameters: {
        portNumber: {
          type: 'String',
          description: '(Optional) Port number of the server on the node.',
          allowedPattern: PORT_PATTERN,
          default: '80',
        },
        localPortNumber: {
          type: 'String',
          description: '(Optional) Local port number; 0 picks a free port.',
          allowedPattern: LOCAL_PORT_PATTERN,
          default: '0',
        },
      },
      properties: {
        portNumber: '{{ portNumber }}',
        type: 'LocalPortForwarding',
        localPortNumber: '{{ localPortNumber }}',
      },
    },
  },
  {
    name: 'AWS-StartPortForwardingSessionToRemoteHost',
    documentType: 'Session',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.0',
      description: 'Forward a local port to a port on a host the managed node reaches.',
      sessionType: 'Port',
      parameters: {
        host: {
          type: 'String',
          description: '(Required) The host name or IP address the node connects to.',
          allowedPattern: '^[a-zA-Z0-9.:_\\-\\[\\]]{1,253}$',
        },
        portNumber: {
          type: 'String',
          description: '(Optional) Port number on the remote host.',
          allowedPattern: PORT_PATTERN,
          default: '80',
        },
        localPortNumber: {
          type: 'String',
          description: '(Optional) Local port number; 0 picks a free port.',
          allowedPattern: LOCAL_PORT_PATTERN,
          default: '0',
        },
      },
      properties: {
        host: '{{ host }}',
        portNumber: '{{ portNumber }}',
        type: 'LocalPortForwarding',
        localPortNumber: '{{ localPortNumber }}',
      },
    },
  },
  {
    name: 'AWS-StartSSHSession',
    documentType: 'Session',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.0',
      description: 'Stream an SSH connection to the managed node (for ssh ProxyCommand).',
      sessionType: 'Port',
      parameters: {
        portNumber: {
          type: 'String',
          description: '(Optional) Port number of the SSH server on the node.',
          allowedPattern: PORT_PATTERN,
          default: '22',
        },
      },
      properties: { portNumber: '{{ portNumber }}' },
    },
  },
  {
    // OpenSSM's own (docs/decisions/0009): many forwards and SOCKS over one session, each smux
    // stream naming its destination. Only OpenSSM clients (`openssm forward`) speak it.
    name: MULTI_PORT_FORWARDING_DOCUMENT,
    documentType: 'Session',
    owner: 'Amazon',
    content: {
      schemaVersion: '1.0',
      description:
        'Forward several local ports, or a SOCKS proxy, to hosts the managed node reaches, over one session (OpenSSM clients).',
      sessionType: 'Port',
      parameters: {},
      properties: { type: 'OpenSSMMultiPortForwarding' },
    },
  },
];

/** The text a built-in is stored with: JSON, indented as AWS returns its own documents. */
export function builtinContentText(document: BuiltinDocument): string {
  return JSON.stringify(document.content, null, 2);
}
