// The one authorization hook every operation of every API passes through: the caller's
// identity-based policies, the request's context and the policy engine decide each (action,
// resource) the operation needs. A denial is AccessDeniedException in AWS's words — who, which
// action, which resource, and why (no policy allows it, or a policy denies it explicitly).

import { CodedError } from '@openssm/protocol';
import type { PrincipalPolicyResolver } from '../services/iam/principal-policies.js';
import type { Principal } from '../storage/records.js';
import {
  CONTEXT_KEYS,
  createRequestContext,
  evaluatePolicies,
  type ContextInput,
  type Decision,
} from './engine/index.js';

/** One thing an operation does: an action on a resource, with what is known about it. */
export interface AuthorizationCheck {
  /** `service:Action`, e.g. `ssm:StartSession`. */
  readonly action: string;
  /** The resource's ARN, or `*` for actions without one. */
  readonly resource: string;
  /** Context keys about the resource or this request (`ssm:resourceTag/Env` …). */
  readonly context?: Readonly<Record<string, ContextInput>>;
  /**
   * Enforce this check only when the statements that allowed the check before it tested this
   * context key. AWS's ssm:SessionDocumentAccessCheck: the default session document is checked
   * only for callers whose StartSession permission asks for it.
   */
  readonly onlyWhenPreviousAllowUsed?: string;
}

/** Facts about the request that conditions may test. */
export interface RequestFacts {
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly now: number;
  readonly region: string;
  /** Issue time of temporary credentials (aws:TokenIssueTime); undefined for long-term keys. */
  readonly tokenIssuedAt?: number;
  /** A console session opened with a TOTP code. */
  readonly multiFactor?: boolean;
}

export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly checks: readonly AuthorizationCheck[];
  readonly facts: RequestFacts;
}

/** Resolves once every check is allowed; rejects with AccessDeniedException otherwise. */
export type Authorizer = (request: AuthorizationRequest) => Promise<void>;

export interface DecidedCheck {
  readonly check: AuthorizationCheck;
  readonly decision: Decision;
  /** Condition keys (lowercase) of the statements that decided it. */
  readonly decidingConditionKeys: ReadonlySet<string>;
}

/** Every check's decision, for explanations (the simulator) and for the authorizer itself. */
export type AccessEvaluator = (request: AuthorizationRequest) => Promise<DecidedCheck[]>;

export function createAccessEvaluator(resolvePrincipal: PrincipalPolicyResolver): AccessEvaluator {
  return async ({ principal, checks, facts }) => {
    const caller = await resolvePrincipal(principal);
    const requestContext: Record<string, ContextInput> = {
      ...caller.context,
      [CONTEXT_KEYS.sourceIp]: facts.sourceIp,
      [CONTEXT_KEYS.secureTransport]: facts.secureTransport,
      [CONTEXT_KEYS.currentTime]: new Date(facts.now),
      [CONTEXT_KEYS.epochTime]: Math.floor(facts.now / 1000),
      [CONTEXT_KEYS.requestedRegion]: facts.region,
      [CONTEXT_KEYS.tokenIssueTime]:
        facts.tokenIssuedAt === undefined ? undefined : new Date(facts.tokenIssuedAt),
      [CONTEXT_KEYS.multiFactorAuthPresent]: facts.multiFactor,
    };
    const byName = new Map(caller.policies.map((policy) => [policy.name, policy.document]));
    return checks.map((check) => {
      const decision = evaluatePolicies({
        action: check.action,
        resource: check.resource,
        context: createRequestContext({ ...requestContext, ...check.context }),
        policies: caller.policies,
      });
      const decidingConditionKeys = new Set(
        decision.deciding.flatMap(
          (ref) =>
            byName
              .get(ref.policyName)
              ?.statements[ref.statementIndex]?.conditions.map((c) => c.key.toLowerCase()) ?? [],
        ),
      );
      return { check, decision, decidingConditionKeys };
    });
  };
}

export function createPolicyAuthorizer(evaluate: AccessEvaluator): Authorizer {
  return async (request) => {
    let previous: DecidedCheck | undefined;
    for (const decided of await evaluate(request)) {
      const { check, decision } = decided;
      const gate = check.onlyWhenPreviousAllowUsed?.toLowerCase();
      const enforced = gate === undefined || previous?.decidingConditionKeys.has(gate) === true;
      // An explicit Deny always holds; a missing Allow only where the check is enforced.
      if (decision.decision === 'ExplicitDeny' || (enforced && decision.decision !== 'Allow')) {
        throw accessDenied(request.principal, check, decision);
      }
      previous = decided;
    }
  };
}

/** AWS's wording, with the reason IAM gives since 2021. */
export function accessDenied(
  principal: Principal,
  check: AuthorizationCheck,
  decision: Decision,
): CodedError {
  const why =
    decision.decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${check.action} action`;
  return new CodedError(
    'AccessDeniedException',
    `User: ${principal.arn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`,
  );
}
