// How the agent trusts its server over HTTPS and WSS alike: the system CAs, plus one CA from
// --ca-file, or only the certificate a --ca-fingerprint pins. Connections are opened here and
// handed to http/ws only once the server passed the check, so not one byte of a request (an
// activation code, a signed header) is written to a server that failed it.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ClientRequestArgs } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect, rootCertificates, type PeerCertificate, type TLSSocket } from 'node:tls';
import { AgentError } from '../agent-error.js';
import type { Dial } from './proxy.js';

export interface TlsPolicy {
  /** A PEM file with one or more CA certificates trusted besides the system's. */
  readonly caFile?: string;
  /** 64 upper-case hex digits: the SHA-256 of the server's certificate or of a CA above it. */
  readonly caFingerprint?: string;
}

/** The `createConnection` http.request and ws accept: asynchronous, through the callback. */
export type CreateConnection = NonNullable<ClientRequestArgs['createConnection']>;

/** Slow handshakes are dead servers: the whole request gives up after its own timeout too. */
const TLS_HANDSHAKE_TIMEOUT_MS = 15_000;
/** Longest issuer chain walked when a CA is pinned. */
const MAX_CHAIN_DEPTH = 8;

/**
 * Reads the CA file (once) and returns the connector for `https:`/`wss:` URLs. With `dial` the
 * TCP connection comes from it (a proxy tunnel) and TLS runs inside, checked the same way.
 */
export async function createTlsConnector(
  policy: TlsPolicy,
  dial?: Dial,
): Promise<CreateConnection> {
  let ca: string[] | undefined;
  if (policy.caFile !== undefined) {
    let pem: string;
    try {
      pem = await readFile(policy.caFile, 'utf8');
    } catch (error) {
      throw new AgentError('StateInvalid', `cannot read the CA file ${policy.caFile}`, {
        cause: error,
      });
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AgentError('StateInvalid', `${policy.caFile} holds no PEM certificate`);
    }
    // Node's `ca` replaces the defaults; --ca-file adds to them.
    ca = [...rootCertificates, pem];
  }
  const pin = policy.caFingerprint;
  return (options, oncreate) => {
    const host = stripBrackets(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port ?? 443);
    const given = (options as { servername?: unknown }).servername;
    const servername =
      typeof given === 'string' && given !== '' ? given : isIP(host) === 0 ? host : undefined;
    let settled = false;
    let socket: TLSSocket | undefined;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // On an error http ignores the socket (already destroyed); on success it takes it over.
      oncreate(error, socket as TLSSocket);
    };
    const handshake = (tunnel: Socket | undefined): void => {
      const tls: TLSSocket = connect({
        ...(tunnel === undefined ? { host, port } : { socket: tunnel }),
        ...(servername === undefined ? {} : { servername }),
        ...(ca === undefined ? {} : { ca }),
        minVersion: 'TLSv1.2',
        // With a pin the chain is checked below instead: a pinned self-signed certificate would
        // fail OpenSSL's verification, and only checkPin decides.
        rejectUnauthorized: pin === undefined,
      });
      socket = tls;
      timer = setTimeout(
        () =>
          tls.destroy(
            new AgentError('NetworkError', `TLS handshake with ${host}:${port} timed out`),
          ),
        TLS_HANDSHAKE_TIMEOUT_MS,
      );
      tls.on('error', (error: Error) => settle(error));
      tls.once('secureConnect', () => {
        if (pin !== undefined) {
          const problem = checkPin(tls.getPeerCertificate(true), pin, host);
          if (problem !== undefined) {
            const error = new AgentError(
              'TlsPinMismatch',
              `the server ${host}:${port} is not the pinned one: ${problem}`,
            );
            tls.destroy();
            settle(error);
            return;
          }
        }
        settle(null);
      });
    };
    if (dial === undefined) handshake(undefined);
    else dial(host, port).then(handshake, (error: Error) => settle(error));
    return undefined;
  };
}

/**
 * Why the presented chain does not satisfy `pin`, or undefined when it does: either the server's
 * own certificate is the pinned one (the TLS handshake proved the server holds its key), or a
 * certificate the server sent is, and it really issued the chain down to the server's (every
 * link's signature, issuer name and CA flag checked), and the server's certificate is current
 * and names `host`. A pinned CA that the server merely includes proves nothing by itself.
 */
export function checkPin(
  peer: PeerCertificate | undefined,
  pin: string,
  host: string,
  now: number = Date.now(),
): string | undefined {
  if (peer?.raw === undefined) return 'it presented no certificate';
  const leaf = new X509Certificate(peer.raw);
  if (fingerprintOf(leaf) === pin) return undefined;
  let child = leaf;
  let node: PeerCertificate = peer;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const next = (node as PeerCertificate & { issuerCertificate?: PeerCertificate })
      .issuerCertificate;
    if (next?.raw === undefined || next === node) break;
    const issuer = new X509Certificate(next.raw);
    if (!issuer.ca || !child.checkIssued(issuer) || !child.verify(issuer.publicKey)) break;
    if (fingerprintOf(issuer) === pin) return checkLeaf(leaf, host, now);
    child = issuer;
    node = next;
  }
  return `no certificate in its chain has the SHA-256 fingerprint ${pin}`;
}

function checkLeaf(leaf: X509Certificate, host: string, now: number): string | undefined {
  if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) {
    return `its certificate is valid from ${leaf.validFrom} to ${leaf.validTo}`;
  }
  const matches = isIP(host) === 0 ? leaf.checkHost(host) : leaf.checkIP(host);
  return matches === undefined ? `its certificate does not name ${host}` : undefined;
}

export function fingerprintOf(certificate: X509Certificate): string {
  return certificate.fingerprint256.replace(/:/g, '').toUpperCase();
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
