// What each condition operator means: the IAM operator families (String, Numeric, Date, Bool,
// Binary, IpAddress, Arn, Null), the `…IfExists` suffix and the `ForAnyValue:`/`ForAllValues:`
// set qualifiers, decided for one context key against the values a policy lists for it.
//
// The rules, from IAM's documentation:
// - Several policy values for one key are ORed; for a negated operator (StringNotEquals,
//   NotIpAddress, ArnNotLike …) they are NORed: the key must match none of them.
// - A key absent from the request fails a positive operator and passes a negated one; with
//   `IfExists` it passes either. `Null` tests presence itself ("true": the key is absent).
// - `ForAllValues:` passes when every request value satisfies the operator, and also when the
//   key is absent or empty; `ForAnyValue:` passes when at least one does, and fails when the key
//   is absent or empty.
// - Without a qualifier, a multivalued key passes a positive operator when any of its values
//   matches, and a negated operator when none does (the negation of the positive answer).
// - An empty list counts as an absent key. A policy value whose variable cannot be resolved
//   matches no request value.

import { matchArn } from './arn.js';
import type { ContextValue, RequestContext } from './context.js';
import { parseIamDate } from './date-time.js';
import { networkContains, parseIpAddress, parseIpNetwork } from './ip-address.js';
import { resolveTemplate, type Resolved, type Template } from './policy-variables.js';
import { matchPattern, splitArnPattern, wildcardAtoms } from './wildcard.js';

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

interface OperatorFamily {
  /** Whether `${…}` in values is a variable; where not, it is literal text (IAM). */
  readonly variables: boolean;
  /** Why a value can never be valid for the family; undefined when it can. */
  validate(text: string): string | undefined;
}

