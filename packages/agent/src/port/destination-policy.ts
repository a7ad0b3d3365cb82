// Which destinations a port session may reach from this node (ssm-wire §5.1: AWS's agent
// refuses its metadata and DNS addresses). Host names are resolved here, on the node, and every
// address they resolve to is checked, so a name cannot smuggle a denied address past the list;
// the connection then goes to the checked address, never to a second lookup.

import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Link-local IPv4 (169.254.0.0/16: the EC2, GCP, Azure and OpenStack metadata services live at
 * 169.254.169.254), link-local IPv6, and EC2's IPv6 metadata address.
 */
export const DEFAULT_DENIED_DESTINATIONS = '169.254.0.0/16,fe80::/10,fd00:ec2::254/128';

export class DestinationDenied extends Error {
  override readonly name = 'DestinationDenied';
}

export class DestinationUnresolved extends Error {
  override readonly name = 'DestinationUnresolved';
}

export interface ResolvedDestination {
  readonly address: string;
  readonly family: 4 | 6;
}

export type Lookup = (
  host: string,
) => Promise<readonly { readonly address: string; readonly family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

export class DestinationPolicy {
  private constructor(
    private readonly denied: BlockList,
    /** The rules as given, for messages and logs. */
    readonly rules: readonly string[],
    private readonly lookup: Lookup,
  ) {}

  /**
   * `spec`: comma-separated CIDR blocks or single addresses, or `none`. Throws a RangeError
   * naming the first entry that is neither.
   */
  static parse(spec: string, lookup: Lookup = systemLookup): DestinationPolicy {
    const denied = new BlockList();
    const rules: string[] = [];
    const trimmed = spec.trim();
    if (trimmed !== '' && trimmed.toLowerCase() !== 'none') {
      for (const entry of trimmed.split(',').map((part) => part.trim())) {
        if (entry === '') continue;
        const [address = '', prefixText] = entry.split('/');
        const family = isIP(address);
        const max = family === 4 ? 32 : 128;
        const prefix = prefixText === undefined ? max : Number(prefixText);
        if (
          family === 0 ||
          (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
          prefix > max
        ) {
          throw new RangeError(`${entry} is not an IP address or CIDR block`);
        }
        denied.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
        rules.push(entry);
      }
    }
    return new DestinationPolicy(denied, rules, lookup);
  }

  isDenied(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return true; // not an address: never dialled
    return this.denied.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The address to dial for `host`: itself when it is an address, else the first address it
   * resolves to. Throws DestinationDenied when any resolved address is denied (a name that
   * also points at the metadata service is refused outright), DestinationUnresolved when the
   * name does not resolve.
   */
  async resolve(host: string): Promise<ResolvedDestination> {
    const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    let addresses: readonly { address: string; family: number }[];
    if (isIP(literal) !== 0) {
      addresses = [{ address: literal, family: isIP(literal) }];
    } else {
      try {
        addresses = await this.lookup(literal);
      } catch (error) {
        throw new DestinationUnresolved(
          `${host} did not resolve on the node: ${(error as Error).message}`,
        );
      }
      if (addresses.length === 0) {
        throw new DestinationUnresolved(`${host} did not resolve on the node`);
      }
    }
    for (const { address } of addresses) {
      if (this.isDenied(address)) {
        throw new DestinationDenied(
          `the destination ${host} (${address}) is denied by the agent's port-forwarding deny list`,
        );
      }
    }
    const first = addresses[0]!;
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}
