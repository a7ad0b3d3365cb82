// SSM documents end to end with real clients — the AWS SDK for JavaScript and Debian's AWS CLI
// v2 — against a real server on 127.0.0.1:0: create from JSON and YAML, get, describe, list
// with filters and pages, update to v2, set the default, list versions, delete a version and
// the document, tags; the built-ins owned by Amazon and read-only; StartSession resolving its
// document through the store.

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  ListDocumentVersionsCommand,
  ListTagsForResourceCommand,
  SSMClient,
  StartSessionCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type DocumentKeyValuesFilter,
} from '@aws-sdk/client-ssm';
import { runAwsCli, startTestServer, type TestServer } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ACCOUNT = '000000000000';
const AMAZON_DOCUMENTS = [
  'AWS-RunShellScript',
  'AWS-StartInteractiveCommand',
  'AWS-StartNonInteractiveCommand',
  'AWS-StartPortForwardingSession',
  'AWS-StartPortForwardingSessionToRemoteHost',
  'AWS-StartSSHSession',
  'OpenSSM-StartMultiPortForwardingSession',
];

let server: TestServer;
let clock = Date.now();

beforeEach(async () => {
  clock = Math.floor(Date.now() / 1000) * 1000;
  server = await startTestServer({ now: () => clock });
});
afterEach(async () => {
  await server.close();
});

function client(): SSMClient {
  return new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
  });
}

// vitest's asymmetric matchers are typed `any`; these keep that out of the object literals.
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const containing = (shape: object): unknown => expect.objectContaining(shape);

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const JSON_CONTENT = JSON.stringify(
  {
    schemaVersion: '2.2',
    description: 'Check disk space',
    parameters: {
      commands: { type: 'StringList', description: 'What to run', default: ['df -h'] },
      workingDirectory: { type: 'String', default: '/tmp' },
    },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'checkDisk',
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: { runCommand: '{{ commands }}', workingDirectory: '{{ workingDirectory }}' },
      },
    ],
  },
  null,
  2,
);

const YAML_CONTENT = `---
schemaVersion: "2.2"
description: Show uptime
parameters:
  message:
    type: String
    default: hello
    allowedPattern: "^[a-z ]+$"
mainSteps:
  - action: aws:runShellScript
    name: uptime
    inputs:
      runCommand:
        - uptime
        - echo {{ message }}
`;

const SESSION_CONTENT = JSON.stringify({
  schemaVersion: '1.0',
  description: 'Forward to a database',
  sessionType: 'Port',
  parameters: { portNumber: { type: 'String', default: '5432' } },
  properties: { portNumber: '{{ portNumber }}', type: 'LocalPortForwarding' },
});

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error: unknown = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(Error);
  return error as { name: string; message: string };
}

async function listNames(filters: DocumentKeyValuesFilter[]): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await client().send(
      new ListDocumentsCommand({ Filters: filters, MaxResults: 2, NextToken: token }),
    );
    names.push(...(page.DocumentIdentifiers ?? []).map((document) => document.Name!));
    token = page.NextToken;
  } while (token !== undefined);
  return names;
}

