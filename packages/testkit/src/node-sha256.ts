// SHA-256 for tests and Node programs, in the shape the platform-free packages inject.

import { createHash } from 'node:crypto';

export function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
