// The SSM JSON client's edges, against a tiny scripted HTTP server: AWS error bodies in their
// variants, answers it cannot use, and timestamps in either form.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentError,
  SsmClient,
  createHttpClient,
  formatAgentError,
  generateNodeKey,
  hasAwsCode,
  parseAwsError,
} from '../src/index.js';

let server: Server;
let next: { status: number; body: string; headers?: Record<string, string> } = {
  status: 200,
  body: '{}',
};
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(next.status, next.headers ?? {});
      response.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = (): SsmClient =>
  new SsmClient({ serverUrl: url, region: 'us-east-1', http: createHttpClient(undefined) });
const identity = async () => ({
  instanceId: 'mi-0123456789abcdef0',
  privateKey: await generateNodeKey(),
});
const register = () =>
  client().registerManagedInstance({
    activationCode: 'c',
    activationId: 'i',
    publicKey: 'k',
    fingerprint: 'f',
  });

function response(status: number, body: string, headers: Record<string, string> = {}) {
  return { status, headers, body: Buffer.from(body) };
}

describe('parseAwsError', () => {
  it.each([
    [
      response(400, '{"__type":"com.amazonaws.ssm#InvalidActivation","message":"gone"}'),
      'InvalidActivation',
      'gone',
    ],
    [response(400, '{"__type":"InvalidKeyId","Message":"nope"}'), 'InvalidKeyId', 'nope'],
    [response(400, '{"code":"ThrottlingException"}'), 'ThrottlingException', 'Op failed'],
    [
      response(403, '', { 'x-amzn-errortype': 'AccessDeniedException:http://internal' }),
      'AccessDeniedException',
      'Op failed with HTTP 403',
    ],
  ])('reads AWS’s code %#', (answer, awsCode, message) => {
    const error = parseAwsError('Op', answer);
    expect(error).toMatchObject({
      code: 'ServerError',
      awsCode,
      message,
      httpStatus: answer.status,
    });
    expect(formatAgentError(error)).toBe(`${awsCode}: ${message}`);
    expect(hasAwsCode(error, awsCode)).toBe(true);
  });

  it('reports anything else with the status and printable text', () => {
    const error = parseAwsError('Op', response(502, '<html>Bad\u0000Gateway</html>'));
    expect(error).toMatchObject({ code: 'ResponseInvalid', httpStatus: 502 });
    expect(error.message).toBe('Op failed with HTTP 502: <html>Bad Gateway</html>');
    expect(formatAgentError(error)).toMatch(/^ResponseInvalid: /);
  });
});

describe('SsmClient', () => {
  it('refuses answers it cannot use', async () => {
    next = { status: 200, body: 'not json' };
    await expect(register()).rejects.toMatchObject({
      code: 'ResponseInvalid',
      message: expect.stringMatching(/not JSON/) as string,
    });
    next = { status: 200, body: '[1]' };
    await expect(register()).rejects.toMatchObject({ code: 'ResponseInvalid' });
    next = { status: 200, body: '{"InstanceId":"node-1"}' };
    await expect(register()).rejects.toMatchObject({
      code: 'ResponseInvalid',
      message: expect.stringMatching(/InstanceId/) as string,
    });
    next = { status: 200, body: '{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T"}' };
    await expect(
      client().requestManagedInstanceRoleToken(await identity(), 'f'),
    ).rejects.toMatchObject({
      code: 'ResponseInvalid',
    });
  });

  it('reads TokenExpirationDate as epoch seconds or ISO text', async () => {
    next = {
      status: 200,
      body: '{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","TokenExpirationDate":"2030-01-01T00:00:00Z"}',
    };
    const token = await client().requestManagedInstanceRoleToken(await identity(), 'f');
    expect(token).toMatchObject({
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
      updateKeyPair: false,
    });
    next = {
      status: 200,
      body: '{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","TokenExpirationDate":1893456000.5,"UpdateKeyPair":true}',
    };
    expect(await client().requestManagedInstanceRoleToken(await identity(), 'f')).toMatchObject({
      expiresAt: 1_893_456_000_500,
      updateKeyPair: true,
    });
  });

  it('fails with NetworkError when nobody listens, or nobody answers in time', async () => {
    const closed = new SsmClient({
      serverUrl: 'http://127.0.0.1:1',
      region: 'us-east-1',
      http: createHttpClient(undefined),
    });
    await expect(
      closed.registerManagedInstance({
        activationCode: 'c',
        activationId: 'i',
        publicKey: 'k',
        fingerprint: 'f',
      }),
    ).rejects.toBeInstanceOf(AgentError);
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const http = createHttpClient(undefined);
      const target = new URL(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`);
      await expect(
        http({ method: 'POST', url: target, headers: {}, body: '{}', timeoutMs: 100 }),
      ).rejects.toMatchObject({
        code: 'NetworkError',
        message: expect.stringMatching(/did not answer within 100 ms/) as string,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
