// Cuts terminal output into messages without splitting a UTF-8 character across two of them:
// AWS's agent does the same (shell.go `processStdoutData`), and a client that decodes each
// payload on its own (the console's xterm.js, a log line) would otherwise print U+FFFD.

/** True for a UTF-8 continuation byte (10xxxxxx). */
function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Length of the sequence `lead` starts, or 0 when it cannot start one (ASCII counts as 1). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * The largest cut point ≤ `max` that does not fall inside a character of `bytes`: everything
 * before it goes in one message. Invalid bytes are never held back for long — a run of stray
 * continuation bytes is cut at `max` — so the result is ≥ 1 whenever `bytes` and `max` are.
 */
export function splitAtUtf8Boundary(bytes: Uint8Array, max: number): number {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be ≥ 1, got ${max}`);
  if (bytes.length <= max) return bytes.length;
  // At most three continuation bytes follow a lead byte, so the cut moves back at most three.
  for (let cut = max; cut > 0 && cut > max - 4; cut--) {
    if (!isContinuation(bytes[cut]!)) return cut;
  }
  return max;
}

/**
 * How many bytes at the end of `bytes` are the start of a character that is not complete yet
 * (0–3). Bytes that can never become valid UTF-8 are not counted: they pass through at once.
 */
export function incompleteUtf8TailLength(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const byte = bytes[end - back]!;
    if (isContinuation(byte)) continue;
    const needed = sequenceLength(byte);
    return needed > back ? back : 0;
  }
  return 0;
}

/**
 * Joins reads of a byte stream and returns only whole characters, carrying an incomplete
 * trailing sequence over to the next read (at most three bytes are ever held).
 */
export class Utf8Carry {
  private held: Uint8Array = new Uint8Array(0);

  /** The complete characters of everything pushed so far that were not returned before. */
  push(chunk: Uint8Array): Uint8Array {
    const joined = this.held.length === 0 ? chunk : concat(this.held, chunk);
    const keep = incompleteUtf8TailLength(joined);
    this.held = joined.slice(joined.length - keep);
    return joined.subarray(0, joined.length - keep);
  }

  /** Whatever is still held (an incomplete character at the end of the stream), as it is. */
  flush(): Uint8Array {
    const rest = this.held;
    this.held = new Uint8Array(0);
    return rest;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
