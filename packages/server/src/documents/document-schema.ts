// The schemas OpenSSM runs (docs/documents.md): Command documents in schema 2.2/2.0
// (`mainSteps`) and 1.2 (`runtimeConfig`, as AWS-RunShellScript), Session documents in schema
// 1.0 (ssm-wire §8.1, §8.3, §7.3). Checks a parsed document and returns what the API reports
// about it; every refusal is InvalidDocumentContent or InvalidDocumentSchemaVersion with the
// path of the offending field and what would be accepted.

import {
  CodedError,
  findParameterReferences,
  type JsonObject,
  type JsonValue,
} from '@openssm/protocol';
import type { PlatformType } from '../storage/records.js';
import {
  parseParameterDefinitions,
  type DocumentParameterDefinition,
} from './document-parameters.js';

/** The document types OpenSSM runs (AWS has more, see CreateDocument's DocumentType). */
export const RUNNABLE_DOCUMENT_TYPES = ['Command', 'Session'] as const;
export type RunnableDocumentType = (typeof RUNNABLE_DOCUMENT_TYPES)[number];

export const SESSION_TYPES = [
  'Standard_Stream',
  'InteractiveCommands',
  'NonInteractiveCommands',
  'Port',
] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export const COMMAND_SCHEMA_VERSIONS = ['2.2', '2.0', '1.2'] as const;
export const SESSION_SCHEMA_VERSIONS = ['1.0'] as const;

/** What a valid document declares, as DescribeDocument reports it. */
export interface DocumentModel {
  readonly documentType: RunnableDocumentType;
  readonly schemaVersion: string;
  readonly description: string;
  readonly parameters: readonly DocumentParameterDefinition[];
  readonly platformTypes: readonly PlatformType[];
  /** Session documents only. */
  readonly sessionType?: SessionType;
}

/** The step actions a Command document may use, and the platforms each runs on. */
const ACTIONS: Readonly<Record<string, readonly PlatformType[]>> = {
  'aws:runShellScript': ['Linux', 'MacOS'],
  'aws:runPowerShellScript': ['Windows'],
};
const PLATFORM_ORDER: readonly PlatformType[] = ['Windows', 'Linux', 'MacOS'];
const STEP_NAME = /^[a-zA-Z0-9_.-]{1,100}$/;
/** timeoutSeconds of a shell step: the agent runs 5 s to 48 h (anything else becomes 3600). */
const STEP_TIMEOUT_RANGE = [5, 172_800] as const;
const ON_FAILURE = ['exit', 'successAndExit'];
const SEPARATOR_PREFIX = /^[0-9a-zA-Z\r\n_:-]{0,30}$/;
const PLACEHOLDER_ONLY = /^\{\{\s*[a-zA-Z0-9]+\s*\}\}$/;

/**
 * Checks `content` as a document of `documentType` and returns its model. The schemaVersion
 * decides which schema applies; a document of the other type (a session document created as
 * Command, say) fails with a message saying so.
 */
export function validateDocument(
  content: JsonObject,
  documentType: RunnableDocumentType,
): DocumentModel {
  const schemaVersion = readSchemaVersion(content);
  const supported: readonly string[] =
    documentType === 'Command' ? COMMAND_SCHEMA_VERSIONS : SESSION_SCHEMA_VERSIONS;
  if (!supported.includes(schemaVersion)) {
    const hint =
      documentType === 'Command' && 'sessionType' in content
        ? ' The content looks like a Session document: pass DocumentType Session.'
        : documentType === 'Session' && ('mainSteps' in content || 'runtimeConfig' in content)
          ? ' The content looks like a Command document: pass DocumentType Command.'
          : '';
    throw new CodedError(
      'InvalidDocumentSchemaVersion',
      `schemaVersion ${JSON.stringify(schemaVersion)} is not supported for ${documentType} documents; use ${supported.join(' or ')}.${hint}`,
    );
  }
  const description = optionalString(content, 'description', 'description') ?? '';
  const parameters = parseParameterDefinitions(content['parameters']);
  const model =
    documentType === 'Session'
      ? validateSession(content, schemaVersion, description, parameters)
      : schemaVersion === '1.2'
        ? validateRuntimeConfig(content, schemaVersion, description, parameters)
        : validateMainSteps(content, schemaVersion, description, parameters);
  checkReferences(content, parameters);
  return model;
}

