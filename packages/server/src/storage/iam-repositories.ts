// Repository interfaces of the IAM identity store; drivers implement them and the storage
// compliance suite tests every driver. Names are matched without regard to case, as IAM does;
// ids are the stable keys that memberships, attachments and inline policies refer to.

import type {
  IamGroupRecord,
  IamRoleRecord,
  IamUserRecord,
  InlinePolicyRecord,
  LoginProfileRecord,
  MfaDeviceRecord,
  ConsoleSessionRecord,
  ManagedPolicyRecord,
  PolicyAttachmentRecord,
  PolicyOwnerKind,
  PolicyVersionRecord,
} from './iam-records.js';
import type { Page, PageRequest, Tag } from './records.js';

/** What a rename or move did: `name-taken` when another entity already has the new name. */
export type RenameResult = 'updated' | 'missing' | 'name-taken';

export interface NameAndPath {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
}

export interface IamUserRepository {
  /** False (nothing written) when a user of that name, in any case, exists. */
  insert(user: IamUserRecord): Promise<boolean>;
  get(userName: string): Promise<IamUserRecord | undefined>;
  getById(userId: string): Promise<IamUserRecord | undefined>;
  /** By name, for users whose path starts with `pathPrefix`. */
  list(pathPrefix: string, page: PageRequest): Promise<Page<IamUserRecord>>;
  rename(userName: string, to: NameAndPath): Promise<RenameResult>;
  /** Replaces the whole tag set; false when the user does not exist. */
  setTags(userName: string, tags: readonly Tag[]): Promise<boolean>;
  delete(userName: string): Promise<boolean>;
}

export interface IamGroupRepository {
  insert(group: IamGroupRecord): Promise<boolean>;
  get(groupName: string): Promise<IamGroupRecord | undefined>;
  list(pathPrefix: string, page: PageRequest): Promise<Page<IamGroupRecord>>;
  rename(groupName: string, to: NameAndPath): Promise<RenameResult>;
  delete(groupName: string): Promise<boolean>;
  /** Idempotent. */
  addMember(groupId: string, userId: string): Promise<void>;
  /** False when the user was not a member. */
  removeMember(groupId: string, userId: string): Promise<boolean>;
  /** Members by name. */
  listMembers(groupId: string): Promise<readonly IamUserRecord[]>;
  /** The user's groups by name. */
  listForUser(userId: string): Promise<readonly IamGroupRecord[]>;
}

export interface RoleUpdate {
  readonly description?: string;
  readonly maxSessionDuration?: number;
  readonly trustPolicy?: string;
}

export interface IamRoleRepository {
  insert(role: IamRoleRecord): Promise<boolean>;
  get(roleName: string): Promise<IamRoleRecord | undefined>;
  getById(roleId: string): Promise<IamRoleRecord | undefined>;
  list(pathPrefix: string, page: PageRequest): Promise<Page<IamRoleRecord>>;
  update(roleName: string, update: RoleUpdate): Promise<boolean>;
  setTags(roleName: string, tags: readonly Tag[]): Promise<boolean>;
  delete(roleName: string): Promise<boolean>;
}

/** AWS keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

export type AddVersionResult = PolicyVersionRecord | 'missing' | 'limit-exceeded';
export type DeleteVersionResult = 'deleted' | 'missing' | 'is-default';

export interface ManagedPolicyRepository {
  /** Stores the policy with `document` as its default version `v1`; false on a name clash. */
  insert(policy: ManagedPolicyRecord, document: string): Promise<boolean>;
  get(policyArn: string): Promise<ManagedPolicyRecord | undefined>;
  /** By name; with `onlyAttached`, only policies attached to a user, group or role. */
  list(
    pathPrefix: string,
    page: PageRequest,
    onlyAttached?: boolean,
  ): Promise<Page<ManagedPolicyRecord>>;
  /** The next version (`v<n>`, numbers never reused), made default when asked. */
  addVersion(
    policyArn: string,
    document: string,
    setAsDefault: boolean,
    now: number,
  ): Promise<AddVersionResult>;
  getVersion(policyArn: string, versionId: string): Promise<PolicyVersionRecord | undefined>;
  /** Newest first. */
  listVersions(policyArn: string): Promise<readonly PolicyVersionRecord[]>;
  deleteVersion(policyArn: string, versionId: string): Promise<DeleteVersionResult>;
  /** False when the policy or the version does not exist. */
  setDefaultVersion(policyArn: string, versionId: string, now: number): Promise<boolean>;
  /** Deletes the policy with all its versions. */
  delete(policyArn: string): Promise<boolean>;
}

