// The document service over real SQLite storage: built-ins created once and Amazon's kept in
// step with the release (never the account's preferences), the quota, and loadRunnable — the
// way StartSession (and next SendCommand) gets a document and checks its parameters — with the
// session service handing the node what the store holds.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodedError,
  interpolateParameters,
  withParameterDefaults,
  type AgentTaskPayload,
} from '@openssm/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_DOCUMENTS, builtinContentText } from '../../src/documents/builtin-documents.js';
import {
  createDocumentService,
  type DocumentService,
} from '../../src/services/document-service.js';
import { sha256Hex } from '../../src/services/identifiers.js';
import { createSessionService } from '../../src/services/session-service.js';
import type { InstanceService } from '../../src/services/instance-service.js';
import type { ChannelTokens } from '../../src/gateway/channel-tokens.js';
import type { ConnectionRegistry } from '../../src/services/connection-registry.js';
import { openSqliteStorage, type Storage } from '../../src/storage/index.js';

const T0 = 1_795_719_693_000;
const ACCOUNT = '000000000000';
const identity = { region: 'eu-west-1', accountId: ACCOUNT, partition: 'openssm' };

let directory: string;
let storage: Storage;
let documents: DocumentService;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'openssm-documents-'));
  storage = await openSqliteStorage(join(directory, 'openssm.db'));
  documents = createDocumentService({ repository: storage.documents, identity, maxDocuments: 3 });
});

