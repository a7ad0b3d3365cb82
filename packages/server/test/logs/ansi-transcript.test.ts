// The transcript is what a person saw, without escape sequences: prompts with colours and
// titles, readline redraws, progress bars overwritten with carriage returns.

import { describe, expect, it } from 'vitest';
import {
  MAX_TRANSCRIPT_LINE,
  TranscriptBuilder,
  formatTranscriptLine,
} from '../../src/logs/ansi-transcript.js';

function lines(...chunks: string[]): string[] {
  const builder = new TranscriptBuilder();
  const out = chunks.flatMap((chunk, i) => builder.write(chunk, 1000 + i));
  return [...out, ...builder.finish()].map((line) => line.text);
}

describe('TranscriptBuilder', () => {
  it('drops colours, titles, modes and charset switches', () => {
    expect(
      lines(
        '\u001b]0;user@host: ~\u0007\u001b[?2004h\u001b[01;32muser@host\u001b[00m:\u001b[01;34m~\u001b[00m$ echo marker-$((2+2))\r\n\u001b[?2004l\rmarker-4\r\n',
      ),
    ).toEqual(['user@host:~$ echo marker-$((2+2))', 'marker-4']);
  });

  it('applies carriage returns, backspaces and erase-in-line like a terminal line', () => {
    expect(lines('10%\r50%\r100% done\n')).toEqual(['100% done']);
    expect(lines('lx\bs -l\n')).toEqual(['ls -l']);
    expect(lines('abcdef\r\u001b[Kxyz\n')).toEqual(['xyz']);
    expect(lines('tab\there\n')).toEqual(['tab     here']);
  });

  it('keeps state across chunks split inside a sequence', () => {
    expect(lines('\u001b[3', '1mred\u001b', '[0m text\n')).toEqual(['red text']);
  });

  it('stamps a line with the time its first character appeared', () => {
    const builder = new TranscriptBuilder();
    builder.write('part', 5000);
    const [line] = builder.write(' two\n', 9000);
    expect(line).toEqual({ time: 5000, text: 'part two' });
    expect(formatTranscriptLine(line!)).toBe('1970-01-01T00:00:05.000Z part two\n');
  });

  it('cuts a line that never ends at a bound', () => {
    const out = lines('x'.repeat(MAX_TRANSCRIPT_LINE + 10));
    expect(out.map((line) => line.length)).toEqual([MAX_TRANSCRIPT_LINE, 10]);
  });
});
