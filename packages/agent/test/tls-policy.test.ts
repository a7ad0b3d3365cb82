// The agent's trust in its server over real TLS sockets (certificates made with openssl for the
// test): system CAs only, an added CA file, and a pinned fingerprint of the server's certificate
// or of its CA. A refused server never receives a byte of the request (activation codes and
// signed headers travel in it), over HTTPS and WSS alike.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { WebSocketServer } from 'ws';
import { createTestCa, hasOpenssl, type TestCa } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPin,
  createHttpClient,
  createTlsConnector,
  fingerprintOf,
  openWebSocket,
  type TlsPolicy,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openssm-tls-impostor-'));
const file = (name: string): string => join(dir, name);
const read = (name: string): string => readFileSync(file(name), 'utf8');
const openssl = (...args: string[]): void =>
  void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });

interface TestServer {
  readonly server: Server;
  readonly port: number;
  /** Requests that reached the server (a refused client must never add one). */
  readonly requests: string[];
}

async function serve(key: string, cert: string): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer({ key, cert }, (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.end('ok');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.send('hello'));
  server.on('upgrade', (request) => requests.push(`UPGRADE ${request.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

let genuine: TestServer;
let impostor: TestServer;
let leafPin: string;
let caPin: string;
let testCa: TestCa | undefined;

beforeAll(async () => {
  if (!hasOpenssl) return;
  const ca = createTestCa();
  testCa = ca;
  writeFileSync(file('not-a-certificate.txt'), 'subjectAltName=IP:127.0.0.1\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  // The impostor has its own self-signed certificate and includes the real CA in its chain.
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'fake.key',
    '-out',
    'fake.pem',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  );
  genuine = await serve(ca.tls.key, ca.tls.cert + ca.caPem);
  // It also sends the real CA certificate, hoping a CA pin accepts it.
  impostor = await serve(read('fake.key'), read('fake.pem') + ca.caPem);
  leafPin = fingerprintOf(new X509Certificate(ca.tls.cert));
  caPin = fingerprintOf(new X509Certificate(ca.caPem));
});

afterAll(async () => {
  for (const target of [genuine, impostor]) {
    if (target === undefined) continue;
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
  testCa?.dispose();
});

async function get(policy: TlsPolicy, target: TestServer, host = '127.0.0.1'): Promise<string> {
  const http = createHttpClient(await createTlsConnector(policy));
  const response = await http({
    method: 'GET',
    url: new URL(`https://${host}:${target.port}/probe`),
    headers: {},
  });
  return response.body.toString();
}

describe.skipIf(!hasOpenssl)('TLS trust (needs openssl)', () => {
  it('refuses an unknown CA with the system CAs only', async () => {
    await expect(get({}, genuine)).rejects.toMatchObject({ code: 'NetworkError' });
    expect(genuine.requests).toEqual([]);
  });

  it('trusts a server issued by the --ca-file CA', async () => {
    await expect(get({ caFile: testCa!.caFile }, genuine)).resolves.toBe('ok');
    await expect(get({ caFile: testCa!.caFile }, impostor)).rejects.toMatchObject({
      code: 'NetworkError',
    });
  });

  it('refuses a CA file that holds no certificate', async () => {
    await expect(
      createTlsConnector({ caFile: file('not-a-certificate.txt') }),
    ).rejects.toMatchObject({
      code: 'StateInvalid',
    });
    await expect(createTlsConnector({ caFile: file('missing.pem') })).rejects.toMatchObject({
      code: 'StateInvalid',
    });
  });

  it('accepts exactly the pinned server certificate', async () => {
    const before = genuine.requests.length;
    await expect(get({ caFingerprint: leafPin }, genuine)).resolves.toBe('ok');
    expect(genuine.requests.length).toBe(before + 1);
    await expect(get({ caFingerprint: leafPin }, impostor)).rejects.toMatchObject({
      code: 'TlsPinMismatch',
    });
    expect(impostor.requests).toEqual([]);
  });

  it('accepts a server whose certificate the pinned CA really issued, and no other', async () => {
    await expect(get({ caFingerprint: caPin }, genuine)).resolves.toBe('ok');
    // The impostor sends the real CA certificate, but the CA did not sign its certificate.
    await expect(get({ caFingerprint: caPin }, impostor)).rejects.toMatchObject({
      code: 'TlsPinMismatch',
    });
    expect(impostor.requests).toEqual([]);
  });

  it('with a pinned CA still checks that the certificate names the host', async () => {
    await expect(get({ caFingerprint: caPin }, genuine, 'localhost')).rejects.toThrow(
      /does not name localhost/,
    );
  });

  it('applies the pin to WebSockets as well', async () => {
    const url = new URL(`wss://127.0.0.1:${genuine.port}/v1/control-channel/x`);
    const socket = await openWebSocket({
      url,
      headers: {},
      tls: await createTlsConnector({ caFingerprint: leafPin }),
      maxPayload: 1024,
    });
    const first = await new Promise<string>((resolve) =>
      socket.once('message', (data: Buffer) => resolve(data.toString('utf8'))),
    );
    expect(first).toBe('hello');
    socket.close();
    const refused = openWebSocket({
      url: new URL(`wss://127.0.0.1:${impostor.port}/v1/control-channel/x`),
      headers: {},
      tls: await createTlsConnector({ caFingerprint: leafPin }),
      maxPayload: 1024,
    });
    await expect(refused).rejects.toMatchObject({ code: 'TlsPinMismatch' });
    expect(impostor.requests).toEqual([]);
  });
});

describe('checkPin', () => {
  it('needs a certificate', () => {
    expect(checkPin(undefined, 'AB'.repeat(32), 'h')).toMatch(/no certificate/);
    expect(checkPin({} as PeerCertificate, 'AB'.repeat(32), 'h')).toMatch(/no certificate/);
  });

  it.skipIf(!hasOpenssl)('checks the leaf’s validity period under a pinned CA', () => {
    const leaf = { raw: new X509Certificate(testCa!.tls.cert).raw } as PeerCertificate;
    const ca = { raw: new X509Certificate(testCa!.caPem).raw } as PeerCertificate;
    (ca as unknown as { issuerCertificate: PeerCertificate }).issuerCertificate = ca;
    (leaf as unknown as { issuerCertificate: PeerCertificate }).issuerCertificate = ca;
    expect(checkPin(leaf, caPin, '127.0.0.1')).toBeUndefined();
    expect(checkPin(leaf, caPin, '127.0.0.1', Date.now() + 10 * 24 * 3600 * 1000)).toMatch(
      /valid from/,
    );
    expect(checkPin(leaf, 'CD'.repeat(32), '127.0.0.1')).toMatch(/no certificate in its chain/);
  });
});
