// Reaching the server through an HTTP proxy (private networks): HTTPS_PROXY for an https server,
// HTTP_PROXY for an http one, NO_PROXY for hosts reached directly. Every connection — API calls
// and WebSockets alike — is a CONNECT tunnel, so TLS (and the CA pin) runs end to end with the
// server and the proxy sees only the host name. An https:// proxy is reached over TLS first
// (its certificate checked like any server's), and the tunnel runs inside that.

import { connect as netConnect, isIP, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { AgentError } from '../agent-error.js';
import type { CreateConnection } from './tls-policy.js';

export interface ProxySettings {
  /** Proxy for https:// servers (HTTPS_PROXY), an http:// or https:// URL. */
  readonly httpsProxy: string | undefined;
  /** Proxy for http:// servers (HTTP_PROXY). */
  readonly httpProxy: string | undefined;
  /** NO_PROXY: comma-separated host names, domain suffixes (.example.com), IPs, `*`. */
  readonly noProxy: string;
}

export const NO_PROXY_SETTINGS: ProxySettings = {
  httpsProxy: undefined,
  httpProxy: undefined,
  noProxy: '',
};

/** Opens a raw TCP connection to host:port (direct or tunnelled). */
export type Dial = (host: string, port: number) => Promise<Socket>;

/** The proxy's answer to CONNECT must fit in this (a status line and a few headers). */
const MAX_CONNECT_RESPONSE_BYTES = 16 * 1024;
/** The proxy must open the tunnel this soon. */
const CONNECT_TIMEOUT_MS = 15_000;

/** The proxy URL to use for `server`, or undefined to connect directly. */
export function proxyFor(server: URL, settings: ProxySettings): URL | undefined {
  const given = server.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (given === undefined || given === '') return undefined;
  const port = Number(server.port || (server.protocol === 'https:' ? 443 : 80));
  if (bypassesProxy(server.hostname, port, settings.noProxy)) return undefined;
  return new URL(given.includes('://') ? given : `http://${given}`);
}

/** curl's NO_PROXY rules: `*`, exact names, domain suffixes, IPs, each optionally with :port. */
export function bypassesProxy(hostname: string, port: number, noProxy: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const portMatch = /^(.*):(\d+)$/.exec(entry);
    if (portMatch !== null && isIP(entry) === 0) {
      if (Number(portMatch[2]) !== port) continue;
      entry = portMatch[1]!;
    }
    entry = entry.replace(/^\[(.*)\]$/, '$1').replace(/^\*?\./, '');
    if (host === entry || (isIP(host) === 0 && host.endsWith(`.${entry}`))) return true;
  }
  return false;
}

export interface ProxyTrust {
  /** CAs an https:// proxy's certificate may chain to; Node's default store when absent. */
  readonly ca?: readonly string[];
}

/**
 * What an https:// proxy's certificate is checked against: Node's default store (the public CAs
 * and NODE_EXTRA_CA_CERTS), or the public CAs and --ca-file when one is given, as for the server
 * (a private CA often issues both). A --ca-fingerprint pins the server, not the proxy.
 */
export async function readProxyTrust(proxy: URL, caFile: string | undefined): Promise<ProxyTrust> {
  if (proxy.protocol !== 'https:' || caFile === undefined) return {};
  try {
    return { ca: [...rootCertificates, await readFile(caFile, 'utf8')] };
  } catch (error) {
    throw new AgentError('StateInvalid', `cannot read the CA file ${caFile}`, { cause: error });
  }
}

/** A dialer that opens each connection as a CONNECT tunnel through `proxy` (http:// or https://). */
export function createTunnelDialer(proxy: URL, trust: ProxyTrust = {}): Dial {
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new AgentError(
      'StateInvalid',
      `the proxy ${proxy.origin} must be an http:// or https:// URL (CONNECT carries TLS to the server)`,
    );
  }
  const secure = proxy.protocol === 'https:';
  const proxyHost = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  const proxyPort = Number(proxy.port || (secure ? 443 : 80));
  const auth =
    proxy.username === ''
      ? undefined
      : Buffer.from(
          `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`,
        ).toString('base64');
  return (host, port) =>
    new Promise<Socket>((resolve, reject) => {
      const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
      const socket = secure
        ? tlsConnect({
            host: proxyHost,
            port: proxyPort,
            ...(isIP(proxyHost) === 0 ? { servername: proxyHost } : {}),
            ...(trust.ca === undefined ? {} : { ca: [...trust.ca] }),
            minVersion: 'TLSv1.2',
          })
        : netConnect({ host: proxyHost, port: proxyPort });
      let received = Buffer.alloc(0);
      const fail = (message: string, cause?: unknown): void => {
        cleanup();
        socket.destroy();
        reject(
          new AgentError('NetworkError', `proxy ${proxy.host}: ${message}`, {
            ...(cause === undefined ? {} : { cause }),
          }),
        );
      };
      const timer = setTimeout(
        () => fail(`no tunnel to ${authority} within ${CONNECT_TIMEOUT_MS} ms`),
        CONNECT_TIMEOUT_MS,
      );
      const onError = (error: Error & { code?: string }): void =>
        fail(
          secure && /CERT|SIGNATURE|ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY/.test(error.code ?? '')
            ? `${error.message} (its certificate is not trusted: give its CA with --ca-file or NODE_EXTRA_CA_CERTS)`
            : error.message,
          error,
        );
      const onClose = (): void => fail(`closed the connection before the tunnel to ${authority}`);
      const onData = (chunk: Buffer): void => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) {
          if (received.length > MAX_CONNECT_RESPONSE_BYTES) fail('its CONNECT answer is too long');
          return;
        }
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, end).toString('latin1'));
        if (status?.[1] !== '200') {
          fail(
            `refused CONNECT ${authority} (${status === null ? 'not HTTP' : `HTTP ${status[1]}`})`,
          );
          return;
        }
        cleanup();
        // Nothing may flow (and be lost) until TLS or http takes the socket over.
        socket.pause();
        // Bytes after the header already belong to the tunnel (a server speaking first).
        const rest = received.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        resolve(socket);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      // Over TLS, the request waits for the handshake (and its certificate check) to pass.
      socket.once(secure ? 'secureConnect' : 'connect', () =>
        socket.write(
          `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n` +
            (auth === undefined ? '' : `Proxy-Authorization: Basic ${auth}\r\n`) +
            '\r\n',
        ),
      );
    });
}

/** The connector for plain http:// servers behind a proxy: the tunnel itself is the socket. */
export function createTunnelConnector(dial: Dial): CreateConnection {
  return (options, oncreate) => {
    const host = (options.host ?? options.hostname ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    dial(host, Number(options.port ?? 80)).then(
      (socket) => oncreate(null, socket),
      (error: Error) => oncreate(error, undefined as never),
    );
    return undefined;
  };
}
