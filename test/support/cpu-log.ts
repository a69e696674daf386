// Opt-in cost report (PQSIGN_TEST_CPU_LOG=FILE): each test file's CPU seconds, its own and its waited-for child
// processes' (CLI runs, oracles), read from /proc/self/stat when the file ends; wall seconds; CLI runs and
// oracle runs started through test/support/helpers.ts. It finds what is worth moving in-process
// (docs/testing.md); it asserts nothing.
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const log = process.env.PQSIGN_TEST_CPU_LOG;
/** utime + stime, cutime + cstime in seconds (fields 14-17 of /proc/self/stat) */
function cpu(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')
    .map(Number);
  const tick = 100; // USER_HZ on Linux
  return { self: (fields[11]! + fields[12]!) / tick, children: (fields[13]! + fields[14]!) / tick };
}

if (log) {
  // setup files run before the test file is imported: its imports count too
  const start = cpu();
  const { started } = await import('./helpers.js'); // only when asked: it warns when ../shared is absent
  const wall = performance.now();
  afterAll(() => {
    const end = cpu();
    const file = expect.getState().testPath ?? 'unknown';
    appendFileSync(
      log,
      `${file}\t${(end.self - start.self).toFixed(2)}\t${(end.children - start.children).toFixed(2)}\t${((performance.now() - wall) / 1000).toFixed(1)}\t${started.cli}\t${started.oracle}\n`,
    );
  });
}
