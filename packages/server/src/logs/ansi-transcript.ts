// Turns terminal output into an ANSI-clean, timestamped transcript: what a person saw, one line
// per screen line, without escape sequences. A small line editor, not a terminal emulator:
// carriage return and backspace move within the line (progress bars and readline redraws
// overwrite), erase-in-line truncates, every other control and escape sequence is dropped.
// Full-screen programs (top, vim) come out as text fragments; the asciicast replays them.

/** One finished line and when its first character appeared (epoch ms). */
export interface TranscriptLine {
  readonly time: number;
  readonly text: string;
}

/** Lines longer than this are cut into pieces, so no line grows without bound. */
export const MAX_TRANSCRIPT_LINE = 16 * 1024;

type State =
  'text' | 'escape' | 'csi' | 'osc' | 'osc-escape' | 'string' | 'string-escape' | 'charset';

export class TranscriptBuilder {
  private line: string[] = [];
  private cursor = 0;
  private lineStart: number | undefined;
  private state: State = 'text';
  private csi = '';

  /** Feeds decoded text; returns the lines it completed. */
  write(text: string, time: number): TranscriptLine[] {
    const done: TranscriptLine[] = [];
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      switch (this.state) {
        case 'text':
          this.text(char, code, time, done);
          break;
        case 'escape':
          if (char === '[') {
            this.state = 'csi';
            this.csi = '';
          } else if (char === ']') this.state = 'osc';
          else if (char === 'P' || char === 'X' || char === '^' || char === '_')
            this.state = 'string';
          else if (char === '(' || char === ')' || char === '*' || char === '+' || char === '#')
            this.state = 'charset';
          else this.state = 'text';
          break;
        case 'charset':
          this.state = 'text';
          break;
        case 'csi':
          if (code >= 0x40 && code <= 0x7e) {
            this.applyCsi(char);
            this.state = 'text';
          } else if (this.csi.length < 64) this.csi += char;
          break;
        case 'osc':
          if (code === 0x07) this.state = 'text';
          else if (code === 0x1b) this.state = 'osc-escape';
          break;
        case 'osc-escape':
          this.state = char === '\\' ? 'text' : 'osc';
          break;
        case 'string':
          if (code === 0x1b) this.state = 'string-escape';
          break;
        case 'string-escape':
          this.state = char === '\\' ? 'text' : 'string';
          break;
      }
    }
    return done;
  }

  /** The unfinished last line, if it has text (at session end). */
  finish(): TranscriptLine[] {
    const text = this.render();
    const time = this.lineStart;
    this.reset();
    return text === '' || time === undefined ? [] : [{ time, text }];
  }

  private text(char: string, code: number, time: number, done: TranscriptLine[]): void {
    if (code === 0x1b) {
      this.state = 'escape';
    } else if (char === '\n') {
      done.push({ time: this.lineStart ?? time, text: this.render() });
      this.reset();
    } else if (char === '\r') {
      this.cursor = 0;
    } else if (code === 0x08) {
      this.cursor = Math.max(0, this.cursor - 1);
    } else if (char === '\t') {
      this.put(' '.repeat(8 - (this.cursor % 8)), time, done);
    } else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      // Other C0/C1 controls (bell, shift in/out …) print nothing.
    } else {
      this.put(char, time, done);
    }
  }

  private put(chars: string, time: number, done: TranscriptLine[]): void {
    this.lineStart ??= time;
    for (const char of chars) {
      if (this.cursor >= MAX_TRANSCRIPT_LINE) {
        done.push({ time: this.lineStart, text: this.render() });
        this.reset();
        this.lineStart = time;
      }
      this.line[this.cursor] = char;
      this.cursor += 1;
    }
  }

  private applyCsi(final: string): void {
    const parameter = Number.parseInt(this.csi.replace(/^[?>=]/, ''), 10);
    const count =
      Number.isNaN(parameter) || parameter < 1 ? 1 : Math.min(parameter, MAX_TRANSCRIPT_LINE);
    switch (final) {
      case 'K':
        // Erase in line: 0 (default) to the end, 1 to the start, 2 the whole line.
        if (this.csi === '' || this.csi === '0')
          this.line.length = Math.min(this.line.length, this.cursor);
        else if (this.csi === '2') this.line = [];
        else if (this.csi === '1') for (let i = 0; i < this.cursor; i++) this.line[i] = ' ';
        break;
      case 'C':
        this.cursor = Math.min(this.cursor + count, MAX_TRANSCRIPT_LINE - 1);
        break;
      case 'D':
        this.cursor = Math.max(0, this.cursor - count);
        break;
      case 'G':
        this.cursor = Math.min(count - 1, MAX_TRANSCRIPT_LINE - 1);
        break;
      case 'P':
        this.line.splice(this.cursor, count);
        break;
      default:
        // Colours, modes, scrolling, cursor rows: nothing a line of text keeps.
        break;
    }
  }

  private render(): string {
    return Array.from(this.line, (char) => char ?? ' ')
      .join('')
      .replace(/\s+$/, '');
  }

  private reset(): void {
    this.line = [];
    this.cursor = 0;
    this.lineStart = undefined;
  }
}

/** `2026-11-26T15:33:20.123Z <text>`: one transcript line as stored. */
export function formatTranscriptLine(line: TranscriptLine): string {
  return `${new Date(line.time).toISOString()} ${line.text}\n`;
}
