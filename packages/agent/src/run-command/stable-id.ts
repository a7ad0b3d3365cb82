// Message ids that are the same every time the same message is built: a reply re-created after
// a restart (or an output chunk re-sent) carries the id it had before, so the server, which
// dedupes by MessageId, applies it once.

import { createHash } from 'node:crypto';

/**
 * A UUID (RFC 9562 version 8, "custom") from the SHA-256 of `name`: distinct names give
 * distinct ids for every practical purpose, equal names equal ids.
 */
export function stableUuid(name: string): string {
  const bytes = createHash('sha256').update(`openssm-agent:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
