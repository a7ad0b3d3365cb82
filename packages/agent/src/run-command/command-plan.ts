// Turns a Command document (schema 1.2 runtimeConfig or 2.x mainSteps, ssm-wire §8.1) and its
// parameters into the steps the agent will run, as AWS's docparser and runpluginutil decide
// them: interpolation (§8.2), which plugins run here, preconditions, exit conditions. Pure: the
// same document always gives the same plan, so a restarted agent re-plans a job it recorded.

import {
  encodeGoJson,
  interpolateParameters,
  withParameterDefaults,
  type JsonObject,
  type JsonValue,
} from '@openssm/protocol';

export const RUN_SHELL_SCRIPT = 'aws:runShellScript';

/** Command-document schema versions AWS's agent accepts (appconfig SupportedDocumentVersions). */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = [
  '1.0',
  '1.2',
  '2.0',
  '2.0.1',
  '2.0.2',
  '2.0.3',
  '2.2',
];

/** Plugins that exist only on Windows: skipped by a 2.2 document here, as on AWS's Linux agent. */
const WINDOWS_ONLY_PLUGINS: readonly string[] = [
  'aws:runPowerShellScript',
  'aws:applications',
  'aws:psModule',
  'aws:domainJoin',
  'aws:cloudWatch',
];

/** `timeoutSeconds` (the executionTimeout parameter): AWS's default and valid range. */
export const DEFAULT_TIMEOUT_SECONDS = 3600;
export const MIN_TIMEOUT_SECONDS = 5;
export const MAX_TIMEOUT_SECONDS = 172_800;

/** One set of aws:runShellScript inputs (a 1.2 plugin may list several). */
export interface ScriptInput {
  /** `id` of a 1.2 property (e.g. `0.aws:runShellScript`), else "". */
  readonly id: string;
  readonly lines: readonly string[];
  /** As written: absolute, relative, or "" for the default. */
  readonly workingDirectory: string;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
}

export type StepDecision =
  | { readonly kind: 'run'; readonly inputs: readonly ScriptInput[] }
  /** Not run, reported Skipped (code 0) with the message as its output. */
  | { readonly kind: 'skip'; readonly message: string }
  /** Not run, reported Failed with the message as its output. */
  | { readonly kind: 'fail'; readonly message: string };

/** Exit conditions (AWS's shared plugin inputs; `onFailure`/`isEnd` also on the step itself). */
export interface StepControl {
  readonly onFailure: 'exit' | 'successAndExit' | undefined;
  readonly onSuccess: 'exit' | undefined;
  readonly finallyStep: boolean;
  /** OpenSSM: the document ends after this step, whatever its status (§8.1 lists `isEnd`). */
  readonly isEnd: boolean;
}

export interface PlannedStep {
  readonly index: number;
  /** The step `name` (2.x) or the plugin name (1.2): the key in `runtimeStatus`. */
  readonly pluginId: string;
  /** The action, e.g. `aws:runShellScript`. */
  readonly pluginName: string;
  readonly decision: StepDecision;
  readonly control: StepControl;
  /** What AWS reports as `stepName` when output goes to S3: the step's id without colons. */
  readonly stepName: string;
}

export interface CommandPlan {
  readonly schemaVersion: string;
  readonly steps: readonly PlannedStep[];
}

/** The document cannot be run at all; the job fails with this message. */
export class DocumentInvalidError extends Error {
  override readonly name = 'DocumentInvalidError';
}

export interface PlanContext {
  /** `platformType` for preconditions, lower case. */
  readonly platformType?: string;
}

export function planCommandDocument(
  document: JsonObject,
  sentParameters: Readonly<Record<string, JsonValue>>,
  context: PlanContext = {},
): CommandPlan {
  const platformType = context.platformType ?? 'linux';
  const schemaVersion = document['schemaVersion'];
  if (typeof schemaVersion !== 'string' || !SUPPORTED_SCHEMA_VERSIONS.includes(schemaVersion)) {
    throw new DocumentInvalidError(
      `Document with schema version ${typeof schemaVersion === 'string' ? schemaVersion : String(JSON.stringify(schemaVersion))} is not supported by this agent`,
    );
  }
  const parameters = withParameterDefaults(document, sentParameters);
  const preconditionsEnabled = compareVersions(schemaVersion, '2.2') >= 0;
  const steps = schemaVersion.startsWith('1.')
    ? planRuntimeConfig(document, parameters)
    : planMainSteps(document, parameters, preconditionsEnabled, platformType);
  return { schemaVersion, steps };
}

