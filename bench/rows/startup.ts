// CLI start-up: median wall time of `pqsign verify` of one small file with a local public key, against
// `node -e 0` measured in the same run (and the same under Node 24 when installed).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, type BenchContext } from '../lib/context.js';
import { measureOk, medianOf } from '../lib/measure.js';
import { node24 } from '../lib/node24.js';
import type { BenchRow, RowResult } from './types.js';

const TARGET_MS = 150;

export const startupRow: BenchRow = {
  id: 'startup',
  title: 'start-up',
  async run(ctx: BenchContext) {
    const file = join(ctx.tmp, 'startup.bin');
    writeFileSync(file, 'a small firmware image\n');
    await ctx.pqsign(['sign', file, '--key', ctx.key]);
    const results: RowResult[] = [];
    const runtimes: [string, string][] = [[`Node ${process.versions.node}`, ctx.node]];
    const n24 = node24();
    if (n24) runtimes.push(['Node 24', n24]);
    for (const [label, node] of runtimes) {
      const base = await medianOf(ctx.sizes.startupRuns, () => measureOk(node, ['-e', '0'], { isNode: true }));
      const ours = await medianOf(ctx.sizes.startupRuns, () => ctx.pqsign(['verify', file, '--key', ctx.pub], { node }));
      results.push({
        measurement: `verify one small file, ${label} (median of ${ctx.sizes.startupRuns})`,
        ours: `${fmt.ms(ours.wallMs)}, peak RSS ${fmt.mb(ours.rssMB)}`,
        baseline: `node -e 0: ${fmt.ms(base.wallMs)}`,
        ratio: `+${fmt.ms(ours.wallMs - base.wallMs)}`,
        target: `≤ ${TARGET_MS} ms`,
        met: ours.wallMs <= TARGET_MS,
      });
    }
    return results;
  },
};
