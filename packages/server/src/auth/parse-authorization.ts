// Strict parsers for the two SigV4 request headers, `Authorization` and `X-Amz-Date`: unknown
// input becomes a typed value or an IncompleteSignature / MissingAuthenticationToken CodedError.
// Every length is bounded so a hostile header costs no more than its own bytes.

import { CodedError } from '@openssm/protocol';

/** The label every SigV4 client sends, including the RSA variant (ssm-wire §9.3). */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const SCOPE_TERMINATOR = 'aws4_request';

// Real headers are ~200 characters (HMAC) or ~560 (RSA-2048); 4 KiB leaves room for long
// access key ids and signed-header lists without letting a caller make us split megabytes.
export const MAX_AUTHORIZATION_LENGTH = 4096;
export const MAX_ACCESS_KEY_ID_LENGTH = 128;
// The CLI signs 4 headers, the SDKs up to ~8; 64 is far above any real client.
export const MAX_SIGNED_HEADERS = 64;
// Hex HMAC-SHA256 is 64 characters; base64 RSA-4096 is 684: 1024 covers both.
const MAX_SIGNATURE_LENGTH = 1024;
const MAX_SCOPE_PART_LENGTH = 64;

export interface CredentialScope {
  /** yyyymmdd. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly scope: CredentialScope;
  /** Lower-case, strictly ascending, always including `host`. */
  readonly signedHeaders: readonly string[];
  /** As sent: lower-case hex for HMAC, base64 for the RSA variant. */
  readonly signature: string;
}

export interface AmzDate {
  /** As sent, `yyyymmddThhmmssZ`. */
  readonly text: string;
  /** The `yyyymmdd` part, which the credential scope must repeat. */
  readonly day: string;
  readonly epochMs: number;
}

// Visible ASCII only: AWS key ids are [A-Z0-9], managed instances `mi-…`, and the plugin has been
// seen sending `x` (ssm-wire §12.4). Anything printable is safe to log and to look up.
const ACCESS_KEY_ID = /^[\x21-\x7e]+$/;
const SCOPE_PART = /^[A-Za-z0-9_-]+$/;
// RFC 9110 token characters, lower case only: SigV4 lists header names lower-cased.
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIGNATURE = /^[A-Za-z0-9+/=]+$/;
const PARAMETER_NAMES = ['Credential', 'SignedHeaders', 'Signature'] as const;
type ParameterName = (typeof PARAMETER_NAMES)[number];

