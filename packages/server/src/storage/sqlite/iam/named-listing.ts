// The listing every IAM entity table shares: by lowercase name (the unique key), filtered by a
// path prefix, paged by keyset on that name.

import { assertPageLimit, decodeCursor, pageFromRows } from '../../pagination.js';
import type { NameAndPath, RenameResult } from '../../iam-repositories.js';
import type { Page, PageRequest } from '../../records.js';
import type { SqliteDatabase } from '../database.js';

export interface NamedRow {
  readonly name_key: string;
}

/** IAM compares names without regard to case; the key is what uniqueness and order use. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/**
 * Rows of `table` whose path starts with `pathPrefix`, ordered by name key. `table` comes from
 * the code, never from a caller.
 */
export function listNamed<Row extends NamedRow, T>(
  db: SqliteDatabase,
  table: string,
  pathPrefix: string,
  page: PageRequest,
  toRecord: (row: Row) => T,
  /** An extra condition on the row, from the code (never from input). */
  where = '1 = 1',
): Page<T> {
  assertPageLimit(page.limit);
  const after =
    page.cursor === undefined ? '' : decodeCursor(table, page.cursor, ['string'] as const)[0];
  // substr instead of LIKE: a path may contain `%` or `_`, which LIKE would read as wildcards.
  const rows = db
    .prepare(
      `SELECT * FROM ${table}
       WHERE substr(path, 1, length(?)) = ? AND name_key > ? AND (${where})
       ORDER BY name_key LIMIT ?`,
    )
    .all(pathPrefix, pathPrefix, after, page.limit + 1) as Row[];
  const paged = pageFromRows(rows, page.limit, table, (row) => [row.name_key]);
  return {
    items: paged.items.map(toRecord),
    ...(paged.nextCursor === undefined ? {} : { nextCursor: paged.nextCursor }),
  };
}

/**
 * Renames (and moves) the row named `current` in `table` to `to`, unless another row already
 * has the new name in any case. `table` and `nameColumn` come from the code.
 */
export function renameNamed(
  db: SqliteDatabase,
  table: string,
  nameColumn: string,
  current: string,
  to: NameAndPath,
): RenameResult {
  return db.transaction((): RenameResult => {
    const wanted = nameKey(to.name);
    if (wanted !== nameKey(current)) {
      const taken = db.prepare(`SELECT 1 FROM ${table} WHERE name_key = ?`).get(wanted);
      if (taken !== undefined) return 'name-taken';
    }
    const changed = db
      .prepare(
        `UPDATE ${table} SET ${nameColumn} = ?, name_key = ?, path = ?, arn = ? WHERE name_key = ?`,
      )
      .run(to.name, wanted, to.path, to.arn, nameKey(current)).changes;
    return changed > 0 ? 'updated' : 'missing';
  })();
}

export function parseTags(json: string): { key: string; value: string }[] {
  const object = JSON.parse(json) as Record<string, string>;
  return Object.entries(object).map(([key, value]) => ({ key, value }));
}

export function encodeTags(tags: readonly { key: string; value: string }[]): string {
  return JSON.stringify(Object.fromEntries(tags.map((tag) => [tag.key, tag.value])));
}
