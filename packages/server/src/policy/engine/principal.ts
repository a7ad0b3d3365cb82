// Principal and NotPrincipal in trust and resource policies: who a statement is about.
// - `"*"` and `{"AWS": "*"}` mean everyone.
// - An account (`"123456789012"` or `arn:…:iam::123456789012:root`) means every principal of that
//   account, but only as a delegation: the account's identity policies must allow too. Such a
//   match is reported as 'account', a match on the principal itself as 'direct'.
// - A role ARN also matches the sessions of that role (`arn:…:sts::acct:assumed-role/Name/…`).
// - Other ARNs, service names (`ssm.amazonaws.com`) and federated ids match exactly; ARNs with
//   `aws` and `openssm` partitions alike. Wildcards are not allowed (IAM rejects them).
// - NotPrincipal (resource policies, with Deny only) exempts a caller only when every link of
//   its chain is listed: its account, then the user, or the role for a role session — IAM
//   checks the account first, so naming a user without its account exempts no one.

import { canonicalPartition, parseArn, type Arn } from './arn.js';

export const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** Who makes the request, as trust and resource policies see it. */
export interface RequestPrincipal {
  readonly type: PrincipalType;
  /** For `AWS`: the user, role session or root ARN; for `Service`: e.g. `ssm.amazonaws.com`. */
  readonly id: string;
}

export interface PrincipalEntry {
  readonly type: PrincipalType;
  readonly value: string;
}

/** A compiled Principal or NotPrincipal element. */
export interface PrincipalElement {
  /** `"*"`: every principal. */
  readonly everyone: boolean;
  readonly entries: readonly PrincipalEntry[];
}

export type PrincipalMatch = 'direct' | 'account';

const ACCOUNT_ID = /^\d{12}$/;

/** Why an entry can never name a principal; undefined when it is well formed. */
export function validatePrincipalEntry(entry: PrincipalEntry): string | undefined {
  const { type, value } = entry;
  if (value === '*') return undefined;
  if (value === '') return `${type} principal must not be empty`;
  if (/[*?]/.test(value)) return `${type} principal "${value}" must not contain wildcards`;
  if (type !== 'AWS' || ACCOUNT_ID.test(value)) return undefined;
  const arn = parseArn(value);
  if (arn === undefined || (arn.service !== 'iam' && arn.service !== 'sts')) {
    return `AWS principal "${value}" must be "*", an account id or an IAM or STS ARN`;
  }
  if (!ACCOUNT_ID.test(arn.account)) return `AWS principal "${value}" has no 12-digit account id`;
  return undefined;
}

/** How `principal` matches a Principal element, or undefined when it does not. */
export function matchPrincipal(
  element: PrincipalElement,
  principal: RequestPrincipal | undefined,
): PrincipalMatch | undefined {
  if (element.everyone) return 'direct';
  if (principal === undefined) return undefined;
  let best: PrincipalMatch | undefined;
  for (const entry of element.entries) {
    if (entry.type !== principal.type && !(entry.type === 'AWS' && entry.value === '*')) continue;
    const match = matchEntry(entry, principal);
    if (match === 'direct') return match;
    best ??= match;
  }
  return best;
}

/** Whether a NotPrincipal element exempts `principal` (then the statement does not apply). */
export function exemptedByNotPrincipal(
  element: PrincipalElement,
  principal: RequestPrincipal | undefined,
): boolean {
  if (element.everyone) return true;
  if (principal === undefined) return false;
  const listed = element.entries.filter((entry) => entry.type === principal.type);
  if (listed.some((entry) => entry.value === '*')) return true;
  if (principal.type !== 'AWS') return listed.some((entry) => sameId(entry, principal));
  const caller = parseArn(principal.id);
  if (caller === undefined) return false;
  const accountListed = listed.some((entry) => accountOf(entry.value) === caller.account);
  if (isRoot(caller)) return accountListed;
  return accountListed && listed.some((entry) => matchIdentity(entry.value, caller) !== undefined);
}

function matchEntry(
  entry: PrincipalEntry,
  principal: RequestPrincipal,
): PrincipalMatch | undefined {
  if (entry.value === '*') return 'direct';
  if (principal.type !== 'AWS') return sameId(entry, principal) ? 'direct' : undefined;
  const caller = parseArn(principal.id);
  if (caller === undefined) return undefined;
  if (accountOf(entry.value) === caller.account) return 'account';
  return matchIdentity(entry.value, caller);
}

/** A user, role or session ARN entry against the caller's ARN. */
function matchIdentity(value: string, caller: Arn): PrincipalMatch | undefined {
  const named = parseArn(value);
  if (named === undefined || named.account !== caller.account) return undefined;
  if (canonicalPartition(named.partition) !== canonicalPartition(caller.partition)) {
    return undefined;
  }
  if (named.service === caller.service && named.resource === caller.resource) return 'direct';
  // A role names its sessions too: iam::acct:role/[path/]Name ~ sts::acct:assumed-role/Name/…
  const roleName = /^role\/(?:.*\/)?([^/]+)$/.exec(named.resource)?.[1];
  const sessionRole = /^assumed-role\/([^/]+)\/[^/]+$/.exec(caller.resource)?.[1];
  return named.service === 'iam' &&
    caller.service === 'sts' &&
    roleName !== undefined &&
    roleName === sessionRole
    ? 'direct'
    : undefined;
}

/** The account an entry names as a whole (`123456789012` or its root ARN), if it does. */
function accountOf(value: string): string | undefined {
  if (ACCOUNT_ID.test(value)) return value;
  const arn = parseArn(value);
  return arn !== undefined && isRoot(arn) ? arn.account : undefined;
}

function isRoot(arn: Arn): boolean {
  return arn.service === 'iam' && arn.resource === 'root';
}

function sameId(entry: PrincipalEntry, principal: RequestPrincipal): boolean {
  // Service principals are DNS names, compared as such; other ids exactly.
  return entry.type === 'Service'
    ? entry.value.toLowerCase() === principal.id.toLowerCase()
    : entry.value === principal.id;
}
