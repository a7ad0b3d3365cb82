// The argument vector `aws ssm start-session` hands to session-manager-plugin (ssm-wire §3.1),
// parsed into what to do. Index 0 is the program, as in the spec's table. The StartSession
// response may come through an environment variable, which is removed once read so the token
// does not leak into the shell's children.

import type { Env } from '../host/host.js';
import type { SessionStart } from '../session/session-connection.js';

/** Newer `aws` CLIs put the response in a variable whose name starts with this (§3.1). */
export const RESPONSE_ENV_PREFIX = 'AWS_SSM_START_SESSION_RESPONSE';
export const START_SESSION_OPERATION = 'StartSession';
/** The CLI's full vector: program, response, region, operation, profile, parameters, endpoint. */
export const ARGUMENT_COUNT = 7;
/** CLIs from before profiles were passed (no profile, parameters or endpoint). */
export const LEGACY_ARGUMENT_COUNT = 4;

export type PluginInvocation =
  | { readonly kind: 'installed' }
  | { readonly kind: 'version' }
  | { readonly kind: 'unknown-operation'; readonly argument: string }
  | { readonly kind: 'invalid-operation' }
  | { readonly kind: 'invalid-response'; readonly reason: string }
  | {
      readonly kind: 'start-session';
      readonly start: SessionStart;
      readonly region: string;
      /** '' when the CLI ran without a profile. */
      readonly profile: string;
      /** The StartSession request's Target (argv[5]); only KMS would need it. */
      readonly target: string | undefined;
      /** Where ResumeSession and TerminateSession go (argv[6]); undefined: AWS's default. */
      readonly endpoint: string | undefined;
      /** Called by a CLI that predates passing the profile (4 arguments). */
      readonly legacy: boolean;
    };

export function parsePluginArgv(argv: readonly string[], env: Env): PluginInvocation {
  if (argv.length <= 1) return { kind: 'installed' };
  if (argv.length === 2 && argv[1] === '--version') return { kind: 'version' };
  if (argv.length < LEGACY_ARGUMENT_COUNT) {
    return { kind: 'unknown-operation', argument: argv[1] ?? '' };
  }
  // Read (and unset) the response before checking the operation, as AWS's plugin does, so the
  // variable is gone whatever happens next.
  const response = readResponse(argv[1] ?? '', env);
  const operation = argv[3];
  if (operation !== START_SESSION_OPERATION) return { kind: 'invalid-operation' };
  let start: SessionStart;
  try {
    start = parseStartSessionResponse(response);
  } catch (error) {
    return { kind: 'invalid-response', reason: (error as Error).message };
  }
  return {
    kind: 'start-session',
    start,
    region: argv[2] ?? '',
    profile: argv[4] ?? '',
    target: parseTarget(argv[5]),
    endpoint: argv[6] === undefined || argv[6] === '' ? undefined : argv[6],
    legacy: argv.length === LEGACY_ARGUMENT_COUNT,
  };
}

function readResponse(argument: string, env: Env): string {
  if (!argument.startsWith(RESPONSE_ENV_PREFIX)) return argument;
  const value = env[argument] ?? '';
  delete env[argument];
  return value;
}

/** The three fields a client uses; the CLI may add ResponseMetadata and more (§12.1). */
export function parseStartSessionResponse(text: string): SessionStart {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the StartSession response is not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('the StartSession response is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const field = (name: string): string => {
    const found = record[name];
    if (typeof found !== 'string' || found === '') {
      throw new Error(`the StartSession response has no ${name}`);
    }
    return found;
  };
  return {
    sessionId: field('SessionId'),
    streamUrl: field('StreamUrl'),
    tokenValue: field('TokenValue'),
  };
}

function parseTarget(parameters: string | undefined): string | undefined {
  if (parameters === undefined) return undefined;
  try {
    const value = JSON.parse(parameters) as unknown;
    if (typeof value === 'object' && value !== null) {
      const target = (value as Record<string, unknown>)['Target'];
      if (typeof target === 'string') return target;
    }
  } catch {
    // Only KMS encryption uses the target, and we do not offer it: ignore what we cannot read.
  }
  return undefined;
}
