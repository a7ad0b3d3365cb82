// Which managed policies are attached to which users, groups and roles, in SQLite.

import type { PolicyAttachmentRecord, PolicyOwnerKind } from '../../iam-records.js';
import type { PolicyAttachmentRepository } from '../../iam-repositories.js';
import { promised, type SqliteDatabase } from '../database.js';

interface AttachmentRow {
  readonly owner_kind: PolicyOwnerKind;
  readonly policy_arn: string;
  readonly attached_at: number;
}

export class SqlitePolicyAttachmentRepository implements PolicyAttachmentRepository {
  constructor(private readonly db: SqliteDatabase) {}

  attach(ownerKind: PolicyOwnerKind, ownerId: string, policyArn: string, now: number) {
    return promised(() => {
      this.db
        .prepare(
          `INSERT INTO iam_attachments (owner_kind, owner_id, policy_arn, attached_at)
           VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(ownerKind, ownerId, policyArn, now);
    });
  }

  detach(ownerKind: PolicyOwnerKind, ownerId: string, policyArn: string): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            'DELETE FROM iam_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?',
          )
          .run(ownerKind, ownerId, policyArn).changes > 0,
    );
  }

  listFor(ownerKind: PolicyOwnerKind, ownerId: string): Promise<readonly PolicyAttachmentRecord[]> {
    return promised(() =>
      (
        this.db
          .prepare(
            `SELECT * FROM iam_attachments WHERE owner_kind = ? AND owner_id = ?
             ORDER BY attached_at, policy_arn`,
          )
          .all(ownerKind, ownerId) as AttachmentRow[]
      ).map((row) => ({
        ownerKind: row.owner_kind,
        policyArn: row.policy_arn,
        attachedAt: row.attached_at,
      })),
    );
  }

  count(policyArn: string): Promise<number> {
    return promised(
      () =>
        (
          this.db
            .prepare('SELECT count(*) AS count FROM iam_attachments WHERE policy_arn = ?')
            .get(policyArn) as { count: number }
        ).count,
    );
  }
}
