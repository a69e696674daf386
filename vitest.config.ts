import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/sequencer.js';

// Two projects (docs/testing.md): `unit` runs library code in-process and needs no build; `cli` runs the built
// CLI (dist/, so `npm run build` first) for what only the command line owns: exit codes, messages, flags,
// signals, packaging, and the attack suite end to end. `npx vitest run --project unit` runs one of them.
export default defineConfig({
  test: {
    // in-process tests use the format registry as the library does: built-ins registered first;
    // cpu-log reports each file's cost when PQSIGN_TEST_CPU_LOG is set
    setupFiles: ['lib/builtins.ts', 'test/support/cpu-log.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Three workers on two cores: CLI, KMS and oracle tests wait on child processes, fsync and sockets, which
    // two workers leave idle (npm test measured: 2 min 52 s with 3, 2 min 57 s with 2; docs/testing.md).
    maxWorkers: 3,
    // the longest files start first, whatever their project (test/support/sequencer.ts)
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['test/cli/**/*.test.ts'] } },
    ],
  },
});
