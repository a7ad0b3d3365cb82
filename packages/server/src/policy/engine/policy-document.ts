// Parses and validates an IAM policy document once, when it is written, into the compiled form
// the evaluator reads. Everything IAM would refuse is refused here with MalformedPolicyDocument
// and a reason that names the element ("Statement[1]: Action must be …"); a document that parses
// can always be evaluated.

import { CodedError } from '@openssm/protocol';
import {
  operatorTakesVariables,
  parseConditionOperator,
  validateConditionValue,
  type ConditionOperator,
} from './condition-operators.js';
import { isJsonObject, parsePolicyJson, PolicyJsonError, type JsonValue } from './policy-json.js';
import { hasVariables, parseTemplate, TemplateError, type Template } from './policy-variables.js';
import {
  PRINCIPAL_TYPES,
  validatePrincipalEntry,
  type PrincipalElement,
  type PrincipalEntry,
  type PrincipalType,
} from './principal.js';
import { wildcardAtoms, type Pattern } from './wildcard.js';

/** Identity-based (attached to a user, group or role), a role's trust policy, or a resource's. */
export type PolicyKind = 'identity' | 'trust' | 'resource';
export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

export interface PolicyDocument {
  readonly kind: PolicyKind;
  /** `2008-10-17` when the document has no Version (IAM's default): no policy variables then. */
  readonly version: PolicyVersion;
  readonly id: string | undefined;
  readonly statements: readonly Statement[];
}

export interface Statement {
  /** 0-based position in the Statement array (0 when Statement is a single object). */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Action or NotAction, lower-cased: actions compare case-insensitively. */
  readonly actions: { readonly negated: boolean; readonly patterns: readonly Pattern[] };
  /** Resource or NotResource; undefined in trust policies, which have none. */
  readonly resources:
    { readonly negated: boolean; readonly templates: readonly Template[] } | undefined;
  /** Principal or NotPrincipal; undefined in identity policies, which have none. */
  readonly principals:
    { readonly negated: boolean; readonly element: PrincipalElement } | undefined;
  /** All must hold (AND). */
  readonly conditions: readonly Condition[];
}

export interface Condition {
  readonly operator: ConditionOperator;
  /** The context key as written; looked up case-insensitively. */
  readonly key: string;
  /** Any may match (OR; NOR for negated operators). */
  readonly values: readonly Template[];
}

/**
 * IAM's size limits, in characters not counting whitespace. AWS's own figures: customer managed
 * policies 6,144; inline policies 2,048 per user, 5,120 per group, 10,240 per role; role trust
 * policies 2,048 by default (raisable to 4,096).
 */
export const POLICY_SIZE_LIMITS = {
  managed: 6144,
  inlineUser: 2048,
  inlineGroup: 5120,
  inlineRole: 10240,
  trust: 2048,
} as const;

export interface ParsePolicyOptions {
  /** Largest document accepted, in non-whitespace characters. Default: POLICY_SIZE_LIMITS.managed. */
  readonly maxLength?: number;
}

const TOP_LEVEL_KEYS = ['Version', 'Id', 'Statement'];
const STATEMENT_KEYS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];
const VERSIONS: readonly string[] = ['2012-10-17', '2008-10-17'];
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
const SID = /^[A-Za-z0-9]*$/;
const CONDITION_KEY = /^[A-Za-z0-9-]+:\S/;
const KIND_NAMES: Readonly<Record<PolicyKind, string>> = {
  identity: 'an identity-based policy',
  trust: 'a role trust policy',
  resource: 'a resource-based policy',
};

/** The reason a document is malformed, before it is prefixed with where. */
class Malformed extends Error {}

/**
 * Parses `json` as a policy of the given kind. Throws CodedError('MalformedPolicyDocument') with
 * the element and the reason when IAM would not accept it.
 */
export function parsePolicyDocument(
  json: string,
  kind: PolicyKind,
  options: ParsePolicyOptions = {},
): PolicyDocument {
  const maxLength = options.maxLength ?? POLICY_SIZE_LIMITS.managed;
  const length = countNonWhitespace(json);
  if (length > maxLength) {
    throw malformed(
      `Policy is ${length} characters long (whitespace not counted), over the limit of ${maxLength}`,
    );
  }
  let root: JsonValue;
  try {
    root = parsePolicyJson(json);
  } catch (error) {
    if (error instanceof PolicyJsonError) {
      throw malformed(`Policy is not valid JSON: ${error.message}`);
    }
    throw error;
  }
  try {
    return compileDocument(root, kind);
  } catch (error) {
    if (error instanceof Malformed) throw malformed(error.message);
    throw error;
  }
}

