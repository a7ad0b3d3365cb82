// Reads what both simulator operations share (ActionNames, ResourceArns, ContextEntries,
// PolicyInputList) and writes IAM's EvaluationResults.

import type { ContextInput } from '../../policy/engine/index.js';
import type { QueryParams } from '../../http/query-params.js';
import type { XmlValue } from '../../http/xml-response.js';
import type { SimulationResult } from '../../services/iam/simulator.js';

const CONTEXT_KEY = /^[\w:/\-.@]+$/;

export function readSimulation(params: QueryParams) {
  const context: Record<string, ContextInput> = {};
  params.list('ContextEntries', (prefix) => {
    const key = params.string(`${prefix}.ContextKeyName`, 5, 256, CONTEXT_KEY);
    const values = params.stringList(`${prefix}.ContextKeyValues`, 0, 1024);
    const type = params.optionalString(`${prefix}.ContextKeyType`, 2, 16) ?? 'string';
    context[key] = type.endsWith('List') ? values : (values[0] ?? '');
  });
  return {
    actions: params.stringList('ActionNames', 3, 128),
    resources: params.has('ResourceArns.member.1')
      ? params.stringList('ResourceArns', 1, 2048)
      : [],
    extraPolicies: params.has('PolicyInputList.member.1')
      ? params.stringList('PolicyInputList', 1, 131072)
      : [],
    context,
  };
}

export function evaluationResultsOut(results: readonly SimulationResult[]): XmlValue {
  return {
    EvaluationResults: results.map((result) => ({
      EvalActionName: result.action,
      EvalResourceName: result.resource,
      EvalDecision: result.decision,
      MatchedStatements: result.matched.map((statement) => ({
        SourcePolicyId: statement.policyName,
        SourcePolicyType: statement.sourceType,
      })),
      MissingContextValues: result.missingContextKeys,
    })),
    IsTruncated: false,
  };
}
