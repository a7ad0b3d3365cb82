// ssh's escape sequences for `openssm connect`: `~.` typed right after a newline (or first thing)
// disconnects, `~~` sends one `~`, and `~` followed by anything else sends both. The `~` is held
// back until the next byte says which it is, so a disconnect never leaks a stray `~` to the shell.

const TILDE = 0x7e;
const DOT = 0x2e;
const CR = 0x0d;
const LF = 0x0a;

export interface EscapeResult {
  /** Bytes to send to the remote side (everything before a disconnect). */
  readonly forward: Uint8Array;
  readonly disconnect: boolean;
}

export class EscapeDetector {
  private atLineStart = true;
  private holdingTilde = false;

  feed(chunk: Uint8Array): EscapeResult {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.holdingTilde) {
        this.holdingTilde = false;
        if (byte === DOT) return { forward: Uint8Array.from(out), disconnect: true };
        if (byte === TILDE) {
          out.push(TILDE);
          this.atLineStart = false;
          continue;
        }
        out.push(TILDE);
      } else if (this.atLineStart && byte === TILDE) {
        this.holdingTilde = true;
        continue;
      }
      out.push(byte);
      // Raw mode delivers Enter as CR; LF counts too for pasted text and non-terminal input.
      this.atLineStart = byte === CR || byte === LF;
    }
    return { forward: Uint8Array.from(out), disconnect: false };
  }
}
