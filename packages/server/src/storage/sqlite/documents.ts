// SSM documents in SQLite: a row per document holding its default/latest/last-issued version
// numbers, a row per version, tags in a child table. Every change that moves those numbers runs
// in one transaction with its condition, so racing updates cannot both take a version.

import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import type {
  DocumentFormat,
  DocumentRecord,
  DocumentSummary,
  DocumentType,
  DocumentVersionRecord,
  Page,
  PageRequest,
  PlatformType,
  Tag,
} from '../records.js';
import type { DocumentFilter, DocumentRepository, NewDocumentVersion } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';
import { SqliteTags } from './tags.js';
import { WhereClause } from './where-clause.js';

const LISTING = 'documents';
const VERSIONS_LISTING = 'document-versions';

interface DocumentRow {
  readonly name: string;
  readonly owner: string;
  readonly document_type: DocumentType;
  readonly default_version: number;
  readonly latest_version: number;
  readonly last_issued_version: number;
  readonly created_at: number;
}

interface VersionRow {
  readonly name: string;
  readonly document_version: number;
  readonly version_name: string | null;
  readonly display_name: string;
  readonly target_type: string;
  readonly content: string;
  readonly document_format: DocumentFormat;
  readonly content_hash: string;
  readonly schema_version: string;
  readonly description: string;
  readonly platform_types: string;
  readonly created_at: number;
}

// The version columns under a `v_` prefix, so a listing reads a document and its default
// version from one joined row.
const VERSION_COLUMNS = [
  'document_version',
  'version_name',
  'display_name',
  'target_type',
  'content',
  'document_format',
  'content_hash',
  'schema_version',
  'description',
  'platform_types',
  'created_at',
] as const;
const PREFIXED_VERSION_COLUMNS = VERSION_COLUMNS.map((column) => `v.${column} AS v_${column}`);

export class SqliteDocumentRepository implements DocumentRepository {
  private readonly tags;
  private readonly insertDocument;
  private readonly insertVersion;
  private readonly selectDocument;
  private readonly selectVersion;
  private readonly selectVersionByName;
  private readonly selectVersionByHash;
  private readonly claimVersion;
  private readonly updateDefault;
  private readonly removeVersion;
  private readonly updateLatest;
  private readonly removeDocument;
  private readonly countOwned;