// ---- Command documents, schema 2.x -----------------------------------------------------------

function validateMainSteps(
  content: JsonObject,
  schemaVersion: string,
  description: string,
  parameters: readonly DocumentParameterDefinition[],
): DocumentModel {
  onlyKeys(content, 'The document', ['schemaVersion', 'description', 'parameters', 'mainSteps']);
  const steps = content['mainSteps'];
  if (!Array.isArray(steps) || steps.length === 0) {
    throw invalid(`mainSteps must be a non-empty list of steps (schemaVersion ${schemaVersion}).`);
  }
  const names = new Set<string>();
  const platforms = new Set<PlatformType>();
  steps.forEach((step: JsonValue, index: number) => {
    const where = `mainSteps[${index}]`;
    if (!isObject(step)) throw invalid(`${where} must be an object.`);
    const keys = ['action', 'name', 'inputs', 'maxAttempts', 'onFailure', 'timeoutSeconds'];
    keys.push(
      'isEnd',
      'settings',
      ...(schemaVersion === '2.2' ? ['precondition', 'finallyStep'] : []),
    );
    onlyKeys(
      step,
      where,
      keys,
      schemaVersion === '2.2' ? '' : ' (precondition and finallyStep need schemaVersion 2.2)',
    );
    const action = requiredString(step, 'action', `${where}.action`);
    const actionPlatforms = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (actionPlatforms === undefined) {
      throw invalid(
        `${where}.action ${JSON.stringify(action.slice(0, 64))} is not supported; use ${Object.keys(ACTIONS).join(' or ')}.`,
      );
    }
    const name = requiredString(step, 'name', `${where}.name`);
    if (!STEP_NAME.test(name)) {
      throw invalid(`${where}.name must be 1 to 100 letters, digits, '_', '-' or '.'.`);
    }
    if (names.has(name))
      throw invalid(
        `${where}.name "${name}" is used by an earlier step; step names must be unique.`,
      );
    names.add(name);
    if (!isObject(step['inputs'])) throw invalid(`${where}.inputs must be an object.`);
    checkShellInputs(step['inputs'], `${where}.inputs`, [
      'runCommand',
      'workingDirectory',
      'timeoutSeconds',
    ]);
    const precondition = step['precondition'];
    const only =
      precondition === undefined
        ? undefined
        : readPrecondition(precondition, `${where}.precondition`);
    for (const platform of actionPlatforms) {
      if (only === undefined || only === platform) platforms.add(platform);
    }
    const onFailure = optionalString(step, 'onFailure', `${where}.onFailure`);
    if (onFailure !== undefined && !ON_FAILURE.includes(onFailure)) {
      throw invalid(`${where}.onFailure must be ${ON_FAILURE.join(' or ')}.`);
    }
    optionalBoolean(step, 'isEnd', `${where}.isEnd`);
    if (
      optionalBoolean(step, 'finallyStep', `${where}.finallyStep`) === true &&
      index !== steps.length - 1
    ) {
      throw invalid(
        `${where} is a finallyStep but not the last step; only the last step may be one.`,
      );
    }
    for (const key of ['maxAttempts', 'timeoutSeconds']) {
      const value = step[key];
      if (
        value !== undefined &&
        !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 1)
      ) {
        throw invalid(`${where}.${key} must be a whole number of 1 or more.`);
      }
    }
    if (step['settings'] !== undefined && !isObject(step['settings'])) {
      throw invalid(`${where}.settings must be an object.`);
    }
  });
  return {
    documentType: 'Command',
    schemaVersion,
    description,
    parameters,
    platformTypes: PLATFORM_ORDER.filter((platform) => platforms.has(platform)),
  };
}

