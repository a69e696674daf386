// Batch verification of many small signed files: files/s with --jobs = cores against cores × the
// single-thread rate (--jobs 1, in-process), both measured end to end in the same run; under this
// Node (portable ML-DSA) and, when installed, Node 24 (node:crypto ML-DSA).
import { linkSync, mkdirSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { fmt, type BenchContext } from '../lib/context.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medianOf } from '../lib/measure.js';
import { node24 } from '../lib/node24.js';
import type { BenchRow, RowResult } from './types.js';

const TARGET = 0.8;
/** the larger batch: this many links of each signed file */
const LARGER = 4;
/** the default against --jobs 1 on a batch too small for workers to pay: this many files of this size */
const SMALL_BATCH = { files: 200, size: 256 * 1024 };

const SCALING_SCRIPT = fileURLToPath(new URL('../lib/verify-scaling.js', import.meta.url));

/** bench/lib/verify-scaling.ts under `node`: THREADS × the one-thread verification rate, as a ratio (1 = perfect). */
function verifyScaling(node: string, threads: number, verifications: number): number {
  const r = spawnSync(node, [SCALING_SCRIPT, String(threads), String(verifications)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`verify-scaling failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

export const batchRow: BenchRow = {
  id: 'batch',
  title: 'batch verify',
  async run(ctx: BenchContext) {
    const { batchFiles: n, batchFileSize: size } = ctx.sizes;
    const dir = join(ctx.tmp, 'batch');
    mkdirSync(dir);
    const files = Array.from({ length: n }, (_, i) => join(dir, `image-${String(i).padStart(5, '0')}.bin`));
    for (const f of files) await writeFile(f, randomFillSync(Buffer.alloc(size)));
    // sign in one process per core (signing is not what this row measures)
    const per = Math.ceil(n / ctx.cores);
    await Promise.all(
      Array.from({ length: ctx.cores }, (_, c) => files.slice(c * per, (c + 1) * per))
        .filter((part) => part.length)
        .map((part) => ctx.pqsign(['sign', ...part, '--key', ctx.key])),
    );
    // The same signed files hard-linked into LARGER subdirectories: a larger batch of identical work, which
    // shows how much of the ratio at n files is fixed cost (start-up, each thread's JIT warm-up, worker load)
    const large = join(ctx.tmp, 'batch-large');
    for (let copy = 0; copy < LARGER; copy++) {
      mkdirSync(join(large, String(copy)), { recursive: true });
      for (const f of readdirSync(dir)) linkSync(join(dir, f), join(large, String(copy), f));
    }
    const results: RowResult[] = [await defaultAgainstOneThread(ctx)];
    const runtimes: [string, string | undefined][] = [[`Node ${process.versions.node}`, undefined]];
    const n24 = node24();
    if (n24) runtimes.push(['Node 24, native ML-DSA', n24]);
    for (const [label, node] of runtimes) {
      const rates = async (tree: string, files: number) => {
        const timed = (jobs: number) =>
          medianOf(ctx.sizes.reps, () => ctx.pqsign(['verify', '--recursive', tree, '--key', ctx.pub, '--jobs', String(jobs)], { node }));
        const one = files / ((await timed(1)).wallMs / 1000);
        const allRun = await timed(ctx.cores);
        const all = files / (allRun.wallMs / 1000);
        return { one, all, ratio: all / (ctx.cores * one), rssMB: allRun.rssMB };
      };
      const r = await rates(dir, n);
      results.push({
        measurement: `verify ${n} × ${fmt.size(size)}, ${label}`,
        ours: `--jobs ${ctx.cores}: ${r.all.toFixed(0)} files/s, peak RSS ${fmt.mb(r.rssMB)}`,
        baseline: `${ctx.cores} × --jobs 1 (${r.one.toFixed(0)} files/s) = ${(ctx.cores * r.one).toFixed(0)} files/s`,
        ratio: fmt.ratio(r.ratio),
        target: `≥ ${TARGET}×`,
        met: r.ratio >= TARGET,
        note: `verifying alone (${ctx.cores} threads each verifying 64 KiB messages in memory, against one thread, same runtime and run) scales ${fmt.ratio(verifyScaling(node ?? ctx.node, ctx.cores, ctx.sizes.scalingVerifications))} on this machine`,
      });
      const big = await rates(large, LARGER * n);
      results.push({
        measurement: `verify ${LARGER * n} × ${fmt.size(size)} (the same files linked ${LARGER} times), ${label}`,
        ours: `--jobs ${ctx.cores}: ${big.all.toFixed(0)} files/s`,
        baseline: `${ctx.cores} × --jobs 1 (${big.one.toFixed(0)} files/s) = ${(ctx.cores * big.one).toFixed(0)} files/s`,
        ratio: fmt.ratio(big.ratio),
        note: `fixed costs (start-up, pairing, each thread's JIT warm-up, the worker's load) weigh ${LARGER}× less than at ${n} files`,
      });
    }
    return results;
  },
};

/**
 * The default (--jobs = cores) must not be slower than --jobs 1 where workers cannot pay for their start-up:
 * runs in alternating pairs, so that a busy machine weighs on both alike; the median of the pairs' ratios.
 */
async function defaultAgainstOneThread(ctx: BenchContext): Promise<RowResult> {
  const files = Math.min(SMALL_BATCH.files, ctx.sizes.batchFiles);
  const dir = join(ctx.tmp, 'batch-small');
  mkdirSync(dir);
  const paths = Array.from({ length: files }, (_, i) => join(dir, `file-${String(i).padStart(4, '0')}.bin`));
  for (const f of paths) await writeFile(f, randomFillSync(Buffer.alloc(SMALL_BATCH.size)));
  await ctx.pqsign(['sign', ...paths, '--key', ctx.key]);
  const run = (jobs: string[]) => ctx.pqsign(['verify', '--recursive', dir, '--key', ctx.pub, ...jobs]);
  const ratios: number[] = [];
  const walls = { default: [] as number[], one: [] as number[] };
  for (let i = 0; i < ctx.sizes.pairs; i++) {
    const first = i % 2 ? ['--jobs', '1'] : [];
    const x = await run(first);
    const y = await run(first.length ? [] : ['--jobs', '1']);
    const [dflt, one] = first.length ? [y, x] : [x, y];
    walls.default.push(dflt.wallMs);
    walls.one.push(one.wallMs);
    ratios.push(dflt.wallMs / one.wallMs);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const ratio = median(ratios);
  return {
    measurement: `verify ${files} × ${fmt.size(SMALL_BATCH.size)}: the default (--jobs ${ctx.cores}) against --jobs 1`,
    ours: `default: ${fmt.ms(median(walls.default))}`,
    baseline: `--jobs 1: ${fmt.ms(median(walls.one))}`,
    ratio: fmt.ratio(ratio),
    target: '≤ 1.05× (time)',
    met: ratio <= 1.05,
    note: `median of ${ratios.length} alternating pairs; workers start only for the queued work one thread would take over a second to do`,
  };
}
