// The client address rule on its own: X-Forwarded-For is read only when the peer is a trusted
// proxy, right to left, stopping at the first untrusted address or at an entry that is not one.

import { describe, expect, it } from 'vitest';
import { createTrustedProxies, resolveClientAddress } from '../../src/http/client-address.js';

const trusted = createTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

describe('resolveClientAddress', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(resolveClientAddress('198.51.100.9', '203.0.113.7', trusted)).toBe('198.51.100.9');
    expect(resolveClientAddress('198.51.100.9', undefined, trusted)).toBe('198.51.100.9');
  });

  it('takes the right-most untrusted address, so entries the client wrote are not believed', () => {
    expect(resolveClientAddress('10.0.0.1', '1.1.1.1, 203.0.113.7, 10.9.9.9', trusted)).toBe(
      '203.0.113.7',
    );
    expect(resolveClientAddress('127.0.0.1', ['1.1.1.1', '203.0.113.7'], trusted)).toBe(
      '203.0.113.7',
    );
  });

  it('matches IPv4-mapped IPv6 peers and IPv6 blocks', () => {
    expect(resolveClientAddress('::ffff:10.1.2.3', '203.0.113.7', trusted)).toBe('203.0.113.7');
    expect(resolveClientAddress('fd00::1', '2001:db8::5', trusted)).toBe('2001:db8::5');
  });

  it('stops at an entry that is not an address, and falls back to the last proxy when all are trusted', () => {
    expect(resolveClientAddress('10.0.0.1', 'evil, 10.0.0.2', trusted)).toBe('10.0.0.2');
    expect(resolveClientAddress('10.0.0.1', '10.0.0.3, 10.0.0.2', trusted)).toBe('10.0.0.3');
    expect(resolveClientAddress('10.0.0.1', ' , ', trusted)).toBe('10.0.0.1');
  });

  it('trusts nobody without a list', () => {
    expect(resolveClientAddress('127.0.0.1', '203.0.113.7', createTrustedProxies([]))).toBe(
      '127.0.0.1',
    );
    expect(() => createTrustedProxies(['not-an-address'])).toThrow(/not an IP address/);
  });
});