function readPrecondition(value: JsonValue, where: string): PlatformType {
  const condition = isObject(value) ? value['StringEquals'] : undefined;
  if (
    !isObject(value) ||
    Object.keys(value).length !== 1 ||
    !Array.isArray(condition) ||
    condition.length !== 2 ||
    condition[0] !== 'platformType' ||
    !PLATFORM_ORDER.includes(condition[1] as PlatformType)
  ) {
    throw invalid(
      `${where} must be {"StringEquals": ["platformType", "Linux" | "Windows" | "MacOS"]}.`,
    );
  }
  return condition[1] as PlatformType;
}

// ---- Command documents, schema 1.2 -----------------------------------------------------------

function validateRuntimeConfig(
  content: JsonObject,
  schemaVersion: string,
  description: string,
  parameters: readonly DocumentParameterDefinition[],
): DocumentModel {
  onlyKeys(content, 'The document', [
    'schemaVersion',
    'description',
    'parameters',
    'runtimeConfig',
  ]);
  const runtimeConfig = content['runtimeConfig'];
  if (!isObject(runtimeConfig) || Object.keys(runtimeConfig).length === 0) {
    throw invalid(
      'runtimeConfig must be an object naming at least one plugin (schemaVersion 1.2).',
    );
  }
  const platforms = new Set<PlatformType>();
  for (const [plugin, config] of Object.entries(runtimeConfig)) {
    const where = `runtimeConfig.${plugin}`;
    const pluginPlatforms = Object.hasOwn(ACTIONS, plugin) ? ACTIONS[plugin] : undefined;
    if (pluginPlatforms === undefined) {
      throw invalid(
        `${where} is not a supported plugin; use ${Object.keys(ACTIONS).join(' or ')}.`,
      );
    }
    if (!isObject(config)) throw invalid(`${where} must be an object with properties.`);
    onlyKeys(config, where, ['properties']);
    const properties = config['properties'];
    const list = Array.isArray(properties) ? (properties as readonly JsonValue[]) : [properties];
    if (list.length === 0) throw invalid(`${where}.properties must not be empty.`);
    list.forEach((item, index) => {
      const at = Array.isArray(properties)
        ? `${where}.properties[${index}]`
        : `${where}.properties`;
      if (!isObject(item)) throw invalid(`${at} must be an object.`);
      checkShellInputs(item, at, ['id', 'runCommand', 'workingDirectory', 'timeoutSeconds']);
      optionalString(item, 'id', `${at}.id`);
    });
    pluginPlatforms.forEach((platform) => platforms.add(platform));
  }
  return {
    documentType: 'Command',
    schemaVersion,
    description,
    parameters,
    platformTypes: PLATFORM_ORDER.filter((platform) => platforms.has(platform)),
  };
}

/** The inputs of aws:runShellScript / aws:runPowerShellScript (ssm-wire §7.3). */
function checkShellInputs(inputs: JsonObject, where: string, keys: readonly string[]): void {
  onlyKeys(inputs, where, keys);
  const runCommand = inputs['runCommand'];
  const commandOk =
    (typeof runCommand === 'string' && runCommand.trim() !== '') ||
    (Array.isArray(runCommand) &&
      runCommand.length > 0 &&
      runCommand.every((line) => typeof line === 'string'));
  if (!commandOk) {
    throw invalid(
      `${where}.runCommand must be a command, a list of command lines, or a parameter such as "{{ commands }}".`,
    );
  }
  optionalString(inputs, 'workingDirectory', `${where}.workingDirectory`);
  const timeout = inputs['timeoutSeconds'];
  if (timeout !== undefined) {
    const text = typeof timeout === 'number' ? String(timeout) : timeout;
    const [min, max] = STEP_TIMEOUT_RANGE;
    const literal =
      typeof text === 'string' && /^[0-9]+$/.test(text.trim()) ? Number(text) : undefined;
    const ok =
      (typeof text === 'string' && PLACEHOLDER_ONLY.test(text)) ||
      (literal !== undefined && literal >= min && literal <= max);
    if (!ok) {
      throw invalid(
        `${where}.timeoutSeconds must be seconds from ${min} to ${max} (a number or a string), or a parameter.`,
      );
    }
  }
}

