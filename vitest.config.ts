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
    // Three workers on two cores: CLI and oracle tests wait on child processes, fsync and sockets, which two
    // workers left idle for a quarter of the run (measured: 5 min 54 s with 2, 4 min 46 s with 3, same CPU).
    maxWorkers: 3,
    // the longest files start first, whatever their project (test/support/sequencer.ts)
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['test/cli/**/*.test.ts'] } },
    ],
  },
});
