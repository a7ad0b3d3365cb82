// splitCommandLine against google/shlex's own test vector and its error messages (AWS's agent
// splits NonInteractiveCommands with that library).

import { describe, expect, it } from 'vitest';
import { CommandLineError, splitCommandLine } from '../src/session/index.js';

describe('splitCommandLine', () => {
  it('splits google/shlex’s test string the way shlex.Split does', () => {
    const input =
      'one two "three four" "five \\"six\\"" seven#eight # nine # ten\n eleven \'twelve\\\' thirteen=13 fourteen/14';
    expect(splitCommandLine(input)).toEqual([
      'one',
      'two',
      'three four',
      'five "six"',
      'seven#eight',
      'eleven',
      'twelve\\',
      'thirteen=13',
      'fourteen/14',
    ]);
  });

  it.each([
    ['', []],
    ['   \t\r\n ', []],
    ["''", ['']],
    ['a""b', ['ab']],
    ['sh -c "echo $HOME; exit 3"', ['sh', '-c', 'echo $HOME; exit 3']],
    ['a\\ b c', ['a b', 'c']],
    ['"a\\nb"', ['anb']],
    ["it's fine'", ['its fine']],
    ['# only a comment', []],
    ['x # comment\ny', ['x', 'y']],
    ['日本 語', ['日本', '語']],
  ])('%j', (input, expected) => {
    expect(splitCommandLine(input)).toEqual(expected);
  });

  it.each([
    ['"open', 'EOF found when expecting closing quote'],
    ["'open", 'EOF found when expecting closing quote'],
    ['trailing\\', 'EOF found after escape character'],
    ['"inside\\', 'EOF found after escape character'],
  ])('%j fails with shlex’s message', (input, message) => {
    expect(() => splitCommandLine(input)).toThrow(new CommandLineError(message));
  });
});
