// Signs the agent's credential requests the way amazon-ssm-agent does (ssm-wire §9.3): an
// ordinary SigV4 canonical request and string to sign with the managed instance id as the
// access key id, but the signature is base64 RSA-PSS (SHA-256, salt 32) with the node's key.

import { createHash, constants, sign, type KeyObject } from 'node:crypto';

export interface JsonApiRequest {
  /** Host header value, e.g. `127.0.0.1:8443`. */
  readonly host: string;
  /** `AmazonSSM.RequestManagedInstanceRoleToken` and the like. */
  readonly target: string;
  readonly body: string;
}

export interface SigningIdentity {
  readonly instanceId: string;
  readonly privateKey: KeyObject;
  readonly region: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 'ssm';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The headers to send with `POST /` for `request`, including Authorization. */
export function signJsonRequestWithRsa(
  request: JsonApiRequest,
  identity: SigningIdentity,
  now: Date,
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE,
    host: request.host,
    'x-amz-date': amzDate,
    'x-amz-target': request.target,
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonicalRequest = [
    'POST',
    '/',
    '',
    ...signedHeaders.map((name) => `${name}:${headers[name]!.trim()}`),
    '',
    signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${identity.region}/${SERVICE}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = sign('sha256', Buffer.from(stringToSign), {
    key: identity.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  }).toString('base64');
  return {
    ...headers,
    authorization: `${ALGORITHM} Credential=${identity.instanceId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
