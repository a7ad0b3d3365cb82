// One vitest run for the whole workspace. Packages import each other by name; the aliases point
// those names at sources so tests never need a build first.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['protocol', 'channel', 'server', 'agent', 'cli', 'web', 'testkit'];

export default defineConfig({
  resolve: {
    alias: Object.fromEntries(
      packages.map((name) => [
        `@openssm/${name}`,
        fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url)),
      ]),
    ),
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['packages/testkit/**', 'packages/*/src/index.ts'],
      reporter: ['text', 'text-summary'],
      // The wire core must stay thoroughly tested (issue #2); other packages add theirs as they grow.
      thresholds: {
        'packages/protocol/src/**': { lines: 95 },
        'packages/channel/src/**': { lines: 95 },
      },
    },
  },
});
