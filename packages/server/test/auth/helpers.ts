// Test helpers for request authentication: sign with @smithy/signature-v4 (the AWS SDK's own
// signer) and with the agent's RSA variant, turn signed requests into what the HTTP layer
// receives, and capture raw requests from real clients on 127.0.0.1:0.

import { randomBytes, sign as rsaSign, constants, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CodedError, type ErrorCode } from '@openssm/protocol';
import { expect } from 'vitest';
import type { ReceivedRequest } from '../../src/auth/canonical-request.js';
import { createHash } from 'node:crypto';
import type { VerifiableAccessKey } from '../../src/auth/sigv4-verifier.js';

export const REGION = 'us-east-1';
export const ACCESS_KEY_ID = 'AKIAOPENSSMTEST00001';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** A stored key as the verifier sees it, plus the session token in clear for signing. */
export interface TestAccessKey extends VerifiableAccessKey {
  readonly sessionToken: string | null;
}

export function accessKey(
  overrides: Partial<Omit<TestAccessKey, 'sessionTokenHash'>> = {},
): TestAccessKey {
  const sessionToken = overrides.sessionToken ?? null;
  return {
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    principal: {
      kind: 'user',
      id: 'AIDAOPENSSMTEST000001',
      name: 'admin',
      arn: 'arn:openssm:iam::000000000000:user/admin',
    },
    expiresAt: null,
    active: true,
    ...overrides,
    sessionToken,
    // The server keeps only a digest of a session token.
    sessionTokenHash:
      sessionToken === null ? null : createHash('sha256').update(sessionToken).digest('hex'),
  };
}

export function lookupFrom(
  ...keys: VerifiableAccessKey[]
): (accessKeyId: string) => Promise<VerifiableAccessKey | undefined> {
  return (accessKeyId) => Promise.resolve(keys.find((key) => key.accessKeyId === accessKeyId));
}

/** Awaits `promise` and asserts it failed with a CodedError of `code`; returns the message. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(CodedError);
  expect((error as CodedError).code).toBe(code);
  return (error as CodedError).message;
}

/** Epoch ms → `yyyymmddThhmmssZ`, written independently of the code under test. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export interface RequestSpec {
  readonly method: string;
  /** The path as it goes on the wire (percent-encoded, as the SDK's serialisers leave it). */
  readonly path: string;
  /** Decoded query parameters, as smithy's HttpRequest holds them. */
  readonly query?: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array;
  readonly hostname?: string;
  readonly port?: number;
}

export interface SigningSpec {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly region?: string;
  readonly service?: string;
  readonly signingDate: Date;
  /** smithy adds and signs x-amz-content-sha256 unless told not to (the SDK's default is on). */
  readonly applyChecksum?: boolean;
}

function smithyRequest(spec: RequestSpec): HttpRequest {
  const hostname = spec.hostname ?? '127.0.0.1';
  const port = spec.port ?? 8080;
  return new HttpRequest({
    method: spec.method,
    protocol: 'http:',
    hostname,
    port,
    path: spec.path,
    query: spec.query ?? {},
    headers: { host: `${hostname}:${port}`, ...spec.headers },
    body: spec.body ?? new Uint8Array(0),
  });
}

function signer(signing: SigningSpec): SignatureV4 {
  return new SignatureV4({
    service: signing.service ?? 'ssm',
    region: signing.region ?? REGION,
    credentials: {
      accessKeyId: signing.accessKeyId ?? ACCESS_KEY_ID,
      secretAccessKey: signing.secretAccessKey ?? SECRET,
      ...(signing.sessionToken === undefined ? {} : { sessionToken: signing.sessionToken }),
    },
    sha256: Sha256,
    applyChecksum: signing.applyChecksum ?? true,
  });
}

/** Signs with @smithy/signature-v4 and returns the request as our HTTP layer would see it. */
export async function signWithSmithy(
  spec: RequestSpec,
  signing: SigningSpec,
): Promise<ReceivedRequest & { headers: Record<string, string> }> {
  const signed = await signer(signing).sign(smithyRequest(spec), {
    signingDate: signing.signingDate,
  });
  return toReceived(signed as HttpRequest);
}

