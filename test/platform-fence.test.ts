// Proves the platform fence of DESIGN.md §3: `protocol` and `channel` compile with their own
// tsconfig (ES2022 only, no Node or DOM types), so a stray Buffer, process or document in their
// sources is a compile error rather than a browser crash.

import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Type-checks `source` as if it were a file in the package's src with the package's options. */
function diagnosticsFor(packageName: string, source: string): string[] {
  const configPath = join(root, 'packages', packageName, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path)) as {
    config: unknown;
  };
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  const fileName = join(root, 'packages', packageName, 'src', '__fence_probe__.ts');
  const options = { ...parsed.options, noEmit: true, composite: false, declaration: false };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => (path === fileName ? source : readFile(path));
  host.fileExists = (path) => path === fileName || ts.sys.fileExists(path);
  host.getSourceFile = (path, languageVersion, ...rest) =>
    path === fileName
      ? ts.createSourceFile(path, source, languageVersion)
      : getSourceFile(path, languageVersion, ...rest);
  const program = ts.createProgram([fileName], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName === fileName)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe.each(['protocol', 'channel'])('platform fence of %s', (packageName) => {
  it('accepts platform-free code (the probe itself compiles)', () => {
    expect(diagnosticsFor(packageName, 'export const bytes = new Uint8Array(4);\n')).toEqual([]);
  });

  it.each([
    ['Buffer', "export const b = Buffer.from('x');"],
    ['process', 'export const p = process.env;'],
    ['document', 'export const d = document.title;'],
    ['window', 'export const w = window.location;'],
  ])('rejects %s', (name, source) => {
    const messages = diagnosticsFor(packageName, `${source}\n`);
    expect(messages.join('\n')).toContain(`'${name}'`);
  });
});
