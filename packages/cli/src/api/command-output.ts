// Fetches a step's full output from the URL the server gives as StandardOutputUrl or
// StandardErrorUrl: a GET signed with SigV4 for service `ssm`, with the CLI's own credentials
// and trusted CAs — the same identity that may call GetCommandInvocation.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ApiContext } from './ssm-client.js';

export interface FetchedOutput {
  readonly status: number;
  readonly body: Buffer;
}

export async function fetchCommandOutput(api: ApiContext, url: string): Promise<FetchedOutput> {
  const target = new URL(url);
  const credentials = await api.client.config.credentials();
  const signer = new SignatureV4({
    credentials,
    region: api.config.region,
    service: 'ssm',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port === '' ? {} : { port: Number(target.port) }),
      path: target.pathname,
      headers: { host: target.host },
    }),
  );
  const headers = signed.headers as Record<string, string>;
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    };
    const request =
      target.protocol === 'https:'
        ? httpsRequest(
            target,
            { headers, ...(api.ca === undefined ? {} : { ca: api.ca }) },
            onResponse,
          )
        : httpRequest(target, { headers }, onResponse);
    request.on('error', reject);
    request.end();
  });
}
