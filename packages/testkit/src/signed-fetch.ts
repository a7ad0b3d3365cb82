// Sends SigV4-signed HTTP requests the way AWS's SDKs do, for calls the SDK does not model
// (agent-only SSM operations, the gateway's REST endpoints).

import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedRequest {
  readonly url: string;
  /** Default POST. */
  readonly method?: 'GET' | 'POST';
  readonly service: string;
  readonly region: string;
  readonly credentials: Credentials;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signingDate?: Date;
}

export async function signedFetch(request: SignedRequest): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method ?? 'POST';
  const unsigned = new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const signer = new SignatureV4({
    credentials: request.credentials,
    region: request.region,
    service: request.service,
    sha256: Sha256,
  });
  const signed = await signer.sign(unsigned, { signingDate: request.signingDate ?? new Date() });
  return fetch(request.url, {
    method,
    headers: signed.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
}

/** One SSM JSON 1.1 call, signed. */
export async function signedSsmCall(
  endpoint: string,
  target: string,
  body: object,
  credentials: Credentials,
  region: string,
  signingDate?: Date,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await signedFetch({
    url: `${endpoint}/`,
    service: 'ssm',
    region,
    credentials,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonSSM.${target}`,
    },
    body: JSON.stringify(body),
    ...(signingDate === undefined ? {} : { signingDate }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
