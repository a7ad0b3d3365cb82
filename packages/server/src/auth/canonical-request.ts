// The SigV4 canonical request and string to sign, rebuilt from the request exactly as it arrived
// (raw path and query, Node's header object, the body bytes): one builder for the HMAC and RSA
// verifiers, proven against @smithy/signature-v4, the real CLI and the AWS test-suite vectors.

import { createHash, createHmac } from 'node:crypto';
import { CodedError } from '@openssm/protocol';
import { SCOPE_TERMINATOR, SIGV4_ALGORITHM, type CredentialScope } from './parse-authorization.js';

/** A request as the HTTP layer received it: nothing decoded, nothing normalised. */
export interface ReceivedRequest {
  /** As received; SigV4 signs it verbatim (every client sends it upper case). */
  readonly method: string;
  /** The request target's path, still percent-encoded as sent, without `?` or the query. */
  readonly path: string;
  /** The raw query string after `?` ('' when there is none). */
  readonly query: string;
  /**
   * Node's header object: lower-case names. Node has already joined repeated headers with
   * ", " where SigV4 joins with ","; no AWS client repeats a header it signs.
   */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `yyyymmdd/region/service/aws4_request`. */
export function formatCredentialScope(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/${SCOPE_TERMINATOR}`;
}

/**
 * The canonical request over exactly `signedHeaders` (already validated: lower case, sorted).
 * The payload hash is the caller's own hash of the body: `x-amz-content-sha256` is never trusted.
 */
export function createCanonicalRequest(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const headerLines = signedHeaders.map((name) => {
    const value = request.headers[name];
    if (value === undefined) {
      throw new CodedError(
        'IncompleteSignature',
        `Signed header '${name}' is missing from the request.`,
      );
    }
    return `${name}:${canonicalHeaderValue(value)}\n`;
  });
  return [
    request.method,
    canonicalUri(request.path),
    canonicalQueryString(request.query),
    headerLines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function createStringToSign(
  amzDate: string,
  scope: CredentialScope,
  canonicalRequest: string,
): string {
  return [SIGV4_ALGORITHM, amzDate, formatCredentialScope(scope), sha256Hex(canonicalRequest)].join(
    '\n',
  );
}

/** The HMAC-SHA256 signature (lower-case hex) a holder of `secretAccessKey` would send. */
export function computeHmacSignature(
  secretAccessKey: string,
  scope: CredentialScope,
  stringToSign: string,
): string {
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`, 'utf8');
  for (const part of [scope.date, scope.region, scope.service, SCOPE_TERMINATOR]) {
    key = createHmac('sha256', key).update(part, 'utf8').digest();
  }
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/**
 * The canonical URI for every service but S3: dot segments and empty segments removed, then the
 * wire path percent-encoded once more. Clients sign the path they send (already encoded) encoded
 * again — botocore's `quote(path, safe='/~')`, smithy's `escapeUri` — so `/a%20b` signs as
 * `/a%2520b`.
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const leading = rawPath.startsWith('/') || rawPath === '' ? '/' : '';
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return (
    leading +
    segments.map((segment) => uriEncode(Buffer.from(segment, 'utf8'))).join('/') +
    trailing
  );
}

/**
 * The canonical query string: every `name=value` pair percent-decoded to bytes and re-encoded
 * the one SigV4 way (so `%7e`, `~` and `%7E` agree), then sorted by name and value. A literal `+`
 * is a space: botocore (the CLI) sends spaces as `+` but signs them as `%20`, and no AWS client
 * sends a plus unencoded. Empty pairs (`a=1&&b=2`) are dropped.
 */
export function canonicalQueryString(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    pairs.push([uriEncode(formDecode(name)), uriEncode(formDecode(value))]);
  }
  pairs.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA === nameB ? compareAscii(valueA, valueB) : compareAscii(nameA, nameB),
  );
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Trim, and fold each run of spaces and tabs to one space; repeated values join with ','. */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  const values = typeof value === 'string' ? [value] : value;
  return values.map((one) => one.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

function compareAscii(a: string, b: string): number {
  // Encoded names and values are ASCII, so UTF-16 order is byte order, as SigV4 requires.
  return a < b ? -1 : a > b ? 1 : 0;
}

const HEX = '0123456789ABCDEF';

/** RFC 3986 percent-encoding of bytes: only A-Z a-z 0-9 - _ . ~ stay literal, hex upper case. */
function uriEncode(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const unreserved =
      (byte >= 0x41 && byte <= 0x5a) || // A-Z
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      (byte >= 0x30 && byte <= 0x39) || // 0-9
      byte === 0x2d || // -
      byte === 0x2e || // .
      byte === 0x5f || // _
      byte === 0x7e; // ~
    out += unreserved ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 0x0f]}`;
  }
  return out;
}

function formDecode(text: string): Uint8Array {
  return percentDecode(text.replace(/\+/g, ' '));
}

/**
 * Decodes `%XX` to bytes. Decoding to bytes rather than a string keeps invalid UTF-8 exact; a `%`
 * not followed by two hex digits stays literal (and re-encodes as `%25`) instead of throwing.
 */
function percentDecode(text: string): Uint8Array {
  const input = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    const high = byte === 0x25 ? hexValue(input[i + 1]) : -1;
    const low = high >= 0 ? hexValue(input[i + 2]) : -1;
    if (low >= 0) {
      out[length++] = (high << 4) | low;
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}
