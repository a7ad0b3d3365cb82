// Builds the console into console-dist/, served by the server at /console/ (decision 0010).
// The channel engine and protocol come from their built packages, the same code the CLI runs.

import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: 'console-dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The recording player is its own chunk, loaded only on the recording page.
    chunkSizeWarningLimit: 600,
  },
});
