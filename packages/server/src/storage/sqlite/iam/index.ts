// The IAM repositories over one SQLite connection.

import type { IamStorage } from '../../iam-repositories.js';
import type { SqliteDatabase } from '../database.js';
import { SqlitePolicyAttachmentRepository } from './attachments.js';
import { SqliteIamGroupRepository } from './groups.js';
import { SqliteInlinePolicyRepository } from './inline-policies.js';
import { SqliteLoginProfileRepository } from './login-profiles.js';
import { SqliteMfaDeviceRepository } from './mfa-devices.js';
import { SqliteConsoleSessionRepository } from './console-sessions.js';
import { SqliteManagedPolicyRepository } from './policies.js';
import { SqliteIamRoleRepository } from './roles.js';
import { SqliteIamUserRepository } from './users.js';

export function createSqliteIamStorage(db: SqliteDatabase): IamStorage {
  return {
    users: new SqliteIamUserRepository(db),
    groups: new SqliteIamGroupRepository(db),
    roles: new SqliteIamRoleRepository(db),
    policies: new SqliteManagedPolicyRepository(db),
    attachments: new SqlitePolicyAttachmentRepository(db),
    inlinePolicies: new SqliteInlinePolicyRepository(db),
    loginProfiles: new SqliteLoginProfileRepository(db),
    mfaDevices: new SqliteMfaDeviceRepository(db),
    consoleSessions: new SqliteConsoleSessionRepository(db),
  };
}