// ---- Session documents, schema 1.0 -----------------------------------------------------------

type SessionInputKind = 'string' | 'boolean' | 'minutes' | 'profile' | 'failure-mode';

const SESSION_INPUTS: Readonly<Record<string, SessionInputKind>> = {
  s3BucketName: 'string',
  s3KeyPrefix: 'string',
  s3EncryptionEnabled: 'boolean',
  cloudWatchLogGroupName: 'string',
  cloudWatchEncryptionEnabled: 'boolean',
  cloudWatchStreamingEnabled: 'boolean',
  kmsKeyId: 'string',
  runAsEnabled: 'boolean',
  runAsDefaultUser: 'string',
  idleSessionTimeout: 'minutes',
  maxSessionDuration: 'minutes',
  shellProfile: 'profile',
  // OpenSSM's additions (docs/session-logs.md): keystrokes in the recording, and whether a
  // session whose logs cannot be written goes on ("open") or is closed ("closed").
  openssmRecordInput: 'boolean',
  openssmLogFailureMode: 'failure-mode',
};
/** Patterns of the string inputs that name things (AWS's S3 and CloudWatch Logs rules). */
const INPUT_PATTERNS: Readonly<Record<string, { pattern: RegExp; what: string }>> = {
  s3BucketName: {
    pattern: /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$/,
    what: 'an S3 bucket name (3–63 lowercase letters, digits, dots and hyphens)',
  },
  s3KeyPrefix: {
    pattern: /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9!_.*'()/@=+-]{0,512}$/,
    what: "an S3 key prefix (letters, digits and !_.*'()/@=+-, no '..' segment)",
  },
  cloudWatchLogGroupName: {
    pattern: /^[.\-_/#A-Za-z0-9]{0,512}$/,
    what: 'a log group name (letters, digits and ._-/#, at most 512)',
  },
  runAsDefaultUser: {
    pattern: /^([a-z_][a-z0-9_.-]{0,31}\$?)?$/i,
    what: 'an operating-system user name (at most 32 letters, digits and _.-)',
  },
};
/** AWS's ranges, in minutes: idle 1–60 (default 20), longest session 1–1440 (24 h). */
const MINUTES: Readonly<Record<string, readonly [number, number]>> = {
  idleSessionTimeout: [1, 60],
  maxSessionDuration: [1, 1440],
};
const PORT_PROPERTIES = [
  'portNumber',
  'type',
  'host',
  'localPortNumber',
  'localUnixSocket',
  'localConnectionType',
];

function validateSession(
  content: JsonObject,
  schemaVersion: string,
  description: string,
  parameters: readonly DocumentParameterDefinition[],
): DocumentModel {
  onlyKeys(content, 'The document', [
    'schemaVersion',
    'description',
    'sessionType',
    'inputs',
    'parameters',
    'properties',
  ]);
  const sessionType = content['sessionType'];
  if (
    typeof sessionType !== 'string' ||
    !(SESSION_TYPES as readonly string[]).includes(sessionType)
  ) {
    throw invalid(`sessionType must be one of ${SESSION_TYPES.join(', ')}.`);
  }
  const inputs = content['inputs'];
  if (inputs !== undefined) {
    if (!isObject(inputs)) throw invalid('inputs must be an object.');
    checkSessionInputs(inputs);
  }
  const properties = content['properties'];
  if (properties !== undefined && !isObject(properties))
    throw invalid('properties must be an object.');
  let platformTypes: readonly PlatformType[] = PLATFORM_ORDER;
  switch (sessionType as SessionType) {
    case 'Standard_Stream':
      if (properties !== undefined && Object.keys(properties).length > 0) {
        throw invalid('Standard_Stream sessions take no properties (their settings are inputs).');
      }
      break;
    case 'InteractiveCommands':
    case 'NonInteractiveCommands':
      platformTypes = checkCommandProperties(properties, sessionType === 'NonInteractiveCommands');
      break;
    case 'Port':
      checkPortProperties(properties);
      break;
  }
  return {
    documentType: 'Session',
    schemaVersion,
    description,
    parameters,
    platformTypes,
    sessionType: sessionType as SessionType,
  };
}

function checkSessionInputs(inputs: JsonObject): void {
  onlyKeys(inputs, 'inputs', Object.keys(SESSION_INPUTS));
  for (const [key, value] of Object.entries(inputs)) {
    const where = `inputs.${key}`;
    switch (SESSION_INPUTS[key]) {
      case 'string': {
        if (typeof value !== 'string') throw invalid(`${where} must be a string.`);
        const rule = INPUT_PATTERNS[key];
        if (rule !== undefined && !isPlaceholder(value) && !rule.pattern.test(value)) {
          throw invalid(`${where} must be ${rule.what}.`);
        }
        break;
      }
      case 'failure-mode':
        if (!(value === 'open' || value === 'closed' || value === '' || isPlaceholder(value))) {
          throw invalid(`${where} must be "open" (the session goes on) or "closed".`);
        }
        break;
      case 'boolean':
        if (!(
          typeof value === 'boolean' ||
          value === 'true' ||
          value === 'false' ||
          isPlaceholder(value)
        )) {
          throw invalid(`${where} must be true or false.`);
        }
        break;
      case 'minutes': {
        const [min, max] = MINUTES[key]!;
        const minutes =
          typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : undefined;
        const ok =
          value === '' ||
          isPlaceholder(value) ||
          (minutes !== undefined && minutes >= min && minutes <= max);
        if (!ok)
          throw invalid(`${where} must be a string of minutes from ${min} to ${max}, or empty.`);
        break;
      }
      case 'profile':
        if (!isObject(value))
          throw invalid(`${where} must be an object such as {"linux": "", "windows": ""}.`);
        onlyKeys(value, where, ['linux', 'windows']);
        for (const [platform, profile] of Object.entries(value)) {
          if (typeof profile !== 'string') throw invalid(`${where}.${platform} must be a string.`);
        }
        break;
      case undefined:
        break;
    }
  }
}

function checkCommandProperties(
  properties: JsonObject | undefined,
  nonInteractive: boolean,
): PlatformType[] {
  const platformKeys = { linux: 'Linux', windows: 'Windows', macos: 'MacOS' } as const;
  if (properties === undefined || Object.keys(properties).length === 0) {
    throw invalid('properties must give the commands to run for linux, windows and/or macos.');
  }
  onlyKeys(properties, 'properties', Object.keys(platformKeys));
  const keys = ['commands', 'runAsElevated'];
  if (nonInteractive)
    keys.push('separateOutputStream', 'stdOutSeparatorPrefix', 'stdErrSeparatorPrefix');
  for (const [platform, value] of Object.entries(properties)) {
    const where = `properties.${platform}`;
    if (!isObject(value)) throw invalid(`${where} must be an object with commands.`);
    onlyKeys(
      value,
      where,
      keys,
      nonInteractive ? '' : ' (separate output streams need NonInteractiveCommands)',
    );
    const commands = value['commands'];
    const ok =
      (typeof commands === 'string' && commands.trim() !== '') ||
      (Array.isArray(commands) &&
        commands.length > 0 &&
        commands.every((line) => typeof line === 'string'));
    if (!ok)
      throw invalid(
        `${where}.commands must be a command, a list of lines, or a parameter such as "{{ command }}".`,
      );
    optionalBoolean(value, 'runAsElevated', `${where}.runAsElevated`);
    optionalBoolean(value, 'separateOutputStream', `${where}.separateOutputStream`);
    for (const key of ['stdOutSeparatorPrefix', 'stdErrSeparatorPrefix']) {
      const prefix = optionalString(value, key, `${where}.${key}`);
      if (prefix !== undefined && !SEPARATOR_PREFIX.test(prefix)) {
        throw invalid(
          `${where}.${key} must be at most 30 letters, digits, '_', ':', '-' or line breaks.`,
        );
      }
    }
  }
  return PLATFORM_ORDER.filter((platform) =>
    Object.entries(platformKeys).some(([key, name]) => name === platform && key in properties),
  );
}

function checkPortProperties(properties: JsonObject | undefined): void {
  if (properties === undefined)
    throw invalid('properties must give at least portNumber for a Port session.');
  if (properties['type'] === 'OpenSSMMultiPortForwarding') {
    // Each connection names its destination (docs/decisions/0009): nothing else to give.
    onlyKeys(properties, 'properties', ['type']);
    return;
  }
  onlyKeys(properties, 'properties', PORT_PROPERTIES);
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string') throw invalid(`properties.${key} must be a string.`);
  }
  checkPort(properties['portNumber'], 'properties.portNumber', 1, true);
  checkPort(properties['localPortNumber'], 'properties.localPortNumber', 0, false);
  const type = properties['type'];
  if (type !== undefined && type !== 'LocalPortForwarding' && !isPlaceholder(type)) {
    throw invalid(
      'properties.type must be LocalPortForwarding, or left out for a stream to the port (as AWS-StartSSHSession).',
    );
  }
}

