// Batch verification of many small signed files: files/s with --jobs = cores against cores × the
// single-thread rate (--jobs 1, in-process), both measured end to end in the same run; under this
// Node (portable ML-DSA) and, when installed, Node 24 (node:crypto ML-DSA).
import { mkdirSync } from 'node:fs';
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

const SCALING_SCRIPT = fileURLToPath(new URL('../lib/verify-scaling.js', import.meta.url));

/** bench/lib/verify-scaling.ts under `node`: THREADS × the one-thread verification rate, as a ratio (1 = perfect). */
function verifyScaling(node: string, threads: number): number {
  const r = spawnSync(node, [SCALING_SCRIPT, String(threads)], { encoding: 'utf8' });
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
    await Promise.all(Array.from({ length: ctx.cores }, (_, c) => files.slice(c * per, (c + 1) * per))
      .filter((part) => part.length)
      .map((part) => ctx.pqsign(['sign', ...part, '--key', ctx.key])));
    const results: RowResult[] = [];
    const runtimes: [string, string | undefined][] = [[`Node ${process.versions.node}`, undefined]];
    const n24 = node24();
    if (n24) runtimes.push(['Node 24, native ML-DSA', n24]);
    for (const [label, node] of runtimes) {
      const timed = (jobs: number) => medianOf(ctx.sizes.reps, () => ctx.pqsign(['verify', '--recursive', dir, '--key', ctx.pub, '--jobs', String(jobs)], { node }));
      const one = await timed(1);
      const all = await timed(ctx.cores);
      const rate1 = n / (one.wallMs / 1000);
      const rateN = n / (all.wallMs / 1000);
      const ratio = rateN / (ctx.cores * rate1);
      results.push({
        measurement: `verify ${n} × ${fmt.size(size)}, ${label}`,
        ours: `--jobs ${ctx.cores}: ${rateN.toFixed(0)} files/s, peak RSS ${fmt.mb(all.rssMB)}`,
        baseline: `${ctx.cores} × --jobs 1 (${rate1.toFixed(0)} files/s) = ${(ctx.cores * rate1).toFixed(0)} files/s`,
        ratio: fmt.ratio(ratio),
        target: `≥ ${TARGET}×`,
        met: ratio >= TARGET,
        note: `verifying alone (${ctx.cores} threads each verifying 64 KiB messages in memory, against one thread, same runtime and run) scales ${fmt.ratio(verifyScaling(node ?? ctx.node, ctx.cores))} on this machine: the ceiling for this row`,
      });
    }
    return results;
  },
};