function malformed(message: string): CodedError {
  return new CodedError('MalformedPolicyDocument', message);
}

function countNonWhitespace(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) count++;
  }
  return count;
}

function compileDocument(root: JsonValue, kind: PolicyKind): PolicyDocument {
  if (!isJsonObject(root)) throw new Malformed('Policy must be a JSON object');
  checkKeys(root, TOP_LEVEL_KEYS, 'Policy');

  const versionValue = root['Version'];
  if (versionValue !== undefined && !VERSIONS.includes(versionValue as string)) {
    throw new Malformed('Version must be "2012-10-17" or "2008-10-17"');
  }
  const version = (versionValue ?? '2008-10-17') as PolicyVersion;

  const id = root['Id'];
  if (id !== undefined && typeof id !== 'string') throw new Malformed('Id must be a string');

  const statementValue = root['Statement'];
  if (statementValue === undefined) throw new Malformed('Statement is missing');
  const listed = Array.isArray(statementValue);
  const items: readonly JsonValue[] = listed ? statementValue : [statementValue];
  if (items.length === 0) throw new Malformed('Statement must not be an empty array');

  const sids = new Set<string>();
  const statements = items.map((item, index) => {
    const where = listed ? `Statement[${index}]` : 'Statement';
    try {
      const statement = compileStatement(item, index, kind, version);
      if (statement.sid !== undefined && statement.sid !== '') {
        if (sids.has(statement.sid)) {
          throw new Malformed(`Sid "${statement.sid}" is used by another statement`);
        }
        sids.add(statement.sid);
      }
      return statement;
    } catch (error) {
      if (error instanceof Malformed) throw new Malformed(`${where}: ${error.message}`);
      throw error;
    }
  });
  return { kind, version, id, statements };
}

function compileStatement(
  value: JsonValue,
  index: number,
  kind: PolicyKind,
  version: PolicyVersion,
): Statement {
  if (!isJsonObject(value)) throw new Malformed('must be a JSON object');
  checkKeys(value, STATEMENT_KEYS, 'Statement');
  const substitute = version === '2012-10-17';

  const sid = value['Sid'];
  if (sid !== undefined && (typeof sid !== 'string' || !SID.test(sid))) {
    throw new Malformed('Sid must be a string of letters and digits');
  }

  const effect = value['Effect'];
  if (effect === undefined) throw new Malformed('Effect is missing');
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new Malformed('Effect must be "Allow" or "Deny"');
  }

  const actionElement = pickOne(value, 'Action', 'NotAction');
  if (actionElement === undefined) throw new Malformed('Action or NotAction is missing');
  const actions = {
    negated: actionElement.negated,
    patterns: stringList(actionElement.value, actionElement.name).map((action) => {
      if (action !== '*' && !ACTION.test(action)) {
        throw new Malformed(`${actionElement.name} "${action}" must be "*" or "service:action"`);
      }
      return wildcardAtoms(action.toLowerCase());
    }),
  };

  const resourceElement = pickOne(value, 'Resource', 'NotResource');
  let resources: Statement['resources'];
  if (kind === 'trust') {
    if (resourceElement !== undefined) {
      throw new Malformed(`${resourceElement.name} is not allowed in ${KIND_NAMES[kind]}`);
    }
  } else {
    if (resourceElement === undefined) throw new Malformed('Resource or NotResource is missing');
    resources = {
      negated: resourceElement.negated,
      templates: stringList(resourceElement.value, resourceElement.name).map((resource) =>
        compileResource(resource, resourceElement.name, substitute),
      ),
    };
  }

  const principalElement = pickOne(value, 'Principal', 'NotPrincipal');
  let principals: Statement['principals'];
  if (kind === 'identity') {
    if (principalElement !== undefined) {
      throw new Malformed(`${principalElement.name} is not allowed in ${KIND_NAMES[kind]}`);
    }
  } else {
    if (principalElement === undefined) throw new Malformed('Principal is missing');
    if (principalElement.negated && kind === 'trust') {
      throw new Malformed(`NotPrincipal is not allowed in ${KIND_NAMES[kind]}`);
    }
    if (principalElement.negated && effect !== 'Deny') {
      throw new Malformed('NotPrincipal can only be used with "Effect": "Deny"');
    }
    principals = {
      negated: principalElement.negated,
      element: compilePrincipal(principalElement.value, principalElement.name),
    };
  }

  const conditionValue = value['Condition'];
  const conditions =
    conditionValue === undefined ? [] : compileConditions(conditionValue, substitute);

  return { index, sid, effect, actions, resources, principals, conditions };
}

