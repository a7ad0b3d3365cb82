// IAM's rules for names, paths, tags and passwords, with the codes IAM answers: LimitExceeded,
// InvalidInput and PasswordPolicyViolation. (Reading them from a request: api/iam/iam-input.ts.)

import { CodedError } from '@openssm/protocol';
import type { Tag } from '../../storage/records.js';

/** User, role and policy names: letters, digits and `+=,.@_-`. */
export const ENTITY_NAME = /^[\w+=,.@-]+$/;
export const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
export const PATH_PREFIX = /^\/[\u0021-\u007E]*$/;
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_TAGS = 50;
/** IAM users may hold two access keys at a time. */
export const MAX_ACCESS_KEYS_PER_USER = 2;
export const MIN_PASSWORD_LENGTH = 8;

export const NAME_LIMITS = { user: 64, group: 128, role: 64, policy: 128 } as const;

/** Merges `added` into `current` by key (case-insensitive), enforcing the tag limit. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((tag) => [tag.key.toLowerCase(), tag]));
  for (const tag of added) byKey.set(tag.key.toLowerCase(), tag);
  if (byKey.size > MAX_TAGS) {
    throw new CodedError('LimitExceeded', `A resource can have at most ${MAX_TAGS} tags.`);
  }
  return [...byKey.values()];
}

export function removeTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const removed = new Set(keys.map((key) => key.toLowerCase()));
  return current.filter((tag) => !removed.has(tag.key.toLowerCase()));
}

/**
 * The account's password policy: at least 8 characters with three of the four character
 * classes (the stricter half of IAM's configurable policy, fixed here).
 */
export function assertStrongPassword(password: string): void {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) =>
    pattern.test(password),
  ).length;
  if (password.length < MIN_PASSWORD_LENGTH || classes < 3) {
    throw new CodedError(
      'PasswordPolicyViolation',
      `Password should have at least ${MIN_PASSWORD_LENGTH} characters and three of: ` +
        'lowercase letters, uppercase letters, numbers, symbols.',
    );
  }
}

export function noSuchEntity(kind: string, name: string): CodedError {
  return new CodedError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
}
