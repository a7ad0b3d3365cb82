// What the policy engine needs to know about a caller: its identity-based policies (a user's
// own, attached and inline, and its groups'; a role session's or a node's role's), parsed, and
// the context keys that describe it (aws:username, aws:userid, aws:PrincipalArn, tags …).
// Parsed documents are cached by their text: policies change rarely, requests are many.

import {
  CONTEXT_KEYS,
  parsePolicyDocument,
  type ContextInput,
  type NamedPolicy,
  type PolicyDocument,
  type RequestPrincipal,
} from '../../policy/engine/index.js';
import type { PolicyOwnerKind } from '../../storage/iam-records.js';
import type { Principal, Tag } from '../../storage/records.js';
import type { IamDependencies } from './iam-context.js';
import type { PolicyService } from './policies.js';

/** Where a policy comes from, in the words of IAM's simulator (SourcePolicyType). */
export type PolicySourceType = 'user' | 'group' | 'role' | 'user-managed' | 'aws-managed' | 'none';

export interface SourcedPolicy extends NamedPolicy {
  readonly sourceType: PolicySourceType;
}

export interface PrincipalPolicySet {
  readonly policies: readonly SourcedPolicy[];
  /** Context keys about the caller. */
  readonly context: Readonly<Record<string, ContextInput>>;
  /** The caller as trust policies see it. */
  readonly requestPrincipal: RequestPrincipal;
}

export type PrincipalPolicyResolver = (principal: Principal) => Promise<PrincipalPolicySet>;

/** The policies a user, group or role holds itself (inline and attached), named and sourced. */
export type OwnedPolicyReader = (
  kind: PolicyOwnerKind,
  id: string,
  label: string,
) => Promise<SourcedPolicy[]>;

/** Distinct policy texts kept parsed; far above what one account holds. */
const PARSED_CACHE_SIZE = 2000;

export function createPrincipalPolicyResolver(
  deps: IamDependencies,
  policies: PolicyService,
): { resolve: PrincipalPolicyResolver; owned: OwnedPolicyReader } {
  const parsed = new Map<string, PolicyDocument>();
  const parse = (text: string): PolicyDocument => {
    let document = parsed.get(text);
    if (document === undefined) {
      // Stored documents were validated when written; the size limit was checked then too.
      document = parsePolicyDocument(text, 'identity', { maxLength: Number.MAX_SAFE_INTEGER });
      if (parsed.size >= PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
      parsed.set(text, document);
    }
    return document;
  };

  const ownedPolicies: OwnedPolicyReader = async (kind, id, label) => {
    const found: SourcedPolicy[] = [];
    for (const inline of await deps.iam.inlinePolicies.list(kind, id)) {
      found.push({
        name: `${label}/${inline.policyName}`,
        document: parse(inline.document),
        sourceType: kind,
      });
    }
    for (const { policyArn } of await deps.iam.attachments.listFor(kind, id)) {
      const text = await policies.defaultDocument(policyArn);
      if (text !== undefined) {
        found.push({
          name: policyArn.slice(policyArn.lastIndexOf('/') + 1),
          document: parse(text),
          sourceType: policyArn.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : 'user-managed',
        });
      }
    }
    return found;
  };

  function describe(prefix: string, tags: readonly Tag[]): Record<string, ContextInput> {
    return Object.fromEntries(tags.map((tag) => [`${prefix}${tag.key}`, tag.value]));
  }

  const resolve: PrincipalPolicyResolver = async (principal) => {
    const { identity } = deps;
    const base = { [CONTEXT_KEYS.principalAccount]: identity.accountId };
    if (principal.kind === 'user') {
      const user = await deps.iam.users.getById(principal.id);
      if (user === undefined)
        return {
          policies: [],
          context: base,
          requestPrincipal: { type: 'AWS', id: principal.arn },
        };
      const found = await ownedPolicies('user', user.userId, user.userName);
      for (const group of await deps.iam.groups.listForUser(user.userId)) {
        found.push(...(await ownedPolicies('group', group.groupId, group.groupName)));
      }
      return {
        policies: found,
        context: {
          ...base,
          ...describe(CONTEXT_KEYS.principalTagPrefix, user.tags),
          [CONTEXT_KEYS.username]: user.userName,
          [CONTEXT_KEYS.userid]: user.userId,
          [CONTEXT_KEYS.principalArn]: user.arn,
          [CONTEXT_KEYS.principalType]: 'User',
        },
        requestPrincipal: { type: 'AWS', id: user.arn },
      };
    }
    // Role sessions and nodes act as their role.
    const role =
      principal.roleName === undefined ? undefined : await deps.iam.roles.get(principal.roleName);
    const sessionName = principal.kind === 'node' ? principal.id : principal.name;
    return {
      policies: role === undefined ? [] : await ownedPolicies('role', role.roleId, role.roleName),
      context: {
        ...base,
        ...(role === undefined ? {} : describe(CONTEXT_KEYS.principalTagPrefix, role.tags)),
        [CONTEXT_KEYS.userid]: `${role?.roleId ?? 'unknown'}:${sessionName}`,
        [CONTEXT_KEYS.principalArn]: role?.arn ?? principal.arn,
        [CONTEXT_KEYS.principalType]: 'AssumedRole',
        // What lets a node's role allow it things on itself only (deregistering at uninstall).
        [CONTEXT_KEYS.sourceInstanceId]: principal.kind === 'node' ? principal.id : undefined,
      },
      requestPrincipal: { type: 'AWS', id: principal.arn },
    };
  };
  return { resolve, owned: ownedPolicies };
}