/** The one of two mutually exclusive elements that is present. */
function pickOne(
  statement: { readonly [key: string]: JsonValue },
  positive: string,
  negative: string,
): { name: string; negated: boolean; value: JsonValue } | undefined {
  const plain = statement[positive];
  const negated = statement[negative];
  if (plain !== undefined && negated !== undefined) {
    throw new Malformed(`${positive} and ${negative} cannot both be present`);
  }
  if (plain !== undefined) return { name: positive, negated: false, value: plain };
  if (negated !== undefined) return { name: negative, negated: true, value: negated };
  return undefined;
}

function compileResource(resource: string, element: string, substitute: boolean): Template {
  const template = toTemplate(resource, substitute, element);
  const fixedText = template.map((part) => (part.kind === 'variable' ? '' : part.text)).join('');
  const colons = fixedText.split(':').length - 1;
  if (resource !== '*' && (!resource.startsWith('arn:') || colons < 5)) {
    throw new Malformed(
      `${element} "${resource}" must be "*" or an ARN (arn:partition:service:region:account:resource)`,
    );
  }
  return template;
}

function compilePrincipal(value: JsonValue, element: string): PrincipalElement {
  if (value === '*') return { everyone: true, entries: [] };
  if (!isJsonObject(value)) {
    throw new Malformed(`${element} must be "*" or an object such as {"AWS": "<arn>"}`);
  }
  const entries: PrincipalEntry[] = [];
  for (const [type, ids] of Object.entries(value)) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
      throw new Malformed(
        `${element} type "${type}" is not one of ${PRINCIPAL_TYPES.map((name) => `"${name}"`).join(', ')}`,
      );
    }
    for (const id of stringList(ids, `${element}.${type}`)) {
      const entry = { type: type as PrincipalType, value: id };
      const problem = validatePrincipalEntry(entry);
      if (problem !== undefined) throw new Malformed(`${element}: ${problem}`);
      entries.push(entry);
    }
  }
  if (entries.length === 0) throw new Malformed(`${element} must name at least one principal`);
  return { everyone: false, entries };
}

function compileConditions(value: JsonValue, substitute: boolean): Condition[] {
  if (!isJsonObject(value)) {
    throw new Malformed('Condition must be an object of operators, e.g. {"StringEquals": {…}}');
  }
  const conditions: Condition[] = [];
  for (const [operatorName, block] of Object.entries(value)) {
    const where = `Condition.${operatorName}`;
    const operator = parseConditionOperator(operatorName);
    if (typeof operator === 'string') throw new Malformed(`${where}: ${operator}`);
    if (!isJsonObject(block)) {
      throw new Malformed(`${where} must be an object of context keys to values`);
    }
    for (const [key, values] of Object.entries(block)) {
      if (!CONDITION_KEY.test(key)) {
        throw new Malformed(`${where}: condition key "${key}" must be "prefix:name"`);
      }
      const label = `${where}.${key}`;
      const takesVariables = substitute && operatorTakesVariables(operator);
      const templates = conditionValues(values, label).map((text) => {
        const template = toTemplate(text, takesVariables, label);
        const problem = hasVariables(template) ? undefined : validateConditionValue(operator, text);
        if (problem !== undefined) throw new Malformed(`${label}: ${problem}`);
        return template;
      });
      conditions.push({ operator, key, values: templates });
    }
  }
  return conditions;
}

function toTemplate(text: string, substitute: boolean, label: string): Template {
  try {
    return parseTemplate(text, substitute);
  } catch (error) {
    if (error instanceof TemplateError) throw new Malformed(`${label}: ${error.message}`);
    throw error;
  }
}

function checkKeys(
  object: { readonly [key: string]: JsonValue },
  allowed: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new Malformed(
        `unknown ${what} element "${key}" (allowed: ${allowed.join(', ')}; names are case-sensitive)`,
      );
    }
  }
}

/** A string or a non-empty array of strings, as a list. */
function stringList(value: JsonValue, label: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    if (value.length === 0) throw new Malformed(`${label} must not be an empty array`);
    return value;
  }
  throw new Malformed(`${label} must be a string or an array of strings`);
}

/** Condition values: strings, numbers or booleans (IAM accepts all three), alone or in an array. */
function conditionValues(value: JsonValue, label: string): string[] {
  const items: readonly JsonValue[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new Malformed(`${label} must not be an empty array`);
  return items.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new Malformed(`${label} values must be strings, numbers or booleans`);
  });
}
