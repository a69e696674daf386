// Preloaded into a Node child (node --import) when /usr/bin/time is absent: at exit, write the child's
// own peak RSS (kB, worker threads included) where the bench asked.
import { writeFileSync } from 'node:fs';

const out = process.env.PQSIGN_BENCH_RSS_OUT;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
