// First start: create the administrator's access key and write it to DIR/admin-credentials in
// the AWS credentials-file format (mode 0600). Later starts reuse it. The secret is written to
// that file only — never to a log line.

import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccessKeyRepository } from '../storage/repositories.js';
import type { Principal } from '../storage/records.js';
import { newAccessKeyId, newSecretAccessKey } from '../services/identifiers.js';

export const ADMIN_CREDENTIALS_FILE = 'admin-credentials';

export interface AdminCredentials {
  readonly path: string;
  readonly accessKeyId: string;
  readonly created: boolean;
}

export async function ensureAdminCredentials(
  dataDir: string,
  accessKeys: AccessKeyRepository,
  principal: Principal,
  now: number,
): Promise<AdminCredentials> {
  const path = join(dataDir, ADMIN_CREDENTIALS_FILE);
  const existing = await readCredentialsFile(path);
  if (existing !== undefined) {
    const stored = await accessKeys.get(existing.accessKeyId);
    if (stored !== undefined && stored.principal.kind === 'admin') {
      return { path, accessKeyId: existing.accessKeyId, created: false };
    }
  }
  const accessKeyId = newAccessKeyId(false);
  const secretAccessKey = newSecretAccessKey();
  // Stored before the file is written: a file never names a key the server does not know.
  await accessKeys.insert({
    accessKeyId,
    secretAccessKey,
    sessionToken: null,
    principal,
    createdAt: now,
    expiresAt: null,
    active: true,
  });
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
