// Peak RSS of `pqsign sign` and `pqsign verify` as the input grows (sparse inputs: same hashing work, no
// disk): it must stay under the target and flat. Baseline: the Node runtime's own floor (`node -e 0`).
import { join } from 'node:path';
import { fmt, type BenchContext } from '../lib/context.js';
import { measureOk } from '../lib/measure.js';
import type { BenchRow, RowResult } from './types.js';

const LIMIT_MB = 120;
/** "flat": the largest input may cost at most this much more than the smallest */
const FLAT_MB = 8;

export const rssRow: BenchRow = {
  id: 'rss',
  title: 'peak RSS',
  async run(ctx: BenchContext) {
    const floor = await measureOk(ctx.node, ['-e', '0'], { isNode: true });
    const sign: number[] = [];
    const verify: number[] = [];
    for (const size of ctx.sizes.rss) {
      const file = await ctx.file(size, 'sparse');
      const sig = join(ctx.tmp, `rss-${size}.sig`);
      sign.push((await ctx.pqsign(['sign', file, '--key', ctx.key, '--out', sig])).rssMB ?? NaN);
      verify.push((await ctx.pqsign(['verify', file, '--sig', sig, '--key', ctx.pub])).rssMB ?? NaN);
    }
    const sizes = ctx.sizes.rss.map(fmt.size).join(' / ');
    const row = (what: string, mbs: number[]): RowResult => {
      const max = Math.max(...mbs);
      const spread = max - Math.min(...mbs);
      return {
        measurement: `${what} peak RSS at ${sizes}`,
        ours: mbs.map((m) => fmt.mb(m)).join(' / '),
        baseline: `node -e 0: ${fmt.mb(floor.rssMB)}`,
        target: `≤ ${LIMIT_MB} MB, flat (±${FLAT_MB} MB)`,
        met: Number.isNaN(max) ? undefined : max <= LIMIT_MB && spread <= FLAT_MB,
        ...(Number.isNaN(max) ? { note: 'peak RSS not measurable here' } : {}),
      };
    };
    return [row('sign', sign), row('verify', verify)];
  },
};
