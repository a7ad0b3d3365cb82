// The IAM policy engine: parse a policy document once when it is written, evaluate requests
// against parsed policies. Pure — no I/O, no clock, no Node built-ins — so the same inputs always
// give the same decision; the server supplies the request context (time included).
//
//   const document = parsePolicyDocument(json, 'identity');      // throws MalformedPolicyDocument
//   const decision = evaluatePolicies({
//     action: 'ssm:StartSession',
//     resource: 'arn:openssm:ssm:us-east-1:000000000000:managed-instance/mi-0123456789abcdef0',
//     context: createRequestContext({ 'aws:username': 'alice', 'ssm:resourceTag/Env': 'dev' }),
//     policies: [{ name: 'DevSessions', document }],
//   });
//   decision.decision;  // 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'
//   decision.deciding;  // the statements that decided it
//
// An action on several resources (StartSession: the node and the session document) is one
// evaluation per resource; the request is allowed only when every one is.

export {
  parsePolicyDocument,
  POLICY_SIZE_LIMITS,
  type Condition,
  type Effect,
  type ParsePolicyOptions,
  type PolicyDocument,
  type PolicyKind,
  type PolicyVersion,
  type Statement,
} from './policy-document.js';
export {
  evaluateAssumeRole,
  evaluatePolicies,
  type AssumeRoleRequest,
  type Decision,
  type DecisionKind,
  type EvaluationRequest,
  type NamedPolicy,
  type PolicySource,
  type StatementOutcome,
  type StatementRef,
  type StatementResult,
} from './evaluate.js';
export {
  CONTEXT_KEYS,
  createRequestContext,
  type ContextInput,
  type ContextValue,
  type RequestContext,
} from './context.js';
export { PRINCIPAL_TYPES, type PrincipalType, type RequestPrincipal } from './principal.js';
export { CONDITION_OPERATORS } from './condition-operators.js';
export {
  BUILTIN_POLICIES,
  builtinPolicy,
  builtinPolicyArn,
  isBuiltinPolicyName,
  type BuiltinPolicy,
  type BuiltinPolicyName,
} from './builtin-policies.js';
