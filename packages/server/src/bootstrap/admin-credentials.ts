// First start: create an access key for the IAM user `admin` and write it to
// DIR/admin-credentials in the AWS credentials-file format (mode 0600). Later starts reuse it
// while the key still belongs to that user. The secret is written to that file only — never to
// a log line.

import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialStore } from '../services/credential-store.js';
import type { Principal } from '../storage/records.js';
import type { AccessKeyRepository } from '../storage/repositories.js';

export const ADMIN_CREDENTIALS_FILE = 'admin-credentials';

export interface AdminCredentials {
  readonly path: string;
  readonly accessKeyId: string;
  readonly created: boolean;
}

export async function ensureAdminCredentials(
  dataDir: string,
  credentials: CredentialStore,
  accessKeys: AccessKeyRepository,
  principal: Principal,
  now: number,
): Promise<AdminCredentials> {
  const path = join(dataDir, ADMIN_CREDENTIALS_FILE);
  const existing = await readCredentialsFile(path);
  if (existing !== undefined) {
    const stored = await accessKeys.get(existing.accessKeyId);
    if (stored !== undefined && stored.principal.id === principal.id) {
      return { path, accessKeyId: existing.accessKeyId, created: false };
    }
  }
  // Stored before the file is written: a file never names a key the server does not know.
  const { accessKeyId, secretAccessKey } = await credentials.issue(principal, now);
  const text = `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`;
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  return { path, accessKeyId, created: true };
}

async function readCredentialsFile(path: string): Promise<{ accessKeyId: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^\s*aws_access_key_id\s*=\s*(\S+)\s*$/m.exec(text);
  return match?.[1] === undefined ? undefined : { accessKeyId: match[1] };
}
