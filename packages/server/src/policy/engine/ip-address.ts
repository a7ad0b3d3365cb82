// IPv4 and IPv6 addresses and CIDR blocks for IpAddress/NotIpAddress. A caller address in the
// IPv4-mapped IPv6 form (`::ffff:192.0.2.1`, what a dual-stack Node socket reports) is read as
// the IPv4 address, so `192.0.2.0/24` in a policy matches it.

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface IpNetwork {
  readonly family: 4 | 6;
  /** The network's first address (host bits cleared). */
  readonly base: bigint;
  readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;
const IPV4_MAPPED_MASK = ~0xffff_ffffn & ((1n << 128n) - 1n);

/** Parses a caller address; an IPv4-mapped IPv6 address comes back as IPv4. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const address = parseAddress(text);
  if (address?.family === 6 && (address.value & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
    return { family: 4, value: address.value & 0xffff_ffffn };
  }
  return address;
}

/** Parses `address/prefix`, or a bare address as a network of one. */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = BITS[address.family];
  let prefix: number = bits;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return undefined;
    prefix = Number(digits);
    if (prefix > bits) return undefined;
  }
  return { family: address.family, base: address.value & mask(bits, prefix), prefix };
}

export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  if (network.family !== address.family) return false;
  return (address.value & mask(BITS[network.family], network.prefix)) === network.base;
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

function parseAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    // No leading zeros: `010` reads as octal in some parsers and decimal in others.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(octet) || Number(octet) > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** The 16-bit groups of one side of `::`; a trailing dotted IPv4 counts as two groups. */
function groups(text: string): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const result: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      result.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      result.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return result;
}
