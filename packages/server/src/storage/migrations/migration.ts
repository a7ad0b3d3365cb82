// What a versioned schema migration is, and the checks every driver's runner applies before
// touching a database: versions ascend from 1 without gaps, and a database ahead of the code
// is refused rather than written to by a release that does not understand its schema.

/** One migration file: `NNNN-name.ts` exporting these three. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL run once, inside one transaction with its `schema_migrations` row. */
  readonly up: string;
}

/** The database was migrated by a newer release than this one. */
export class SchemaVersionError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `database schema version ${String(databaseVersion)} is newer than this OpenSSM knows ` +
        `(${String(knownVersion)}); run the release that migrated it, or a newer one`,
    );
    this.name = 'SchemaVersionError';
  }
}

/** The newest version in `migrations` (0 for none), after checking their order. */
export function latestMigrationVersion(migrations: readonly Migration[]): number {
  migrations.forEach((migration, index) => {
    // A gap or a duplicate would let two databases claim one version with different schemas.
    if (migration.version !== index + 1) {
      throw new Error(
        `migration ${migration.name} has version ${String(migration.version)}, expected ${String(index + 1)}`,
      );
    }
  });
  return migrations.length;
}

/** Throws when the database is ahead of the code that is about to use it. */
export function assertSchemaNotNewer(databaseVersion: number, knownVersion: number): void {
  if (databaseVersion > knownVersion) throw new SchemaVersionError(databaseVersion, knownVersion);
}
