// Seals access-key secrets at rest with a key kept in the data directory (DIR/secret-key, mode
// 0600, made on first start): AES-256-GCM, a fresh IV per secret, and the access key id as
// associated data, so a sealed secret copied onto another key's row does not open. A stolen
// database alone reveals no secret; the key file and the database together do, which is why
// both live owner-only in the data directory.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export const SECRET_KEY_FILE = 'secret-key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const SEALED_PREFIX = 'v1:';
/** What migration 0002 left of secrets stored before sealing existed; opened, then re-sealed. */
const LEGACY_PREFIX = 'plain:';

export interface SecretBox {
  seal(secret: string, accessKeyId: string): string;
  /** Throws when the text was not sealed by this key for this access key id. */
  open(sealed: string, accessKeyId: string): string;
  /** True for a secret stored before sealing existed (it should be sealed now). */
  isLegacy(sealed: string): boolean;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`the secret key must be ${KEY_BYTES} bytes`);
  return {
    seal(secret, accessKeyId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(accessKeyId, 'utf8'));
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `${SEALED_PREFIX}${[iv, body, cipher.getAuthTag()].map((part) => part.toString('base64')).join(':')}`;
    },
    open(sealed, accessKeyId) {
      if (sealed.startsWith(LEGACY_PREFIX)) return sealed.slice(LEGACY_PREFIX.length);
      const parts = sealed.startsWith(SEALED_PREFIX)
        ? sealed.slice(SEALED_PREFIX.length).split(':')
        : [];
      if (parts.length !== 3)
        throw new Error('a stored secret is not in a format this server seals');
      const [iv, body, tag] = parts.map((part) => Buffer.from(part, 'base64')) as [
        Buffer,
        Buffer,
        Buffer,
      ];
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(accessKeyId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    },
    isLegacy: (sealed) => sealed.startsWith(LEGACY_PREFIX),
  };
}

/** Reads DIR/secret-key, creating it (owner-only, written atomically) on first start. */
export async function loadOrCreateSecretKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    const existing = await readFile(path);
    if (existing.length !== KEY_BYTES) {
      throw new Error(`${path} is not a ${KEY_BYTES}-byte key; restore it from a backup`);
    }
    return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(key);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  return key;
}
