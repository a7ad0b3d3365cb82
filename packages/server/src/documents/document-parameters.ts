// A document's parameter definitions (`parameters.<name>` in every schema, ssm-wire §8.1) and
// the check of the values a caller supplies against them. Values arrive as AWS's API carries
// them — lists of strings — and leave typed, as the agent substitutes them (§7.2): a String as
// a string, a StringList as a list, an Integer as a number, a Boolean as a boolean, a StringMap
// as an object and a MapList as a list of objects.

import {
  CodedError,
  isDocumentParameterName,
  type JsonObject,
  type JsonValue,
} from '@openssm/protocol';

export const DOCUMENT_PARAMETER_TYPES = [
  'String',
  'StringList',
  'Integer',
  'Boolean',
  'MapList',
  'StringMap',
] as const;
export type DocumentParameterType = (typeof DOCUMENT_PARAMETER_TYPES)[number];

export interface DocumentParameterDefinition {
  readonly name: string;
  readonly type: DocumentParameterType;
  readonly description: string;
  /** Absent: the parameter is required. Typed as the agent receives it. */
  readonly default?: JsonValue;
  readonly allowedValues?: readonly string[];
  /** A regular expression every value must match as a whole. */
  readonly allowedPattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minChars?: number;
  readonly maxChars?: number;
  readonly displayType?: string;
}

/** What the API takes for one call: parameter name → values (AWS's map<str, list<str>>). */
export type SuppliedParameters = Readonly<Record<string, readonly string[]>>;

const DEFINITION_KEYS = [
  'type',
  'description',
  'default',
  'allowedValues',
  'allowedPattern',
  'minItems',
  'maxItems',
  'minChars',
  'maxChars',
  'displayType',
] as const;
const DISPLAY_TYPES = ['textarea', 'textfield'];
/** The longest parameter name StartSession and SendCommand accept (ssm-wire §2.3). */
const MAX_PARAMETER_NAME_LENGTH = 255;
const LIST_TYPES: readonly DocumentParameterType[] = ['StringList', 'MapList'];
const TEXT_TYPES: readonly DocumentParameterType[] = ['String', 'StringList'];

/**
 * Reads and checks the `parameters` section of a document; InvalidDocumentContent names the
 * parameter and what is wrong with its definition.
 */
export function parseParameterDefinitions(
  section: JsonValue | undefined,
): DocumentParameterDefinition[] {
  if (section === undefined) return [];
  if (!isObject(section)) throw invalid('parameters must be an object of parameter definitions.');
  return Object.entries(section).map(([name, definition]) => parseDefinition(name, definition));
}

function parseDefinition(name: string, value: JsonValue): DocumentParameterDefinition {
  const where = `parameters.${name}`;
  if (!isDocumentParameterName(name) || name.length > MAX_PARAMETER_NAME_LENGTH) {
    throw invalid(
      `Parameter name "${name.slice(0, 64)}" is not valid: use 1 to ${MAX_PARAMETER_NAME_LENGTH} letters and digits (the agent substitutes only such names).`,
    );
  }
  if (!isObject(value)) throw invalid(`${where} must be an object with at least a type.`);
  for (const key of Object.keys(value)) {
    if (!(DEFINITION_KEYS as readonly string[]).includes(key)) {
      throw invalid(
        `${where} has an unknown key "${key.slice(0, 64)}"; allowed: ${DEFINITION_KEYS.join(', ')}.`,
      );
    }
  }
  const type = value['type'];
  if (typeof type !== 'string' || !(DOCUMENT_PARAMETER_TYPES as readonly string[]).includes(type)) {
    throw invalid(`${where}.type must be one of ${DOCUMENT_PARAMETER_TYPES.join(', ')}.`);
  }
  const parameterType = type as DocumentParameterType;
  const definition: {
    -readonly [K in keyof DocumentParameterDefinition]: DocumentParameterDefinition[K];
  } = { name, type: parameterType, description: optionalText(value, 'description', where) ?? '' };

  const allowedValues = value['allowedValues'];
  if (allowedValues !== undefined) {
    if (
      !Array.isArray(allowedValues) ||
      allowedValues.length === 0 ||
      !allowedValues.every((item) => typeof item === 'string')
    ) {
      throw invalid(`${where}.allowedValues must be a non-empty list of strings.`);
    }
    definition.allowedValues = allowedValues;
  }
  const allowedPattern = optionalText(value, 'allowedPattern', where);
  if (allowedPattern !== undefined) {
    try {
      wholeMatch(allowedPattern);
    } catch {
      throw invalid(`${where}.allowedPattern is not a valid regular expression.`);
    }
    definition.allowedPattern = allowedPattern;
  }
  for (const key of ['minItems', 'maxItems', 'minChars', 'maxChars'] as const) {
    const bound = value[key];
    if (bound === undefined) continue;
    if (typeof bound !== 'number' || !Number.isSafeInteger(bound) || bound < 0) {
      throw invalid(`${where}.${key} must be a whole number of 0 or more.`);
    }
    const applies = key.endsWith('Items') ? LIST_TYPES : TEXT_TYPES;
    if (!applies.includes(parameterType)) {
      throw invalid(
        `${where}.${key} applies to ${applies.join(' and ')} parameters only, not ${parameterType}.`,
      );
    }
    definition[key] = bound;
  }
  for (const [min, max] of [
    ['minItems', 'maxItems'],
    ['minChars', 'maxChars'],
  ] as const) {
    if (
      definition[min] !== undefined &&
      definition[max] !== undefined &&
      definition[min] > definition[max]
    ) {
      throw invalid(`${where}.${min} is larger than ${max}.`);
    }
  }
  const displayType = optionalText(value, 'displayType', where);
  if (displayType !== undefined) {
    if (!DISPLAY_TYPES.includes(displayType)) {
      throw invalid(`${where}.displayType must be one of ${DISPLAY_TYPES.join(', ')}.`);
    }
    definition.displayType = displayType;
  }
  const fallback = value['default'];
  if (fallback !== undefined) {
    checkDefault(definition, fallback, where);
    definition.default = fallback;
  }
  return definition;
}

