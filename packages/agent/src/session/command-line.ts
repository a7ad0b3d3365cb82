// Splits a NonInteractiveCommands command line into argv the way AWS's agent does (it uses
// github.com/google/shlex, shell_unix.go): words, quotes and backslashes, no expansion at all.

/** Thrown for an unterminated quote or a trailing backslash (google/shlex's messages). */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
}

const SPACE = new Set([' ', '\t', '\r', '\n']);

type State = 'start' | 'word' | 'escape' | 'single' | 'double' | 'double-escape' | 'comment';

/**
 * google/shlex semantics: `'…'` is literal; inside `"…"` a backslash takes the next character
 * literally (any character, unlike POSIX sh); outside quotes a backslash does the same; `#`
 * starts a comment only where a word could start; `''` is an empty word.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let state: State = 'start';
  let word = '';
  for (const char of line) {
    switch (state) {
      case 'start':
        if (SPACE.has(char)) break;
        if (char === '#') state = 'comment';
        else state = enterWord(char);
        if (state === 'word') word = char;
        break;
      case 'word':
        if (SPACE.has(char)) {
          words.push(word);
          word = '';
          state = 'start';
        } else {
          state = enterWord(char);
          if (state === 'word') word += char;
        }
        break;
      case 'escape':
        word += char;
        state = 'word';
        break;
      case 'single':
        if (char === "'") state = 'word';
        else word += char;
        break;
      case 'double':
        if (char === '"') state = 'word';
        else if (char === '\\') state = 'double-escape';
        else word += char;
        break;
      case 'double-escape':
        word += char;
        state = 'double';
        break;
      case 'comment':
        if (char === '\n') state = 'start';
        break;
    }
  }
  switch (state) {
    case 'escape':
    case 'double-escape':
      throw new CommandLineError('EOF found after escape character');
    case 'single':
    case 'double':
      throw new CommandLineError('EOF found when expecting closing quote');
    case 'word':
      words.push(word);
      break;
    case 'start':
    case 'comment':
      break;
  }
  return words;
}

/** The state a character other than a space leads to inside or at the start of a word. */
function enterWord(char: string): State {
  if (char === "'") return 'single';
  if (char === '"') return 'double';
  if (char === '\\') return 'escape';
  return 'word';
}
