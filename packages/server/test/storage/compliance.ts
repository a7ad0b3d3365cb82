// The storage compliance suite: one set of behaviour-level tests every driver must pass, written
// against the repository interfaces only. A driver's test file calls describeStorageCompliance
// with a factory that opens a fresh, empty database.

import { CodedError } from '@openssm/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MIGRATIONS,
  SchemaVersionError,
  type AccessKeyRecord,
  type ActivationRecord,
  type ChannelTokenRecord,
  type DocumentRecord,
  type DocumentVersionRecord,
  type ManagedInstanceRecord,
  type Migration,
  type NewDocumentVersion,
  type Page,
  type PageRequest,
  type SessionRecord,
  type Storage,
  type Tag,
} from '../../src/storage/index.js';

import { describeCommandCompliance } from './command-compliance.js';
import { describeIamCompliance } from './iam-compliance.js';
import { describeLogsCompliance } from './logs-compliance.js';

export interface StorageHarness {
  /** A storage over a fresh database, migrated to the newest schema. */
  readonly storage: Storage;
  /**
   * Opens the same database once more (a second connection, or a reopen after `storage` was
   * closed), applying `migrations` (default: the shipped ones) as a driver does on open.
   */
  openAgain(options?: { readonly migrations?: readonly Migration[] }): Promise<Storage>;
  /** Closes whatever is still open and removes the database. */
  cleanup(): Promise<void>;
}

/** Epoch milliseconds of a fixed instant, so failures print the same values on every run. */
const T0 = 1_795_719_693_230;
/** The latest instant a JavaScript Date can hold: times must survive as exact integers. */
const FAR_FUTURE = 8_640_000_000_000_000;
const NEWEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const ADMIN_ARN = 'arn:openssm:iam::000000000000:user/admin';
const ADMIN_ID = 'AIDAOPENSSMEXAMPLE001';

function accessKey(overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId: 'AKIAOPENSSMEXAMPLE01',
    sealedSecret: 'v1:c2VhbGVk:c2VjcmV0:dGFn',
    sessionTokenHash: null,
    principal: { kind: 'user', id: ADMIN_ID, name: 'admin', arn: ADMIN_ARN },
    createdAt: T0,
    expiresAt: null,
    active: true,
    lastUsed: null,
    ...overrides,
  };
}

function nodeKey(index: number, instanceId: string, expiresAt: number | null): AccessKeyRecord {
  return accessKey({
    accessKeyId: `ASIANODE${String(index).padStart(12, '0')}`,
    sessionTokenHash: `digest-of-token-${String(index)}`,
    principal: {
      kind: 'node',
      id: instanceId,
      name: instanceId,
      arn: `arn:openssm:ssm:eu-west-1:000000000000:managed-instance/${instanceId}`,
      roleName: 'OpenSSMNodeRole',
    },
    expiresAt,
  });
}

function activation(overrides: Partial<ActivationRecord> = {}): ActivationRecord {
  return {
    activationId: '3f1c5b1e-8a3a-4d6e-9a52-6f1f2d0c0001',
    activationCodeHash: 'a'.repeat(64),
    description: 'web servers',
    defaultInstanceName: 'web',
    iamRole: 'SSMServiceRole',
    registrationLimit: 5,
    registrationsCount: 0,
    expiresAt: T0 + 86_400_000,
    createdAt: T0,
    tags: [],
    ...overrides,
  };
}

function activationId(index: number): string {
  return `3f1c5b1e-8a3a-4d6e-9a52-${index.toString(16).padStart(12, '0')}`;
}

function instanceId(index: number): string {
  return `mi-${index.toString(16).padStart(17, '0')}`;
}

function instance(overrides: Partial<ManagedInstanceRecord> = {}): ManagedInstanceRecord {
  return {
    instanceId: instanceId(1),
    activationId: activationId(1),
    name: 'web',
    iamRole: 'SSMServiceRole',
    publicKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
    publicKeyType: 'Rsa',
    fingerprint: '9b2f8e3c-1d4a-4c5b-8e6f-0a1b2c3d4e5f',
    registeredAt: T0,
    platformType: null,
    platformName: '',
    platformVersion: '',
    agentVersion: '',
    ipAddress: '',
    computerName: '',
    lastPingAt: null,
    deregisteredAt: null,
    tags: [],
    ...overrides,
  };
}

function sessionId(index: number): string {
  return `admin-${index.toString(16).padStart(17, '0')}`;
}

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: sessionId(1),
    target: instanceId(1),
    documentName: 'SSM-SessionManagerRunShell',
    owner: ADMIN_ARN,
    reason: '',
    status: 'Connecting',
    details: '',
    parameters: {},
    startedAt: T0,
    endedAt: null,
    ...overrides,
  };
}

function token(overrides: Partial<ChannelTokenRecord> = {}): ChannelTokenRecord {
  return {
    tokenHash: 'b'.repeat(64),
    kind: 'client-data',
    channelId: sessionId(1),
    expiresAt: T0 + 60_000,
    usedAt: null,
    ...overrides,
  };
}

const ACCOUNT = '000000000000';

type NewDocument = Omit<DocumentRecord, 'defaultVersion' | 'latestVersion' | 'lastIssuedVersion'>;

function documentRecord(overrides: Partial<NewDocument> = {}): NewDocument {
  return {
    name: 'Demo-Doc',
    owner: ACCOUNT,
    documentType: 'Command',
    createdAt: T0,
    tags: [],
    ...overrides,
  };
}

function documentVersion(overrides: Partial<NewDocumentVersion> = {}): NewDocumentVersion {
  return {
    name: 'Demo-Doc',
    versionName: null,
    displayName: '',
    targetType: '',
    content: '{"schemaVersion":"2.2","mainSteps":[]}',
    documentFormat: 'JSON',
    contentHash: 'c'.repeat(64),
    schemaVersion: '2.2',
    description: 'demo',
    platformTypes: ['Linux', 'MacOS'],
    createdAt: T0,
    ...overrides,
  };
}

/** What a stored version reads back as. */
function storedVersion(
  documentVersion: number,
  version: NewDocumentVersion,
): DocumentVersionRecord {
  return { ...version, documentVersion };
}

/** Tag order is not part of the contract; compare tags as sets. */
function sortedTags(tags: readonly Tag[]): Tag[] {
  return [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function withSortedTags<T extends { readonly tags: readonly Tag[] }>(record: T | undefined): T {
  expect(record).toBeDefined();
  return { ...record!, tags: sortedTags(record!.tags) };
}

/** Follows cursors to the end, returning every page (and failing on a runaway listing). */
async function allPages<T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? { limit } : { limit, cursor });
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor !== undefined);
  return pages;
}

async function expectInvalidNextToken(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(CodedError);
  expect((error as CodedError).code).toBe('InvalidNextToken');
}

/** A cursor-shaped string no driver issued: right alphabet, wrong content. */
const FORGED_CURSORS = [
  'not a cursor!',
  'AAAA',
  Buffer.from('{"t":"activations"').toString('base64url'),
  Buffer.from('[1,2]').toString('base64url'),
  Buffer.from('null').toString('base64url'),
  Buffer.from('{"t":"activations","k":["x","y"]}').toString('base64url'),
  Buffer.from('{"t":"instances","k":[1]}').toString('base64url'),
  Buffer.from('{"t":"sessions","k":[1.5,"x"]}').toString('base64url'),
  'A'.repeat(5000),
];