/** A default must have the parameter's JSON type and satisfy its own constraints. */
function checkDefault(definition: DocumentParameterDefinition, fallback: JsonValue, where: string) {
  const problem = (detail: string) => invalid(`${where}.default ${detail}`);
  switch (definition.type) {
    case 'String':
      if (typeof fallback !== 'string') throw problem('must be a string.');
      checkTexts(definition, [fallback], (detail) => problem(detail));
      return;
    case 'StringList':
      if (!Array.isArray(fallback) || !fallback.every((item) => typeof item === 'string')) {
        throw problem('must be a list of strings.');
      }
      checkTexts(definition, fallback, (detail) => problem(detail));
      checkItems(definition, fallback.length, (detail) => problem(detail));
      return;
    case 'Integer':
      if (typeof fallback !== 'number' || !Number.isSafeInteger(fallback)) {
        throw problem('must be a whole number.');
      }
      checkAllowed(definition, [String(fallback)], (detail) => problem(detail));
      return;
    case 'Boolean':
      if (typeof fallback !== 'boolean') throw problem('must be true or false.');
      return;
    case 'StringMap':
      if (!isObject(fallback)) throw problem('must be an object.');
      return;
    case 'MapList':
      if (!Array.isArray(fallback) || !(fallback as readonly JsonValue[]).every(isObject)) {
        throw problem('must be a list of objects.');
      }
      checkItems(definition, fallback.length, (detail) => problem(detail));
      return;
  }
}

/**
 * Checks supplied values against the definitions and returns every parameter's typed value
 * (supplied, or the default). InvalidParameters, with a message naming the parameter, for an
 * unknown name, a required parameter left out, a value of the wrong type or count, a value not
 * in allowedValues, not matching allowedPattern, or outside minChars/maxChars/minItems/maxItems.
 * Messages never quote supplied values (they may be secrets); they say which one, by position.
 */
export function validateParameterValues(
  definitions: readonly DocumentParameterDefinition[],
  supplied: SuppliedParameters,
  documentName: string,
): Record<string, JsonValue> {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  for (const name of Object.keys(supplied)) {
    if (!byName.has(name)) {
      const known = definitions.map((definition) => definition.name).join(', ') || 'none';
      throw new CodedError(
        'InvalidParameters',
        `Parameter "${name.slice(0, 64)}" is not defined in document ${documentName} (its parameters: ${known}).`,
      );
    }
  }
  const resolved: Record<string, JsonValue> = {};
  for (const definition of definitions) {
    const values = Object.hasOwn(supplied, definition.name) ? supplied[definition.name] : undefined;
    if (values === undefined) {
      if (definition.default === undefined) {
        throw new CodedError(
          'InvalidParameters',
          `Parameter "${definition.name}" of document ${documentName} is required and has no default.`,
        );
      }
      resolved[definition.name] = definition.default;
      continue;
    }
    resolved[definition.name] = typedValue(definition, values, documentName);
  }
  return resolved;
}

