// Authenticates API requests: SigV4 with an access key (HMAC), and the RSA variant managed
// instances use to obtain credentials (ssm-wire §9.3). Which operation needs which scheme is the
// API layer's decision; both share the header, date, scope and canonical-request checks here.

import {
  constants,
  createHash,
  createPublicKey,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { CodedError } from '@openssm/protocol';
import type { Principal } from '../storage/records.js';
import {
  computeHmacSignature,
  createCanonicalRequest,
  createStringToSign,
  sha256Hex,
  type ReceivedRequest,
} from './canonical-request.js';
import {
  parseAmzDate,
  parseAuthorization,
  type CredentialScope,
  type ParsedAuthorization,
} from './parse-authorization.js';

/** AWS accepts a request time up to 15 minutes either side of its clock, inclusive. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Managed (hybrid) instance ids: `mi-` and 17 hex digits (ssm-wire §9.4). */
export const MANAGED_INSTANCE_ID = /^mi-[0-9a-f]{17}$/;

// The RSA variant's parameters, fixed by the agent (agent/managedInstances/auth/rsa_key.go).
const RSA_PSS_SALT_LENGTH = 32;

/** What a signature check needs of a stored access key. */
export interface VerifiableAccessKey {
  readonly accessKeyId: string;
  /** In clear: SigV4 is an HMAC keyed with it. */
  readonly secretAccessKey: string;
  /** SHA-256 (hex) of the session token temporary credentials must present; null otherwise. */
  readonly sessionTokenHash: string | null;
  readonly principal: Principal;
  readonly expiresAt: number | null;
  readonly active: boolean;
}

export interface SigV4VerifierOptions {
  /** The one region this endpoint serves; the credential scope must name it. */
  readonly region: string;
  /** The SigV4 service names the caller accepts for this request, e.g. ['ssm']. */
  readonly services: readonly string[];
  /** The server clock, epoch ms. */
  readonly now: number;
  lookupAccessKey(accessKeyId: string): Promise<VerifiableAccessKey | undefined>;
  /** The instance's public key as registered: base64 DER SubjectPublicKeyInfo. */
  lookupInstancePublicKey(instanceId: string): Promise<string | undefined>;
}

export interface VerifiedRequest {
  readonly principal: Principal;
  readonly accessKeyId: string;
  /**
   * What the signature covers. The API layer should insist on `x-amz-target` for JSON
   * operations: a header left unsigned can be changed by whoever replays the request.
   */
  readonly signedHeaders: readonly string[];
  readonly scope: CredentialScope;
}

export interface RsaVerifiedRequest {
  readonly instanceId: string;
  readonly signedHeaders: readonly string[];
  readonly scope: CredentialScope;
}

// AWS's own wording, so clients and users recognise the failure.
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method.';

/**
 * Verifies an access-key (HMAC) SigV4 request and returns who sent it. Checks, in order: the
 * headers' syntax, the scope's date, region and service, the clock, the key, the signature, then
 * the session token and expiry — the last two only once the caller has proven it holds the secret,
 * so a stranger learns nothing about a key beyond whether it exists.
 */
export async function verifySigV4(
  request: ReceivedRequest,
  options: Omit<SigV4VerifierOptions, 'lookupInstancePublicKey'>,
): Promise<VerifiedRequest> {
  const { authorization, stringToSign } = prepare(request, options);
  const { accessKeyId, scope } = authorization;

  const key = await options.lookupAccessKey(accessKeyId);
  // A store that compares ids case-insensitively must not let `akid` stand in for `AKID`.
  if (key === undefined || key.accessKeyId !== accessKeyId || !key.active) {
    throw new CodedError('UnrecognizedClientException', INVALID_TOKEN);
  }

  const expected = computeHmacSignature(key.secretAccessKey, scope, stringToSign);
  if (!constantTimeEqual(expected, authorization.signature)) {
    throw new CodedError('InvalidSignatureException', SIGNATURE_MISMATCH);
  }

  // A temporary key is only valid with its token; a long-term key never carries one.
  const token = request.headers['x-amz-security-token'];
  const tokenOk =
    key.sessionTokenHash === null
      ? token === undefined
      : typeof token === 'string' && constantTimeEqual(key.sessionTokenHash, sha256Hex(token));
  if (!tokenOk) {
    throw new CodedError('UnrecognizedClientException', INVALID_TOKEN);
  }
  if (key.expiresAt !== null && key.expiresAt <= options.now) {
    throw new CodedError('ExpiredTokenException', EXPIRED_TOKEN);
  }

  return {
    principal: key.principal,
    accessKeyId,
    signedHeaders: authorization.signedHeaders,
    scope,
  };
}

/**
 * Verifies the RSA-signed variant: the access key id is a managed instance id and the signature
 * is base64 RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over the SigV4 string to sign, checked with
 * the public key the instance registered.
 */
export async function verifyRsaSigV4(
  request: ReceivedRequest,
  options: Omit<SigV4VerifierOptions, 'lookupAccessKey'>,
): Promise<RsaVerifiedRequest> {
  const { authorization, stringToSign } = prepare(request, options);
  const { accessKeyId: instanceId, scope } = authorization;

  const publicKey = MANAGED_INSTANCE_ID.test(instanceId)
    ? await options.lookupInstancePublicKey(instanceId)
    : undefined;
  if (publicKey === undefined) {
    throw new CodedError('UnrecognizedClientException', INVALID_TOKEN);
  }
  // A stored key that does not parse, or is not RSA, is corrupt data (registration accepts only
  // RSA keys), not a client error: it throws a plain Error and surfaces as InternalServerError.
  const key = createPublicKey({
    key: Buffer.from(publicKey, 'base64'),
    format: 'der',
    type: 'spki',
  });
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`The stored public key of ${instanceId} is not an RSA key.`);
  }

  if (!verifyPss(key, stringToSign, authorization.signature)) {
    throw new CodedError('InvalidSignatureException', SIGNATURE_MISMATCH);
  }
  return { instanceId, signedHeaders: authorization.signedHeaders, scope };
}