export function describeStorageCompliance(name: string, open: () => Promise<StorageHarness>): void {
  describe(`storage compliance: ${name}`, () => {
    let harness: StorageHarness;
    let storage: Storage;

    beforeEach(async () => {
      harness = await open();
      storage = harness.storage;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe('schema and migrations', () => {
      it('reports the newest shipped migration as its schema version', async () => {
        expect(NEWEST_VERSION).toBe(MIGRATIONS.length);
        expect(await storage.schemaVersion()).toBe(NEWEST_VERSION);
      });

      it('keeps the data across a reopen and does not run migrations again', async () => {
        await storage.activations.insert(activation({ tags: [{ key: 'env', value: 'prod' }] }));
        await storage.close();
        const reopened = await harness.openAgain();
        expect(await reopened.schemaVersion()).toBe(NEWEST_VERSION);
        expect(withSortedTags(await reopened.activations.get(activation().activationId))).toEqual(
          activation({ tags: [{ key: 'env', value: 'prod' }] }),
        );
      });

      it('applies a new migration exactly once across reopens', async () => {
        // The migration inserts a row; were it run twice, the primary key would refuse it or
        // the listing would show it twice.
        const seed: Migration = {
          version: NEWEST_VERSION + 1,
          name: 'compliance-seed',
          up: `INSERT INTO activations (activation_id, activation_code_hash, description,
                 default_instance_name, iam_role, registration_limit, registrations_count,
                 expires_at, created_at)
               VALUES ('seeded', 'hash', '', '', 'role', 1, 0, ${String(T0)}, ${String(T0)})`,
        };
        await storage.close();
        for (let reopen = 0; reopen < 2; reopen++) {
          const again = await harness.openAgain({ migrations: [...MIGRATIONS, seed] });
          expect(await again.schemaVersion()).toBe(NEWEST_VERSION + 1);
          const page = await again.activations.list({}, { limit: 10 });
          expect(page.items.map((item) => item.activationId)).toEqual(['seeded']);
          await again.close();
        }
      });

      it('refuses a database that a newer release migrated', async () => {
        const future: Migration = {
          version: NEWEST_VERSION + 1,
          name: 'from-the-future',
          up: 'CREATE TABLE compliance_future (id INTEGER NOT NULL PRIMARY KEY)',
        };
        await storage.close();
        await (await harness.openAgain({ migrations: [...MIGRATIONS, future] })).close();
        const refused = harness.openAgain();
        await expect(refused).rejects.toBeInstanceOf(SchemaVersionError);
        await expect(refused).rejects.toThrow(
          `database schema version ${String(NEWEST_VERSION + 1)} is newer than this OpenSSM knows (${String(NEWEST_VERSION)})`,
        );
      });

      it('rolls back a migration that fails, leaving the version where it was', async () => {
        const broken: Migration = {
          version: NEWEST_VERSION + 1,
          name: 'broken',
          up: `CREATE TABLE compliance_probe (id INTEGER NOT NULL PRIMARY KEY);
               INSERT INTO compliance_no_such_table (id) VALUES (1)`,
        };
        await expect(harness.openAgain({ migrations: [...MIGRATIONS, broken] })).rejects.toThrow();
        expect(await storage.schemaVersion()).toBe(NEWEST_VERSION);
        // Had the CREATE TABLE survived, creating the table again would fail.
        const fixed: Migration = {
          ...broken,
          up: 'CREATE TABLE compliance_probe (id INTEGER NOT NULL PRIMARY KEY)',
        };
        const again = await harness.openAgain({ migrations: [...MIGRATIONS, fixed] });
        expect(await again.schemaVersion()).toBe(NEWEST_VERSION + 1);
      });

      it('refuses a migration list with a gap before touching the database', async () => {
        const skipped: Migration = { version: NEWEST_VERSION + 2, name: 'gap', up: 'SELECT 1' };
        await expect(harness.openAgain({ migrations: [...MIGRATIONS, skipped] })).rejects.toThrow(
          /expected/,
        );
        expect(await storage.schemaVersion()).toBe(NEWEST_VERSION);
      });
    });

    describe('access keys', () => {
      it('round-trips a long-term administrator key with its nulls', async () => {
        await storage.accessKeys.insert(accessKey());
        expect(await storage.accessKeys.get(accessKey().accessKeyId)).toEqual(accessKey());
      });

      it('round-trips a temporary, inactive node key with extreme times', async () => {
        const key = accessKey({
          accessKeyId: 'ASIATEMPORARY0000001',
          sessionTokenHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          principal: {
            kind: 'node',
            id: instanceId(7),
            name: instanceId(7),
            arn: `arn:aws:ssm:::${instanceId(7)}`,
          },
          createdAt: Number.MAX_SAFE_INTEGER - 1,
          expiresAt: Number.MAX_SAFE_INTEGER,
          active: false,
          lastUsed: { at: FAR_FUTURE, service: 'ssmmessages', region: 'eu-west-1' },
        });
        await storage.accessKeys.insert(key);
        expect(await storage.accessKeys.get(key.accessKeyId)).toEqual(key);
      });

      it('remembers that a user’s session credentials were issued against an MFA code', async () => {
        const key = accessKey({
          accessKeyId: 'ASIAUSERMFA000000001',
          sessionTokenHash: 'digest-of-user-token',
          expiresAt: FAR_FUTURE,
          multiFactor: true,
        });
        await storage.accessKeys.insert(key);
        await storage.accessKeys.insert(accessKey({ accessKeyId: 'AKIAPLAINKEY00000001' }));
        expect(await storage.accessKeys.get(key.accessKeyId)).toEqual(key);
        expect(await storage.accessKeys.get('AKIAPLAINKEY00000001')).not.toHaveProperty(
          'multiFactor',
        );
      });

      it('returns undefined for an unknown key', async () => {
        expect(await storage.accessKeys.get('AKIANOSUCHKEY0000000')).toBeUndefined();
      });

      it('rejects a duplicate id and keeps the original', async () => {
        await storage.accessKeys.insert(accessKey());
        await expect(
          storage.accessKeys.insert(accessKey({ sealedSecret: 'other' })),
        ).rejects.toThrow();
        expect(await storage.accessKeys.get(accessKey().accessKeyId)).toEqual(accessKey());
      });

      it('keeps secrets out of the error of a failed insert', async () => {
        await storage.accessKeys.insert(accessKey());
        const error: unknown = await storage.accessKeys
          .insert(accessKey())
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect(String((error as Error).message)).not.toContain(accessKey().sealedSecret);
      });

      it('deletes keys expired at or before now, never long-term ones', async () => {
        await storage.accessKeys.insert(accessKey());
        await storage.accessKeys.insert(nodeKey(1, instanceId(1), T0 - 1));
        // Valid means expiresAt > now, so a key is expired at its expiry instant.
        await storage.accessKeys.insert(nodeKey(2, instanceId(1), T0));
        await storage.accessKeys.insert(nodeKey(3, instanceId(1), T0 + 1));
        expect(await storage.accessKeys.deleteExpired(T0)).toBe(2);
        expect(await storage.accessKeys.get(nodeKey(1, '', null).accessKeyId)).toBeUndefined();
        expect(await storage.accessKeys.get(nodeKey(2, '', null).accessKeyId)).toBeUndefined();
        expect(await storage.accessKeys.get(nodeKey(3, '', null).accessKeyId)).toBeDefined();
        expect(await storage.accessKeys.get(accessKey().accessKeyId)).toBeDefined();
        expect(await storage.accessKeys.deleteExpired(T0)).toBe(0);
      });

      it('deletes every key of one principal and only those', async () => {
        await storage.accessKeys.insert(accessKey());
        await storage.accessKeys.insert(nodeKey(1, instanceId(1), T0 + 1));
        await storage.accessKeys.insert(nodeKey(2, instanceId(1), null));
        await storage.accessKeys.insert(nodeKey(3, instanceId(2), T0 + 1));
        expect(await storage.accessKeys.deleteForPrincipal(instanceId(1))).toBe(2);
        expect(await storage.accessKeys.get(nodeKey(1, '', null).accessKeyId)).toBeUndefined();
        expect(await storage.accessKeys.get(nodeKey(2, '', null).accessKeyId)).toBeUndefined();
        expect(await storage.accessKeys.get(nodeKey(3, '', null).accessKeyId)).toBeDefined();
        expect(await storage.accessKeys.get(accessKey().accessKeyId)).toBeDefined();
        expect(await storage.accessKeys.deleteForPrincipal(instanceId(1))).toBe(0);
      });

      it('lists a principal’s long-term keys oldest first, never its temporary ones', async () => {
        const later = accessKey({ accessKeyId: 'AKIAOPENSSMEXAMPLE02', createdAt: T0 + 5 });
        await storage.accessKeys.insert(later);
        await storage.accessKeys.insert(accessKey());
        await storage.accessKeys.insert(
          accessKey({ accessKeyId: 'ASIAOPENSSMEXAMPLE03', expiresAt: T0 + 60_000 }),
        );
        await storage.accessKeys.insert(nodeKey(1, instanceId(1), null));
        expect((await storage.accessKeys.listLongTerm(ADMIN_ID)).map((k) => k.accessKeyId)).toEqual(
          ['AKIAOPENSSMEXAMPLE01', 'AKIAOPENSSMEXAMPLE02'],
        );
        expect(await storage.accessKeys.listLongTerm('AIDANOBODY')).toEqual([]);
      });

      it('deactivates, records use, re-seals and deletes one key', async () => {
        await storage.accessKeys.insert(accessKey());
        const id = accessKey().accessKeyId;
        expect(await storage.accessKeys.setActive(id, false)).toBe(true);
        const used = { at: T0 + 7, service: 'iam', region: 'us-east-1' };
        expect(await storage.accessKeys.recordUse(id, used)).toBe(true);
        expect(await storage.accessKeys.replaceSealedSecret(id, 'v1:new')).toBe(true);
        expect(await storage.accessKeys.get(id)).toEqual(
          accessKey({ active: false, lastUsed: used, sealedSecret: 'v1:new' }),
        );
        expect(await storage.accessKeys.delete(id)).toBe(true);
        expect(await storage.accessKeys.delete(id)).toBe(false);
        expect(await storage.accessKeys.setActive(id, true)).toBe(false);
        expect(await storage.accessKeys.recordUse(id, used)).toBe(false);
        expect(await storage.accessKeys.replaceSealedSecret(id, 'x')).toBe(false);
      });

      it('moves every key of one principal to another identity', async () => {
        await storage.accessKeys.insert(accessKey());
        await storage.accessKeys.insert(nodeKey(1, instanceId(1), null));
        const renamed = { kind: 'user', id: 'AIDANEWID', name: 'root', arn: 'arn:x' } as const;
        expect(await storage.accessKeys.reassignPrincipal(ADMIN_ID, renamed)).toBe(1);
        expect((await storage.accessKeys.get(accessKey().accessKeyId))?.principal).toEqual(renamed);
        expect((await storage.accessKeys.get(nodeKey(1, '', null).accessKeyId))?.principal.id).toBe(
          instanceId(1),
        );
      });
    });

    describeIamCompliance(() => storage);

    describeCommandCompliance(() => storage);

    describe('activations', () => {
      it('round-trips an activation with tags and extreme numbers', async () => {
        const record = activation({
          description: 'Ünïcödé — "quoted" \'and\' 🚀',
          registrationLimit: 1000,
          registrationsCount: 999,
          expiresAt: FAR_FUTURE,
          createdAt: 0,
          tags: [
            { key: 'env', value: 'prod' },
            { key: 'team', value: '' },
            { key: 'aws:cloudformation:stack-name', value: 'Ωmega' },
          ],
        });
        await storage.activations.insert(record);
        expect(withSortedTags(await storage.activations.get(record.activationId))).toEqual({
          ...record,
          tags: sortedTags(record.tags),
        });
      });

      it('round-trips an activation without tags', async () => {
        await storage.activations.insert(activation());
        expect(await storage.activations.get(activation().activationId)).toEqual(activation());
      });

      it('returns undefined for an unknown activation', async () => {
        expect(await storage.activations.get(activationId(99))).toBeUndefined();
      });

      it('rejects a duplicate id without touching the original or its tags', async () => {
        const original = activation({ tags: [{ key: 'a', value: '1' }] });
        await storage.activations.insert(original);
        await expect(
          storage.activations.insert(
            activation({ description: 'dup', tags: [{ key: 'b', value: '2' }] }),
          ),
        ).rejects.toThrow();
        expect(await storage.activations.get(original.activationId)).toEqual(original);
      });

      it('stores an activation with a repeated tag key whole or not at all', async () => {
        const record = activation({
          tags: [
            { key: 'env', value: 'a' },
            { key: 'env', value: 'b' },
          ],
        });
        // Refusing it or keeping one value are both fine; a half-stored record is not.
        const stored = await storage.activations.insert(record).then(
          () => true,
          () => false,
        );
        const fetched = await storage.activations.get(record.activationId);
        if (stored) expect(fetched?.tags).toHaveLength(1);
        else expect(fetched).toBeUndefined();
      });

      it('deletes an activation with its tags and reports whether it existed', async () => {
        await storage.activations.insert(activation({ tags: [{ key: 'old', value: 'x' }] }));
        expect(await storage.activations.delete(activation().activationId)).toBe(true);
        expect(await storage.activations.get(activation().activationId)).toBeUndefined();
        expect(await storage.activations.delete(activation().activationId)).toBe(false);
        // The same id again starts clean: no tags left behind by the deleted one.
        await storage.activations.insert(activation({ tags: [{ key: 'new', value: 'y' }] }));
        expect((await storage.activations.get(activation().activationId))?.tags).toEqual([
          { key: 'new', value: 'y' },
        ]);
      });

      it('claims registrations up to the limit, then refuses', async () => {
        await storage.activations.insert(activation({ registrationLimit: 3 }));
        const claims: boolean[] = [];
        for (let i = 0; i < 5; i++) {
          claims.push(await storage.activations.claimRegistration(activation().activationId, T0));
        }
        expect(claims).toEqual([true, true, true, false, false]);
        expect((await storage.activations.get(activation().activationId))?.registrationsCount).toBe(
          3,
        );
      });

      it('refuses a claim on an expired or unknown activation, changing nothing', async () => {
        await storage.activations.insert(activation({ expiresAt: T0 }));
        expect(await storage.activations.claimRegistration(activation().activationId, T0)).toBe(
          false,
        );
        expect(await storage.activations.claimRegistration(activation().activationId, T0 + 1)).toBe(
          false,
        );
        expect(await storage.activations.claimRegistration(activation().activationId, T0 - 1)).toBe(
          true,
        );
        expect(await storage.activations.claimRegistration(activationId(42), T0)).toBe(false);
        expect((await storage.activations.get(activation().activationId))?.registrationsCount).toBe(
          1,
        );
      });

      it('never hands out more slots than the limit to racing claims', async () => {
        await storage.activations.insert(activation({ registrationLimit: 5 }));
        const other = await harness.openAgain();
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? storage : other).activations.claimRegistration(
              activation().activationId,
              T0,
            ),
          ),
        );
        expect(claims.filter(Boolean)).toHaveLength(5);
        expect((await other.activations.get(activation().activationId))?.registrationsCount).toBe(
          5,
        );
      });

      it('lists by creation time then id across pages, without gaps or repeats', async () => {
        // Inserted out of order, with ties on createdAt that the id must break.
        const records = Array.from({ length: 25 }, (_, i) =>
          activation({
            activationId: activationId(100 - i),
            createdAt: T0 + Math.floor(i / 3),
            tags: [{ key: 'n', value: String(i) }],
          }),
        );
        for (const record of [...records].reverse()) await storage.activations.insert(record);
        const pages = await allPages((page) => storage.activations.list({}, page), 10);
        expect(pages.map((page) => page.items.length)).toEqual([10, 10, 5]);
        expect(pages[2]!.nextCursor).toBeUndefined();
        const expected = [...records].sort(
          (a, b) =>
            a.createdAt - b.createdAt ||
            (a.activationId < b.activationId ? -1 : a.activationId > b.activationId ? 1 : 0),
        );
        expect(pages.flatMap((page) => page.items)).toEqual(expected);
      });

      it('ends a listing that fills its last page exactly without an empty page', async () => {
        for (let i = 0; i < 20; i++) {
          await storage.activations.insert(activation({ activationId: activationId(i) }));
        }
        const pages = await allPages((page) => storage.activations.list({}, page), 10);
        expect(pages.map((page) => page.items.length)).toEqual([10, 10]);
      });

      it('lists nothing, without a cursor, from an empty table', async () => {
        expect(await storage.activations.list({}, { limit: 10 })).toEqual({ items: [] });
      });

      it('filters by ids, IAM role and default instance name, together', async () => {
        await storage.activations.insert(activation({ activationId: activationId(1) }));
        await storage.activations.insert(
          activation({ activationId: activationId(2), iamRole: 'OtherRole' }),
        );
        await storage.activations.insert(
          activation({ activationId: activationId(3), defaultInstanceName: 'db' }),
        );
        await storage.activations.insert(
          activation({ activationId: activationId(4), iamRole: 'OtherRole', createdAt: T0 + 1 }),
        );
        const ids = async (filter: Parameters<Storage['activations']['list']>[0]) =>
          (await storage.activations.list(filter, { limit: 10 })).items.map(
            (item) => item.activationId,
          );
        expect(await ids({ activationIds: [activationId(1), activationId(3)] })).toEqual([
          activationId(1),
          activationId(3),
        ]);
        expect(await ids({ activationIds: [] })).toEqual([]);
        expect(await ids({ iamRole: 'OtherRole' })).toEqual([activationId(2), activationId(4)]);
        expect(await ids({ defaultInstanceName: 'db' })).toEqual([activationId(3)]);
        expect(
          await ids({ activationIds: [activationId(2), activationId(3)], iamRole: 'OtherRole' }),
        ).toEqual([activationId(2)]);
        expect(await ids({ iamRole: 'OtherRole', defaultInstanceName: 'db' })).toEqual([]);
      });

      it('keeps a filter applied across pages', async () => {
        for (let i = 0; i < 12; i++) {
          await storage.activations.insert(
            activation({ activationId: activationId(i), iamRole: i % 2 === 0 ? 'Even' : 'Odd' }),
          );
        }
        const pages = await allPages(
          (page) => storage.activations.list({ iamRole: 'Even' }, page),
          4,
        );
        expect(pages.map((page) => page.items.length)).toEqual([4, 2]);
        expect(pages.flatMap((page) => page.items).every((item) => item.iamRole === 'Even')).toBe(
          true,
        );
      });

      it('rejects a cursor it did not issue with InvalidNextToken', async () => {
        for (const cursor of FORGED_CURSORS) {
          await expectInvalidNextToken(storage.activations.list({}, { limit: 10, cursor }));
        }
      });

      it('rejects a page size that is not a positive integer', async () => {
        for (const limit of [0, -1, 1.5, Number.NaN]) {
          await expect(storage.activations.list({}, { limit })).rejects.toThrow(RangeError);
        }
      });
    });

    describe('instances', () => {
      const heartbeat = {
        platformType: 'Linux',
        platformName: 'Debian GNU/Linux',
        platformVersion: '13',
        agentVersion: '3.3.1142.0',
        ipAddress: '192.0.2.10',
        computerName: 'web-1.example.internal',
      } as const;

      it('round-trips an instance before its first heartbeat (nulls, no tags)', async () => {
        await storage.instances.insert(instance());
        expect(await storage.instances.get(instanceId(1))).toEqual(instance());
      });

      it('round-trips a fully populated instance with tags and extreme times', async () => {
        const record = instance({
          ...heartbeat,
          platformType: 'Windows',
          registeredAt: FAR_FUTURE - 2,
          lastPingAt: FAR_FUTURE - 1,
          deregisteredAt: FAR_FUTURE,
          tags: [
            { key: 'Name', value: 'web-1' },
            { key: 'empty', value: '' },
          ],
        });
        await storage.instances.insert(record);
        expect(withSortedTags(await storage.instances.get(record.instanceId))).toEqual({
          ...record,
          tags: sortedTags(record.tags),
        });
      });

      it('returns undefined for an unknown instance and rejects a duplicate id', async () => {
        expect(await storage.instances.get(instanceId(9))).toBeUndefined();
        await storage.instances.insert(instance());
        await expect(storage.instances.insert(instance({ name: 'dup' }))).rejects.toThrow();
        expect(await storage.instances.get(instanceId(1))).toEqual(instance());
      });

      it('records a heartbeat as the instance information and a ping', async () => {
        await storage.instances.insert(instance());
        expect(await storage.instances.updateInformation(instanceId(1), heartbeat, T0 + 5)).toBe(
          true,
        );
        expect(await storage.instances.get(instanceId(1))).toEqual(
          instance({ ...heartbeat, lastPingAt: T0 + 5 }),
        );
        expect(await storage.instances.updateInformation(instanceId(2), heartbeat, T0)).toBe(false);
      });

      it('touches the last ping and replaces the public key', async () => {
        await storage.instances.insert(instance());
        expect(await storage.instances.touch(instanceId(1), T0 + 7)).toBe(true);
        expect(await storage.instances.updatePublicKey(instanceId(1), 'MIIBnewkey')).toBe(true);
        expect(await storage.instances.get(instanceId(1))).toEqual(
          instance({ lastPingAt: T0 + 7, publicKey: 'MIIBnewkey' }),
        );
        expect(await storage.instances.touch(instanceId(2), T0)).toBe(false);
        expect(await storage.instances.updatePublicKey(instanceId(2), 'k')).toBe(false);
      });

      it('hides deregistered instances from listings unless asked, and freezes them', async () => {
        await storage.instances.insert(instance({ instanceId: instanceId(1) }));
        await storage.instances.insert(instance({ instanceId: instanceId(2) }));
        expect(await storage.instances.markDeregistered(instanceId(1), T0 + 9)).toBe(true);
        const listed = async (includeDeregistered?: boolean) =>
          (
            await storage.instances.list(
              includeDeregistered === undefined ? {} : { includeDeregistered },
              { limit: 10 },
            )
          ).items.map((item) => item.instanceId);
        expect(await listed()).toEqual([instanceId(2)]);
        expect(await listed(false)).toEqual([instanceId(2)]);
        expect(await listed(true)).toEqual([instanceId(1), instanceId(2)]);
        const deregistered = instance({ instanceId: instanceId(1), deregisteredAt: T0 + 9 });
        expect(await storage.instances.get(instanceId(1))).toEqual(deregistered);
        // Deregistration is final: nothing updates the record afterwards.
        expect(await storage.instances.markDeregistered(instanceId(1), T0 + 10)).toBe(false);
        expect(await storage.instances.touch(instanceId(1), T0 + 10)).toBe(false);
        expect(await storage.instances.updateInformation(instanceId(1), heartbeat, T0 + 10)).toBe(
          false,
        );
        expect(await storage.instances.updatePublicKey(instanceId(1), 'k')).toBe(false);
        expect(await storage.instances.addTags(instanceId(1), [{ key: 'a', value: 'b' }])).toBe(
          false,
        );
        expect(await storage.instances.removeTags(instanceId(1), ['a'])).toBe(false);
        expect(await storage.instances.get(instanceId(1))).toEqual(deregistered);
        expect(await storage.instances.markDeregistered(instanceId(3), T0)).toBe(false);
      });

      it('adds tags replacing by key and removes tags by key', async () => {
        await storage.instances.insert(
          instance({
            tags: [
              { key: 'env', value: 'dev' },
              { key: 'team', value: 'ops' },
            ],
          }),
        );
        expect(
          await storage.instances.addTags(instanceId(1), [
            { key: 'env', value: 'prod' },
            { key: 'owner', value: 'alice' },
          ]),
        ).toBe(true);
        expect(sortedTags((await storage.instances.get(instanceId(1)))!.tags)).toEqual([
          { key: 'env', value: 'prod' },
          { key: 'owner', value: 'alice' },
          { key: 'team', value: 'ops' },
        ]);
        expect(await storage.instances.removeTags(instanceId(1), ['team', 'absent'])).toBe(true);
        expect(sortedTags((await storage.instances.get(instanceId(1)))!.tags)).toEqual([
          { key: 'env', value: 'prod' },
          { key: 'owner', value: 'alice' },
        ]);
        expect(await storage.instances.addTags(instanceId(2), [{ key: 'a', value: 'b' }])).toBe(
          false,
        );
        expect(await storage.instances.removeTags(instanceId(2), ['a'])).toBe(false);
        expect(await storage.instances.get(instanceId(2))).toBeUndefined();
      });

      it('lists by instance id across pages, without gaps or repeats', async () => {
        const ids = Array.from({ length: 25 }, (_, i) => instanceId(0xabc000 + i * 7919));
        for (const id of [...ids].reverse()) {
          await storage.instances.insert(
            instance({ instanceId: id, tags: [{ key: id, value: '' }] }),
          );
        }
        const pages = await allPages((page) => storage.instances.list({}, page), 10);
        expect(pages.map((page) => page.items.length)).toEqual([10, 10, 5]);
        const items = pages.flatMap((page) => page.items);
        expect(items.map((item) => item.instanceId)).toEqual([...ids].sort());
        // Tags are loaded per item, not mixed between items of a page.
        expect(
          items.every((item) => item.tags.length === 1 && item.tags[0]!.key === item.instanceId),
        ).toBe(true);
      });

      it('filters by ids, activation, role, platform, agent version and name', async () => {
        await storage.instances.insert(instance({ instanceId: instanceId(1) }));
        await storage.instances.insert(
          instance({ instanceId: instanceId(2), activationId: activationId(2), name: 'db' }),
        );
        await storage.instances.insert(
          instance({ instanceId: instanceId(3), ...heartbeat, iamRole: 'OtherRole' }),
        );
        await storage.instances.insert(
          instance({
            instanceId: instanceId(4),
            ...heartbeat,
            platformType: 'MacOS',
            agentVersion: '3.3.0.0',
          }),
        );
        const ids = async (filter: Parameters<Storage['instances']['list']>[0]) =>
          (await storage.instances.list(filter, { limit: 10 })).items.map(
            (item) => item.instanceId,
          );
        expect(await ids({ instanceIds: [instanceId(4), instanceId(2), instanceId(9)] })).toEqual([
          instanceId(2),
          instanceId(4),
        ]);
        expect(await ids({ instanceIds: [] })).toEqual([]);
        expect(await ids({ excludeInstanceIds: [instanceId(1), instanceId(3)] })).toEqual([
          instanceId(2),
          instanceId(4),
        ]);
        expect(await ids({ excludeInstanceIds: [] })).toHaveLength(4);
        expect(
          await ids({
            instanceIds: [instanceId(1), instanceId(2)],
            excludeInstanceIds: [instanceId(1)],
          }),
        ).toEqual([instanceId(2)]);
        expect(await ids({ activationIds: [activationId(2)] })).toEqual([instanceId(2)]);
        expect(await ids({ iamRoles: ['OtherRole', 'Missing'] })).toEqual([instanceId(3)]);
        expect(await ids({ platformTypes: ['Linux', 'MacOS'] })).toEqual([
          instanceId(3),
          instanceId(4),
        ]);
        expect(await ids({ agentVersions: ['3.3.0.0'] })).toEqual([instanceId(4)]);
        expect(await ids({ names: ['db', 'web'] })).toEqual([
          instanceId(1),
          instanceId(2),
          instanceId(3),
          instanceId(4),
        ]);
        expect(await ids({ names: ['db'], activationIds: [activationId(1)] })).toEqual([]);
      });

      it('filters by tags: every entry must match, empty values mean the key exists', async () => {
        const tagged = (index: number, tags: Tag[]) =>
          storage.instances.insert(instance({ instanceId: instanceId(index), tags }));
        await tagged(1, [{ key: 'env', value: 'prod' }]);
        await tagged(2, [
          { key: 'env', value: 'dev' },
          { key: 'team', value: 'ops' },
        ]);
        await tagged(3, [
          { key: 'env', value: 'prod' },
          { key: 'team', value: 'web' },
        ]);
        await tagged(4, [{ key: 'team', value: 'prod' }]);
        await tagged(5, []);
        const ids = async (tags: { key: string; values: string[] }[]) =>
          (await storage.instances.list({ tags }, { limit: 10 })).items.map(
            (item) => item.instanceId,
          );
        expect(await ids([{ key: 'env', values: ['prod'] }])).toEqual([
          instanceId(1),
          instanceId(3),
        ]);
        expect(await ids([{ key: 'env', values: ['prod', 'dev'] }])).toEqual([
          instanceId(1),
          instanceId(2),
          instanceId(3),
        ]);
        expect(await ids([{ key: 'team', values: [] }])).toEqual([
          instanceId(2),
          instanceId(3),
          instanceId(4),
        ]);
        expect(
          await ids([
            { key: 'env', values: ['prod'] },
            { key: 'team', values: [] },
          ]),
        ).toEqual([instanceId(3)]);
        expect(
          await ids([
            { key: 'env', values: ['dev'] },
            { key: 'team', values: ['web'] },
          ]),
        ).toEqual([]);
        expect(await ids([{ key: 'absent', values: [] }])).toEqual([]);
        expect(await ids([])).toHaveLength(5);
      });

      it('rejects a cursor it did not issue with InvalidNextToken', async () => {
        for (const cursor of FORGED_CURSORS) {
          await expectInvalidNextToken(storage.instances.list({}, { limit: 10, cursor }));
        }
        // A cursor issued for another listing is no cursor for this one.
        for (let i = 0; i < 3; i++) {
          await storage.activations.insert(activation({ activationId: activationId(i) }));
        }
        const { nextCursor } = await storage.activations.list({}, { limit: 1 });
        expect(nextCursor).toBeDefined();
        await expectInvalidNextToken(
          storage.instances.list({}, { limit: 10, cursor: nextCursor! }),
        );
      });
    });

    describe('sessions', () => {
      it('round-trips a session with parameters and nulls', async () => {
        const record = session({
          reason: 'debugging — ticket #42',
          details: 'connected from 192.0.2.7',
          parameters: {
            portNumber: ['22'],
            commands: ['echo one', 'echo "two"', ''],
            empty: [],
          },
          startedAt: FAR_FUTURE,
        });
        await storage.sessions.insert(record);
        expect(await storage.sessions.get(record.sessionId)).toEqual(record);
      });

      it('round-trips an ended session and rejects a duplicate id', async () => {
        const record = session({ status: 'Terminated', endedAt: T0 + 1 });
        await storage.sessions.insert(record);
        expect(await storage.sessions.get(record.sessionId)).toEqual(record);
        await expect(storage.sessions.insert(session())).rejects.toThrow();
        expect(await storage.sessions.get(sessionId(99))).toBeUndefined();
      });

      it('moves through non-final statuses, keeping details unless given', async () => {
        await storage.sessions.insert(session({ details: 'first' }));
        expect(await storage.sessions.updateStatus(sessionId(1), 'Connected', T0 + 1)).toEqual(
          session({ status: 'Connected', details: 'first' }),
        );
        expect(
          await storage.sessions.updateStatus(sessionId(1), 'Disconnected', T0 + 2, 'agent gone'),
        ).toEqual(session({ status: 'Disconnected', details: 'agent gone' }));
        expect(await storage.sessions.get(sessionId(1))).toEqual(
          session({ status: 'Disconnected', details: 'agent gone' }),
        );
      });

      it.each(['Terminated', 'Failed'] as const)(
        'records endedAt on %s and never changes the session afterwards',
        async (final) => {
          await storage.sessions.insert(session({ status: 'Connected' }));
          const ended = session({ status: final, endedAt: T0 + 3, details: 'done' });
          expect(await storage.sessions.updateStatus(sessionId(1), final, T0 + 3, 'done')).toEqual(
            ended,
          );
          for (const status of ['Connected', 'Terminating', 'Terminated', 'Failed'] as const) {
            expect(
              await storage.sessions.updateStatus(sessionId(1), status, T0 + 4, 'late'),
            ).toBeUndefined();
          }
          expect(await storage.sessions.get(sessionId(1))).toEqual(ended);
        },
      );

      it('returns undefined when updating an unknown session', async () => {
        expect(await storage.sessions.updateStatus(sessionId(5), 'Terminated', T0)).toBeUndefined();
        expect(await storage.sessions.get(sessionId(5))).toBeUndefined();
      });

      it('splits listings into Active and History by status', async () => {
        const statuses = [
          'Connecting',
          'Connected',
          'Disconnected',
          'Terminating',
          'Terminated',
          'Failed',
        ] as const;
        for (const [i, status] of statuses.entries()) {
          await storage.sessions.insert(
            session({ sessionId: sessionId(i), status, startedAt: T0 + i }),
          );
        }
        const listed = async (state: 'Active' | 'History') =>
          (await storage.sessions.list({ state }, { limit: 10 })).items.map((s) => s.status);
        expect(await listed('Active')).toEqual([
          'Terminating',
          'Disconnected',
          'Connected',
          'Connecting',
        ]);
        expect(await listed('History')).toEqual(['Failed', 'Terminated']);
      });

      it('lists newest first, ties by session id, across pages without gaps or repeats', async () => {
        const records = Array.from({ length: 25 }, (_, i) =>
          session({ sessionId: sessionId(1000 - i), startedAt: T0 + Math.floor(i / 4) }),
        );
        for (const record of records) await storage.sessions.insert(record);
        const pages = await allPages(
          (page) => storage.sessions.list({ state: 'Active' }, page),
          10,
        );
        expect(pages.map((page) => page.items.length)).toEqual([10, 10, 5]);
        const expected = [...records].sort(
          (a, b) =>
            b.startedAt - a.startedAt ||
            (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0),
        );
        expect(pages.flatMap((page) => page.items)).toEqual(expected);
      });

      it('filters by target, owner, status, id and start time', async () => {
        await storage.sessions.insert(session({ sessionId: sessionId(1), startedAt: T0 }));
        await storage.sessions.insert(
          session({ sessionId: sessionId(2), target: instanceId(2), startedAt: T0 + 10 }),
        );
        await storage.sessions.insert(
          session({
            sessionId: sessionId(3),
            owner: 'arn:openssm:iam::000000000000:user/bob',
            status: 'Connected',
            startedAt: T0 + 20,
          }),
        );
        await storage.sessions.insert(
          session({ sessionId: sessionId(4), status: 'Failed', startedAt: T0 + 30 }),
        );
        const ids = async (filter: Omit<Parameters<Storage['sessions']['list']>[0], 'state'>) =>
          (await storage.sessions.list({ state: 'Active', ...filter }, { limit: 10 })).items.map(
            (s) => s.sessionId,
          );
        expect(await ids({})).toEqual([sessionId(3), sessionId(2), sessionId(1)]);
        expect(await ids({ target: instanceId(2) })).toEqual([sessionId(2)]);
        expect(await ids({ owner: 'arn:openssm:iam::000000000000:user/bob' })).toEqual([
          sessionId(3),
        ]);
        expect(await ids({ status: 'Connected' })).toEqual([sessionId(3)]);
        expect(await ids({ status: 'Failed' })).toEqual([]);
        expect(await ids({ sessionId: sessionId(1) })).toEqual([sessionId(1)]);
        // As DescribeSessions' InvokedAfter (on or after) and InvokedBefore (strictly before).
        expect(await ids({ startedAfter: T0 + 10 })).toEqual([sessionId(3), sessionId(2)]);
        expect(await ids({ startedBefore: T0 + 10 })).toEqual([sessionId(1)]);
        expect(await ids({ startedAfter: T0 + 1, startedBefore: T0 + 20 })).toEqual([sessionId(2)]);
        expect(
          (
            await storage.sessions.list({ state: 'History', target: instanceId(1) }, { limit: 10 })
          ).items.map((s) => s.sessionId),
        ).toEqual([sessionId(4)]);
      });

      it('rejects a cursor it did not issue with InvalidNextToken', async () => {
        for (const cursor of FORGED_CURSORS) {
          await expectInvalidNextToken(
            storage.sessions.list({ state: 'Active' }, { limit: 10, cursor }),
          );
        }
      });
    });

    describe('documents', () => {
      const docs = () => storage.documents;

      it('creates a document with version 1 as default and latest, and reads both back', async () => {
        const version = documentVersion({
          versionName: 'release-1',
          displayName: 'Demo — ünïcode',
          targetType: '/AWS::EC2::Instance',
          documentFormat: 'YAML',
          content: "schemaVersion: '2.2'\n# ünïcode ✓\n",
          createdAt: FAR_FUTURE,
        });
        const tags = [
          { key: 'env', value: 'prod' },
          { key: 'team', value: '' },
        ];
        expect(await docs().create(documentRecord({ tags }), version)).toBe(true);
        expect(withSortedTags(await docs().get('Demo-Doc'))).toEqual({
          ...documentRecord({ tags }),
          defaultVersion: 1,
          latestVersion: 1,
          lastIssuedVersion: 1,
        });
        expect(await docs().getVersion('Demo-Doc', 1)).toEqual(storedVersion(1, version));
        expect(await docs().findVersionByName('Demo-Doc', 'release-1')).toEqual(
          storedVersion(1, version),
        );
        expect(await docs().findVersionByHash('Demo-Doc', 'c'.repeat(64))).toEqual(
          storedVersion(1, version),
        );
        expect(await docs().getVersion('Demo-Doc', 2)).toBeUndefined();
        expect(await docs().findVersionByName('Demo-Doc', 'release-2')).toBeUndefined();
        expect(await docs().findVersionByHash('Demo-Doc', 'd'.repeat(64))).toBeUndefined();
        expect(await docs().get('Other-Doc')).toBeUndefined();
      });

      it('refuses a taken name without touching the original, its version or tags', async () => {
        await docs().create(
          documentRecord({ tags: [{ key: 'a', value: '1' }] }),
          documentVersion(),
        );
        expect(
          await docs().create(
            documentRecord({ owner: 'Amazon', documentType: 'Session', tags: [] }),
            documentVersion({ content: 'other', contentHash: 'e'.repeat(64) }),
          ),
        ).toBe(false);
        expect(await docs().get('Demo-Doc')).toMatchObject({
          owner: ACCOUNT,
          documentType: 'Command',
          tags: [{ key: 'a', value: '1' }],
        });
        expect(await docs().getVersion('Demo-Doc', 1)).toEqual(storedVersion(1, documentVersion()));
      });

      it('adds versions one above the highest issued, only while the latest is as expected', async () => {
        await docs().create(documentRecord(), documentVersion());
        const second = documentVersion({ content: 'v2', contentHash: '2'.repeat(64) });
        expect(await docs().addVersion(second, 1)).toEqual(storedVersion(2, second));
        // Someone else's update came first: the caller's idea of the latest is stale.
        expect(await docs().addVersion(documentVersion({ content: 'v3' }), 1)).toBeUndefined();
        expect(
          await docs().addVersion(documentVersion({ name: 'Missing-Doc' }), 1),
        ).toBeUndefined();
        expect(await docs().get('Demo-Doc')).toMatchObject({
          defaultVersion: 1,
          latestVersion: 2,
          lastIssuedVersion: 2,
        });
        expect(await docs().getVersion('Demo-Doc', 2)).toEqual(storedVersion(2, second));
      });

      it('lets exactly one of many racing updates take the next version', async () => {
        await docs().create(documentRecord(), documentVersion());
        const other = await harness.openAgain();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? storage : other).documents.addVersion(
              documentVersion({ content: `v${String(i)}` }),
              1,
            ),
          ),
        );
        expect(results.filter((result) => result !== undefined)).toHaveLength(1);
        expect((await docs().get('Demo-Doc'))?.latestVersion).toBe(2);
      });

      it('rejects a version name the document already uses, changing nothing', async () => {
        await docs().create(documentRecord(), documentVersion({ versionName: 'v1' }));
        await expect(
          docs().addVersion(documentVersion({ versionName: 'v1' }), 1),
        ).rejects.toThrow();
        expect(await docs().get('Demo-Doc')).toMatchObject({
          latestVersion: 1,
          lastIssuedVersion: 1,
        });
        // Unnamed versions may repeat, and other documents may use the same name.
        expect(await docs().addVersion(documentVersion(), 1)).toBeDefined();
        expect(await docs().addVersion(documentVersion(), 2)).toBeDefined();
        await docs().create(
          documentRecord({ name: 'Other-Doc' }),
          documentVersion({ name: 'Other-Doc', versionName: 'v1' }),
        );
        expect((await docs().findVersionByName('Other-Doc', 'v1'))?.name).toBe('Other-Doc');
      });

      it('sets the default only to an existing version', async () => {
        await docs().create(documentRecord(), documentVersion());
        await docs().addVersion(documentVersion(), 1);
        expect(await docs().setDefaultVersion('Demo-Doc', 2)).toMatchObject({
          defaultVersion: 2,
          latestVersion: 2,
        });
        expect(await docs().setDefaultVersion('Demo-Doc', 3)).toBeUndefined();
        expect(await docs().setDefaultVersion('Missing-Doc', 1)).toBeUndefined();
        expect((await docs().get('Demo-Doc'))?.defaultVersion).toBe(2);
      });

      it('deletes a non-default version, recomputes the latest and never reuses its number', async () => {
        await docs().create(documentRecord(), documentVersion());
        await docs().addVersion(documentVersion(), 1);
        await docs().addVersion(documentVersion(), 2);
        // The default cannot go, nor a version that does not exist.
        expect(await docs().deleteVersion('Demo-Doc', 1)).toBe(false);
        expect(await docs().deleteVersion('Demo-Doc', 9)).toBe(false);
        expect(await docs().deleteVersion('Demo-Doc', 3)).toBe(true);
        expect(await docs().deleteVersion('Demo-Doc', 3)).toBe(false);
        expect(await docs().get('Demo-Doc')).toMatchObject({
          defaultVersion: 1,
          latestVersion: 2,
          lastIssuedVersion: 3,
        });
        expect((await docs().addVersion(documentVersion(), 2))?.documentVersion).toBe(4);
        expect(await docs().setDefaultVersion('Demo-Doc', 4)).toBeDefined();
        expect(await docs().deleteVersion('Demo-Doc', 1)).toBe(true);
        expect(await docs().deleteVersion('Demo-Doc', 4)).toBe(false);
        const page = await docs().listVersions('Demo-Doc', { limit: 10 });
        expect(page.items.map((version) => version.documentVersion)).toEqual([2, 4]);
      });

      it('deletes a document with its versions and tags, and counts documents per owner', async () => {
        await docs().create(
          documentRecord({ tags: [{ key: 'a', value: '1' }] }),
          documentVersion(),
        );
        await docs().create(
          documentRecord({ name: 'Other-Doc' }),
          documentVersion({ name: 'Other-Doc' }),
        );
        await docs().create(
          documentRecord({ name: 'AWS-Thing', owner: 'Amazon' }),
          documentVersion({ name: 'AWS-Thing' }),
        );
        expect(await docs().count(ACCOUNT)).toBe(2);
        expect(await docs().count('Amazon')).toBe(1);
        expect(await docs().delete('Demo-Doc')).toBe(true);
        expect(await docs().delete('Demo-Doc')).toBe(false);
        expect(await docs().get('Demo-Doc')).toBeUndefined();
        expect(await docs().getVersion('Demo-Doc', 1)).toBeUndefined();
        expect(await docs().count(ACCOUNT)).toBe(1);
        // A new document of the same name starts afresh, without the old tags.
        expect(await docs().create(documentRecord(), documentVersion())).toBe(true);
        expect(await docs().get('Demo-Doc')).toMatchObject({ tags: [], lastIssuedVersion: 1 });
      });

      it('lists versions in order across pages, and rejects a cursor it did not issue', async () => {
        await docs().create(documentRecord(), documentVersion());
        for (let latest = 1; latest < 12; latest++) {
          await docs().addVersion(documentVersion({ createdAt: T0 + latest }), latest);
        }
        const pages = await allPages((page) => docs().listVersions('Demo-Doc', page), 5);
        expect(pages.map((page) => page.items.length)).toEqual([5, 5, 2]);
        expect(pages.flatMap((page) => page.items.map((v) => v.documentVersion))).toEqual(
          Array.from({ length: 12 }, (_, i) => i + 1),
        );
        expect((await docs().listVersions('Missing-Doc', { limit: 5 })).items).toEqual([]);
        for (const cursor of FORGED_CURSORS) {
          await expectInvalidNextToken(docs().listVersions('Demo-Doc', { limit: 5, cursor }));
        }
      });

      it('lists documents by name with their default version, across pages', async () => {
        const names = Array.from({ length: 13 }, (_, i) => `Doc-${String(100 - i)}`);
        for (const name of names) {
          await docs().create(documentRecord({ name }), documentVersion({ name }));
        }
        await docs().addVersion(documentVersion({ name: 'Doc-100', description: 'second' }), 1);
        await docs().setDefaultVersion('Doc-100', 2);
        const pages = await allPages((page) => docs().list({}, page), 5);
        expect(pages.map((page) => page.items.length)).toEqual([5, 5, 3]);
        const listed = pages.flatMap((page) => page.items);
        expect(listed.map((summary) => summary.document.name)).toEqual([...names].sort());
        const first = listed[0]!;
        expect(first.document.name).toBe('Doc-100');
        expect(first.version).toEqual(
          storedVersion(2, documentVersion({ name: 'Doc-100', description: 'second' })),
        );
        expect((await docs().list({}, { limit: 50 })).nextCursor).toBeUndefined();
        for (const cursor of FORGED_CURSORS) {
          await expectInvalidNextToken(docs().list({}, { limit: 5, cursor }));
        }
      });

      it('filters by owner, type, name prefix, keyword, platform, target type and tags', async () => {
        const add = async (
          name: string,
          document: Partial<NewDocument>,
          version: Partial<NewDocumentVersion> = {},
        ) =>
          docs().create(
            documentRecord({ name, ...document }),
            documentVersion({ name, ...version }),
          );
        await add('AWS-RunShellScript', { owner: 'Amazon' });
        await add(
          'AWS-StartSSHSession',
          { owner: 'Amazon', documentType: 'Session' },
          {
            platformTypes: ['Windows', 'Linux', 'MacOS'],
          },
        );
        await add('my_doc', {
          tags: [
            { key: 'env', value: 'prod' },
            { key: 'team', value: 'a' },
          ],
        });
        await add(
          'myXdoc',
          { tags: [{ key: 'env', value: 'dev' }] },
          { platformTypes: ['Windows'] },
        );
        await add('Deploy.Web', { documentType: 'Session' }, { targetType: '/AWS::EC2::Instance' });
        const names = async (filter: Parameters<typeof storage.documents.list>[0]) =>
          (await docs().list(filter, { limit: 50 })).items.map((s) => s.document.name);
        expect(await names({ owners: ['Amazon'] })).toEqual([
          'AWS-RunShellScript',
          'AWS-StartSSHSession',
        ]);
        // Byte order, as the cursor compares: 'X' (0x58) sorts before '_' (0x5f).
        expect(await names({ owners: [ACCOUNT] })).toEqual(['Deploy.Web', 'myXdoc', 'my_doc']);
        expect(await names({ owners: [] })).toEqual([]);
        expect(await names({ documentTypes: ['Session'] })).toEqual([
          'AWS-StartSSHSession',
          'Deploy.Web',
        ]);
        // A prefix is literal: `_` is not a wildcard.
        expect(await names({ namePrefixes: ['my_'] })).toEqual(['my_doc']);
        expect(await names({ namePrefixes: ['AWS-Start', 'Dep'] })).toEqual([
          'AWS-StartSSHSession',
          'Deploy.Web',
        ]);
        expect(await names({ keywords: ['SHELL'] })).toEqual(['AWS-RunShellScript']);
        expect(await names({ keywords: ['web', 'ssh'] })).toEqual([
          'AWS-StartSSHSession',
          'Deploy.Web',
        ]);
        expect(await names({ keywords: ['%'] })).toEqual([]);
        expect(await names({ platformTypes: ['Windows'] })).toEqual([
          'AWS-StartSSHSession',
          'myXdoc',
        ]);
        expect(await names({ targetTypes: ['/AWS::EC2::Instance'] })).toEqual(['Deploy.Web']);
        expect(await names({ tags: [{ key: 'env', values: [] }] })).toEqual(['myXdoc', 'my_doc']);
        expect(await names({ tags: [{ key: 'env', values: ['prod', 'qa'] }] })).toEqual(['my_doc']);
        expect(
          await names({
            tags: [
              { key: 'env', values: [] },
              { key: 'team', values: ['a'] },
            ],
          }),
        ).toEqual(['my_doc']);
        expect(
          await names({ owners: ['Amazon'], documentTypes: ['Command'], keywords: ['run'] }),
        ).toEqual(['AWS-RunShellScript']);
        // Filters stay applied across pages.
        const pages = await allPages((page) => docs().list({ owners: [ACCOUNT] }, page), 2);
        expect(pages.flatMap((page) => page.items.map((s) => s.document.name))).toEqual([
          'Deploy.Web',
          'myXdoc',
          'my_doc',
        ]);
      });

      it('adds tags replacing by key and removes tags by key, only on existing documents', async () => {
        await docs().create(
          documentRecord({ tags: [{ key: 'env', value: 'dev' }] }),
          documentVersion(),
        );
        expect(
          await docs().addTags('Demo-Doc', [
            { key: 'env', value: 'prod' },
            { key: 'team', value: 'ops' },
          ]),
        ).toBe(true);
        expect(withSortedTags(await docs().get('Demo-Doc')).tags).toEqual([
          { key: 'env', value: 'prod' },
          { key: 'team', value: 'ops' },
        ]);
        expect(await docs().removeTags('Demo-Doc', ['env', 'absent'])).toBe(true);
        expect((await docs().get('Demo-Doc'))?.tags).toEqual([{ key: 'team', value: 'ops' }]);
        expect(await docs().addTags('Missing-Doc', [{ key: 'a', value: 'b' }])).toBe(false);
        expect(await docs().removeTags('Missing-Doc', ['a'])).toBe(false);
      });
    });

    describeLogsCompliance(() => storage);

    describe('channel tokens', () => {
      it('is consumed once: the first call gets it marked used, later calls nothing', async () => {
        await storage.channelTokens.insert(token());
        const consume = () =>
          storage.channelTokens.consume(token().tokenHash, 'client-data', sessionId(1), T0 + 1);
        expect(await consume()).toEqual(token({ usedAt: T0 + 1 }));
        expect(await consume()).toBeUndefined();
      });

      it('refuses the wrong kind, channel, an expired or unknown token, changing nothing', async () => {
        await storage.channelTokens.insert(
          token({ kind: 'agent-control', channelId: instanceId(1) }),
        );
        const hash = token().tokenHash;
        const consume = storage.channelTokens.consume.bind(storage.channelTokens);
        expect(await consume(hash, 'agent-data', instanceId(1), T0)).toBeUndefined();
        expect(await consume(hash, 'client-data', instanceId(1), T0)).toBeUndefined();
        expect(await consume(hash, 'agent-control', instanceId(2), T0)).toBeUndefined();
        // Valid means expiresAt > now: expired at its expiry instant.
        expect(await consume(hash, 'agent-control', instanceId(1), T0 + 60_000)).toBeUndefined();
        expect(await consume(hash, 'agent-control', instanceId(1), T0 + 60_001)).toBeUndefined();
        expect(await consume('c'.repeat(64), 'agent-control', instanceId(1), T0)).toBeUndefined();
        // None of the refusals used it up.
        expect(await consume(hash, 'agent-control', instanceId(1), T0 + 59_999)).toEqual(
          token({ kind: 'agent-control', channelId: instanceId(1), usedAt: T0 + 59_999 }),
        );
      });

      it('round-trips an already used token, which cannot be consumed', async () => {
        const used = token({ usedAt: T0, expiresAt: FAR_FUTURE });
        await storage.channelTokens.insert(used);
        expect(
          await storage.channelTokens.consume(used.tokenHash, used.kind, used.channelId, T0 + 1),
        ).toBeUndefined();
        await expect(storage.channelTokens.insert(token())).rejects.toThrow();
      });

      it('hands a token to exactly one of many racing consumers', async () => {
        await storage.channelTokens.insert(token());
        const other = await harness.openAgain();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? storage : other).channelTokens.consume(
              token().tokenHash,
              'client-data',
              sessionId(1),
              T0 + i,
            ),
          ),
        );
        expect(results.filter((result) => result !== undefined)).toHaveLength(1);
      });

      it('deletes tokens expired at or before now, used or not', async () => {
        const tokens = [
          token({ tokenHash: '1'.repeat(64), expiresAt: T0 - 1 }),
          token({ tokenHash: '2'.repeat(64), expiresAt: T0, usedAt: T0 - 5 }),
          token({ tokenHash: '3'.repeat(64), expiresAt: T0 + 1 }),
          token({ tokenHash: '4'.repeat(64), expiresAt: T0 + 1, usedAt: T0 - 5 }),
        ];
        for (const t of tokens) await storage.channelTokens.insert(t);
        expect(await storage.channelTokens.deleteExpired(T0)).toBe(2);
        expect(await storage.channelTokens.deleteExpired(T0)).toBe(0);
        expect(
          await storage.channelTokens.consume('3'.repeat(64), 'client-data', sessionId(1), T0),
        ).toBeDefined();
        expect(await storage.channelTokens.deleteExpired(T0 + 1)).toBe(2);
      });
    });
  });
}