  constructor(private readonly db: SqliteDatabase) {
    this.tags = new SqliteTags(db, { table: 'document_tags', owner: 'name' });
    // ON CONFLICT DO NOTHING: a taken name reports zero changes instead of an exception.
    this.insertDocument = db.prepare(
      `INSERT INTO documents (name, owner, document_type, default_version, latest_version,
         last_issued_version, created_at)
       VALUES (?, ?, ?, 1, 1, 1, ?) ON CONFLICT (name) DO NOTHING`,
    );
    this.insertVersion = db.prepare(
      `INSERT INTO document_versions (name, document_version, version_name, display_name,
         target_type, content, document_format, content_hash, schema_version, description,
         platform_types, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectDocument = db.prepare('SELECT * FROM documents WHERE name = ?');
    this.selectVersion = db.prepare(
      'SELECT * FROM document_versions WHERE name = ? AND document_version = ?',
    );
    this.selectVersionByName = db.prepare(
      'SELECT * FROM document_versions WHERE name = ? AND version_name = ?',
    );
    this.selectVersionByHash = db.prepare(
      `SELECT * FROM document_versions WHERE name = ? AND content_hash = ?
       ORDER BY document_version LIMIT 1`,
    );
    this.claimVersion = db.prepare(
      `UPDATE documents SET last_issued_version = last_issued_version + 1,
         latest_version = last_issued_version + 1
       WHERE name = ? AND latest_version = ?
       RETURNING last_issued_version`,
    );
    this.updateDefault = db.prepare(
      `UPDATE documents SET default_version = ?
       WHERE name = ? AND EXISTS (SELECT 1 FROM document_versions v
         WHERE v.name = documents.name AND v.document_version = ?)`,
    );
    this.removeVersion = db.prepare(
      `DELETE FROM document_versions WHERE name = ? AND document_version = ?
         AND document_version <> (SELECT default_version FROM documents d WHERE d.name = ?)`,
    );
    this.updateLatest = db.prepare(
      `UPDATE documents SET latest_version =
         (SELECT MAX(document_version) FROM document_versions v WHERE v.name = documents.name)
       WHERE name = ?`,
    );
    // Versions and tags go with it (ON DELETE CASCADE).
    this.removeDocument = db.prepare('DELETE FROM documents WHERE name = ?');
    this.countOwned = db.prepare('SELECT COUNT(*) AS count FROM documents WHERE owner = ?');
  }

  create(
    document: Omit<DocumentRecord, 'defaultVersion' | 'latestVersion' | 'lastIssuedVersion'>,
    first: NewDocumentVersion,
  ): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        const inserted = this.insertDocument.run(
          document.name,
          document.owner,
          document.documentType,
          document.createdAt,
        );
        if (inserted.changes === 0) return false;
        this.putVersion({ ...first, name: document.name, documentVersion: 1 });
        this.tags.put(document.name, document.tags);
        return true;
      })(),
    );
  }

  get(name: string): Promise<DocumentRecord | undefined> {
    return promised(() => {
      const row = this.selectDocument.get(name) as DocumentRow | undefined;
      return row && this.withTags([row])[0];
    });
  }

  getVersion(name: string, documentVersion: number): Promise<DocumentVersionRecord | undefined> {
    return promised(() => {
      const row = this.selectVersion.get(name, documentVersion) as VersionRow | undefined;
      return row && toVersion(row);
    });
  }

  findVersionByName(name: string, versionName: string): Promise<DocumentVersionRecord | undefined> {
    return promised(() => {
      const row = this.selectVersionByName.get(name, versionName) as VersionRow | undefined;
      return row && toVersion(row);
    });
  }

  findVersionByHash(name: string, contentHash: string): Promise<DocumentVersionRecord | undefined> {
    return promised(() => {
      const row = this.selectVersionByHash.get(name, contentHash) as VersionRow | undefined;
      return row && toVersion(row);
    });
  }

  addVersion(
    version: NewDocumentVersion,
    expectedLatest: number,
  ): Promise<DocumentVersionRecord | undefined> {
    return promised(() =>
      this.db.transaction(() => {
        const claimed = this.claimVersion.get(version.name, expectedLatest) as
          { last_issued_version: number } | undefined;
        if (claimed === undefined) return undefined;
        const stored = { ...version, documentVersion: claimed.last_issued_version };
        // A repeated version name violates the UNIQUE constraint and rolls the claim back.
        this.putVersion(stored);
        return stored;
      })(),
    );
  }

  setDefaultVersion(name: string, documentVersion: number): Promise<DocumentRecord | undefined> {
    return promised(() =>
      this.db.transaction(() => {
        if (this.updateDefault.run(documentVersion, name, documentVersion).changes === 0) {
          return undefined;
        }
        const row = this.selectDocument.get(name) as DocumentRow;
        return this.withTags([row])[0];
      })(),
    );
  }

  listVersions(name: string, page: PageRequest): Promise<Page<DocumentVersionRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause().and('name = ?', name);
      if (page.cursor !== undefined) {
        const [after] = decodeCursor(VERSIONS_LISTING, page.cursor, ['number']);
        where.and('document_version > ?', after);
      }
      const rows = this.db
        .prepare(
          `SELECT * FROM document_versions ${where.toString()} ORDER BY document_version LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as VersionRow[];
      return pageFromRows(rows.map(toVersion), page.limit, VERSIONS_LISTING, (version) => [
        version.documentVersion,
      ]);
    });
  }

  deleteVersion(name: string, documentVersion: number): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        if (this.removeVersion.run(name, documentVersion, name).changes === 0) return false;
        this.updateLatest.run(name);
        return true;
      })(),
    );
  }

  delete(name: string): Promise<boolean> {
    return promised(() => this.removeDocument.run(name).changes > 0);
  }

  list(filter: DocumentFilter, page: PageRequest): Promise<Page<DocumentSummary>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .in('d.owner', filter.owners)
        .in('d.document_type', filter.documentTypes)
        .in('v.target_type', filter.targetTypes);
      if (filter.namePrefixes !== undefined) {
        // substr rather than LIKE: names may hold `_`, which LIKE treats as a wildcard.
        where.and(
          `EXISTS (SELECT 1 FROM json_each(?) p
             WHERE substr(d.name, 1, length(p.value)) = p.value)`,
          JSON.stringify(filter.namePrefixes),
        );
      }
      if (filter.keywords !== undefined) {
        where.and(
          `EXISTS (SELECT 1 FROM json_each(?) k WHERE instr(lower(d.name), lower(k.value)) > 0)`,
          JSON.stringify(filter.keywords),
        );
      }
      if (filter.platformTypes !== undefined) {
        where.and(
          `EXISTS (SELECT 1 FROM json_each(v.platform_types) p
             WHERE p.value IN (SELECT value FROM json_each(?)))`,
          JSON.stringify(filter.platformTypes),
        );
      }
      for (const tag of filter.tags ?? []) {
        const exists =
          'EXISTS (SELECT 1 FROM document_tags t WHERE t.name = d.name AND t.tag_key = ?';
        if (tag.values.length === 0) where.and(`${exists})`, tag.key);
        else {
          where.and(
            `${exists} AND t.tag_value IN (SELECT value FROM json_each(?)))`,
            tag.key,
            JSON.stringify(tag.values),
          );
        }
      }
      if (page.cursor !== undefined) {
        const [after] = decodeCursor(LISTING, page.cursor, ['string']);
        where.and('d.name > ?', after);
      }
      const rows = this.db
        .prepare(
          `SELECT d.*, ${PREFIXED_VERSION_COLUMNS.join(', ')}
           FROM documents d
           JOIN document_versions v ON v.name = d.name AND v.document_version = d.default_version
           ${where.toString()}
           ORDER BY d.name LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as (DocumentRow & Record<string, unknown>)[];
      const documents = this.withTags(rows);
      const summaries = rows.map((row, index) => ({
        document: documents[index]!,
        version: toVersion(unprefixed(row)),
      }));
      return pageFromRows(summaries, page.limit, LISTING, (summary) => [summary.document.name]);
    });
  }

  count(owner: string): Promise<number> {
    return promised(() => (this.countOwned.get(owner) as { count: number }).count);
  }

  addTags(name: string, tags: readonly Tag[]): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        if (this.selectDocument.get(name) === undefined) return false;
        this.tags.put(name, tags);
        return true;
      })(),
    );
  }

  removeTags(name: string, keys: readonly string[]): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        if (this.selectDocument.get(name) === undefined) return false;
        this.tags.remove(name, keys);
        return true;
      })(),
    );
  }

  private putVersion(version: DocumentVersionRecord): void {
    this.insertVersion.run(
      version.name,
      version.documentVersion,
      version.versionName,
      version.displayName,
      version.targetType,
      version.content,
      version.documentFormat,
      version.contentHash,
      version.schemaVersion,
      version.description,
      JSON.stringify(version.platformTypes),
      version.createdAt,
    );
  }

  private withTags(rows: readonly DocumentRow[]): DocumentRecord[] {
    const tags = this.tags.load(rows.map((row) => row.name));
    return rows.map((row) => toDocument(row, tags.get(row.name) ?? []));
  }
}

function unprefixed(row: DocumentRow & Record<string, unknown>): VersionRow {
  const version: Record<string, unknown> = { name: row.name };
  for (const column of VERSION_COLUMNS) version[column] = row[`v_${column}`];
  return version as unknown as VersionRow;
}

function toDocument(row: DocumentRow, tags: readonly Tag[]): DocumentRecord {
  return {
    name: row.name,
    owner: row.owner,
    documentType: row.document_type,
    defaultVersion: row.default_version,
    latestVersion: row.latest_version,
    lastIssuedVersion: row.last_issued_version,
    createdAt: row.created_at,
    tags,
  };
}

function toVersion(row: VersionRow): DocumentVersionRecord {
  return {
    name: row.name,
    documentVersion: row.document_version,
    versionName: row.version_name,
    displayName: row.display_name,
    targetType: row.target_type,
    content: row.content,
    documentFormat: row.document_format,
    contentHash: row.content_hash,
    schemaVersion: row.schema_version,
    description: row.description,
    platformTypes: JSON.parse(row.platform_types) as PlatformType[],
    createdAt: row.created_at,
  };
}