/** The checks both schemes share, ending with the string to sign. */
function prepare(
  request: ReceivedRequest,
  options: Pick<SigV4VerifierOptions, 'region' | 'services' | 'now'>,
): { authorization: ParsedAuthorization; stringToSign: string } {
  const authorization = parseAuthorization(request.headers['authorization']);
  const amzDate = parseAmzDate(request.headers['x-amz-date']);
  const { scope } = authorization;

  if (scope.date !== amzDate.day) {
    throw new CodedError(
      'InvalidSignatureException',
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from ' +
        `HTTP: '${scope.date}' != '${amzDate.day}', from '${amzDate.text}'.`,
    );
  }
  if (scope.region !== options.region) {
    throw new CodedError(
      'WrongSigningRegion',
      `Credential should be scoped to a valid region, not '${scope.region}'. ` +
        `This endpoint serves '${options.region}'.`,
    );
  }
  if (!options.services.includes(scope.service)) {
    throw new CodedError(
      'WrongSigningRegion',
      `Credential should be scoped to a valid service, not '${scope.service}'. ` +
        `This request must be signed for ${options.services.map((name) => `'${name}'`).join(' or ')}.`,
    );
  }
  checkClockSkew(amzDate.text, amzDate.epochMs, options.now);

  const canonicalRequest = createCanonicalRequest(
    request,
    authorization.signedHeaders,
    sha256Hex(request.body),
  );
  return { authorization, stringToSign: createStringToSign(amzDate.text, scope, canonicalRequest) };
}

function checkClockSkew(amzDate: string, requestMs: number, now: number): void {
  if (requestMs < now - MAX_CLOCK_SKEW_MS) {
    throw new CodedError(
      'SignatureExpired',
      `Signature expired: ${amzDate} is now earlier than ` +
        `${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (requestMs > now + MAX_CLOCK_SKEW_MS) {
    throw new CodedError(
      'SignatureExpired',
      `Signature not yet current: ${amzDate} is still later than ` +
        `${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
}

/** Epoch ms → `yyyymmddThhmmssZ` (seconds truncated, as AWS prints them). */
function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * Compares two secrets without leaking where they differ or how long the stored one is: both
 * sides are hashed to 32 bytes first, so timingSafeEqual always sees equal lengths.
 */
function constantTimeEqual(expected: string, actual: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(actual));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function verifyPss(key: KeyObject, data: string, signature: string): boolean {
  // Go's base64.StdEncoding is what the agent writes; anything else cannot be its signature.
  if (!BASE64.test(signature)) return false;
  // With an RSA key and these fixed parameters OpenSSL answers true or false, never throws
  // (a signature longer than the modulus included: see rsa-sigv4.test.ts).
  return verify(
    'sha256',
    Buffer.from(data, 'utf8'),
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALT_LENGTH },
    Buffer.from(signature, 'base64'),
  );
}
