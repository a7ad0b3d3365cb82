// Decides a request against policies, with IAM's evaluation logic for one account: an explicit
// Deny in any policy wins; otherwise an Allow grants; otherwise the request is implicitly denied.
// The answer names the statements that decided it and how every statement fared, which is what
// an AccessDenied message, the audit log and a policy simulator need.
//
// Who may grant: an identity policy Allow is enough. A resource policy Allow is enough when its
// Principal names the caller (or everyone); when it names only the caller's account it delegates
// to the account, and an identity policy must allow as well (IAM). For sts:AssumeRole OpenSSM
// always requires both the role's trust policy and the caller's identity policies to allow —
// use evaluateAssumeRole for that.

import { matchResource } from './arn.js';
import { testCondition } from './condition-operators.js';
import type { RequestContext } from './context.js';
import type { PolicyDocument, PolicyKind, Statement } from './policy-document.js';
import { resolveTemplate } from './policy-variables.js';
import { exemptedByNotPrincipal, matchPrincipal, type RequestPrincipal } from './principal.js';
import { matchPattern } from './wildcard.js';

export interface NamedPolicy {
  /** How explanations name it: the managed policy's name or `<user>/<inline policy name>`. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface EvaluationRequest {
  /** `service:Action`, e.g. `ssm:StartSession` (compared case-insensitively). */
  readonly action: string;
  /** The resource's ARN, or `*` for actions that take no resource. */
  readonly resource: string;
  /** The caller, for the Principal of trust and resource policies. */
  readonly principal?: RequestPrincipal | undefined;
  readonly context: RequestContext;
  /** The caller's identity-based policies (managed and inline, the groups' included). */
  readonly policies: readonly NamedPolicy[];
  /** Trust or resource-based policies of the resource. */
  readonly resourcePolicies?: readonly NamedPolicy[] | undefined;
}

