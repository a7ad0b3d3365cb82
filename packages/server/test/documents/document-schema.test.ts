// Schema validation of Command (2.2, 2.0, 1.2) and Session (1.0) documents: good documents give
// the model DescribeDocument reports; each bad one is refused with its code and a message that
// names the field and what would be accepted.

import { CodedError, type JsonObject } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import { BUILTIN_DOCUMENTS } from '../../src/documents/builtin-documents.js';
import {
  validateDocument,
  type RunnableDocumentType,
} from '../../src/documents/document-schema.js';

function refusal(content: JsonObject, type: RunnableDocumentType): CodedError {
  try {
    validateDocument(content, type);
  } catch (error) {
    expect(error).toBeInstanceOf(CodedError);
    return error as CodedError;
  }
  throw new Error('expected a CodedError');
}

const step = (extra: JsonObject = {}): JsonObject => ({
  action: 'aws:runShellScript',
  name: 'run',
  inputs: { runCommand: '{{ commands }}' },
  ...extra,
});

const command = (extra: JsonObject = {}): JsonObject => ({
  schemaVersion: '2.2',
  description: 'Demo',
  parameters: { commands: { type: 'StringList', minItems: 1 } },
  mainSteps: [step()],
  ...extra,
});

const session = (extra: JsonObject = {}): JsonObject => ({
  schemaVersion: '1.0',
  description: 'Shell',
  sessionType: 'Standard_Stream',
  inputs: { idleSessionTimeout: '20', runAsEnabled: false, shellProfile: { linux: 'bash' } },
  ...extra,
});

