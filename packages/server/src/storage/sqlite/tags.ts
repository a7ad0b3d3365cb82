// Tags of activations, instances and documents, kept in child tables keyed by (owner id, key),
// so that adding a tag replaces the one with the same key and filtering by tag is an indexed
// lookup.

import type { Tag } from '../records.js';
import type { SqliteDatabase } from './database.js';

/** The two tag tables and their owner column (fixed names: they are interpolated into SQL). */
export type TagTable =
  | { readonly table: 'activation_tags'; readonly owner: 'activation_id' }
  | { readonly table: 'instance_tags'; readonly owner: 'instance_id' }
  | { readonly table: 'document_tags'; readonly owner: 'name' };

interface TagRow {
  readonly owner_id: string;
  readonly tag_key: string;
  readonly tag_value: string;
}

export class SqliteTags {
  private readonly upsertTag;
  private readonly deleteTag;
  private readonly selectTags;

  constructor(db: SqliteDatabase, { table, owner }: TagTable) {
    this.upsertTag = db.prepare(
      `INSERT INTO ${table} (${owner}, tag_key, tag_value) VALUES (?, ?, ?)
       ON CONFLICT (${owner}, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
    );
    this.deleteTag = db.prepare(`DELETE FROM ${table} WHERE ${owner} = ? AND tag_key = ?`);
    // One query per page rather than one per item; the JSON array keeps the statement fixed.
    this.selectTags = db.prepare(
      `SELECT ${owner} AS owner_id, tag_key, tag_value FROM ${table}
       WHERE ${owner} IN (SELECT value FROM json_each(?)) ORDER BY tag_key`,
    );
  }

  /** Adds or replaces by key; call inside the transaction that checked the owner exists. */
  put(ownerId: string, tags: readonly Tag[]): void {
    for (const tag of tags) this.upsertTag.run(ownerId, tag.key, tag.value);
  }

  remove(ownerId: string, keys: readonly string[]): void {
    for (const key of keys) this.deleteTag.run(ownerId, key);
  }

  /** Every owner's tags, sorted by key; owners without tags map to an empty list. */
  load(ownerIds: readonly string[]): ReadonlyMap<string, readonly Tag[]> {
    const tags = new Map<string, Tag[]>(ownerIds.map((id) => [id, []]));
    if (ownerIds.length === 0) return tags;
    const rows = this.selectTags.all(JSON.stringify(ownerIds)) as TagRow[];
    for (const row of rows) {
      tags.get(row.owner_id)?.push({ key: row.tag_key, value: row.tag_value });
    }
    return tags;
  }
}
