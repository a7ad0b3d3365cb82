// IAM's persistent records as the services see them: plain data, times in epoch milliseconds,
// policy documents as the JSON text the caller wrote (AWS returns it as written, URL-encoded).

import type { Tag } from './records.js';

/** Which kind of identity an attached or inline policy belongs to. */
export type PolicyOwnerKind = 'user' | 'group' | 'role';

export interface IamUserRecord {
  /** `AIDA` + 17 characters. */
  readonly userId: string;
  readonly userName: string;
  /** `/` or `/division/team/`. */
  readonly path: string;
  readonly arn: string;
  readonly tags: readonly Tag[];
  readonly createdAt: number;
}

export interface IamGroupRecord {
  /** `AGPA` + 17 characters. */
  readonly groupId: string;
  readonly groupName: string;
  readonly path: string;
  readonly arn: string;
  readonly createdAt: number;
}

export interface IamRoleRecord {
  /** `AROA` + 17 characters. */
  readonly roleId: string;
  readonly roleName: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  /** The trust policy (AssumeRolePolicyDocument) as written. */
  readonly trustPolicy: string;
  /** Longest session AssumeRole may grant, in seconds (3600 to 43200). */
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
  readonly createdAt: number;
}

/** A customer managed policy (AWS managed ones are built into the code, not stored). */
export interface ManagedPolicyRecord {
  /** `ANPA` + 17 characters. */
  readonly policyId: string;
  readonly policyName: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  /** `v1`, `v2`, … */
  readonly defaultVersionId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PolicyVersionRecord {
  readonly policyArn: string;
  readonly versionId: string;
  readonly document: string;
  readonly createdAt: number;
}

export interface InlinePolicyRecord {
  readonly ownerKind: PolicyOwnerKind;
  /** The user, group or role id. */
  readonly ownerId: string;
  readonly policyName: string;
  readonly document: string;
}

export interface PolicyAttachmentRecord {
  readonly ownerKind: PolicyOwnerKind;
  readonly policyArn: string;
  readonly attachedAt: number;
}

/** A user's virtual TOTP device for console sign-in (RFC 6238). */
export interface MfaDeviceRecord {
  readonly userId: string;
  /** The shared secret, sealed with the data directory's key; never stored in clear. */
  readonly sealedSecret: string;
  /** False while enrolment waits for a first correct code. */
  readonly enabled: boolean;
  readonly createdAt: number;
  /** The last 30-second step whose code was accepted (each code works once); null before. */
  readonly lastUsedStep: number | null;
}

/** A console sign-in session (docs/decisions/0010); the cookie token itself is never stored. */
export interface ConsoleSessionRecord {
  /** SHA-256 (hex) of the cookie token. */
  readonly tokenHash: string;
  readonly userId: string;
  /** Opened with a TOTP code (or the device was enabled in it): aws:MultiFactorAuthPresent. */
  readonly multiFactor: boolean;
  readonly createdAt: number;
  /** Refreshed at most about once a minute, so idle expiry costs few writes. */
  readonly lastUsedAt: number;
  /** The hard end (createdAt + the longest session), however busy. */
  readonly expiresAt: number;
}

export interface LoginProfileRecord {
  readonly userId: string;
  /** A self-describing password hash (`scrypt$…`), never the password. */
  readonly passwordHash: string;
  readonly passwordResetRequired: boolean;
  readonly createdAt: number;
}