export interface PolicyAttachmentRepository {
  /** Idempotent. */
  attach(
    ownerKind: PolicyOwnerKind,
    ownerId: string,
    policyArn: string,
    now: number,
  ): Promise<void>;
  detach(ownerKind: PolicyOwnerKind, ownerId: string, policyArn: string): Promise<boolean>;
  /** In the order they were attached. */
  listFor(ownerKind: PolicyOwnerKind, ownerId: string): Promise<readonly PolicyAttachmentRecord[]>;
  /** How many users, groups and roles have the policy attached. */
  count(policyArn: string): Promise<number>;
}

export interface InlinePolicyRepository {
  /** Adds or replaces by name. */
  put(policy: InlinePolicyRecord): Promise<void>;
  get(
    ownerKind: PolicyOwnerKind,
    ownerId: string,
    policyName: string,
  ): Promise<InlinePolicyRecord | undefined>;
  delete(ownerKind: PolicyOwnerKind, ownerId: string, policyName: string): Promise<boolean>;
  /** By name. */
  list(ownerKind: PolicyOwnerKind, ownerId: string): Promise<readonly InlinePolicyRecord[]>;
}

export interface LoginProfileRepository {
  /** Adds or replaces. */
  put(profile: LoginProfileRecord): Promise<void>;
  get(userId: string): Promise<LoginProfileRecord | undefined>;
  delete(userId: string): Promise<boolean>;
}

export interface MfaDeviceRepository {
  /** Adds or replaces (a new enrolment replaces an unfinished one). */
  put(device: MfaDeviceRecord): Promise<void>;
  get(userId: string): Promise<MfaDeviceRecord | undefined>;
  setEnabled(userId: string, enabled: boolean): Promise<void>;
  /**
   * Records that the code of `step` was used; false when that step or a later one already was
   * (a replayed code). Atomic: of two sign-ins with the same code, one wins.
   */
  claimStep(userId: string, step: number): Promise<boolean>;
  delete(userId: string): Promise<boolean>;
}

export interface ConsoleSessionRepository {
  insert(session: ConsoleSessionRecord): Promise<void>;
  get(tokenHash: string): Promise<ConsoleSessionRecord | undefined>;
  /** Records a use; false when the session is gone (signed out meanwhile). */
  touch(tokenHash: string, lastUsedAt: number): Promise<boolean>;
  setMultiFactor(tokenHash: string): Promise<boolean>;
  /** Sign-out: true when the session existed. */
  delete(tokenHash: string): Promise<boolean>;
  /** Every session of a user (password changed or removed); returns how many. */
  deleteForUser(userId: string): Promise<number>;
  /** Sessions past their hard end or unused since `idleBefore`; returns how many. */
  deleteExpired(now: number, idleBefore: number): Promise<number>;
  /** Keeps a user's `keep` newest sessions and deletes the rest; returns how many went. */
  trimUser(userId: string, keep: number): Promise<number>;
}

export interface IamStorage {
  readonly users: IamUserRepository;
  readonly groups: IamGroupRepository;
  readonly roles: IamRoleRepository;
  readonly policies: ManagedPolicyRepository;
  readonly attachments: PolicyAttachmentRepository;
  readonly inlinePolicies: InlinePolicyRepository;
  readonly loginProfiles: LoginProfileRepository;
  readonly mfaDevices: MfaDeviceRepository;
  readonly consoleSessions: ConsoleSessionRepository;
}
