// Who is calling: the peer's address, or — only when the peer is one of the configured trusted
// proxies (--trusted-proxies) — the right-most X-Forwarded-For address that is not itself a
// trusted proxy. Anyone can write X-Forwarded-For, so an untrusted peer's header is ignored, and
// the left-most entries (written by the client) are reached only through a chain of proxies we
// trust. The API, the console, the gateway and the audit trail all see this one address.

import { BlockList, isIP } from 'node:net';

/** Decides whether an address is a trusted proxy. */
export type TrustedProxies = (address: string) => boolean;

/** `10.0.0.0/8`, `192.0.2.7`, `fd00::/8` … → a predicate; throws on anything else. */
export function createTrustedProxies(cidrs: readonly string[]): TrustedProxies {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed === undefined) throw new Error(`not an IP address or CIDR block: ${cidr}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (address) => {
    const family = isIP(address);
    // BlockList matches IPv4-mapped IPv6 peers (::ffff:10.0.0.1) against IPv4 blocks itself.
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** An address with an optional prefix length, or undefined when it is not one. */
export function parseCidr(
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The client's address from the peer's and the X-Forwarded-For header(s), walking from the
 * right while the current hop is a trusted proxy. An entry that is not an address stops the
 * walk at the proxy that wrote it (what it forwarded cannot be believed).
 */
export function resolveClientAddress(
  peer: string,
  forwardedFor: string | readonly string[] | undefined,
  trusted: TrustedProxies,
): string {
  if (forwardedFor === undefined || !trusted(peer)) return peer;
  const hops = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor)
    .join(',')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return address;
    address = hop;
    if (!trusted(hop)) return hop;
  }
  return address;
}