function typedValue(
  definition: DocumentParameterDefinition,
  values: readonly string[],
  documentName: string,
): JsonValue {
  const problem = (detail: string) =>
    new CodedError(
      'InvalidParameters',
      `Parameter "${definition.name}" of document ${documentName} ${detail}`,
    );
  const single = (): string => {
    if (values.length !== 1) {
      throw problem(`is a ${definition.type} and takes exactly one value, got ${values.length}.`);
    }
    return values[0]!;
  };
  switch (definition.type) {
    case 'String': {
      const value = single();
      checkTexts(definition, [value], problem);
      return value;
    }
    case 'StringList':
      checkItems(definition, values.length, problem);
      checkTexts(definition, values, problem);
      return [...values];
    case 'Integer': {
      const value = single().trim();
      const number = Number(value);
      if (!/^-?[0-9]+$/.test(value) || !Number.isSafeInteger(number)) {
        throw problem('must be a whole number.');
      }
      checkAllowed(definition, [String(number)], problem);
      return number;
    }
    case 'Boolean': {
      const value = single().trim().toLowerCase();
      if (value !== 'true' && value !== 'false') throw problem('must be true or false.');
      return value === 'true';
    }
    case 'StringMap': {
      const value = parseJsonValue(single());
      if (!isObject(value)) throw problem('must be a JSON object, such as {"key":"value"}.');
      return value;
    }
    case 'MapList': {
      checkItems(definition, values.length, problem);
      return values.map((text, index) => {
        const value = parseJsonValue(text);
        if (!isObject(value)) throw problem(`value ${index + 1} must be a JSON object.`);
        return value;
      });
    }
  }
}

function checkTexts(
  definition: DocumentParameterDefinition,
  values: readonly string[],
  problem: (detail: string) => Error,
): void {
  checkAllowed(definition, values, problem);
  const pattern =
    definition.allowedPattern === undefined ? undefined : wholeMatch(definition.allowedPattern);
  values.forEach((value, index) => {
    const which = values.length === 1 ? 'value' : `value ${index + 1}`;
    if (pattern !== undefined && !pattern.test(value)) {
      throw problem(`${which} does not match the allowed pattern ${definition.allowedPattern}.`);
    }
    const length = [...value].length;
    if (definition.minChars !== undefined && length < definition.minChars) {
      throw problem(
        `${which} must have at least ${definition.minChars} characters, got ${length}.`,
      );
    }
    if (definition.maxChars !== undefined && length > definition.maxChars) {
      throw problem(`${which} must have at most ${definition.maxChars} characters, got ${length}.`);
    }
  });
}

function checkAllowed(
  definition: DocumentParameterDefinition,
  values: readonly string[],
  problem: (detail: string) => Error,
): void {
  const allowed = definition.allowedValues;
  if (allowed === undefined) return;
  values.forEach((value, index) => {
    if (!allowed.includes(value)) {
      const which = values.length === 1 ? 'value' : `value ${index + 1}`;
      throw problem(`${which} is not one of the allowed values: ${allowed.join(', ')}.`);
    }
  });
}

function checkItems(
  definition: DocumentParameterDefinition,
  count: number,
  problem: (detail: string) => Error,
): void {
  if (definition.minItems !== undefined && count < definition.minItems) {
    throw problem(`needs at least ${definition.minItems} value(s), got ${count}.`);
  }
  if (definition.maxItems !== undefined && count > definition.maxItems) {
    throw problem(`takes at most ${definition.maxItems} value(s), got ${count}.`);
  }
}

/**
 * The service checks a pattern against the whole value (as Java's `String.matches` does);
 * AWS's own patterns, such as AWS-RunShellScript's executionTimeout, rely on it. No `u` flag:
 * patterns written for Java escape characters (`\:`) that unicode mode refuses.
 */
function wholeMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function parseJsonValue(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function optionalText(value: JsonObject, key: string, where: string): string | undefined {
  const text = value[key];
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw invalid(`${where}.${key} must be a string.`);
  return text;
}

function invalid(message: string): CodedError {
  return new CodedError('InvalidDocumentContent', message);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
