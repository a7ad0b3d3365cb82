// Session Manager preferences set as an AWS user sets them: a new version of the
// SSM-SessionManagerRunShell document through `aws ssm update-document`, made the default.

import { runAwsCli } from './aws-cli.js';
import type { TestServer } from './test-server.js';

/** `inputs` override the defaults below (idle timeout 20 minutes, nothing logged). */
export async function setSessionPreferences(
  server: TestServer,
  inputs: Readonly<Record<string, unknown>>,
): Promise<void> {
  const content = JSON.stringify({
    schemaVersion: '1.0',
    description: 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    inputs: {
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
      ...inputs,
    },
  });
  const document = 'SSM-SessionManagerRunShell';
  const { stdout } = await runAwsCli(server, [
    'ssm',
    'update-document',
    '--name',
    document,
    '--content',
    content,
    '--document-version',
    '$LATEST',
  ]);
  const version = (JSON.parse(stdout) as { DocumentDescription: { DocumentVersion: string } })
    .DocumentDescription.DocumentVersion;
  await runAwsCli(server, [
    'ssm',
    'update-document-default-version',
    '--name',
    document,
    '--document-version',
    version,
  ]);
}