describe('documents with the AWS SDK', () => {
  it('lists the built-ins, Amazon’s read-only and the preferences document the account’s', async () => {
    expect(await listNames([{ Key: 'Owner', Values: ['Amazon'] }])).toEqual(AMAZON_DOCUMENTS);
    expect(await listNames([{ Key: 'Owner', Values: ['Self'] }])).toEqual([
      'SSM-SessionManagerRunShell',
    ]);
    const described = await client().send(
      new DescribeDocumentCommand({ Name: 'AWS-RunShellScript' }),
    );
    expect(described.Document).toMatchObject({
      Name: 'AWS-RunShellScript',
      Owner: 'Amazon',
      DocumentType: 'Command',
      SchemaVersion: '1.2',
      PlatformTypes: ['Linux', 'MacOS'],
      Status: 'Active',
      HashType: 'Sha256',
      DocumentVersion: '1',
      DefaultVersion: '1',
      LatestVersion: '1',
      DocumentFormat: 'JSON',
      Parameters: [
        containing({ Name: 'commands', Type: 'StringList' }),
        containing({ Name: 'workingDirectory', Type: 'String', DefaultValue: '' }),
        containing({ Name: 'executionTimeout', Type: 'String', DefaultValue: '3600' }),
      ],
    });
    const content = (await client().send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' })))
      .Content!;
    expect(described.Document?.Hash).toBe(sha256(content));
    expect(JSON.parse(content)).toMatchObject({
      runtimeConfig: { 'aws:runShellScript': { properties: [{ runCommand: '{{ commands }}' }] } },
    });

    for (const name of AMAZON_DOCUMENTS) {
      expect(
        await rejection(client().send(new DeleteDocumentCommand({ Name: name }))),
      ).toMatchObject({
        name: 'InvalidDocumentOperation',
        message: matching(/owned by Amazon/),
      });
    }
    expect(
      await rejection(
        client().send(
          new UpdateDocumentCommand({
            Name: 'AWS-StartSSHSession',
            Content: SESSION_CONTENT,
            DocumentVersion: '$LATEST',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidDocumentOperation' });
    expect(
      await rejection(
        client().send(
          new UpdateDocumentDefaultVersionCommand({
            Name: 'AWS-RunShellScript',
            DocumentVersion: '1',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidDocumentOperation' });
    // Still there after all that.
    expect(await listNames([{ Key: 'Owner', Values: ['Amazon'] }])).toEqual(AMAZON_DOCUMENTS);
  });

  it('creates, gets, updates, versions and deletes a command document', async () => {
    const ssm = client();
    const created = await ssm.send(
      new CreateDocumentCommand({
        Name: 'Demo-Doc',
        Content: JSON_CONTENT,
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        VersionName: 'first',
        Tags: [{ Key: 'Env', Value: 'prod' }],
      }),
    );
    expect(created.DocumentDescription).toEqual({
      Hash: sha256(JSON_CONTENT),
      HashType: 'Sha256',
      Name: 'Demo-Doc',
      VersionName: 'first',
      Owner: ACCOUNT,
      CreatedDate: new Date(clock),
      Status: 'Active',
      DocumentVersion: '1',
      Description: 'Check disk space',
      Parameters: [
        {
          Name: 'commands',
          Type: 'StringList',
          Description: 'What to run',
          DefaultValue: '["df -h"]',
        },
        { Name: 'workingDirectory', Type: 'String', Description: '', DefaultValue: '/tmp' },
      ],
      PlatformTypes: ['Linux'],
      DocumentType: 'Command',
      SchemaVersion: '2.2',
      LatestVersion: '1',
      DefaultVersion: '1',
      DocumentFormat: 'JSON',
      Tags: [{ Key: 'Env', Value: 'prod' }],
    });

    const fetched = await ssm.send(new GetDocumentCommand({ Name: 'Demo-Doc' }));
    expect(fetched).toMatchObject({
      Name: 'Demo-Doc',
      DocumentVersion: '1',
      VersionName: 'first',
      Status: 'Active',
      Content: JSON_CONTENT,
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
    });
    const asYaml = await ssm.send(
      new GetDocumentCommand({ Name: 'Demo-Doc', DocumentFormat: 'YAML' }),
    );
    expect(asYaml.DocumentFormat).toBe('YAML');
    expect(parseYaml(asYaml.Content!)).toEqual(JSON.parse(JSON_CONTENT));
    // The ARN works where a name does.
    const byArn = await ssm.send(
      new DescribeDocumentCommand({
        Name: `arn:openssm:ssm:${server.region}:${ACCOUNT}:document/Demo-Doc`,
      }),
    );
    expect(byArn.Document?.Name).toBe('Demo-Doc');

    // Identical content is not a new version; an older version cannot be updated.
    expect(
      await rejection(
        ssm.send(
          new UpdateDocumentCommand({
            Name: 'Demo-Doc',
            Content: JSON_CONTENT,
            DocumentVersion: '$LATEST',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'DuplicateDocumentContent',
      message: matching(/version 1/),
    });

    clock += 60_000;
    const v2Content = JSON_CONTENT.replace('Check disk space', 'Check disk space, v2');
    const updated = await ssm.send(
      new UpdateDocumentCommand({
        Name: 'Demo-Doc',
        Content: v2Content,
        DocumentVersion: '$LATEST',
        VersionName: 'second',
      }),
    );
    expect(updated.DocumentDescription).toMatchObject({
      DocumentVersion: '2',
      VersionName: 'second',
      LatestVersion: '2',
      DefaultVersion: '1',
      Description: 'Check disk space, v2',
      Hash: sha256(v2Content),
      CreatedDate: new Date(clock),
    });
    expect(
      await rejection(
        ssm.send(
          new UpdateDocumentCommand({
            Name: 'Demo-Doc',
            Content: `${v2Content} `,
            DocumentVersion: '1',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidDocumentVersion',
      message: matching(/latest version/),
    });
    expect(
      await rejection(
        ssm.send(
          new UpdateDocumentCommand({
            Name: 'Demo-Doc',
            Content: `${v2Content} `,
            VersionName: 'first',
          }),
        ),
      ),
    ).toMatchObject({ name: 'DuplicateDocumentVersionName' });
    // The default is still version 1.
    expect((await ssm.send(new GetDocumentCommand({ Name: 'Demo-Doc' }))).Content).toBe(
      JSON_CONTENT,
    );
    expect(
      (await ssm.send(new GetDocumentCommand({ Name: 'Demo-Doc', DocumentVersion: '$LATEST' })))
        .Content,
    ).toBe(v2Content);
    expect(
      (await ssm.send(new GetDocumentCommand({ Name: 'Demo-Doc', VersionName: 'second' })))
        .DocumentVersion,
    ).toBe('2');

    const made = await ssm.send(
      new UpdateDocumentDefaultVersionCommand({ Name: 'Demo-Doc', DocumentVersion: '2' }),
    );
    expect(made.Description).toEqual({
      Name: 'Demo-Doc',
      DefaultVersion: '2',
      DefaultVersionName: 'second',
    });
    expect(
      await rejection(
        ssm.send(
          new UpdateDocumentDefaultVersionCommand({ Name: 'Demo-Doc', DocumentVersion: '9' }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidDocumentVersion' });

    const versions = await ssm.send(new ListDocumentVersionsCommand({ Name: 'Demo-Doc' }));
    expect(versions.DocumentVersions).toEqual([
      {
        Name: 'Demo-Doc',
        DocumentVersion: '1',
        VersionName: 'first',
        CreatedDate: new Date(clock - 60_000),
        IsDefaultVersion: false,
        DocumentFormat: 'JSON',
        Status: 'Active',
      },
      {
        Name: 'Demo-Doc',
        DocumentVersion: '2',
        VersionName: 'second',
        CreatedDate: new Date(clock),
        IsDefaultVersion: true,
        DocumentFormat: 'JSON',
        Status: 'Active',
      },
    ]);

    expect(
      await rejection(
        ssm.send(new DeleteDocumentCommand({ Name: 'Demo-Doc', DocumentVersion: '2' })),
      ),
    ).toMatchObject({
      name: 'InvalidDocumentOperation',
      message: matching(/default version/),
    });
    await ssm.send(new DeleteDocumentCommand({ Name: 'Demo-Doc', VersionName: 'first' }));
    expect(
      (await ssm.send(new ListDocumentVersionsCommand({ Name: 'Demo-Doc' }))).DocumentVersions?.map(
        (version) => version.DocumentVersion,
      ),
    ).toEqual(['2']);
    expect(
      await rejection(ssm.send(new GetDocumentCommand({ Name: 'Demo-Doc', DocumentVersion: '1' }))),
    ).toMatchObject({ name: 'InvalidDocumentVersion' });

    await ssm.send(new DeleteDocumentCommand({ Name: 'Demo-Doc' }));
    for (const call of [
      ssm.send(new GetDocumentCommand({ Name: 'Demo-Doc' })),
      ssm.send(new DescribeDocumentCommand({ Name: 'Demo-Doc' })),
      ssm.send(new ListDocumentVersionsCommand({ Name: 'Demo-Doc' })),
      ssm.send(new DeleteDocumentCommand({ Name: 'Demo-Doc' })),
    ]) {
      expect(await rejection(call)).toMatchObject({ name: 'InvalidDocument' });
    }
  });

  it('creates from YAML, filters listings, pages, and tags documents', async () => {
    const ssm = client();
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'Uptime_Check',
        Content: YAML_CONTENT,
        DocumentType: 'Command',
        DocumentFormat: 'YAML',
        Tags: [{ Key: 'Team', Value: 'ops' }],
      }),
    );
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'Db-Forward',
        Content: SESSION_CONTENT,
        DocumentType: 'Session',
      }),
    );
    const yaml = await ssm.send(new GetDocumentCommand({ Name: 'Uptime_Check' }));
    expect(yaml).toMatchObject({ Content: YAML_CONTENT, DocumentFormat: 'YAML' });
    expect(
      JSON.parse(
        (await ssm.send(new GetDocumentCommand({ Name: 'Uptime_Check', DocumentFormat: 'JSON' })))
          .Content!,
      ),
    ).toEqual(parseYaml(YAML_CONTENT));

    expect(
      await listNames([
        { Key: 'Owner', Values: ['Self'] },
        { Key: 'DocumentType', Values: ['Command'] },
      ]),
    ).toEqual(['Uptime_Check']);
    expect(
      await listNames([
        { Key: 'DocumentType', Values: ['Session'] },
        { Key: 'Owner', Values: ['Self'] },
      ]),
    ).toEqual(['Db-Forward', 'SSM-SessionManagerRunShell']);
    expect(await listNames([{ Key: 'Name', Values: ['AWS-StartPort', 'Db'] }])).toEqual([
      'AWS-StartPortForwardingSession',
      'AWS-StartPortForwardingSessionToRemoteHost',
      'Db-Forward',
    ]);
    expect(await listNames([{ Key: 'SearchKeyword', Values: ['check'] }])).toEqual([
      'Uptime_Check',
    ]);
    expect(await listNames([{ Key: 'tag:Team', Values: ['ops'] }])).toEqual(['Uptime_Check']);
    expect(
      await listNames([
        { Key: 'PlatformTypes', Values: ['Windows'] },
        { Key: 'Owner', Values: ['Self'] },
      ]),
    ).toEqual(['Db-Forward', 'SSM-SessionManagerRunShell']);
    // No filter: everything, Amazon's and the account's, by name.
    const all = await listNames([]);
    expect(all).toEqual(
      [...AMAZON_DOCUMENTS, 'Db-Forward', 'SSM-SessionManagerRunShell', 'Uptime_Check'].sort(),
    );
    expect(await listNames([{ Key: 'Owner', Values: ['All'] }])).toEqual(all);
    expect(await listNames([{ Key: 'Owner', Values: ['ThirdParty'] }])).toEqual([]);
    expect(await listNames([{ Key: 'Owner', Values: ['Private'] }])).toEqual([
      'Db-Forward',
      'SSM-SessionManagerRunShell',
      'Uptime_Check',
    ]);
    // An exact-match key given twice must match both times; a pattern key may come once.
    expect(
      await listNames([
        { Key: 'DocumentType', Values: ['Command', 'Session'] },
        { Key: 'DocumentType', Values: ['Session'] },
        { Key: 'Owner', Values: ['Self'] },
      ]),
    ).toEqual(['Db-Forward', 'SSM-SessionManagerRunShell']);
    expect(
      await rejection(
        ssm.send(
          new ListDocumentsCommand({
            Filters: [
              { Key: 'Name', Values: ['A'] },
              { Key: 'Name', Values: ['AW'] },
            ],
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: matching(/Give the Name filter once/),
    });
    expect(
      await rejection(
        ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Nobody'] }] })),
      ),
    ).toMatchObject({ name: 'ValidationException', message: matching(/Owner filter value/) });
    // The legacy filter list.
    const legacy = await ssm.send(
      new ListDocumentsCommand({
        DocumentFilterList: [
          { key: 'Owner', value: 'Self' },
          { key: 'DocumentType', value: 'Command' },
        ],
      }),
    );
    expect(legacy.DocumentIdentifiers).toEqual([
      {
        Name: 'Uptime_Check',
        CreatedDate: new Date(clock),
        Owner: ACCOUNT,
        PlatformTypes: ['Linux', 'MacOS'],
        DocumentVersion: '1',
        DocumentType: 'Command',
        SchemaVersion: '2.2',
        DocumentFormat: 'YAML',
        Tags: [{ Key: 'Team', Value: 'ops' }],
      },
    ]);

    expect(
      await rejection(
        ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Colour', Values: ['red'] }] })),
      ),
    ).toMatchObject({ name: 'InvalidFilterKey' });
    expect(
      await rejection(ssm.send(new ListDocumentsCommand({ NextToken: 'forged' }))),
    ).toMatchObject({
      name: 'InvalidNextToken',
    });

    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Document',
        ResourceId: 'Db-Forward',
        Tags: [{ Key: 'Team', Value: 'db' }],
      }),
    );
    expect(
      (
        await ssm.send(
          new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'Db-Forward' }),
        )
      ).TagList,
    ).toEqual([{ Key: 'Team', Value: 'db' }]);
    expect(await listNames([{ Key: 'tag:Team', Values: [] }])).toEqual([
      'Db-Forward',
      'Uptime_Check',
    ]);
    expect(
      await rejection(
        ssm.send(
          new AddTagsToResourceCommand({
            ResourceType: 'Document',
            ResourceId: 'AWS-RunShellScript',
            Tags: [{ Key: 'a', Value: 'b' }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidResourceId' });
    expect(
      await rejection(
        ssm.send(
          new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'No-Such-Doc' }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidResourceId' });
  });

  it('refuses bad documents with AWS’s codes', async () => {
    const ssm = client();
    const create = (input: Partial<ConstructorParameters<typeof CreateDocumentCommand>[0]>) =>
      rejection(
        ssm.send(new CreateDocumentCommand({ Name: 'Bad-Doc', Content: JSON_CONTENT, ...input })),
      );
    expect(await create({ Content: YAML_CONTENT })).toMatchObject({
      name: 'InvalidDocumentContent',
      message: matching(/not valid JSON.*DocumentFormat YAML/),
    });
    expect(await create({ Content: SESSION_CONTENT, DocumentType: 'Command' })).toMatchObject({
      name: 'InvalidDocumentSchemaVersion',
      message: matching(/pass DocumentType Session/),
    });
    expect(await create({ DocumentType: 'Automation' })).toMatchObject({
      name: 'InvalidDocumentType',
    });
    expect(
      await create({ Content: JSON_CONTENT.replace('aws:runShellScript', 'aws:runDocument') }),
    ).toMatchObject({
      name: 'InvalidDocumentContent',
      message: matching(/mainSteps\[0\]\.action "aws:runDocument" is not supported/),
    });
    expect(
      await create({
        Content: JSON.stringify({
          schemaVersion: '2.2',
          mainSteps: [],
          padding: 'x'.repeat(70_000),
        }),
      }),
    ).toMatchObject({ name: 'MaxDocumentSizeExceeded' });
    expect(await create({ Name: 'AWS-Mine' })).toMatchObject({
      name: 'ValidationException',
      message: matching(/reserved/),
    });
    expect(await create({ Name: 'amzn-mine' })).toMatchObject({ name: 'ValidationException' });
    expect(await create({ Name: 'no spaces' })).toMatchObject({ name: 'ValidationException' });
    expect(await create({ Name: 'ab' })).toMatchObject({ name: 'ValidationException' });
    expect(
      await create({
        Name: 'SSM-SessionManagerRunShell',
        Content: SESSION_CONTENT,
        DocumentType: 'Session',
      }),
    ).toMatchObject({
      name: 'DocumentAlreadyExists',
    });
    expect(await rejection(ssm.send(new GetDocumentCommand({ Name: 'Bad-Doc' })))).toMatchObject({
      name: 'InvalidDocument',
    });
  });
});

describe('StartSession resolves its document through the store', () => {
  const target = 'mi-00000000000000000';

  it('refuses unknown and command documents with InvalidDocument, bad parameters with InvalidParameters', async () => {
    const ssm = client();
    const start = (input: { DocumentName?: string; Parameters?: Record<string, string[]> }) =>
      rejection(ssm.send(new StartSessionCommand({ Target: target, ...input })));
    expect(await start({ DocumentName: 'No-Such-Doc' })).toMatchObject({ name: 'InvalidDocument' });
    expect(await start({ DocumentName: 'AWS-RunShellScript' })).toMatchObject({
      name: 'InvalidDocument',
      message:
        "Document type: 'Command' is not supported. Only type: 'Session' is supported for Session Manager.",
    });
    expect(
      await start({
        DocumentName: 'AWS-StartPortForwardingSession',
        Parameters: { portNumber: ['99999'] },
      }),
    ).toMatchObject({
      name: 'InvalidParameters',
      message: matching(/"portNumber" .* allowed pattern/),
    });
    expect(
      await start({
        DocumentName: 'AWS-StartPortForwardingSessionToRemoteHost',
        Parameters: { portNumber: ['22'] },
      }),
    ).toMatchObject({
      name: 'InvalidParameters',
      message: matching(/"host" .* is required/),
    });
    expect(
      await start({ DocumentName: 'AWS-StartSSHSession', Parameters: { port: ['22'] } }),
    ).toMatchObject({
      name: 'InvalidParameters',
      message: matching(/"port" is not defined/),
    });
    // Documents and parameters that pass get as far as the target, which is not connected.
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'Db-Forward',
        Content: SESSION_CONTENT,
        DocumentType: 'Session',
      }),
    );
    for (const input of [
      {},
      { DocumentName: 'Db-Forward' },
      {
        DocumentName: 'AWS-StartPortForwardingSessionToRemoteHost',
        Parameters: { host: ['db.internal'] },
      },
    ]) {
      expect(await start(input)).toMatchObject({ name: 'TargetNotConnected' });
    }
    // Deleting the preferences document leaves sessions with AWS's starting preferences.
    await ssm.send(new DeleteDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));
    expect(await start({})).toMatchObject({ name: 'TargetNotConnected' });
  });
});

describe('documents with the AWS CLI', () => {
  const runAws = (args: string[]) => runAwsCli(server, args);
  const json = async (args: string[]) =>
    JSON.parse((await runAws(args)).stdout) as Record<string, unknown>;

  it('creates from JSON and YAML files, lists, updates, versions and deletes', async () => {
    const jsonFile = join(server.dataDir, 'check-disk.json');
    const yamlFile = join(server.dataDir, 'uptime.yaml');
    await writeFile(jsonFile, JSON_CONTENT);
    await writeFile(yamlFile, YAML_CONTENT);

    const created = await json([
      'ssm',
      'create-document',
      '--name',
      'Check-Disk',
      '--content',
      `file://${jsonFile}`,
      '--document-type',
      'Command',
    ]);
    expect(created['DocumentDescription']).toMatchObject({
      Name: 'Check-Disk',
      DocumentVersion: '1',
      Hash: sha256(JSON_CONTENT),
      DocumentFormat: 'JSON',
      Status: 'Active',
    });
    const yamlCreated = await json([
      'ssm',
      'create-document',
      '--name',
      'Uptime',
      '--content',
      `file://${yamlFile}`,
      '--document-type',
      'Command',
      '--document-format',
      'YAML',
    ]);
    expect(yamlCreated['DocumentDescription']).toMatchObject({
      Name: 'Uptime',
      DocumentFormat: 'YAML',
      SchemaVersion: '2.2',
    });

    const fetched = await json(['ssm', 'get-document', '--name', 'Uptime']);
    expect(fetched).toMatchObject({
      Name: 'Uptime',
      Content: YAML_CONTENT,
      DocumentFormat: 'YAML',
    });

    const listed = await json([
      'ssm',
      'list-documents',
      '--filters',
      'Key=Owner,Values=Self',
      'Key=DocumentType,Values=Command',
    ]);
    expect(
      (listed['DocumentIdentifiers'] as { Name: string }[]).map((document) => document.Name),
    ).toEqual(['Check-Disk', 'Uptime']);
    // The CLI follows NextToken itself: a page size of 1 still lists every Amazon document.
    const amazon = await json([
      'ssm',
      'list-documents',
      '--filters',
      'Key=Owner,Values=Amazon',
      '--page-size',
      '1',
    ]);
    expect(amazon['DocumentIdentifiers']).toEqual(
      AMAZON_DOCUMENTS.map((name) => containing({ Name: name, Owner: 'Amazon' })),
    );

    const v2 = YAML_CONTENT.replace('Show uptime', 'Show uptime, v2');
    await writeFile(yamlFile, v2);
    const updated = await json([
      'ssm',
      'update-document',
      '--name',
      'Uptime',
      '--content',
      `file://${yamlFile}`,
      '--document-format',
      'YAML',
      '--document-version',
      '$LATEST',
    ]);
    expect(updated['DocumentDescription']).toMatchObject({
      DocumentVersion: '2',
      LatestVersion: '2',
      DefaultVersion: '1',
    });
    const defaulted = await json([
      'ssm',
      'update-document-default-version',
      '--name',
      'Uptime',
      '--document-version',
      '2',
    ]);
    expect(defaulted).toEqual({ Description: { Name: 'Uptime', DefaultVersion: '2' } });
    const versions = await json(['ssm', 'list-document-versions', '--name', 'Uptime']);
    expect(versions['DocumentVersions']).toEqual([
      containing({ DocumentVersion: '1', IsDefaultVersion: false }),
      containing({ DocumentVersion: '2', IsDefaultVersion: true }),
    ]);
    await runAws(['ssm', 'delete-document', '--name', 'Uptime', '--document-version', '1']);
    const remaining = await json(['ssm', 'list-document-versions', '--name', 'Uptime']);
    expect(
      (remaining['DocumentVersions'] as { DocumentVersion: string }[]).map(
        (v) => v.DocumentVersion,
      ),
    ).toEqual(['2']);
    expect((await json(['ssm', 'get-document', '--name', 'Uptime']))['Content']).toBe(v2);

    await runAws(['ssm', 'delete-document', '--name', 'Uptime']);
    await runAws(['ssm', 'delete-document', '--name', 'Check-Disk']);
    const after = await json(['ssm', 'list-documents', '--filters', 'Key=Owner,Values=Self']);
    expect(
      (after['DocumentIdentifiers'] as { Name: string }[]).map((document) => document.Name),
    ).toEqual(['SSM-SessionManagerRunShell']);
  }, 90_000); // about 15 CLI runs of ~1 s each on a busy machine

  it('prints AWS’s error lines: a built-in cannot be deleted, an unknown one is InvalidDocument', async () => {
    const refused = await runAws(['ssm', 'delete-document', '--name', 'AWS-RunShellScript']).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(refused?.code).toBe(254);
    // With AWS_MAX_ATTEMPTS set, the CLI puts "(reached max retries: 0)" before the message.
    expect(refused?.stderr).toMatch(
      /An error occurred \(InvalidDocumentOperation\) when calling the DeleteDocument operation.*: Document AWS-RunShellScript is owned by Amazon and cannot be deleted\./,
    );
    const missing = await runAws(['ssm', 'get-document', '--name', 'No-Such-Doc']).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(missing?.code).toBe(254);
    expect(missing?.stderr).toMatch(
      /An error occurred \(InvalidDocument\) when calling the GetDocument operation.*: Document No-Such-Doc does not exist\./,
    );
  });
});
