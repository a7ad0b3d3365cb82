// IAM users: create, read, rename, delete (only once nothing hangs off them, as IAM insists),
// tags, console passwords and access keys.

import { CodedError } from '@openssm/protocol';
import type { IamUserRecord, LoginProfileRecord } from '../../storage/iam-records.js';
import type { AccessKeyRecord, Page, PageRequest, Principal, Tag } from '../../storage/records.js';
import type { IssuedCredentials } from '../credential-store.js';
import { newIamId } from '../identifiers.js';
import { iamArn } from './iam-arns.js';
import { requireUser, type IamDependencies } from './iam-context.js';
import {
  MAX_ACCESS_KEYS_PER_USER,
  assertStrongPassword,
  mergeTags,
  removeTags,
} from './iam-validation.js';
import { hashPassword, rejectWithoutHash, verifyPassword } from './password-hash.js';

export interface UserService {
  create(userName: string, path: string, tags: readonly Tag[], now: number): Promise<IamUserRecord>;
  get(userName: string): Promise<IamUserRecord>;
  list(pathPrefix: string, page: PageRequest): Promise<Page<IamUserRecord>>;
  update(userName: string, newName: string | undefined, newPath: string | undefined): Promise<void>;
  delete(userName: string): Promise<void>;
  tag(userName: string, tags: readonly Tag[]): Promise<void>;
  untag(userName: string, keys: readonly string[]): Promise<void>;
  setPassword(
    userName: string,
    password: string,
    resetRequired: boolean,
    now: number,
    create: boolean,
  ): Promise<LoginProfileRecord>;
  getLoginProfile(userName: string): Promise<LoginProfileRecord>;
  deleteLoginProfile(userName: string): Promise<void>;
  /** The user when the password matches its login profile; undefined otherwise. */
  checkPassword(userName: string, password: string): Promise<IamUserRecord | undefined>;
  createAccessKey(userName: string, now: number): Promise<IssuedCredentials>;
  listAccessKeys(userName: string): Promise<readonly AccessKeyRecord[]>;
  updateAccessKey(userName: string, accessKeyId: string, active: boolean): Promise<void>;
  deleteAccessKey(userName: string, accessKeyId: string): Promise<void>;
  /** The key's owner name and last use; NoSuchEntity for a key that is not a user's. */
  accessKeyLastUsed(accessKeyId: string): Promise<{ userName: string; key: AccessKeyRecord }>;
}

export function userPrincipal(user: IamUserRecord): Principal {
  return { kind: 'user', id: user.userId, name: user.userName, arn: user.arn };
}

