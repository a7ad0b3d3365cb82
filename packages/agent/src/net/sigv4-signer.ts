// Ordinary SigV4 (HMAC) with the node's temporary credentials: service `ssm` for the JSON API,
// `ssmmessages` for the channel REST calls and the WebSocket upgrades (ssm-wire §6.2, §6.3).

import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface SignableRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * The headers to send with `request`: its own, `host`, and the signature's (`authorization`,
 * `x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256`). The host signed is the one
 * Node and ws send (the URL's host, default port omitted).
 */
export async function signRequest(
  request: SignableRequest,
  credentials: TemporaryCredentials,
  region: string,
  service: 'ssm' | 'ssmmessages',
  now: Date,
): Promise<Record<string, string>> {
  const { url } = request;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query,
      headers: { ...request.headers, host: url.host },
      ...(request.body === undefined ? {} : { body: request.body }),
    }),
    { signingDate: now },
  );
  return { ...(signed.headers as Record<string, string>) };
}
