// Turns an interactive_shell task (ssm-wire §6.4) into what a shell session needs: the session
// type, the command with `{{ name }}` parameters substituted (§8.2), the shell profile, the
// RunAs choice and the NonInteractiveCommands output options. Pure; the errors it throws are
// reported to the operator as the session's failure text.

import {
  interpolateParameters,
  withParameterDefaults,
  type AgentTaskPayload,
  type JsonObject,
  type JsonValue,
  type SessionParameterValue,
} from '@openssm/protocol';
import type { ShellSessionType } from '../session/launch-plan.js';
import { selectRunAsUser, type RunAsChoice } from '../session/run-as.js';

export class SessionDocumentError extends Error {
  override readonly name = 'SessionDocumentError';
}

export interface ShellSessionPlan {
  readonly sessionType: ShellSessionType;
  /** InteractiveCommands / NonInteractiveCommands: `properties.linux.commands`, substituted. */
  readonly command?: string;
  readonly shellProfile?: { readonly linux?: string };
  readonly runAs: RunAsChoice;
  readonly separateOutputStream?: {
    readonly stdoutPrefix?: string;
    readonly stderrPrefix?: string;
  };
}

const SHELL_SESSION_TYPES: readonly string[] = [
  'Standard_Stream',
  'InteractiveCommands',
  'NonInteractiveCommands',
];
/** Session documents have one schema version (AWS's agent refuses the others). */
const SESSION_SCHEMA_VERSION = '1.0';

export function planShellSession(task: AgentTaskPayload, agentIsRoot: boolean): ShellSessionPlan {
  const document = task.documentContent;
  const schemaVersion = document['schemaVersion'];
  if (schemaVersion !== SESSION_SCHEMA_VERSION) {
    throw new SessionDocumentError(
      `document ${task.documentName} has schemaVersion ${JSON.stringify(schemaVersion)}; session documents must be ${SESSION_SCHEMA_VERSION}`,
    );
  }
  const sessionType = document['sessionType'];
  if (typeof sessionType !== 'string' || !SHELL_SESSION_TYPES.includes(sessionType)) {
    throw new SessionDocumentError(
      `session type ${JSON.stringify(sessionType ?? null)} is not supported by this agent`,
    );
  }
  const parameters = resolveParameters(document, task.parameters);
  const inputs = asObject(substitute(document['inputs'] ?? {}, parameters));
  const properties = asObject(substitute(document['properties'] ?? {}, parameters));
  const linux = asObject(properties['linux']);

  const kmsKeyId = inputs['kmsKeyId'];
  if (typeof kmsKeyId === 'string' && kmsKeyId.trim() !== '') {
    // Going on unencrypted would silently drop what the administrator asked for.
    throw new SessionDocumentError('KMS encryption (kmsKeyId) is not supported by this agent');
  }

  const runAs = selectRunAsUser({
    runAsEnabled: truthy(inputs['runAsEnabled']),
    ...optionalString('runAsDefaultUser', inputs['runAsDefaultUser']),
    ...optionalString('runAsUser', task.runAsUser),
    runAsElevated: sessionType !== 'Standard_Stream' && truthy(linux['runAsElevated']),
    agentIsRoot,
  });

  const shellProfile = asObject(inputs['shellProfile'])['linux'];
  const plan: ShellSessionPlan = {
    sessionType: sessionType as ShellSessionType,
    runAs,
    ...(typeof shellProfile === 'string' ? { shellProfile: { linux: shellProfile } } : {}),
  };
  if (sessionType === 'Standard_Stream') return plan;

  const command = commandText(linux['commands']);
  const separate =
    sessionType === 'NonInteractiveCommands' && truthy(linux['separateOutputStream'])
      ? {
          separateOutputStream: {
            ...optionalString('stdoutPrefix', linux['stdOutSeparatorPrefix']),
            ...optionalString('stderrPrefix', linux['stdErrSeparatorPrefix']),
          },
        }
      : {};
  return { ...plan, command, ...separate };
}

/**
 * The task's parameters, with the document's defaults for those it leaves out (names AWS's
 * agent ignores dropped). The rules are protocol's, shared with the server and Run Command.
 */
export function resolveParameters(
  document: JsonObject,
  given: Readonly<Record<string, SessionParameterValue>>,
): ReadonlyMap<string, JsonValue> {
  return withParameterDefaults(document, given);
}

/** AWS's `{{ name }}` substitution (ssm-wire §8.2): protocol's interpolateParameters. */
export function substitute(
  value: JsonValue,
  parameters: ReadonlyMap<string, JsonValue>,
): JsonValue {
  return interpolateParameters(value, parameters);
}

/** `commands` is a string; a list (a StringList parameter) runs its lines in order. */
function commandText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return (value as readonly string[]).join('\n');
  }
  throw new SessionDocumentError('properties.linux.commands must be a string or a list of strings');
}

function asObject(value: JsonValue | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}

/** Session documents write booleans as JSON booleans or as "true"/"false". */
function truthy(value: JsonValue | undefined): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function optionalString<K extends string>(
  key: K,
  value: JsonValue | undefined,
): Partial<Record<K, string>> {
  return typeof value === 'string' ? ({ [key]: value } as Record<K, string>) : {};
}