describe('Command documents', () => {
  it('accepts a full schema 2.2 document and reports its platforms and parameters', () => {
    const model = validateDocument(
      command({
        parameters: {
          commands: { type: 'StringList' },
          dir: { type: 'String', default: '/tmp' },
          timeout: { type: 'String', default: '60' },
        },
        mainSteps: [
          step({
            name: 'linuxOnly',
            precondition: { StringEquals: ['platformType', 'Linux'] },
            inputs: {
              runCommand: ['echo start', '{{ commands }}'],
              workingDirectory: '{{ dir }}',
              timeoutSeconds: '{{ timeout }}',
            },
            onFailure: 'exit',
            maxAttempts: 2,
            timeoutSeconds: 600,
            settings: {},
            isEnd: false,
          }),
          step({
            action: 'aws:runPowerShellScript',
            name: 'windows',
            inputs: { runCommand: 'Get-Date', timeoutSeconds: 60 },
            onFailure: 'successAndExit',
          }),
          step({ name: 'cleanup', inputs: { runCommand: 'echo done' }, finallyStep: true }),
        ],
      }),
      'Command',
    );
    expect(model).toEqual({
      documentType: 'Command',
      schemaVersion: '2.2',
      description: 'Demo',
      parameters: [
        { name: 'commands', type: 'StringList', description: '' },
        { name: 'dir', type: 'String', description: '', default: '/tmp' },
        { name: 'timeout', type: 'String', description: '', default: '60' },
      ],
      platformTypes: ['Windows', 'Linux', 'MacOS'],
    });
  });

  it('narrows platforms with preconditions, and reads YAML-style numeric schema versions', () => {
    const linuxOnly = command({
      schemaVersion: 2.2,
      mainSteps: [step({ precondition: { StringEquals: ['platformType', 'Linux'] } })],
    });
    expect(validateDocument(linuxOnly, 'Command')).toMatchObject({
      schemaVersion: '2.2',
      platformTypes: ['Linux'],
    });
    expect(validateDocument(command({ schemaVersion: '2.0' }), 'Command').platformTypes).toEqual([
      'Linux',
      'MacOS',
    ]);
  });

  it('accepts schema 1.2 runtimeConfig, as AWS-RunShellScript is written', () => {
    const model = validateDocument(
      {
        schemaVersion: '1.2',
        parameters: { commands: { type: 'StringList' } },
        runtimeConfig: {
          'aws:runShellScript': {
            properties: [{ id: '0.aws:runShellScript', runCommand: '{{ commands }}' }],
          },
        },
      },
      'Command',
    );
    expect(model).toMatchObject({ schemaVersion: '1.2', platformTypes: ['Linux', 'MacOS'] });
  });

  it.each([
    [
      { schemaVersion: '1.0' },
      'InvalidDocumentSchemaVersion',
      /schemaVersion "1.0" is not supported for Command documents; use 2.2 or 2.0 or 1.2/,
    ],
    [{ schemaVersion: undefined }, 'InvalidDocumentSchemaVersion', /has no schemaVersion/],
    [{ schemaVersion: '3.0' }, 'InvalidDocumentSchemaVersion', /"3.0" is not supported/],
    [{ mainSteps: [] }, 'InvalidDocumentContent', /mainSteps must be a non-empty list of steps/],
    [{ mainSteps: 'run' }, 'InvalidDocumentContent', /mainSteps must be a non-empty list/],
    [
      { outputs: [] },
      'InvalidDocumentContent',
      /The document has an unknown key "outputs"; allowed: schemaVersion, description, parameters, mainSteps/,
    ],
    [{ description: 7 }, 'InvalidDocumentContent', /^description must be a string/],
    [{ mainSteps: ['x'] }, 'InvalidDocumentContent', /mainSteps\[0\] must be an object/],
    [
      { mainSteps: [step({ action: 'aws:runDocument' })] },
      'InvalidDocumentContent',
      /mainSteps\[0\]\.action "aws:runDocument" is not supported; use aws:runShellScript or aws:runPowerShellScript/,
    ],
    [
      { mainSteps: [step({ action: 'constructor' })] },
      'InvalidDocumentContent',
      /"constructor" is not supported/,
    ],
    [
      { mainSteps: [step({ action: null })] },
      'InvalidDocumentContent',
      /mainSteps\[0\]\.action is required/,
    ],
    [
      { mainSteps: [step({ name: '' })] },
      'InvalidDocumentContent',
      /mainSteps\[0\]\.name is required/,
    ],
    [
      { mainSteps: [step({ name: 'has space' })] },
      'InvalidDocumentContent',
      /name must be 1 to 100 letters/,
    ],
    [
      { mainSteps: [step(), step()] },
      'InvalidDocumentContent',
      /mainSteps\[1\]\.name "run" is used by an earlier step/,
    ],
    [
      { mainSteps: [step({ inputs: null })] },
      'InvalidDocumentContent',
      /mainSteps\[0\]\.inputs must be an object/,
    ],
    [
      { mainSteps: [step({ inputs: {} })] },
      'InvalidDocumentContent',
      /mainSteps\[0\]\.inputs\.runCommand must be a command, a list of command lines, or a parameter/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: [] } })] },
      'InvalidDocumentContent',
      /runCommand must be/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: ['ls', 3] } })] },
      'InvalidDocumentContent',
      /runCommand must be/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: 'ls', commands: 'x' } })] },
      'InvalidDocumentContent',
      /inputs has an unknown key "commands"; allowed: runCommand, workingDirectory, timeoutSeconds/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: 'ls', workingDirectory: 1 } })] },
      'InvalidDocumentContent',
      /inputs\.workingDirectory must be a string/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: 'ls', timeoutSeconds: '4' } })] },
      'InvalidDocumentContent',
      /timeoutSeconds must be seconds from 5 to 172800/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: 'ls', timeoutSeconds: 172801 } })] },
      'InvalidDocumentContent',
      /timeoutSeconds must be seconds/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: 'ls', timeoutSeconds: 'soon' } })] },
      'InvalidDocumentContent',
      /timeoutSeconds must be seconds/,
    ],
    [
      { mainSteps: [step({ precondition: { StringEquals: ['platformType', 'Solaris'] } })] },
      'InvalidDocumentContent',
      /precondition must be \{"StringEquals": \["platformType"/,
    ],
    [
      { mainSteps: [step({ precondition: { StringLike: ['platformType', 'Linux'] } })] },
      'InvalidDocumentContent',
      /precondition must be/,
    ],
    [
      { mainSteps: [step({ onFailure: 'retry' })] },
      'InvalidDocumentContent',
      /onFailure must be exit or successAndExit/,
    ],
    [
      { mainSteps: [step({ isEnd: 'yes' })] },
      'InvalidDocumentContent',
      /isEnd must be true or false/,
    ],
    [
      { mainSteps: [step({ name: 'a', finallyStep: true }), step({ name: 'b' })] },
      'InvalidDocumentContent',
      /mainSteps\[0\] is a finallyStep but not the last step/,
    ],
    [
      { mainSteps: [step({ maxAttempts: 0 })] },
      'InvalidDocumentContent',
      /maxAttempts must be a whole number of 1 or more/,
    ],
    [
      { mainSteps: [step({ settings: [] })] },
      'InvalidDocumentContent',
      /settings must be an object/,
    ],
    [
      { mainSteps: [step({ timeout: 5 })] },
      'InvalidDocumentContent',
      /mainSteps\[0\] has an unknown key "timeout"/,
    ],
    [
      {
        schemaVersion: '2.0',
        mainSteps: [step({ precondition: { StringEquals: ['platformType', 'Linux'] } })],
      },
      'InvalidDocumentContent',
      /unknown key "precondition".*need schemaVersion 2.2/,
    ],
    [
      { mainSteps: [step({ inputs: { runCommand: '{{ comands }}' } })] },
      'InvalidDocumentContent',
      /uses parameter\(s\) it does not declare under parameters: comands/,
    ],
    [
      { parameters: { commands: { type: 'List' } } },
      'InvalidDocumentContent',
      /parameters\.commands\.type must be one of/,
    ],
  ] as const)('refuses %j with %s', (change, code, message) => {
    const error = refusal(command(change as unknown as JsonObject), 'Command');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('refuses bad schema 1.2 runtime configurations', () => {
    const v12 = (runtimeConfig: JsonObject | string) =>
      refusal({ schemaVersion: '1.2', runtimeConfig }, 'Command');
    expect(v12({}).message).toMatch(/runtimeConfig must be an object naming at least one plugin/);
    expect(v12('x').message).toMatch(/runtimeConfig must be an object/);
    expect(v12({ 'aws:runDocument': { properties: [] } }).message).toMatch(
      /runtimeConfig\.aws:runDocument is not a supported plugin/,
    );
    expect(v12({ 'aws:runShellScript': { properties: [] } }).message).toMatch(
      /properties must not be empty/,
    );
    expect(
      v12({ 'aws:runShellScript': { properties: [{ id: 1, runCommand: 'ls' }] } }).message,
    ).toMatch(/properties\[0\]\.id must be a string/);
    expect(v12({ 'aws:runShellScript': { properties: { runCommand: '' } } }).message).toMatch(
      /runtimeConfig\.aws:runShellScript\.properties\.runCommand must be/,
    );
  });

  it('says when session content is created as a Command document', () => {
    const error = refusal(session(), 'Command');
    expect(error.code).toBe('InvalidDocumentSchemaVersion');
    expect(error.message).toMatch(/looks like a Session document: pass DocumentType Session/);
  });
});

