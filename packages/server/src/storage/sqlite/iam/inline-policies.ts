// Inline policies of users, groups and roles in SQLite.

import type { InlinePolicyRecord, PolicyOwnerKind } from '../../iam-records.js';
import type { InlinePolicyRepository } from '../../iam-repositories.js';
import { promised, type SqliteDatabase } from '../database.js';
import { nameKey } from './named-listing.js';

interface InlineRow {
  readonly owner_kind: PolicyOwnerKind;
  readonly owner_id: string;
  readonly policy_name: string;
  readonly document: string;
}

export class SqliteInlinePolicyRepository implements InlinePolicyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  put(policy: InlinePolicyRecord): Promise<void> {
    return promised(() => {
      this.db
        .prepare(
          `INSERT INTO iam_inline_policies (owner_kind, owner_id, policy_name, name_key, document)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (owner_kind, owner_id, name_key)
           DO UPDATE SET policy_name = excluded.policy_name, document = excluded.document`,
        )
        .run(
          policy.ownerKind,
          policy.ownerId,
          policy.policyName,
          nameKey(policy.policyName),
          policy.document,
        );
    });
  }

  get(ownerKind: PolicyOwnerKind, ownerId: string, policyName: string) {
    return promised(() => {
      const row = this.db
        .prepare(
          `SELECT * FROM iam_inline_policies
           WHERE owner_kind = ? AND owner_id = ? AND name_key = ?`,
        )
        .get(ownerKind, ownerId, nameKey(policyName)) as InlineRow | undefined;
      return row && toRecord(row);
    });
  }

  delete(ownerKind: PolicyOwnerKind, ownerId: string, policyName: string): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            'DELETE FROM iam_inline_policies WHERE owner_kind = ? AND owner_id = ? AND name_key = ?',
          )
          .run(ownerKind, ownerId, nameKey(policyName)).changes > 0,
    );
  }

  list(ownerKind: PolicyOwnerKind, ownerId: string): Promise<readonly InlinePolicyRecord[]> {
    return promised(() =>
      (
        this.db
          .prepare(
            `SELECT * FROM iam_inline_policies WHERE owner_kind = ? AND owner_id = ?
             ORDER BY name_key`,
          )
          .all(ownerKind, ownerId) as InlineRow[]
      ).map(toRecord),
    );
  }
}

function toRecord(row: InlineRow): InlinePolicyRecord {
  return {
    ownerKind: row.owner_kind,
    ownerId: row.owner_id,
    policyName: row.policy_name,
    document: row.document,
  };
}
