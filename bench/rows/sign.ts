// `pqsign sign` of the big input in every registered format (registeredFormats(): a new format gets a row by itself)
// against the digest pass it cannot avoid, measured in the same run: `pqsign mu` on the same input (the
// format adds framing, the signature and writing the container), or `openssl dgst -sha512` for formats
// whose signature covers a SHA-512 digest of the content (CMS, RFC 9882).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import '../../lib/builtins.js';
import { registeredFormats } from '../../src/pipeline/registry.js';
import type { Format, OptionSpec } from '../../src/pipeline/format.js';
import { fmt, type BenchContext } from '../lib/context.js';
import { measureOk, medianOf, type Measured } from '../lib/measure.js';
import type { BenchRow, RowResult } from './types.js';

/** Formats whose signing cost is a SHA-512 pass over the content rather than μ. */
const SHA512_FORMATS = new Set(['cms']);

/** Inputs for formats that cannot sign arbitrary bytes (e.g. UEFI needs a PE image): name → maker. */
const INPUTS: Record<string, (ctx: BenchContext, size: number) => Promise<string>> = {};

/** Flags a format cannot sign without (by format name). */
const REQUIRED_ARGS: Record<string, string[]> = { uefi: ['--monotonic-count', '1'] };

/**
 * Before each timed run that writes: remove the previous output (replacing a 1 GiB file would make the
 * rename free its pages inside the timed run) and flush other dirty data (the input file was just
 * written), so the run's own write and fsync are what is timed.
 */
function freshOutput(path: string): void {
  rmSync(path, { force: true });
  spawnSync('sync');
}

/** Detached where the format offers it (the "cose detached, jws detached"), plus required flags. */
const isDetached = (f: Format) => (f.options as Record<string, OptionSpec> | undefined)?.detached?.for.includes('sign') === true;
const signArgs = (f: Format): string[] => [...(isDetached(f) ? ['--detached'] : []), ...(REQUIRED_ARGS[f.name] ?? [])];

export const signRow: BenchRow = {
  id: 'sign',
  title: 'sign per format',
  async run(ctx: BenchContext) {
    const size = ctx.sizes.big;
    const results: RowResult[] = [];
    const baselines = new Map<string, Measured>();
    const baseline = async (kind: 'mu' | 'sha512' | 'cp', file: string) => {
      const id = `${kind}:${file}`;
      if (!baselines.has(id)) {
        baselines.set(
          id,
          await medianOf(ctx.sizes.ratioReps, () =>
            kind === 'mu'
              ? ctx.pqsign(['mu', file, '--key', ctx.pub])
              : kind === 'cp'
                ? (freshOutput(join(ctx.tmp, 'cp-floor.bin')), measureOk('cp', [file, join(ctx.tmp, 'cp-floor.bin')]))
                : measureOk('openssl', ['dgst', '-sha512', file]),
          ),
        );
      }
      return baselines.get(id)!;
    };
    for (const f of registeredFormats()) {
      const measurement = `sign ${fmt.size(size)}, ${f.name}${isDetached(f) ? ' (detached)' : ''}`;
      try {
        const file = await (INPUTS[f.name]?.(ctx, size) ?? ctx.file(size));
        const out = join(ctx.tmp, `sign-out${f.suffix}`);
        const ours = await medianOf(ctx.sizes.ratioReps, () => {
          freshOutput(out);
          return ctx.pqsign(['sign', file, '--key', ctx.key, '--format', f.name, ...signArgs(f), '--out', out]);
        });
        const kind = SHA512_FORMATS.has(f.name) ? 'sha512' : 'mu';
        const base = await baseline(kind, file);
        const ratio = ours.wallMs / base.wallMs;
        // An output that embeds the payload must also write it: `cp` of the same file is that floor.
        const embeds = f.embedsPayload(isDetached(f) ? { detached: true } : {});
        const copy = embeds ? await baseline('cp', file) : undefined;
        const notes = [];
        if (copy)
          notes.push(
            `embeds the payload: pqsign also writes it (cp of the same file: ${fmt.ms(copy.wallMs)}) and fsyncs it before the rename`,
          );
        results.push({
          measurement,
          ours: `${fmt.ms(ours.wallMs)}, peak RSS ${fmt.mb(ours.rssMB)}`,
          baseline: `${kind === 'mu' ? 'pqsign mu' : 'openssl dgst -sha512'}: ${fmt.ms(base.wallMs)}`,
          ratio: fmt.ratio(ratio),
          target: '≤ 1.1× time',
          met: ratio <= 1.1,
          ...(notes.length ? { note: notes.join('; ') } : {}),
        });
      } catch (e) {
        results.push({ measurement, ours: 'error', baseline: '—', met: false, note: e instanceof Error ? e.message : String(e) });
      }
    }
    return results;
  },
};
