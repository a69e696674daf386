import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // in-process tests use the format registry as the library does: built-ins registered first
    setupFiles: ['lib/builtins.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CLI tests spawn node processes; two cores, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
