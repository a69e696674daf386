// `pqsign attest` of many small subjects (one DSSE envelope over all of them): files/s, against hashing
// the same files with `sha256sum` in one process (the I/O and digest floor), measured in the same run.
// Skipped where the attest command is not registered.
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMMANDS } from '../../bin/commands/index.js';
import { fmt, type BenchContext } from '../lib/context.js';
import { measureOk, medianOf } from '../lib/measure.js';
import { skipped, type BenchRow } from './types.js';

const hasCommand = (name: string) => COMMANDS.some((c) => c.name === name);

export const attestRow: BenchRow = {
  id: 'attest',
  title: 'attest',
  async run(ctx: BenchContext) {
    const n = ctx.sizes.attestSubjects;
    const measurement = `attest ${n} subjects of 1 KiB`;
    if (!hasCommand('attest')) return [skipped(measurement, 'no attest command on this build')];
    const dir = join(ctx.tmp, 'attest');
    mkdirSync(dir);
    const files = Array.from({ length: n }, (_, i) => join(dir, `subject-${String(i).padStart(5, '0')}.bin`));
    for (const [i, f] of files.entries()) await writeFile(f, `subject ${i}\n`.padEnd(1024, '.'));
    const bundle = join(ctx.tmp, 'attest.intoto.jsonl');
    const ours = await medianOf(ctx.sizes.reps, async () => {
      await writeFile(bundle, ''); // attest appends: start each run from an empty bundle
      return ctx.pqsign([
        'attest',
        dir,
        '--recursive',
        '--base-dir',
        dir,
        '--key',
        ctx.key,
        '--out',
        bundle,
        '--builder-id',
        'https://bench.invalid/pqsign',
      ]);
    });
    const base = await medianOf(ctx.sizes.reps, () => measureOk('sha256sum', files));
    const rate = (ms: number) => `${(n / (ms / 1000)).toFixed(0)} files/s`;
    return [
      {
        measurement,
        ours: `${rate(ours.wallMs)} (${fmt.ms(ours.wallMs)}), peak RSS ${fmt.mb(ours.rssMB)}`,
        baseline: `sha256sum of the same files: ${rate(base.wallMs)} (${fmt.ms(base.wallMs)})`,
        ratio: fmt.ratio(ours.wallMs / base.wallMs),
      },
    ];
  },
};
