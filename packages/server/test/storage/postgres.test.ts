// The PostgreSQL run of the storage compliance suite. The driver arrives with the scale-out
// issue; until then this file only documents how the run will be enabled, so the gap shows up
// as a named skip in every test report rather than as silence.

import { describe, it } from 'vitest';

describe.skip('storage compliance: postgres — skipped until the PostgreSQL driver lands (scale-out issue); then set OPENSSM_TEST_POSTGRES_URL=postgres://user:password@127.0.0.1:5432/openssm_test to run it', () => {
  it('runs describeStorageCompliance against a fresh schema per test', () => {});
});