/** What a Node server receives for a smithy HttpRequest (the SDK's node-http-handler's view). */
export function toReceived(
  request: HttpRequest,
): ReceivedRequest & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers['host'] ??= `${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`;
  const body: unknown = request.body;
  return {
    method: request.method,
    path: request.path,
    query: encodeQuery(request.query),
    headers,
    body:
      typeof body === 'string'
        ? Buffer.from(body, 'utf8')
        : body instanceof Uint8Array
          ? // A view, not Buffer.from(body): the SDK's body adapter warns when treated as a string.
            Buffer.from(body.buffer, body.byteOffset, body.byteLength)
          : Buffer.alloc(0),
  };
}

/** RFC 3986 encoding the way the SDK builds query strings (encodeURIComponent plus !'()*). */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function encodeQuery(query: HttpRequest['query']): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      parts.push(one === null ? escapeUri(name) : `${escapeUri(name)}=${escapeUri(one)}`);
    }
  }
  return parts.join('&');
}

/** smithy's signer, also keeping the string to sign it built, for the RSA variant. */
class StringToSignCapture extends SignatureV4 {
  lastStringToSign = '';

  protected override async createStringToSign(
    longDate: string,
    credentialScope: string,
    canonicalRequest: string,
    algorithmIdentifier: string,
  ): Promise<string> {
    this.lastStringToSign = await super.createStringToSign(
      longDate,
      credentialScope,
      canonicalRequest,
      algorithmIdentifier,
    );
    return this.lastStringToSign;
  }
}

/** RSA-PSS, SHA-256 (MGF1-SHA-256), salt 32: what agent/managedInstances/auth/rsa_key.go does. */
export function pssSign(privateKey: KeyObject): (stringToSign: Buffer) => Buffer {
  return (stringToSign) =>
    rsaSign('sha256', stringToSign, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
}

/**
 * The agent's RSA-signed SigV4 (ssm-wire §9.3, amazon-ssm-agent agent/ssm/rsaauth): the
 * ordinary canonical request and string to sign with the managed instance id as access key id,
 * signed with RSA instead of HMAC and sent base64 in `Signature=`. The agent will need its own
 * copy of this (it may not import the server); the string to sign here comes from smithy, so it
 * is independent of the verifier's builder. `signString` defaults to the agent's PSS scheme.
 */
export async function signRsa(
  spec: RequestSpec,
  options: {
    instanceId: string;
    privateKey: KeyObject;
    signingDate: Date;
    region?: string;
    signString?: (stringToSign: Buffer) => Buffer;
  },
): Promise<ReceivedRequest & { headers: Record<string, string> }> {
  const capture = new StringToSignCapture({
    service: 'ssm',
    region: options.region ?? REGION,
    // The HMAC smithy computes with this is thrown away; only the string to sign is kept.
    credentials: {
      accessKeyId: options.instanceId,
      secretAccessKey: randomBytes(16).toString('hex'),
    },
    sha256: Sha256,
    // The agent's Go signer does not sign x-amz-content-sha256.
    applyChecksum: false,
  });
  const signed = toReceived(
    (await capture.sign(smithyRequest(spec), { signingDate: options.signingDate })) as HttpRequest,
  );
  const signString = options.signString ?? pssSign(options.privateKey);
  const signature = signString(Buffer.from(capture.lastStringToSign, 'utf8')).toString('base64');
  const authorization = signed.headers['authorization'] ?? '';
  signed.headers['authorization'] = authorization.replace(
    /Signature=[0-9a-f]+$/,
    `Signature=${signature}`,
  );
  return signed;
}

export interface CaptureServer extends AsyncDisposable {
  readonly url: string;
  readonly requests: (ReceivedRequest & { headers: IncomingHttpHeaders })[];
}

/**
 * A node:http server on 127.0.0.1:0 that records each request as received (method, raw path and
 * query, Node's header object, body bytes) and answers `{}` the way the SSM API does.
 */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CaptureServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.url ?? '/';
      const question = target.indexOf('?');
      requests.push({
        method: req.method ?? '',
        path: question < 0 ? target : target.slice(0, question),
        query: question < 0 ? '' : target.slice(question + 1),
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
      });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
