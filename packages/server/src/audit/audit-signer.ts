// The key that signs the trail's digests: Ed25519, created on first start in the data directory
// (owner-only, like the database). Its public key leaves with every export so auditors can
// check digests anywhere; pin it (`openssm audit verify --public-key`) to notice a swapped key.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
} from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_DIGEST_ALGORITHM, auditDigestMessage, type AuditDigest } from '@openssm/protocol';

export const AUDIT_KEY_FILE = 'audit-signing-key.pem';

export interface AuditSigner {
  /** PEM SubjectPublicKeyInfo. */
  readonly publicKeyPem: string;
  /** SHA-256 hex of the public key's DER. */
  readonly fingerprint: string;
  sign(range: Pick<AuditDigest, 'firstSeq' | 'lastSeq' | 'lastHash'>): AuditDigest;
}

export async function loadOrCreateAuditSigner(dataDir: string): Promise<AuditSigner> {
  const path = join(dataDir, AUDIT_KEY_FILE);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
    await chmod(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // `wx`: two servers starting on one directory must not each write their own key.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' }).catch(async (raced: unknown) => {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      pem = await readFile(path, 'utf8');
    });
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const fingerprint = createHash('sha256').update(der).digest('hex');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint,
    sign(range) {
      const signature = sign(null, auditDigestMessage(range), privateKey).toString('base64');
      return {
        ...range,
        algorithm: AUDIT_DIGEST_ALGORITHM,
        keyFingerprint: fingerprint,
        signature,
      };
    },
  };
}
