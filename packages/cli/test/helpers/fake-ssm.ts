// A fake SSM JSON 1.1 endpoint on 127.0.0.1:0: answers each `X-Amz-Target: AmazonSSM.<Op>` from
// a table of handlers and records every call. No SigV4 verification (the server's tests do that).

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SsmCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

/** A JSON body, or an AWS error (`__type`, `message`) with its HTTP status. */
export type SsmReply =
  | Record<string, unknown>
  | { readonly error: string; readonly message: string; readonly status?: number };

export type SsmHandler = (body: Record<string, unknown>) => SsmReply;

export class FakeSsm {
  readonly calls: SsmCall[] = [];
  readonly handlers = new Map<string, SsmHandler>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(
    handlers: Record<string, SsmHandler> = {},
    tls?: { readonly key: string; readonly cert: string },
  ): Promise<FakeSsm> {
    const state: { fake?: FakeSsm } = {};
    const handle = (request: IncomingMessage, response: ServerResponse): void => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        const operation = target.replace(/^AmazonSSM\./, '');
        const text = Buffer.concat(chunks).toString('utf8');
        const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
        state.fake!.calls.push({ operation, body, headers: request.headers });
        const handler = state.fake!.handlers.get(operation);
        const reply: SsmReply = handler
          ? handler(body)
          : { error: 'InvalidAction', message: `no fake for ${operation}` };
        let status = 200;
        let payload: unknown = reply;
        if ('error' in reply && typeof reply.error === 'string') {
          status = (reply as { status?: number }).status ?? 400;
          payload = { __type: reply.error, message: reply.message };
        }
        response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      });
    };
    const server = tls === undefined ? createServer(handle) : createHttpsServer(tls, handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSsm(server, `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`);
    state.fake = fake;
    for (const [operation, handler] of Object.entries(handlers)) {
      fake.handlers.set(operation, handler);
    }
    return fake;
  }

  callsTo(operation: string): SsmCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