describe('Session documents', () => {
  it('accepts each session type and reports its platforms', () => {
    expect(validateDocument(session(), 'Session')).toEqual({
      documentType: 'Session',
      schemaVersion: '1.0',
      description: 'Shell',
      parameters: [],
      platformTypes: ['Windows', 'Linux', 'MacOS'],
      sessionType: 'Standard_Stream',
    });
    expect(
      validateDocument(
        session({
          sessionType: 'NonInteractiveCommands',
          parameters: { command: { type: 'String' } },
          properties: {
            linux: {
              commands: '{{ command }}',
              runAsElevated: true,
              separateOutputStream: true,
              stdOutSeparatorPrefix: 'OUT:',
              stdErrSeparatorPrefix: 'ERR:',
            },
          },
        }),
        'Session',
      ),
    ).toMatchObject({ sessionType: 'NonInteractiveCommands', platformTypes: ['Linux'] });
    expect(
      validateDocument(
        session({
          sessionType: 'Port',
          parameters: { portNumber: { type: 'String', default: '22' } },
          properties: {
            portNumber: '{{ portNumber }}',
            type: 'LocalPortForwarding',
            localPortNumber: '0',
          },
        }),
        'Session',
      ),
    ).toMatchObject({ sessionType: 'Port' });
  });

  it('accepts "true"/"false" strings for boolean inputs and empty durations', () => {
    expect(() =>
      validateDocument(
        session({
          inputs: { s3EncryptionEnabled: 'true', maxSessionDuration: '', idleSessionTimeout: '60' },
        }),
        'Session',
      ),
    ).not.toThrow();
  });

  it.each([
    [
      { schemaVersion: '2.2' },
      'InvalidDocumentSchemaVersion',
      /"2.2" is not supported for Session documents; use 1.0/,
    ],
    [
      { sessionType: 'Shell' },
      'InvalidDocumentContent',
      /sessionType must be one of Standard_Stream, InteractiveCommands, NonInteractiveCommands, Port/,
    ],
    [{ sessionType: undefined }, 'InvalidDocumentContent', /sessionType must be one of/],
    [{ mainSteps: [] }, 'InvalidDocumentContent', /The document has an unknown key "mainSteps"/],
    [{ inputs: [] }, 'InvalidDocumentContent', /^inputs must be an object/],
    [
      { inputs: { idleTimeout: '20' } },
      'InvalidDocumentContent',
      /inputs has an unknown key "idleTimeout"; allowed: s3BucketName/,
    ],
    [
      { inputs: { s3BucketName: 1 } },
      'InvalidDocumentContent',
      /inputs\.s3BucketName must be a string/,
    ],
    [
      { inputs: { runAsEnabled: 'yes' } },
      'InvalidDocumentContent',
      /inputs\.runAsEnabled must be true or false/,
    ],
    [
      { inputs: { idleSessionTimeout: '61' } },
      'InvalidDocumentContent',
      /idleSessionTimeout must be a string of minutes from 1 to 60/,
    ],
    [
      { inputs: { idleSessionTimeout: 20 } },
      'InvalidDocumentContent',
      /idleSessionTimeout must be a string of minutes/,
    ],
    [
      { inputs: { maxSessionDuration: '1441' } },
      'InvalidDocumentContent',
      /maxSessionDuration must be a string of minutes from 1 to 1440/,
    ],
    [
      { inputs: { shellProfile: 'bash' } },
      'InvalidDocumentContent',
      /inputs\.shellProfile must be an object/,
    ],
    [
      { inputs: { shellProfile: { mac: '' } } },
      'InvalidDocumentContent',
      /inputs\.shellProfile has an unknown key "mac"/,
    ],
    [
      { properties: { linux: { commands: 'x' } } },
      'InvalidDocumentContent',
      /Standard_Stream sessions take no properties/,
    ],
    [{ properties: 'x' }, 'InvalidDocumentContent', /^properties must be an object/],
    [
      { sessionType: 'InteractiveCommands' },
      'InvalidDocumentContent',
      /properties must give the commands to run for linux, windows and\/or macos/,
    ],
    [
      { sessionType: 'InteractiveCommands', properties: { solaris: { commands: 'x' } } },
      'InvalidDocumentContent',
      /properties has an unknown key "solaris"/,
    ],
    [
      { sessionType: 'InteractiveCommands', properties: { linux: 'top' } },
      'InvalidDocumentContent',
      /properties\.linux must be an object with commands/,
    ],
    [
      { sessionType: 'InteractiveCommands', properties: { linux: { commands: '' } } },
      'InvalidDocumentContent',
      /properties\.linux\.commands must be a command/,
    ],
    [
      {
        sessionType: 'InteractiveCommands',
        properties: { linux: { commands: 'x', separateOutputStream: true } },
      },
      'InvalidDocumentContent',
      /unknown key "separateOutputStream".*need NonInteractiveCommands/,
    ],
    [
      {
        sessionType: 'InteractiveCommands',
        properties: { linux: { commands: 'x', runAsElevated: 'no' } },
      },
      'InvalidDocumentContent',
      /runAsElevated must be true or false/,
    ],
    [
      {
        sessionType: 'NonInteractiveCommands',
        properties: { linux: { commands: 'x', stdOutSeparatorPrefix: 'a b' } },
      },
      'InvalidDocumentContent',
      /stdOutSeparatorPrefix must be at most 30 letters/,
    ],
    [{ sessionType: 'Port' }, 'InvalidDocumentContent', /properties must give at least portNumber/],
    [
      { sessionType: 'Port', properties: {} },
      'InvalidDocumentContent',
      /properties\.portNumber is required for a Port session/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: 22 } },
      'InvalidDocumentContent',
      /properties\.portNumber must be a string/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: '0' } },
      'InvalidDocumentContent',
      /portNumber must be a port number from 1 to 65535/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: '65536' } },
      'InvalidDocumentContent',
      /portNumber must be a port number/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: '22', localPortNumber: 'any' } },
      'InvalidDocumentContent',
      /localPortNumber must be a port number from 0 to 65535/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: '22', type: 'RemoteForwarding' } },
      'InvalidDocumentContent',
      /properties\.type must be LocalPortForwarding/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: '22', proxy: 'x' } },
      'InvalidDocumentContent',
      /properties has an unknown key "proxy"/,
    ],
    [
      { sessionType: 'Port', properties: { portNumber: '{{ port }}' } },
      'InvalidDocumentContent',
      /does not declare under parameters: port/,
    ],
  ] as const)('refuses %j with %s', (change, code, message) => {
    const error = refusal(session(change as unknown as JsonObject), 'Session');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('says when command content is created as a Session document', () => {
    expect(refusal(command(), 'Session').message).toMatch(
      /looks like a Command document: pass DocumentType Command/,
    );
  });
});