// ---- schema 1.x: runtimeConfig -----------------------------------------------------------------

function planRuntimeConfig(
  document: JsonObject,
  parameters: ReadonlyMap<string, JsonValue>,
): PlannedStep[] {
  const runtimeConfig = document['runtimeConfig'];
  if (!isObject(runtimeConfig) || Object.keys(runtimeConfig).length === 0) {
    throw new DocumentInvalidError('Unsupported schema format');
  }
  return Object.entries(runtimeConfig).map(([pluginName, config], index): PlannedStep => {
    const properties = interpolateParameters(
      isObject(config) ? (config['properties'] ?? null) : null,
      parameters,
    );
    const propertyList = Array.isArray(properties) ? (properties as JsonValue[]) : [properties];
    const lastId = propertyId(propertyList.at(-1));
    const base = { index, pluginId: pluginName, pluginName, control: NO_CONTROL };
    const stepName = stripColons(lastId);
    if (pluginName !== RUN_SHELL_SCRIPT) {
      const message = WINDOWS_ONLY_PLUGINS.includes(pluginName)
        ? `Plugin with name ${pluginName} is not supported in current platform. Step name: ${pluginName}`
        : unsupportedMessage(pluginName, pluginName);
      return { ...base, stepName, decision: { kind: 'fail', message } };
    }
    return { ...base, stepName, decision: scriptDecision(propertyList) };
  });
}

function propertyId(property: JsonValue | undefined): string {
  if (!isObject(property)) return '';
  const id = lookup(property, 'id');
  return typeof id === 'string' ? id : '';
}

// ---- schema 2.x: mainSteps ---------------------------------------------------------------------

function planMainSteps(
  document: JsonObject,
  parameters: ReadonlyMap<string, JsonValue>,
  preconditionsEnabled: boolean,
  platformType: string,
): PlannedStep[] {
  const mainSteps = document['mainSteps'];
  if (!Array.isArray(mainSteps) || mainSteps.length === 0) {
    throw new DocumentInvalidError('Unsupported schema format');
  }
  const names = new Set<string>();
  return (mainSteps as readonly JsonValue[]).map((raw, index): PlannedStep => {
    if (!isObject(raw)) throw new DocumentInvalidError(`mainSteps[${index}] is not an object`);
    const pluginName = raw['action'];
    const pluginId = raw['name'];
    if (typeof pluginName !== 'string' || pluginName === '') {
      throw new DocumentInvalidError(`mainSteps[${index}].action is missing`);
    }
    if (typeof pluginId !== 'string' || pluginId === '') {
      throw new DocumentInvalidError(`mainSteps[${index}].name is missing`);
    }
    if (names.has(pluginId)) {
      throw new DocumentInvalidError(`mainSteps[${index}].name ${pluginId} is not unique`);
    }
    names.add(pluginId);
    const inputs = interpolateParameters(raw['inputs'] ?? null, parameters);
    const preconditions = readPreconditions(raw['precondition'], index, parameters);
    const control = readControl(raw, inputs);
    const base = { index, pluginId, pluginName, control, stepName: stripColons(pluginId) };
    return { ...base, decision: stepDecision(pluginName, pluginId, inputs) };

    function stepDecision(action: string, id: string, stepInputs: JsonValue): StepDecision {
      const runnable = action === RUN_SHELL_SCRIPT;
      const known = runnable || WINDOWS_ONLY_PLUGINS.includes(action);
      if (!preconditionsEnabled) {
        if (!known) return { kind: 'fail', message: unsupportedMessage(action, id) };
        if (!runnable) {
          return {
            kind: 'fail',
            message: `Plugin with name ${action} is not supported in current platform. Step name: ${id}`,
          };
        }
        if (preconditions.length > 0) {
          return {
            kind: 'fail',
            message: `Precondition is not supported for document schema version prior to 2.2. Step name: ${id}`,
          };
        }
        return scriptDecision([stepInputs]);
      }
      const verdict = evaluatePreconditions(preconditions, platformType);
      if (verdict.allowed && !known) {
        return { kind: 'fail', message: unsupportedMessage(action, id) };
      }
      if (!runnable) {
        return {
          kind: 'skip',
          message: `Step execution skipped due to unsupported plugin: ${action}. Step name: ${id}`,
        };
      }
      if (!verdict.allowed) {
        return {
          kind: 'skip',
          message: `Step execution skipped due to unsatisfied preconditions: '${verdict.notes.join(', ')}'. Step name: ${id}`,
        };
      }
      if (verdict.notes.length > 0) {
        return {
          kind: 'fail',
          message: `Unrecognized precondition(s): '${verdict.notes.join(', ')}', please update the agent. Step name: ${id}`,
        };
      }
      return scriptDecision([stepInputs]);
    }
  });
}

