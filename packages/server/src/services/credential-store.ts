// Issues and looks up access keys: long-term keys of IAM users, temporary credentials of
// assumed roles and nodes. Secrets are sealed before they reach storage and session tokens are
// kept only as SHA-256 digests; what a caller is handed (once) is the only clear copy.

import type { AccessKeyRecord, Principal } from '../storage/records.js';
import type { AccessKeyRepository } from '../storage/repositories.js';
import { newAccessKeyId, newSecretAccessKey, newSessionToken, sha256Hex } from './identifiers.js';
import type { SecretBox } from './secret-box.js';

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Only for temporary credentials. */
  readonly sessionToken?: string;
  /** Epoch ms; only for temporary credentials. */
  readonly expiresAt?: number;
}

/** A stored key with its secret opened, for signature checks. */
export interface UsableAccessKey extends AccessKeyRecord {
  readonly secretAccessKey: string;
}

export interface CredentialStore {
  /**
   * A long-term key (AKIA…) when `expiresAt` is absent, else temporary credentials (ASIA…);
   * `multiFactor` marks temporary credentials issued against a TOTP code.
   */
  issue(
    principal: Principal,
    now: number,
    expiresAt?: number,
    multiFactor?: boolean,
  ): Promise<IssuedCredentials>;
  lookup(accessKeyId: string): Promise<UsableAccessKey | undefined>;
  /** Seals secrets a migration left in clear; returns how many. */
  sealLegacy(principalId: string): Promise<number>;
}

export function createCredentialStore(keys: AccessKeyRepository, box: SecretBox): CredentialStore {
  return {
    async issue(principal, now, expiresAt, multiFactor) {
      const temporary = expiresAt !== undefined;
      const accessKeyId = newAccessKeyId(temporary);
      const secretAccessKey = newSecretAccessKey();
      const sessionToken = temporary ? newSessionToken() : undefined;
      // Every issue of temporary credentials (nodes, assumed roles) clears the expired ones, so
      // they never pile up whichever kind of caller is active.
      if (temporary) await keys.deleteExpired(now);
      await keys.insert({
        accessKeyId,
        sealedSecret: box.seal(secretAccessKey, accessKeyId),
        sessionTokenHash: sessionToken === undefined ? null : sha256Hex(sessionToken),
        principal,
        createdAt: now,
        expiresAt: expiresAt ?? null,
        active: true,
        lastUsed: null,
        ...(temporary && multiFactor === true ? { multiFactor: true as const } : {}),
      });
      return {
        accessKeyId,
        secretAccessKey,
        ...(sessionToken === undefined ? {} : { sessionToken, expiresAt }),
      };
    },

    async lookup(accessKeyId) {
      const key = await keys.get(accessKeyId);
      if (key === undefined) return undefined;
      return { ...key, secretAccessKey: box.open(key.sealedSecret, key.accessKeyId) };
    },

    async sealLegacy(principalId) {
      let sealed = 0;
      for (const key of await keys.listLongTerm(principalId)) {
        if (!box.isLegacy(key.sealedSecret)) continue;
        const secret = box.open(key.sealedSecret, key.accessKeyId);
        await keys.replaceSealedSecret(key.accessKeyId, box.seal(secret, key.accessKeyId));
        sealed++;
      }
      return sealed;
    },
  };
}