function incomplete(message: string): CodedError {
  return new CodedError('IncompleteSignature', message);
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request,
 * SignedHeaders=a;b;c, Signature=…`. The three parameters may come in any order, separated by a
 * comma and optional spaces (botocore, the JS and Go SDKs all write ", ").
 */
export function parseAuthorization(header: string | string[] | undefined): ParsedAuthorization {
  if (header === undefined || header === '') {
    throw new CodedError('MissingAuthenticationToken', 'Missing Authentication Token');
  }
  if (typeof header !== 'string') {
    throw incomplete('The request carries more than one Authorization header.');
  }
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    throw incomplete(
      `The Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters.`,
    );
  }
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incomplete(`Unsupported Authorization type; only '${SIGV4_ALGORITHM}' is accepted.`);
  }

  const parameters = new Map<ParameterName, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const trimmed = part.replace(/^[ \t]+|[ \t]+$/g, '');
    const equals = trimmed.indexOf('=');
    const name = trimmed.slice(0, equals);
    if (equals <= 0 || !isParameterName(name)) {
      throw incomplete(
        "The Authorization header must consist of 'Credential=…', 'SignedHeaders=…' and " +
          "'Signature=…', separated by commas.",
      );
    }
    if (parameters.has(name)) {
      throw incomplete(`The Authorization header repeats the '${name}' parameter.`);
    }
    parameters.set(name, trimmed.slice(equals + 1));
  }
  for (const name of PARAMETER_NAMES) {
    if (!parameters.has(name))
      throw incomplete(`Authorization header requires '${name}' parameter.`);
  }

  const { accessKeyId, scope } = parseCredential(parameters.get('Credential') ?? '');
  return {
    accessKeyId,
    scope,
    signedHeaders: parseSignedHeaders(parameters.get('SignedHeaders') ?? ''),
    signature: parseSignature(parameters.get('Signature') ?? ''),
  };
}

function isParameterName(name: string): name is ParameterName {
  return (PARAMETER_NAMES as readonly string[]).includes(name);
}

function parseCredential(value: string): { accessKeyId: string; scope: CredentialScope } {
  const parts = value.split('/');
  if (parts.length !== 5) {
    throw incomplete(
      `Credential must have the form <access key id>/<yyyymmdd>/<region>/<service>/${SCOPE_TERMINATOR}.`,
    );
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (accessKeyId.length > MAX_ACCESS_KEY_ID_LENGTH || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw incomplete(
      `The access key id in Credential must be 1 to ${MAX_ACCESS_KEY_ID_LENGTH} visible ASCII characters.`,
    );
  }
  if (!isCalendarDay(date)) {
    throw incomplete('The date in the credential scope must be a valid yyyymmdd.');
  }
  if (!isScopePart(region)) {
    throw incomplete('Credential should be scoped to a valid region.');
  }
  if (!isScopePart(service)) {
    throw incomplete('Credential should be scoped to a valid service.');
  }
  if (terminator !== SCOPE_TERMINATOR) {
    throw incomplete(`Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}'.`);
  }
  return { accessKeyId, scope: { date, region, service } };
}

function isScopePart(value: string): boolean {
  return value.length <= MAX_SCOPE_PART_LENGTH && SCOPE_PART.test(value);
}

function parseSignedHeaders(value: string): string[] {
  const names = value.split(';');
  if (names.length > MAX_SIGNED_HEADERS) {
    throw incomplete(`SignedHeaders lists more than ${MAX_SIGNED_HEADERS} headers.`);
  }
  let previous = '';
  for (const name of names) {
    if (!HEADER_NAME.test(name)) {
      throw incomplete('SignedHeaders must be lower-case header names separated by semicolons.');
    }
    // SigV4 sorts the list; a repeat or an out-of-order name means the client built its
    // canonical request differently from ours, so say so instead of failing the signature.
    if (name <= previous) {
      throw incomplete('SignedHeaders must be sorted and must not repeat a header.');
    }
    previous = name;
  }
  if (!names.includes('host')) {
    throw incomplete("SignedHeaders must include 'host'.");
  }
  return names;
}

function parseSignature(value: string): string {
  if (value.length > MAX_SIGNATURE_LENGTH || !SIGNATURE.test(value)) {
    throw incomplete('Signature must be hex or base64.');
  }
  return value;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses the `X-Amz-Date` header (ISO 8601 basic format, UTC, whole seconds). */
export function parseAmzDate(header: string | string[] | undefined): AmzDate {
  if (header === undefined) {
    throw incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  const text = typeof header === 'string' ? header : '';
  const match = AMZ_DATE.exec(text);
  const epochMs = match ? utcMs(match) : undefined;
  if (epochMs === undefined) {
    throw incomplete("X-Amz-Date must be one ISO 8601 basic-format UTC time, 'yyyymmddThhmmssZ'.");
  }
  return { text, day: text.slice(0, 8), epochMs };
}

function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return (
    match !== null && utcMs([value, match[1], match[2], match[3], '00', '00', '00']) !== undefined
  );
}

/** Epoch ms of [_, yyyy, mm, dd, hh, mm, ss], or undefined when any field is out of range. */
function utcMs(fields: ArrayLike<string | undefined>): number | undefined {
  const [year, month, day, hour, minute, second] = Array.from({ length: 6 }, (_, i) =>
    Number(fields[i + 1]),
  ) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  // Date.UTC rolls over (Feb 30 → Mar 2); a round trip catches every out-of-range field.
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return exact ? ms : undefined;
}