export function createUserService(deps: IamDependencies): UserService {
  const { iam, identity } = deps;

  async function userKey(userName: string, accessKeyId: string): Promise<AccessKeyRecord> {
    const user = await requireUser(deps, userName);
    const key = await deps.accessKeys.get(accessKeyId);
    if (key === undefined || key.principal.id !== user.userId || key.expiresAt !== null) {
      throw new CodedError(
        'NoSuchEntity',
        `The Access Key with id ${accessKeyId} cannot be found.`,
      );
    }
    return key;
  }

  return {
    async create(userName, path, tags, now) {
      const user: IamUserRecord = {
        userId: newIamId('AIDA'),
        userName,
        path,
        arn: iamArn(identity, 'user', path, userName),
        tags,
        createdAt: now,
      };
      if (!(await iam.users.insert(user))) {
        throw new CodedError('EntityAlreadyExists', `User with name ${userName} already exists.`);
      }
      return user;
    },

    get: (userName) => requireUser(deps, userName),
    list: (pathPrefix, page) => iam.users.list(pathPrefix, page),

    async update(userName, newName, newPath) {
      const user = await requireUser(deps, userName);
      const name = newName ?? user.userName;
      const path = newPath ?? user.path;
      const result = await iam.users.rename(userName, {
        name,
        path,
        arn: iamArn(identity, 'user', path, name),
      });
      if (result === 'name-taken') {
        throw new CodedError('EntityAlreadyExists', `User with name ${name} already exists.`);
      }
    },

    async delete(userName) {
      const user = await requireUser(deps, userName);
      const blockers = [
        [(await deps.accessKeys.listLongTerm(user.userId)).length, 'access keys'],
        [(await iam.loginProfiles.get(user.userId)) === undefined ? 0 : 1, 'a login profile'],
        [(await iam.attachments.listFor('user', user.userId)).length, 'attached policies'],
        [(await iam.inlinePolicies.list('user', user.userId)).length, 'inline policies'],
        [(await iam.groups.listForUser(user.userId)).length, 'group memberships'],
      ] as const;
      const left = blockers.filter(([count]) => count > 0).map(([, what]) => what);
      if (left.length > 0) {
        throw new CodedError(
          'DeleteConflict',
          `Cannot delete entity, must remove ${left.join(', ')} first.`,
        );
      }
      await iam.users.delete(userName);
    },

    async tag(userName, tags) {
      const user = await requireUser(deps, userName);
      await iam.users.setTags(userName, mergeTags(user.tags, tags));
    },

    async untag(userName, keys) {
      const user = await requireUser(deps, userName);
      await iam.users.setTags(userName, removeTags(user.tags, keys));
    },

    async setPassword(userName, password, resetRequired, now, create) {
      const user = await requireUser(deps, userName);
      const existing = await iam.loginProfiles.get(user.userId);
      if (create && existing !== undefined) {
        throw new CodedError(
          'EntityAlreadyExists',
          `Login Profile for user ${userName} already exists.`,
        );
      }
      if (!create && existing === undefined) {
        throw new CodedError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
      }
      assertStrongPassword(password);
      const profile: LoginProfileRecord = {
        userId: user.userId,
        passwordHash: await hashPassword(password),
        passwordResetRequired: resetRequired,
        createdAt: existing?.createdAt ?? now,
      };
      await iam.loginProfiles.put(profile);
      // A changed password signs the user out everywhere (a stolen session ends with it).
      await iam.consoleSessions.deleteForUser(user.userId);
      return profile;
    },

    async getLoginProfile(userName) {
      const user = await requireUser(deps, userName);
      const profile = await iam.loginProfiles.get(user.userId);
      if (profile === undefined) {
        throw new CodedError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
      }
      return profile;
    },

    async deleteLoginProfile(userName) {
      const user = await requireUser(deps, userName);
      if (!(await iam.loginProfiles.delete(user.userId))) {
        throw new CodedError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
      }
      await iam.consoleSessions.deleteForUser(user.userId);
    },

    async checkPassword(userName, password) {
      const user = await iam.users.get(userName);
      const profile = user === undefined ? undefined : await iam.loginProfiles.get(user.userId);
      const matches =
        user === undefined || profile === undefined
          ? await rejectWithoutHash(password)
          : await verifyPassword(password, profile.passwordHash);
      return matches ? user : undefined;
    },

    async createAccessKey(userName, now) {
      const user = await requireUser(deps, userName);
      const keys = await deps.accessKeys.listLongTerm(user.userId);
      if (keys.length >= MAX_ACCESS_KEYS_PER_USER) {
        throw new CodedError(
          'LimitExceeded',
          `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`,
        );
      }
      return deps.credentials.issue(userPrincipal(user), now);
    },

    async listAccessKeys(userName) {
      const user = await requireUser(deps, userName);
      return deps.accessKeys.listLongTerm(user.userId);
    },

    async updateAccessKey(userName, accessKeyId, active) {
      await userKey(userName, accessKeyId);
      await deps.accessKeys.setActive(accessKeyId, active);
    },

    async deleteAccessKey(userName, accessKeyId) {
      await userKey(userName, accessKeyId);
      await deps.accessKeys.delete(accessKeyId);
    },

    async accessKeyLastUsed(accessKeyId) {
      const key = await deps.accessKeys.get(accessKeyId);
      const user =
        key === undefined || key.principal.kind !== 'user'
          ? undefined
          : await iam.users.getById(key.principal.id);
      if (key === undefined || user === undefined) {
        throw new CodedError(
          'NoSuchEntity',
          `The Access Key with id ${accessKeyId} cannot be found.`,
        );
      }
      return { userName: user.userName, key };
    },
  };
}
