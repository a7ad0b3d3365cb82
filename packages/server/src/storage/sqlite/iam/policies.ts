// Customer managed policies and their versions in SQLite. Version ids count up and are never
// reused (AWS: after v1..v5 and deleting v2, the next is v6).

import type { ManagedPolicyRecord, PolicyVersionRecord } from '../../iam-records.js';
import {
  MAX_POLICY_VERSIONS,
  type AddVersionResult,
  type DeleteVersionResult,
  type ManagedPolicyRepository,
} from '../../iam-repositories.js';
import type { Page, PageRequest } from '../../records.js';
import { promised, type SqliteDatabase } from '../database.js';
import { listNamed, nameKey } from './named-listing.js';

interface PolicyRow {
  readonly policy_id: string;
  readonly policy_name: string;
  readonly name_key: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly default_version: string;
  readonly next_version: number;
  readonly created_at: number;
  readonly updated_at: number;
}

interface VersionRow {
  readonly policy_arn: string;
  readonly version_id: string;
  readonly document: string;
  readonly created_at: number;
}

export class SqliteManagedPolicyRepository implements ManagedPolicyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(policy: ManagedPolicyRecord, document: string): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        const inserted = this.db
          .prepare(
            `INSERT INTO iam_policies (policy_id, policy_name, name_key, path, arn, description,
               default_version, next_version, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            policy.policyId,
            policy.policyName,
            nameKey(policy.policyName),
            policy.path,
            policy.arn,
            policy.description,
            policy.createdAt,
            policy.updatedAt,
          ).changes;
        if (inserted === 0) return false;
        this.insertVersion(policy.arn, 'v1', document, policy.createdAt);
        return true;
      })(),
    );
  }

  get(policyArn: string): Promise<ManagedPolicyRecord | undefined> {
    return promised(() => {
      const row = this.db.prepare('SELECT * FROM iam_policies WHERE arn = ?').get(policyArn) as
        PolicyRow | undefined;
      return row && toRecord(row);
    });
  }

  list(
    pathPrefix: string,
    page: PageRequest,
    onlyAttached = false,
  ): Promise<Page<ManagedPolicyRecord>> {
    return promised(() =>
      listNamed(
        this.db,
        'iam_policies',
        pathPrefix,
        page,
        toRecord,
        onlyAttached
          ? 'EXISTS (SELECT 1 FROM iam_attachments WHERE iam_attachments.policy_arn = iam_policies.arn)'
          : undefined,
      ),
    );
  }

  addVersion(
    policyArn: string,
    document: string,
    setAsDefault: boolean,
    now: number,
  ): Promise<AddVersionResult> {
    return promised(() =>
      this.db.transaction((): AddVersionResult => {
        const policy = this.db
          .prepare('SELECT * FROM iam_policies WHERE arn = ?')
          .get(policyArn) as PolicyRow | undefined;
        if (policy === undefined) return 'missing';
        const { count } = this.db
          .prepare('SELECT count(*) AS count FROM iam_policy_versions WHERE policy_arn = ?')
          .get(policyArn) as { count: number };
        if (count >= MAX_POLICY_VERSIONS) return 'limit-exceeded';
        const versionId = `v${String(policy.next_version)}`;
        this.insertVersion(policyArn, versionId, document, now);
        this.db
          .prepare(
            `UPDATE iam_policies SET next_version = next_version + 1, updated_at = ?,
               default_version = CASE WHEN ? = 1 THEN ? ELSE default_version END
             WHERE arn = ?`,
          )
          .run(now, setAsDefault ? 1 : 0, versionId, policyArn);
        return { policyArn, versionId, document, createdAt: now };
      })(),
    );
  }

  getVersion(policyArn: string, versionId: string): Promise<PolicyVersionRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?')
        .get(policyArn, versionId) as VersionRow | undefined;
      return row && toVersion(row);
    });
  }

  listVersions(policyArn: string): Promise<readonly PolicyVersionRecord[]> {
    return promised(() =>
      (
        this.db
          .prepare(
            `SELECT * FROM iam_policy_versions WHERE policy_arn = ?
             ORDER BY created_at DESC, length(version_id) DESC, version_id DESC`,
          )
          .all(policyArn) as VersionRow[]
      ).map(toVersion),
    );
  }

  deleteVersion(policyArn: string, versionId: string): Promise<DeleteVersionResult> {
    return promised(() =>
      this.db.transaction((): DeleteVersionResult => {
        const policy = this.db
          .prepare('SELECT default_version FROM iam_policies WHERE arn = ?')
          .get(policyArn) as { default_version: string } | undefined;
        if (policy === undefined) return 'missing';
        if (policy.default_version === versionId) return 'is-default';
        const deleted = this.db
          .prepare('DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?')
          .run(policyArn, versionId).changes;
        return deleted > 0 ? 'deleted' : 'missing';
      })(),
    );
  }

  setDefaultVersion(policyArn: string, versionId: string, now: number): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `UPDATE iam_policies SET default_version = ?, updated_at = ?
             WHERE arn = ? AND EXISTS (SELECT 1 FROM iam_policy_versions
               WHERE policy_arn = ? AND version_id = ?)`,
          )
          .run(versionId, now, policyArn, policyArn, versionId).changes > 0,
    );
  }

  delete(policyArn: string): Promise<boolean> {
    return promised(
      () => this.db.prepare('DELETE FROM iam_policies WHERE arn = ?').run(policyArn).changes > 0,
    );
  }

  private insertVersion(policyArn: string, versionId: string, document: string, now: number) {
    this.db
      .prepare(
        `INSERT INTO iam_policy_versions (policy_arn, version_id, document, created_at)
         VALUES (?, ?, ?, ?)`,
      )
      .run(policyArn, versionId, document, now);
  }
}

function toRecord(row: PolicyRow): ManagedPolicyRecord {
  return {
    policyId: row.policy_id,
    policyName: row.policy_name,
    path: row.path,
    arn: row.arn,
    description: row.description,
    defaultVersionId: row.default_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(row: VersionRow): PolicyVersionRecord {
  return {
    policyArn: row.policy_arn,
    versionId: row.version_id,
    document: row.document,
    createdAt: row.created_at,
  };
}