export interface AssumeRoleRequest {
  /** `sts:AssumeRole` (or `sts:TagSession` … when those are checked too). */
  readonly action: string;
  readonly roleArn: string;
  readonly principal: RequestPrincipal;
  readonly context: RequestContext;
  /** The caller's identity-based policies. */
  readonly policies: readonly NamedPolicy[];
  readonly trustPolicy: NamedPolicy;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
export type PolicySource = 'identity' | 'resource';

export interface StatementRef {
  readonly policyName: string;
  readonly source: PolicySource;
  /** 0-based, as in the document's Statement array. */
  readonly statementIndex: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
}

export type StatementOutcome =
  'Matched' | 'ActionNotMatched' | 'PrincipalNotMatched' | 'ResourceNotMatched' | 'ConditionNotMet';

export interface StatementResult extends StatementRef {
  readonly outcome: StatementOutcome;
  /** The first condition that did not hold, for ConditionNotMet. */
  readonly failedCondition: { readonly operator: string; readonly key: string } | undefined;
  /** A resource-policy match through an account principal: it grants only with an identity Allow. */
  readonly delegatedToAccount: boolean;
}

export interface Decision {
  readonly decision: DecisionKind;
  /** ExplicitDeny: every matching Deny. Allow: the Allows that granted. ImplicitDeny: none. */
  readonly deciding: readonly StatementRef[];
  /** Every statement of every policy, in order, with how it fared. */
  readonly statements: readonly StatementResult[];
  /** Context keys that conditions or variables asked for and the request did not have. */
  readonly missingContextKeys: readonly string[];
}

/** Evaluates a request against identity policies and, if given, the resource's policies. */
export function evaluatePolicies(request: EvaluationRequest): Decision {
  const resourcePolicies = request.resourcePolicies ?? [];
  checkKinds(request.policies, ['identity']);
  checkKinds(resourcePolicies, ['trust', 'resource']);
  return decide(request, request.policies, resourcePolicies, false);
}

/**
 * Evaluates an AssumeRole call: allowed only when the role's trust policy allows the caller AND
 * the caller's identity policies allow the action on the role, and nothing denies it.
 */
export function evaluateAssumeRole(request: AssumeRoleRequest): Decision {
  checkKinds(request.policies, ['identity']);
  checkKinds([request.trustPolicy], ['trust']);
  return decide(
    { ...request, resource: request.roleArn },
    request.policies,
    [request.trustPolicy],
    true,
  );
}

function checkKinds(policies: readonly NamedPolicy[], kinds: readonly PolicyKind[]): void {
  for (const { name, document } of policies) {
    if (!kinds.includes(document.kind)) {
      throw new Error(`Policy ${name} is ${document.kind}; expected ${kinds.join(' or ')}`);
    }
  }
}

interface Target {
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal | undefined;
  readonly context: RequestContext;
}

function decide(
  target: Target,
  identityPolicies: readonly NamedPolicy[],
  resourcePolicies: readonly NamedPolicy[],
  requireBoth: boolean,
): Decision {
  const missing = new Map<string, string>();
  const onMissing = (key: string): void => {
    if (!missing.has(key.toLowerCase())) missing.set(key.toLowerCase(), key);
  };
  const statements = [
    ...evaluateAll(identityPolicies, 'identity', target, onMissing),
    ...evaluateAll(resourcePolicies, 'resource', target, onMissing),
  ];
  const matched = statements.filter((result) => result.outcome === 'Matched');
  const missingContextKeys = [...missing.values()];

  const denies = matched.filter((result) => result.effect === 'Deny');
  if (denies.length > 0) {
    return { decision: 'ExplicitDeny', deciding: denies.map(ref), statements, missingContextKeys };
  }
  const allows = matched.filter((result) => result.effect === 'Allow');
  const identityAllowed = allows.some((result) => result.source === 'identity');
  const resourceAllowed = allows.some((result) => result.source === 'resource');
  let granting: StatementResult[];
  if (requireBoth) {
    granting = identityAllowed && resourceAllowed ? allows : [];
  } else {
    // A resource-policy Allow through an account principal only counts beside an identity Allow.
    granting = allows.filter(
      (result) => result.source === 'identity' || !result.delegatedToAccount || identityAllowed,
    );
  }
  return {
    decision: granting.length > 0 ? 'Allow' : 'ImplicitDeny',
    deciding: granting.map(ref),
    statements,
    missingContextKeys,
  };
}

function ref(result: StatementResult): StatementRef {
  const { policyName, source, statementIndex, sid, effect } = result;
  return { policyName, source, statementIndex, sid, effect };
}

function evaluateAll(
  policies: readonly NamedPolicy[],
  source: PolicySource,
  target: Target,
  onMissing: (key: string) => void,
): StatementResult[] {
  return policies.flatMap((policy) =>
    policy.document.statements.map((statement) =>
      evaluateStatement(statement, policy.name, source, target, onMissing),
    ),
  );
}

function evaluateStatement(
  statement: Statement,
  policyName: string,
  source: PolicySource,
  target: Target,
  onMissing: (key: string) => void,
): StatementResult {
  let delegatedToAccount = false;
  const result = (
    outcome: StatementOutcome,
    failedCondition?: StatementResult['failedCondition'],
  ): StatementResult => ({
    policyName,
    source,
    statementIndex: statement.index,
    sid: statement.sid,
    effect: statement.effect,
    outcome,
    failedCondition,
    delegatedToAccount,
  });

  const action = target.action.toLowerCase();
  const actionListed = statement.actions.patterns.some((pattern) => matchPattern(pattern, action));
  if (actionListed === statement.actions.negated) return result('ActionNotMatched');

  if (statement.principals !== undefined) {
    const { negated, element } = statement.principals;
    if (negated) {
      if (exemptedByNotPrincipal(element, target.principal)) return result('PrincipalNotMatched');
    } else {
      const match = matchPrincipal(element, target.principal);
      if (match === undefined) return result('PrincipalNotMatched');
      delegatedToAccount = match === 'account';
    }
  }

  if (statement.resources !== undefined) {
    const { negated, templates } = statement.resources;
    const listed = templates.some((template) => {
      const resolved = resolveTemplate(template, target.context, onMissing);
      return resolved !== undefined && matchResource(resolved.pattern, target.resource);
    });
    if (listed === negated) return result('ResourceNotMatched');
  }

  // Every condition is decided (no short cut) so that all missing keys are reported.
  let failed: StatementResult['failedCondition'];
  for (const condition of statement.conditions) {
    const value = target.context.get(condition.key);
    if (value === undefined || (typeof value !== 'string' && value.length === 0)) {
      onMissing(condition.key);
    }
    const holds = testCondition(
      condition.operator,
      condition.values,
      value,
      target.context,
      onMissing,
    );
    if (!holds) failed ??= { operator: condition.operator.name, key: condition.key };
  }
  return failed === undefined ? result('Matched') : result('ConditionNotMet', failed);
}
