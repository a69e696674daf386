// μ throughput: `pqsign mu` against `openssl dgst -shake256 -xoflen 64` on the same file (SHAKE256 over the
// whole input is the work both do; μ adds 64 + 2 bytes in front). End to end, start-up included; the note
// gives the ratio with each tool's start-up (an empty input) taken out.
import { fmt, type BenchContext } from '../lib/context.js';
import { measureOk, medianOf } from '../lib/measure.js';
import type { BenchRow } from './types.js';

export const muRow: BenchRow = {
  id: 'mu',
  title: 'μ throughput',
  async run(ctx: BenchContext) {
    const file = await ctx.file(ctx.sizes.big);
    const empty = await ctx.file(0);
    const openssl = (f: string) => medianOf(ctx.sizes.ratioReps, () => measureOk('openssl', ['dgst', '-shake256', '-xoflen', '64', f]));
    const ours = (f: string) => medianOf(ctx.sizes.ratioReps, () => ctx.pqsign(['mu', f, '--key', ctx.pub]));
    const [o, u, o0, u0] = [await openssl(file), await ours(file), await openssl(empty), await ours(empty)];
    const ratio = o.wallMs / u.wallMs;
    const steady = (o.wallMs - o0.wallMs) / (u.wallMs - u0.wallMs);
    const version = (await ctx.exec('openssl', ['version'])).trim().split(' ').slice(0, 2).join(' ');
    return [
      {
        measurement: `μ of ${fmt.size(ctx.sizes.big)}`,
        ours: `${fmt.ms(u.wallMs)} (${fmt.rate(ctx.sizes.big, u.wallMs)}), peak RSS ${fmt.mb(u.rssMB)}`,
        baseline: `${version} dgst -shake256: ${fmt.ms(o.wallMs)} (${fmt.rate(ctx.sizes.big, o.wallMs)})`,
        ratio: fmt.ratio(ratio),
        target: '≥ 0.95× throughput',
        met: ratio >= 0.95,
        note: `start-up excluded (empty input: ${fmt.ms(u0.wallMs)} vs ${fmt.ms(o0.wallMs)}): ${fmt.ratio(steady)}`,
      },
    ];
  },
};
