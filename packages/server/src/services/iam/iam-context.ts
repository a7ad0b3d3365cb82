// What every IAM service module needs: the storage, the server identity for ARNs, the clock,
// and lookups that turn a missing entity into IAM's NoSuchEntity.

import type { IamStorage } from '../../storage/iam-repositories.js';
import type {
  IamGroupRecord,
  IamRoleRecord,
  IamUserRecord,
  PolicyOwnerKind,
} from '../../storage/iam-records.js';
import type { AccessKeyRepository } from '../../storage/repositories.js';
import type { CredentialStore } from '../credential-store.js';
import type { ServerIdentity } from '../services.js';
import { noSuchEntity } from './iam-validation.js';

export interface IamDependencies {
  readonly iam: IamStorage;
  readonly accessKeys: AccessKeyRepository;
  readonly credentials: CredentialStore;
  readonly identity: ServerIdentity;
  /**
   * Checks a code of the user's enabled TOTP device, each code once (console/console-mfa.ts);
   * absent where nothing can verify codes, and then GetSessionToken refuses a SerialNumber.
   */
  readonly verifyMfaCode?: (userId: string, code: string, now: number) => Promise<boolean>;
}

export async function requireUser(deps: IamDependencies, userName: string): Promise<IamUserRecord> {
  const user = await deps.iam.users.get(userName);
  if (user === undefined) throw noSuchEntity('user', userName);
  return user;
}

export async function requireGroup(
  deps: IamDependencies,
  groupName: string,
): Promise<IamGroupRecord> {
  const group = await deps.iam.groups.get(groupName);
  if (group === undefined) throw noSuchEntity('group', groupName);
  return group;
}

export async function requireRole(deps: IamDependencies, roleName: string): Promise<IamRoleRecord> {
  const role = await deps.iam.roles.get(roleName);
  if (role === undefined) throw noSuchEntity('role', roleName);
  return role;
}

/** The id attachments and inline policies of a user, group or role are filed under. */
export async function ownerId(
  deps: IamDependencies,
  kind: PolicyOwnerKind,
  name: string,
): Promise<string> {
  switch (kind) {
    case 'user':
      return (await requireUser(deps, name)).userId;
    case 'group':
      return (await requireGroup(deps, name)).groupId;
    case 'role':
      return (await requireRole(deps, name)).roleId;
  }
}
