// IAM's policy simulator: decides actions on resources for a user, group or role (their own
// policies plus any given), or for policies given outright, and explains each decision — the
// statements that decided it and the context keys the request lacked.

import { CodedError } from '@openssm/protocol';
import {
  createRequestContext,
  evaluatePolicies,
  parsePolicyDocument,
  type ContextInput,
  type DecisionKind,
} from '../../policy/engine/index.js';
import type { IamDependencies } from './iam-context.js';
import type {
  OwnedPolicyReader,
  PolicySourceType,
  PrincipalPolicyResolver,
  SourcedPolicy,
} from './principal-policies.js';
import { userPrincipal } from './users.js';

export interface SimulationInput {
  /** The user, group or role whose policies apply (SimulatePrincipalPolicy). */
  readonly source?: { readonly kind: 'user' | 'group' | 'role'; readonly name: string };
  /** More policies, as JSON (PolicyInputList). */
  readonly extraPolicies: readonly string[];
  readonly actions: readonly string[];
  /** `*` when none are given, as IAM does. */
  readonly resources: readonly string[];
  readonly context: Readonly<Record<string, ContextInput>>;
}

export interface MatchedStatement {
  readonly policyName: string;
  readonly sourceType: PolicySourceType;
  readonly statementIndex: number;
  readonly sid: string | undefined;
}

export interface SimulationResult {
  readonly action: string;
  readonly resource: string;
  /** IAM's EvalDecision spelling. */
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  readonly matched: readonly MatchedStatement[];
  readonly missingContextKeys: readonly string[];
}

const DECISIONS: Readonly<Record<DecisionKind, SimulationResult['decision']>> = {
  Allow: 'allowed',
  ExplicitDeny: 'explicitDeny',
  ImplicitDeny: 'implicitDeny',
};

export type Simulator = (input: SimulationInput) => Promise<SimulationResult[]>;

export function createSimulator(
  deps: IamDependencies,
  resolve: PrincipalPolicyResolver,
  owned: OwnedPolicyReader,
): Simulator {
  async function sourcePolicies(source: SimulationInput['source']) {
    if (source === undefined) return { policies: [] as SourcedPolicy[], context: {} };
    const notFound = () =>
      new CodedError(
        'NoSuchEntity',
        `The ${source.kind} with name ${source.name} cannot be found.`,
      );
    if (source.kind === 'user') {
      const user = await deps.iam.users.get(source.name);
      if (user === undefined) throw notFound();
      return resolve(userPrincipal(user));
    }
    if (source.kind === 'group') {
      const group = await deps.iam.groups.get(source.name);
      if (group === undefined) throw notFound();
      return { policies: await owned('group', group.groupId, group.groupName), context: {} };
    }
    const role = await deps.iam.roles.get(source.name);
    if (role === undefined) throw notFound();
    return resolve({
      kind: 'assumed-role',
      id: `${role.roleId}:simulation`,
      name: 'simulation',
      arn: role.arn,
      roleName: role.roleName,
    });
  }

  return async (input) => {
    const base = await sourcePolicies(input.source);
    const extra: SourcedPolicy[] = input.extraPolicies.map((text, index) => ({
      name: `PolicyInputList.${index + 1}`,
      document: parsePolicyDocument(text, 'identity'),
      sourceType: 'none',
    }));
    const policies = [...base.policies, ...extra];
    const sourceOf = new Map(policies.map((policy) => [policy.name, policy.sourceType]));
    const context = createRequestContext({ ...base.context, ...input.context });
    const resources = input.resources.length === 0 ? ['*'] : input.resources;
    return input.actions.flatMap((action) =>
      resources.map((resource) => {
        const decision = evaluatePolicies({ action, resource, context, policies });
        return {
          action,
          resource,
          decision: DECISIONS[decision.decision],
          matched: decision.deciding.map((ref) => ({
            policyName: ref.policyName,
            sourceType: sourceOf.get(ref.policyName) ?? 'none',
            statementIndex: ref.statementIndex,
            sid: ref.sid,
          })),
          missingContextKeys: decision.missingContextKeys,
        };
      }),
    );
  };
}
