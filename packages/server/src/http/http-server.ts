// The one listener (DESIGN.md §4): fastify with raw request bodies (SigV4 needs the exact
// bytes), a request id on every response, and the AWS JSON endpoint at `POST /`. The gateway's
// WebSocket routes attach to the same server.

import { randomUUID } from 'node:crypto';
import fastify, { type FastifyInstance } from 'fastify';
import type { AwsJsonDispatcher } from './aws-json-dispatcher.js';
import { resolveClientAddress, type TrustedProxies } from './client-address.js';
import type { QueryDispatcher } from './query-dispatcher.js';
import type { RawRequest } from './raw-request.js';

/** Largest request body accepted; SSM's largest documents are 64 KB, node replies 120 KB. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  /** JSON 1.1 APIs, named by X-Amz-Target. */
  readonly ssm: AwsJsonDispatcher;
  /** Query APIs (IAM, STS): form-encoded bodies naming an Action. */
  readonly query: QueryDispatcher;
  /** PEM certificate chain and key: serve HTTPS/WSS. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Peers whose X-Forwarded-For is believed (client-address.ts); none when absent. */
  readonly trustedProxies?: TrustedProxies;
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const trusted = options.trustedProxies;
  const app = fastify({
    ...(options.tls === undefined
      ? {}
      : { https: { cert: options.tls.cert, key: options.tls.key } }),
    logger: false,
    bodyLimit: MAX_REQUEST_BODY_BYTES,
    genReqId: () => randomUUID(),
    // Connections of idle agents stay open for long; HTTP requests must not hang forever.
    requestTimeout: 60_000,
    // request.ip — what every throttle, policy condition and audit record uses — follows
    // X-Forwarded-For only through trusted proxies, right to left.
    ...(trusted === undefined ? {} : { trustProxy: (address: string) => trusted(address) }),
  });
  if (trusted !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      // Fastify's walk and ours differ only on an entry that is not an address: refuse it
      // rather than let text that is no address become the caller's "IP".
      const expected = resolveClientAddress(
        request.socket.remoteAddress ?? '',
        request.headers['x-forwarded-for'],
        trusted,
      );
      if (request.ip !== expected) {
        await reply
          .code(400)
          .headers({ 'content-type': 'application/json', 'x-amzn-requestid': request.id })
          .send(
            JSON.stringify({
              __type: 'ValidationException',
              message:
                'X-Forwarded-For from a trusted proxy holds an entry that is not an IP address.',
            }),
          );
      }
    });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.post('/', async (request, reply) => {
    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    const raw: RawRequest = {
      method: request.method,
      path: queryAt < 0 ? url : url.slice(0, queryAt),
      query: queryAt < 0 ? '' : url.slice(queryAt + 1),
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      sourceIp: request.ip,
      requestId: request.id,
    };
    // One endpoint for every service (ssm-wire §12.5): query APIs post forms, JSON APIs name
    // their operation in X-Amz-Target.
    const form = (request.headers['content-type'] ?? '').startsWith(
      'application/x-www-form-urlencoded',
    );
    const response = await (form ? options.query(raw) : options.ssm(raw));
    void reply.code(response.status).headers(response.headers);
    return response.body;
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    // Framework-level failures (body too large, bad content length): AWS's error shape.
    const status =
      error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    void reply
      .code(status === 413 ? 400 : status)
      .headers({ 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': request.id })
      .send(
        JSON.stringify({
          __type: status < 500 ? 'ValidationException' : 'InternalServerError',
          message: status < 500 ? error.message : 'An internal error occurred.',
        }),
      );
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .headers({ 'content-type': 'application/json', 'x-amzn-requestid': request.id })
      .send(JSON.stringify({ __type: 'UnknownOperationException', message: 'Not found.' }));
  });
  return app;
}
