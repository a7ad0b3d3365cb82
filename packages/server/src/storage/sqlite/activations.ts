// Activations in SQLite, with their tags. Registration slots are claimed by one conditional
// UPDATE, so racing registrations can never take more slots than the limit allows.

import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import type { ActivationRecord, Page, PageRequest, Tag } from '../records.js';
import type { ActivationFilter, ActivationRepository } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';
import { SqliteTags } from './tags.js';
import { WhereClause } from './where-clause.js';

const LISTING = 'activations';

interface ActivationRow {
  readonly activation_id: string;
  readonly activation_code_hash: string;
  readonly description: string;
  readonly default_instance_name: string;
  readonly iam_role: string;
  readonly registration_limit: number;
  readonly registrations_count: number;
  readonly expires_at: number;
  readonly created_at: number;
}

export class SqliteActivationRepository implements ActivationRepository {
  private readonly tags;
  private readonly insertActivation;
  private readonly selectActivation;
  private readonly deleteActivation;
  private readonly claimSlot;

  constructor(private readonly db: SqliteDatabase) {
    this.tags = new SqliteTags(db, { table: 'activation_tags', owner: 'activation_id' });
    this.insertActivation = db.prepare(
      `INSERT INTO activations (activation_id, activation_code_hash, description,
         default_instance_name, iam_role, registration_limit, registrations_count, expires_at,
         created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectActivation = db.prepare('SELECT * FROM activations WHERE activation_id = ?');
    // Tags go with it (ON DELETE CASCADE).
    this.deleteActivation = db.prepare('DELETE FROM activations WHERE activation_id = ?');
    this.claimSlot = db.prepare(
      `UPDATE activations SET registrations_count = registrations_count + 1
       WHERE activation_id = ? AND registrations_count < registration_limit AND expires_at > ?`,
    );
  }

  insert(activation: ActivationRecord): Promise<void> {
    return promised(() => {
      this.db.transaction(() => {
        this.insertActivation.run(
          activation.activationId,
          activation.activationCodeHash,
          activation.description,
          activation.defaultInstanceName,
          activation.iamRole,
          activation.registrationLimit,
          activation.registrationsCount,
          activation.expiresAt,
          activation.createdAt,
        );
        this.tags.put(activation.activationId, activation.tags);
      })();
    });
  }

  get(activationId: string): Promise<ActivationRecord | undefined> {
    return promised(() => {
      const row = this.selectActivation.get(activationId) as ActivationRow | undefined;
      return row && this.withTags([row])[0];
    });
  }

  list(filter: ActivationFilter, page: PageRequest): Promise<Page<ActivationRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .in('activation_id', filter.activationIds)
        .equals('iam_role', filter.iamRole)
        .equals('default_instance_name', filter.defaultInstanceName);
      if (page.cursor !== undefined) {
        const [createdAt, activationId] = decodeCursor(LISTING, page.cursor, ['number', 'string']);
        where.and(
          '(created_at > ? OR (created_at = ? AND activation_id > ?))',
          createdAt,
          createdAt,
          activationId,
        );
      }
      const rows = this.db
        .prepare(
          `SELECT * FROM activations ${where.toString()}
           ORDER BY created_at, activation_id LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as ActivationRow[];
      return pageFromRows(this.withTags(rows), page.limit, LISTING, (activation) => [
        activation.createdAt,
        activation.activationId,
      ]);
    });
  }

  delete(activationId: string): Promise<boolean> {
    return promised(() => this.deleteActivation.run(activationId).changes > 0);
  }

  claimRegistration(activationId: string, now: number): Promise<boolean> {
    return promised(() => this.claimSlot.run(activationId, now).changes > 0);
  }

  private withTags(rows: readonly ActivationRow[]): ActivationRecord[] {
    const tags = this.tags.load(rows.map((row) => row.activation_id));
    return rows.map((row) => toRecord(row, tags.get(row.activation_id) ?? []));
  }
}

function toRecord(row: ActivationRow, tags: readonly Tag[]): ActivationRecord {
  return {
    activationId: row.activation_id,
    activationCodeHash: row.activation_code_hash,
    description: row.description,
    defaultInstanceName: row.default_instance_name,
    iamRole: row.iam_role,
    registrationLimit: row.registration_limit,
    registrationsCount: row.registrations_count,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    tags,
  };
}