describe('built-in documents', () => {
  it.each(BUILTIN_DOCUMENTS.map((document) => [document.name, document] as const))(
    '%s passes its own schema',
    (_name, document) => {
      expect(validateDocument(document.content, document.documentType).documentType).toBe(
        document.documentType,
      );
    },
  );
});

describe('session preferences (SSM-SessionManagerRunShell inputs)', () => {
  it.each([
    [{ s3BucketName: 'Bad_Bucket' }, /inputs.s3BucketName must be an S3 bucket name/],
    [{ s3KeyPrefix: 'a/../b' }, /inputs.s3KeyPrefix must be an S3 key prefix/],
    [
      { cloudWatchLogGroupName: 'bad name' },
      /inputs.cloudWatchLogGroupName must be a log group name/,
    ],
    [
      { runAsDefaultUser: 'no spaces please' },
      /inputs.runAsDefaultUser must be an operating-system user name/,
    ],
    [
      { maxSessionDuration: '1441' },
      /maxSessionDuration must be a string of minutes from 1 to 1440/,
    ],
    [{ idleSessionTimeout: '0' }, /idleSessionTimeout must be a string of minutes from 1 to 60/],
    [{ openssmLogFailureMode: 'sometimes' }, /openssmLogFailureMode must be "open"/],
    [{ openssmRecordInput: 'yes' }, /openssmRecordInput must be true or false/],
  ])('refuses %j with InvalidDocumentContent', (inputs, message) => {
    const error = refusal(session({ inputs }), 'Session');
    expect(error.code).toBe('InvalidDocumentContent');
    expect(error.message).toMatch(message);
  });

  it('accepts AWS-style values and the OpenSSM additions', () => {
    expect(() =>
      validateDocument(
        session({
          inputs: {
            s3BucketName: 'audit-logs.example',
            s3KeyPrefix: 'sessions/prod',
            cloudWatchLogGroupName: '/ssm/sessions',
            cloudWatchStreamingEnabled: true,
            idleSessionTimeout: '15',
            maxSessionDuration: '1440',
            runAsEnabled: true,
            runAsDefaultUser: 'ops-user',
            openssmRecordInput: 'true',
            openssmLogFailureMode: 'closed',
          },
        }),
        'Session',
      ),
    ).not.toThrow();
  });
});
