// Fails when a workspace declares or imports another workspace that the matrix in
// workspace-boundaries.json forbids (DESIGN.md §3), or when testkit leaks into product code.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Boundary {
  readonly allowed: readonly string[];
  readonly why: string;
}

const root = join(import.meta.dirname, '..');
const matrix = JSON.parse(readFileSync(join(root, 'workspace-boundaries.json'), 'utf8')) as Record<
  string,
  Boundary | string
>;
const boundaries = Object.entries(matrix).filter(
  (entry): entry is [string, Boundary] => typeof entry[1] === 'object',
);
const workspaceNames = readdirSync(join(root, 'packages')).filter((name) =>
  statSync(join(root, 'packages', name)).isDirectory(),
);

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readPackage(name: string): PackageJson {
  return JSON.parse(
    readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'),
  ) as PackageJson;
}

function workspaceDeps(deps: Record<string, string> | undefined): string[] {
  return Object.keys(deps ?? {})
    .filter((dep) => dep.startsWith('@openssm/'))
    .map((dep) => dep.slice('@openssm/'.length));
}

/** Workspaces imported by the package's sources, found by their import specifiers. */
function importedWorkspaces(name: string): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts)$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]@openssm\/([a-z-]+)/g)) {
          found.add(match[1]!);
        }
      }
    }
  };
  walk(join(root, 'packages', name, 'src'));
  return found;
}

/** Every violation of the matrix, as readable lines; empty when the workspace is clean. */
export function findViolations(
  rules: ReadonlyArray<[string, Boundary]>,
  read: (name: string) => PackageJson,
  imports: (name: string) => Set<string>,
): string[] {
  const problems: string[] = [];
  for (const [name, { allowed, why }] of rules) {
    const pkg = read(name);
    const runtime = [...workspaceDeps(pkg.dependencies), ...workspaceDeps(pkg.peerDependencies)];
    for (const dep of [...runtime, ...imports(name)]) {
      if (dep !== name && !allowed.includes(dep)) {
        problems.push(`${name} depends on ${dep}: ${why}`);
      }
    }
    if (name !== 'testkit' && runtime.includes('testkit')) {
      problems.push(`${name} lists testkit as a runtime dependency: only tests may use it`);
    }
  }
  return problems;
}

describe('workspace dependency boundaries', () => {
  it('has a rule for every workspace and a workspace for every rule', () => {
    expect(boundaries.map(([name]) => name).sort()).toEqual([...workspaceNames].sort());
  });

  it('no package declares or imports a workspace the matrix forbids', () => {
    expect(findViolations(boundaries, readPackage, importedWorkspaces)).toEqual([]);
  });

  it('catches a forbidden dependency (the check can fail)', () => {
    const forged = (name: string): PackageJson => {
      const pkg = readPackage(name);
      return name === 'cli'
        ? { ...pkg, dependencies: { ...pkg.dependencies, '@openssm/server': '0.1.0' } }
        : pkg;
    };
    const withImport = (name: string): Set<string> =>
      name === 'protocol' ? new Set(['channel']) : importedWorkspaces(name);
    const problems = findViolations(boundaries, forged, withImport);
    expect(problems).toContain(
      'cli depends on server: client tools may not import the server or the agent',
    );
    expect(problems.some((line) => line.startsWith('protocol depends on channel'))).toBe(true);
  });
});
