import { createServer, type AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCa, hasOpenssl, startConnectProxy } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import { resolveAgentConfig } from '../src/config/agent-config.js';
import {
  bypassesProxy,
  createTunnelDialer,
  proxyFor,
  readProxyTrust,
  type Dial,
} from '../src/net/proxy.js';

const settings = {
  httpsProxy: 'http://proxy.internal:3128',
  httpProxy: 'proxy.internal:8080',
  noProxy: 'localhost,.corp.example, 10.0.0.5 ,db.example:5432',
};

describe('proxy selection', () => {
  it('uses HTTPS_PROXY for https servers and HTTP_PROXY (bare host:port) for http ones', () => {
    expect(proxyFor(new URL('https://ssm.example.com'), settings)?.href).toBe(
      'http://proxy.internal:3128/',
    );
    expect(proxyFor(new URL('http://ssm.example.com:8080'), settings)?.href).toBe(
      'http://proxy.internal:8080/',
    );
    expect(
      proxyFor(new URL('https://ssm.example.com'), { ...settings, httpsProxy: undefined }),
    ).toBe(undefined);
  });

  it('follows NO_PROXY: names, domain suffixes, IPs, ports and *', () => {
    expect(bypassesProxy('localhost', 443, settings.noProxy)).toBe(true);
    expect(bypassesProxy('ssm.corp.example', 443, settings.noProxy)).toBe(true);
    expect(bypassesProxy('corp.example', 443, settings.noProxy)).toBe(true);
    expect(bypassesProxy('notcorp.example', 443, settings.noProxy)).toBe(false);
    expect(bypassesProxy('10.0.0.5', 443, settings.noProxy)).toBe(true);
    expect(bypassesProxy('110.0.0.5', 443, settings.noProxy)).toBe(false);
    expect(bypassesProxy('db.example', 5432, settings.noProxy)).toBe(true);
    expect(bypassesProxy('db.example', 443, settings.noProxy)).toBe(false);
    expect(bypassesProxy('[::1]', 443, '::1')).toBe(true);
    expect(bypassesProxy('anything', 1, '*')).toBe(true);
    expect(proxyFor(new URL('https://x.corp.example'), settings)).toBe(undefined);
  });

  it('reads the variables in either case, lower case first, and refuses a non-http(s) proxy', () => {
    const config = resolveAgentConfig(
      'status',
      [],
      { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2', NO_PROXY: 'a' },
      '/',
    );
    expect(config.proxy).toEqual({
      httpsProxy: 'http://lower:1',
      httpProxy: undefined,
      noProxy: 'a',
    });
    expect(
      resolveAgentConfig('status', [], { HTTPS_PROXY: 'https://p:1' }, '/').proxy.httpsProxy,
    ).toBe('https://p:1');
    expect(() => resolveAgentConfig('status', [], { HTTPS_PROXY: 'socks5://p:1' }, '/')).toThrow(
      /HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy/,
    );
    expect(() => createTunnelDialer(new URL('socks5://p:1'))).toThrow(
      /must be an http:\/\/ or https:\/\/ URL/,
    );
  });
});

describe('CONNECT tunnels', () => {
  it('authenticates to the proxy, carries bytes both ways, and reports a refused tunnel', async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    const port = (echo.address() as AddressInfo).port;
    await using proxy = await startConnectProxy();
    try {
      const dial = createTunnelDialer(new URL(`http://agent:p%40ss@127.0.0.1:${proxy.port}`));
      const socket = await dial('127.0.0.1', port);
      socket.resume();
      const answer = new Promise<string>((done) =>
        socket.once('data', (chunk: Buffer) => done(chunk.toString())),
      );
      socket.write('ping through the tunnel');
      expect(await answer).toBe('ping through the tunnel');
      socket.destroy();
      expect(proxy.tunnels).toEqual([`127.0.0.1:${port}`]);
      expect(proxy.authorizations).toEqual([
        `Basic ${Buffer.from('agent:p@ss').toString('base64')}`,
      ]);

      // Nothing listens on port 1: the proxy answers 502 and the dialer says so.
      await expect(dial('127.0.0.1', 1)).rejects.toThrow(
        /refused CONNECT 127\.0\.0\.1:1 \(HTTP 502\)/,
      );
    } finally {
      await new Promise((done) => echo.close(done));
    }
  });
});

/** Sends a line through `dial`'s tunnel to an echo server and resolves with what came back. */
async function echoThrough(dial: Dial, port: number): Promise<string> {
  const socket = await dial('127.0.0.1', port);
  socket.resume();
  const answer = new Promise<string>((done) =>
    socket.once('data', (chunk: Buffer) => done(chunk.toString())),
  );
  socket.write('ping through the tunnel');
  try {
    return await answer;
  } finally {
    socket.destroy();
  }
}

describe.skipIf(!hasOpenssl)('https:// proxies', () => {
  it('reaches the proxy over TLS and tunnels inside it; an untrusted proxy certificate is refused', async () => {
    const ca = createTestCa();
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    const port = (echo.address() as AddressInfo).port;
    await using proxy = await startConnectProxy({ tls: ca.tls });
    try {
      expect(proxy.url).toBe(`https://127.0.0.1:${proxy.port}`);
      const trusted = createTunnelDialer(new URL(proxy.url), { ca: [ca.caPem] });
      expect(await echoThrough(trusted, port)).toBe('ping through the tunnel');
      expect(proxy.tunnels).toEqual([`127.0.0.1:${port}`]);

      // Node's default store does not know the test CA: no CONNECT is ever sent.
      const untrusted = createTunnelDialer(new URL(proxy.url));
      await expect(untrusted('127.0.0.1', port)).rejects.toThrow(
        new RegExp(`proxy 127\\.0\\.0\\.1:${proxy.port}: .*(certificate|issuer)`, 'i'),
      );
      expect(proxy.tunnels).toHaveLength(1);

      // The agent's --ca-file is what it trusts the proxy with (besides the public CAs).
      const caFile = join(ca.caFile, '..', 'agent-ca.pem');
      await writeFile(caFile, ca.caPem);
      const fromFile = createTunnelDialer(
        new URL(proxy.url),
        await readProxyTrust(new URL(proxy.url), caFile),
      );
      expect(await echoThrough(fromFile, port)).toBe('ping through the tunnel');
      expect(await readProxyTrust(new URL('http://127.0.0.1:1'), caFile)).toEqual({});
    } finally {
      await new Promise((done) => echo.close(done));
      ca.dispose();
    }
  });
});
