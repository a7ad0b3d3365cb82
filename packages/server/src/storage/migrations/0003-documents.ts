// SSM documents (docs/documents.md): one row per document, one per version, tags in a child
// table. Same portable SQL as 0001. Built-in documents are not seeded here: the server syncs
// them on start, so a release can ship new versions of AWS's documents without a migration.

export const version = 3;
export const name = 'documents';

// Notes on the choices below:
// - `latest_version >= default_version` and `last_issued_version >= latest_version` hold by
//   construction; the CHECKs keep a driver bug from breaking them.
// - Version names are unique per document; NULL (no name) may repeat in SQLite and PostgreSQL.
// - `platform_types` is a JSON array of the default's platforms, filtered with json_each in
//   SQLite and jsonb operators in PostgreSQL.
export const up = `
CREATE TABLE documents (
  name TEXT NOT NULL PRIMARY KEY,
  owner TEXT NOT NULL,
  document_type TEXT NOT NULL CHECK (document_type IN ('Command', 'Session')),
  default_version INTEGER NOT NULL CHECK (default_version >= 1),
  latest_version INTEGER NOT NULL CHECK (latest_version >= default_version),
  last_issued_version INTEGER NOT NULL CHECK (last_issued_version >= latest_version),
  created_at BIGINT NOT NULL
);
CREATE INDEX documents_owner ON documents (owner, name);

CREATE TABLE document_versions (
  name TEXT NOT NULL REFERENCES documents (name) ON DELETE CASCADE,
  document_version INTEGER NOT NULL CHECK (document_version >= 1),
  version_name TEXT,
  display_name TEXT NOT NULL,
  target_type TEXT NOT NULL,
  content TEXT NOT NULL,
  document_format TEXT NOT NULL CHECK (document_format IN ('JSON', 'YAML', 'TEXT')),
  content_hash TEXT NOT NULL,
  schema_version TEXT NOT NULL,
  description TEXT NOT NULL,
  platform_types TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, document_version),
  UNIQUE (name, version_name)
);
CREATE INDEX document_versions_hash ON document_versions (name, content_hash);

CREATE TABLE document_tags (
  name TEXT NOT NULL REFERENCES documents (name) ON DELETE CASCADE,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (name, tag_key)
);
CREATE INDEX document_tags_key_value ON document_tags (tag_key, tag_value);
`;
