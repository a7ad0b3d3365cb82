// The host services the platform-free channel engine asks for, provided by the browser. The
// engine digests every message synchronously, and WebCrypto's digest is asynchronous, so SHA-256
// comes from @noble/hashes (audited, dependency-free, small).

import type { Environment } from '@openssm/channel';
import { sha256 } from '@noble/hashes/sha2.js';

/** A version 4 UUID from getRandomValues (crypto.randomUUID needs a secure context). */
export function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createBrowserEnvironment(): Environment {
  return {
    clock: {
      now: () => Date.now(),
      setTimeout: (callback, delayMs) => window.setTimeout(callback, delayMs),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
    },
    sha256: (data) => sha256(data),
    randomUUID: randomUuid,
  };
}