function unsupportedMessage(pluginName: string, stepName: string): string {
  return `Plugin with name ${pluginName} is not supported by this version of the OpenSSM agent. Step name: ${stepName}`;
}

const NO_CONTROL: StepControl = {
  onFailure: undefined,
  onSuccess: undefined,
  finallyStep: false,
  isEnd: false,
};

/** AWS reads these from the (interpolated) inputs; strings or booleans count. */
function readControl(step: JsonObject, inputs: JsonValue): StepControl {
  const fromInputs = (key: string): string | undefined => {
    if (!isObject(inputs) || !Object.hasOwn(inputs, key)) return undefined;
    const value = inputs[key];
    return typeof value === 'string' || typeof value === 'boolean' ? String(value) : undefined;
  };
  const onFailure = fromInputs('onFailure') ?? stringField(step, 'onFailure');
  const onSuccess = fromInputs('onSuccess');
  const isEnd = step['isEnd'];
  return {
    onFailure: onFailure === 'exit' || onFailure === 'successAndExit' ? onFailure : undefined,
    onSuccess: onSuccess === 'exit' ? 'exit' : undefined,
    finallyStep: fromInputs('finallyStep') === 'true',
    isEnd: isEnd === true || isEnd === 'true',
  };
}

function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

// ---- preconditions (2.2) -----------------------------------------------------------------------

interface PreconditionArgument {
  readonly initial: string;
  readonly resolved: string;
}

type Preconditions = readonly (readonly [string, readonly PreconditionArgument[]])[];

function readPreconditions(
  raw: JsonValue | undefined,
  index: number,
  parameters: ReadonlyMap<string, JsonValue>,
): Preconditions {
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw)) {
    throw new DocumentInvalidError(`mainSteps[${index}].precondition is not an object`);
  }
  return Object.entries(raw).map(([operator, args]) => {
    if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
      throw new DocumentInvalidError(
        `mainSteps[${index}].precondition.${operator} must be a list of strings`,
      );
    }
    return [
      operator,
      args.map((initial) => {
        const resolved = interpolateParameters(initial, parameters);
        return {
          initial,
          resolved: typeof resolved === 'string' ? resolved : encodeGoJson(resolved),
        };
      }),
    ] as const;
  });
}

/**
 * AWS's rules: only `StringEquals` with two arguments; `platformType` against a literal, or two
 * arguments of which at least one references a parameter. Unmet → skip; unrecognised → fail.
 */
