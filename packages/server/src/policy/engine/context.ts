// The request context: what a Condition or a policy variable can ask about a request. Keys are
// case-insensitive (as in IAM); values are strings or lists of strings. The engine never reads a
// clock or a socket: the server supplies everything here, time included, per request.
//
// Keys the server supplies (CONTEXT_KEYS below; absent means "not applicable to this caller"):
//   aws:username              IAM user name; only for IAM users (not roles or nodes)
//   aws:userid                unique id: the user id, or `<role id>:<session name>` for a role session
//   aws:PrincipalArn          ARN of the user, role (not the session) or account root that signed
//   aws:PrincipalAccount      12-digit account id of the caller
//   aws:PrincipalType         `User`, `AssumedRole`, `Account` (root) …
//   aws:PrincipalTag/<key>    tags of the calling user or role
//   aws:SourceIp              caller address; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as IPv4
//   aws:CurrentTime           request time, ISO 8601 UTC (`2026-11-26T19:10:00Z`)
//   aws:EpochTime             request time, epoch seconds
//   aws:SecureTransport       `true` when the request came over TLS
//   aws:MultiFactorAuthPresent `true` for console sessions opened with TOTP; absent for access keys
//   aws:TokenIssueTime        issue time of temporary credentials; absent for long-term keys
//   aws:RequestedRegion       region of the request's credential scope
//   aws:ResourceTag/<key>     tags of the resource the action is on
//   ssm:resourceTag/<key>     tags of the target managed node (StartSession, SendCommand …)
//   ssm:SourceInstanceId      id (mi-…) of the managed node that signed (node credentials only; OpenSSM's)
//   ssm:SessionDocumentAccessCheck  `true` when StartSession checks access to the session
//                             document (AWS's samples test it with BoolIfExists)

/** A context value: one string, or several for a multivalued key. */
export type ContextValue = string | readonly string[];

/** What createRequestContext accepts; booleans, numbers and dates become their IAM strings. */
export type ContextInput = string | number | boolean | Date | readonly string[] | undefined;

export interface RequestContext {
  /** The value of a key, looked up case-insensitively; undefined when the key is absent. */
  get(key: string): ContextValue | undefined;
  /** The keys present, as spelled when the context was created. */
  readonly keys: readonly string[];
}

/** Spellings of the keys the server supplies (see the header); tag keys take a suffix. */
export const CONTEXT_KEYS = {
  username: 'aws:username',
  userid: 'aws:userid',
  principalArn: 'aws:PrincipalArn',
  principalAccount: 'aws:PrincipalAccount',
  principalType: 'aws:PrincipalType',
  principalTagPrefix: 'aws:PrincipalTag/',
  sourceIp: 'aws:SourceIp',
  currentTime: 'aws:CurrentTime',
  epochTime: 'aws:EpochTime',
  secureTransport: 'aws:SecureTransport',
  multiFactorAuthPresent: 'aws:MultiFactorAuthPresent',
  tokenIssueTime: 'aws:TokenIssueTime',
  requestedRegion: 'aws:RequestedRegion',
  resourceTagPrefix: 'aws:ResourceTag/',
  nodeTagPrefix: 'ssm:resourceTag/',
  sessionDocumentAccessCheck: 'ssm:SessionDocumentAccessCheck',
  sourceInstanceId: 'ssm:SourceInstanceId',
} as const;

/**
 * Builds a context from key → value. Undefined values are left out (the key is absent); two keys
 * that differ only in case are a programmer mistake and throw.
 */
export function createRequestContext(
  entries: Readonly<Record<string, ContextInput>>,
): RequestContext {
  const values = new Map<string, ContextValue>();
  const keys: string[] = [];
  for (const [key, input] of Object.entries(entries)) {
    if (input === undefined) continue;
    const normalized = key.toLowerCase();
    if (values.has(normalized)) {
      throw new Error(`Context key ${key} is given twice (keys are case-insensitive)`);
    }
    values.set(normalized, toContextValue(key, input));
    keys.push(key);
  }
  return Object.freeze({
    get: (key: string) => values.get(key.toLowerCase()),
    keys: Object.freeze(keys),
  });
}

function toContextValue(key: string, input: Exclude<ContextInput, undefined>): ContextValue {
  if (typeof input === 'string') return input;
  if (typeof input === 'boolean') return input ? 'true' : 'false';
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new Error(`Context key ${key} is not a finite number`);
    return String(input);
  }
  if (input instanceof Date) return input.toISOString();
  return Object.freeze([...input]);
}
