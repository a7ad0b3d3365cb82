// The credential store over real SQLite storage: secrets sealed at rest, session tokens kept
// only as digests, and expired temporary credentials cleared whenever new ones are issued.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createCredentialStore,
  type CredentialStore,
} from '../../src/services/credential-store.js';
import { sha256Hex } from '../../src/services/identifiers.js';
import { createSecretBox } from '../../src/services/secret-box.js';
import type { Principal } from '../../src/storage/records.js';
import { openSqliteStorage, type Storage } from '../../src/storage/index.js';

const T0 = 1_795_719_693_000;
const HOUR = 3_600_000;
const role: Principal = {
  kind: 'assumed-role',
  id: 'AROAEXAMPLE:ci',
  name: 'ci',
  arn: 'arn:aws:sts::000000000000:assumed-role/Deploy/ci',
  roleName: 'Deploy',
};
const user: Principal = {
  kind: 'user',
  id: 'AIDAEXAMPLE',
  name: 'alice',
  arn: 'arn:aws:iam::000000000000:user/alice',
};

let directory: string;
let storage: Storage;
let store: CredentialStore;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'openssm-credentials-'));
  storage = await openSqliteStorage(join(directory, 'openssm.db'));
  store = createCredentialStore(storage.accessKeys, createSecretBox(randomBytes(32)));
});

afterEach(async () => {
  await storage.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('credential store', () => {
  it('seals the secret and keeps only the session token’s digest', async () => {
    const issued = await store.issue(role, T0, T0 + HOUR);
    expect(issued.accessKeyId).toMatch(/^ASIA/);
    const stored = await storage.accessKeys.get(issued.accessKeyId);
    expect(stored?.sealedSecret).not.toContain(issued.secretAccessKey);
    expect(stored?.sessionTokenHash).toBe(sha256Hex(issued.sessionToken!));
    expect((await store.lookup(issued.accessKeyId))?.secretAccessKey).toBe(issued.secretAccessKey);
  });

  it('clears expired temporary credentials when new ones are issued, never long-term keys', async () => {
    const longTerm = await store.issue(user, T0);
    const expiring = await store.issue(role, T0, T0 + HOUR);
    await store.issue(role, T0 + HOUR - 1, T0 + 2 * HOUR);
    expect(await store.lookup(expiring.accessKeyId)).toBeDefined();
    const fresh = await store.issue(role, T0 + HOUR, T0 + 3 * HOUR);
    expect(await store.lookup(expiring.accessKeyId)).toBeUndefined();
    expect(await store.lookup(fresh.accessKeyId)).toBeDefined();
    expect(await store.lookup(longTerm.accessKeyId)).toBeDefined();
  });
});
