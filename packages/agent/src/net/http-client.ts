// One HTTP(S) request with a deadline and a bounded response, over the TLS policy's connector.
// The agent's calls are few and small (JSON API, channel tokens), so every request gets its own
// connection: nothing pooled can outlive a credential or a pinned certificate change.

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AgentError } from '../agent-error.js';
import type { CreateConnection } from './tls-policy.js';

/** AWS's agent gives its MGS calls 15 s (ssm-wire §6.2); the JSON API gets the same. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** Every answer the agent expects is a few hundred bytes; 1 MiB is far beyond any of them. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

export function createHttpClient(tls: CreateConnection | undefined): HttpClient {
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const { url } = request;
      const secure = url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
      const timeoutMs = request.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        req.destroy();
        reject(
          error instanceof AgentError
            ? error
            : new AgentError(
                'NetworkError',
                `${request.method} ${url.origin}${url.pathname} failed: ${(error as Error).message}`,
                { cause: error },
              ),
        );
      };
      const req = send(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          ...(url.port === '' ? {} : { port: Number(url.port) }),
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers: {
            ...request.headers,
            ...(body === undefined ? {} : { 'content-length': String(body.length) }),
          },
          // TLS to the server, or a proxy tunnel (http:// servers behind HTTP_PROXY).
          ...(tls !== undefined ? { createConnection: tls } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let length = 0;
          response.on('data', (chunk: Buffer) => {
            length += chunk.length;
            if (length > MAX_RESPONSE_BYTES) {
              fail(new AgentError('ResponseInvalid', `the answer to ${url.pathname} is too large`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            });
          });
        },
      );
      const timer = setTimeout(
        () =>
          fail(
            new AgentError('NetworkError', `${url.origin} did not answer within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      req.on('error', fail);
      req.end(body);
    });
}