interface BaseOperator {
  readonly family: OperatorFamily;
  readonly negated: boolean;
  /** The positive sense: does one request value match one resolved policy value? */
  matches(requestValue: string, policyValue: Resolved): boolean;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BOOLEAN = /^(?:true|false)$/i;

const STRING: OperatorFamily = { variables: true, validate: () => undefined };
const NUMERIC: OperatorFamily = {
  variables: false,
  validate: (text) => (NUMBER.test(text) ? undefined : `"${text}" is not a number`),
};
const DATE: OperatorFamily = {
  variables: false,
  validate: (text) =>
    parseIamDate(text) === undefined
      ? `"${text}" is not an ISO 8601 date or epoch seconds`
      : undefined,
};
const BOOL: OperatorFamily = {
  variables: true,
  validate: (text) => (BOOLEAN.test(text) ? undefined : `"${text}" is not true or false`),
};
const BINARY: OperatorFamily = {
  variables: false,
  validate: (text) => (BASE64.test(text) ? undefined : `"${text}" is not base64`),
};
const IP: OperatorFamily = {
  variables: false,
  validate: (text) =>
    parseIpNetwork(text) === undefined ? `"${text}" is not an IP address or CIDR block` : undefined,
};
const ARN: OperatorFamily = {
  variables: true,
  validate: (text) =>
    splitArnPattern(wildcardAtoms(text)) === undefined
      ? `"${text}" is not an ARN (arn:partition:service:region:account:resource)`
      : undefined,
};
const NULL: OperatorFamily = BOOL;

function compareNumbers(test: (request: number, policy: number) => boolean) {
  return (requestValue: string, policyValue: Resolved): boolean =>
    NUMBER.test(requestValue) &&
    NUMBER.test(policyValue.text) &&
    test(Number(requestValue), Number(policyValue.text));
}

function compareDates(test: (request: number, policy: number) => boolean) {
  return (requestValue: string, policyValue: Resolved): boolean => {
    const request = parseIamDate(requestValue);
    const policy = parseIamDate(policyValue.text);
    return request !== undefined && policy !== undefined && test(request, policy);
  };
}

const equal = (a: number, b: number): boolean => a === b;
const stringEquals = (request: string, policy: Resolved): boolean => request === policy.text;
const stringEqualsIgnoreCase = (request: string, policy: Resolved): boolean =>
  request.toLowerCase() === policy.text.toLowerCase();
const stringLike = (request: string, policy: Resolved): boolean =>
  matchPattern(policy.pattern, request);
const arnLike = (request: string, policy: Resolved): boolean => matchArn(policy.pattern, request);
const inNetwork = (request: string, policy: Resolved): boolean => {
  const address = parseIpAddress(request);
  const network = parseIpNetwork(policy.text);
  return address !== undefined && network !== undefined && networkContains(network, address);
};

const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map(
  Object.entries({
    StringEquals: { family: STRING, negated: false, matches: stringEquals },
    StringNotEquals: { family: STRING, negated: true, matches: stringEquals },
    StringEqualsIgnoreCase: { family: STRING, negated: false, matches: stringEqualsIgnoreCase },
    StringNotEqualsIgnoreCase: { family: STRING, negated: true, matches: stringEqualsIgnoreCase },
    StringLike: { family: STRING, negated: false, matches: stringLike },
    StringNotLike: { family: STRING, negated: true, matches: stringLike },
    NumericEquals: { family: NUMERIC, negated: false, matches: compareNumbers(equal) },
    NumericNotEquals: { family: NUMERIC, negated: true, matches: compareNumbers(equal) },
    NumericLessThan: { family: NUMERIC, negated: false, matches: compareNumbers((a, b) => a < b) },
    NumericLessThanEquals: {
      family: NUMERIC,
      negated: false,
      matches: compareNumbers((a, b) => a <= b),
    },
    NumericGreaterThan: {
      family: NUMERIC,
      negated: false,
      matches: compareNumbers((a, b) => a > b),
    },
    NumericGreaterThanEquals: {
      family: NUMERIC,
      negated: false,
      matches: compareNumbers((a, b) => a >= b),
    },
    DateEquals: { family: DATE, negated: false, matches: compareDates(equal) },
    DateNotEquals: { family: DATE, negated: true, matches: compareDates(equal) },
    DateLessThan: { family: DATE, negated: false, matches: compareDates((a, b) => a < b) },
    DateLessThanEquals: { family: DATE, negated: false, matches: compareDates((a, b) => a <= b) },
    DateGreaterThan: { family: DATE, negated: false, matches: compareDates((a, b) => a > b) },
    DateGreaterThanEquals: {
      family: DATE,
      negated: false,
      matches: compareDates((a, b) => a >= b),
    },
    Bool: {
      family: BOOL,
      negated: false,
      matches: (request, policy) =>
        BOOLEAN.test(request) && stringEqualsIgnoreCase(request, policy),
    },
    BinaryEquals: { family: BINARY, negated: false, matches: stringEquals },
    IpAddress: { family: IP, negated: false, matches: inNetwork },
    NotIpAddress: { family: IP, negated: true, matches: inNetwork },
    ArnEquals: { family: ARN, negated: false, matches: arnLike },
    ArnLike: { family: ARN, negated: false, matches: arnLike },
    ArnNotEquals: { family: ARN, negated: true, matches: arnLike },
    ArnNotLike: { family: ARN, negated: true, matches: arnLike },
  } satisfies Record<string, BaseOperator>),
);

/** The operator names IAM defines (without qualifier or IfExists), Null included. */
export const CONDITION_OPERATORS: readonly string[] = [...BASE_OPERATORS.keys(), 'Null'];

export interface ConditionOperator {
  /** As written in the policy, e.g. `ForAllValues:StringLikeIfExists`. */
  readonly name: string;
  /** The operator without qualifier or suffix, e.g. `StringLike`. */
  readonly base: string;
  readonly qualifier: SetQualifier | undefined;
  readonly ifExists: boolean;
}

/** Parses an operator name; returns the reason when it is not one IAM defines. */
export function parseConditionOperator(name: string): ConditionOperator | string {
  const qualifierMatch = /^(ForAnyValue|ForAllValues):/.exec(name);
  const qualifier = qualifierMatch?.[1] as SetQualifier | undefined;
  let base = qualifier === undefined ? name : name.slice(qualifier.length + 1);
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  if (base === 'Null') {
    if (ifExists) return 'Null cannot take the IfExists suffix (it tests presence itself)';
    if (qualifier !== undefined) return `Null cannot take the ${qualifier}: qualifier`;
  } else if (!BASE_OPERATORS.has(base)) {
    // A Map, not an object: `toString` or `constructor` must not pass for an operator.
    return `unknown condition operator "${name}" (operator names are case-sensitive)`;
  }
  return { name, base, qualifier, ifExists };
}

/** Whether `${…}` in this operator's values are policy variables (else literal text). */
export function operatorTakesVariables(operator: ConditionOperator): boolean {
  return operator.base === 'Null' ? false : baseOperator(operator).family.variables;
}

/** Why a value without variables can never be valid for the operator; undefined when it can. */
export function validateConditionValue(
  operator: ConditionOperator,
  text: string,
): string | undefined {
  if (operator.base === 'Null') return NULL.validate(text);
  return baseOperator(operator).family.validate(text);
}

/**
 * Decides one condition: `operator` applied to the request's value for the key against the
 * policy's values for it. `onMissing` hears context keys the decision wanted and did not find.
 */
export function testCondition(
  operator: ConditionOperator,
  policyValues: readonly Template[],
  requestValue: ContextValue | undefined,
  context: RequestContext,
  onMissing: (key: string) => void,
): boolean {
  const requestValues =
    requestValue === undefined
      ? []
      : typeof requestValue === 'string'
        ? [requestValue]
        : requestValue;
  const present = requestValues.length > 0;

  if (operator.base === 'Null') {
    // Values are validated to be true/false at parse time and take no variables.
    return policyValues.some((value) => textOf(value).toLowerCase() === String(!present));
  }
  if (!present) {
    if (operator.ifExists || operator.qualifier === 'ForAllValues') return true;
    if (operator.qualifier === 'ForAnyValue') return false;
    return baseOperator(operator).negated;
  }

  const base = baseOperator(operator);
  const resolved = policyValues.flatMap((value) => {
    const result = resolveTemplate(value, context, onMissing);
    return result === undefined ? [] : [result];
  });
  const positive = (value: string): boolean =>
    resolved.some((policyValue) => base.matches(value, policyValue));
  const satisfies = (value: string): boolean => positive(value) !== base.negated;

  switch (operator.qualifier) {
    case 'ForAllValues':
      return requestValues.every(satisfies);
    case 'ForAnyValue':
      return requestValues.some(satisfies);
    case undefined:
      return requestValues.some(positive) !== base.negated;
  }
}

function baseOperator(operator: ConditionOperator): BaseOperator {
  const base = BASE_OPERATORS.get(operator.base);
  if (base === undefined) throw new Error(`Not a parsed condition operator: ${operator.name}`);
  return base;
}

function textOf(template: Template): string {
  return template.map((part) => (part.kind === 'variable' ? '' : part.text)).join('');
}