afterEach(async () => {
  await storage.close();
  rmSync(directory, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<CodedError> {
  const error: unknown = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(CodedError);
  return error as CodedError;
}

const SESSION_CONTENT = JSON.stringify({
  schemaVersion: '1.0',
  sessionType: 'InteractiveCommands',
  parameters: {
    command: { type: 'String', allowedValues: ['top', 'htop'] },
    lines: { type: 'Integer', default: 10 },
    verbose: { type: 'Boolean', default: false },
  },
  properties: { linux: { commands: '{{ command }} -n {{ lines }}', runAsElevated: false } },
});

describe('built-in documents', () => {
  it('are created on first sync with their owners, and a second sync changes nothing', async () => {
    await documents.syncBuiltIns(T0);
    await documents.syncBuiltIns(T0 + 1);
    for (const builtin of BUILTIN_DOCUMENTS) {
      const record = await storage.documents.get(builtin.name);
      expect(record).toMatchObject({
        owner: builtin.owner === 'Amazon' ? 'Amazon' : ACCOUNT,
        documentType: builtin.documentType,
        defaultVersion: 1,
        latestVersion: 1,
        createdAt: T0,
      });
      const version = await storage.documents.getVersion(builtin.name, 1);
      expect(version?.contentHash).toBe(sha256Hex(builtinContentText(builtin)));
    }
  });

  it('moves Amazon’s documents to this release’s content as a new default, never the account’s', async () => {
    const stale = (name: string) => ({
      name,
      versionName: null,
      displayName: '',
      targetType: '',
      content: '{"schemaVersion":"1.0","sessionType":"Standard_Stream"}',
      documentFormat: 'JSON' as const,
      contentHash: 'f'.repeat(64),
      schemaVersion: '1.0',
      description: 'an older release',
      platformTypes: [],
      createdAt: T0,
    });
    await storage.documents.create(
      {
        name: 'AWS-StartSSHSession',
        owner: 'Amazon',
        documentType: 'Session',
        createdAt: T0,
        tags: [],
      },
      stale('AWS-StartSSHSession'),
    );
    await storage.documents.create(
      {
        name: 'SSM-SessionManagerRunShell',
        owner: ACCOUNT,
        documentType: 'Session',
        createdAt: T0,
        tags: [],
      },
      stale('SSM-SessionManagerRunShell'),
    );
    await documents.syncBuiltIns(T0 + 5);
    await documents.syncBuiltIns(T0 + 6);
    expect(await storage.documents.get('AWS-StartSSHSession')).toMatchObject({
      defaultVersion: 2,
      latestVersion: 2,
    });
    const ssh = BUILTIN_DOCUMENTS.find((builtin) => builtin.name === 'AWS-StartSSHSession')!;
    expect((await storage.documents.getVersion('AWS-StartSSHSession', 2))?.content).toBe(
      builtinContentText(ssh),
    );
    expect(await storage.documents.get('SSM-SessionManagerRunShell')).toMatchObject({
      defaultVersion: 1,
      latestVersion: 1,
    });
    expect((await storage.documents.getVersion('SSM-SessionManagerRunShell', 1))?.description).toBe(
      'an older release',
    );
  });
});

describe('create', () => {
  it('stops at the account’s quota with DocumentLimitExceeded; Amazon’s documents do not count', async () => {
    await documents.syncBuiltIns(T0); // the preferences document is the account's: 1 of 3
    const create = (name: string) =>
      documents.create(
        {
          name,
          content: SESSION_CONTENT,
          documentType: 'Session',
          documentFormat: 'JSON',
          tags: [],
        },
        T0,
      );
    await create('Doc-1');
    await create('Doc-2');
    const error = await refusal(create('Doc-3'));
    expect(error.code).toBe('DocumentLimitExceeded');
    expect(error.message).toMatch(/at most 3 documents/);
    await documents.delete('Doc-1', {});
    await expect(create('Doc-3')).resolves.toBeDefined();
  });
});

describe('loadRunnable', () => {
  beforeEach(async () => {
    await documents.syncBuiltIns(T0);
    await documents.create(
      {
        name: 'Top',
        content: SESSION_CONTENT,
        documentType: 'Session',
        documentFormat: 'JSON',
        tags: [],
      },
      T0,
    );
  });

  it('gives the default version with its placeholders and types the parameters', async () => {
    const document = await documents.loadRunnable('Top', 'Session');
    expect(document).toMatchObject({
      name: 'Top',
      documentVersion: '1',
      hash: sha256Hex(SESSION_CONTENT),
      content: JSON.parse(SESSION_CONTENT) as object,
      model: { sessionType: 'InteractiveCommands' },
    });
    const values = document.resolveParameters({ command: ['htop'], verbose: ['true'] });
    expect(values).toEqual({ command: 'htop', lines: 10, verbose: true });
    // What the node then runs.
    expect(
      interpolateParameters(document.content, withParameterDefaults(document.content, values)),
    ).toMatchObject({ properties: { linux: { commands: 'htop -n 10' } } });
    const refused = (() => {
      try {
        document.resolveParameters({ command: ['rm'] });
      } catch (error) {
        return error as CodedError;
      }
      return undefined;
    })();
    expect(refused?.code).toBe('InvalidParameters');
  });

  it('follows the default version, and takes $LATEST, numbers and version names when asked', async () => {
    const v2 = SESSION_CONTENT.replace('-n {{ lines }}', '-d 1');
    await documents.update(
      {
        name: 'Top',
        content: v2,
        documentFormat: 'JSON',
        documentVersion: '$LATEST',
        versionName: 'b',
      },
      T0 + 1,
    );
    expect((await documents.loadRunnable('Top', 'Session')).documentVersion).toBe('1');
    expect(
      (await documents.loadRunnable('Top', 'Session', { documentVersion: '$LATEST' })).hash,
    ).toBe(sha256Hex(v2));
    expect(
      (await documents.loadRunnable('Top', 'Session', { versionName: 'b' })).documentVersion,
    ).toBe('2');
    await documents.setDefaultVersion('Top', 2);
    expect((await documents.loadRunnable('Top', 'Session')).documentVersion).toBe('2');
    expect(
      (await refusal(documents.loadRunnable('Top', 'Session', { documentVersion: 7 }))).code,
    ).toBe('InvalidDocumentVersion');
    expect(
      (
        await refusal(
          documents.loadRunnable('Top', 'Session', { documentVersion: 1, versionName: 'b' }),
        )
      ).code,
    ).toBe('InvalidDocumentVersion');
  });

  it('refuses the other document type and unknown documents with InvalidDocument', async () => {
    const command = await refusal(documents.loadRunnable('AWS-RunShellScript', 'Session'));
    expect(command.code).toBe('InvalidDocument');
    const session = await refusal(documents.loadRunnable('Top', 'Command'));
    expect(session).toMatchObject({
      code: 'InvalidDocument',
      message:
        'Document Top is a Session document; only Command documents can be sent as commands.',
    });
    expect((await refusal(documents.loadRunnable('Nope', 'Command'))).code).toBe('InvalidDocument');
    expect(
      (await documents.loadRunnable(`arn:openssm:ssm:eu-west-1:${ACCOUNT}:document/Top`, 'Session'))
        .name,
    ).toBe('Top');
  });

  it('gives AWS-RunShellScript with AWS’s parameter rules, for SendCommand', async () => {
    const shell = await documents.loadRunnable('AWS-RunShellScript', 'Command');
    expect(shell.resolveParameters({ commands: ['df -h'] })).toEqual({
      commands: ['df -h'],
      workingDirectory: '',
      executionTimeout: '3600',
    });
    const bad: Record<string, string[]>[] = [
      {},
      { commands: [] },
      { commands: ['x'], executionTimeout: ['0'] },
    ];
    for (const parameters of bad) {
      expect(() => shell.resolveParameters(parameters)).toThrow(CodedError);
    }
  });
});

describe('StartSession through the session service', () => {
  it('sends the node the preferences the store holds, after they are updated', async () => {
    await documents.syncBuiltIns(T0);
    const tasks: AgentTaskPayload[] = [];
    const sessions = createSessionService({
      sessions: storage.sessions,
      documents,
      instances: {
        get: (instanceId: string) => Promise.resolve({ instanceId }),
      } as unknown as InstanceService,
      connections: { isConnected: () => true } as unknown as ConnectionRegistry,
      tokens: { issue: () => Promise.resolve('token') } as unknown as ChannelTokens,
      streamUrlBase: () => 'ws://127.0.0.1:1',
      gateway: () => ({
        openOnNode: (_instanceId, task) => {
          tasks.push(task);
          return true;
        },
        closeChannels: () => undefined,
        disconnectNode: () => undefined,
      }),
    });
    const owner = {
      kind: 'user' as const,
      id: 'AIDAOPENSSMEXAMPLE001',
      name: 'admin',
      arn: 'arn:openssm:iam::000000000000:user/admin',
    };
    const start = (documentName: string, parameters: Record<string, string[]> = {}) =>
      sessions.start(
        { target: 'mi-0123456789abcdef0', documentName, reason: '', parameters },
        owner,
        T0,
      );

    await start('SSM-SessionManagerRunShell');
    expect(tasks.at(-1)?.documentContent).toMatchObject({ inputs: { idleSessionTimeout: '20' } });

    const preferences = JSON.stringify({
      schemaVersion: '1.0',
      description: 'Our preferences',
      sessionType: 'Standard_Stream',
      inputs: { idleSessionTimeout: '5', runAsEnabled: true, runAsDefaultUser: 'ops' },
    });
    await documents.update(
      {
        name: 'SSM-SessionManagerRunShell',
        content: preferences,
        documentFormat: 'JSON',
        documentVersion: '$LATEST',
      },
      T0,
    );
    await start('SSM-SessionManagerRunShell');
    // Updating alone does not change what runs: the default version does (as on AWS).
    expect(tasks.at(-1)?.documentContent).toMatchObject({ inputs: { idleSessionTimeout: '20' } });
    await documents.setDefaultVersion('SSM-SessionManagerRunShell', 2);
    await start('SSM-SessionManagerRunShell');
    expect(tasks.at(-1)?.documentContent).toEqual(JSON.parse(preferences));
    expect(tasks.at(-1)?.runAsUser).toBeUndefined();
    // The caller's SSMSessionRunAs principal tag travels to the node as RunAsUser.
    await sessions.start(
      {
        target: 'mi-0123456789abcdef0',
        documentName: 'SSM-SessionManagerRunShell',
        reason: '',
        parameters: {},
        runAsUser: 'alice',
      },
      owner,
      T0,
    );
    expect(tasks.at(-1)).toMatchObject({ runAsUser: 'alice', sessionOwner: owner.arn });

    await documents.create(
      {
        name: 'Top',
        content: SESSION_CONTENT,
        documentType: 'Session',
        documentFormat: 'JSON',
        tags: [],
      },
      T0,
    );
    await start('Top', { command: ['top'], verbose: ['TRUE'] });
    // Session tasks carry strings: typed values travel as their text.
    expect(tasks.at(-1)).toMatchObject({
      documentName: 'Top',
      parameters: { command: 'top', lines: '10', verbose: 'true' },
    });
    await start('AWS-StartPortForwardingSession', { portNumber: ['5432'] });
    expect(tasks.at(-1)?.parameters).toEqual({ portNumber: '5432', localPortNumber: '0' });
    expect(tasks).toHaveLength(6);
  });
});
