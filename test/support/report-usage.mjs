// Preloaded into a child node process (--import): prints its peak resident set size on exit, so a
// test can check that memory stays flat however large the input is.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nMAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