function checkPort(
  value: JsonValue | undefined,
  where: string,
  min: number,
  required: boolean,
): void {
  if (value === undefined) {
    if (required) throw invalid(`${where} is required for a Port session.`);
    return;
  }
  const port = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : undefined;
  if (!(isPlaceholder(value) || (port !== undefined && port >= min && port <= 65_535))) {
    throw invalid(
      `${where} must be a port number from ${min} to 65535, or a parameter such as "{{ portNumber }}".`,
    );
  }
}

// ---- shared checks ---------------------------------------------------------------------------

function readSchemaVersion(content: JsonObject): string {
  const value = content['schemaVersion'];
  // YAML reads an unquoted `schemaVersion: 2.2` as a number: take it as the text it was.
  if (typeof value === 'number' && Number.isFinite(value)) {
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  if (typeof value !== 'string') {
    throw new CodedError(
      'InvalidDocumentSchemaVersion',
      'The document has no schemaVersion (for example "2.2" or "1.0").',
    );
  }
  return value;
}

/** Every placeholder must name a declared parameter; a typo would otherwise run literally. */
function checkReferences(
  content: JsonObject,
  parameters: readonly DocumentParameterDefinition[],
): void {
  const declared = new Set(parameters.map((parameter) => parameter.name));
  const body = Object.fromEntries(Object.entries(content).filter(([key]) => key !== 'parameters'));
  const undeclared = findParameterReferences(body).filter((name) => !declared.has(name));
  if (undeclared.length > 0) {
    throw invalid(
      `The document uses parameter(s) it does not declare under parameters: ${undeclared.join(', ')}.`,
    );
  }
}

function onlyKeys(value: JsonObject, where: string, allowed: readonly string[], hint = ''): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw invalid(
        `${where} has an unknown key "${key.slice(0, 64)}"; allowed: ${allowed.join(', ')}${hint}.`,
      );
    }
  }
}

function requiredString(value: JsonObject, key: string, where: string): string {
  const text = value[key];
  if (typeof text !== 'string' || text === '')
    throw invalid(`${where} is required and must be a string.`);
  return text;
}

function optionalString(value: JsonObject, key: string, where: string): string | undefined {
  const text = value[key];
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw invalid(`${where} must be a string.`);
  return text;
}

function optionalBoolean(value: JsonObject, key: string, where: string): boolean | undefined {
  const flag = value[key];
  if (flag === undefined) return undefined;
  if (typeof flag !== 'boolean') throw invalid(`${where} must be true or false.`);
  return flag;
}

function isPlaceholder(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && PLACEHOLDER_ONLY.test(value);
}

function invalid(message: string): CodedError {
  return new CodedError('InvalidDocumentContent', message);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
