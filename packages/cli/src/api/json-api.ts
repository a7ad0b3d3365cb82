// Signed JSON 1.1 calls for the services the AWS SDK clients of this CLI do not cover: the
// CloudTrail and CloudWatch Logs reads, and OpenSSM's own recording and audit operations.
// Same endpoint, credentials and trusted CAs as the SDK clients; AWS's error bodies become
// errors with the AWS code, as the SDK's do.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { SignatureV4 } from '@smithy/signature-v4';

export interface JsonService {
  /** SigV4 service name: `cloudtrail`, `logs`, `openssm`. */
  readonly signingName: string;
  readonly targetPrefix: string;
}

export const CLOUDTRAIL: JsonService = {
  signingName: 'cloudtrail',
  targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
};
export const LOGS: JsonService = { signingName: 'logs', targetPrefix: 'Logs_20140328' };
export const OPENSSM: JsonService = { signingName: 'openssm', targetPrefix: 'OpenSSM_20260101' };

/** An AWS error answer, with its code (`__type`) as `name` like the SDK's exceptions. */
export class JsonApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export type JsonCall = (
  service: JsonService,
  operation: string,
  body: object,
) => Promise<Record<string, unknown>>;

export function createJsonCall(options: {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly ca: string[] | undefined;
}): JsonCall {
  return async (service, operation, body) => {
    if (options.endpoint === undefined) {
      throw new Error(
        `${service.targetPrefix}.${operation} needs an OpenSSM endpoint (--endpoint-url or OPENSSM_ENDPOINT)`,
      );
    }
    const url = new URL(options.endpoint);
    const text = JSON.stringify(body);
    const signer = new SignatureV4({
      credentials: options.credentials,
      region: options.region,
      service: service.signingName,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: '/',
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${service.targetPrefix}.${operation}`,
      },
      body: text,
    });
    const { status, responseText } = await post(url, signed.headers, text, options.ca);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(responseText) as Record<string, unknown>;
    } catch {
      throw new JsonApiError('InternalServerError', `unreadable answer (HTTP ${status})`, status);
    }
    if (status >= 400) {
      const code = asText(parsed['__type'], 'UnknownError').replace(/^.*#/, '');
      const message = asText(parsed['message'] ?? parsed['Message'], '');
      throw new JsonApiError(code, message, status);
    }
    return parsed;
  };
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  ca: string[] | undefined,
): Promise<{ status: number; responseText: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      {
        method: 'POST',
        hostname: url.hostname,
        port: url.port,
        path: '/',
        headers,
        ...(ca === undefined ? {} : { ca }),
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            responseText: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A string member of an answer, or `fallback` when it is missing or not a string. */
export function asText(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
