// ssh-style `~.` detection for `openssm connect`, fed whole and split at every byte.

import { describe, expect, it } from 'vitest';
import { EscapeDetector } from '../src/session/escape-detector.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** Feeds `input` in pieces of `size` bytes; returns what was forwarded and whether it disconnected. */
function run(input: string, size = Infinity): { forwarded: string; disconnect: boolean } {
  const detector = new EscapeDetector();
  const data = bytes(input);
  let forwarded = '';
  for (let offset = 0; offset < data.length; offset += Math.min(size, data.length)) {
    const result = detector.feed(data.subarray(offset, offset + Math.min(size, data.length)));
    forwarded += text(result.forward);
    if (result.disconnect) return { forwarded, disconnect: true };
  }
  return { forwarded, disconnect: false };
}

describe('EscapeDetector', () => {
  const cases: [string, string, string, boolean][] = [
    ['~. first thing disconnects', '~.', '', true],
    ['~. after CR disconnects and forwards what came before', 'ls\r~.rest', 'ls\r', true],
    ['~. after LF disconnects', 'a\n~.', 'a\n', true],
    ['~. mid-line is text', 'a~.', 'a~.', false],
    ['~~ sends one ~', '~~.', '~.', false],
    ['~ and another byte sends both', '~x\r~.', '~x\r', true],
    ['~ then CR keeps the line start', '~\r~.', '~\r', true],
    ['plain text passes', 'echo hi\r', 'echo hi\r', false],
    ['a trailing ~ is held back', 'ab\r~', 'ab\r', false],
  ];
  for (const [name, input, forwarded, disconnect] of cases) {
    it(name, () => {
      expect(run(input)).toEqual({ forwarded, disconnect });
    });
    it(`${name} (one byte at a time)`, () => {
      expect(run(input, 1)).toEqual({ forwarded, disconnect });
    });
  }

  it('passes binary bytes unchanged', () => {
    const detector = new EscapeDetector();
    const all = Uint8Array.from({ length: 256 }, (_, index) => index).filter((b) => b !== 0x7e);
    expect(Array.from(detector.feed(all).forward)).toEqual(Array.from(all));
  });
});
