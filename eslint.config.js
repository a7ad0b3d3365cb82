// Lint rules for the whole workspace: typed typescript-eslint, and the import boundaries of
// DESIGN.md §3 with the reason for each in its message (the matrix lives in workspace-boundaries.json;
// test/dependency-boundaries.test.ts checks every package.json against it).

import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const { '//': _about, ...boundaries } = JSON.parse(
  readFileSync(new URL('./workspace-boundaries.json', import.meta.url), 'utf8'),
);
const packages = Object.keys(boundaries);

function restrictedImports(name) {
  const { allowed, why } = boundaries[name];
  const forbidden = packages.filter((other) => other !== name && !allowed.includes(other));
  return {
    files: [`packages/${name}/src/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden.map((other) => `@openssm/${other}`),
              message: `${why} (DESIGN.md §3).`,
            },
            {
              group: ['../../*/src/*', '../../../*/src/*'],
              message: 'Import another workspace by its package name, never by a relative path.',
            },
          ],
        },
      ],
    },
  };
}

const platformFree = {
  files: ['packages/protocol/src/**/*.ts', 'packages/channel/src/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['node:*', 'fs', 'net', 'crypto', 'buffer', 'events', 'stream', 'os', 'path'],
            message:
              'protocol and channel are platform-free (they also run in the browser); inject what you need.',
          },
          {
            group: packages
              .filter((other) => !boundaries.channel.allowed.includes(other))
              .map((other) => `@openssm/${other}`),
            message: 'protocol and channel depend on nothing but protocol (DESIGN.md §3).',
          },
        ],
      },
    ],
  },
};

// DESIGN.md §3: the policy engine does no I/O. It imports nothing from Node and nothing from the
// rest of the server (storage, HTTP), only its own modules and protocol's error codes.
const policyEngine = {
  files: ['packages/server/src/policy/engine/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['node:*', 'fs', 'net', 'crypto', 'buffer', 'events', 'stream', 'os', 'path'],
            message:
              'the policy engine is pure (DESIGN.md §3); the server passes it what it needs.',
          },
          {
            regex: '^\\.\\./',
            message:
              'the policy engine is pure (DESIGN.md §3): it may not reach into storage, HTTP or other server modules.',
          },
          {
            group: packages
              .filter((other) => other !== 'protocol')
              .map((other) => `@openssm/${other}`),
            message: `${boundaries.server.why} (DESIGN.md §3).`,
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/coverage/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The console is typed against the DOM, so it lints with its own project.
        project: ['./tsconfig.json', './packages/web/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  ...packages.map(restrictedImports),
  platformFree,
  policyEngine,
  {
    files: ['packages/*/test/**/*.ts', 'test/**/*.ts'],
    rules: {
      // Tests poke at decoded values freely; the assertions are what matter.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