function evaluatePreconditions(
  preconditions: Preconditions,
  platformType: string,
): { allowed: boolean; notes: string[] } {
  let allowed = true;
  const notes: string[] = [];
  for (const [operator, args] of preconditions) {
    if (operator !== 'StringEquals') {
      notes.push(`unrecognized operator: "${operator}"`);
      continue;
    }
    const [first, second] = args;
    if (args.length !== 2 || first === undefined || second === undefined) {
      notes.push(`"${operator}": operator accepts exactly 2 arguments`);
    } else if (first.initial === second.initial) {
      notes.push(
        first.initial === 'platformType'
          ? `"${operator}": [${first.initial} ${second.initial}]`
          : `"${operator}": operator's arguments can't be identical`,
      );
    } else if (first.initial === 'platformType' || second.initial === 'platformType') {
      const other = first.initial === 'platformType' ? second : first;
      if (other.initial.toLowerCase() !== other.resolved.toLowerCase()) {
        notes.push(
          `"${operator}": the second argument for the platformType variable can't contain document parameters`,
        );
      } else if (other.initial.toLowerCase() !== platformType) {
        allowed = false;
        notes.push(`"${operator}": [${first.initial}, ${second.initial}]`);
      }
    } else if (first.initial === first.resolved && second.initial === second.resolved) {
      notes.push(
        `"${operator}": at least one of operator's arguments must contain a valid document parameter`,
      );
    } else if (first.resolved !== second.resolved) {
      allowed = false;
      notes.push(`"${operator}": [${first.initial}, ${second.initial}]`);
    }
  }
  return { allowed, notes };
}

// ---- aws:runShellScript inputs -----------------------------------------------------------------

function scriptDecision(properties: readonly JsonValue[]): StepDecision {
  const inputs: ScriptInput[] = [];
  for (const property of properties) {
    const input = parseScriptInput(property);
    if (typeof input === 'string') {
      return {
        kind: 'fail',
        message: `Invalid format in plugin properties ${truncateForMessage(property)};\nerror ${input}`,
      };
    }
    inputs.push(input);
  }
  return { kind: 'run', inputs };
}

/** The inputs of one script, or why they cannot be read. Keys are case-insensitive, as Go's. */
export function parseScriptInput(raw: JsonValue): ScriptInput | string {
  if (!isObject(raw)) return 'the inputs must be an object';
  const lines = flattenCommands(lookup(raw, 'runCommand'));
  if (lines === undefined) return 'runCommand must be a list of strings';
  const workingDirectory = lookup(raw, 'workingDirectory') ?? '';
  if (typeof workingDirectory !== 'string' && workingDirectory !== null) {
    return 'workingDirectory must be a string';
  }
  const id = lookup(raw, 'id') ?? '';
  if (typeof id !== 'string' && id !== null) return 'id must be a string';
  const environment = lookup(raw, 'environment');
  const env: Record<string, string> = {};
  if (environment !== undefined && environment !== null) {
    if (!isObject(environment)) return 'environment must map names to strings';
    for (const [name, value] of Object.entries(environment)) {
      if (typeof value !== 'string') return 'environment must map names to strings';
      env[name] = value;
    }
  }
  return {
    id: id ?? '',
    lines,
    workingDirectory: workingDirectory ?? '',
    timeoutSeconds: validateExecutionTimeout(lookup(raw, 'timeoutSeconds')),
    environment: env,
  };
}

/** A string, or (nested) lists of strings, as lines; undefined when something else is in it. */
function flattenCommands(value: JsonValue | undefined): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const lines: string[] = [];
  for (const item of value as readonly JsonValue[]) {
    const nested = flattenCommands(item);
    if (nested === undefined || item === null) return undefined;
    lines.push(...nested);
  }
  return lines;
}

/**
 * AWS's ValidateExecutionTimeout: a number or a numeric string (fractions cut), within 5–172800
 * seconds; anything else is the default 3600.
 */
export function validateExecutionTimeout(value: JsonValue | undefined): number {
  let seconds = Number.NaN;
  if (typeof value === 'number') seconds = Math.trunc(value);
  else if (typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    seconds = Math.trunc(Number(value));
  }
  if (!Number.isFinite(seconds) || seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
    return DEFAULT_TIMEOUT_SECONDS;
  }
  return seconds;
}

// ---- helpers -----------------------------------------------------------------------------------

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `key` exactly, else the first key equal to it ignoring case (Go's encoding/json rule). */
function lookup(object: JsonObject, key: string): JsonValue | undefined {
  if (Object.hasOwn(object, key)) return object[key];
  const lower = key.toLowerCase();
  const found = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return found === undefined ? undefined : object[found];
}

function stripColons(text: string): string {
  return text.replaceAll(':', '');
}

function truncateForMessage(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Dotted version numbers compared numerically; non-numbers compare as 0. */
function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] || 0) - (right[i] || 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
