// Canonical UUID text <-> the swapped 16-byte layout of AgentMessage.MessageId (§4.2): bytes
// 0-7 on the wire hold the UUID's last 8 bytes, bytes 8-15 its first 8.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

/** Writes `uuid` into `target` at `offset` in the swapped wire layout. */
export function writeSwappedUuid(uuid: string, target: Uint8Array, offset: number): void {
  if (!isUuid(uuid)) {
    // Only our own code writes message ids, so a bad one is a programmer mistake.
    throw new RangeError(`not a canonical UUID: ${JSON.stringify(uuid)}`);
  }
  // Character codes, not substrings: this runs for every message sent.
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (uuid.charCodeAt(at) === DASH) at++;
    const byte = (nibble(uuid.charCodeAt(at)) << 4) | nibble(uuid.charCodeAt(at + 1));
    at += 2;
    // First half of the UUID goes to the second half of the field and vice versa.
    target[offset + ((i + 8) % 16)] = byte;
  }
}

const DASH = 0x2d;

/** The value of one hex digit's character code (already validated by isUuid). */
function nibble(code: number): number {
  // '0'-'9' → 0-9; 'a'-'f' and 'A'-'F' → 10-15 (bit 0x20 folds upper to lower case).
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}

/** Reads the swapped wire layout at `offset` back into lowercase canonical UUID text. */
export function readSwappedUuid(source: Uint8Array, offset: number): string {
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += HEX[source[offset + ((i + 8) % 16)] ?? 0];
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
