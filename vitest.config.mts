import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('.', import.meta.url)),
      // `server-only` throws outside Next's server bundles; tests import server code directly.
      'server-only': fileURLToPath(new URL('./lib/testing/empty-module.ts', import.meta.url)),
    },
  },
  test: {
    include: ['{app,lib,hooks,components,deploy}/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 20_000,
    // Creating an embedded database (initdb, then the migrations) takes seconds, more on a busy machine.
    hookTimeout: 30_000,
  },
});
